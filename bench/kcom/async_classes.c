/*
 * The benchmark's kcom async class and task (kcom/async_classes.h). The loops that use them live in
 * async_cases.c and see only the interfaces and the functions declared in the header.
 */
#include "async_classes.h"

#include "../bench.h"

#include <string.h>

typedef struct BenchAsync {
    IBenchAsync IBenchAsync_iface;
} BenchAsync;

/* ---- Read: an ASYNC method whose work is ready at its first poll ---------------------------------- */

typedef struct BenchAsync_Read_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} BenchAsync_Read_state;

static NTSTATUS BenchAsync_Read(BenchAsync *self, BenchAsync_Read_state *state, ULONG value)
{
    (void)self;
    state->value = value;
    return STATUS_SUCCESS;
}

static kcom_poll_result BenchAsync_Read_poll(BenchAsync_Read_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->value * 2);
    KCOM_TASK_END(cx);
}

#define BenchAsync_Read_drop NULL

/* ---- ReadIn: the same work, in caller storage (ASYNC_IN) --------------------------------------------- */

#define BenchAsync_ReadIn_state BenchAsync_Read_state
#define BenchAsync_ReadIn BenchAsync_Read
#define BenchAsync_ReadIn_poll BenchAsync_Read_poll
#define BenchAsync_ReadIn_drop BenchAsync_Read_drop

KCOM_IMPLEMENT(BenchAsync, IBenchAsync, IBenchAsync_iface)
KCOM_CLASS(BenchAsync, NULL, (IBenchAsync, IBenchAsync_iface))

NTSTATUS bench_kcom_new_async(IBenchAsync **out)
{
    BenchAsync *impl;
    NTSTATUS status = KCOM_NEW(BenchAsync, NULL, &impl);
    *out = NT_SUCCESS(status) ? &impl->IBenchAsync_iface : NULL;
    return status;
}

/* ---- BenchAsyncCached: the same class, its operations from a caching allocator of its own --------------
 * (KCOM_CLASS_SET_OPERATION_ALLOCATOR): Read's operations all have one size, which the cache keeps. */

typedef struct BenchAsyncCached {
    IBenchAsync IBenchAsync_iface;
} BenchAsyncCached;

#define BenchAsyncCached_Read_state BenchAsync_Read_state
#define BenchAsyncCached_Read_poll BenchAsync_Read_poll
#define BenchAsyncCached_Read_drop BenchAsync_Read_drop

static NTSTATUS BenchAsyncCached_Read(BenchAsyncCached *self, BenchAsync_Read_state *state, ULONG value)
{
    return BenchAsync_Read((BenchAsync *)(void *)self, state, value);
}

#define BenchAsyncCached_ReadIn_state BenchAsync_Read_state
#define BenchAsyncCached_ReadIn BenchAsyncCached_Read
#define BenchAsyncCached_ReadIn_poll BenchAsync_Read_poll
#define BenchAsyncCached_ReadIn_drop BenchAsync_Read_drop

static kcom_caching_allocator bench_async_op_cache = KCOM_CACHING_ALLOCATOR_INIT(bench_async_op_cache, 16);

KCOM_IMPLEMENT(BenchAsyncCached, IBenchAsync, IBenchAsync_iface)
KCOM_CLASS(BenchAsyncCached, NULL, (IBenchAsync, IBenchAsync_iface))

NTSTATUS bench_kcom_new_async_cached(IBenchAsync **out)
{
    BenchAsyncCached *impl;
    NTSTATUS status;
    KCOM_CLASS_SET_OPERATION_ALLOCATOR(BenchAsyncCached, &bench_async_op_cache.allocator);
    status = KCOM_NEW(BenchAsyncCached, NULL, &impl);
    *out = NT_SUCCESS(status) ? &impl->IBenchAsync_iface : NULL;
    return status;
}

uint64_t bench_kcom_async_cache_backing_allocs(void)
{
    kcom_caching_allocator_stats stats;
    if (!NT_SUCCESS(kcom_caching_allocator_query_stats(&bench_async_op_cache, &stats)))
        return 0;
    return (uint64_t)stats.misses + stats.bypassed;
}

void bench_kcom_async_drain_cache(void)
{
    kcom_caching_allocator_drain(&bench_async_op_cache);
}

/* ---- the wake case's task: await a completion source, complete with its value + 1 -------------------- */

typedef struct bench_await_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
} bench_await_state;

static kcom_poll_result bench_await_poll(void *state, kcom_task_context *cx)
{
    bench_await_state *s = (bench_await_state *)state;
    ULONG value = 0;
    NTSTATUS status;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_await_poll(&s->source, cx));
    status = s->source.operation->lpVtbl->get_result(s->source.operation, &value);
    if (!NT_SUCCESS(status))
        KCOM_TASK_RETURN(cx, status);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, value + 1);
    KCOM_TASK_END(cx);
}

static void bench_await_drop(void *state)
{
    kcom_async_await_clear(&((bench_await_state *)state)->source);
}

static const kcom_async_task_desc bench_await_desc =
    KCOM_ASYNC_TASK_DESC(IBenchAsyncULONG, ULONG, bench_await_state, bench_await_poll, bench_await_drop);

IBenchAsyncULONG *bench_kcom_spawn_await(IKcomAsyncOperation *source, const kcom_executor *executor)
{
    void *state;
    IKcomAsyncOperation *operation;
    if (NT_SUCCESS(kcom_async_spawn_begin(&bench_await_desc, executor, NULL, &state, &operation))) {
        source->lpVtbl->AddRef(source);
        kcom_async_await_init(&((bench_await_state *)state)->source, source); /* takes that reference */
        (void)kcom_async_spawn_run(operation);
    }
    return IBenchAsyncULONG_from(operation);
}

/* ---- the spawn_in case's task: value * 2, ready at the first poll ------------------------------------ */

static kcom_poll_result bench_double_poll(void *state, kcom_task_context *cx)
{
    bench_double_state *s = (bench_double_state *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->value * 2);
    KCOM_TASK_END(cx);
}

/* Its descriptor and the functions the library calls for it where a call site does not see it. */
KCOM_ASYNC_TASK(bench_double_desc, IBenchAsyncULONG, ULONG, bench_double_state, bench_double_poll, NULL)
const kcom_async_task_desc *const bench_double_task = &bench_double_desc;
/* The same descriptor as the initializer alone makes it, without functions of its own. */
static const kcom_async_task_desc bench_double_plain_desc =
    KCOM_ASYNC_TASK_DESC(IBenchAsyncULONG, ULONG, bench_double_state, bench_double_poll, NULL);
const kcom_async_task_desc *const bench_double_plain_task = &bench_double_plain_desc;

IBenchAsyncULONG *bench_kcom_spawn_double_in(ULONG value, void *storage, size_t size)
{
    void *state;
    IKcomAsyncOperation *operation;
    if (NT_SUCCESS(kcom_async_spawn_begin_in(&bench_double_desc, kcom_default_executor(), storage, size, &state,
                                             &operation))) {
        ((bench_double_state *)state)->value = value;
        (void)kcom_async_spawn_run(operation);
    }
    return IBenchAsyncULONG_from(operation);
}

IBenchAsyncULONG *bench_kcom_run_double_in(ULONG value, void *storage, size_t size)
{
    bench_double_state initial = {0, value};
    IKcomAsyncOperation *operation;
    (void)kcom_async_run_in(&bench_double_desc, kcom_default_executor(), storage, size, &initial, &operation);
    return IBenchAsyncULONG_from(operation);
}

/* ---- sizes --------------------------------------------------------------------------------------------- */

/* An executor that runs nothing: the pending pair below is measured, then ended by completing the
 * source, whose wake this refuses (the task then ends in Error). */
static NTSTATUS refuse_schedule(void *context, struct kcom_task *task)
{
    (void)context;
    (void)task;
    return STATUS_INVALID_DEVICE_STATE;
}

static const kcom_executor refusing_executor = {refuse_schedule, NULL, NULL};

void *bench_kcom_async_pending_begin(void **source)
{
    IKcomAsyncOperation *created = NULL;
    *source = NULL;
    if (!NT_SUCCESS(kcom_async_operation_create(NULL, &IID_IBenchAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG),
                                                &created)))
        return NULL;
    *source = created;
    return bench_kcom_spawn_await(created, &refusing_executor);
}

int bench_kcom_async_pending_end(void *source, void *operation)
{
    ULONG value = 1;
    kcom_async_status status = KCOM_ASYNC_STARTED;
    IBenchAsyncULONG *op = (IBenchAsyncULONG *)operation;
    int ok = kcom_async_operation_complete((IKcomAsyncOperation *)source, &value) == STATUS_SUCCESS &&
             IBenchAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_ERROR;
    ok = IBenchAsyncULONG_Release(op) == 0 && ok;
    return IKcomAsyncOperation_Release((IKcomAsyncOperation *)source) == 0 && ok;
}

/* The bytes of the caller's storage one ReadIn operation wrote, found through the public API: the
 * storage filled with a pattern, the last byte that no longer holds it, counted from where the
 * operation starts (the first 16-byte boundary of the storage, which the compiler may or may not
 * have aligned so). */
uint64_t bench_kcom_async_storage_bytes(void)
{
    IBenchAsync_ReadIn_storage storage;
    IBenchAsync *object = NULL;
    IBenchAsyncULONG *op;
    size_t end = 0, start, i;
    if (!NT_SUCCESS(bench_kcom_new_async(&object)))
        return 0;
    memset(&storage, 0xa5, sizeof(storage));
    op = IBenchAsync_ReadIn(object, 7, &storage, sizeof(storage));
    for (i = 0; i < sizeof(storage); i++)
        if (storage.bytes[i] != 0xa5)
            end = i + 1;
    start = (size_t)((const unsigned char *)op - storage.bytes);
    if (IBenchAsyncULONG_Release(op) != 0 || kcom_async_storage_in_use(&storage) || IBenchAsync_Release(object) != 0 ||
        start >= end)
        return 0;
    return end - start;
}

void *bench_kcom_async_create_object(void)
{
    IBenchAsync *object = NULL;
    return NT_SUCCESS(bench_kcom_new_async(&object)) ? object : NULL;
}

void *bench_kcom_async_read(void *object, uint32_t value)
{
    return IBenchAsync_Read((IBenchAsync *)object, value);
}

uint32_t bench_kcom_async_release(void *unknown)
{
    IUnknown *object = (IUnknown *)unknown;
    return object->lpVtbl->Release(object);
}
