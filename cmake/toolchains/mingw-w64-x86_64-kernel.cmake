# Cross-compiling kcom for the 64-bit Windows kernel with mingw-w64 and its DDK headers.
#
#   cmake -S . -B build/kernel -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64-kernel.cmake
#
# Builds the library for drivers (KCOM_PLATFORM ntkernel) and, with tests, the kernel test driver,
# which runs the portable test suites inside a Wine-hosted driver (tests/kernel, tests/wine).
# Every target is kernel code: freestanding, no CRT, linked only against ntoskrnl and hal.

include("${CMAKE_CURRENT_LIST_DIR}/mingw-w64-x86_64.cmake")

set(KCOM_KERNEL ON CACHE BOOL "Build kcom for the Windows kernel")
# Examples and benchmarks are user-mode programs; a kernel configuration has none.
set(KCOM_BUILD_EXAMPLES OFF CACHE BOOL "Build the examples" FORCE)
set(KCOM_BUILD_BENCH OFF CACHE BOOL "Build the benchmarks" FORCE)

set(KCOM_DDK_INCLUDE_DIR "${KCOM_MINGW_SYSROOT}/include/ddk" CACHE PATH "mingw-w64 DDK headers")

# KCOM_KERNEL selects kcom's kernel target (kcom/compiler.h). POOL_TAGGING keeps
# ExAllocatePoolWithTag tagged (mingw-w64 otherwise maps it to the untagged ExAllocatePool).
# -isystem: the DDK headers include one another as <wdm.h> (<ddk/wdm.h> does not compile), and
# as system headers they do not trip -Wpedantic -Werror. -fbuiltin after -ffreestanding keeps
# memcpy/memset/strlen as compiler builtins (what the WDK's /Oi does); what is left as calls is
# exported by ntoskrnl.
set(CMAKE_C_FLAGS_INIT
    "-DKCOM_KERNEL -DPOOL_TAGGING -ffreestanding -fbuiltin -fno-stack-protector -isystem ${KCOM_DDK_INCLUDE_DIR}")
# C++ in the kernel: no exceptions, no RTTI, no thread-safe initialization of function-local
# statics (none has a runtime there: __cxa_guard_*).
set(CMAKE_CXX_FLAGS_INIT "${CMAKE_C_FLAGS_INIT} -fno-exceptions -fno-rtti -fno-threadsafe-statics")

# A driver is a native-subsystem DLL whose entry point is DriverEntry (no leading underscore on
# x64) and which exports nothing; libgcc supplies ___chkstk_ms for frames over 4 KiB and the
# 128-bit division helpers. --require-defined: without a DriverEntry (a C++ one not declared
# extern "C" has another name) ld only warns and writes a driver whose entry point is 0.
set(CMAKE_EXE_LINKER_FLAGS_INIT "")
set(CMAKE_SHARED_LINKER_FLAGS_INIT
    "-nostdlib -shared -Wl,--subsystem,native -Wl,--entry,DriverEntry -Wl,--require-defined,DriverEntry -Wl,--exclude-all-symbols")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${CMAKE_SHARED_LINKER_FLAGS_INIT}")
set(CMAKE_C_STANDARD_LIBRARIES "-lntoskrnl -lhal -lgcc" CACHE STRING "Libraries every kernel module links")
set(CMAKE_CXX_STANDARD_LIBRARIES "${CMAKE_C_STANDARD_LIBRARIES}" CACHE STRING "Libraries every kernel module links")

# The compiler checks cannot link a user-mode test program against ntoskrnl.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# The user-mode half of the kernel tests (the client that talks to the driver) is built with this.
set(KCOM_USER_MODE_TOOLCHAIN_FILE "${CMAKE_CURRENT_LIST_DIR}/mingw-w64-x86_64.cmake")
