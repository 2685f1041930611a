// async_cases.cpp - the C++ side of the async cases, mirroring bench/kcom/async_cases.c line for
// line: the classes are in async_classes.cpp, out of this translation unit's sight.
#include "async_com.h"

#include "../bench.h"

#include <cstdlib>

using namespace bench_cpp;

namespace {

void bench_require(bool condition)
{
    if (!condition)
        std::abort();
}

IReader *new_object(STATUS (*factory)(IReader **) = CreateReader)
{
    IReader *object = nullptr;
    bench_require(factory(&object) == kOk);
    BENCH_OPAQUE(object);
    return object;
}

uint64_t finish(IReader *object, uint64_t acc)
{
    bench_require(object->Release() == 0);
    bench_sink = acc;
    return acc;
}

} // namespace

namespace {

// inline: the loop is the case function's own (scripts/bench.py finds it there)
__attribute__((always_inline)) inline uint64_t async_calls(IReader *object, uint64_t n)
{
    uint64_t acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t value = 0;
        IAsyncULong *op = object->Read(static_cast<uint32_t>(i)); // completed: value i * 2
        acc += static_cast<uint32_t>(op->get_result(&value)) + value;
        acc += op->Release(); // the final Release: delete
    }
    return finish(object, acc);
}

} // namespace

BENCH_CASE uint64_t bench_cpp_async_call(uint64_t n)
{
    return async_calls(new_object(), n);
}

// The same loop with the class whose operations come from a free list of their own.
BENCH_CASE uint64_t bench_cpp_cached_async_call(uint64_t n)
{
    return async_calls(new_object(CreateReaderFreeList), n);
}

__attribute__((always_inline)) inline uint64_t calls_in(uint64_t n)
{
    IReader *object = new_object();
    alignas(16) unsigned char storage[BENCH_ASYNC_STORAGE_BYTES] = {};
    uint64_t acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t value = 0;
        IAsyncULong *op = object->ReadIn(static_cast<uint32_t>(i), storage, sizeof(storage));
        acc += static_cast<uint32_t>(op->get_result(&value)) + value;
        acc += op->Release(); // the final Release: the storage is free again
    }
    return finish(object, acc);
}

BENCH_CASE uint64_t bench_cpp_async_call_in(uint64_t n)
{
    return calls_in(n);
}

// A task built by hand in caller storage is, in C++, the same placement new.
BENCH_CASE uint64_t bench_cpp_spawn_in(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_spawn_in_other(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_spawn_in_other_desc(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_run_in(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_run_in_other(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_run_in_other_desc(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_run_in_tracked(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_spawn_in_tracked(uint64_t n)
{
    return calls_in(n);
}

BENCH_CASE uint64_t bench_cpp_async_status(uint64_t n)
{
    IReader *object = new_object();
    IAsyncULong *op = object->Read(21);
    uint64_t acc = 0;
    BENCH_OPAQUE(op);
    for (uint64_t i = 0; i < n; i++) {
        AsyncStatus status = kAsyncStarted;
        acc += static_cast<uint32_t>(op->get_status(&status)) + static_cast<uint32_t>(status); // 0 + Completed
    }
    bench_require(op->Release() == 0);
    return finish(object, acc);
}

namespace {

// The wake loop (mirrors kcom's): a worker thread with an intrusive queue, for both rows.
inline __attribute__((always_inline)) uint64_t wake_loop(uint64_t n)
{
    Worker *worker = CreateWorker();
    uint64_t acc = 0;
    BENCH_OPAQUE(worker);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t value = static_cast<uint32_t>(i), result = 0;
        IAsyncULong *source = CreateSource();
        IAsyncULong *op = SpawnAwait(source, worker);                          // waits on source
        acc += static_cast<uint32_t>(CompleteSource(source, value));           // wakes it: onto the worker
        acc += static_cast<uint32_t>(Wait(op));
        acc += static_cast<uint32_t>(op->get_result(&result)) + result;       // i + 1
        acc += op->Release() > 1; // the worker may still hold its reference: 0 or 1
        acc += source->Release(); // the task's reference went once it had read the result
    }
    DestroyWorker(worker);
    bench_sink = acc;
    return acc;
}

} // namespace

BENCH_CASE uint64_t bench_cpp_async_wake(uint64_t n)
{
    return wake_loop(n);
}

#if defined(BENCH_DPC) && BENCH_DPC
BENCH_CASE uint64_t bench_cpp_async_dpc_wake(uint64_t n)
{
    return wake_loop(n);
}
#endif
