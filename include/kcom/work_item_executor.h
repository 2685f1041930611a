/*
 * kcom/work_item_executor.h - an executor that polls tasks in an I/O work item, at PASSIVE_LEVEL
 * (a first poll run on the caller, as an async method's call, kcom_async_run, kcom_async_run_in or
 * kcom_async_spawn_run run it, at the caller's IRQL: start such work at PASSIVE_LEVEL, or spawn it
 * with kcom_async_spawn).
 *
 * One FIFO queue (through the tasks' own links) under a spin lock and one work item per processor
 * (IoAllocateWorkItem on the driver's device object, allocated at creation, so scheduling never
 * allocates or fails for lack of memory), each on cache lines of its own (one cache-line-aligned
 * block from the default allocator): a schedule appends the task to the queue of the
 * processor it runs on, so wakes on different processors take different locks and the queues'
 * routines run on several worker threads at once; a task rescheduled by its own poll goes to the
 * routine's next round without the lock, and the next round also takes what other threads queued
 * meanwhile (tasks that keep yielding starve nobody). A queue's work item is queued when its first
 * task arrives; its routine polls tasks until the queue is empty or a budget (polls, and
 * optionally time) is spent, then queues itself again if tasks remain, so a system worker thread
 * is not held indefinitely.
 * A work item is queued again only by its routine or once the routine has let it go: a wake
 * during a poll never queues it twice, frees it or leaks it.
 *
 * WDM only: a KMDF variant (WdfWorkItemCreate) cannot be built or tested with mingw-w64's DDK
 * and Wine, and is not provided. See docs/executors.md.
 */
#ifndef KCOM_WORK_ITEM_EXECUTOR_H
#define KCOM_WORK_ITEM_EXECUTOR_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/executor.h>
#include <kcom/tracker.h>

typedef struct kcom_work_item_executor kcom_work_item_executor;

typedef struct kcom_work_item_executor_config {
    ULONG poll_budget;     /* polls per routine run; 0: KCOM_WORK_ITEM_DEFAULT_POLL_BUDGET */
    kcom_tracker *tracker; /* counts the tasks spawned on this executor (kcom/tracker.h); optional */
    ULONG time_budget_us;  /* a routine run also stops after this many microseconds (checked after
                            * each poll; for polls long enough that poll_budget of them would hold
                            * a worker thread too long); 0: none */
} kcom_work_item_executor_config;

/* A run that spends its budget queues the lane's item again, and any worker thread may take it:
 * the lane, its tasks and their operations then move to that thread's processor's cache. 512
 * polls of short tasks (tens of microseconds) make that move rare; 64 let it happen every few
 * microseconds. */
#define KCOM_WORK_ITEM_DEFAULT_POLL_BUDGET 512

/* Counters of an executor (snapshots; for tests, tuning the budgets and diagnostics). */
typedef struct kcom_work_item_executor_stats {
    ULONG64 runs;     /* work-item routine invocations */
    ULONG64 polls;    /* task polls */
    ULONG64 requeues; /* runs that spent a budget (polls or time) with tasks left, and queued the item again */
} kcom_work_item_executor_stats;

KCOM_BEGIN_DECLS

/*
 * kcom_work_item_executor_create - a work-item executor for device (a PDEVICE_OBJECT of the
 * driver), allocated from the default allocator of the moment (which destroy frees it to), with a
 * queue and a work item for each processor active at creation.
 * config may be NULL (defaults, no tracker).
 * *as_executor receives the executor to spawn on; valid until kcom_work_item_executor_destroy.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL device, executor or as_executor);
 * STATUS_INSUFFICIENT_RESOURCES (memory, or no work item). The out pointers are NULL on failure.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_work_item_executor_create(_In_ void *device, _In_opt_ const kcom_work_item_executor_config *config,
                                        _Outptr_ kcom_work_item_executor **executor,
                                        _Outptr_ const kcom_executor **as_executor);

/*
 * kcom_work_item_executor_destroy - stops accepting tasks (a schedule then fails with
 * STATUS_INVALID_DEVICE_STATE), drops the tasks still queued (as kcom_dpc_executor_destroy
 * does), waits until every work item's routine has let go of the executor, frees the work items
 * and the executor. Drain the tracker first. NULL is ignored. Never fails.
 * IRQL: PASSIVE_LEVEL (above it, it fails fast, KCOM_FAILFAST_IRQL, before changing anything),
 * not from a task of this executor (it would wait for its own routine: it fails fast instead,
 * KCOM_FAILFAST_SELF_WAIT).
 */
_IRQL_requires_(PASSIVE_LEVEL)
void kcom_work_item_executor_destroy(_In_opt_ kcom_work_item_executor *executor);

/* kcom_work_item_executor_get_stats - the counters so far, summed over the processors' queues;
 * zeros for a NULL executor. A NULL stats is ignored. A run adds its counts when it ends (one
 * interlocked add per counter and run, not per poll), which may be after the task it polled last
 * has finished: a snapshot taken as soon as kcom_async_block_on returned may not count that poll
 * yet. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_work_item_executor_get_stats(_In_opt_ const kcom_work_item_executor *executor,
                                       _Out_opt_ kcom_work_item_executor_stats *stats);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_WORK_ITEM_EXECUTOR_H */
