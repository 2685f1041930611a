/*
 * kcom/executor.h - executors: what "schedule this task" means.
 *
 * An executor is a schedule function and a context. kcom calls schedule(context, task) when a task
 * moves from IDLE to SCHEDULED (kcom/task.h); the executor later calls kcom_task_run(task) once, on
 * whatever thread or at whatever IRQL it runs tasks. The task's scheduling state guarantees that a
 * task is handed to schedule at most once until it has run, so the executor may keep it in an
 * intrusive queue through task->link without allocating: scheduling never allocates and never
 * fails for lack of memory. Kernel executors (a DPC queue, a work item) plug in by providing these
 * two fields; nothing else in kcom changes.
 *
 * The thread pool below is the executor of the user-mode platforms, posix and win32 (N worker
 * threads, FIFO queue); the kernel gets its own executors (DPC, work item).
 */
#ifndef KCOM_EXECUTOR_H
#define KCOM_EXECUTOR_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/status.h>

struct kcom_task;

/* Intrusive queue entry, owned by the executor while the task is SCHEDULED (a LIST_ENTRY fits). */
typedef struct kcom_task_link {
    struct kcom_task_link *next;
    struct kcom_task_link *prev;
} kcom_task_link;

struct kcom_tracker;

/* An executor. A task refers to the one it was spawned on (it keeps this struct's address, not a
 * copy: 16 bytes less in every operation that runs a task): the struct must stay valid, and its
 * fields unchanged, until the work of every task spawned on it has ended. */
typedef struct kcom_executor {
    /* Queues task to be run once by kcom_task_run. Called at the IRQL of whoever wakes the task, or
     * at DISPATCH_LEVEL (a timer's DPC, and an event's set, which wakes with its spin lock's IRQL
     * still raised; docs/executors.md, "Completion callbacks"): never above DISPATCH_LEVEL, and
     * never twice for the same task before it has run. Returns STATUS_SUCCESS when it queued the
     * task (kcom takes any success status so), or a failure (e.g. the executor is shut down): the
     * task is then not run; kcom finishes its operation with that status (Canceled for
     * STATUS_CANCELLED, else Error) and drops its work. Once queued, the task may run and end (and
     * its operation be freed) on another processor before schedule returns: schedule does not touch
     * it after queuing it. */
    NTSTATUS (*schedule)(void *context, struct kcom_task *task);
    void *context;
    /* Counts the tasks spawned on this executor from spawn to the end of their work
     * (kcom/tracker.h); NULL: not counted. */
    struct kcom_tracker *tracker;
} kcom_executor;

/* A task, from its queue entry (for executors that queue task->link; kcom/task.h). */
#define KCOM_TASK_FROM_LINK(entry) \
    ((struct kcom_task *)(void *)((char *)(entry) - offsetof(struct kcom_task, link)))

typedef struct kcom_thread_pool kcom_thread_pool;

KCOM_BEGIN_DECLS

/*
 * kcom_thread_pool_create - a pool of threads running scheduled tasks in FIFO order (user mode:
 * posix and win32 platforms). threads: 1..64. *executor receives the executor to pass to kcom_async_spawn; it stays
 * valid until kcom_thread_pool_shutdown.
 * IRQL: PASSIVE_LEVEL (user mode: posix and win32 platforms).
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL pool or executor, threads out of range);
 * STATUS_INSUFFICIENT_RESOURCES (memory or threads). *pool and *executor are NULL on failure.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_thread_pool_create(_In_ ULONG threads, _Outptr_ kcom_thread_pool **pool,
                                 _Outptr_ const kcom_executor **executor);

/*
 * kcom_thread_pool_shutdown - drains, then stops: runs queued tasks, and those they queue again,
 * until nothing is queued or being polled or timeout_ms has passed; then refuses new schedules
 * (STATUS_INVALID_DEVICE_STATE), drops what is still queued (each dropped task's operation
 * finishes as Error with STATUS_INVALID_DEVICE_STATE, unless already canceled; its cleanup runs
 * and its callback fires), lets the polls under way end, joins the threads and frees the pool.
 * The pool is freed: every task spawned on it must have finished or been dropped by then (a task
 * still waiting on something else would later schedule on freed memory; counting outstanding
 * tasks is the job of a tracker, kcom/tracker.h: the kernel executors take one when they are
 * built; for the pool, spawn on a copy of its executor with the copy's tracker set, a copy that
 * lives as long as the tasks do: a task refers to its executor, kcom_async_spawn_begin). A NULL pool
 * is ignored (STATUS_SUCCESS). In a Windows DLL, not from DllMain: the threads cannot end while
 * its caller holds the loader lock, so the join never returns (about 2 s in it traces a WARNING
 * saying so; docs/building.md, "Shared libraries and DLLs").
 * IRQL: PASSIVE_LEVEL, not from a pool thread.
 * Returns STATUS_SUCCESS when the queue drained, STATUS_TIMEOUT when tasks had to be dropped
 * (still queued at the deadline, or refused when a poll under way then queued its task again);
 * STATUS_INVALID_DEVICE_STATE, nothing done, when called from one of the pool's own threads (a
 * task of the pool: the shutdown would wait for that very poll, then free the pool under it).
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_thread_pool_shutdown(_In_opt_ kcom_thread_pool *pool, _In_ ULONG timeout_ms);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_EXECUTOR_H */
