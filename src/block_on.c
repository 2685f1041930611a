/*
 * block_on.c - waiting for an operation on a reference-counted platform event that outlives any
 * waker.
 */
#include "async_internal.h"

#include "platform/platform.h"

typedef struct block_waiter {
    kcom_async_waiter waiter;
    kcom_platform_event *event; /* a reference of its own, released by the fire */
} block_waiter;

static void block_fire(kcom_async_waiter *waiter)
{
    kcom_platform_event *event = ((block_waiter *)(void *)waiter)->event;
    /* the blocked thread returns once the event is set: waiter is not touched after */
    kcom_platform_event_set(event);
    kcom_platform_event_release(event);
}

NTSTATUS kcom_async_block_on(IKcomAsyncOperation *operation, ULONG timeout_ms)
{
    kcom_async_op *op;
    block_waiter waiter;
    BOOLEAN finished;
    NTSTATUS status;

    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!kcom_platform_can_block())
        return STATUS_INVALID_DEVICE_STATE;
    op = (kcom_async_op *)(void *)operation;
    if (operation->lpVtbl != &kcom_async_op_vtbl || (kcom_atomic_load(&op->word) & OP_FINISHED))
        return STATUS_SUCCESS;
    waiter.waiter.fire = block_fire;
    waiter.event = kcom_platform_event_create();
    if (waiter.event == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    kcom_platform_event_reference(waiter.event); /* the fire's */
    status = kcom_async_op_register_waiter(op, &waiter.waiter, &finished);
    if (!NT_SUCCESS(status) || finished) {
        kcom_platform_event_release(waiter.event);
        kcom_platform_event_release(waiter.event);
        return status;
    }
    status = kcom_platform_event_wait(waiter.event, timeout_ms);
    if (status == STATUS_TIMEOUT && !kcom_async_op_unregister_waiter(op)) {
        /* finishing right now: the fire is under way and still reads waiter; wait for its set */
        (void)kcom_platform_event_wait(waiter.event, KCOM_ASYNC_INFINITE);
        status = STATUS_SUCCESS;
    } else if (status == STATUS_TIMEOUT) {
        kcom_platform_event_release(waiter.event); /* the fire's: it will never run */
    }
    kcom_platform_event_release(waiter.event);
    return status;
}
