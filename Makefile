# kcom - the two commands of the quick start, and a few more.
#
#   make demo    build and run the examples
#   make test    build and run every test suite: gcc, clang, ASan+UBSan, TSan, valgrind memcheck,
#                and inside a Windows kernel driver under Wine (test-kernel)
#   make bench   measure kcom against hand-written C++ COM (docs/performance.md)
#   make test-windows   the suites as a Windows program (mingw-w64), run under Wine
#   make test-kernel    the suites inside a Windows kernel driver (mingw-w64), hosted by Wine
#
# Builds go to build/<configuration>. Missing Debian packages are installed with apt-get when
# running as root; otherwise the command says which to install.
BUILD ?= build
JOBS ?= 2
CMAKE_COMMON = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKCOM_BUILD_TESTS=ON -DKCOM_BUILD_EXAMPLES=ON -DKCOM_BUILD_BENCH=ON

HOST_PACKAGES = cmake:cmake gcc:gcc g++:g++ clang:clang clang++:clang valgrind:valgrind \
                /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a:libclang-rt-14-dev

# mingw-w64 builds Windows user-mode and kernel code; Wine runs it (wine64-tools: widl, winedump).
WINDOWS_PACKAGES = x86_64-w64-mingw32-gcc:mingw-w64 x86_64-w64-mingw32-g++:mingw-w64 \
                   x86_64-w64-mingw32-objdump:mingw-w64 wine:wine /usr/lib/wine/wine64:wine64 \
                   widl:wine64-tools winedump:wine64-tools
# A pristine Wine prefix, prepared once and copied into each Windows configuration's build directory.
WINE_PREFIX_CACHE = $(abspath $(BUILD))/wine-prefix

.PHONY: all demo test test-gcc test-clang test-asan test-tsan test-valgrind test-windows test-kernel bench \
        packages windows-packages clean

all: test

packages:
	@scripts/require-packages.sh $(HOST_PACKAGES)

windows-packages:
	@scripts/require-packages.sh $(WINDOWS_PACKAGES)

# configure(dir, extra cmake arguments)
define configure
	cmake -S . -B $(BUILD)/$(1) $(CMAKE_COMMON) $(2) >/dev/null
	cmake --build $(BUILD)/$(1) -j $(JOBS)
endef

demo: packages
	$(call configure,gcc,-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++)
	@scripts/run-examples.sh $(BUILD)/gcc/examples

test: packages test-gcc test-clang test-asan test-tsan test-valgrind test-windows test-kernel
	@echo "make test: all configurations passed"

test-gcc: packages
	$(call configure,gcc,-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++)
	cd $(BUILD)/gcc && ctest --output-on-failure -j $(JOBS)

test-clang: packages
	$(call configure,clang,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)
	cd $(BUILD)/clang && ctest --output-on-failure -j $(JOBS)

test-asan: packages
	$(call configure,asan,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ '-DKCOM_SANITIZE=address;undefined')
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

test-tsan: packages
	$(call configure,tsan,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKCOM_SANITIZE=thread)
	cd $(BUILD)/tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j $(JOBS)

test-valgrind: test-gcc
	@scripts/run-valgrind.sh $(BUILD)/gcc

# Windows user mode: the test executables and examples cross-built, ctest runs them under Wine.
test-windows: packages windows-packages
	$(call configure,mingw,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake -DKCOM_BUILD_BENCH=OFF)
	cd $(BUILD)/mingw && KCOM_WINE_PREFIX_CACHE=$(WINE_PREFIX_CACHE) ctest --output-on-failure -j $(JOBS)

# The Windows kernel: the library and kcom_test.sys built with the kernel toolchain, the client with
# the user-mode one; ctest runs tests/wine/run-kernel-tests.sh.
test-kernel: packages windows-packages
	$(call configure,kernel,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64-kernel.cmake)
	cd $(BUILD)/kernel && KCOM_WINE_PREFIX_CACHE=$(WINE_PREFIX_CACHE) ctest --output-on-failure
	@sed -n '/^kernel tests: [0-9]* tests ran/,$$p' $(BUILD)/kernel/wine/client.log

# The benchmark table (docs/performance.md): gcc/g++ -O2, callgrind instruction counts, wall clock,
# allocations; printed and written to $(BUILD)/bench/results.md.
bench: packages
	@scripts/require-packages.sh python3:python3 objdump:binutils callgrind_annotate:valgrind
	cmake -S . -B $(BUILD)/bench -DCMAKE_BUILD_TYPE=Release -DKCOM_BUILD_BENCH=ON -DKCOM_BUILD_TESTS=OFF \
		-DKCOM_BUILD_EXAMPLES=OFF -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
		'-DCMAKE_C_FLAGS_RELEASE=-O2 -g -DNDEBUG' '-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG' >/dev/null
	cmake --build $(BUILD)/bench -j $(JOBS)
	@scripts/bench.py $(BUILD)/bench

clean:
	rm -rf $(BUILD)
