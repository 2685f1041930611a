/*
 * tracker_internal.h - how tasks are counted by their tracker (kcom/tracker.h).
 */
#ifndef KCOM_SRC_TRACKER_INTERNAL_H
#define KCOM_SRC_TRACKER_INTERNAL_H

#include <kcom/atomic.h>
#include <kcom/task.h>
#include <kcom/tracker.h>

#include "platform/platform.h"

/* Here rather than in tracker.c so that a begin counts its task inline (kcom_tracker_count). */
struct kcom_tracker {
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    LONG volatile count;
    LONG volatile cancelers; /* cancel-alls under way (in count too) */
    LONG volatile draining;
    LONG volatile generation; /* advanced as each cancel-all begins and ends (a task not listed */
                              /* yet compares it) */
    kcom_platform_local_event idle; /* set when count reaches zero */
    kcom_platform_spin_lock lock;
    kcom_task_link live;     /* circular lists of counted tasks: not canceled by cancel-all yet */
    kcom_task_link canceled; /* and already canceled */
};

/* Counts a task whose first poll on its caller left it pending and lists it (task->tracked), under
 * the lock: STATUS_SUCCESS, or STATUS_DELETE_PENDING once draining (nothing counted). Its owner
 * must be whole: a cancel-all may retain and cancel it as soon as it is listed; one under way
 * cancels it here (KCOM_TASK_OWNER, outside the lock: the caller holds a reference).
 * IRQL: <= DISPATCH_LEVEL. */
NTSTATUS kcom_tracker_enter(kcom_tracker *tracker, kcom_task *task);
/* Uncounts a task whose work has ended; the last one of a draining tracker wakes the drain.
 * After it returns the caller must not touch anything the driver's unload frees.
 * IRQL: <= DISPATCH_LEVEL. */
void kcom_tracker_leave(kcom_tracker *tracker);

/* A task not listed (counted at its begin) keeps in its prev the generation it saw. */
static KCOM_FORCEINLINE void kcom_tracked_set_generation(kcom_task *task, LONG generation)
{
    task->tracked.prev = (kcom_task_link *)(ULONG_PTR)(ULONG)generation;
}
static KCOM_FORCEINLINE LONG kcom_tracked_generation(const kcom_task *task)
{
    return (LONG)(ULONG_PTR)task->tracked.prev;
}

/* Counts a task being begun, without listing it or taking the lock: STATUS_SUCCESS, or
 * STATUS_DELETE_PENDING once draining, the task counted all the same: the caller leaves
 * (kcom_tracker_leave) once it no longer needs its arguments, so that a begin's refusal is one
 * jump and its usual path makes no call (inline). The task keeps the cancel-alls' generation in
 * task->tracked until it is listed. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE NTSTATUS kcom_tracker_count(kcom_tracker *tracker, kcom_task *task)
{
    /* Read before the count: any cancel-all whose walk could miss the task, one that begins after
     * this or that is walking now, advances the generation after this read (at its end for the
     * second); and a drain's, which begins after draining is set, then finds draining set below,
     * since this read came first (a value read after draining was set would not be) */
    LONG seen = kcom_atomic_load(&tracker->generation);
    /* a full barrier before draining is read: a drain sets draining before it reads the count
     * (tracker_drain), so either it waits for this task or this sees it and leaves again */
    kcom_atomic_fetch_add(&tracker->count, 1);
    if (KCOM_UNLIKELY(kcom_atomic_load(&tracker->draining)))
        return STATUS_DELETE_PENDING;
    task->tracked.next = NULL; /* not listed */
    kcom_tracked_set_generation(task, seen);
    return STATUS_SUCCESS;
}

/* Before the first poll of a task counted, not listed: cancels it (KCOM_TASK_OWNER) when a
 * cancel-all began since it was counted (or checked last), or is under way, which did not find
 * it. The caller holds a reference. IRQL: <= DISPATCH_LEVEL. */
void kcom_tracker_cancel_missed(kcom_tracker *tracker, kcom_task *task);
/* Lists a task counted, not listed, before it can be left waiting (its commit, or after a first poll
 * on its caller that left it pending), and cancels it (KCOM_TASK_OWNER, outside the lock) if a
 * cancel-all began since it was counted or checked, or is under way. The caller holds a reference.
 * IRQL: <= DISPATCH_LEVEL. */
void kcom_tracker_list(kcom_tracker *tracker, kcom_task *task);
/* Takes a counted task out of the list, if it is in it (without the lock if not; again does
 * nothing): before its memory can go. It stays counted until kcom_tracker_leave.
 * IRQL: <= DISPATCH_LEVEL. */
void kcom_tracker_unlink(kcom_tracker *tracker, kcom_task *task);

#endif /* KCOM_SRC_TRACKER_INTERNAL_H */
