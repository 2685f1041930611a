/*
 * async.c - the AsyncOperation object: status, result, cancel, the completion callback, the one
 * waiter slot (block_on, await) and the allocation of operation + task state + result.
 */
#include "internal.h"
#include "async/async_internal.h"
#include "alloc/caching_allocator_internal.h"
#include "sched/tracker_internal.h"

#include "platform/platform.h"

#include <string.h>

KCOM_STATIC_ASSERT(sizeof(kcom_async_op) <= KCOM_ASYNC_OPERATION_HEADER_SIZE,
                   "KCOM_ASYNC_OPERATION_HEADER_SIZE must bound the operation");

static kcom_async_op *op_from(IKcomAsyncOperation *iface)
{
    return (kcom_async_op *)(void *)iface;
}

static size_t align_up(size_t value, size_t alignment)
{
    return (value + alignment - 1) & ~(alignment - 1);
}

/* A copy of a result: the usual sizes as single moves rather than a call to the C library. */
static KCOM_FORCEINLINE void copy_result(void *to, const void *from, size_t size)
{
    if (KCOM_LIKELY(size == 4)) {
        memcpy(to, from, 4);
        return;
    }
    switch (size) {
    case 0:
        break;
    case 1:
        memcpy(to, from, 1);
        break;
    case 2:
        memcpy(to, from, 2);
        break;
    case 8:
        memcpy(to, from, 8);
        break;
    case 16:
        memcpy(to, from, 16);
        break;
    default:
        memcpy(to, from, size);
        break;
    }
}

void kcom_async_op_addref(kcom_async_op *op)
{
    kcom_atomic_fetch_add(&op->refs, 1);
}

/* Gives the block back: to the caching allocator it came from (inline, the usual case: the
 * operation cache or a class's operation allocator), else through its allocator. */
static KCOM_FORCEINLINE void op_free(kcom_async_op *op)
{
    const kcom_allocator *allocator = op->allocator;
    if (allocator == NULL) {
        kcom_atomic_store(&op->in_use, 0); /* the last access: the caller may reuse the storage */
        return;
    }
    if (allocator->free == kcom_rt_caching_free) /* bound to the block's size (op_take_cached) */
        kcom_rt_caching_put((kcom_caching_allocator *)allocator->context, op);
    else
        allocator->free(allocator->context, op, op->block_size, op->block_alignment);
}

/* An unfinished task destroyed with its operation still gets its cleanup (never leaked), and its
 * tracker stops counting it. */
static KCOM_NOINLINE void op_destroy_unfinished(kcom_async_op *op)
{
    kcom_tracker *tracker = op->task.executor.tracker;
    if (op->task.drop != NULL)
        op->task.drop(op->task.state);
    op_free(op);
    if (tracker != NULL)
        kcom_tracker_leave(tracker);
}

static KCOM_FORCEINLINE void op_destroy(kcom_async_op *op)
{
    kcom_atomic_acquire_fence();
    /* an operation without a task is DONE from the start (kcom_async_op_init) */
    if (KCOM_UNLIKELY(kcom_atomic_load(&op->task.sched) != KCOM_TASK_DONE))
        op_destroy_unfinished(op);
    else
        op_free(op);
}

void kcom_async_op_release(kcom_async_op *op)
{
    if (kcom_atomic_fetch_add(&op->refs, -1) == 1)
        op_destroy(op);
}

/* ---- the hooks of the task an operation owns (kcom/task.h) ---------------------------------------------- */

static void op_task_retain(kcom_task *task)
{
    kcom_async_op_addref(KCOM_OP_FROM_TASK(task));
}

static void op_task_release(kcom_task *task)
{
    kcom_async_op_release(KCOM_OP_FROM_TASK(task));
}

static void op_task_finish(kcom_task *task, NTSTATUS status)
{
    (void)kcom_async_op_finish(KCOM_OP_FROM_TASK(task), status);
}

const kcom_task_owner kcom_rt_async_task_owner = {op_task_retain, op_task_release, op_task_finish};

/* ---- IKcomAsyncOperation ------------------------------------------------------------------------------ */

static NTSTATUS KCOM_STDCALL op_QueryInterface(IKcomAsyncOperation *This, REFIID riid, void **ppv)
{
    kcom_async_op *op = op_from(This);
    if (ppv == NULL)
        return STATUS_INVALID_PARAMETER;
    if (riid == NULL) {
        *ppv = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    if (kcom_guid_equal(riid, &IID_IUnknown) || kcom_guid_equal(riid, &IID_IKcomAsyncOperation) ||
        (op->iid != NULL && kcom_guid_equal(riid, op->iid))) {
        This->lpVtbl->AddRef(This);
        *ppv = This;
        return STATUS_SUCCESS;
    }
    *ppv = NULL;
    return STATUS_NOINTERFACE;
}

static ULONG KCOM_STDCALL op_AddRef(IKcomAsyncOperation *This)
{
    return (ULONG)kcom_atomic_fetch_add(&op_from(This)->refs, 1) + 1u;
}

static ULONG KCOM_STDCALL op_Release(IKcomAsyncOperation *This)
{
    kcom_async_op *op = op_from(This);
    LONG old = kcom_atomic_fetch_add(&op->refs, -1);
    if (KCOM_LIKELY(old > 1))
        return (ULONG)old - 1u;
    if (KCOM_UNLIKELY(old != 1)) /* a Release too many: the operation may already be freed */
        kcom_fail_fast(KCOM_FAILFAST_REFCOUNT_UNDERFLOW, op, (ULONG_PTR)old, 0);
    op_destroy(op);
    return 0;
}

static NTSTATUS KCOM_STDCALL op_get_status(IKcomAsyncOperation *This, kcom_async_status *status)
{
    if (status == NULL)
        return STATUS_INVALID_PARAMETER;
    *status = kcom_atomic_load(&op_from(This)->word) & OP_STATUS_MASK;
    return STATUS_SUCCESS;
}

/* get_result of anything but a completed operation with a 4-byte result. */
static KCOM_NOINLINE NTSTATUS op_get_result_other(kcom_async_op *op, LONG status, void *result)
{
    if (status == KCOM_ASYNC_COMPLETED) {
        copy_result(result, op->task.result, op->result_size);
        return STATUS_SUCCESS;
    }
    if (status == KCOM_ASYNC_STARTED)
        return STATUS_PENDING;
    return status == KCOM_ASYNC_CANCELED ? STATUS_CANCELLED : op->error;
}

static NTSTATUS KCOM_STDCALL op_get_result(IKcomAsyncOperation *This, void *result)
{
    kcom_async_op *op = op_from(This);
    LONG status;
    if (KCOM_UNLIKELY(result == NULL))
        return STATUS_INVALID_PARAMETER;
    status = kcom_atomic_load(&op->word) & OP_STATUS_MASK; /* acquire: result and error were written before */
    if (KCOM_LIKELY(status == KCOM_ASYNC_COMPLETED && op->result_size == 4)) { /* a ULONG or an NTSTATUS */
        memcpy(result, op->task.result, 4);
        return STATUS_SUCCESS;
    }
    return op_get_result_other(op, status, result);
}

static NTSTATUS KCOM_STDCALL op_cancel(IKcomAsyncOperation *This)
{
    kcom_async_op *op = op_from(This);
    LONG old = kcom_atomic_load(&op->word);
    for (;;) {
        LONG seen;
        if ((old & OP_STATUS_MASK) != KCOM_ASYNC_STARTED)
            return STATUS_INVALID_DEVICE_STATE;
        seen = kcom_atomic_compare_exchange(&op->word, old, (old & ~OP_STATUS_MASK) | KCOM_ASYNC_CANCELED);
        if (seen == old)
            break;
        old = seen;
    }
    if (op->task.owner != NULL) {
        /* the task sees the request at its next poll, which the wake brings about */
        kcom_waker w;
        kcom_atomic_store(&op->task.cancel_requested, 1);
        kcom_async_op_addref(op);
        w.task = &op->task;
        kcom_waker_wake(&w);
    }
    return STATUS_SUCCESS;
}

/* Invokes the callback with a reference held, outside any lock. */
static void op_invoke_callback(kcom_async_op *op, LONG word)
{
    kcom_async_op_addref(op);
    op->callback(&op->iface, word & OP_STATUS_MASK, op->callback_context);
    kcom_async_op_release(op);
}

static NTSTATUS KCOM_STDCALL op_set_completed(IKcomAsyncOperation *This, kcom_async_completed_fn *callback,
                                              void *context)
{
    kcom_async_op *op = op_from(This);
    LONG old;
    if (callback == NULL)
        return STATUS_INVALID_PARAMETER;
    if (kcom_atomic_or(&op->word, OP_CB_REGISTERING) & OP_CB_REGISTERING)
        return STATUS_ALREADY_REGISTERED;
    op->callback = callback;
    op->callback_context = context;
    old = kcom_atomic_or(&op->word, OP_CB_SET); /* publishes the fields */
    /* finished before the fields were visible: the finisher left the call to us */
    if ((old & OP_FINISHED) && !(kcom_atomic_or(&op->word, OP_CB_CLAIMED) & OP_CB_CLAIMED))
        op_invoke_callback(op, old);
    return STATUS_SUCCESS;
}

const IKcomAsyncOperationVtbl kcom_async_op_vtbl = {op_QueryInterface, op_AddRef, op_Release, op_get_status,
                                                op_get_result,     op_cancel, op_set_completed};

/* ---- finishing ------------------------------------------------------------------------------------------ */

BOOLEAN kcom_async_op_finish(kcom_async_op *op, NTSTATUS status)
{
    LONG old = kcom_atomic_load(&op->word), next;
    LONG final_status = NT_SUCCESS(status) ? KCOM_ASYNC_COMPLETED
                        : status == STATUS_CANCELLED ? KCOM_ASYNC_CANCELED
                                                     : KCOM_ASYNC_ERROR;
    if (final_status == KCOM_ASYNC_ERROR && (old & OP_STATUS_MASK) == KCOM_ASYNC_STARTED)
        op->error = status; /* only the finisher writes it; read only once Error is published */
    for (;;) {
        LONG seen;
        if (old & OP_FINISHED)
            return FALSE;
        next = old | OP_FINISHED;
        if ((old & OP_STATUS_MASK) == KCOM_ASYNC_STARTED)
            next = (next & ~OP_STATUS_MASK) | final_status;
        /* claim what is registered in the same exchange, so an unregistration cannot slip between */
        if (old & OP_CB_SET)
            next |= OP_CB_CLAIMED;
        if (old & OP_WAITER_SET)
            next |= OP_WAITER_FIRED;
        seen = kcom_atomic_compare_exchange(&op->word, old, next);
        if (seen == old)
            break;
        old = seen;
    }
    if ((next & OP_WAITER_FIRED) && !(old & OP_WAITER_FIRED))
        op->waiter->fire(op->waiter);
    if ((next & OP_CB_CLAIMED) && !(old & OP_CB_CLAIMED))
        op_invoke_callback(op, next);
    return TRUE;
}

/* Registers w as the operation's one waiter. STATUS_SUCCESS: w fires once when the operation
 * finishes (unless unregistered first), or, with *finished TRUE, it had already finished and w
 * never fires; STATUS_ALREADY_REGISTERED: another waiter holds the slot. */
NTSTATUS kcom_async_op_register_waiter(kcom_async_op *op, kcom_async_waiter *w, BOOLEAN *finished)
{
    LONG old = kcom_atomic_load(&op->word);
    *finished = FALSE;
    for (;;) {
        LONG seen;
        if (old & OP_FINISHED) {
            *finished = TRUE;
            return STATUS_SUCCESS;
        }
        if (old & OP_WAITER_CLAIM)
            return STATUS_ALREADY_REGISTERED;
        seen = kcom_atomic_compare_exchange(&op->word, old, old | OP_WAITER_CLAIM);
        if (seen == old)
            break;
        old = seen;
    }
    op->waiter = w;
    old = kcom_atomic_or(&op->word, OP_WAITER_SET);
    if (old & OP_FINISHED) {
        /* the finisher did not see the waiter: it never fires; free the slot */
        kcom_atomic_fetch_add(&op->word, -(OP_WAITER_CLAIM | OP_WAITER_SET));
        *finished = TRUE;
    }
    return STATUS_SUCCESS;
}

/* Takes the waiter back: TRUE if it will never fire, FALSE if the finisher fires (or fired) it. */
BOOLEAN kcom_async_op_unregister_waiter(kcom_async_op *op)
{
    LONG old = kcom_atomic_load(&op->word);
    for (;;) {
        LONG seen;
        if (old & OP_WAITER_FIRED)
            return FALSE;
        seen = kcom_atomic_compare_exchange(&op->word, old, old & ~(OP_WAITER_CLAIM | OP_WAITER_SET));
        if (seen == old)
            return TRUE;
        old = seen;
    }
}

/* ---- the static error operation ------------------------------------------------------------------------ */

static ULONG KCOM_STDCALL static_AddRef(IKcomAsyncOperation *This)
{
    (void)This;
    return 1;
}

static ULONG KCOM_STDCALL static_Release(IKcomAsyncOperation *This)
{
    (void)This;
    return 1;
}

/* Nothing is stored in the shared object: every registration calls back at once. */
static NTSTATUS KCOM_STDCALL static_set_completed(IKcomAsyncOperation *This, kcom_async_completed_fn *callback,
                                                  void *context)
{
    if (callback == NULL)
        return STATUS_INVALID_PARAMETER;
    callback(This, KCOM_ASYNC_ERROR, context);
    return STATUS_SUCCESS;
}

static const IKcomAsyncOperationVtbl static_vtbl = {op_QueryInterface, static_AddRef, static_Release,
                                                    op_get_status,     op_get_result, op_cancel,
                                                    static_set_completed};

static kcom_async_op static_error_op = {
    .iface = {&static_vtbl},
    .refs = 1,
    .word = KCOM_ASYNC_ERROR | OP_FINISHED | OP_CB_REGISTERING | OP_WAITER_CLAIM,
    .in_use = 1,
    .error = STATUS_INSUFFICIENT_RESOURCES};

IKcomAsyncOperation *kcom_async_static_error_operation(void)
{
    return &static_error_op.iface;
}

/* ---- the operation cache -------------------------------------------------------------------------------
 * One caching allocator per size class in front of the platform allocator (kcom/detail/async.h). Only
 * the platform allocator is cached: it never changes and lives as long as the program, so a cached
 * block always goes back where it came from, and any other allocator keeps seeing every block.
 *
 * KCOM_ASYNC_OPERATION_CACHE=0 leaves the cache out (every block then comes from, and goes back to,
 * the allocator). It is left out under AddressSanitizer, whose reports of an operation used after
 * its final Release a reused block would hide. */

#ifndef KCOM_ASYNC_OPERATION_CACHE
#if defined(__SANITIZE_ADDRESS__)
#define KCOM_ASYNC_OPERATION_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KCOM_ASYNC_OPERATION_CACHE 0
#endif
#endif
#endif
#ifndef KCOM_ASYNC_OPERATION_CACHE
#define KCOM_ASYNC_OPERATION_CACHE 1
#endif

#define OP_CACHE_GRANULE KCOM_RT_OPERATION_CACHE_GRANULE
#define OP_CACHE_CLASSES KCOM_RT_OPERATION_CACHE_CLASSES /* blocks of 64, 128, ..., 1024 bytes */
#define OP_CACHE_DEPTH 16
#define OP_CACHE_ALIGNMENT KCOM_NATURAL_ALIGNMENT

/* One caching allocator per size class; class i keeps blocks of (i + 1) * OP_CACHE_GRANULE bytes,
 * which its blocks record (with the class as their allocator), so that they are freed through
 * kcom_rt_caching_free like those of any other cache. */
#define OP_CACHE_CLASS_(i) KCOM_CACHING_ALLOCATOR_INIT(kcom_rt_operation_cache[i], OP_CACHE_DEPTH)
kcom_caching_allocator kcom_rt_operation_cache[OP_CACHE_CLASSES] = {
    OP_CACHE_CLASS_(0),  OP_CACHE_CLASS_(1),  OP_CACHE_CLASS_(2),  OP_CACHE_CLASS_(3),
    OP_CACHE_CLASS_(4),  OP_CACHE_CLASS_(5),  OP_CACHE_CLASS_(6),  OP_CACHE_CLASS_(7),
    OP_CACHE_CLASS_(8),  OP_CACHE_CLASS_(9),  OP_CACHE_CLASS_(10), OP_CACHE_CLASS_(11),
    OP_CACHE_CLASS_(12), OP_CACHE_CLASS_(13), OP_CACHE_CLASS_(14), OP_CACHE_CLASS_(15)};

static KCOM_FORCEINLINE BOOLEAN op_cache_fits(size_t size, size_t alignment)
{
    /* size - 1: a size of 0 wraps around and does not fit */
    return (BOOLEAN)(KCOM_ASYNC_OPERATION_CACHE && size - 1 < OP_CACHE_GRANULE * OP_CACHE_CLASSES &&
                     alignment <= OP_CACHE_ALIGNMENT);
}

static KCOM_FORCEINLINE void op_record_block(kcom_async_op *op, const kcom_allocator *allocator, size_t size,
                                             size_t alignment)
{
    op->allocator = allocator;
    op->block_size = size;
    op->block_alignment = alignment;
}

/* A block of size and alignment through a caching allocator, recorded with what the final release
 * gives it back to: the cache, when the cache is bound to that size and alignment now (the block
 * came from it or from what backs it: the cache may keep it), else what backs the cache (the
 * request went past a cache bound, or being bound, to another size: the block came from there).
 * So a block that records a caching allocator always has its size, which the final release needs
 * not check again. */
static kcom_async_op *op_take_cached(kcom_caching_allocator *cache, size_t size, size_t alignment)
{
    kcom_async_op *op = (kcom_async_op *)kcom_rt_caching_allocate(cache, size, alignment);
    if (KCOM_UNLIKELY(op == NULL))
        return NULL;
    if (KCOM_LIKELY(kcom_rt_caching_bound_to(cache, size, alignment)))
        op_record_block(op, &cache->allocator, size, alignment);
    else
        op_record_block(op, kcom_rt_caching_backing(cache), size, alignment);
    return op;
}

/* A block of size from its class of the operation cache: its hot block, as kcom_rt_async_op_reuse
 * takes it (already recorded), else through the class's caching allocator. */
static kcom_async_op *op_cache_take(size_t size)
{
    size_t index = (size - 1) / OP_CACHE_GRANULE;
    kcom_caching_allocator *cache = &kcom_rt_operation_cache[index];
    kcom_async_op *op = (kcom_async_op *)kcom_rt_caching_take_hot(cache);
    if (KCOM_LIKELY(op != NULL))
        return op;
    return op_take_cached(cache, (index + 1) * OP_CACHE_GRANULE, OP_CACHE_ALIGNMENT);
}

/* A caching allocator bound to this size and alignment (or not bound yet: it binds to them) serves
 * the block; one bound to another size (a class's object cache) passes it to its backing
 * allocator, so that its own blocks stay the class's. */
static KCOM_FORCEINLINE BOOLEAN op_cache_serves(kcom_caching_allocator *cache, size_t size, size_t alignment)
{
    return (BOOLEAN)(kcom_atomic_load(&cache->state) != KCOM_RT_CACHING_BOUND ||
                     kcom_rt_caching_bound_to(cache, size, alignment));
}

kcom_async_op *kcom_async_op_allocate_block(const kcom_allocator *allocator, size_t size, size_t alignment)
{
    kcom_async_op *op;
    if (KCOM_UNLIKELY(size < sizeof(kcom_async_op)))
        return NULL; /* a descriptor without its layout reached kcom_rt_async_op_allocate */
    if (allocator == NULL)
        allocator = kcom_default_allocator();
    if (allocator->allocate == kcom_rt_caching_allocate) {
        kcom_caching_allocator *cache = (kcom_caching_allocator *)allocator->context;
        if (op_cache_serves(cache, size, alignment))
            return op_take_cached(cache, size, alignment);
        allocator = kcom_rt_caching_backing(cache);
    }
    if (allocator->allocate == kcom_platform_allocate && op_cache_fits(size, alignment))
        return op_cache_take(size);
    op = (kcom_async_op *)allocator->allocate(allocator->context, size, alignment);
    if (KCOM_LIKELY(op != NULL))
        op_record_block(op, allocator, size, alignment);
    return op;
}

kcom_async_op *kcom_rt_async_op_allocate(const kcom_async_task_desc *desc, const kcom_allocator *allocator)
{
    return kcom_async_op_allocate_block(allocator, desc->block_size, desc->block_alignment);
}

void kcom_async_operation_cache_drain(void)
{
    size_t i;
    for (i = 0; i < OP_CACHE_CLASSES; i++)
        (void)kcom_caching_allocator_drain(&kcom_rt_operation_cache[i]);
}

NTSTATUS kcom_async_operation_cache_query_stats(kcom_caching_allocator_stats *stats)
{
    size_t i;
    if (stats == NULL)
        return STATUS_INVALID_PARAMETER;
    memset(stats, 0, sizeof(*stats));
    for (i = 0; i < OP_CACHE_CLASSES; i++) {
        kcom_caching_allocator_stats one;
        (void)kcom_caching_allocator_query_stats(&kcom_rt_operation_cache[i], &one);
        stats->hits += one.hits;
        stats->misses += one.misses;
        stats->bypassed += one.bypassed;
        stats->overflows += one.overflows;
        stats->cached += one.cached;
    }
    stats->depth = KCOM_ASYNC_OPERATION_CACHE ? OP_CACHE_DEPTH : 0;
    return STATUS_SUCCESS;
}

/* ---- creation ------------------------------------------------------------------------------------------ */

/* Offsets of result and state after the operation; FALSE for bad sizes or alignments.
 * KCOM_ASYNC_TASK_DESC computes the same at compile time. */
BOOLEAN kcom_async_op_layout(size_t result_size, size_t result_alignment, size_t state_size, size_t state_alignment,
                             kcom_async_op_layout_info *layout)
{
    size_t align = KCOM_ALIGNOF(kcom_async_op);
    if (result_size == 0)
        result_alignment = 1;
    if (state_size == 0)
        state_alignment = 1;
    if (!kcom_is_power_of_two(result_alignment) || !kcom_is_power_of_two(state_alignment) ||
        result_size > ((size_t)-1) / 4 || state_size > ((size_t)-1) / 4 || result_alignment > 4096 ||
        state_alignment > 4096)
        return FALSE;
    if (result_alignment > align)
        align = result_alignment;
    if (state_alignment > align)
        align = state_alignment;
    layout->result_offset = align_up(sizeof(kcom_async_op), result_alignment);
    layout->state_offset = align_up(layout->result_offset + result_size, state_alignment);
    layout->total = layout->state_offset + state_size;
    layout->alignment = align;
    return TRUE;
}

void kcom_async_op_init(kcom_async_op *op, const IID *iid, void *result, size_t result_size)
{
    /* field by field: the allocator fields are set, the task's are unused without a task */
    op->iface.lpVtbl = &kcom_async_op_vtbl;
    op->refs = 1;
    op->word = KCOM_ASYNC_STARTED;
    op->in_use = 1;
    op->error = STATUS_SUCCESS;
    op->iid = iid;
    op->callback = NULL;
    op->callback_context = NULL;
    op->waiter = NULL;
    op->task.result = result_size != 0 ? result : NULL;
    op->result_size = result_size;
    op->task.owner = NULL;
    op->task.sched = KCOM_TASK_DONE; /* no task: nothing to drop at the final release */
    if (result_size == sizeof(ULONG)) /* a result that is never written reads back zeros */
        memset(result, 0, sizeof(ULONG));
    else if (result_size != 0)
        memset(result, 0, result_size);
}

NTSTATUS kcom_async_operation_create_error(const kcom_allocator *allocator, const IID *iid, NTSTATUS error,
                                           IKcomAsyncOperation **operation)
{
    kcom_async_op *op;
    NTSTATUS status = STATUS_SUCCESS;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (NT_SUCCESS(error)) {
        /* a success is not an error: reporting it would claim a value that was never written */
        error = STATUS_INVALID_PARAMETER;
        status = STATUS_INVALID_PARAMETER;
    }
    op = kcom_async_op_allocate_block(allocator, sizeof(*op), KCOM_ALIGNOF(kcom_async_op));
    if (op == NULL) {
        *operation = &static_error_op.iface;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_async_op_init(op, iid, NULL, 0);
    op->error = error;
    op->word = KCOM_ASYNC_ERROR | OP_FINISHED;
    *operation = &op->iface;
    return status;
}

/* On a setup failure: an error operation with the status (or the static one). */
static NTSTATUS fail_setup(const IID *iid, NTSTATUS status, IKcomAsyncOperation **operation)
{
    (void)kcom_async_operation_create_error(NULL, iid, status, operation);
    return status;
}

NTSTATUS kcom_async_operation_create(const kcom_allocator *allocator, const IID *iid, size_t result_size,
                                     size_t result_alignment, IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout;
    kcom_async_op *op;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!kcom_async_op_layout(result_size, result_alignment, 0, 1, &layout))
        return fail_setup(iid, STATUS_INVALID_PARAMETER, operation);
    op = kcom_async_op_allocate_block(allocator, layout.total, layout.alignment);
    if (op == NULL) {
        /* the error operation comes from the same allocator, so a failing allocator yields the static one */
        (void)kcom_async_operation_create_error(allocator, iid, STATUS_INSUFFICIENT_RESOURCES, operation);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_async_op_init(op, iid, (char *)op + layout.result_offset, result_size);
    *operation = &op->iface;
    return STATUS_SUCCESS;
}

/* ---- the async method shims' entry points (kcom/detail/async.h) ------------------------------------------ */

IKcomAsyncOperation *kcom_rt_async_op_failed(const kcom_async_task_desc *desc, const kcom_allocator *allocator,
                                             NTSTATUS status)
{
    IKcomAsyncOperation *operation;
    (void)kcom_async_operation_create_error(allocator, desc->iid, status, &operation);
    return operation;
}

void kcom_rt_async_op_fail(kcom_async_op *op, NTSTATUS status)
{
    /* what kcom_async_op_finish does for a Started operation nobody else has seen */
    if (status == STATUS_CANCELLED) {
        op->word = KCOM_ASYNC_CANCELED | OP_FINISHED | OP_COMMITTED;
    } else {
        op->error = status;
        op->word = KCOM_ASYNC_ERROR | OP_FINISHED | OP_COMMITTED;
    }
}

static NTSTATUS producer_finish(IKcomAsyncOperation *operation, NTSTATUS status, const void *value)
{
    kcom_async_op *op;
    LONG word;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    op = op_from(operation);
    if (operation->lpVtbl != &kcom_async_op_vtbl || op->task.owner != NULL)
        return STATUS_INVALID_DEVICE_STATE; /* the static operation, or a task's */
    word = kcom_atomic_load(&op->word);
    if (word & OP_FINISHED)
        return STATUS_INVALID_DEVICE_STATE;
    /* the value is written before the finishing exchange publishes it; after a cancel nobody reads it.
     * A failure has no value (NULL), and neither has a success without a result (result_size 0). */
    if (value != NULL && NT_SUCCESS(status) && (word & OP_STATUS_MASK) == KCOM_ASYNC_STARTED)
        copy_result(op->task.result, value, op->result_size);
    if (!kcom_async_op_finish(op, status))
        return STATUS_INVALID_DEVICE_STATE;
    return (kcom_atomic_load(&op->word) & OP_STATUS_MASK) == KCOM_ASYNC_CANCELED && status != STATUS_CANCELLED
               ? STATUS_CANCELLED
               : STATUS_SUCCESS;
}

NTSTATUS kcom_async_operation_complete(IKcomAsyncOperation *operation, const void *value)
{
    /* the vtable first: an operation implemented elsewhere has no result_size to read */
    if (operation != NULL && value == NULL && operation->lpVtbl == &kcom_async_op_vtbl &&
        op_from(operation)->result_size != 0)
        return STATUS_INVALID_PARAMETER;
    return producer_finish(operation, STATUS_SUCCESS, value);
}

NTSTATUS kcom_async_operation_fail(IKcomAsyncOperation *operation, NTSTATUS status)
{
    if (NT_SUCCESS(status))
        return STATUS_INVALID_PARAMETER;
    return producer_finish(operation, status, NULL);
}
