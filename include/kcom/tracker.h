/*
 * kcom/tracker.h - counting a driver's outstanding tasks, and draining them before unload.
 *
 * A tracker counts the tasks spawned on executors that were created with it (the DPC and
 * work-item executors, kcom/dpc_executor.h and kcom/work_item_executor.h, take one in their
 * configuration; a class's executor counts its pending async calls, and kcom_async_run and
 * _run_in count theirs once their first poll leaves them pending): a task counts from its spawn
 * until its work has ended: it returned or was dropped, its cleanup ran, its operation finished
 * (the completion callback has returned) and the executor let go of the operation. So when a
 * drain returns, every callback of a tracked task has run.
 * kcom_tracker_drain, called from DriverUnload, refuses new tasks, waits for the count to reach
 * zero and then flushes the DPCs queued on every processor, so that no kcom DPC routine is still
 * running driver code when the image goes away. It is a counter and an event, not rundown
 * protection (which Wine's ntoskrnl lacks).
 *
 * The tracker also keeps its tasks in a list (through the task, no allocation), so that it can
 * cancel them all: a task waiting for something that will never come (an event nobody sets)
 * would otherwise hold unload forever. A task is listed once it can be left waiting: one begun by
 * kcom_async_spawn_begin* (counted from the begin without a lock) at its commit, or when its first
 * poll on its caller (kcom_async_spawn_run) leaves it pending; so a begin + run whose work is ready
 * at once never takes the tracker's lock.
 *
 * The unload recipe (docs/executors.md):
 *     kcom_tracker_cancel_and_drain(tracker, timeout)   refuse new tasks, cancel, wait (bounded)
 *     kcom_xxx_executor_destroy(...)                    each executor created with the tracker
 *     kcom_tracker_destroy(tracker)
 */
#ifndef KCOM_TRACKER_H
#define KCOM_TRACKER_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/status.h>

typedef struct kcom_tracker kcom_tracker;

KCOM_BEGIN_DECLS

/*
 * kcom_tracker_create - a tracker with no task, accepting tasks. Allocated from the default
 * allocator of the moment (kcom/allocator.h), which kcom_tracker_destroy frees it to.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL tracker); STATUS_INSUFFICIENT_RESOURCES.
 * *tracker is NULL on failure.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_tracker_create(_Outptr_ kcom_tracker **tracker);

/*
 * kcom_tracker_drain - stops accepting tasks (a spawn on an executor of this tracker then ends in
 * an error operation with STATUS_DELETE_PENDING), waits until no task is outstanding or
 * timeout_ms has passed (KCOM_TRACKER_INFINITE: no limit), then flushes the DPCs queued on every
 * processor. May be called again after a timeout (for example after canceling what is left); again
 * after a success, it finds nothing outstanding and succeeds (the tracker keeps refusing spawns).
 * Not from a task the tracker counts: the drain would wait for the task that is waiting (with
 * KCOM_TRACKER_INFINITE, forever; otherwise until timeout_ms, STATUS_TIMEOUT). A driver that
 * unloads from a task hands the drain to a thread of its own (for example IRP_MN_REMOVE_DEVICE's).
 * IRQL: PASSIVE_LEVEL.
 * Returns STATUS_SUCCESS (nothing outstanding, DPCs flushed); STATUS_TIMEOUT (tasks remain:
 * kcom_tracker_outstanding says how many; the driver must not unload); STATUS_INVALID_PARAMETER
 * (NULL); STATUS_INVALID_DEVICE_STATE (called above PASSIVE_LEVEL: its DPC flush,
 * KeFlushQueuedDpcs, is for PASSIVE_LEVEL only).
 */
#define KCOM_TRACKER_INFINITE 0xFFFFFFFFUL
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_tracker_drain(_In_ kcom_tracker *tracker, _In_ ULONG timeout_ms);

/*
 * kcom_tracker_cancel_all - cancels every task the tracker counts now, as
 * IKcomAsyncOperation_cancel on its operation does: each task sees the request at its next poll (a
 * task waiting on an awaitable is woken for it) and ends as it chooses, normally with
 * STATUS_CANCELLED. A task begun (kcom_async_spawn_begin*) and not yet committed or run is canceled
 * when it is, before its first poll (its operation reads Started until then); one in its first poll
 * on its caller, as soon as that poll leaves it pending (a task tells that a cancel-all came by a
 * 32-bit generation, which wraps: one left begun across exactly a multiple of 2^31 cancel-alls
 * would miss them). A task's drop and completion callback may run on this thread (an executor that
 * refuses the wake): do not call it holding a lock they take. Tasks spawned while it runs are
 * canceled too, unless draining refuses them first. A drain on another thread waits for it to
 * return (it may end the last task the drain waits for, and the drain's caller then destroys the
 * tracker). No allocation.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER (NULL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_tracker_cancel_all(_In_ kcom_tracker *tracker);

/*
 * kcom_tracker_cancel_and_drain - kcom_tracker_drain that cancels what remains: refuses new tasks,
 * then kcom_tracker_cancel_all, then waits and flushes as kcom_tracker_drain does. A task that
 * ignores cancellation still holds the drain until timeout_ms.
 * IRQL: PASSIVE_LEVEL.
 * Returns what kcom_tracker_drain returns.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_tracker_cancel_and_drain(_In_ kcom_tracker *tracker, _In_ ULONG timeout_ms);

/* kcom_tracker_outstanding - tasks counted now (a snapshot: a begin that a draining tracker refuses
 * counts for an instant); 0 for NULL. IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
LONG kcom_tracker_outstanding(_In_opt_ const kcom_tracker *tracker);

/*
 * kcom_tracker_destroy - frees a tracker that has no outstanding task (after a successful
 * drain, or one that never counted a task); a NULL tracker is ignored. Destroying a tracker with
 * outstanding tasks is a programming error: the tracker is then left allocated (leaked, and
 * traced as an error) rather than freed under the tasks that still refer to it. After a drain
 * that timed out, the last task may still be leaving when the count reads zero: destroy waits for
 * it to finish (at DISPATCH_LEVEL, where it cannot wait, the tracker is then left allocated).
 * IRQL: <= DISPATCH_LEVEL. Returns nothing: what it refuses, it traces.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_tracker_destroy(_In_opt_ kcom_tracker *tracker);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_TRACKER_H */
