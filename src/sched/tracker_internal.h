/*
 * tracker_internal.h - how tasks are counted by their tracker (kcom/tracker.h).
 */
#ifndef KCOM_SRC_TRACKER_INTERNAL_H
#define KCOM_SRC_TRACKER_INTERNAL_H

#include <kcom/task.h>
#include <kcom/tracker.h>

/* Counts a task being spawned and puts it in the tracker's list (task->tracked): STATUS_SUCCESS,
 * or STATUS_DELETE_PENDING once draining (nothing counted). Its owner must be whole: a cancel-all
 * may retain and cancel it as soon as it is listed. IRQL: <= DISPATCH_LEVEL. */
NTSTATUS kcom_tracker_enter(kcom_tracker *tracker, kcom_task *task);
/* Takes a counted task out of the list (once; again does nothing): before its memory can go.
 * It stays counted until kcom_tracker_leave. IRQL: <= DISPATCH_LEVEL. */
void kcom_tracker_unlink(kcom_tracker *tracker, kcom_task *task);
/* Uncounts a task whose work has ended; the last one of a draining tracker wakes the drain.
 * After it returns the caller must not touch anything the driver's unload frees.
 * IRQL: <= DISPATCH_LEVEL. */
void kcom_tracker_leave(kcom_tracker *tracker);

#endif /* KCOM_SRC_TRACKER_INTERNAL_H */
