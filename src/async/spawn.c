/*
 * async_spawn.c - operations run by tasks and awaiting an operation from a task.
 */
#include "async/async_internal.h"
#include "sched/tracker_internal.h"

#include "platform/platform.h"

#include <string.h>

static NTSTATUS spawn_check(const kcom_async_task_desc *desc, const kcom_executor *executor, void **state,
                            IKcomAsyncOperation **operation)
{
    if (state != NULL)
        *state = NULL;
    if (operation == NULL || state == NULL || desc == NULL || desc->poll == NULL || executor == NULL ||
        executor->schedule == NULL)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* The fields of a begun operation (kcom_rt_async_spawn_fields) at desc's layout. */
static KCOM_FORCEINLINE void spawn_fields(kcom_async_op *op, const kcom_async_task_desc *desc,
                                          const kcom_async_op_layout_info *layout, const kcom_executor *executor,
                                          void **state)
{
    kcom_rt_async_spawn_fields(op, desc, layout->result_offset, layout->state_offset, executor, state);
    if (desc->block_size == 0)
        op->word |= OP_COMPUTED; /* nobody has seen it yet (kcom_async_spawn_run's test) */
}

static KCOM_FORCEINLINE void spawn_zero(kcom_async_op *op, const kcom_async_op_layout_info *layout)
{
    kcom_rt_async_spawn_fill(op, layout->result_offset, layout->total);
}

/* desc's layout as a spawn takes it: computed for a descriptor written by hand, or the one
 * KCOM_ASYNC_TASK_DESC computed if it holds the result and the state inside the block, in that
 * order, after the operation, each at a multiple of its alignment (a copy edited afterwards could
 * place them outside, or misaligned). FALSE for a bad one; a good one's block holds an operation. */
static KCOM_FORCEINLINE BOOLEAN spawn_layout(const kcom_async_task_desc *desc, kcom_async_op_layout_info *layout)
{
    if (!kcom_async_desc_layout(desc, layout))
        return FALSE;
    return (BOOLEAN)(desc->block_size == 0 || kcom_rt_async_layout_holds(desc));
}

/* A descriptor written by hand (its layout left 0): where its state (state TRUE) or its result is,
 * computed again from its sizes (the operation refers to the descriptor, which spawn checked). */
void *kcom_task_computed(kcom_task *task, BOOLEAN state)
{
    const kcom_async_task_desc *desc = task->desc;
    kcom_async_op_layout_info layout;
    if ((state ? desc->state_size : desc->result_size) == 0)
        return NULL;
    layout = kcom_async_op_desc_layout(desc);
    return KCOM_TASK_BLOCK(task) + (state ? layout.state_offset : layout.result_offset);
}

/* A begin refused: the error operation with its status (from allocator, or the static one). */
static KCOM_NOINLINE NTSTATUS spawn_refused(const kcom_async_task_desc *desc, const kcom_allocator *allocator,
                                            NTSTATUS status, IKcomAsyncOperation **operation)
{
    if (operation != NULL)
        (void)kcom_async_operation_create_error(allocator, desc != NULL ? desc->iid : NULL, status, operation);
    return status;
}

/* A begin refused by a draining tracker, which counted it all the same: the count left, the block
 * back, the error operation out. */
static KCOM_NOINLINE NTSTATUS spawn_uncounted(kcom_async_op *op, const kcom_allocator *allocator, NTSTATUS status,
                                              void **state, IKcomAsyncOperation **operation)
{
    const kcom_async_task_desc *desc = op->task.desc;
    kcom_tracker_leave(op->task.executor->tracker);
    *state = NULL;
    kcom_async_op_free_block(op); /* caller storage is free again (kcom_async_storage_in_use) */
    return spawn_refused(desc, allocator, status, operation);
}

/* Counts a begun operation's task in its executor's tracker (the caller found one), from here until
 * its work has ended (a drain waits for it); the tracker lists it (where a cancel-all finds it) at
 * its commit, or once its first poll on its caller leaves it pending. A drain under way refuses it
 * (STATUS_DELETE_PENDING; nobody has seen it then: its block goes back as it is). */
NTSTATUS kcom_rt_async_spawn_count(kcom_async_op *op, const kcom_allocator *allocator, void **state,
                                   IKcomAsyncOperation **operation)
{
    NTSTATUS status = kcom_tracker_count(op->task.executor->tracker, &op->task);
    if (KCOM_LIKELY(NT_SUCCESS(status))) {
        op->word |= OP_TRACKED; /* nobody has seen it yet */
        return status;
    }
    return spawn_uncounted(op, allocator, status, state, operation);
}

/* A begin with its block: the fields, the operation out and the fill, then a tracker's count. */
static KCOM_FORCEINLINE NTSTATUS spawn_begun(kcom_async_op *op, const kcom_async_task_desc *desc,
                                            const kcom_async_op_layout_info *layout, const kcom_executor *executor,
                                            const kcom_allocator *allocator, void **state,
                                            IKcomAsyncOperation **operation)
{
    spawn_fields(op, desc, layout, executor, state);
    *operation = &op->iface;
    spawn_zero(op, layout);
    if (executor->tracker != NULL)
        return kcom_rt_async_spawn_count(op, allocator, state, operation);
    return STATUS_SUCCESS;
}

/* kcom_async_spawn_begin's block from anywhere but the operation cache's hot slot. */
static KCOM_NOINLINE NTSTATUS spawn_begin_allocated(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                                    const kcom_allocator *allocator, void **state,
                                                    IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout = kcom_async_op_desc_layout(desc);
    kcom_async_op *op;
    /* here, off the usual path: an allocator without its functions is never a caching one (its
     * error operation comes from the default allocator) */
    if (!kcom_allocator_usable(allocator))
        return spawn_refused(desc, allocator, STATUS_INVALID_PARAMETER, operation);
    op = kcom_async_op_allocate_block(allocator, layout.total, layout.alignment);
    if (op == NULL)
        return spawn_refused(desc, allocator, STATUS_INSUFFICIENT_RESOURCES, operation);
    return spawn_begun(op, desc, &layout, executor, allocator, state, operation);
}

/* KCOM_ASYNC_TASK's functions for desc, or NULL (asked before anything else: they check what they
 * use, and leave the rest to the general way). */
static KCOM_FORCEINLINE const struct kcom_rt_async_task_fns *generated(const kcom_async_task_desc *desc)
{
    return desc != NULL ? desc->generated : NULL;
}

NTSTATUS kcom_rt_async_spawn_begin(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                   const kcom_allocator *allocator, void **state, IKcomAsyncOperation **operation)
{
    const struct kcom_rt_async_task_fns *fns = generated(desc);
    if (fns != NULL)
        return fns->begin(desc, executor, allocator, state, operation);
    return kcom_rt_async_spawn_begin_general(desc, executor, allocator, state, operation);
}

NTSTATUS kcom_rt_async_spawn_begin_general(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                           const kcom_allocator *allocator, void **state,
                                           IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout;
    kcom_async_op *op;
    NTSTATUS status = spawn_check(desc, executor, state, operation);
    if (!NT_SUCCESS(status))
        return spawn_refused(desc, allocator, status, operation);
    /* a bad layout is a bad argument, not a lack of memory */
    if (!spawn_layout(desc, &layout))
        return spawn_refused(desc, allocator, STATUS_INVALID_PARAMETER, operation);
    op = kcom_async_op_hot(allocator, layout.total, layout.alignment);
    if (op == NULL)
        return spawn_begin_allocated(desc, executor, allocator, state, operation);
    return spawn_begun(op, desc, &layout, executor, allocator, state, operation);
}

/* Caller storage: the operation starts at the first KCOM_ASYNC_STORAGE_MAX_ALIGNMENT boundary. */
static kcom_async_op *storage_op(const void *storage)
{
    ULONG_PTR address = (ULONG_PTR)storage;
    address = (address + KCOM_ASYNC_STORAGE_MAX_ALIGNMENT - 1) & ~(ULONG_PTR)(KCOM_ASYNC_STORAGE_MAX_ALIGNMENT - 1);
    return (kcom_async_op *)address;
}

/* desc's layout, if it fits caller storage. */
static KCOM_FORCEINLINE BOOLEAN storage_layout(const kcom_async_task_desc *desc, kcom_async_op_layout_info *layout)
{
    return (BOOLEAN)(spawn_layout(desc, layout) && layout->alignment <= KCOM_ASYNC_STORAGE_MAX_ALIGNMENT);
}

/* Whether size bytes of caller storage take an operation of desc's layout (*layout), at the first
 * KCOM_ASYNC_STORAGE_MAX_ALIGNMENT boundary: storage at any address (the size keeps room for the
 * bytes before that boundary), a layout it can take. */
static KCOM_FORCEINLINE BOOLEAN storage_fits(const kcom_async_task_desc *desc, const void *storage, size_t size,
                                             kcom_async_op_layout_info *layout)
{
    return (BOOLEAN)(storage != NULL && storage_layout(desc, layout) &&
                     size >= layout->total + KCOM_ASYNC_STORAGE_MAX_ALIGNMENT);
}

/* The refusal of storage that does not fit: STATUS_BUFFER_TOO_SMALL if more bytes would, else
 * STATUS_INVALID_PARAMETER (no storage, a layout it cannot take). */
static KCOM_NOINLINE NTSTATUS storage_refused(const kcom_async_task_desc *desc, const void *storage,
                                              IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout;
    NTSTATUS status = storage_fits(desc, storage, ~(size_t)0, &layout) ? STATUS_BUFFER_TOO_SMALL
                                                                        : STATUS_INVALID_PARAMETER;
    return spawn_refused(desc, NULL, status, operation);
}

/* The operation's place in storage that fits: its allocator NULL, the storage being the caller's. */
static KCOM_FORCEINLINE kcom_async_op *storage_place(void *storage)
{
    kcom_async_op *op = storage_op(storage);
    op->allocator = NULL;
    return op;
}

size_t kcom_async_storage_size(const kcom_async_task_desc *desc)
{
    kcom_async_op_layout_info layout;
    /* 0 for what kcom_async_spawn_begin_in refuses */
    if (desc == NULL || desc->poll == NULL || !storage_layout(desc, &layout))
        return 0;
    return layout.total + KCOM_ASYNC_STORAGE_MAX_ALIGNMENT; /* room to align the start */
}

BOOLEAN kcom_async_storage_in_use(const void *storage)
{
    if (storage == NULL)
        return FALSE;
    /* cleared last by the final release */
    return (BOOLEAN)(kcom_atomic_load_ptr((void *volatile *)(void *)&storage_op(storage)->iface.lpVtbl) != NULL);
}

NTSTATUS kcom_rt_async_spawn_begin_in(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                      void *storage, size_t size, void **state, IKcomAsyncOperation **operation)
{
    const struct kcom_rt_async_task_fns *fns = generated(desc);
    if (fns != NULL)
        return fns->begin_in(desc, executor, storage, size, state, operation);
    return kcom_rt_async_spawn_begin_in_general(desc, executor, storage, size, state, operation);
}

NTSTATUS kcom_rt_async_spawn_begin_in_general(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                              void *storage, size_t size, void **state,
                                              IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout;
    NTSTATUS status = spawn_check(desc, executor, state, operation);
    if (!NT_SUCCESS(status))
        return spawn_refused(desc, NULL, status, operation);
    if (!storage_fits(desc, storage, size, &layout))
        return storage_refused(desc, storage, operation);
    return spawn_begun(storage_place(storage), desc, &layout, executor, NULL, state, operation);
}

/* spawn_start on an operation not begun for a task: an error operation (from a failed begin)
 * reports its status, and so does a canceled one; a completed one's result is not read (get_result
 * would copy a result of any size). */
static KCOM_NOINLINE NTSTATUS spawn_not_begun(IKcomAsyncOperation *operation)
{
    kcom_async_status state = KCOM_ASYNC_STARTED;
    LONG none;
    NTSTATUS status = STATUS_INVALID_DEVICE_STATE;
    if (NT_SUCCESS(operation->lpVtbl->get_status(operation, &state)) &&
        (state == KCOM_ASYNC_ERROR || state == KCOM_ASYNC_CANCELED) &&
        NT_SUCCESS(status = operation->lpVtbl->get_result(operation, &none))) /* it copies nothing */
        status = STATUS_INVALID_DEVICE_STATE;
    return status;
}

/* The first poll of a committed operation to its executor, on a queue reference of its own. */
static KCOM_FORCEINLINE NTSTATUS spawn_schedule(kcom_async_op *op, const kcom_executor *executor)
{
    NTSTATUS status;
    kcom_async_op_addref(op); /* the queue's */
    status = executor->schedule(executor->context, &op->task);
    if (!NT_SUCCESS(status))
        kcom_task_drop_scheduled(&op->task, status);
    return status;
}

/* The same for a task its executor's tracker counts (from its begin): listed first, where a
 * cancel-all finds it, and canceled if one ran since its begin (tracker.c). Out of line, so that
 * a commit without a tracker keeps its few registers. */
static KCOM_NOINLINE NTSTATUS spawn_schedule_tracked(kcom_async_op *op, const kcom_executor *executor)
{
    kcom_tracker_list(executor->tracker, &op->task);
    return spawn_schedule(op, executor);
}

/* Commits a begun operation: the first poll goes to the executor, or runs here (inline). A task its
 * tracker counts is listed before the executor can have it, or, first polled here, once that poll
 * leaves it pending (kcom_task_run_first), and canceled before it if a cancel-all it could not
 * find (not listed) ran since its begin. */
static KCOM_FORCEINLINE NTSTATUS spawn_start(IKcomAsyncOperation *operation, BOOLEAN inline_first_poll)
{
    const kcom_executor *executor;
    kcom_async_op *op;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    op = (kcom_async_op *)(void *)operation;
    if (!kcom_rt_async_op_is_kcom(operation) || !kcom_async_op_has_task(op))
        return spawn_not_begun(operation);
    /* atomic: a begun operation may have been handed to other threads (a cancel) before this */
    if (kcom_atomic_or(&op->word, OP_COMMITTED) & OP_COMMITTED)
        return STATUS_INVALID_DEVICE_STATE;
    executor = op->task.executor; /* with a tracker, it counts the task: the begin would have failed */
    if (inline_first_poll) {
        if (executor->tracker != NULL)
            kcom_rt_async_run_check(op);
        /* on the caller's reference, which outlives this poll whatever it does; the task is
         * SCHEDULED since creation. An executor refusing the schedule the poll led to is
         * reported as commit reports one refusing the first. */
        return kcom_task_run_first(&op->task);
    }
    if (executor->tracker != NULL)
        return spawn_schedule_tracked(op, executor);
    return spawn_schedule(op, executor);
}

NTSTATUS kcom_async_spawn_commit(IKcomAsyncOperation *operation)
{
    return spawn_start(operation, FALSE);
}

NTSTATUS kcom_rt_async_spawn_run(IKcomAsyncOperation *operation)
{
    return spawn_start(operation, TRUE);
}

void kcom_rt_async_run_check(kcom_async_op *op)
{
    kcom_tracker_cancel_missed(op->task.executor->tracker, &op->task);
}

NTSTATUS kcom_rt_async_run_pending(kcom_async_op *op)
{
    return kcom_task_publish_begun(&op->task);
}

void kcom_rt_async_run_finish(kcom_async_op *op, NTSTATUS status)
{
    /* a begun task: counted if its executor has a tracker, which is there until the leave; ready
     * at its first poll, it was never listed. Its count alone in the word: the plain finish. */
    kcom_tracker *tracker = op->task.executor->tracker;
    if (!kcom_rt_async_finish_plain(op, status, OP_COMMITTED | OP_TRACKED))
        KCOM_TASK_OWNER->finish(&op->task, status, NULL);
    if (tracker != NULL)
        kcom_tracker_leave(tracker);
}

NTSTATUS kcom_async_spawn_abandon(IKcomAsyncOperation *operation, NTSTATUS status)
{
    kcom_async_op *op;
    if (operation == NULL || NT_SUCCESS(status))
        return STATUS_INVALID_PARAMETER;
    op = (kcom_async_op *)(void *)operation;
    if (!kcom_rt_async_op_is_kcom(operation) || !kcom_async_op_has_task(op))
        return STATUS_INVALID_DEVICE_STATE;
    if (kcom_atomic_or(&op->word, OP_COMMITTED) & OP_COMMITTED)
        return STATUS_INVALID_DEVICE_STATE;
    kcom_async_op_addref(op); /* what kcom_task_drop_scheduled gives back */
    kcom_task_drop_scheduled(&op->task, status);
    return STATUS_SUCCESS;
}

/* ---- a spawn and its first poll in one call -------------------------------------------------------------- */

/* The run of a block laid out for desc (layout: desc's own, or computed for a descriptor written
 * by hand): kcom_rt_async_run_here's, over a copy of desc that carries the layout. */
static NTSTATUS run_laid_out(kcom_async_op *op, const kcom_async_task_desc *desc,
                             const kcom_async_op_layout_info *layout, const kcom_executor *executor,
                             const void *initial, size_t done, IKcomAsyncOperation **operation)
{
    kcom_async_task_desc laid = *desc;
    laid.result_offset = layout->result_offset;
    laid.state_offset = layout->state_offset;
    laid.block_size = layout->total;
    laid.block_alignment = layout->alignment;
    return kcom_rt_async_run_here(op, &laid, desc, executor, initial, done, operation);
}

/* Whether a run's arguments pass the begin's first checks (the rest are the layout's and the
 * block's); a refused one is STATUS_INVALID_PARAMETER with an error operation, as the begin's. */
static KCOM_FORCEINLINE BOOLEAN run_arguments_usual(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                                    IKcomAsyncOperation **operation)
{
    return (BOOLEAN)(operation != NULL && desc != NULL && kcom_rt_async_spawn_usual(desc, executor));
}

/* A run without a block at hand (or over a descriptor written by hand, or a layout to refuse): the
 * layout checked or computed, a block from the allocator, then the same run (an async method's
 * out-of-line path). */
static KCOM_NOINLINE NTSTATUS run_allocated(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                            const kcom_allocator *allocator, const void *initial,
                                            IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout;
    kcom_async_op *op;
    /* a bad layout is a bad argument, and so is an allocator without its functions (never a
     * caching one), as a begin finds them */
    if (!run_arguments_usual(desc, executor, operation) || !spawn_layout(desc, &layout) ||
        !kcom_allocator_usable(allocator))
        return spawn_refused(desc, allocator, STATUS_INVALID_PARAMETER, operation);
    op = kcom_async_op_allocate(allocator, layout.total, layout.alignment);
    if (op == NULL)
        return spawn_refused(desc, allocator, STATUS_INSUFFICIENT_RESOURCES, operation);
    return run_laid_out(op, desc, &layout, executor, initial, KCOM_RT_ASYNC_OP_DONE, operation);
}

/* The same in caller storage, placed as kcom_rt_async_spawn_begin_in_general places it. */
static KCOM_NOINLINE NTSTATUS run_in_storage(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                             void *storage, size_t size, const void *initial,
                                             IKcomAsyncOperation **operation)
{
    kcom_async_op_layout_info layout;
    if (!run_arguments_usual(desc, executor, operation))
        return spawn_refused(desc, NULL, STATUS_INVALID_PARAMETER, operation);
    if (!storage_fits(desc, storage, size, &layout))
        return storage_refused(desc, storage, operation);
    return run_laid_out(storage_place(storage), desc, &layout, executor, initial, KCOM_RT_ASYNC_OP_DONE_IN,
                        operation);
}

NTSTATUS kcom_rt_async_run(const kcom_async_task_desc *desc, const kcom_executor *executor,
                           const kcom_allocator *allocator, const void *initial, IKcomAsyncOperation **operation)
{
    const struct kcom_rt_async_task_fns *fns = generated(desc);
    if (fns != NULL)
        return fns->run(desc, executor, allocator, initial, operation);
    return kcom_rt_async_run_general(desc, executor, allocator, initial, operation);
}

/* As the inline function runs it where the compiler sees the descriptor, its checks at run time;
 * anything else (no block at hand, a descriptor written by hand, a refusal) run_allocated's. */
NTSTATUS kcom_rt_async_run_general(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                   const kcom_allocator *allocator, const void *initial,
                                   IKcomAsyncOperation **operation)
{
    return kcom_rt_async_run_or(operation != NULL && kcom_rt_async_spawn_direct(desc, executor), desc, executor,
                                allocator, initial, FALSE, operation, run_allocated);
}

NTSTATUS kcom_rt_async_run_in(const kcom_async_task_desc *desc, const kcom_executor *executor, void *storage,
                              size_t size, const void *initial, IKcomAsyncOperation **operation)
{
    const struct kcom_rt_async_task_fns *fns = generated(desc);
    if (fns != NULL)
        return fns->run_in(desc, executor, storage, size, initial, operation);
    return kcom_rt_async_run_in_general(desc, executor, storage, size, initial, operation);
}

NTSTATUS kcom_rt_async_run_in_general(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                      void *storage, size_t size, const void *initial,
                                      IKcomAsyncOperation **operation)
{
    return kcom_rt_async_run_in_or(kcom_rt_async_spawn_direct(desc, executor), desc, executor, storage, size,
                                   initial, FALSE, operation, run_in_storage);
}

/* ---- the default executor -------------------------------------------------------------------------------- */

/* Stands in until the driver names one: a task that finds no executor when it needs one fails. */
static NTSTATUS no_executor_schedule(void *context, struct kcom_task *task)
{
    (void)context;
    (void)task;
    return STATUS_INVALID_DEVICE_STATE;
}

static const kcom_executor no_executor = {no_executor_schedule, NULL, NULL};
const kcom_executor *volatile kcom_rt_default_executor = &no_executor;

NTSTATUS kcom_set_default_executor(const kcom_executor *executor)
{
    if (executor != NULL && executor->schedule == NULL)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_store_ptr((void *volatile *)&kcom_rt_default_executor,
                          (void *)(ULONG_PTR)(executor != NULL ? executor : &no_executor));
    return STATUS_SUCCESS;
}

NTSTATUS kcom_rt_async_publish(kcom_async_op *op, const kcom_executor *executor)
{
    op->iface.lpVtbl = &kcom_async_op_vtbls[KCOM_RT_ASYNC_OP_ANY];
    /* nothing reads these while the task is RUNNING (a wake then only marks it NOTIFIED); the
     * exchange in kcom_task_publish makes them visible to whoever schedules it next */
    op->task.executor = executor != NULL ? executor : kcom_default_executor();
    op->task.link.next = NULL; /* the executor's from here (kcom/task.h) */
    op->word = KCOM_ASYNC_STARTED | OP_COMMITTED | (op->word & OP_RESULT_INLINE); /* nobody else has seen it yet */
    if (op->task.executor->tracker != NULL) {
        NTSTATUS status;
        op->word |= OP_TRACKED; /* before it is listed: a cancel-all may change the word from there */
        status = kcom_tracker_enter(op->task.executor->tracker, &op->task);
        if (!NT_SUCCESS(status)) {
            /* the driver is draining for unload: the work that began is ended, not left
             * uncounted (on an executor without the tracker, which its end then does not leave) */
            op->word &= ~OP_TRACKED;
            op->task.executor = &no_executor;
            kcom_task_end_unpublished(&op->task, status);
            return status;
        }
    }
    return kcom_task_publish(&op->task);
}

NTSTATUS kcom_rt_async_spawn(const kcom_async_task_desc *desc, const kcom_executor *executor,
                             const kcom_allocator *allocator, const void *initial, IKcomAsyncOperation **operation)
{
    void *state = NULL;
    NTSTATUS status = kcom_rt_async_spawn_begin(desc, executor, allocator, &state, operation);
    if (!NT_SUCCESS(status))
        return status;
    if (initial != NULL && state != NULL)
        memcpy(state, initial, desc->state_size);
    return kcom_async_spawn_commit(*operation);
}

/* ---- awaiting an operation ------------------------------------------------------------------------------ */

kcom_waker kcom_rt_async_await_fire(kcom_async_waiter *waiter)
{
    kcom_async_await *aw = (kcom_async_await *)(void *)waiter;
    /* the waker out, then the flag: once fired is seen the awaiting task may reuse or free aw */
    kcom_waker w = aw->waker;
    aw->waker.task = NULL;
    kcom_atomic_store(&aw->fired, 1);
    return w;
}

/* The first poll of an await on a kcom operation: the waiter registered with the task's waker. */
static KCOM_FORCEINLINE kcom_poll_result await_register(kcom_async_await *aw, kcom_task_context *cx)
{
    /* kcom_task_waker(cx), the reference taken directly: the task is an operation's */
    kcom_async_op_addref(KCOM_OP_FROM_TASK(cx->task));
    aw->waker.task = cx->task;
    if (!kcom_async_op_add_waiter((kcom_async_op *)(void *)aw->operation, &aw->waiter)) {
        kcom_waker_drop(&aw->waker);
        aw->registered = KCOM_RT_AWAIT_DONE;
        return KCOM_POLL_READY;
    }
    aw->registered = KCOM_RT_AWAIT_REGISTERED;
    return KCOM_POLL_PENDING;
}

/* The static error operation (finished), or another implementation of the interface, which has no
 * waiter list: its status is polled, yielding in between. */
static KCOM_NOINLINE kcom_poll_result await_foreign(kcom_async_await *aw, kcom_task_context *cx)
{
    kcom_async_status status = KCOM_ASYNC_STARTED;
    if (!NT_SUCCESS(aw->operation->lpVtbl->get_status(aw->operation, &status)) || status != KCOM_ASYNC_STARTED) {
        aw->registered = KCOM_RT_AWAIT_DONE;
        return KCOM_POLL_READY;
    }
    kcom_task_wake_self(cx);
    return KCOM_POLL_PENDING;
}

kcom_poll_result kcom_rt_async_await_first(kcom_async_await *aw, kcom_task_context *cx)
{
    if (!kcom_rt_async_op_is_kcom(aw->operation))
        return await_foreign(aw, cx);
    return await_register(aw, cx);
}

void kcom_rt_async_await_unregister(kcom_async_await *aw)
{
    /* the waker is ours again only if the finisher will never fire the waiter; otherwise its fire
     * runs (at DISPATCH_LEVEL, never preempted by this on its processor) until it sets fired */
    if (kcom_async_op_remove_waiter((kcom_async_op *)(void *)aw->operation, &aw->waiter)) {
        kcom_waker_drop(&aw->waker);
    } else {
        ULONG spins = 0; /* (user mode: the firing thread may be preempted) */
        while (!kcom_atomic_load(&aw->fired))
            kcom_platform_spin_pause(&spins);
    }
}
