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
 * canceling outside it. A task is listed only once it can be left waiting, and only once its owner
 * is whole (a reference, a status word: what cancel-all reads):
 *  - a task that goes pending at its first poll on its caller (an async method's call,
 *    kcom_async_run) is counted and listed then, under the lock, by enter, which checks draining
 *    there; the drain sets draining under it before its cancel-all, so a drain's cancel misses no
 *    task it counts: the task was listed before, or it sees draining and is refused. A cancel-all
 *    under way, which may have walked the list for the last time, has enter cancel the task;
 *  - a task begun (kcom_async_spawn_begin*), which its caller may hand to others before its first
 *    poll, is counted at its begin, without the lock (count), and listed at its commit, or when its
 *    first poll on its caller leaves it pending (list): work ready at that poll never takes the
 *    lock. Until it is listed no cancel-all finds it, so each cancel-all advances a generation
 *    before its walk and again at its end, which the task read just before it was counted: at its
 *    first poll on its caller and when listed, a task that sees another (or a cancel-all under
 *    way) cancels itself.
 * A task leaves the list before its memory can go (task_end, or the destruction of an unfinished
 * task), and the count after it has let go of everything. Its owner reads whether it is listed
 * without the lock (only it lists it or takes it out, and a cancel-all moving it between the lists
 * keeps its next pointer set), so every store to a next pointer of the lists is atomic.
 */
#include <kcom/atomic.h>

#include "sched/task_internal.h"
#include "sched/task_queue.h"
#include "sched/tracker_internal.h"

#include "internal.h"
#include "platform/platform.h"

#define TASK_FROM_TRACKED(node) ((kcom_task *)(void *)((char *)(node) - offsetof(kcom_task, tracked)))

/* Where another thread's step may fall between two of this file's: nothing here. A test that
 * includes this file defines it to hold a thread there (tests/executors/test_tracker_windows.c). */
#ifndef KCOM_TRACKER_WINDOW_
#define KCOM_TRACKER_WINDOW_(tracker, where) ((void)0)
#endif

/* ---- the lists, whose next pointers a task's owner reads without the lock ------------------------------- */

static KCOM_FORCEINLINE void tracked_set_next(kcom_task_link *node, kcom_task_link *next)
{
    kcom_atomic_store_ptr((void *volatile *)(void *)&node->next, next);
}

static void tracked_append(kcom_task_link *head, kcom_task_link *node)
{
    tracked_set_next(node, head);
    node->prev = head->prev;
    tracked_set_next(head->prev, node);
    head->prev = node;
}

/* Takes node out of its list, its own links left as they were. */
static void tracked_cut(kcom_task_link *node)
{
    tracked_set_next(node->prev, node->next);
    node->next->prev = node->prev;
}

/* Whether a cancel-all began since task saw generation seen, or is under way. cancelers first: a
 * cancel-all advances the generation before it stops counting itself there, so a reader that
 * finds it no longer under way finds the generation it left. */
static KCOM_FORCEINLINE BOOLEAN tracker_canceled_since(kcom_tracker *tracker, LONG seen)
{
    BOOLEAN under_way = (BOOLEAN)(kcom_atomic_load(&tracker->cancelers) != 0);
    KCOM_TRACKER_WINDOW_(tracker, 1);
    return (BOOLEAN)(under_way || kcom_atomic_load(&tracker->generation) != seen);
}

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
    t->generation = 0;
    kcom_platform_spin_lock_init(&t->lock);
    kcom_link_init(&t->live);
    kcom_link_init(&t->canceled);
    *tracker = t;
    return STATUS_SUCCESS;
}

NTSTATUS kcom_tracker_enter(kcom_tracker *tracker, kcom_task *task)
{
    BOOLEAN under_way;
    UCHAR irql = kcom_platform_spin_lock_acquire(&tracker->lock);
    if (kcom_atomic_load(&tracker->draining)) {
        kcom_platform_spin_lock_release(&tracker->lock, irql);
        return STATUS_DELETE_PENDING;
    }
    kcom_atomic_fetch_add(&tracker->count, 1);
    /* a cancel-all under way may have walked the list for the last time: canceled here */
    under_way = (BOOLEAN)(kcom_atomic_load(&tracker->cancelers) != 0);
    tracked_append(under_way ? &tracker->canceled : &tracker->live, &task->tracked);
    kcom_platform_spin_lock_release(&tracker->lock, irql);
    if (under_way)
        KCOM_TASK_OWNER->cancel(task);
    return STATUS_SUCCESS;
}

void kcom_tracker_cancel_missed(kcom_tracker *tracker, kcom_task *task)
{
    LONG now = kcom_atomic_load(&tracker->generation);
    if (!tracker_canceled_since(tracker, kcom_tracked_generation(task)))
        return;
    kcom_tracked_set_generation(task, now);
    KCOM_TASK_OWNER->cancel(task);
}

void kcom_tracker_list(kcom_tracker *tracker, kcom_task *task)
{
    LONG seen = kcom_tracked_generation(task);
    UCHAR irql = kcom_platform_spin_lock_acquire(&tracker->lock);
    /* under the lock: a cancel-all that began after this reads the list after it, and finds it */
    BOOLEAN missed = tracker_canceled_since(tracker, seen);
    tracked_append(missed ? &tracker->canceled : &tracker->live, &task->tracked);
    kcom_platform_spin_lock_release(&tracker->lock, irql);
    if (missed)
        KCOM_TASK_OWNER->cancel(task);
}

void kcom_tracker_unlink(kcom_tracker *tracker, kcom_task *task)
{
    UCHAR irql;
    if (kcom_atomic_load_ptr((void *volatile *)(void *)&task->tracked.next) == NULL)
        return; /* never listed (ready at its first poll on its caller), or taken out before */
    irql = kcom_platform_spin_lock_acquire(&tracker->lock);
    tracked_cut(&task->tracked);
    tracked_set_next(&task->tracked, NULL);
    task->tracked.prev = NULL;
    kcom_platform_spin_lock_release(&tracker->lock, irql);
}

NTSTATUS kcom_tracker_cancel_all(kcom_tracker *tracker)
{
    if (tracker == NULL)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_fetch_add(&tracker->cancelers, 1);
    kcom_atomic_fetch_add(&tracker->count, 1); /* a drain waits for this call's leave */
    kcom_atomic_fetch_add(&tracker->generation, 1); /* before the list is read (kcom_tracker_count) */
    for (;;) {
        kcom_task *task;
        BOOLEAN retained;
        UCHAR irql = kcom_platform_spin_lock_acquire(&tracker->lock);
        if (tracker->live.next == &tracker->live) {
            kcom_platform_spin_lock_release(&tracker->lock, irql);
            KCOM_TRACKER_WINDOW_(tracker, 2);
            /* and again before it is no longer under way: a task counted while it walked, and
             * listed after, sees one or the other (tracker_canceled_since) */
            kcom_atomic_fetch_add(&tracker->generation, 1);
            kcom_atomic_fetch_add(&tracker->cancelers, -1);
            kcom_tracker_leave(tracker); /* the last touch */
            return STATUS_SUCCESS;
        }
        task = TASK_FROM_TRACKED(tracker->live.next);
        tracked_cut(&task->tracked);
        tracked_append(&tracker->canceled, &task->tracked);
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
