# Cross-compiling kcom for the 32-bit x86 Windows kernel in MSVC's dialect with clang-cl and
# lld-link (clang-cl-kernel.cmake says how; docs/building.md says when). As the WDK does for x86
# drivers, /Gz makes __stdcall the default calling convention; the import libraries come from the
# decorated wine-ddk/*-x86.def.
#
#   cmake -S . -B build/kernel-x86 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/clang-cl-i686-kernel.cmake

set(KCOM_CLANG_CL_TRIPLE i686-pc-windows-msvc)
include("${CMAKE_CURRENT_LIST_DIR}/clang-cl-kernel.cmake")
