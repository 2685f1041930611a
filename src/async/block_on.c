/*
 * block_on.c - waiting for an operation on a reference-counted platform event that outlives any
 * waker: whoever fires late (a completion after a timeout) sets an event that is still alive.
 *
 * kcom's own operations take the waiter slot (async_internal.h); an operation implemented by
 * someone else is waited for through its completion callback, or, when that is already taken,
 * by looking at its status at growing intervals.
 */
#include <kcom/debug.h>

#include "async/async_internal.h"
#include "internal.h"
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

/* Waits for event up to timeout_ms, in watchdog periods when the watchdog is on, tracing each
 * period that passes without the event. */
static NTSTATUS watched_wait(kcom_platform_event *event, ULONG timeout_ms, const void *operation)
{
    kcom_debug_options options;
    ULONG waited = 0;
    kcom_get_debug_options(&options);
    for (;;) {
        ULONG slice = timeout_ms == KCOM_ASYNC_INFINITE ? KCOM_ASYNC_INFINITE : timeout_ms - waited;
        NTSTATUS status;
        if (options.wait_watchdog_ms != 0 && slice > options.wait_watchdog_ms)
            slice = options.wait_watchdog_ms;
        status = kcom_platform_event_wait(event, slice);
        if (status != STATUS_TIMEOUT)
            return status;
        waited += slice;
        if (timeout_ms != KCOM_ASYNC_INFINITE && waited >= timeout_ms)
            return STATUS_TIMEOUT;
        KCOM_TRACE(WARNING, "blocking wait on operation %p: not finished after %lu ms (suspected deadlock)",
                   operation, (unsigned long)waited);
    }
}

static void foreign_completed(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    kcom_platform_event *event = (kcom_platform_event *)context;
    (void)operation;
    (void)status;
    kcom_platform_event_set(event);
    kcom_platform_event_release(event);
}

/* An operation kcom did not make: its callback if free, else its status at intervals (waiting on
 * an event nobody sets is the one sleep every target has). */
static NTSTATUS block_on_foreign(IKcomAsyncOperation *operation, ULONG timeout_ms)
{
    kcom_platform_event *event = kcom_platform_event_create();
    kcom_async_status status = KCOM_ASYNC_STARTED;
    ULONG waited = 0, interval = 1;
    NTSTATUS result;
    if (event == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    kcom_platform_event_reference(event); /* the callback's */
    if (NT_SUCCESS(operation->lpVtbl->set_completed(operation, foreign_completed, event))) {
        result = watched_wait(event, timeout_ms, operation);
        kcom_platform_event_release(event);
        return result;
    }
    kcom_platform_event_release(event); /* the callback will never have it */
    for (;;) {
        if (!NT_SUCCESS(operation->lpVtbl->get_status(operation, &status)) || status != KCOM_ASYNC_STARTED) {
            result = STATUS_SUCCESS;
            break;
        }
        if (timeout_ms != KCOM_ASYNC_INFINITE && waited >= timeout_ms) {
            result = STATUS_TIMEOUT;
            break;
        }
        (void)kcom_platform_event_wait(event, interval);
        waited += interval;
        if (interval < 16)
            interval *= 2;
    }
    kcom_platform_event_release(event);
    return result;
}

static NTSTATUS block_on(IKcomAsyncOperation *operation, ULONG timeout_ms, BOOLEAN may_assert)
{
    kcom_async_op *op;
    block_waiter waiter;
    BOOLEAN finished;
    NTSTATUS status;

    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!kcom_platform_can_block()) {
        kcom_debug_options options;
        kcom_get_debug_options(&options);
        if (may_assert && options.assert_irql)
            kcom_fail_fast(KCOM_FAILFAST_IRQL, operation, KCOM_PLATFORM_DISPATCH_LEVEL, KCOM_PLATFORM_APC_LEVEL);
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (operation->lpVtbl != &kcom_async_op_vtbl)
        return block_on_foreign(operation, timeout_ms);
    op = (kcom_async_op *)(void *)operation;
    if (kcom_atomic_load(&op->word) & OP_FINISHED)
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
    status = watched_wait(waiter.event, timeout_ms, operation);
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

NTSTATUS kcom_async_block_on(IKcomAsyncOperation *operation, ULONG timeout_ms)
{
    return block_on(operation, timeout_ms, TRUE);
}

NTSTATUS kcom_async_try_block_on(IKcomAsyncOperation *operation, ULONG timeout_ms)
{
    return block_on(operation, timeout_ms, FALSE);
}
