# Cross-compiling kcom for the 32-bit x86 Windows kernel with mingw-w64 and its DDK headers
# (Debian: mingw-w64's i686-w64-mingw32-gcc), as mingw-w64-x86_64-kernel.cmake does for x64.
# The drivers are built and linked only: Wine does not host them in kcom's tests (docs/porting.md).
#
#   cmake -S . -B build/kernel-mingw-x86 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-i686-kernel.cmake

set(CMAKE_SYSTEM_PROCESSOR x86)
set(KCOM_MINGW_TRIPLET i686-w64-mingw32)
include("${CMAKE_CURRENT_LIST_DIR}/mingw-w64-x86_64-kernel.cmake")

# DriverEntry is __stdcall: on x86 its symbol is _DriverEntry@8.
string(REPLACE ",DriverEntry" ",_DriverEntry@8" CMAKE_SHARED_LINKER_FLAGS_INIT "${CMAKE_SHARED_LINKER_FLAGS_INIT}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${CMAKE_SHARED_LINKER_FLAGS_INIT}")
set(KCOM_USER_MODE_TOOLCHAIN_FILE "${CMAKE_CURRENT_LIST_DIR}/mingw-w64-i686.cmake")
set(KCOM_KERNEL_WINE_HOSTED OFF)
