/*
 * tracker_internal.h - how tasks are counted by their tracker (kcom/tracker.h).
 */
#ifndef KCOM_SRC_TRACKER_INTERNAL_H
#define KCOM_SRC_TRACKER_INTERNAL_H

#include <kcom/task.h>
#include <kcom/tracker.h>

/* Counts a task whose first poll on its caller left it pending and lists it (task->tracked), under
 * the lock: STATUS_SUCCESS, or STATUS_DELETE_PENDING once draining (nothing counted). Its owner
 * must be whole: a cancel-all may retain and cancel it as soon as it is listed; one under way
 * cancels it here (KCOM_TASK_OWNER, outside the lock: the caller holds a reference).
 * IRQL: <= DISPATCH_LEVEL. */
NTSTATUS kcom_tracker_enter(kcom_tracker *tracker, kcom_task *task);
/* Counts a task being begun, without listing it or taking the lock: STATUS_SUCCESS, or
 * STATUS_DELETE_PENDING once draining (nothing counted). The task keeps the cancel-alls' generation
 * in task->tracked until it is listed. IRQL: <= DISPATCH_LEVEL. */
NTSTATUS kcom_tracker_count(kcom_tracker *tracker, kcom_task *task);
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
/* Uncounts a task whose work has ended; the last one of a draining tracker wakes the drain.
 * After it returns the caller must not touch anything the driver's unload frees.
 * IRQL: <= DISPATCH_LEVEL. */
void kcom_tracker_leave(kcom_tracker *tracker);

#endif /* KCOM_SRC_TRACKER_INTERNAL_H */
