/*
 * block_on.c - waiting for an operation on a platform event.
 *
 * A kcom operation: the waiter's node and its event live in this frame (no allocation), the node
 * in the operation's list of waiters (operation.c); its fire sets the event, after which the
 * finisher touches neither. On a timeout the node is taken out; if the finisher already took it,
 * its fire is under way and the wait goes on until the event is set, so no fire ever reads a dead
 * frame. The operation's finisher runs the completion callback before it fires any waiter, and
 * waiters register until the callback has returned (OP_CALLING): when block_on returns
 * STATUS_SUCCESS, a callback registered before the finish has returned.
 *
 * An operation implemented by someone else offers no way to wait that can be taken back (its
 * one completion callback cannot be unregistered): its status is looked at, at intervals.
 */
#include <kcom/debug.h>

#include "async/async_internal.h"
#include "internal.h"
#include "platform/platform.h"

typedef struct block_waiter {
    kcom_async_waiter waiter;
    kcom_platform_local_event event;
} block_waiter;

static kcom_waker block_fire(kcom_async_waiter *waiter)
{
    kcom_waker none = {NULL};
    /* the blocked thread may return once the event is set: the waiter is not touched after */
    kcom_platform_local_event_set(&((block_waiter *)(void *)waiter)->event);
    return none;
}

/* The debug watchdog's report of a wait that has lasted waited ms. */
static void report_long_wait(const void *operation, ULONG64 waited)
{
    KCOM_TRACE(WARNING, "blocking wait on operation %p: not finished after %lu ms (suspected deadlock)", operation,
               (unsigned long)waited);
}

/* Waits for event up to timeout_ms, in watchdog periods (watchdog_ms, read once by the caller;
 * 0: off, one wait), tracing each period that passes without the event. The time waited is read
 * on the clock: each wait of a period lasts a little longer than the period (a clock tick, in the
 * kernel), and their sum would let the wait run past timeout_ms and the reports fall behind. */
static KCOM_FORCEINLINE NTSTATUS watched_wait(kcom_platform_local_event *event, ULONG timeout_ms, ULONG watchdog_ms,
                                              const void *operation)
{
    ULONG64 start, waited = 0;
    if (watchdog_ms == 0)
        return kcom_platform_local_event_wait(event, timeout_ms);
    start = kcom_platform_monotonic_ms();
    for (;;) {
        ULONG slice = watchdog_ms;
        NTSTATUS status;
        if (timeout_ms != KCOM_ASYNC_INFINITE && timeout_ms - waited < slice)
            slice = (ULONG)(timeout_ms - waited);
        status = kcom_platform_local_event_wait(event, slice);
        if (status != STATUS_TIMEOUT)
            return status;
        waited = kcom_platform_monotonic_ms() - start;
        if (timeout_ms != KCOM_ASYNC_INFINITE && waited >= timeout_ms)
            return STATUS_TIMEOUT;
        report_long_wait(operation, waited);
    }
}

/* An operation kcom did not make: its status at growing intervals, up to 16 ms. Registers
 * nothing on it, so nothing is left behind after a timeout; a failing get_status is the answer.
 * The watchdog traces each of its periods that passes, as watched_wait does. */
static NTSTATUS block_on_foreign(IKcomAsyncOperation *operation, ULONG timeout_ms)
{
    ULONG64 start = kcom_platform_monotonic_ms();
    ULONG interval = 1;
    ULONG watchdog_ms = kcom_rt_debug_watchdog_ms();
    ULONG64 next_report = watchdog_ms;
    for (;;) {
        kcom_async_status status = KCOM_ASYNC_STARTED;
        NTSTATUS result = operation->lpVtbl->get_status(operation, &status);
        ULONG64 waited;
        if (!NT_SUCCESS(result))
            return result;
        if (status != KCOM_ASYNC_STARTED)
            return STATUS_SUCCESS;
        waited = kcom_platform_monotonic_ms() - start;
        if (timeout_ms != KCOM_ASYNC_INFINITE && waited >= timeout_ms)
            return STATUS_TIMEOUT;
        if (watchdog_ms != 0 && waited >= next_report) {
            report_long_wait(operation, waited);
            next_report = waited + watchdog_ms;
        }
        kcom_platform_sleep_ms(interval);
        if (interval < 16)
            interval *= 2;
    }
}

/* Waits until the fire has set event: the waiter is registered, or its fire is under way and reads
 * it until then. A platform wait that gives up all the same (win32's and the kernel's report any
 * failure as STATUS_TIMEOUT) is waited again: returning would leave the waiter to a dead frame. */
static KCOM_FORCEINLINE NTSTATUS wait_fired(kcom_platform_local_event *event)
{
    NTSTATUS status;
    do
        status = kcom_platform_local_event_wait(event, KCOM_ASYNC_INFINITE);
    while (status == STATUS_TIMEOUT);
    return status;
}

/* The wait of a registered waiter with a timeout, or under the watchdog: on a timeout the waiter
 * is taken out, unless the finisher already took it (its fire is under way and still reads the
 * waiter: the wait goes on until the event is set). */
static KCOM_NOINLINE NTSTATUS block_watched(kcom_async_op *op, block_waiter *waiter, ULONG timeout_ms,
                                            ULONG watchdog_ms)
{
    NTSTATUS status = watched_wait(&waiter->event, timeout_ms, watchdog_ms, op);
    if (status == STATUS_TIMEOUT && !kcom_async_op_remove_waiter(op, &waiter->waiter)) {
        (void)wait_fired(&waiter->event);
        status = STATUS_SUCCESS;
    }
    return status;
}

static KCOM_FORCEINLINE NTSTATUS block_on(IKcomAsyncOperation *operation, ULONG timeout_ms, BOOLEAN may_assert)
{
    kcom_async_op *op;
    block_waiter waiter;
    ULONG watchdog_ms;
    NTSTATUS status;

    if (operation == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!kcom_platform_can_block()) {
        if (may_assert && kcom_rt_debug_asserts_irql())
            kcom_fail_fast_because(KCOM_FAILFAST_IRQL, operation, kcom_platform_irql(), KCOM_PLATFORM_APC_LEVEL,
                                   __FILE__, __LINE__,
                                   "kcom_async_block_on at IRQL %u: a blocking wait needs IRQL <= %u (operation %p)",
                                   (unsigned)kcom_platform_irql(), (unsigned)KCOM_PLATFORM_APC_LEVEL,
                                   (void *)operation);
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!kcom_rt_async_op_is_kcom(operation))
        return block_on_foreign(operation, timeout_ms);
    op = (kcom_async_op *)(void *)operation;
    if (kcom_async_op_released(kcom_atomic_load(&op->word)))
        return STATUS_SUCCESS;
    waiter.waiter.fire = block_fire;
    waiter.waiter.next = NULL;
    waiter.waiter.pprev = NULL;
    status = kcom_platform_local_event_init(&waiter.event);
    if (!NT_SUCCESS(status))
        return status;
    if (!kcom_async_op_add_waiter(op, &waiter.waiter)) {
        kcom_platform_local_event_destroy(&waiter.event); /* finished meanwhile: no fire */
        return STATUS_SUCCESS;
    }
    /* the usual wait, without a limit or the watchdog, ends only with the fire */
    watchdog_ms = kcom_rt_debug_watchdog_ms();
    if (timeout_ms == KCOM_ASYNC_INFINITE && watchdog_ms == 0)
        status = wait_fired(&waiter.event);
    else
        status = block_watched(op, &waiter, timeout_ms, watchdog_ms);
    kcom_platform_local_event_destroy(&waiter.event);
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
