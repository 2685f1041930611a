# Cross-compiling kcom for 64-bit Windows user mode with mingw-w64 (Debian: mingw-w64).
#
#   cmake -S . -B build/mingw -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake
#
# Test executables run under Wine: CMAKE_CROSSCOMPILING_EMULATOR is tests/wine/wine-run.sh, which
# gives them a private prefix in the build directory, so ctest works as on the host.

set(CMAKE_SYSTEM_NAME Windows)
# mingw-w64-i686.cmake sets the 32-bit triplet and processor before including this file.
if(NOT KCOM_MINGW_TRIPLET)
    set(CMAKE_SYSTEM_PROCESSOR x86_64)
    set(KCOM_MINGW_TRIPLET x86_64-w64-mingw32)
endif()
set(CMAKE_C_COMPILER ${KCOM_MINGW_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${KCOM_MINGW_TRIPLET}-g++)
set(CMAKE_RC_COMPILER ${KCOM_MINGW_TRIPLET}-windres)

# The sysroot: headers, import libraries, and the DDK headers the kernel configuration uses.
set(KCOM_MINGW_SYSROOT /usr/${KCOM_MINGW_TRIPLET} CACHE PATH "mingw-w64 sysroot")
set(CMAKE_FIND_ROOT_PATH ${KCOM_MINGW_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Packages: in the sysroot and where CMAKE_PREFIX_PATH points (an installed kcom, for one).
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# Link libgcc and the C++ runtime statically: the executables then run in a bare Wine prefix
# without the mingw DLLs on its PATH.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")

# In kcom's source tree: programs run through tests/wine/wine-run.sh (a private prefix per build).
# An installed copy (lib/cmake/kcom/toolchains) runs them with wine.
get_filename_component(KCOM_TOOLCHAIN_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(EXISTS "${KCOM_TOOLCHAIN_SOURCE_DIR}/tests/wine/wine-run.sh")
    set(CMAKE_CROSSCOMPILING_EMULATOR "${KCOM_TOOLCHAIN_SOURCE_DIR}/tests/wine/wine-run.sh")
else()
    set(CMAKE_CROSSCOMPILING_EMULATOR wine)
endif()
