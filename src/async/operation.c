/*
 * operation.c - the AsyncOperation object: status, result, cancel and the producer's cancel
 * routine, the completion callback, the list of waiters (block_on, await) and the allocation of
 * operation + task state + result.
 *
 * Finishing is one exchange on the word, which claims whatever is registered; then, on the
 * finishing thread: the producer's cancel routine (when a cancel finished it), the completion
 * callback, the waiters. So a callback registered before the finish has returned before any
 * waiter is released, and the finisher holds a reference of its own while it calls out (the
 * callback may release the caller's).
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

/* The destruction's functions return 0, what the final Release returns, so that every call on
 * its paths is a tail call: its usual paths (caller storage, a caching allocator's hot slot) then
 * need no stack frame. The out-of-line ones return it through kcom_zero_for_jump. */

/* Gives a block to an allocator that is not a caching one, with the size and alignment it was
 * allocated with: its descriptor's, or those of an operation without a task. Out of line: the
 * layout computed here would cost the final Release's usual path saved registers. */
static KCOM_NOINLINE ULONG op_free_to(const kcom_allocator *allocator, kcom_async_op *op)
{
    kcom_async_op_layout_info layout =
        op->task.desc != NULL ? kcom_async_op_desc_layout(op->task.desc) : kcom_async_producer_layout(op);
    allocator->free(allocator->context, op, layout.total, layout.alignment);
    return kcom_zero_for_jump();
}

/* A block the hot slot of a caching allocator held before the one given back took it. */
static KCOM_NOINLINE ULONG op_free_displaced(kcom_caching_allocator *cache, void *block)
{
    kcom_rt_caching_put_cold(cache, block);
    return kcom_zero_for_jump();
}

/* The storage of an operation in caller storage is given back: the last access, after which the
 * caller may reuse it (kcom_async_storage_in_use). */
static KCOM_FORCEINLINE ULONG op_free_storage(kcom_async_op *op)
{
    kcom_atomic_store_ptr((void *volatile *)(void *)&op->iface.lpVtbl, NULL);
    return 0;
}

/* A block from a caching allocator bound to its size (op_take_cached) goes back to its hot slot. */
static KCOM_FORCEINLINE ULONG op_free_cached(kcom_async_op *op)
{
    kcom_caching_allocator *cache = (kcom_caching_allocator *)op->allocator->context;
    void *displaced = kcom_rt_caching_put_hot(cache, op);
    return KCOM_LIKELY(displaced == NULL) ? 0 : op_free_displaced(cache, displaced);
}

/* The operation cache's slots (below): a slot's free, and the shared cache of its size class. */
static void op_cache_slot_free(void *context, void *block, size_t size, size_t alignment);
static kcom_caching_allocator *op_cache_class_of(const kcom_rt_op_cache_slot *slot);

/* The hot block of a slot of the operation cache was replaced: block goes to the spare slot, and
 * the one there to the class's shared cache. */
static void op_cache_put_cold(kcom_rt_op_cache_slot *slot, void *block)
{
    block = kcom_atomic_exchange_ptr(&slot->spare, block);
    if (block != NULL)
        kcom_rt_caching_put(op_cache_class_of(slot), block);
}

static KCOM_NOINLINE ULONG op_free_displaced_slot(kcom_rt_op_cache_slot *slot, void *block)
{
    op_cache_put_cold(slot, block);
    return kcom_zero_for_jump();
}

/* A block of the operation cache goes back to the slot it came from, which it records as its
 * allocator (the slot's first field): wherever the final release runs, the block stays with the
 * processor that uses it. */
static KCOM_FORCEINLINE ULONG op_free_set(kcom_async_op *op)
{
    kcom_rt_op_cache_slot *slot = (kcom_rt_op_cache_slot *)(void *)op->allocator;
    void *displaced = kcom_atomic_exchange_ptr(&slot->hot, op);
    return KCOM_LIKELY(displaced == NULL) ? 0 : op_free_displaced_slot(slot, displaced);
}

/* Gives the block back: the storage to its caller, a block to the slot or caching allocator it
 * came from (inline, the usual cases: the operation cache, a class's operation allocator), else
 * through its allocator. */
static KCOM_FORCEINLINE ULONG op_free(kcom_async_op *op)
{
    const kcom_allocator *allocator = op->allocator;
    if (allocator == NULL)
        return op_free_storage(op);
    /* what allocator->free would do, inline */
    if (allocator->free == op_cache_slot_free)
        return op_free_set(op);
    if (allocator->free == kcom_rt_caching_free)
        return op_free_cached(op);
    return op_free_to(allocator, op);
}

void kcom_async_op_free_block(kcom_async_op *op)
{
    (void)op_free(op);
}

/* An unfinished task destroyed with its operation still gets its cleanup (never leaked), and its
 * tracker stops counting it. */
static KCOM_NOINLINE ULONG op_destroy_unfinished(kcom_async_op *op)
{
    /* the executor is read only for a task its tracker counts: that executor is still there (its
     * tracker's drain waits for this task), another may be gone (a pool shut down meanwhile) */
    kcom_tracker *tracker = (kcom_atomic_load(&op->word) & OP_TRACKED) ? op->task.executor->tracker : NULL;
    if (op->task.desc->drop != NULL)
        op->task.desc->drop(kcom_task_state(&op->task));
    if (tracker != NULL)
        kcom_tracker_unlink(tracker, &op->task); /* before the memory goes */
    (void)op_free(op);
    if (tracker != NULL)
        kcom_tracker_leave(tracker);
    return kcom_zero_for_jump();
}

/* The end of an operation whose last reference was dropped (after an acquire). */
static KCOM_FORCEINLINE ULONG op_destroy(kcom_async_op *op)
{
    /* an operation without a task is DONE from the start (kcom_rt_async_producer_init) */
    if (KCOM_UNLIKELY(kcom_atomic_load(&op->task.sched) != KCOM_TASK_DONE))
        return op_destroy_unfinished(op);
    return op_free(op);
}

void kcom_async_op_release(kcom_async_op *op)
{
    if (kcom_atomic_fetch_add(&op->refs, -1) == 1) {
        kcom_atomic_acquire_fence();
        (void)op_destroy(op);
    }
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

static void op_task_finish(kcom_task *task, NTSTATUS status, kcom_task_link **refused); /* with the finish, below */

static BOOLEAN op_task_try_retain(kcom_task *task)
{
    kcom_async_op *op = KCOM_OP_FROM_TASK(task);
    LONG refs = kcom_atomic_load(&op->refs);
    while (refs > 0) {
        LONG seen = kcom_atomic_compare_exchange(&op->refs, refs, refs + 1);
        if (seen == refs)
            return TRUE;
        refs = seen;
    }
    return FALSE;
}

static NTSTATUS KCOM_STDCALL op_cancel(IKcomAsyncOperation *This);

static void op_task_cancel(kcom_task *task)
{
    (void)op_cancel(&KCOM_OP_FROM_TASK(task)->iface);
}

const kcom_task_owner kcom_rt_async_task_owner = {op_task_retain, op_task_release, op_task_finish,
                                                  op_task_try_retain, op_task_cancel};

/* kcom/task.h's, here because the request is the operation's: while the task still runs, Canceled
 * can only come from a cancel (any other end of the work is its last poll), which wakes the task
 * after it has set the status. The request is that status, taken once through OP_CANCEL_TAKEN. */
BOOLEAN kcom_task_take_cancellation_request(kcom_task_context *cx)
{
    kcom_async_op *op = KCOM_OP_FROM_TASK(cx->task);
    LONG old = kcom_atomic_load(&op->word);
    if (KCOM_LIKELY((old & OP_STATUS_MASK) != KCOM_ASYNC_CANCELED) || (old & OP_CANCEL_TAKEN))
        return FALSE;
    return (BOOLEAN)!(kcom_atomic_or(&op->word, OP_CANCEL_TAKEN) & OP_CANCEL_TAKEN);
}

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
        (kcom_async_op_iid(op) != NULL && kcom_guid_equal(riid, kcom_async_op_iid(op)))) {
        This->lpVtbl->AddRef(This);
        *ppv = This;
        return STATUS_SUCCESS;
    }
    *ppv = NULL;
    return STATUS_NOINTERFACE;
}

/* AddRef: one reference more. At INT32_MAX it fails fast, whatever KCOM_REFCOUNT_HARDENING says
 * of objects (an operation has no hardening mode, as its over-release has none): wrapped to
 * INT32_MIN, the next rightful Release would fail fast as an underflow, naming the wrong misuse. */
static ULONG KCOM_STDCALL op_AddRef(IKcomAsyncOperation *This)
{
    kcom_async_op *op = op_from(This);
    LONG old = kcom_atomic_fetch_add(&op->refs, 1);
    if (KCOM_UNLIKELY(old < 0 || old == 0x7FFFFFFF)) /* negative: another thread's overflow */
        return kcom_fail_fast_jump(KCOM_FAILFAST_REFCOUNT_OVERFLOW, op, (ULONG_PTR)(ULONG)old, 0);
    return (ULONG)old + 1u;
}

/* Release: drops a reference; the last one (after the acquire that orders every other
 * holder's accesses before it) ends the operation with end, a constant of the caller's that
 * inlines. A Release too many fails fast (the operation may already be freed). */
static KCOM_FORCEINLINE ULONG op_release_with(IKcomAsyncOperation *This, ULONG (*end)(kcom_async_op *op))
{
    kcom_async_op *op = op_from(This);
    LONG old = kcom_atomic_fetch_add(&op->refs, -1);
    if (KCOM_LIKELY(old > 1))
        return (ULONG)old - 1u;
    if (KCOM_UNLIKELY(old != 1)) /* a jump: the usual paths keep no frame */
        return kcom_fail_fast_jump(KCOM_FAILFAST_REFCOUNT_UNDERFLOW, op, (ULONG_PTR)old, 0);
    kcom_atomic_acquire_fence();
    return end(op);
}

static ULONG KCOM_STDCALL op_Release(IKcomAsyncOperation *This)
{
    return op_release_with(This, op_destroy);
}

/* The Releases of an async method's operation whose work ended at its first poll
 * (KCOM_RT_ASYNC_OP_DONE...): the task is done, so the last reference only gives the block back,
 * where the vtable says it came from: through its allocator, to the caching allocator recorded in
 * it (op_take_cached bound it to the block's size), or to the caller. */
static ULONG KCOM_STDCALL op_Release_done(IKcomAsyncOperation *This)
{
    return op_release_with(This, op_free);
}

static ULONG KCOM_STDCALL op_Release_done_cached(IKcomAsyncOperation *This)
{
    return op_release_with(This, op_free_cached);
}

static ULONG KCOM_STDCALL op_Release_done_in(IKcomAsyncOperation *This)
{
    return op_release_with(This, op_free_storage);
}

static ULONG KCOM_STDCALL op_Release_done_set(IKcomAsyncOperation *This)
{
    return op_release_with(This, op_free_set);
}

static NTSTATUS KCOM_STDCALL op_get_status(IKcomAsyncOperation *This, kcom_async_status *status)
{
    if (status == NULL)
        return STATUS_INVALID_PARAMETER;
    *status = kcom_atomic_load(&op_from(This)->word) & OP_STATUS_MASK;
    return STATUS_SUCCESS;
}

/* Where a result right after the operation's own fields lies: a task's header, or a producer's. */
static KCOM_FORCEINLINE const char *op_result_after_fields(const kcom_async_op *op, LONG word)
{
    return (const char *)op + (word & OP_NO_TASK ? KCOM_ASYNC_PRODUCER_OP_SIZE : sizeof(*op));
}

/* get_result's copy of a result right after the operation's own fields of another size than 1, 4
 * or 8 bytes (a USHORT, a small structure): reached by a jump, so that get_result's other paths
 * keep their registers where the copy wants others. */
static KCOM_NOINLINE NTSTATUS op_get_result_inline(const kcom_async_op *op, void *result, LONG word)
{
    const char *from = op_result_after_fields(op, word);
    size_t size = (ULONG)(word & OP_RESULT_INLINE) >> KCOM_RT_ASYNC_RESULT_SHIFT;
    if (size == 2)
        memcpy(result, from, 2);
    else
        memcpy(result, from, size);
    return STATUS_SUCCESS;
}

/* get_result of anything but a completed operation with a result right after the operation's own
 * fields. */
static KCOM_NOINLINE NTSTATUS op_get_result_other(kcom_async_op *op, LONG status, void *result)
{
    if (status == KCOM_ASYNC_COMPLETED) {
        copy_result(result, kcom_async_op_result(op), kcom_async_op_result_size(op));
        return STATUS_SUCCESS;
    }
    if (status == KCOM_ASYNC_STARTED)
        return STATUS_PENDING;
    return status == KCOM_ASYNC_CANCELED ? STATUS_CANCELLED : op->task.error;
}

static NTSTATUS KCOM_STDCALL op_get_result(IKcomAsyncOperation *This, void *result)
{
    kcom_async_op *op = op_from(This);
    LONG word;
    if (KCOM_UNLIKELY(result == NULL))
        return STATUS_INVALID_PARAMETER;
    word = kcom_atomic_load(&op->word); /* acquire: result and error were written before */
    /* a ULONG or an NTSTATUS right after the operation's own fields: a task's, or a producer's */
    if (KCOM_LIKELY((word & (OP_STATUS_MASK | OP_RESULT_INLINE | OP_NO_TASK)) == (KCOM_ASYNC_COMPLETED | OP_RESULT_WORD))) {
        memcpy(result, op + 1, 4);
        return STATUS_SUCCESS;
    }
    if ((word & (OP_STATUS_MASK | OP_RESULT_INLINE)) == (KCOM_ASYNC_COMPLETED | OP_RESULT_WORD)) {
        memcpy(result, (char *)op + KCOM_ASYNC_PRODUCER_OP_SIZE, 4);
        return STATUS_SUCCESS;
    }
    /* the same for an 8-byte one (a ULONG64, a pointer), after the 4-byte ones' tests */
    if ((word & (OP_STATUS_MASK | OP_RESULT_INLINE)) == (KCOM_ASYNC_COMPLETED | OP_RESULT_QWORD)) {
        memcpy(result, op_result_after_fields(op, word), 8);
        return STATUS_SUCCESS;
    }
    /* then a BOOLEAN or another byte, and any other size there */
    if ((word & (OP_STATUS_MASK | OP_RESULT_INLINE)) == (KCOM_ASYNC_COMPLETED | OP_RESULT_BYTE)) {
        memcpy(result, op_result_after_fields(op, word), 1);
        return STATUS_SUCCESS;
    }
    if ((word & OP_STATUS_MASK) == KCOM_ASYNC_COMPLETED && (word & OP_RESULT_INLINE) != 0)
        return op_get_result_inline(op, result, word);
    return op_get_result_other(op, word & OP_STATUS_MASK, result);
}

/* ---- the waiters ----------------------------------------------------------------------------------------
 * The waiters' own nodes (kcom_async_waiter), nothing allocated. The first waiter takes the slot
 * op->waiter, lock-free (OP_SLOT_CLAIM, then OP_SLOT_SET once written); the one waiter of most
 * operations costs two interlocked instructions to register. Any other waits in a table that every
 * operation shares (lists hashed by the operation's address), which keeps the operation one list
 * head smaller: its list is under a lock taken at DISPATCH_LEVEL, so that no holder is preempted
 * on its processor by someone spinning on it, and a registration there sets OP_WAITERS in the
 * word. Waiters register until the operation is finished and its callback (if one was registered
 * before the finish) has returned, which OP_CALLING marks: the finisher, or the callback's
 * registration, clears it once the callback has returned, then claims the slot's waiter
 * (OP_SLOT_FIRED) and takes the listed ones out one at a time. From then on nothing registers: a
 * waiter is released at once. A waiter that stops waiting first takes itself out (O(1) either
 * way). A node in the slot has pprev pointing at op->waiter, which no list link does. */

#define WAIT_TABLE_LISTS 64

typedef struct wait_list {
    LONG volatile lock;
    kcom_async_waiter *head;
} wait_list;

static wait_list wait_table[WAIT_TABLE_LISTS];

static wait_list *wait_list_of(const kcom_async_op *op)
{
    ULONG_PTR address = (ULONG_PTR)op;
    return &wait_table[((address >> 6) ^ (address >> 12)) % WAIT_TABLE_LISTS];
}

/* A listed node's pprev is rewritten under the lock by whoever links or unlinks its neighbours,
 * while its owner reads it without the lock (kcom_async_op_remove_waiter tells the slot from the
 * list by it): atomic accesses. */
static void waiter_set_pprev(kcom_async_waiter *w, kcom_async_waiter **pprev)
{
    kcom_atomic_store_ptr((void *volatile *)(void *)&w->pprev, pprev);
}

static void waiter_unlink(kcom_async_waiter *w)
{
    *w->pprev = w->next;
    if (w->next != NULL)
        waiter_set_pprev(w->next, w->pprev);
    w->next = NULL;
    waiter_set_pprev(w, NULL);
}

/* Takes w out of the slot: TRUE, unless the finisher claimed it (its fire has run or is running). */
static BOOLEAN op_slot_remove(kcom_async_op *op, kcom_async_waiter *w)
{
    LONG old = kcom_atomic_load(&op->word);
    for (;;) {
        LONG seen;
        if (old & OP_SLOT_FIRED)
            return FALSE;
        seen = kcom_atomic_compare_exchange(&op->word, old, old & ~(OP_SLOT_CLAIM | OP_SLOT_SET));
        if (seen == old) {
            w->pprev = NULL;
            return TRUE;
        }
        old = seen;
    }
}

/* Lists w in the shared table, unless op is released meanwhile: OP_WAITERS is set under the
 * list's lock, so a finisher that sees it finds w there, and one that finished before refuses w. */
static KCOM_NOINLINE BOOLEAN op_list_add(kcom_async_op *op, kcom_async_waiter *w)
{
    wait_list *list = wait_list_of(op);
    UCHAR irql = kcom_async_spin_lock(&list->lock);
    LONG old = kcom_atomic_load(&op->word);
    for (;;) {
        LONG seen;
        if (kcom_async_op_released(old)) {
            kcom_async_spin_unlock(&list->lock, irql);
            return FALSE;
        }
        seen = kcom_atomic_compare_exchange(&op->word, old, old | OP_WAITERS);
        if (seen == old)
            break;
        old = seen;
    }
    w->op = op;
    w->next = list->head;
    if (w->next != NULL)
        waiter_set_pprev(w->next, &w->next);
    w->pprev = &list->head;
    list->head = w;
    kcom_async_spin_unlock(&list->lock, irql);
    return TRUE;
}

BOOLEAN kcom_async_op_add_waiter(kcom_async_op *op, kcom_async_waiter *w)
{
    LONG old = kcom_atomic_load(&op->word);
    for (;;) {
        LONG seen;
        if (kcom_async_op_released(old))
            return FALSE;
        if (old & OP_SLOT_CLAIM)
            return op_list_add(op, w); /* taken: the table */
        seen = kcom_atomic_compare_exchange(&op->word, old, old | OP_SLOT_CLAIM);
        if (seen == old) {
            op->waiter = w;
            w->next = NULL;
            w->pprev = &op->waiter;
            /* publishes the field; a full barrier, so the word read after it is at least as new.
             * Released meanwhile, its finisher may have looked at the slot before it was set: the
             * waiter takes itself out, unless a finisher claimed it (it will fire). Released just
             * after, the same race with that finisher's claim decides it. */
            (void)kcom_atomic_or(&op->word, OP_SLOT_SET);
            old = kcom_atomic_load(&op->word);
            if (kcom_async_op_released(old) && op_slot_remove(op, w))
                return FALSE;
            return TRUE;
        }
        old = seen;
    }
}

BOOLEAN kcom_async_op_remove_waiter(kcom_async_op *op, kcom_async_waiter *w)
{
    BOOLEAN removed;
    wait_list *list;
    UCHAR irql;
    if (kcom_atomic_load_ptr((void *volatile *)(void *)&w->pprev) == (void *)&op->waiter)
        return op_slot_remove(op, w);
    list = wait_list_of(op);
    irql = kcom_async_spin_lock(&list->lock);
    removed = (BOOLEAN)(w->pprev != NULL);
    if (removed)
        waiter_unlink(w);
    kcom_async_spin_unlock(&list->lock, irql);
    return removed;
}

/* Fires the waiters of a finished operation, the slot's then the listed ones one at a time: each
 * is claimed (the slot) or taken out under the lock (the list), and fired, at DISPATCH_LEVEL (a
 * waiter spinning on its fire is never preempted by it on its processor), and its waker woken back
 * at the caller's IRQL. The callers' operation is released (finished, no callback running), so
 * nothing registers any more: the word read first tells whether any waiter is listed. */

/* A fired waiter's task woken: pushed onto refused if its executor refuses it and refused is not
 * NULL (a refused task's end, kcom_task_end_refused), else through the plain wake. */
static KCOM_FORCEINLINE void op_wake(kcom_task *task, kcom_task_link **refused)
{
    if (refused == NULL)
        kcom_task_wake_task(task);
    else
        kcom_task_wake_collecting(task, refused);
}

/* Claims and fires the slot's waiter (old: the word, the slot set and not fired) at DISPATCH_LEVEL;
 * returns its waker's task for the caller to wake back at its IRQL (NULL: none, or the waiter was
 * taken out or claimed by another finishing path meanwhile). */
static KCOM_FORCEINLINE kcom_task *op_fire_slot_claim(kcom_async_op *op, LONG old)
{
    kcom_waker waker = {NULL};
    UCHAR irql = kcom_platform_raise_to_dispatch();
    for (;;) {
        LONG seen;
        if ((old & (OP_SLOT_SET | OP_SLOT_FIRED)) != OP_SLOT_SET)
            break; /* taken out meanwhile, or claimed by another finishing path */
        seen = kcom_atomic_compare_exchange(&op->word, old, old | OP_SLOT_FIRED);
        if (seen == old) {
            /* its pprev is the waiter's own: a remove that finds OP_SLOT_FIRED leaves it */
            kcom_async_waiter *w = op->waiter;
            waker = w->fire(w);
            break;
        }
        old = seen;
    }
    kcom_platform_lower_irql(irql);
    return waker.task;
}

/* The usual fire: the slot's waiter alone, with the plain wake. Out of line and ending in a tail
 * call, so that the usual finish (one waiter, in the slot) keeps few registers. */
static KCOM_NOINLINE void op_fire_slot(kcom_async_op *op, LONG old)
{
    kcom_task_wake_task(op_fire_slot_claim(op, old));
}

/* The slot's waiter, then the listed ones: when some are listed, or the wakes collect refusals. */
static KCOM_NOINLINE void op_fire_all(kcom_async_op *op, LONG old, kcom_task_link **refused)
{
    wait_list *list = wait_list_of(op);
    if ((old & (OP_SLOT_SET | OP_SLOT_FIRED)) == OP_SLOT_SET)
        op_wake(op_fire_slot_claim(op, old), refused);
    while (old & OP_WAITERS) {
        kcom_async_waiter *w;
        kcom_waker waker = {NULL};
        UCHAR irql = kcom_async_spin_lock(&list->lock);
        for (w = list->head; w != NULL && w->op != (void *)op; w = w->next) {
        }
        if (w != NULL)
            waiter_unlink(w);
        kcom_async_spin_unlock_raised(&list->lock);
        if (w != NULL)
            waker = w->fire(w);
        kcom_platform_lower_irql(irql);
        if (w == NULL)
            break;
        op_wake(waker.task, refused);
    }
}

static KCOM_FORCEINLINE void op_fire_waiters(kcom_async_op *op, kcom_task_link **refused)
{
    LONG old = kcom_atomic_load(&op->word);
    if (KCOM_UNLIKELY((old & OP_WAITERS) || refused != NULL))
        op_fire_all(op, old, refused);
    else if ((old & (OP_SLOT_SET | OP_SLOT_FIRED)) == OP_SLOT_SET)
        op_fire_slot(op, old);
}

/* ---- finishing ------------------------------------------------------------------------------------------ */


/* op_after_finish when a cancel routine or a callback runs, on a reference of its own. Until the
 * routine has returned (OP_ROUTINE_RUNNING) waiters register and a callback registered meanwhile
 * is left here; the callback that the finish or the routine's end claimed runs next, then the
 * waiters, unless a registration still under way calls the callback and fires them after it. */
static KCOM_NOINLINE void op_after_finish_held(kcom_async_op *op, LONG next, BOOLEAN routine, BOOLEAN callback,
                                               BOOLEAN registration_calls, kcom_task_link **refused)
{
    kcom_async_op_addref(op);
    if (routine) {
        KCOM_ASYNC_PRODUCER(op)->cancel_routine(&op->iface, KCOM_ASYNC_PRODUCER(op)->cancel_context);
        next = kcom_atomic_fetch_add(&op->word, -OP_ROUTINE_RUNNING) - OP_ROUTINE_RUNNING;
        if (!callback && (next & OP_CB_SET) && !(kcom_atomic_or(&op->word, OP_CB_CLAIMED) & OP_CB_CLAIMED))
            callback = TRUE; /* registered while the routine ran (op_set_completed left the call here) */
        registration_calls = (BOOLEAN)((next & OP_CALLING) && !callback);
    }
    if (callback) {
        op->callback(&op->iface, next & OP_STATUS_MASK, op->callback_context);
        if (next & OP_CALLING) /* registered before the finish: nothing registers after this */
            next = kcom_atomic_fetch_add(&op->word, -OP_CALLING) - OP_CALLING;
    }
    if (!registration_calls && (next & (OP_SLOT_SET | OP_WAITERS)))
        op_fire_waiters(op, refused);
    kcom_async_op_release(op);
}

/* What the finishing exchange (old -> next) claimed, run in order: the producer's cancel routine,
 * the callback, then the waiters (those that registered while the callback ran too), unless a
 * callback being registered (its fields not written yet) was left to its registration, which
 * then fires them after it (op_set_completed). When a cancel routine or a callback runs, on a
 * reference of its own, taken while the caller's still holds: either may release the caller's (a
 * producer's, a canceler's, or the one a task's first poll runs on, kcom_async_spawn_run's);
 * waiters never do. */
static KCOM_FORCEINLINE void op_after_finish(kcom_async_op *op, LONG old, LONG next, kcom_task_link **refused)
{
    BOOLEAN routine = (BOOLEAN)((next & OP_CANCEL_CLAIMED) && !(old & OP_CANCEL_CLAIMED));
    BOOLEAN callback = (BOOLEAN)((next & OP_CB_CLAIMED) && !(old & OP_CB_CLAIMED));
    BOOLEAN registration_calls = (BOOLEAN)((next & OP_CALLING) && !callback);
    if (routine || callback)
        op_after_finish_held(op, next, routine, callback, registration_calls, refused);
    else if (!registration_calls && (next & (OP_SLOT_SET | OP_WAITERS)))
        op_fire_waiters(op, refused);
}

/* The finishing exchange: sets OP_FINISHED (and the final status when still Started), claims the
 * callback and, with cancel_routine, the producer's cancel routine (OP_ROUTINE_RUNNING until it has
 * returned), and sets OP_CALLING when a callback is registered or being registered (its caller
 * clears it). FALSE, with *seen the word, when op had already finished. */
static KCOM_FORCEINLINE BOOLEAN op_finish_exchange(kcom_async_op *op, LONG final_status, BOOLEAN cancel_routine,
                                                   LONG *seen_out, LONG *next_out)
{
    LONG old = kcom_atomic_load(&op->word), next;
    for (;;) {
        LONG seen;
        if (old & OP_FINISHED) {
            *seen_out = old;
            return FALSE;
        }
        next = old | OP_FINISHED;
        if ((old & OP_STATUS_MASK) == KCOM_ASYNC_STARTED)
            next = (next & ~OP_STATUS_MASK) | final_status;
        if (old & OP_CB_SET)
            next |= OP_CB_CLAIMED;
        if (old & OP_CB_REGISTERING)
            next |= OP_CALLING;
        if (cancel_routine && (old & OP_CANCEL_SET))
            next |= OP_CANCEL_CLAIMED | OP_ROUTINE_RUNNING;
        seen = kcom_atomic_compare_exchange(&op->word, old, next);
        if (seen == old)
            break;
        old = seen;
    }
    *seen_out = old;
    *next_out = next;
    return TRUE;
}

/* op_finish_with's general case: a callback registered or being registered, the operation
 * canceled or finished already, or a word changed under the first exchange. */
static KCOM_NOINLINE LONG op_finish_claiming(kcom_async_op *op, LONG final_status, kcom_task_link **refused)
{
    LONG prior, next;
    if (op_finish_exchange(op, final_status, FALSE, &prior, &next))
        op_after_finish(op, prior, next, refused);
    return prior;
}

/* The final status a finish with status sets: success Completed, STATUS_CANCELLED Canceled, any
 * other failure Error. */
static KCOM_FORCEINLINE LONG op_final_status(NTSTATUS status)
{
    return NT_SUCCESS(status)           ? KCOM_ASYNC_COMPLETED
           : status == STATUS_CANCELLED ? KCOM_ASYNC_CANCELED
                                        : KCOM_ASYNC_ERROR;
}

/* The usual finish: records an Error status, then, when op (its word old) is Started without a
 * callback registered or being registered, one exchange and the waiters. FALSE when that did
 * not apply or the exchange lost (op_finish_claiming then finishes it). */
static KCOM_FORCEINLINE BOOLEAN op_finish_usual(kcom_async_op *op, LONG old, NTSTATUS status, LONG final_status,
                                                 kcom_task_link **refused)
{
    if (final_status == KCOM_ASYNC_ERROR && (old & OP_STATUS_MASK) == KCOM_ASYNC_STARTED)
        op->task.error = status; /* only the finisher writes it; read only once Error is published */
    if (KCOM_LIKELY((old & (OP_FINISHED | OP_CB_REGISTERING | OP_STATUS_MASK)) == KCOM_ASYNC_STARTED)) {
        LONG next = old | OP_FINISHED | final_status;
        if (KCOM_LIKELY(kcom_atomic_compare_exchange(&op->word, old, next) == old)) {
            /* a return of its own after the fire: clang otherwise joins the two ways and tests
             * the exchange's outcome again after the fire, keeping it (and op) in saved registers */
            if (next & (OP_SLOT_SET | OP_WAITERS)) {
                op_fire_waiters(op, refused);
                return TRUE;
            }
            return TRUE;
        }
    }
    return FALSE;
}

/* Finishes op with status (success: Completed with the stored result; STATUS_CANCELLED: Canceled;
 * other failures: Error), unless it was canceled, and runs what the exchange claimed
 * (op_after_finish). Returns the word before the exchange, which alone says what happened once the
 * operation may be gone: OP_FINISHED set when op had already finished (and nothing was done).
 * The usual finish (op_finish_usual) comes first. */
static LONG op_finish_with(kcom_async_op *op, NTSTATUS status)
{
    LONG final_status = op_final_status(status);
    LONG old = kcom_atomic_load(&op->word);
    if (op_finish_usual(op, old, status, final_status, NULL))
        return old;
    return op_finish_claiming(op, final_status, NULL);
}

/* A task's end (the scheduler's, through kcom_rt_async_task_owner): op_finish_with without the
 * word to return, so that the usual finish keeps no register across its waiters' fire. */
static void op_task_finish(kcom_task *task, NTSTATUS status, kcom_task_link **refused)
{
    kcom_async_op *op = KCOM_OP_FROM_TASK(task);
    LONG final_status = op_final_status(status);
    if (!op_finish_usual(op, kcom_atomic_load(&op->word), status, final_status, refused))
        (void)op_finish_claiming(op, final_status, refused);
}

/* ---- IKcomAsyncOperation: cancel and the callback --------------------------------------------------------- */

static NTSTATUS KCOM_STDCALL op_cancel(IKcomAsyncOperation *This)
{
    kcom_async_op *op = op_from(This);
    LONG old = kcom_atomic_load(&op->word), next;
    if (old & OP_NO_TASK) {
        /* a producer's operation finishes at once, its producer told through its cancel routine */
        /* unfinished is Started for these: only a finish changes their status */
        if (!op_finish_exchange(op, KCOM_ASYNC_CANCELED, TRUE, &old, &next))
            return STATUS_INVALID_DEVICE_STATE;
        op_after_finish(op, old, next, NULL);
        return STATUS_SUCCESS;
    }
    for (;;) {
        LONG seen;
        if ((old & OP_STATUS_MASK) != KCOM_ASYNC_STARTED)
            return STATUS_INVALID_DEVICE_STATE;
        seen = kcom_atomic_compare_exchange(&op->word, old, (old & ~OP_STATUS_MASK) | KCOM_ASYNC_CANCELED);
        if (seen == old)
            break;
        old = seen;
    }
    {
        /* the task sees the request (the status) at its next poll, which the wake brings about */
        kcom_waker w;
        kcom_async_op_addref(op);
        w.task = &op->task;
        kcom_task_wake_waker(&w);
    }
    return STATUS_SUCCESS;
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
    /* finished before the fields were visible: the finisher left the call to us, and the waiters
     * after it (op_after_finish), with OP_CALLING set if it saw the registration begin; but while
     * the producer's cancel routine runs, the canceler calls it once the routine has returned */
    if ((old & (OP_FINISHED | OP_ROUTINE_RUNNING)) == OP_FINISHED &&
        !(kcom_atomic_or(&op->word, OP_CB_CLAIMED) & OP_CB_CLAIMED)) {
        kcom_async_op_addref(op);
        callback(&op->iface, old & OP_STATUS_MASK, context);
        if (old & OP_CALLING)
            kcom_atomic_fetch_add(&op->word, -OP_CALLING); /* nothing registers after this */
        op_fire_waiters(op, NULL);
        kcom_async_op_release(op);
    }
    return STATUS_SUCCESS;
}

#define OP_VTBL(release)                                                                                    \
    {op_QueryInterface, op_AddRef, release, op_get_status, op_get_result, op_cancel, op_set_completed}
const IKcomAsyncOperationVtbl kcom_async_op_vtbls[5] = {
    [KCOM_RT_ASYNC_OP_ANY] = OP_VTBL(op_Release),
    [KCOM_RT_ASYNC_OP_DONE] = OP_VTBL(op_Release_done),
    [KCOM_RT_ASYNC_OP_DONE_CACHED] = OP_VTBL(op_Release_done_cached),
    [KCOM_RT_ASYNC_OP_DONE_IN] = OP_VTBL(op_Release_done_in),
    [KCOM_RT_ASYNC_OP_DONE_SET] = OP_VTBL(op_Release_done_set)};
#undef OP_VTBL

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
    .word = KCOM_ASYNC_ERROR | OP_FINISHED | OP_CB_REGISTERING | OP_CANCEL_REGISTERING | OP_NO_TASK,
    .task = {.sched = KCOM_TASK_DONE, .error = STATUS_INSUFFICIENT_RESOURCES}};

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
#define OP_CACHE_SETS KCOM_RT_OPERATION_CACHE_SETS
#define OP_CACHE_DEPTH 16
#define OP_CACHE_ALIGNMENT KCOM_NATURAL_ALIGNMENT /* the most a block the cache serves asks for */
#define OP_CACHE_LINE 64
/* what its blocks are allocated with: each starts on a cache line, and its class's size is a
 * multiple of one, so that blocks different processors use never share a line (the allocator's
 * natural alignment, 16, had put two blocks next to each other on one now and then) */
#define OP_CACHE_BLOCK_ALIGNMENT OP_CACHE_LINE

/* The shared cache of each size class, behind the sets' slots: class i keeps blocks of
 * (i + 1) * OP_CACHE_GRANULE bytes, taken and given back only through the slots. */
#define OP_CACHE_CLASS_(i) KCOM_CACHING_ALLOCATOR_INIT(op_cache_classes[i], OP_CACHE_DEPTH)
static kcom_caching_allocator op_cache_classes[OP_CACHE_CLASSES] = {
    OP_CACHE_CLASS_(0),  OP_CACHE_CLASS_(1),  OP_CACHE_CLASS_(2),  OP_CACHE_CLASS_(3),
    OP_CACHE_CLASS_(4),  OP_CACHE_CLASS_(5),  OP_CACHE_CLASS_(6),  OP_CACHE_CLASS_(7),
    OP_CACHE_CLASS_(8),  OP_CACHE_CLASS_(9),  OP_CACHE_CLASS_(10), OP_CACHE_CLASS_(11),
    OP_CACHE_CLASS_(12), OP_CACHE_CLASS_(13), OP_CACHE_CLASS_(14), OP_CACHE_CLASS_(15)};

static void *op_cache_slot_allocate(void *context, size_t size, size_t alignment);

/* The sets: each fills whole cache lines and starts on one, so that processors on different sets
 * never write a line in common. */
KCOM_STATIC_ASSERT(sizeof(kcom_rt_op_cache_set) % OP_CACHE_LINE == 0, "a set must fill whole cache lines");
KCOM_STATIC_ASSERT(offsetof(kcom_rt_op_cache_slot, allocator) == 0, "a block's allocator must be its slot");
#define OP_CACHE_SLOT_(set, i)                                                                               \
    {{op_cache_slot_allocate, op_cache_slot_free, &kcom_rt_operation_cache_sets[set].slot[i]}, NULL, NULL, 0}
#define OP_CACHE_SET_(set)                                                                                   \
    {{OP_CACHE_SLOT_(set, 0),  OP_CACHE_SLOT_(set, 1),  OP_CACHE_SLOT_(set, 2),  OP_CACHE_SLOT_(set, 3),     \
      OP_CACHE_SLOT_(set, 4),  OP_CACHE_SLOT_(set, 5),  OP_CACHE_SLOT_(set, 6),  OP_CACHE_SLOT_(set, 7),     \
      OP_CACHE_SLOT_(set, 8),  OP_CACHE_SLOT_(set, 9),  OP_CACHE_SLOT_(set, 10), OP_CACHE_SLOT_(set, 11),    \
      OP_CACHE_SLOT_(set, 12), OP_CACHE_SLOT_(set, 13), OP_CACHE_SLOT_(set, 14), OP_CACHE_SLOT_(set, 15)}}
#if defined(_MSC_VER) && !defined(__clang__)
__declspec(align(64))
#else
_Alignas(OP_CACHE_LINE)
#endif
kcom_rt_op_cache_set kcom_rt_operation_cache_sets[OP_CACHE_SETS] = {
    OP_CACHE_SET_(0),  OP_CACHE_SET_(1),  OP_CACHE_SET_(2),  OP_CACHE_SET_(3),
    OP_CACHE_SET_(4),  OP_CACHE_SET_(5),  OP_CACHE_SET_(6),  OP_CACHE_SET_(7),
    OP_CACHE_SET_(8),  OP_CACHE_SET_(9),  OP_CACHE_SET_(10), OP_CACHE_SET_(11),
    OP_CACHE_SET_(12), OP_CACHE_SET_(13), OP_CACHE_SET_(14), OP_CACHE_SET_(15)};
KCOM_STATIC_ASSERT(OP_CACHE_SETS == 16 && OP_CACHE_CLASSES == 16, "the initializers above name 16 of each");

static KCOM_FORCEINLINE size_t op_cache_class_index(const kcom_rt_op_cache_slot *slot)
{
    return (size_t)((slot - &kcom_rt_operation_cache_sets[0].slot[0]) % OP_CACHE_CLASSES);
}

static kcom_caching_allocator *op_cache_class_of(const kcom_rt_op_cache_slot *slot)
{
    return &op_cache_classes[op_cache_class_index(slot)];
}

static KCOM_FORCEINLINE BOOLEAN op_cache_fits(size_t size, size_t alignment)
{
    /* size - 1: a size of 0 wraps around and does not fit */
    return (BOOLEAN)(KCOM_ASYNC_OPERATION_CACHE && size - 1 < OP_CACHE_GRANULE * OP_CACHE_CLASSES &&
                     alignment <= OP_CACHE_ALIGNMENT);
}

/* A block from allocator, which records it (its size and alignment are the operation's: its
 * descriptor, or its own fields, gives them back to the final release). */
static kcom_async_op *op_take_from(const kcom_allocator *allocator, size_t size, size_t alignment)
{
    kcom_async_op *op = (kcom_async_op *)allocator->allocate(allocator->context, size, alignment);
    if (KCOM_LIKELY(op != NULL))
        op->allocator = allocator;
    return op;
}

/* A block of size and alignment through a caching allocator, recorded with what the final release
 * gives it back to: the cache, when the cache is bound to that size and alignment now (the block
 * came from it or from what backs it: the cache may keep it). A request that went past a cache
 * being bound to another size by another thread got a block from what backs the cache, with the
 * size and alignment the cache raised it to: that block goes back, and one of the operation's own
 * size and alignment (exact_*: a class of the operation cache asks for them rounded up) comes from
 * there, so that the final release, which knows only the operation's, frees what was allocated. */
static kcom_async_op *op_take_cached(kcom_caching_allocator *cache, size_t size, size_t alignment, size_t exact_size,
                                     size_t exact_alignment)
{
    const kcom_allocator *backing;
    kcom_async_op *op = (kcom_async_op *)kcom_rt_caching_allocate(cache, size, alignment);
    if (KCOM_UNLIKELY(op == NULL))
        return NULL;
    if (KCOM_LIKELY(kcom_rt_caching_bound_to(cache, size, alignment))) {
        op->allocator = &cache->allocator;
        return op;
    }
    backing = kcom_rt_caching_backing(cache);
    backing->free(backing->context, op, kcom_rt_caching_raised(size), kcom_rt_caching_raised(alignment));
    return op_take_from(backing, exact_size, exact_alignment);
}

/* A block of another set's slot of class index, or NULL: a block given back on one processor is
 * found on another (a thread that moved between its calls) before the class asks its backing
 * allocator for more. */
static void *op_cache_take_elsewhere(size_t index, const kcom_rt_op_cache_slot *mine)
{
    size_t set;
    for (set = 0; set < OP_CACHE_SETS; set++) {
        kcom_rt_op_cache_slot *slot = kcom_rt_op_cache_slot_at((ULONG)set, index);
        void *block;
        if (slot == mine ||
            (kcom_atomic_load_ptr(&slot->hot) == NULL && kcom_atomic_load_ptr(&slot->spare) == NULL))
            continue;
        if ((block = kcom_rt_op_cache_slot_take(slot)) != NULL)
            return block;
    }
    return NULL;
}

/* A block of size from the operation cache, recorded with the caller's slot of its class: the
 * slot's hot block (which kcom_rt_async_op_cached takes inline), else one from the class's shared
 * cache, another set's slot, or through the class's caching allocator (its backing allocator). */
static kcom_async_op *op_cache_take(size_t size, size_t alignment)
{
    size_t index = (size - 1) / OP_CACHE_GRANULE;
    kcom_caching_allocator *cache = &op_cache_classes[index];
    kcom_rt_op_cache_slot *slot = kcom_rt_op_cache_slot_at(kcom_platform_processor_hint(), index);
    kcom_async_op *op = (kcom_async_op *)kcom_rt_op_cache_slot_take(slot);
    if (op != NULL)
        return op; /* recorded with its slot when it first left the class */
    op = (kcom_async_op *)kcom_rt_caching_take_cached(cache);
    if (op == NULL)
        op = (kcom_async_op *)op_cache_take_elsewhere(index, slot);
    if (op == NULL) {
        op = op_take_cached(cache, (index + 1) * OP_CACHE_GRANULE, OP_CACHE_BLOCK_ALIGNMENT, size, alignment);
        if (op == NULL || op->allocator != &cache->allocator)
            return op; /* none, or one the cache could not take back (op_take_cached) */
    }
    op->allocator = &slot->allocator;
    return op;
}

/* A slot's kcom_allocator (context: the slot), which the blocks taken from it record: free gives a
 * block back to the slot, and the one it displaces to the class's shared cache; allocate serves a
 * block of the class's size at most, as the operation cache does. */
static void op_cache_slot_free(void *context, void *block, size_t size, size_t alignment)
{
    kcom_rt_op_cache_slot *slot = (kcom_rt_op_cache_slot *)context;
    (void)size;
    (void)alignment;
    if (block != NULL && (block = kcom_atomic_exchange_ptr(&slot->hot, block)) != NULL)
        op_cache_put_cold(slot, block);
}

static void *op_cache_slot_allocate(void *context, size_t size, size_t alignment)
{
    kcom_rt_op_cache_slot *slot = (kcom_rt_op_cache_slot *)context;
    size_t class_size = (op_cache_class_index(slot) + 1) * OP_CACHE_GRANULE;
    if (size == 0 || size > class_size || !kcom_is_power_of_two(alignment) || alignment > OP_CACHE_ALIGNMENT)
        return NULL;
    return op_cache_take(class_size, OP_CACHE_ALIGNMENT);
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
    if (KCOM_UNLIKELY(size < KCOM_ASYNC_PRODUCER_OP_SIZE || size > KCOM_RT_ASYNC_MAX_BLOCK))
        return NULL;
    /* the usual case first: the default allocator is the platform's and the operation cache has
     * the size (what the rest finds out too, through the default allocator) */
    if (allocator == NULL && kcom_rt_default_slot_now() == 0 && op_cache_fits(size, alignment))
        return op_cache_take(size, alignment);
    if (allocator == NULL)
        allocator = kcom_default_allocator();
    if (kcom_rt_is_caching(allocator)) {
        kcom_caching_allocator *cache = (kcom_caching_allocator *)allocator->context;
        if (op_cache_serves(cache, size, alignment))
            return op_take_cached(cache, size, alignment, size, alignment);
        allocator = kcom_rt_caching_backing(cache);
    }
    if (allocator->allocate == kcom_platform_allocate && op_cache_fits(size, alignment))
        return op_cache_take(size, alignment);
    return op_take_from(allocator, size, alignment);
}

kcom_async_op *kcom_rt_async_op_allocate(const kcom_async_task_desc *desc, const kcom_allocator *allocator)
{
    if (KCOM_UNLIKELY(desc->block_size < sizeof(kcom_async_op)))
        return NULL; /* a descriptor without its layout (block_size 0) */
    return kcom_async_op_allocate_block(allocator, desc->block_size, desc->block_alignment);
}

void kcom_async_operation_cache_drain(void)
{
    size_t set, i;
    /* the slots' blocks back to the platform as their classes' are (a slot holds only blocks its
     * class, bound to their size, handed out), counted as none of the classes' frees */
    for (set = 0; set < OP_CACHE_SETS; set++) {
        for (i = 0; i < OP_CACHE_CLASSES; i++) {
            kcom_rt_op_cache_slot *slot = kcom_rt_op_cache_slot_at((ULONG)set, i);
            void *blocks[2];
            blocks[0] = kcom_atomic_exchange_ptr(&slot->hot, NULL);
            blocks[1] = kcom_atomic_exchange_ptr(&slot->spare, NULL);
            if (blocks[0] != NULL)
                kcom_rt_caching_release(&op_cache_classes[i], blocks[0]);
            if (blocks[1] != NULL)
                kcom_rt_caching_release(&op_cache_classes[i], blocks[1]);
        }
    }
    for (i = 0; i < OP_CACHE_CLASSES; i++)
        (void)kcom_caching_allocator_drain(&op_cache_classes[i]);
}

NTSTATUS kcom_async_operation_cache_query_stats(kcom_caching_allocator_stats *stats)
{
    size_t set, i;
    if (stats == NULL)
        return STATUS_INVALID_PARAMETER;
    memset(stats, 0, sizeof(*stats));
    for (i = 0; i < OP_CACHE_CLASSES; i++) {
        kcom_caching_allocator_stats one;
        (void)kcom_caching_allocator_query_stats(&op_cache_classes[i], &one);
        stats->hits += one.hits;
        stats->misses += one.misses;
        stats->bypassed += one.bypassed;
        stats->overflows += one.overflows;
        stats->cached += one.cached;
        for (set = 0; set < OP_CACHE_SETS; set++) {
            kcom_rt_op_cache_slot *slot = kcom_rt_op_cache_slot_at((ULONG)set, i);
            stats->hits += (ULONG)kcom_atomic_load(&slot->hits);
            stats->cached += kcom_atomic_load_ptr(&slot->hot) != NULL ? 1u : 0u;
            stats->cached += kcom_atomic_load_ptr(&slot->spare) != NULL ? 1u : 0u;
        }
    }
    stats->depth = KCOM_ASYNC_OPERATION_CACHE ? OP_CACHE_DEPTH + 2 * OP_CACHE_SETS : 0; /* a class's most */
    return STATUS_SUCCESS;
}

/* ---- creation ------------------------------------------------------------------------------------------ */

NTSTATUS kcom_async_operation_create_error(const kcom_allocator *allocator, const IID *iid, NTSTATUS error,
                                           IKcomAsyncOperation **operation)
{
    kcom_async_op *op;
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN usable = kcom_allocator_usable(allocator);
    /* the arguments first: an invalid one is what the caller learns, whatever the allocator does */
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (NT_SUCCESS(error) || !usable) {
        /* a success is not an error: reporting it would claim a value that was never written; an
         * allocator without its functions cannot be called (the default one serves instead) */
        error = STATUS_INVALID_PARAMETER;
        status = STATUS_INVALID_PARAMETER;
        if (!usable)
            allocator = NULL;
    }
    op = kcom_async_op_allocate(allocator, KCOM_ASYNC_PRODUCER_OP_SIZE, KCOM_ALIGNOF(kcom_async_op));
    if (op == NULL) {
        *operation = &static_error_op.iface;
        return NT_SUCCESS(status) ? STATUS_INSUFFICIENT_RESOURCES : status;
    }
    kcom_rt_async_producer_init(op, iid, 0, 1, NULL);
    op->task.error = error;
    op->word = KCOM_ASYNC_ERROR | OP_FINISHED | OP_NO_TASK;
    *operation = &op->iface;
    return status;
}

/* On a setup failure: an error operation with the status (or the static one). */
static NTSTATUS fail_setup(const IID *iid, NTSTATUS status, IKcomAsyncOperation **operation)
{
    (void)kcom_async_operation_create_error(NULL, iid, status, operation);
    return status;
}

/* kcom_async_operation_create's block from anywhere but the operation cache's hot slot: out of
 * line, so that the usual path calls nothing and saves no register. */
static KCOM_NOINLINE NTSTATUS create_allocated(const kcom_allocator *allocator, const IID *iid, size_t result_size,
                                               size_t result_alignment, IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout = kcom_async_producer_layout_of(result_size, result_alignment);
    kcom_async_op *op;
    /* here, off the usual path: an allocator without its functions is never a caching one */
    if (!kcom_allocator_usable(allocator))
        return fail_setup(iid, STATUS_INVALID_PARAMETER, operation);
    op = kcom_async_op_allocate_block(allocator, layout.total, layout.alignment);
    if (op == NULL) {
        /* the error operation comes from the same allocator, so a failing allocator yields the static one */
        (void)kcom_async_operation_create_error(allocator, iid, STATUS_INSUFFICIENT_RESOURCES, operation);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_rt_async_producer_init(op, iid, result_size, result_alignment, (char *)op + layout.result_offset);
    *operation = &op->iface;
    return STATUS_SUCCESS;
}

NTSTATUS kcom_rt_async_operation_create(const kcom_allocator *allocator, const IID *iid, size_t result_size,
                                        size_t result_alignment, IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout;
    kcom_async_op *op;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    /* a power of two even without a result: 0 is a mistake, not "any"; the block below 2 GB */
    if (!kcom_is_power_of_two(result_alignment) || result_alignment > 4096 ||
        result_size > KCOM_RT_ASYNC_MAX_BLOCK) /* no overflow below: the offset is under 8 KB */
        return fail_setup(iid, STATUS_INVALID_PARAMETER, operation);
    if (result_size == 0)
        result_alignment = 1;
    layout = kcom_async_producer_layout_of(result_size, result_alignment);
    if (layout.total > KCOM_RT_ASYNC_MAX_BLOCK)
        return fail_setup(iid, STATUS_INVALID_PARAMETER, operation);
    op = kcom_async_op_hot(allocator, layout.total, layout.alignment);
    if (op == NULL)
        return create_allocated(allocator, iid, result_size, result_alignment, operation);
    kcom_rt_async_producer_init(op, iid, result_size, result_alignment, (char *)op + layout.result_offset);
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

IKcomAsyncOperation *kcom_rt_async_op_fail(kcom_async_op *op, NTSTATUS status)
{
    /* what a finish does for a Started operation nobody else has seen */
    if (status == STATUS_CANCELLED) {
        op->word = KCOM_ASYNC_CANCELED | OP_FINISHED | OP_COMMITTED;
    } else {
        op->task.error = status;
        op->word = KCOM_ASYNC_ERROR | OP_FINISHED | OP_COMMITTED;
    }
    return &op->iface;
}

NTSTATUS kcom_rt_async_op_fail_out(kcom_async_op *op, NTSTATUS status, IKcomAsyncOperation **operation)
{
    *operation = kcom_rt_async_op_fail(op, status);
    return STATUS_SUCCESS;
}

/* The producer's operation behind operation: STATUS_INVALID_PARAMETER for NULL,
 * STATUS_INVALID_DEVICE_STATE for the static error operation, another implementation of the
 * interface, or an operation run by a task. */
static NTSTATUS producer_op(IKcomAsyncOperation *operation, kcom_async_op **op)
{
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    *op = op_from(operation);
    if (!kcom_rt_async_op_is_kcom(operation) || kcom_async_op_has_task(*op))
        return STATUS_INVALID_DEVICE_STATE;
    return STATUS_SUCCESS;
}

/* producer_finish's other cases, out of line: a result stored at the place its layout gives
 * (value, when not NULL; a cancel has not finished op), or a finish that is not the usual one. */
static KCOM_NOINLINE NTSTATUS producer_finish_general(kcom_async_op *op, NTSTATUS status, const void *value)
{
    LONG prior;
    if (value != NULL)
        copy_result((char *)op + kcom_async_producer_layout(op).result_offset, value,
                    KCOM_ASYNC_PRODUCER(op)->result_size);
    prior = op_finish_with(op, status);
    if (prior & OP_FINISHED)
        /* a cancel finished it: the producer learns it here too */
        return (prior & OP_STATUS_MASK) == KCOM_ASYNC_CANCELED ? STATUS_CANCELLED : STATUS_INVALID_DEVICE_STATE;
    /* the outcome comes from the exchange: after it the operation may be gone */
    return (prior & OP_STATUS_MASK) == KCOM_ASYNC_CANCELED && status != STATUS_CANCELLED ? STATUS_CANCELLED
                                                                                         : STATUS_SUCCESS;
}

static NTSTATUS producer_finish(IKcomAsyncOperation *operation, NTSTATUS status, const void *value)
{
    kcom_async_op *op;
    LONG word;
    NTSTATUS checked = producer_op(operation, &op);
    if (!NT_SUCCESS(checked))
        return checked;
    /* the value is written before the finishing exchange publishes it; after a cancel nobody reads
     * it. A failure has no value (NULL), and neither has a success without a result (result_size 0).
     * One of 4, 8, 2 or 1 bytes right after the operation's own fields (OP_RESULT_INLINE) goes
     * there without the layout; any other, by the general finish. */
    word = kcom_atomic_load(&op->word);
    if (NT_SUCCESS(status) && value != NULL && (word & OP_STATUS_MASK) == KCOM_ASYNC_STARTED) {
        char *result = (char *)op + KCOM_ASYNC_PRODUCER_OP_SIZE;
        LONG size = word & OP_RESULT_INLINE;
        if (KCOM_LIKELY(size == OP_RESULT_WORD))
            memcpy(result, value, 4);
        else if (size == OP_RESULT_QWORD)
            memcpy(result, value, 8);
        else if (size == OP_RESULT_HALF)
            memcpy(result, value, 2);
        else if (size == OP_RESULT_BYTE)
            memcpy(result, value, 1);
        else
            return producer_finish_general(op, status, value);
    }
    /* the usual finish, inline here: nothing is left to do after its waiters' fire, so this
     * function keeps no register across a call */
    if (KCOM_LIKELY(op_finish_usual(op, word, status, op_final_status(status), NULL)))
        return STATUS_SUCCESS;
    return producer_finish_general(op, status, NULL);
}

NTSTATUS kcom_async_operation_complete(IKcomAsyncOperation *operation, const void *value)
{
    /* the vtable first: an operation implemented elsewhere has no result_size to read */
    if (operation != NULL && value == NULL && kcom_rt_async_op_is_kcom(operation) &&
        kcom_async_op_result_size(op_from(operation)) != 0)
        return STATUS_INVALID_PARAMETER;
    return producer_finish(operation, STATUS_SUCCESS, value);
}

NTSTATUS kcom_async_operation_fail(IKcomAsyncOperation *operation, NTSTATUS status)
{
    if (NT_SUCCESS(status))
        return STATUS_INVALID_PARAMETER;
    return producer_finish(operation, status, NULL);
}

/* ---- the producer's cancel routine -------------------------------------------------------------------------
 * OP_CANCEL_REGISTERING: registered once (kept after a clear, so never again); OP_CANCEL_SET: the
 * fields are written and the operation was still Started when they were published; the cancel
 * that finishes the operation claims a set routine (OP_CANCEL_CLAIMED) in its finishing exchange,
 * and a clear takes it back by clearing OP_CANCEL_SET unless claimed. */

NTSTATUS kcom_async_operation_set_cancel_routine(IKcomAsyncOperation *operation, kcom_async_cancel_fn *routine,
                                                 void *context)
{
    kcom_async_op *op;
    LONG old, seen;
    NTSTATUS checked = routine != NULL ? producer_op(operation, &op) : STATUS_INVALID_PARAMETER;
    if (!NT_SUCCESS(checked))
        return checked;
    old = kcom_atomic_load(&op->word);
    for (;;) {
        if (old & OP_CANCEL_REGISTERING)
            return STATUS_ALREADY_REGISTERED;
        if ((old & OP_STATUS_MASK) == KCOM_ASYNC_CANCELED)
            return STATUS_CANCELLED;
        if (old & OP_FINISHED)
            return STATUS_INVALID_DEVICE_STATE;
        seen = kcom_atomic_compare_exchange(&op->word, old, old | OP_CANCEL_REGISTERING);
        if (seen == old)
            break;
        old = seen;
    }
    KCOM_ASYNC_PRODUCER(op)->cancel_routine = routine;
    KCOM_ASYNC_PRODUCER(op)->cancel_context = context;
    /* published only while still Started: a cancel in between never sees it */
    old = kcom_atomic_load(&op->word);
    for (;;) {
        if ((old & OP_STATUS_MASK) != KCOM_ASYNC_STARTED)
            return (old & OP_STATUS_MASK) == KCOM_ASYNC_CANCELED ? STATUS_CANCELLED : STATUS_INVALID_DEVICE_STATE;
        seen = kcom_atomic_compare_exchange(&op->word, old, old | OP_CANCEL_SET);
        if (seen == old)
            return STATUS_SUCCESS;
        old = seen;
    }
}

NTSTATUS kcom_async_operation_clear_cancel_routine(IKcomAsyncOperation *operation)
{
    kcom_async_op *op;
    LONG old, seen;
    NTSTATUS checked = producer_op(operation, &op);
    if (!NT_SUCCESS(checked))
        return checked;
    old = kcom_atomic_load(&op->word);
    for (;;) {
        if (old & OP_CANCEL_CLAIMED)
            return STATUS_CANCELLED;
        if (!(old & OP_CANCEL_SET))
            return STATUS_NOT_FOUND;
        seen = kcom_atomic_compare_exchange(&op->word, old, old & ~OP_CANCEL_SET);
        if (seen == old)
            return STATUS_SUCCESS;
        old = seen;
    }
}

/* ---- KCOM_TASK_RESULT's check (kcom/task.h) ------------------------------------------------------------ */

void *kcom_rt_task_result_checked(kcom_task_context *cx, size_t size)
{
    /* every task has a descriptor, which gives the size of its result */
    size_t result_size = cx->task->desc->result_size;
    if (KCOM_UNLIKELY(result_size != size))
        kcom_fail_fast_because(KCOM_FAILFAST_RESULT_TYPE, KCOM_TASK_BLOCK(cx->task), (ULONG_PTR)size,
                               (ULONG_PTR)result_size, __FILE__, __LINE__,
                               "a task's result written as a %lu-byte type; its operation's result has %lu bytes "
                               "(operation %p)",
                               (unsigned long)size, (unsigned long)result_size, (void *)KCOM_TASK_BLOCK(cx->task));
    return cx->result;
}
