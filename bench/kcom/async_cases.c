/*
 * The kcom side of the async benchmark cases (bench.h), mirrored line for line by
 * cpp/async_cases.cpp: the object comes from a factory in async_classes.c, every status, value and
 * count a call returns goes into the checksum, which is written to the volatile sink and returned.
 */
#include "async_classes.h"

#include "../bench.h"

#include <stdlib.h>
#include <string.h>

#if defined(BENCH_DPC) && BENCH_DPC
#include <kcom/dpc_executor.h>
#endif

static void bench_require(int condition)
{
    if (!condition)
        abort();
}

static IBenchAsync *new_object_from(NTSTATUS (*factory)(IBenchAsync **out))
{
    IBenchAsync *object = NULL;
    bench_require(NT_SUCCESS(factory(&object)));
    BENCH_OPAQUE(object);
    return object;
}

static IBenchAsync *new_object(void)
{
    return new_object_from(bench_kcom_new_async);
}

static uint64_t finish(IBenchAsync *object, uint64_t acc)
{
    bench_require(IBenchAsync_Release(object) == 0);
    bench_sink = acc;
    return acc;
}

static KCOM_FORCEINLINE uint64_t async_calls(IBenchAsync *object, uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        ULONG value = 0;
        IBenchAsyncULONG *op = IBenchAsync_Read(object, (ULONG)i); /* completed: value i * 2 */
        acc += (ULONG)IBenchAsyncULONG_get_result(op, &value) + value;
        acc += IBenchAsyncULONG_Release(op); /* the final Release: frees the operation */
    }
    return finish(object, acc);
}

BENCH_CASE uint64_t bench_kcom_async_call(uint64_t n)
{
    return async_calls(new_object(), n);
}

/* The same loop with the class whose operations come from a caching allocator of its own. */
BENCH_CASE uint64_t bench_kcom_cached_async_call(uint64_t n)
{
    return async_calls(new_object_from(bench_kcom_new_async_cached), n);
}

BENCH_CASE uint64_t bench_kcom_async_call_in(uint64_t n)
{
    IBenchAsync *object = new_object();
    IBenchAsync_ReadIn_storage storage;
    uint64_t acc = 0;
    uint64_t i;
    memset(&storage, 0, sizeof(storage)); /* kcom_async_storage_in_use reads it */
    for (i = 0; i < n; i++) {
        ULONG value = 0;
        IBenchAsyncULONG *op = IBenchAsync_ReadIn(object, (ULONG)i, &storage, sizeof(storage));
        acc += (ULONG)IBenchAsyncULONG_get_result(op, &value) + value;
        acc += IBenchAsyncULONG_Release(op); /* the final Release: the storage is free again */
    }
    bench_require(!kcom_async_storage_in_use(&storage));
    return finish(object, acc);
}

/* The spawn_in loop over spawn, a constant where it inlines: a direct call. */
static KCOM_FORCEINLINE uint64_t spawn_in_loop(IBenchAsyncULONG *(*spawn)(ULONG, void *, size_t), uint64_t n)
{
    _Alignas(16) unsigned char storage[BENCH_ASYNC_STORAGE_BYTES];
    uint64_t acc = 0;
    uint64_t i;
    memset(storage, 0, sizeof(storage)); /* kcom_async_storage_in_use reads it */
    for (i = 0; i < n; i++) {
        ULONG value = 0;
        IBenchAsyncULONG *op = spawn((ULONG)i, storage, sizeof(storage));
        acc += (ULONG)IBenchAsyncULONG_get_result(op, &value) + value;
        acc += IBenchAsyncULONG_Release(op); /* the final Release: the storage is free again */
    }
    bench_require(!kcom_async_storage_in_use(storage));
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_kcom_spawn_in(uint64_t n)
{
    return spawn_in_loop(bench_kcom_spawn_double_in, n);
}

/* The same task begun and run here, its descriptor async_classes.c's: what the compiler sees of it
 * here is a pointer. */
static KCOM_FORCEINLINE IBenchAsyncULONG *spawn_double_in_with(const kcom_async_task_desc *desc, ULONG value,
                                                               void *storage, size_t size)
{
    void *state;
    IKcomAsyncOperation *operation;
    if (NT_SUCCESS(kcom_async_spawn_begin_in(desc, kcom_default_executor(), storage, size, &state, &operation))) {
        ((bench_double_state *)state)->value = value;
        (void)kcom_async_spawn_run(operation);
    }
    return IBenchAsyncULONG_from(operation);
}

/* Its KCOM_ASYNC_TASK descriptor: the library calls the descriptor's own functions. */
static KCOM_NOINLINE IBenchAsyncULONG *spawn_double_in_other(ULONG value, void *storage, size_t size)
{
    return spawn_double_in_with(bench_double_task, value, storage, size);
}

BENCH_CASE uint64_t bench_kcom_spawn_in_other(uint64_t n)
{
    return spawn_in_loop(spawn_double_in_other, n);
}

/* The same descriptor as KCOM_ASYNC_TASK_DESC alone makes it: the library's general way. */
static KCOM_NOINLINE IBenchAsyncULONG *spawn_double_in_other_desc(ULONG value, void *storage, size_t size)
{
    return spawn_double_in_with(bench_double_plain_task, value, storage, size);
}

BENCH_CASE uint64_t bench_kcom_spawn_in_other_desc(uint64_t n)
{
    return spawn_in_loop(spawn_double_in_other_desc, n);
}

BENCH_CASE uint64_t bench_kcom_run_in(uint64_t n)
{
    return spawn_in_loop(bench_kcom_run_double_in, n);
}

/* The same task run in one call here, its descriptor async_classes.c's. */
static KCOM_FORCEINLINE IBenchAsyncULONG *run_double_in_with(const kcom_async_task_desc *desc, ULONG value,
                                                             void *storage, size_t size)
{
    bench_double_state initial = {0, value};
    IKcomAsyncOperation *operation;
    (void)kcom_async_run_in(desc, kcom_default_executor(), storage, size, &initial, &operation);
    return IBenchAsyncULONG_from(operation);
}

static KCOM_NOINLINE IBenchAsyncULONG *run_double_in_other(ULONG value, void *storage, size_t size)
{
    return run_double_in_with(bench_double_task, value, storage, size);
}

BENCH_CASE uint64_t bench_kcom_run_in_other(uint64_t n)
{
    return spawn_in_loop(run_double_in_other, n);
}

static KCOM_NOINLINE IBenchAsyncULONG *run_double_in_other_desc(ULONG value, void *storage, size_t size)
{
    return run_double_in_with(bench_double_plain_task, value, storage, size);
}

BENCH_CASE uint64_t bench_kcom_run_in_other_desc(uint64_t n)
{
    return spawn_in_loop(run_double_in_other_desc, n);
}

/* The same task in one call on an executor with a tracker (the default executor's schedule, a
 * tracker of the case's own): the tracker counts the task only if its first poll leaves it
 * pending. */
static kcom_executor tracked_executor;

static KCOM_NOINLINE IBenchAsyncULONG *run_double_in_tracked(ULONG value, void *storage, size_t size)
{
    bench_double_state initial = {0, value};
    IKcomAsyncOperation *operation;
    (void)kcom_async_run_in(bench_double_task, &tracked_executor, storage, size, &initial, &operation);
    return IBenchAsyncULONG_from(operation);
}

/* A tracker of the case's own on a copy of the default executor, over spawn_in_loop(spawn). */
static KCOM_FORCEINLINE uint64_t tracked_loop(IBenchAsyncULONG *(*spawn)(ULONG, void *, size_t), uint64_t n)
{
    kcom_tracker *tracker = NULL;
    uint64_t acc;
    bench_require(NT_SUCCESS(kcom_tracker_create(&tracker)));
    tracked_executor = *kcom_default_executor();
    tracked_executor.tracker = tracker;
    acc = spawn_in_loop(spawn, n);
    bench_require(kcom_tracker_drain(tracker, 1000) == STATUS_SUCCESS);
    kcom_tracker_destroy(tracker);
    return acc;
}

BENCH_CASE uint64_t bench_kcom_run_in_tracked(uint64_t n)
{
    return tracked_loop(run_double_in_tracked, n);
}

/* The same task begun and run on that executor (spawn_in_other's): the tracker counts it from its
 * begin (its operation may be shared before its run), and lists it only if its first poll leaves
 * it pending. */
static KCOM_NOINLINE IBenchAsyncULONG *spawn_double_in_tracked(ULONG value, void *storage, size_t size)
{
    void *state;
    IKcomAsyncOperation *operation;
    if (NT_SUCCESS(kcom_async_spawn_begin_in(bench_double_task, &tracked_executor, storage, size, &state, &operation))) {
        ((bench_double_state *)state)->value = value;
        (void)kcom_async_spawn_run(operation);
    }
    return IBenchAsyncULONG_from(operation);
}

BENCH_CASE uint64_t bench_kcom_spawn_in_tracked(uint64_t n)
{
    return tracked_loop(spawn_double_in_tracked, n);
}

BENCH_CASE uint64_t bench_kcom_async_status(uint64_t n)
{
    IBenchAsync *object = new_object();
    IBenchAsyncULONG *op = IBenchAsync_Read(object, 21);
    uint64_t acc = 0;
    uint64_t i;
    BENCH_OPAQUE(op);
    for (i = 0; i < n; i++) {
        kcom_async_status status = KCOM_ASYNC_STARTED;
        acc += (ULONG)IBenchAsyncULONG_get_status(op, &status) + (ULONG)status; /* 0 + COMPLETED */
    }
    bench_require(IBenchAsyncULONG_Release(op) == 0);
    return finish(object, acc);
}

/* The wake loop on executor: a source, a task awaiting it, the source completed (the wake), the
 * caller blocked until the task's operation is done. */
static KCOM_FORCEINLINE uint64_t wake_loop(const kcom_executor *executor, uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        IKcomAsyncOperation *source;
        IBenchAsyncULONG *op;
        ULONG value = (ULONG)i, result = 0;
        NTSTATUS status = kcom_async_operation_create(NULL, &IID_IBenchAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG),
                                                      &source);
        if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
            abort();
        op = bench_kcom_spawn_await(source, executor);                   /* waits on source */
        acc += (ULONG)kcom_async_operation_complete(source, &value);      /* wakes it: onto the executor */
        acc += (ULONG)kcom_async_block_on(IBenchAsyncULONG_generic(op), KCOM_ASYNC_INFINITE);
        acc += (ULONG)IBenchAsyncULONG_get_result(op, &result) + result; /* i + 1 */
        /* the executor's thread may still hold the reference it polled with (released just after
         * the operation finished): 0 or 1 */
        acc += IBenchAsyncULONG_Release(op) > 1;
        acc += IKcomAsyncOperation_Release(source); /* the task's reference went with its drop */
    }
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_kcom_async_wake(uint64_t n)
{
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    uint64_t acc;
    bench_require(NT_SUCCESS(kcom_thread_pool_create(1, &pool, &executor)));
    BENCH_OPAQUE(executor);
    acc = wake_loop(executor, n);
    bench_require(kcom_thread_pool_shutdown(pool, 10000) == STATUS_SUCCESS);
    return acc;
}

#if defined(BENCH_DPC) && BENCH_DPC
BENCH_CASE uint64_t bench_kcom_async_dpc_wake(uint64_t n)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    uint64_t acc;
    bench_require(NT_SUCCESS(kcom_dpc_executor_create(NULL, &dpc, &executor)));
    BENCH_OPAQUE(executor);
    acc = wake_loop(executor, n);
    kcom_dpc_executor_destroy(dpc);
    return acc;
}
#endif
