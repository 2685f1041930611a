/*
 * The benchmark's kcom async class and task (kcom/async_classes.h). The loops that use them live in
 * async_cases.c and see only the interfaces and the functions declared in the header.
 */
#include "async_classes.h"

#include "../bench.h"

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

/* ---- ReadIn: the same work in caller storage --------------------------------------------------------
 * What KCOM_SHIM_ASYNC (kcom/detail/implement.h) generates for Read, written out with the operation
 * placed in the caller's storage (kcom_rt_async_op_in) instead of allocated (kcom_rt_async_op_reuse,
 * else kcom_rt_async_op_allocate; all in kcom/detail/async.h): a task state that wraps Read's with
 * the reference that keeps the object alive while pending, the start function, the first poll. */

typedef struct BenchAsync_ReadIn_state {
    IUnknown *owner;
    BenchAsync_Read_state user;
} BenchAsync_ReadIn_state;

static kcom_poll_result BenchAsync_ReadIn_poll(void *state, kcom_task_context *cx)
{
    return BenchAsync_Read_poll(&((BenchAsync_ReadIn_state *)state)->user, cx);
}

static void BenchAsync_ReadIn_drop(void *state)
{
    BenchAsync_ReadIn_state *state_ = (BenchAsync_ReadIn_state *)state;
    if (state_->owner != NULL) /* last: this may destroy the object */
        state_->owner->lpVtbl->Release(state_->owner);
}

static const kcom_async_task_desc BenchAsync_ReadIn_desc =
    KCOM_ASYNC_TASK_DESC(IBenchAsyncULONG, ULONG, BenchAsync_ReadIn_state, BenchAsync_ReadIn_poll,
                         BenchAsync_ReadIn_drop);

KCOM_STATIC_ASSERT(KCOM_ASYNC_STORAGE_SIZE(sizeof(ULONG), sizeof(BenchAsync_ReadIn_state)) <=
                       BENCH_ASYNC_STORAGE_BYTES,
                   "BENCH_ASYNC_STORAGE_BYTES must hold ReadIn's operation");

static IBenchAsyncULONG *BenchAsync_ReadIn(BenchAsync *self, ULONG value, void *storage, size_t size)
{
    kcom_async_op *op;
    BenchAsync_ReadIn_state *state;
    kcom_task_context cx;
    NTSTATUS status = kcom_rt_async_op_in(&BenchAsync_ReadIn_desc, storage, size, &op);
    if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
        return IBenchAsyncULONG_from(kcom_rt_async_op_failed(&BenchAsync_ReadIn_desc, NULL, status));
    state = (BenchAsync_ReadIn_state *)kcom_rt_async_op_prepare(op, &BenchAsync_ReadIn_desc, &cx);
    status = BenchAsync_Read(self, &state->user, value);
    if (KCOM_LIKELY(NT_SUCCESS(status))) {
        if (KCOM_UNLIKELY(BenchAsync_Read_poll(&state->user, &cx) != KCOM_POLL_READY)) {
            IBenchAsync_AddRef(&self->IBenchAsync_iface);
            state->owner = (IUnknown *)(void *)&self->IBenchAsync_iface;
            kcom_rt_async_publish(op, &BenchAsync_ReadIn_desc, NULL);
            return IBenchAsyncULONG_from(&op->iface);
        }
        status = cx.status;
    }
    kcom_rt_async_op_done(op); /* Read has no drop */
    kcom_rt_async_op_end(op, status);
    return IBenchAsyncULONG_from(&op->iface);
}

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

static IBenchAsyncULONG *BenchAsyncCached_ReadIn(BenchAsyncCached *self, ULONG value, void *storage, size_t size)
{
    return BenchAsync_ReadIn((BenchAsync *)(void *)self, value, storage, size);
}

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

/* ---- sizes --------------------------------------------------------------------------------------------- */

uint64_t bench_kcom_async_storage_bytes(void)
{
    return kcom_async_storage_size(&BenchAsync_ReadIn_desc);
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
