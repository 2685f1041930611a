# kcom - the two commands of the quick start, and a few more.
#
#   make demo    build and run the examples
#   make test    build and run every test suite: gcc, clang, ASan+UBSan, TSan, valgrind memcheck
#
# Builds go to build/<configuration>. Missing Debian packages are installed with apt-get when
# running as root; otherwise the command says which to install.
BUILD ?= build
JOBS ?= 2
CMAKE_COMMON = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKCOM_BUILD_TESTS=ON -DKCOM_BUILD_EXAMPLES=ON

HOST_PACKAGES = cmake:cmake gcc:gcc g++:g++ clang:clang clang++:clang valgrind:valgrind \
                /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a:libclang-rt-14-dev

.PHONY: all demo test test-gcc test-clang test-asan test-tsan test-valgrind packages clean

all: test

packages:
	@scripts/require-packages.sh $(HOST_PACKAGES)

# configure(dir, extra cmake arguments)
define configure
	cmake -S . -B $(BUILD)/$(1) $(CMAKE_COMMON) $(2) >/dev/null
	cmake --build $(BUILD)/$(1) -j $(JOBS)
endef

demo: packages
	$(call configure,gcc,-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++)
	@scripts/run-examples.sh $(BUILD)/gcc/examples

test: packages test-gcc test-clang test-asan test-tsan test-valgrind
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

clean:
	rm -rf $(BUILD)
