/*
 * Events for the async layer in the Windows kernel (platform.h, "threads and events"): a
 * notification KEVENT in a reference-counted block from kcom's default allocator (non-paged:
 * kcom allocators serve IRQL <= DISPATCH_LEVEL), and the IRQL test for blocking.
 *
 * The kernel target has no threads, mutexes or condition variables of kcom's (no
 * threads_ntkernel.c, hence no thread pool and no timer service): the kernel executors stand in
 * for the pool, and timer_ntkernel.c for the timer service.
 */
#include "../platform.h"

#include <kcom/atomic.h>

KCOM_STATIC_ASSERT(sizeof(KEVENT) <= sizeof(kcom_platform_local_event) &&
                       KCOM_ALIGNOF(KEVENT) <= KCOM_ALIGNOF(kcom_platform_local_event),
                   "kcom_platform_local_event must hold a KEVENT");

static KEVENT *kevent_of(kcom_platform_local_event *event)
{
    return (KEVENT *)(void *)event;
}

/* A notification event (manual reset, stays set); it needs no teardown. */
NTSTATUS kcom_platform_local_event_init(kcom_platform_local_event *event)
{
    KeInitializeEvent(kevent_of(event), NotificationEvent, FALSE);
    return STATUS_SUCCESS;
}

void kcom_platform_local_event_destroy(kcom_platform_local_event *event)
{
    (void)event;
}

/* IRQL: <= DISPATCH_LEVEL (KeSetEvent with Wait FALSE). It signals under the dispatcher lock,
 * which the waiter needs to return from its wait: the waiter's frame outlives the set. */
void kcom_platform_local_event_set(kcom_platform_local_event *event)
{
    (void)KeSetEvent(kevent_of(event), IO_NO_INCREMENT, FALSE);
}

/* IRQL: < DISPATCH_LEVEL, or DISPATCH_LEVEL with timeout_ms 0 (a poll). A kernel wait's timeout is
 * relative when negative, in 100 ns units, and runs on interrupt time: it does not move with the
 * wall clock. */
NTSTATUS kcom_platform_local_event_wait(kcom_platform_local_event *event, ULONG timeout_ms)
{
    LARGE_INTEGER timeout;
    NTSTATUS status;
    timeout.QuadPart = -(LONGLONG)timeout_ms * 10000;
    status = KeWaitForSingleObject(kevent_of(event), Executive, KernelMode, FALSE,
                                   timeout_ms == 0xFFFFFFFFu ? NULL : &timeout);
    return status == STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_TIMEOUT;
}
