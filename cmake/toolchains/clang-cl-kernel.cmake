# Building kcom for the Windows kernel in MSVC's dialect: clang-cl (/std:c11, the MSVC ABI) and
# lld-link, against Wine's DDK headers, with no Windows, MSVC or WDK needed. Included by the
# per-architecture files (clang-cl-x86_64-kernel.cmake, clang-cl-aarch64-kernel.cmake,
# clang-cl-i686-kernel.cmake), which set KCOM_CLANG_CL_TRIPLE first.
#
#   cmake -S . -B build/kernel-msvc -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/clang-cl-x86_64-kernel.cmake
#
# The headers: Wine's <ddk/wdm.h> and its base headers, made into what the WDK's <wdm.h> offers by
# wine-ddk/kcom_wine_ddk.h (force-included), which declares only what Wine's DDK lacks, plus
# wine-ddk/punknown.h. The import libraries of ntoskrnl.exe and hal.dll are made at configure time
# from wine-ddk/*.def with llvm-dlltool (a machine's own wine-ddk/MODULE-MACHINE.def where it has
# one: x86's names carry their calling convention's decoration, _KeSetEvent@12, @IofCompleteRequest@8):
# a driver that imports anything not listed there, or under another convention, fails to link. Drivers are linked /driver /subsystem:native with DriverEntry as entry point, no CRT.
# With KCOM_CL_BRANCH_CHECK (on here), every kernel source of kcom's own targets is compiled a
# second time without __clang__, through the code that only cl.exe takes (compile only).
# Debian: clang-tools-14 (clang-cl), lld-14 (lld-link), llvm-14 (llvm-lib, llvm-dlltool), libwine-dev
# (Wine's headers); the Makefile's msvc-packages target installs them.

if(NOT KCOM_CLANG_CL_TRIPLE)
    message(FATAL_ERROR "clang-cl-kernel.cmake: include it from a per-architecture toolchain file "
                        "that sets KCOM_CLANG_CL_TRIPLE (clang-cl-x86_64-kernel.cmake)")
endif()
# The architecture's names for the linker, the librarian, llvm-dlltool and CMake.
if(KCOM_CLANG_CL_TRIPLE MATCHES "^x86_64-")
    set(KCOM_CLANG_CL_MACHINE x64)
    set(KCOM_CLANG_CL_DLLTOOL_MACHINE i386:x86-64)
    set(CMAKE_SYSTEM_PROCESSOR AMD64)
elseif(KCOM_CLANG_CL_TRIPLE MATCHES "^aarch64-")
    set(KCOM_CLANG_CL_MACHINE arm64)
    set(KCOM_CLANG_CL_DLLTOOL_MACHINE arm64)
    set(CMAKE_SYSTEM_PROCESSOR ARM64)
elseif(KCOM_CLANG_CL_TRIPLE MATCHES "^i[3-6]86-")
    set(KCOM_CLANG_CL_MACHINE x86)
    set(KCOM_CLANG_CL_DLLTOOL_MACHINE i386)
    set(CMAKE_SYSTEM_PROCESSOR X86)
    # The WDK's default for x86 drivers: __stdcall unless declared otherwise.
    set(KCOM_CLANG_CL_ARCH_FLAGS /Gz)
else()
    message(FATAL_ERROR "clang-cl-kernel.cmake: no machine known for ${KCOM_CLANG_CL_TRIPLE}")
endif()

set(CMAKE_SYSTEM_NAME Windows)

find_program(KCOM_CLANG_CL NAMES clang-cl-14 clang-cl REQUIRED)
find_program(KCOM_LLD_LINK NAMES lld-link-14 lld-link REQUIRED)
find_program(KCOM_LLVM_LIB NAMES llvm-lib-14 llvm-lib REQUIRED)
find_program(KCOM_LLVM_DLLTOOL NAMES llvm-dlltool-14 llvm-dlltool REQUIRED)
find_program(KCOM_LLVM_OBJDUMP NAMES llvm-objdump-14 llvm-objdump REQUIRED)
set(CMAKE_C_COMPILER "${KCOM_CLANG_CL}")
set(CMAKE_CXX_COMPILER "${KCOM_CLANG_CL}")
set(CMAKE_C_COMPILER_TARGET ${KCOM_CLANG_CL_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${KCOM_CLANG_CL_TRIPLE})
set(CMAKE_LINKER "${KCOM_LLD_LINK}")
set(CMAKE_AR "${KCOM_LLVM_LIB}")
set(CMAKE_OBJDUMP "${KCOM_LLVM_OBJDUMP}")
set(CMAKE_MT "" CACHE FILEPATH "no manifest tool: a driver has no manifest")

set(KCOM_KERNEL ON CACHE BOOL "Build kcom for the Windows kernel")
# Examples and benchmarks are user-mode programs; a kernel configuration has none.
set(KCOM_BUILD_EXAMPLES OFF CACHE BOOL "Build the examples" FORCE)
set(KCOM_BUILD_BENCH OFF CACHE BOOL "Build the benchmarks" FORCE)
set(KCOM_CL_BRANCH_CHECK ON CACHE BOOL "Compile kcom's kernel sources a second time as cl.exe sees them")

# Wine's headers (Debian: libwine-dev), and this toolchain's additions to them.
find_path(KCOM_WINE_INCLUDE_DIR NAMES windows/ddk/wdm.h PATHS /usr/include/wine/wine /usr/include/wine
          NO_CMAKE_FIND_ROOT_PATH NO_DEFAULT_PATH)
if(NOT KCOM_WINE_INCLUDE_DIR)
    message(FATAL_ERROR "clang-cl-kernel.cmake: Wine's DDK headers (windows/ddk/wdm.h) were not found; "
                        "install libwine-dev or set KCOM_WINE_INCLUDE_DIR")
endif()
set(KCOM_WINE_DDK_DIR "${CMAKE_CURRENT_LIST_DIR}/wine-ddk")

# KCOM_KERNEL selects kcom's kernel target (kcom/compiler.h). /Zl: no default CRT library named in
# the objects; /GS-: no security cookie (the CRT's); /Gy: functions in their own sections, so the
# linker keeps only what is called. -imsvc: Wine's headers are system headers, so /W4 leaves them be.
# /clang:-ffreestanding: no hosted C library behind the compiler's builtins; memcpy and the like that stay
# calls are ntoskrnl's. It also drops the unwind data (.pdata, .xdata) clang-cl emits by default on
# x64 and ARM64, which cl.exe always emits and the kernel's exception dispatch and stack walks need:
# /clang:-fasynchronous-unwind-tables keeps it (tests/kernel/check-unwind.sh checks). The flags reach
# the command line as they are written, so the paths in them are quoted: this file may sit in a
# directory whose path has spaces (a clone, an installed package).
set(KCOM_CLANG_CL_FLAGS
    "/Zl /GS- /Gy /clang:-ffreestanding /clang:-fasynchronous-unwind-tables -DKCOM_KERNEL -DPOOL_TAGGING"
    "\"/FI${KCOM_WINE_DDK_DIR}/kcom_wine_ddk.h\" -imsvc \"${KCOM_WINE_DDK_DIR}\""
    "-imsvc \"${KCOM_WINE_INCLUDE_DIR}/windows/ddk\" -imsvc \"${KCOM_WINE_INCLUDE_DIR}/windows\""
    "-imsvc \"${KCOM_WINE_INCLUDE_DIR}/msvcrt\"" ${KCOM_CLANG_CL_ARCH_FLAGS})
string(JOIN " " CMAKE_C_FLAGS_INIT ${KCOM_CLANG_CL_FLAGS})
# C++ in the kernel: no exceptions, no RTTI, no thread-safe initialization of function-local
# statics (none has a runtime there: _Init_thread_*). CMake's MSVC rules
# append /EHsc (and /GR) after these and add /RTC1 (the CRT's run-time checks) to Debug:
# clang-cl-kernel-rules.cmake, read once they have, takes those out again.
set(CMAKE_CXX_FLAGS_INIT "${CMAKE_C_FLAGS_INIT} /GR- /EHs-c- /Zc:threadSafeInit-")
set(CMAKE_USER_MAKE_RULES_OVERRIDE "${CMAKE_CURRENT_LIST_DIR}/clang-cl-kernel-rules.cmake")

# The import libraries, made from the .def files into this build directory.
set(KCOM_KERNEL_IMPORT_LIB_DIR "${CMAKE_BINARY_DIR}/kcom-kernel-imports")
file(MAKE_DIRECTORY "${KCOM_KERNEL_IMPORT_LIB_DIR}")
set(KCOM_KERNEL_IMPORT_LIBS "")
foreach(module ntoskrnl hal)
    set(def "${KCOM_WINE_DDK_DIR}/${module}-${KCOM_CLANG_CL_MACHINE}.def")
    if(NOT EXISTS "${def}")
        set(def "${KCOM_WINE_DDK_DIR}/${module}.def")
    endif()
    set(lib "${KCOM_KERNEL_IMPORT_LIB_DIR}/${module}.lib")
    if(NOT EXISTS "${lib}" OR "${def}" IS_NEWER_THAN "${lib}")
        # -k: x86's decorated names are imported by their undecorated names, as the kernel exports them.
        execute_process(COMMAND "${KCOM_LLVM_DLLTOOL}" -m ${KCOM_CLANG_CL_DLLTOOL_MACHINE} -k -d "${def}" -l "${lib}"
                        RESULT_VARIABLE result)
        if(result)
            message(FATAL_ERROR "clang-cl-kernel.cmake: llvm-dlltool could not make ${lib} from ${def}")
        endif()
    endif()
    list(APPEND KCOM_KERNEL_IMPORT_LIBS "\"${lib}\"")
endforeach()
string(JOIN " " KCOM_KERNEL_IMPORT_LIBS_TEXT ${KCOM_KERNEL_IMPORT_LIBS})
set(CMAKE_C_STANDARD_LIBRARIES "${KCOM_KERNEL_IMPORT_LIBS_TEXT}" CACHE STRING "Libraries every kernel module links" FORCE)
set(CMAKE_CXX_STANDARD_LIBRARIES "${KCOM_KERNEL_IMPORT_LIBS_TEXT}" CACHE STRING "Libraries every kernel module links" FORCE)

# A driver: native subsystem, DriverEntry, nothing from the CRT or the default libraries.
set(KCOM_CLANG_CL_DRIVER_LINK_FLAGS
    "/machine:${KCOM_CLANG_CL_MACHINE} /driver /subsystem:native /entry:DriverEntry /nodefaultlib /manifest:no")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${KCOM_CLANG_CL_DRIVER_LINK_FLAGS}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${KCOM_CLANG_CL_DRIVER_LINK_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "/machine:${KCOM_CLANG_CL_MACHINE} /manifest:no")
set(CMAKE_STATIC_LINKER_FLAGS_INIT "/machine:${KCOM_CLANG_CL_MACHINE}")

# The compiler checks cannot link a program against ntoskrnl.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# The user-mode half of the kernel tests (the clients that talk to the drivers) is built with this.
# Only x64 drivers are hosted by Wine in kcom's tests: no Wine runs ARM64 code here, and 32-bit
# Wine needs a host that runs 32-bit Linux programs (docs/building.md). The other machines' drivers
# are built and linked only (tests/kernel/CMakeLists.txt).
if(KCOM_CLANG_CL_MACHINE STREQUAL "x64")
    set(KCOM_USER_MODE_TOOLCHAIN_FILE "${CMAKE_CURRENT_LIST_DIR}/mingw-w64-x86_64.cmake")
else()
    set(KCOM_KERNEL_WINE_HOSTED OFF)
endif()
