/*
 * async.c - the AsyncOperation object: status, result, cancel, the completion callback, the one
 * waiter slot (block_on, await) and the allocation of operation + task state + result.
 */
#include "internal.h"
#include "async_internal.h"

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

void kcom_async_op_addref(kcom_async_op *op)
{
    kcom_atomic_fetch_add(&op->refs, 1);
}

static void op_destroy(kcom_async_op *op)
{
    kcom_atomic_acquire_fence();
    /* an unfinished task destroyed with its operation still gets its cleanup (never leaked) */
    if (op->has_task && kcom_atomic_load(&op->task.sched) != KCOM_TASK_DONE && op->task.drop != NULL)
        op->task.drop(op->task.state);
    if (op->allocator != NULL)
        kcom_free(op->allocator, op, op->block_size, op->block_alignment);
    else
        kcom_atomic_store(&op->in_use, 0); /* the last access: the caller may reuse the storage */
}

void kcom_async_op_release(kcom_async_op *op)
{
    if (kcom_atomic_fetch_add(&op->refs, -1) == 1)
        op_destroy(op);
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
    if (old == 1)
        op_destroy(op);
    return (ULONG)old - 1u;
}

static NTSTATUS KCOM_STDCALL op_get_status(IKcomAsyncOperation *This, kcom_async_status *status)
{
    if (status == NULL)
        return STATUS_INVALID_PARAMETER;
    *status = kcom_atomic_load(&op_from(This)->word) & OP_STATUS_MASK;
    return STATUS_SUCCESS;
}

static NTSTATUS KCOM_STDCALL op_get_result(IKcomAsyncOperation *This, void *result)
{
    kcom_async_op *op = op_from(This);
    LONG word;
    if (result == NULL)
        return STATUS_INVALID_PARAMETER;
    word = kcom_atomic_load(&op->word); /* acquire: the result and error were written before */
    switch (word & OP_STATUS_MASK) {
    case KCOM_ASYNC_STARTED:
        return STATUS_PENDING;
    case KCOM_ASYNC_COMPLETED:
        if (op->result_size != 0)
            memcpy(result, op->result, op->result_size);
        return STATUS_SUCCESS;
    case KCOM_ASYNC_CANCELED:
        return STATUS_CANCELLED;
    default:
        return op->error;
    }
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
    if (op->has_task) {
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

/* ---- creation ------------------------------------------------------------------------------------------ */

/* Offsets of result and state after the operation; FALSE for bad sizes or alignments. */
BOOLEAN kcom_async_op_layout(size_t result_size, size_t result_alignment, size_t state_size, size_t state_alignment,
                         size_t *result_offset, size_t *state_offset, size_t *total, size_t *alignment)
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
    *result_offset = align_up(sizeof(kcom_async_op), result_alignment);
    *state_offset = align_up(*result_offset + result_size, state_alignment);
    *total = *state_offset + state_size;
    *alignment = align;
    return TRUE;
}

void kcom_async_op_init(kcom_async_op *op, const IID *iid, void *result, size_t result_size)
{
    memset(op, 0, sizeof(*op));
    op->iface.lpVtbl = &kcom_async_op_vtbl;
    op->refs = 1;
    op->in_use = 1;
    op->iid = iid;
    op->result = result_size != 0 ? result : NULL;
    op->result_size = result_size;
    if (result_size != 0) /* a task that succeeds without writing its value reads back zeros */
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
    if (allocator == NULL)
        allocator = kcom_default_allocator();
    op = (kcom_async_op *)kcom_allocate(allocator, sizeof(*op), KCOM_ALIGNOF(kcom_async_op));
    if (op == NULL) {
        *operation = &static_error_op.iface;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_async_op_init(op, iid, NULL, 0);
    op->allocator = allocator;
    op->block_size = sizeof(*op);
    op->block_alignment = KCOM_ALIGNOF(kcom_async_op);
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
    size_t result_offset, state_offset, total, alignment;
    kcom_async_op *op;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (allocator == NULL)
        allocator = kcom_default_allocator();
    if (!kcom_async_op_layout(result_size, result_alignment, 0, 1, &result_offset, &state_offset, &total, &alignment))
        return fail_setup(iid, STATUS_INVALID_PARAMETER, operation);
    op = (kcom_async_op *)kcom_allocate(allocator, total, alignment);
    if (op == NULL) {
        /* the error operation comes from the same allocator, so a failing allocator yields the static one */
        (void)kcom_async_operation_create_error(allocator, iid, STATUS_INSUFFICIENT_RESOURCES, operation);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_async_op_init(op, iid, (char *)op + result_offset, result_size);
    op->allocator = allocator;
    op->block_size = total;
    op->block_alignment = alignment;
    *operation = &op->iface;
    return STATUS_SUCCESS;
}

static NTSTATUS producer_finish(IKcomAsyncOperation *operation, NTSTATUS status, const void *value)
{
    kcom_async_op *op;
    LONG word;
    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    op = op_from(operation);
    if (operation->lpVtbl != &kcom_async_op_vtbl || op->has_task)
        return STATUS_INVALID_DEVICE_STATE; /* the static operation, or a task's */
    word = kcom_atomic_load(&op->word);
    if (word & OP_FINISHED)
        return STATUS_INVALID_DEVICE_STATE;
    /* the value is written before the finishing exchange publishes it; after a cancel nobody reads it */
    if (NT_SUCCESS(status) && op->result_size != 0 && (word & OP_STATUS_MASK) == KCOM_ASYNC_STARTED)
        memcpy(op->result, value, op->result_size);
    if (!kcom_async_op_finish(op, status))
        return STATUS_INVALID_DEVICE_STATE;
    return (kcom_atomic_load(&op->word) & OP_STATUS_MASK) == KCOM_ASYNC_CANCELED && status != STATUS_CANCELLED
               ? STATUS_CANCELLED
               : STATUS_SUCCESS;
}

NTSTATUS kcom_async_operation_complete(IKcomAsyncOperation *operation, const void *value)
{
    if (operation != NULL && value == NULL && op_from(operation)->result_size != 0)
        return STATUS_INVALID_PARAMETER;
    return producer_finish(operation, STATUS_SUCCESS, value);
}

NTSTATUS kcom_async_operation_fail(IKcomAsyncOperation *operation, NTSTATUS status)
{
    if (NT_SUCCESS(status))
        return STATUS_INVALID_PARAMETER;
    return producer_finish(operation, status, NULL);
}
