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

struct kcom_platform_event {
    KEVENT event; /* NotificationEvent: manual reset, stays set */
    LONG volatile refs;
    const kcom_allocator *allocator; /* the default allocator at creation, which frees it */
};

/* IRQL: <= DISPATCH_LEVEL (what kcom's allocators serve). */
kcom_platform_event *kcom_platform_event_create(void)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_platform_event *event = (kcom_platform_event *)kcom_allocate(allocator, sizeof(*event),
                                                                      KCOM_ALIGNOF(kcom_platform_event));
    if (event == NULL)
        return NULL;
    KeInitializeEvent(&event->event, NotificationEvent, FALSE);
    event->refs = 1;
    event->allocator = allocator;
    return event;
}

void kcom_platform_event_reference(kcom_platform_event *event)
{
    kcom_atomic_fetch_add(&event->refs, 1);
}

/* The last release frees the block: nobody waits on it any more (a waiter holds a reference),
 * and the KEVENT needs no teardown. */
void kcom_platform_event_release(kcom_platform_event *event)
{
    if (kcom_atomic_fetch_add(&event->refs, -1) == 1)
        kcom_free(event->allocator, event, sizeof(*event), KCOM_ALIGNOF(kcom_platform_event));
}

/* IRQL: <= DISPATCH_LEVEL (KeSetEvent with Wait FALSE). */
void kcom_platform_event_set(kcom_platform_event *event)
{
    (void)KeSetEvent(&event->event, IO_NO_INCREMENT, FALSE);
}

/* IRQL: < DISPATCH_LEVEL, or DISPATCH_LEVEL with timeout_ms 0 (a poll). A kernel wait's timeout is
 * relative when negative, in 100 ns units, and runs on interrupt time: it does not move with the
 * wall clock. */
NTSTATUS kcom_platform_event_wait(kcom_platform_event *event, ULONG timeout_ms)
{
    LARGE_INTEGER timeout;
    NTSTATUS status;
    timeout.QuadPart = -(LONGLONG)timeout_ms * 10000;
    status = KeWaitForSingleObject(&event->event, Executive, KernelMode, FALSE,
                                   timeout_ms == 0xFFFFFFFFu ? NULL : &timeout);
    return status == STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_TIMEOUT;
}

BOOLEAN kcom_platform_can_block(void)
{
    return KeGetCurrentIrql() < DISPATCH_LEVEL ? TRUE : FALSE;
}
