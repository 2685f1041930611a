/*
 * kcom/dpc_executor.h - an executor that polls tasks in a DPC, at DISPATCH_LEVEL.
 *
 * One queue and one DPC per processor, without a lock: a schedule pushes the task (through its
 * own links: scheduling never allocates) onto the queue of the processor it runs on and, when no
 * run of that queue is due, inserts that processor's DPC; a task woken inside a run goes straight
 * into that run's next round. So a task woken on processor N is polled on processor N; one spawned
 * or woken at PASSIVE_LEVEL, on the processor its thread is on. A run polls its queue in rounds
 * (the next round: what this one rescheduled, then what was pushed meanwhile, so tasks that keep
 * yielding starve no other task) until it is empty or the run's budget is spent: a number of
 * polls (default 64) and, optionally, a time in microseconds; a run that stops with tasks still
 * queued inserts its DPC again, so other DPCs on that processor get their turn. Threads on that
 * processor get theirs once such runs have followed each other for a while (dispatch_limit_us,
 * default 2 ms): the next run then waits for a timer, a millisecond or more. A task that yields
 * in a loop still belongs on the work-item executor (docs/executors.md, Budgets). Each task's
 * scheduling state (kcom/task.h) makes sure it is never polled on two processors at once (a wake
 * on another processor during a poll only marks it) and that a wake during its poll is never
 * lost.
 *
 * Tasks run at DISPATCH_LEVEL: their state must be non-paged and their polls must not block or
 * touch pageable memory. A first poll run on the caller (an async method's call, kcom_async_run,
 * kcom_async_run_in, kcom_async_spawn_run) runs at the caller's IRQL, which may be lower. Built with
 * KCOM_ENABLE_KERNEL_EXECUTORS (kernel, and the host's simulation of the kernel). See
 * docs/executors.md.
 */
#ifndef KCOM_DPC_EXECUTOR_H
#define KCOM_DPC_EXECUTOR_H

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

typedef struct kcom_dpc_executor kcom_dpc_executor;

typedef struct kcom_dpc_executor_config {
    ULONG poll_budget;    /* polls per DPC run; 0: KCOM_DPC_DEFAULT_POLL_BUDGET */
    ULONG time_budget_us; /* a run stops after this many microseconds (checked after each poll); 0: none */
    kcom_tracker *tracker; /* counts the tasks spawned on this executor (kcom/tracker.h); optional */
    /* runs that end on their budget and insert the DPC again keep the processor from its threads;
     * after this many microseconds of them in a row, the next run waits for a timer (a millisecond
     * or more, the kernel's clock tick) and the threads run; 0: KCOM_DPC_DEFAULT_DISPATCH_LIMIT_US */
    ULONG dispatch_limit_us;
} kcom_dpc_executor_config;

#define KCOM_DPC_DEFAULT_POLL_BUDGET 64
#define KCOM_DPC_DEFAULT_DISPATCH_LIMIT_US 2000

/* Counters of an executor (snapshots; for tests, benchmarks and diagnostics). */
typedef struct kcom_dpc_executor_stats {
    ULONG64 runs;     /* DPC routine invocations */
    ULONG64 polls;    /* task polls */
    ULONG64 requeues; /* runs that ended on the budget with tasks still queued */
    ULONG64 deferrals; /* of those, runs whose next run waited for a timer (dispatch_limit_us) */
} kcom_dpc_executor_stats;

KCOM_BEGIN_DECLS

/*
 * kcom_dpc_executor_create - a DPC executor, allocated from the default allocator of the moment
 * (which destroy frees it to), with a queue and a DPC for each processor active at creation
 * (KeQueryActiveProcessorCountEx; the processor functions are looked up by kcom_initialize).
 * config may be NULL (defaults, no tracker). *as_executor receives the executor to spawn on
 * (kcom_async_spawn, kcom_set_default_executor); valid until kcom_dpc_executor_destroy.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL executor or as_executor);
 * STATUS_INSUFFICIENT_RESOURCES; STATUS_NOT_SUPPORTED (the kernel cannot target a DPC at a
 * processor: KeSetTargetProcessorDpc(Ex) missing). Processors the kernel cannot name get no queue
 * (their tasks go to the others'). The out pointers are NULL on failure.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_dpc_executor_create(_In_opt_ const kcom_dpc_executor_config *config,
                                  _Outptr_ kcom_dpc_executor **executor, _Outptr_ const kcom_executor **as_executor);

/*
 * kcom_dpc_executor_destroy - stops accepting tasks (a schedule then fails with
 * STATUS_INVALID_DEVICE_STATE), drops the tasks still queued (each one's operation ends as Error
 * with STATUS_INVALID_DEVICE_STATE unless already canceled; its cleanup runs; a run under way
 * drops what it had taken), waits for the DPC runs under way and queued (DPC flushes, until every
 * processor's queue has let go; a queue waiting for its timer runs at once) and frees the
 * executor. Tasks that are waiting on something else must be gone first: drain the tracker
 * (kcom/tracker.h) before. NULL is ignored.
 * IRQL: PASSIVE_LEVEL; above it, it fails fast (KCOM_FAILFAST_IRQL) before changing anything,
 * and so from one of the executor's own tasks, whose polls run at DISPATCH_LEVEL.
 * Never fails.
 */
_IRQL_requires_(PASSIVE_LEVEL)
void kcom_dpc_executor_destroy(_In_opt_ kcom_dpc_executor *executor);

/* kcom_dpc_executor_get_stats - the counters so far, summed over the processors; zeros for a NULL
 * executor. A NULL stats is ignored. A run adds its polls when it lets go (one interlocked add per
 * run, not per poll), which may be after the task it polled has finished: a snapshot taken as soon
 * as kcom_async_block_on returned may not count that poll yet. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_dpc_executor_get_stats(_In_opt_ const kcom_dpc_executor *executor,
                                 _Out_opt_ kcom_dpc_executor_stats *stats);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DPC_EXECUTOR_H */
