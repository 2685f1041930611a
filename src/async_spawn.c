/*
 * async_spawn.c - operations run by tasks and awaiting an operation from a task.
 */
#include "async_internal.h"

#include "platform/platform.h"

#include <string.h>

static NTSTATUS spawn_check(const kcom_async_task_desc *desc, const kcom_executor *executor, void **state,
                            IKcomAsyncOperation **operation)
{
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (state != NULL)
        *state = NULL;
    if (state == NULL || desc == NULL || desc->poll == NULL || executor == NULL || executor->schedule == NULL)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

static void spawn_init(kcom_async_op *op, const kcom_async_task_desc *desc, const kcom_executor *executor,
                       size_t result_offset, size_t state_offset, void **state)
{
    kcom_async_op_init(op, desc->iid, (char *)op + result_offset, desc->result_size);
    op->has_task = TRUE;
    op->task.sched = KCOM_TASK_SCHEDULED; /* until committed: wakes (a cancel) do not queue it */
    op->task.poll = desc->poll;
    op->task.drop = desc->drop;
    op->task.executor = *executor;
    op->task.state = desc->state_size != 0 ? (char *)op + state_offset : NULL;
    if (desc->state_size != 0)
        memset(op->task.state, 0, desc->state_size);
    *state = op->task.state;
}

NTSTATUS kcom_async_spawn_begin(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                const kcom_allocator *allocator, void **state, IKcomAsyncOperation **operation)
{
    size_t result_offset, state_offset, total, alignment;
    kcom_async_op *op;
    NTSTATUS status = spawn_check(desc, executor, state, operation);
    if (!NT_SUCCESS(status)) {
        if (operation != NULL)
            (void)kcom_async_operation_create_error(allocator, desc != NULL ? desc->iid : NULL, status, operation);
        return status;
    }
    if (!kcom_async_op_layout(desc->result_size, desc->result_alignment, desc->state_size, desc->state_alignment,
                              &result_offset, &state_offset, &total, &alignment)) {
        (void)kcom_async_operation_create_error(allocator, desc->iid, STATUS_INVALID_PARAMETER, operation);
        return STATUS_INVALID_PARAMETER;
    }
    if (allocator == NULL)
        allocator = kcom_default_allocator();
    op = (kcom_async_op *)kcom_allocate(allocator, total, alignment);
    if (op == NULL) {
        (void)kcom_async_operation_create_error(allocator, desc->iid, STATUS_INSUFFICIENT_RESOURCES, operation);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    spawn_init(op, desc, executor, result_offset, state_offset, state);
    op->allocator = allocator;
    op->block_size = total;
    op->block_alignment = alignment;
    *operation = &op->iface;
    return STATUS_SUCCESS;
}

/* Caller storage: the operation starts at the first KCOM_ASYNC_STORAGE_MAX_ALIGNMENT boundary. */
static kcom_async_op *storage_op(const void *storage)
{
    ULONG_PTR address = (ULONG_PTR)storage;
    address = (address + KCOM_ASYNC_STORAGE_MAX_ALIGNMENT - 1) & ~(ULONG_PTR)(KCOM_ASYNC_STORAGE_MAX_ALIGNMENT - 1);
    return (kcom_async_op *)address;
}

size_t kcom_async_storage_size(const kcom_async_task_desc *desc)
{
    size_t result_offset, state_offset, total, alignment;
    if (desc == NULL ||
        !kcom_async_op_layout(desc->result_size, desc->result_alignment, desc->state_size, desc->state_alignment,
                              &result_offset, &state_offset, &total, &alignment) ||
        alignment > KCOM_ASYNC_STORAGE_MAX_ALIGNMENT)
        return 0;
    return total + KCOM_ASYNC_STORAGE_MAX_ALIGNMENT; /* room to align the start */
}

BOOLEAN kcom_async_storage_in_use(const void *storage)
{
    if (storage == NULL)
        return FALSE;
    return (BOOLEAN)(kcom_atomic_load(&storage_op(storage)->in_use) != 0);
}

NTSTATUS kcom_async_spawn_begin_in(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                   void *storage, size_t size, void **state, IKcomAsyncOperation **operation)
{
    size_t result_offset, state_offset, total, alignment, needed;
    kcom_async_op *op;
    NTSTATUS status = spawn_check(desc, executor, state, operation);
    if (NT_SUCCESS(status) && (storage == NULL || ((ULONG_PTR)storage % KCOM_ALIGNOF(void *)) != 0))
        status = STATUS_INVALID_PARAMETER;
    if (NT_SUCCESS(status)) {
        needed = kcom_async_storage_size(desc);
        if (needed == 0)
            status = STATUS_INVALID_PARAMETER;
        else if (size < needed)
            status = STATUS_BUFFER_TOO_SMALL;
    }
    if (!NT_SUCCESS(status)) {
        if (operation != NULL)
            (void)kcom_async_operation_create_error(NULL, desc != NULL ? desc->iid : NULL, status, operation);
        return status;
    }
    (void)kcom_async_op_layout(desc->result_size, desc->result_alignment, desc->state_size, desc->state_alignment,
                               &result_offset, &state_offset, &total, &alignment);
    op = storage_op(storage);
    spawn_init(op, desc, executor, result_offset, state_offset, state);
    *operation = &op->iface;
    return STATUS_SUCCESS;
}

/* Commits a begun operation: the first poll goes to the executor, or runs here (inline). */
static NTSTATUS spawn_start(IKcomAsyncOperation *operation, BOOLEAN inline_first_poll)
{
    kcom_async_op *op;
    LONG old;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    op = (kcom_async_op *)(void *)operation;
    if (operation->lpVtbl != &kcom_async_op_vtbl || !op->has_task) {
        /* an error operation from a failed begin: report its status */
        NTSTATUS status = operation->lpVtbl->get_result(operation, &old);
        return NT_SUCCESS(status) ? STATUS_INVALID_DEVICE_STATE : status;
    }
    old = kcom_atomic_or(&op->word, OP_COMMITTED);
    if (old & OP_COMMITTED)
        return STATUS_INVALID_DEVICE_STATE;
    kcom_async_op_addref(op); /* the queue's; the task is SCHEDULED since creation */
    if (inline_first_poll) {
        /* the caller holds a reference, so the operation outlives this poll whatever it does */
        kcom_task_run(&op->task);
        return STATUS_SUCCESS;
    }
    {
        NTSTATUS status = op->task.executor.schedule(op->task.executor.context, &op->task);
        if (!NT_SUCCESS(status)) {
            kcom_task_drop_scheduled(&op->task, status);
            return status;
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS kcom_async_spawn_commit(IKcomAsyncOperation *operation)
{
    return spawn_start(operation, FALSE);
}

NTSTATUS kcom_async_spawn_run(IKcomAsyncOperation *operation)
{
    return spawn_start(operation, TRUE);
}

NTSTATUS kcom_async_spawn_abandon(IKcomAsyncOperation *operation, NTSTATUS status)
{
    kcom_async_op *op;
    if (operation == NULL || NT_SUCCESS(status))
        return STATUS_INVALID_PARAMETER;
    op = (kcom_async_op *)(void *)operation;
    if (operation->lpVtbl != &kcom_async_op_vtbl || !op->has_task)
        return STATUS_INVALID_DEVICE_STATE;
    if (kcom_atomic_or(&op->word, OP_COMMITTED) & OP_COMMITTED)
        return STATUS_INVALID_DEVICE_STATE;
    kcom_async_op_addref(op); /* what kcom_task_drop_scheduled gives back */
    kcom_task_drop_scheduled(&op->task, status);
    return STATUS_SUCCESS;
}

/* ---- the default executor -------------------------------------------------------------------------------- */

/* Stands in until the driver names one: a task that finds no executor when it needs one fails. */
static NTSTATUS no_executor_schedule(void *context, struct kcom_task *task)
{
    (void)context;
    (void)task;
    return STATUS_INVALID_DEVICE_STATE;
}

static const kcom_executor no_executor = {no_executor_schedule, NULL};
static const kcom_executor *volatile default_executor = &no_executor;

NTSTATUS kcom_set_default_executor(const kcom_executor *executor)
{
    if (executor != NULL && executor->schedule == NULL)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_store_ptr((void *volatile *)&default_executor,
                          (void *)(ULONG_PTR)(executor != NULL ? executor : &no_executor));
    return STATUS_SUCCESS;
}

const kcom_executor *kcom_default_executor(void)
{
    return (const kcom_executor *)kcom_atomic_load_ptr((void *volatile *)&default_executor);
}

NTSTATUS kcom_async_spawn(const kcom_async_task_desc *desc, const kcom_executor *executor,
                          const kcom_allocator *allocator, const void *initial, IKcomAsyncOperation **operation)
{
    void *state = NULL;
    NTSTATUS status = kcom_async_spawn_begin(desc, executor, allocator, &state, operation);
    if (!NT_SUCCESS(status))
        return status;
    if (initial != NULL && state != NULL)
        memcpy(state, initial, desc->state_size);
    return kcom_async_spawn_commit(*operation);
}

/* ---- awaiting an operation ------------------------------------------------------------------------------ */

#define AWAIT_IDLE 0
#define AWAIT_REGISTERED 1
#define AWAIT_DONE 2

static void await_fire(kcom_async_waiter *waiter)
{
    kcom_async_await *aw = (kcom_async_await *)(void *)waiter;
    /* a copy, then the flag: once fired is seen the awaiting task may reuse or free aw */
    kcom_waker w = aw->waker;
    kcom_atomic_store(&aw->fired, 1);
    kcom_waker_wake(&w);
}

void kcom_async_await_init(kcom_async_await *aw, IKcomAsyncOperation *operation)
{
    aw->waiter.fire = await_fire;
    aw->operation = operation;
    aw->waker.task = NULL;
    aw->registered = AWAIT_IDLE;
    aw->fired = 0;
}

kcom_poll_result kcom_async_await_poll(kcom_async_await *aw, kcom_task_context *cx)
{
    kcom_async_op *op = (kcom_async_op *)(void *)aw->operation;
    BOOLEAN finished;
    if (op == NULL || aw->registered == AWAIT_DONE)
        return KCOM_POLL_READY;
    if (aw->registered == AWAIT_REGISTERED)
        return kcom_atomic_load(&aw->fired) ? KCOM_POLL_READY : KCOM_POLL_PENDING;
    if (aw->operation->lpVtbl != &kcom_async_op_vtbl) {
        /* the static error operation (finished), or another implementation of the interface,
         * which has no waiter slot: poll its status, yielding in between */
        kcom_async_status status = KCOM_ASYNC_STARTED;
        (void)aw->operation->lpVtbl->get_status(aw->operation, &status);
        if (status != KCOM_ASYNC_STARTED) {
            aw->registered = AWAIT_DONE;
            return KCOM_POLL_READY;
        }
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    aw->waker = kcom_task_waker(cx);
    if (!NT_SUCCESS(kcom_async_op_register_waiter(op, &aw->waiter, &finished))) {
        /* another waiter holds the slot: poll again later instead of waiting */
        kcom_waker_drop(&aw->waker);
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    if (finished) {
        kcom_waker_drop(&aw->waker);
        aw->registered = AWAIT_DONE;
        return KCOM_POLL_READY;
    }
    aw->registered = AWAIT_REGISTERED;
    return KCOM_POLL_PENDING;
}

void kcom_async_await_clear(kcom_async_await *aw)
{
    if (aw->operation == NULL)
        return;
    /* the waker is ours again only if the finisher will never fire the waiter; otherwise the
     * finisher owns it until it sets fired, a few instructions after its exchange */
    if (aw->registered == AWAIT_REGISTERED) {
        if (kcom_async_op_unregister_waiter((kcom_async_op *)(void *)aw->operation))
            kcom_waker_drop(&aw->waker);
        else
            while (!kcom_atomic_load(&aw->fired))
                ;
    }
    aw->registered = AWAIT_IDLE;
    aw->fired = 0;
    aw->operation->lpVtbl->Release(aw->operation);
    aw->operation = NULL;
}
