# Cross-compiling kcom for the ARM64 Windows kernel in MSVC's dialect with clang-cl and lld-link
# (clang-cl-kernel.cmake says how; docs/building.md says when). No ARM64 Wine hosts the result:
# make test builds and links it (docs/porting.md).
#
#   cmake -S . -B build/kernel-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/clang-cl-aarch64-kernel.cmake

set(KCOM_CLANG_CL_TRIPLE aarch64-pc-windows-msvc)
include("${CMAKE_CURRENT_LIST_DIR}/clang-cl-kernel.cmake")
