// malloc_new.cpp - kcom_bench's global operator new and delete: straight over malloc and free, as
// a kernel driver's C++ defines them over the pool (a driver has no C++ runtime library), so that
// a C++ allocation costs what kcom's costs: the allocator's own work and a NULL test (no test of a
// size of 0: glibc's malloc(0) returns a unique block, as operator new must). The C++ runtime's
// own versions add a new-handler loop and, for the sized delete, a second call.
// kcom_bench_allocs has the same with counters (counting_new.cpp).
//
// ThreadSanitizer's runtime defines every operator new/delete itself and is linked whole, so a
// replacement cannot coexist with it: built with BENCH_REPLACE_NEW=0 (the TSan configuration),
// nothing is replaced.
#include <cstdlib>
#include <new>

#ifndef BENCH_REPLACE_NEW
#define BENCH_REPLACE_NEW 1
#endif

#if BENCH_REPLACE_NEW

void *operator new(std::size_t size)
{
    if (void *block = std::malloc(size))
        return block;
    throw std::bad_alloc();
}

void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    return std::malloc(size);
}

void operator delete(void *block) noexcept
{
    std::free(block);
}

void operator delete(void *block, std::size_t) noexcept
{
    std::free(block);
}

void operator delete(void *block, const std::nothrow_t &) noexcept
{
    std::free(block);
}

#endif
