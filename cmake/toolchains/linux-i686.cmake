# Building kcom for the Linux host as a 32-bit x86 program (gcc -m32; Debian: gcc-multilib and
# g++-multilib), so that the suites run with 4-byte pointers, as in an x86 driver. `make
# test-host32` uses it.
#
#   cmake -S . -B build/host32 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/linux-i686.cmake

set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_C_FLAGS_INIT -m32)
set(CMAKE_CXX_FLAGS_INIT -m32)
