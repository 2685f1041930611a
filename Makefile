# kcom - the two commands of the quick start, and a few more.
#
#   make demo    build and run the sample driver under Wine (docs/sample.md), then the examples
#   make test    build and run every test suite: gcc, clang, ASan+UBSan, TSan, valgrind memcheck,
#                a 32-bit host build (test-host32), Release builds installed (test-release),
#                Windows user mode, inside Windows kernel drivers under Wine (test-kernel,
#                test-kernel-msvc, test-sample), and the kernel drivers for ARM64 and x86 built
#                and linked (test-kernel-ports)
#   make bench   measure kcom against hand-written C++ COM (docs/performance.md); bench-clang
#                the same built with clang
#   make test-host32    the host suites as a 32-bit program (gcc -m32)
#   make test-windows   the suites as a Windows program (mingw-w64), run under Wine
#   make test-kernel    the suites inside a Windows kernel driver (mingw-w64), hosted by Wine
#   make test-kernel-msvc   the same driver and the sample in MSVC's dialect (clang-cl, lld-link)
#   make test-kernel-ports  the kernel library, the test driver and the sample built and linked for
#                ARM64 and x86 (clang-cl, both branches) and x86 (mingw-w64); not run (docs/porting.md)
#   make soak    the stress soaks, SOAK_SECONDS each (make test runs them TEST_SOAK_SECONDS each)
#   make fuzz    the API fuzzer, FUZZ_SECONDS (make test runs it TEST_FUZZ_SECONDS in its clang configuration)
#   make test-sample    the sample driver's scenario under Wine, checked
#   make test-release   Release builds with gcc and clang, installed, and a project built from the install
#   make clean   remove $(BUILD), the prepared Wine prefix included
#
# Builds go to build/<configuration>. Missing Debian packages are installed with apt-get when
# running as root; otherwise the command says which to install.
BUILD ?= build
JOBS ?= 2
# An empty BUILD (an unset variable) would build in /, one that starts with `-` reads as an option.
ifeq ($(strip $(BUILD)),)
$(error BUILD is empty: name a build directory, or leave BUILD unset for build/)
endif
ifneq ($(filter -%,$(firstword $(BUILD))),)
$(error BUILD starts with '-', which commands read as an option: write ./$(BUILD))
endif
# Paths reach the shell quoted, so that a clone (or BUILD) whose path holds spaces, parentheses or
# quotes builds as any other: q(path) is the path in single quotes.
q = '$(subst ','\'',$(1))'
B = $(call q,$(BUILD))
BUILD_ABS = $(if $(filter /%,$(firstword $(BUILD))),$(BUILD),$(CURDIR)/$(BUILD))
CMAKE_COMMON = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKCOM_WARNINGS_AS_ERRORS=ON -DKCOM_BUILD_TESTS=ON -DKCOM_BUILD_EXAMPLES=ON -DKCOM_BUILD_BENCH=ON

HOST_PACKAGES = cmake:cmake gcc:gcc g++:g++ clang:clang clang++:clang valgrind:valgrind \
                /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a:libclang-rt-14-dev

# gcc -m32 for the 32-bit host build (make test-host32).
HOST32_PACKAGES = /usr/lib32/crt1.o:gcc-multilib /usr/lib/gcc/x86_64-linux-gnu/12/32/libstdc++.so:g++-multilib

# mingw-w64 builds Windows user-mode and kernel code; Wine runs it (wine64-tools: widl, winedump).
WINDOWS_PACKAGES = x86_64-w64-mingw32-gcc:mingw-w64 x86_64-w64-mingw32-g++:mingw-w64 \
                   i686-w64-mingw32-gcc:mingw-w64 i686-w64-mingw32-g++:mingw-w64 \
                   x86_64-w64-mingw32-objdump:mingw-w64 wine:wine /usr/lib/wine/wine64:wine64 \
                   widl:wine64-tools winedump:wine64-tools
# MSVC's dialect: clang-cl, lld-link, llvm-lib and llvm-dlltool, and Wine's DDK headers.
MSVC_PACKAGES = clang-cl-14:clang-tools-14 lld-link-14:lld-14 llvm-lib-14:llvm-14 llvm-dlltool-14:llvm-14 \
                llvm-objdump-14:llvm-14 \
                /usr/include/wine/wine/windows/ddk/wdm.h:libwine-dev
# A pristine Wine prefix, prepared once and copied into each Windows configuration's build directory.
WINE_PREFIX_CACHE = $(call q,$(BUILD_ABS)/wine-prefix)

.PHONY: all demo test test-gcc test-clang test-asan test-tsan test-valgrind test-host32 test-windows \
        test-kernel test-kernel-msvc test-kernel-ports bench bench-clang packages host32-packages \
        windows-packages msvc-packages test-packages clean

all: test

packages:
	@scripts/require-packages.sh $(HOST_PACKAGES)

host32-packages:
	@scripts/require-packages.sh $(HOST32_PACKAGES)

windows-packages:
	@scripts/require-packages.sh $(WINDOWS_PACKAGES)

msvc-packages:
	@scripts/require-packages.sh $(MSVC_PACKAGES)

# Everything make test needs, checked (or installed) before it builds anything.
test-packages:
	@scripts/require-packages.sh $(HOST_PACKAGES) $(HOST32_PACKAGES) $(WINDOWS_PACKAGES) $(MSVC_PACKAGES)

# configure(dir, extra cmake arguments)
define configure
	cmake -S . -B $(B)/$(1) $(CMAKE_COMMON) $(2) >/dev/null
	cmake --build $(B)/$(1) -j $(JOBS)
endef

# The sample driver (samples/, docs/sample.md): the library and samples/ with the kernel toolchain.
SAMPLE_DIR = $(B)/sample/samples/sensorhub
define build_sample
	cmake -S . -B $(B)/sample --no-warn-unused-cli -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKCOM_BUILD_TESTS=OFF -DKCOM_BUILD_SAMPLES=ON -DKCOM_WARNINGS_AS_ERRORS=ON \
		-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64-kernel.cmake >/dev/null
	cmake --build $(B)/sample -j $(JOBS)
endef

demo: packages windows-packages
	$(call configure,gcc,-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++)
	$(build_sample)
	@echo "==== sample: sensorhub.sys and sensorhub_client.exe under Wine ===="
	@KCOM_WINE_PREFIX_CACHE=$(WINE_PREFIX_CACHE) tests/wine/run-sample.sh --driver $(SAMPLE_DIR)/sensorhub.sys \
		--client $(SAMPLE_DIR)/client/sensorhub_client.exe --dir $(B)/sample/wine
	@echo
	@scripts/run-examples.sh $(B)/gcc/examples

test: test-packages test-gcc test-clang test-asan test-tsan test-valgrind test-host32 test-release test-windows \
      test-kernel test-kernel-msvc test-kernel-ports test-sample
	@echo "make test: all configurations passed"

test-gcc: packages
	$(call configure,gcc,-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++)
	cd $(B)/gcc && KCOM_SOAK_SECONDS=$(TEST_SOAK_SECONDS) ctest --output-on-failure -j $(JOBS)

# clang's build has the reference count hardening OFF (the others have the default, FAILFAST), so
# that the suites run in that mode too, and is a Debug build (no NDEBUG: KCOM_DEBUG is 1, kcom/debug.h),
# as a driver's own debug build and the build recipes without a build type are (docs/building.md).
test-clang: packages
	$(call configure,clang,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKCOM_REFCOUNT_HARDENING=OFF \
		-DCMAKE_BUILD_TYPE=Debug)
	cd $(B)/clang && KCOM_SOAK_SECONDS=$(TEST_SOAK_SECONDS) KCOM_FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) \
		ctest --output-on-failure -j $(JOBS)
	@cat $(B)/clang/tests/reliability/fuzz/summary.txt 2>/dev/null || true

test-asan: packages
	$(call configure,asan,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ '-DKCOM_SANITIZE=address;undefined')
	cd $(B)/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		KCOM_SOAK_SECONDS=$(TEST_SOAK_SECONDS) ctest --output-on-failure -j $(JOBS)

test-tsan: packages
	$(call configure,tsan,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKCOM_SANITIZE=thread)
	cd $(B)/tsan && TSAN_OPTIONS=halt_on_error=1 KCOM_SOAK_SECONDS=$(TEST_SOAK_SECONDS) \
		ctest --output-on-failure -j $(JOBS)

test-valgrind: test-gcc
	@scripts/run-valgrind.sh $(B)/gcc

# The host suites as a 32-bit x86 program (cmake/toolchains/linux-i686.cmake: gcc -m32), with the
# pointers of an x86 driver; without valgrind (tests/CMakeLists.txt says why). A machine whose kernel
# runs no 32-bit program builds them and says so.
test-host32: packages host32-packages
	$(call configure,host32,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/linux-i686.cmake -DKCOM_BUILD_BENCH=OFF)
	@if printf 'int main(void) { return 0; }\n' | gcc -m32 -x c - -o $(B)/host32/runs-32-bit && \
	    $(B)/host32/runs-32-bit 2>/dev/null; then \
	    cd $(B)/host32 && KCOM_SOAK_SECONDS=$(TEST_SOAK_SECONDS) ctest --output-on-failure -j $(JOBS); \
	else \
	    echo "test-host32: built; not run: this machine's kernel does not run 32-bit programs"; \
	fi

# A Release build as a project using kcom would configure it (only the build type; warnings as
# errors added, which is kcom's own business), with gcc and with clang, and with gcc without the
# async layer: built, installed into a private prefix, and tests/package/ built from the installed
# files with find_package(kcom) and without CMake (tests/package/run.cmake).
# release(name, C compiler, async layer ON or OFF)
define release
	cmake -S . -B $(B)/release-$(1) -DCMAKE_BUILD_TYPE=Release -DKCOM_WARNINGS_AS_ERRORS=ON \
		-DKCOM_BUILD_TESTS=OFF -DKCOM_BUILD_EXAMPLES=OFF -DCMAKE_C_COMPILER=$(2) -DKCOM_ENABLE_ASYNC=$(3) >/dev/null
	cmake --build $(B)/release-$(1) -j $(JOBS)
	cmake -DKCOM_BUILD_DIR=$(call q,$(BUILD_ABS)/release-$(1)) -DWORK_DIR=$(call q,$(BUILD_ABS)/release-$(1)/package) \
		-DSOURCE_DIR=$(call q,$(CURDIR)/tests/package) -DINCLUDE_DIR=$(call q,$(CURDIR)/include) -DC_COMPILER=$(2) -DPLAIN_COMPILE=ON \
		-DASYNC=$(3) -P tests/package/run.cmake >/dev/null
	@echo "release-$(1): built, installed, and a consumer built from the installed files ran"
endef

.PHONY: test-release
test-release: packages
	$(call release,gcc,gcc,ON)
	$(call release,clang,clang,ON)
	$(call release,gcc-no-async,gcc,OFF)

# Windows user mode: the test executables and examples cross-built, ctest runs them under Wine.
test-windows: packages windows-packages
	$(call configure,mingw,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake -DKCOM_BUILD_BENCH=OFF)
	cd $(B)/mingw && KCOM_WINE_PREFIX_CACHE=$(WINE_PREFIX_CACHE) ctest --output-on-failure -j $(JOBS)

# The Windows kernel: the library and kcom_test.sys built with the kernel toolchain, the client with
# the user-mode one; ctest runs tests/wine/run-kernel-tests.sh.
test-kernel: packages windows-packages
	$(call configure,kernel,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64-kernel.cmake)
	cd $(B)/kernel && KCOM_WINE_PREFIX_CACHE=$(WINE_PREFIX_CACHE) ctest --output-on-failure
	@sed -n '/^kernel tests: [0-9]* tests ran/,$$p' $(B)/kernel/wine/client.log

# The kernel in MSVC's dialect (cmake/toolchains/clang-cl-x86_64-kernel.cmake): the library,
# kcom_test.sys and the sample's sensorhub.sys built with clang-cl and linked with lld-link against
# Wine's DDK headers, every kernel source compiled again as cl.exe sees it (no __clang__), and
# ctest running the kernel suites and the sample's scenario under Wine as test-kernel and
# test-sample do.
test-kernel-msvc: packages windows-packages msvc-packages
	$(call configure,kernel-msvc,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/clang-cl-x86_64-kernel.cmake -DKCOM_BUILD_SAMPLES=ON)
	cd $(B)/kernel-msvc && KCOM_WINE_PREFIX_CACHE=$(WINE_PREFIX_CACHE) ctest --output-on-failure
	@echo "clang-cl (MSVC dialect):"
	@sed -n '/^kernel tests: [0-9]* tests ran/,$$p' $(B)/kernel-msvc/wine/client.log

# The kernel for the other machines (docs/porting.md): the library, kcom_test.sys and sensorhub.sys
# for ARM64 and x86 in MSVC's dialect (clang-cl-aarch64-kernel.cmake, clang-cl-i686-kernel.cmake:
# both branches, /W4 /WX, linked with lld-link against import libraries made from wine-ddk/*.def,
# x86's decorated by calling convention), and the library and kcom_test.sys for x86 with mingw-w64
# (mingw-w64-i686-kernel.cmake). Each build also checks its atomics' instructions
# (tests/kernel/ordering). Built and linked, not run: no Wine here runs ARM64 code, and 32-bit
# Wine needs a host that runs 32-bit Linux programs (docs/building.md).
test-kernel-ports: packages windows-packages msvc-packages
	$(call configure,kernel-arm64,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/clang-cl-aarch64-kernel.cmake -DKCOM_BUILD_SAMPLES=ON)
	$(call configure,kernel-x86,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/clang-cl-i686-kernel.cmake -DKCOM_BUILD_SAMPLES=ON)
	$(call configure,kernel-mingw-x86,-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-i686-kernel.cmake)
	@echo "test-kernel-ports: built and linked, not run:"
	@for driver in $(B)/kernel-arm64/tests/kernel/kcom_test.sys $(B)/kernel-arm64/samples/sensorhub/sensorhub.sys \
	               $(B)/kernel-x86/tests/kernel/kcom_test.sys $(B)/kernel-x86/samples/sensorhub/sensorhub.sys \
	               $(B)/kernel-mingw-x86/tests/kernel/kcom_test.sys; do \
		printf '  %s: %s\n' "$$driver" "$$(llvm-objdump-14 -f "$$driver" | sed -n 's/.*file format //p')"; done

# The sample driver's scenario (and requests canceled as they complete) under Wine: ctest runs
# tests/wine/run-sample.sh, which checks the client's exit status and the driver's unload line.
.PHONY: test-sample
test-sample: packages windows-packages
	$(build_sample)
	cd $(B)/sample/samples && KCOM_WINE_PREFIX_CACHE=$(WINE_PREFIX_CACHE) ctest --output-on-failure
	@grep -hE '^client: (race: |[0-9]+ steps)' $(SAMPLE_DIR)/wine/client.log
	@grep -o 'sensorhub: unload: drained.*' $(SAMPLE_DIR)/wine/driver.log

# Reliability (tests/reliability, docs/safety.md): the stress soaks for SOAK_SECONDS each in the gcc,
# ASan+UBSan and TSan configurations, and the libFuzzer API fuzzer for FUZZ_SECONDS (clang). A crash
# leaves its input in $(BUILD)/clang/tests/reliability/fuzz/artifacts/: add it to
# tests/reliability/corpus/, which every configuration of make test replays.
FUZZ_SECONDS ?= 300
SOAK_SECONDS ?= 60
# what make test gives them
TEST_FUZZ_SECONDS ?= 60
TEST_SOAK_SECONDS ?= 20
.PHONY: soak fuzz
soak: packages
	$(call configure,gcc,-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++)
	cd $(B)/gcc && KCOM_SOAK_SECONDS=$(SOAK_SECONDS) ctest --output-on-failure -L soak
	$(call configure,asan,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ '-DKCOM_SANITIZE=address;undefined')
	cd $(B)/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		KCOM_SOAK_SECONDS=$(SOAK_SECONDS) ctest --output-on-failure -L soak
	$(call configure,tsan,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKCOM_SANITIZE=thread)
	cd $(B)/tsan && TSAN_OPTIONS=halt_on_error=1 KCOM_SOAK_SECONDS=$(SOAK_SECONDS) ctest --output-on-failure -L soak

fuzz: packages
	$(call configure,clang,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)
	cd $(B)/clang && KCOM_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure -R '^reliability_fuzz$$'
	@cat $(B)/clang/tests/reliability/fuzz/summary.txt

# The benchmark table (docs/performance.md): gcc/g++ -O2, callgrind instruction counts, wall clock,
# allocations; printed and written to $(BUILD)/bench/results.md. bench-clang: the same with
# clang/clang++ -O2 into $(BUILD)/bench-clang (DWARF 4: valgrind 3.19 cannot read clang 14's 5).
define bench_run
	@scripts/require-packages.sh python3:python3 objdump:binutils callgrind_annotate:valgrind
	cmake -S . -B $(B)/$(1) -DCMAKE_BUILD_TYPE=Release -DKCOM_BUILD_BENCH=ON -DKCOM_BUILD_TESTS=OFF \
		-DKCOM_BUILD_EXAMPLES=OFF -DCMAKE_C_COMPILER=$(2) -DCMAKE_CXX_COMPILER=$(3) \
		'-DCMAKE_C_FLAGS_RELEASE=-O2 $(4) -DNDEBUG' '-DCMAKE_CXX_FLAGS_RELEASE=-O2 $(4) -DNDEBUG' >/dev/null
	cmake --build $(B)/$(1) -j $(JOBS)
	@scripts/bench.py $(B)/$(1)
endef
bench: packages
	$(call bench_run,bench,gcc,g++,-g)
bench-clang: packages
	$(call bench_run,bench-clang,clang,clang++,-gdwarf-4)

clean:
	rm -rf $(B)
