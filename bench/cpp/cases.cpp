// cases.cpp - the C++ side of each benchmark case, mirroring bench/kcom/cases.c line for line:
// n iterations of one operation through interface pointers whose classes this translation unit
// cannot see (they come from the factories in classes.cpp), every result added to a checksum that
// is written to the volatile sink and returned.
#include "com.h"

#include "../bench.h"

#include <cstdlib>

using namespace bench_cpp;

namespace {

void bench_require(bool condition)
{
    if (!condition)
        std::abort();
}

IPing *new_object(STATUS (*factory)(IPing **))
{
    IPing *object = nullptr;
    bench_require(factory(&object) == kOk);
    BENCH_OPAQUE(object);
    return object;
}

uint64_t finish(IPing *object, uint64_t acc)
{
    bench_require(object->Release() == 0);
    bench_sink = acc;
    return acc;
}

inline __attribute__((always_inline)) uint64_t query_loop(uint64_t n, const GUID *iid)
{
    IPing *object = new_object(CreateEight);
    uint64_t acc = 0;
    BENCH_OPAQUE(iid);
    for (uint64_t i = 0; i < n; i++) {
        void *found;
        STATUS status = object->QueryInterface(*iid, &found);
        acc += static_cast<uint32_t>(status);
        if (status >= 0)
            acc += static_cast<IUnknown *>(found)->Release(); // 1: the caller's reference remains
        else
            acc += found == nullptr;
    }
    return finish(object, acc);
}

} // namespace

namespace {

// inline: the loop is the case function's own (scripts/bench.py finds it there)
__attribute__((always_inline)) inline uint64_t create_release(STATUS (*factory)(IPing **), uint64_t n)
{
    uint64_t acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        IPing *object;
        STATUS status = factory(&object);
        if (__builtin_expect(status < 0, 0))
            std::abort();
        acc += object->Release(); // the final Release: delete
    }
    bench_sink = acc;
    return acc;
}

} // namespace

BENCH_CASE uint64_t bench_cpp_create_release_1(uint64_t n)
{
    return create_release(CreateOne, n);
}

BENCH_CASE uint64_t bench_cpp_create_release_4(uint64_t n)
{
    return create_release(CreateFour, n);
}

__attribute__((always_inline)) inline uint64_t create_by_iid(uint64_t n)
{
    uint64_t acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        IPing *object;
        STATUS status = CreateOneByIid(IID_IPing, reinterpret_cast<void **>(&object));
        if (__builtin_expect(status < 0, 0))
            std::abort();
        acc += object->Release();
    }
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_cpp_create_by_iid(uint64_t n)
{
    return create_by_iid(n);
}

// The factory is another file's already: the same loop.
BENCH_CASE uint64_t bench_cpp_create_by_iid_other(uint64_t n)
{
    return create_by_iid(n);
}

// The same classes with a free list of their own: the counterpart of kcom's caching allocator.
BENCH_CASE uint64_t bench_cpp_cached_create_release_1(uint64_t n)
{
    return create_release(CreateOneFreeList, n);
}

BENCH_CASE uint64_t bench_cpp_cached_create_release_4(uint64_t n)
{
    return create_release(CreateFourFreeList, n);
}

BENCH_CASE uint64_t bench_cpp_addref_release(uint64_t n)
{
    IPing *object = new_object(CreateOne);
    uint64_t acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        acc += object->AddRef();  // 2
        acc += object->Release(); // 1
    }
    return finish(object, acc);
}

BENCH_CASE uint64_t bench_cpp_call(uint64_t n)
{
    IPing *object = new_object(CreateOne);
    uint64_t acc = 0;
    uint32_t total = 0;
    for (uint64_t i = 0; i < n; i++)
        acc += static_cast<uint32_t>(object->Ping(static_cast<uint32_t>(i)));
    bench_require(object->GetTotal(&total) == kOk);
    return finish(object, acc + total);
}

BENCH_CASE uint64_t bench_cpp_call_4th(uint64_t n)
{
    IPing *object = new_object(CreateFour);
    void *found = nullptr;
    uint64_t acc = 0;
    uint32_t total = 0;
    bench_require(object->QueryInterface(IID_I3, &found) == kOk);
    I3 *fourth = static_cast<I3 *>(found);
    BENCH_OPAQUE(fourth);
    for (uint64_t i = 0; i < n; i++)
        acc += static_cast<uint32_t>(fourth->Op3(static_cast<uint32_t>(i)));
    bench_require(fourth->Release() == 1);
    bench_require(object->GetTotal(&total) == kOk);
    return finish(object, acc + total);
}

BENCH_CASE uint64_t bench_cpp_qi_first(uint64_t n)
{
    return query_loop(n, &IID_IPing);
}

BENCH_CASE uint64_t bench_cpp_qi_last(uint64_t n)
{
    return query_loop(n, &IID_I7);
}

BENCH_CASE uint64_t bench_cpp_qi_miss(uint64_t n)
{
    return query_loop(n, &IID_Missing);
}
