# Cross-compiling kcom for the 64-bit Windows kernel in MSVC's dialect with clang-cl and lld-link
# (clang-cl-kernel.cmake says how; docs/building.md says when).
#
#   cmake -S . -B build/kernel-msvc -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/clang-cl-x86_64-kernel.cmake

set(KCOM_CLANG_CL_TRIPLE x86_64-pc-windows-msvc)
include("${CMAKE_CURRENT_LIST_DIR}/clang-cl-kernel.cmake")
