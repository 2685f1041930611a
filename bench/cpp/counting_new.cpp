// counting_new.cpp - replaces the global operator new/delete with versions that count calls and
// bytes, over malloc and free as kcom_bench's are (malloc_new.cpp). Linked only into
// kcom_bench_allocs, so the instruction counts and times of the C++ cases are not inflated by the
// counting.
//
// ThreadSanitizer's runtime defines every operator new/delete itself and is linked whole, so a
// replacement cannot coexist with it: built with BENCH_REPLACE_NEW=0 (the TSan configuration),
// nothing is replaced and the counters report BENCH_NOT_COUNTED.
#include "../bench.h"

#ifndef BENCH_REPLACE_NEW
#define BENCH_REPLACE_NEW 1
#endif

#if BENCH_REPLACE_NEW

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<uint64_t> new_calls{0};
std::atomic<uint64_t> delete_calls{0};
std::atomic<uint64_t> new_bytes{0};
} // namespace

void *operator new(std::size_t size)
{
    new_calls.fetch_add(1, std::memory_order_relaxed);
    new_bytes.fetch_add(size, std::memory_order_relaxed);
    if (void *block = std::malloc(size))
        return block;
    throw std::bad_alloc();
}

void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    new_calls.fetch_add(1, std::memory_order_relaxed);
    new_bytes.fetch_add(size, std::memory_order_relaxed);
    return std::malloc(size);
}

void operator delete(void *block) noexcept
{
    if (block != nullptr)
        delete_calls.fetch_add(1, std::memory_order_relaxed);
    std::free(block);
}

void operator delete(void *block, std::size_t) noexcept
{
    operator delete(block);
}

void operator delete(void *block, const std::nothrow_t &) noexcept
{
    operator delete(block);
}

uint64_t bench_cpp_new_calls(void)
{
    return new_calls.load(std::memory_order_relaxed);
}

uint64_t bench_cpp_delete_calls(void)
{
    return delete_calls.load(std::memory_order_relaxed);
}

uint64_t bench_cpp_new_bytes(void)
{
    return new_bytes.load(std::memory_order_relaxed);
}

#else

uint64_t bench_cpp_new_calls(void)
{
    return BENCH_NOT_COUNTED;
}

uint64_t bench_cpp_delete_calls(void)
{
    return BENCH_NOT_COUNTED;
}

uint64_t bench_cpp_new_bytes(void)
{
    return BENCH_NOT_COUNTED;
}

#endif
