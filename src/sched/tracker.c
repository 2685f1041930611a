/*
 * tracker.c - outstanding-task counting and the drain before unload (kcom/tracker.h).
 *
 * count is 1 + the tasks counted + the cancel-alls under way: the 1 is the tracker's own bias,
 * released once by the first drain, so the count reaches zero after draining began and the last
 * task and cancel-all left; that leave sets the idle event. A cancel-all is counted because
 * canceling the last task may end a drain on another thread, whose caller then frees the tracker:
 * its own leave, after its last look at the list, is its last touch.
 *
 * The counted tasks are also in a list (through kcom_task.tracked, no allocation) under a spin
 * lock, so that they can be canceled: cancel-all moves them one at a time from live to canceled,
 * taking a reference under the lock (unless the task's owner is already being destroyed) and
 * canceling outside it. enter checks draining, counts and lists the task under that lock, and the
 * drain sets draining under it before its cancel-all, so a drain's cancel misses no task it
 * counts: the task was listed before, or it sees draining and is refused. A task is listed only
 * once its owner is whole (a reference, a status word: what cancel-all reads). A task leaves the
 * list before its memory can go (task_end, or the destruction of an unfinished task), and the
 * count after it has let go of everything.
 */
#include <kcom/atomic.h>

#include "sched/task_internal.h"
#include "sched/task_queue.h"
#include "sched/tracker_internal.h"

#include "internal.h"
#include "platform/platform.h"

struct kcom_tracker {
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    LONG volatile count;
    LONG volatile cancelers; /* cancel-alls under way (in count too) */
    LONG volatile draining;
    kcom_platform_local_event idle; /* set when count reaches zero */
    kcom_platform_spin_lock lock;
    kcom_task_link live;     /* circular lists of counted tasks: not canceled by cancel-all yet */
    kcom_task_link canceled; /* and already canceled */
};

#define TASK_FROM_TRACKED(node) ((kcom_task *)(void *)((char *)(node) - offsetof(kcom_task, tracked)))

NTSTATUS kcom_tracker_create(kcom_tracker **tracker)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_tracker *t;
    if (tracker == NULL)
        return STATUS_INVALID_PARAMETER;
    *tracker = NULL;
    t = (kcom_tracker *)kcom_allocate(allocator, sizeof(*t), KCOM_ALIGNOF(kcom_tracker));
    if (t == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    t->allocator = allocator;
    if (!NT_SUCCESS(kcom_platform_local_event_init(&t->idle))) {
        kcom_free(allocator, t, sizeof(*t), KCOM_ALIGNOF(kcom_tracker));
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    t->count = 1;
    t->cancelers = 0;
    t->draining = 0;
    kcom_platform_spin_lock_init(&t->lock);
    kcom_link_init(&t->live);
    kcom_link_init(&t->canceled);
    *tracker = t;
    return STATUS_SUCCESS;
}

NTSTATUS kcom_tracker_enter(kcom_tracker *tracker, kcom_task *task)
{
    UCHAR irql = kcom_platform_spin_lock_acquire(&tracker->lock);
    if (kcom_atomic_load(&tracker->draining)) {
        kcom_platform_spin_lock_release(&tracker->lock, irql);
        return STATUS_DELETE_PENDING;
    }
    kcom_atomic_fetch_add(&tracker->count, 1);
    kcom_link_append(&tracker->live, &task->tracked);
    kcom_platform_spin_lock_release(&tracker->lock, irql);
    return STATUS_SUCCESS;
}

void kcom_tracker_unlink(kcom_tracker *tracker, kcom_task *task)
{
    UCHAR irql = kcom_platform_spin_lock_acquire(&tracker->lock);
    if (task->tracked.next != NULL)
        kcom_link_remove(&task->tracked);
    kcom_platform_spin_lock_release(&tracker->lock, irql);
}

NTSTATUS kcom_tracker_cancel_all(kcom_tracker *tracker)
{
    if (tracker == NULL)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_fetch_add(&tracker->cancelers, 1);
    kcom_atomic_fetch_add(&tracker->count, 1); /* a drain waits for this call's leave */
    for (;;) {
        kcom_task *task;
        BOOLEAN retained;
        UCHAR irql = kcom_platform_spin_lock_acquire(&tracker->lock);
        if (tracker->live.next == &tracker->live) {
            kcom_platform_spin_lock_release(&tracker->lock, irql);
            kcom_atomic_fetch_add(&tracker->cancelers, -1);
            kcom_tracker_leave(tracker); /* the last touch */
            return STATUS_SUCCESS;
        }
        task = TASK_FROM_TRACKED(tracker->live.next);
        kcom_link_remove(&task->tracked);
        kcom_link_append(&tracker->canceled, &task->tracked);
        /* linked, so its memory is there; its owner may be on its way out (no reference left) */
        retained = KCOM_TASK_OWNER->try_retain(task);
        kcom_platform_spin_lock_release(&tracker->lock, irql);
        if (retained) {
            KCOM_TASK_OWNER->cancel(task); /* outside the lock: it may end the task right here */
            KCOM_TASK_OWNER->release(task);
        }
    }
}

void kcom_tracker_leave(kcom_tracker *tracker)
{
    if (kcom_atomic_fetch_add(&tracker->count, -1) != 1)
        return;
    /* The drain may return, and the driver free the tracker, as soon as the event is set: the set
     * is the last touch, which a local event allows. */
    kcom_platform_local_event_set(&tracker->idle);
}

/* Refuses new tasks from now: TRUE for the first call. Under the lock, so that an enter either
 * lists its task before (where the cancel-all after this finds it) or is refused. */
static BOOLEAN tracker_begin_draining(kcom_tracker *tracker)
{
    UCHAR irql = kcom_platform_spin_lock_acquire(&tracker->lock);
    LONG was = kcom_atomic_exchange(&tracker->draining, 1);
    kcom_platform_spin_lock_release(&tracker->lock, irql);
    return (BOOLEAN)(was == 0);
}

static NTSTATUS tracker_drain(kcom_tracker *tracker, ULONG timeout_ms, BOOLEAN cancel)
{
    NTSTATUS status;
    if (tracker == NULL)
        return STATUS_INVALID_PARAMETER;
    /* PASSIVE_LEVEL, not only a level that may wait: the DPC flush at the end is for it alone */
    if (kcom_platform_irql() != KCOM_PLATFORM_PASSIVE_LEVEL)
        return STATUS_INVALID_DEVICE_STATE;
    if (tracker_begin_draining(tracker))
        kcom_tracker_leave(tracker); /* the bias: from now on zero means drained */
    if (cancel)
        (void)kcom_tracker_cancel_all(tracker); /* after draining began: nothing new joins */
    status = kcom_platform_local_event_wait(&tracker->idle, timeout_ms);
    if (status != STATUS_SUCCESS)
        return status;
    /* The last tasks ended inside DPC routines that may still be running their tails, and
     * executors may have DPCs queued with nothing left to do: let every one of them finish. */
    kcom_platform_dpc_flush();
    return STATUS_SUCCESS;
}

NTSTATUS kcom_tracker_drain(kcom_tracker *tracker, ULONG timeout_ms)
{
    return tracker_drain(tracker, timeout_ms, FALSE);
}

NTSTATUS kcom_tracker_cancel_and_drain(kcom_tracker *tracker, ULONG timeout_ms)
{
    return tracker_drain(tracker, timeout_ms, TRUE);
}

LONG kcom_tracker_outstanding(const kcom_tracker *tracker)
{
    LONG count;
    if (tracker == NULL)
        return 0;
    /* the tasks: without the cancel-alls under way (a snapshot, as the count itself is) */
    count = kcom_atomic_load((LONG volatile *)&tracker->count) - kcom_atomic_load((LONG volatile *)&tracker->cancelers);
    /* the bias counts until the first drain */
    if (!kcom_atomic_load((LONG volatile *)&tracker->draining))
        count--;
    return count > 0 ? count : 0;
}

void kcom_tracker_destroy(kcom_tracker *tracker)
{
    if (tracker == NULL)
        return;
    if (kcom_tracker_outstanding(tracker) != 0) {
        KCOM_TRACE(ERROR, "tracker %p destroyed with %ld outstanding tasks: left allocated", (void *)tracker,
                   (long)kcom_tracker_outstanding(tracker));
        return;
    }
    /* Once draining, the last task's leave reaches zero and then sets idle: its set is its last
     * touch, so the tracker is free only once idle is set (a drain that succeeded saw it set). */
    if (kcom_atomic_load(&tracker->draining) &&
        kcom_platform_local_event_wait(&tracker->idle, kcom_platform_can_block() ? KCOM_TRACKER_INFINITE : 0) !=
            STATUS_SUCCESS) {
        KCOM_TRACE(ERROR, "tracker %p destroyed at DISPATCH_LEVEL while its last task was leaving: left allocated",
                   (void *)tracker);
        return;
    }
    kcom_platform_local_event_destroy(&tracker->idle);
    kcom_free(tracker->allocator, tracker, sizeof(*tracker), KCOM_ALIGNOF(kcom_tracker));
}
