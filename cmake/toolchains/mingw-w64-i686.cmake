# Cross-compiling kcom for 32-bit x86 Windows user mode with mingw-w64 (Debian: mingw-w64), as
# mingw-w64-x86_64.cmake does for x64. The x86 kernel configurations build their clients with it.
#
#   cmake -S . -B build/mingw32 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-i686.cmake

set(CMAKE_SYSTEM_PROCESSOR x86)
set(KCOM_MINGW_TRIPLET i686-w64-mingw32)
include("${CMAKE_CURRENT_LIST_DIR}/mingw-w64-x86_64.cmake")
