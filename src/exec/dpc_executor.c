/*
 * dpc_executor.c - the DPC executor (kcom/dpc_executor.h), over the platform's spin lock and DPC
 * (platform.h: the kernel's, or the host's simulation of them).
 *
 * Scheduling is the kernel executors' (kernel_queue.h): queue.started means the DPC is inserted
 * and its run has not looked at the queue yet. A DPC is dequeued before its routine runs and the
 * routine clears started in its first critical section, so a task appended after a run has looked
 * at the queue for the last time always has a run still to come: no wake is lost, and a burst of
 * wakes inserts the DPC once. Runs on two processors at once share the queue; kcom_task_run's
 * state machine keeps each task on one.
 */
#include <kcom/dpc_executor.h>

#include "exec/kernel_queue.h"

struct kcom_dpc_executor {
    kcom_kernel_queue queue; /* first: the executor and its schedule path */
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    ULONG poll_budget;
    ULONG time_budget_us;
    kcom_platform_dpc dpc;
    LONG64 volatile runs;
    LONG64 volatile polls;
    LONG64 volatile requeues;
};

static void dpc_start(kcom_kernel_queue *queue)
{
    (void)kcom_platform_dpc_insert(&((kcom_dpc_executor *)(void *)queue)->dpc);
}

static void dpc_routine(kcom_platform_dpc *dpc, void *context)
{
    kcom_dpc_executor *executor = (kcom_dpc_executor *)context;
    ULONG64 start_us = executor->time_budget_us != 0 ? kcom_platform_monotonic_us() : 0;
    ULONG polls = 0;
    BOOLEAN more;
    (void)dpc;
    kcom_atomic_fetch_add64(&executor->runs, 1);
    for (;;) {
        kcom_task *task;
        UCHAR irql = kcom_platform_spin_lock_acquire(&executor->queue.lock);
        if (polls == 0)
            executor->queue.started = FALSE; /* this run looks at the queue: later tasks insert again */
        task = kcom_task_queue_pop(&executor->queue.tasks);
        kcom_platform_spin_lock_release(&executor->queue.lock, irql);
        if (task == NULL)
            break;
        kcom_task_run(task);
        polls++;
        if (polls >= executor->poll_budget ||
            (executor->time_budget_us != 0 && kcom_platform_monotonic_us() - start_us >= executor->time_budget_us)) {
            BOOLEAN insert;
            UCHAR irql2 = kcom_platform_spin_lock_acquire(&executor->queue.lock);
            /* the rest waits for the next run, behind the other DPCs of this processor (inserted
             * here unless a schedule during this run did) */
            more = (BOOLEAN)!kcom_task_queue_empty(&executor->queue.tasks);
            insert = (BOOLEAN)(more && !executor->queue.started);
            if (insert)
                executor->queue.started = TRUE;
            kcom_platform_spin_lock_release(&executor->queue.lock, irql2);
            if (more)
                kcom_atomic_fetch_add64(&executor->requeues, 1);
            if (insert)
                (void)kcom_platform_dpc_insert(&executor->dpc);
            break;
        }
    }
    kcom_atomic_fetch_add64(&executor->polls, polls);
}

NTSTATUS kcom_dpc_executor_create(const kcom_dpc_executor_config *config, kcom_dpc_executor **executor_out,
                                  const kcom_executor **as_executor)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_dpc_executor *executor;
    if (executor_out != NULL)
        *executor_out = NULL;
    if (as_executor != NULL)
        *as_executor = NULL;
    if (executor_out == NULL || as_executor == NULL)
        return STATUS_INVALID_PARAMETER;
    executor = (kcom_dpc_executor *)kcom_allocate(allocator, sizeof(*executor), KCOM_ALIGNOF(kcom_dpc_executor));
    if (executor == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    executor->allocator = allocator;
    kcom_kernel_queue_init(&executor->queue, dpc_start, config != NULL ? config->tracker : NULL);
    executor->poll_budget = config != NULL && config->poll_budget != 0 ? config->poll_budget
                                                                        : KCOM_DPC_DEFAULT_POLL_BUDGET;
    executor->time_budget_us = config != NULL ? config->time_budget_us : 0;
    executor->runs = executor->polls = executor->requeues = 0;
    kcom_platform_dpc_init(&executor->dpc, dpc_routine, executor);
    *executor_out = executor;
    *as_executor = &executor->queue.executor;
    return STATUS_SUCCESS;
}

void kcom_dpc_executor_destroy(kcom_dpc_executor *executor)
{
    if (executor == NULL)
        return;
    (void)kcom_kernel_queue_close(&executor->queue); /* the runs still to come find it empty */
    /* a run under way may still schedule (re-polls), which now fails; then none is left */
    kcom_platform_dpc_flush();
    kcom_free(executor->allocator, executor, sizeof(*executor), KCOM_ALIGNOF(kcom_dpc_executor));
}

void kcom_dpc_executor_get_stats(const kcom_dpc_executor *executor, kcom_dpc_executor_stats *stats)
{
    if (stats == NULL)
        return;
    if (executor == NULL) {
        stats->runs = stats->polls = stats->requeues = 0;
        return;
    }
    stats->runs = (ULONG64)kcom_atomic_load64((LONG64 volatile *)&executor->runs);
    stats->polls = (ULONG64)kcom_atomic_load64((LONG64 volatile *)&executor->polls);
    stats->requeues = (ULONG64)kcom_atomic_load64((LONG64 volatile *)&executor->requeues);
}
