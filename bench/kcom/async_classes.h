/*
 * The benchmark's kcom async interface, its class and the task of the wake case
 * (kcom/async_classes.c). Built only with kcom's async layer (KCOM_ENABLE_ASYNC).
 *
 *   IBenchAsyncULONG       a typed operation interface with a ULONG result
 *   IBenchAsync : IUnknown Read(value)       ASYNC: an operation that completes with value * 2 at its
 *                                            first poll (the shim polls it on the caller: no executor)
 *                          ReadIn(value, storage, size)
 *                                            ASYNC_IN: the same operation, built in the caller's
 *                                            storage (IBenchAsync_ReadIn_STORAGE bytes)
 *   BenchAsync             IBenchAsync, no state
 *   BenchAsyncCached       the same, its operations from a caching allocator of its own
 */
#ifndef KCOM_BENCH_KCOM_ASYNC_CLASSES_H
#define KCOM_BENCH_KCOM_ASYNC_CLASSES_H

#include <kcom/kcom.h>

#include <stddef.h>

#include "../bench.h"

#ifndef __IBenchAsyncULONG_INTERFACE_DEFINED__
#define __IBenchAsyncULONG_INTERFACE_DEFINED__
KCOM_DECLARE_ASYNC_OPERATION(IBenchAsyncULONG, ULONG,
                             0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x20)
#endif

#define IBenchAsync_METHODS(M, I)                                                         \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IBenchAsyncULONG, Read, (ULONG, value))                                   \
    M(I, ASYNC_IN, IBenchAsyncULONG, ReadIn, (ULONG, value))
/* What a caller of ReadIn provides. */
#define IBenchAsync_ReadIn_STORAGE BENCH_ASYNC_STORAGE_BYTES

#ifndef __IBenchAsync_INTERFACE_DEFINED__
#define __IBenchAsync_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBenchAsync, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x21)
#endif

/* A new BenchAsync with one reference. */
NTSTATUS bench_kcom_new_async(IBenchAsync **out);
/* The same class with its operations from a caching allocator of its own
 * (KCOM_CLASS_SET_OPERATION_ALLOCATOR; bench.h reads and drains that cache). */
NTSTATUS bench_kcom_new_async_cached(IBenchAsync **out);

/* The wake case's task, spawned on executor: awaits source (taking a reference of its own), then
 * completes with source's value + 1. Its first poll runs here, on the caller (kcom_async_spawn_run),
 * so it is waiting on source when this returns and source's completion wakes it once. */
IBenchAsyncULONG *bench_kcom_spawn_await(IKcomAsyncOperation *source, const kcom_executor *executor);

/* The spawn_in case's task, built by hand in caller storage (kcom_async_spawn_begin_in on the
 * default executor, its state set, kcom_async_spawn_run): its work, value * 2, is ready at its first
 * poll, which runs here. */
IBenchAsyncULONG *bench_kcom_spawn_double_in(ULONG value, void *storage, size_t size);
/* The same task in one call (kcom_async_run_in): its state's first contents copied in, its first
 * poll run here. */
IBenchAsyncULONG *bench_kcom_run_double_in(ULONG value, void *storage, size_t size);
/* Its descriptor, KCOM_ASYNC_TASK's, for the same in another file (bench_kcom_spawn_in_other,
 * bench_kcom_run_in_other); the same as KCOM_ASYNC_TASK_DESC alone makes it (bench_kcom_*_other_desc);
 * the state it runs over. */
extern const kcom_async_task_desc *const bench_double_task;
extern const kcom_async_task_desc *const bench_double_plain_task;
typedef struct bench_double_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} bench_double_state;

#endif /* KCOM_BENCH_KCOM_ASYNC_CLASSES_H */
