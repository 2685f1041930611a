/*
 * executor_dpc.c - the DPC executor (kcom/dpc_executor.h), over the platform's spin lock and DPC
 * (platform.h: the kernel's, or the host's simulation of them).
 *
 * schedule appends under the lock and inserts the DPC, unless the DPC is queued and its run has
 * not taken the lock yet (run_queued, under the lock): that run will find the task. A DPC is
 * dequeued before its routine runs and the routine clears run_queued in its first critical
 * section, so a task appended after a run has looked at the queue for the last time always has a
 * run still to come: no wake is lost, and a burst of wakes inserts the DPC once. Runs on two
 * processors at once share the queue; kcom_task_run's state machine keeps each task on one.
 */
#include <kcom/dpc_executor.h>
#include <kcom/task.h>

#include "internal.h"
#include "platform/platform.h"
#include "task_queue.h"

struct kcom_dpc_executor {
    kcom_executor executor;
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    kcom_platform_spin_lock lock;
    kcom_task_link queue; /* task_queue.h */
    BOOLEAN accepting;
    BOOLEAN run_queued; /* the DPC is inserted and its run has not looked at the queue yet */
    ULONG poll_budget;
    ULONG time_budget_us;
    kcom_platform_dpc dpc;
    LONG64 volatile runs;
    LONG64 volatile polls;
    LONG64 volatile requeues;
};

static NTSTATUS dpc_schedule(void *context, kcom_task *task)
{
    kcom_dpc_executor *executor = (kcom_dpc_executor *)context;
    BOOLEAN insert;
    UCHAR irql = kcom_platform_spin_lock_acquire(&executor->lock);
    if (!executor->accepting) {
        kcom_platform_spin_lock_release(&executor->lock, irql);
        return STATUS_INVALID_DEVICE_STATE;
    }
    kcom_task_queue_push(&executor->queue, task);
    insert = (BOOLEAN)!executor->run_queued;
    executor->run_queued = TRUE;
    kcom_platform_spin_lock_release(&executor->lock, irql);
    if (insert)
        (void)kcom_platform_dpc_insert(&executor->dpc);
    return STATUS_SUCCESS;
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
        UCHAR irql = kcom_platform_spin_lock_acquire(&executor->lock);
        if (polls == 0)
            executor->run_queued = FALSE; /* this run looks at the queue: later tasks insert again */
        task = kcom_task_queue_pop(&executor->queue);
        kcom_platform_spin_lock_release(&executor->lock, irql);
        if (task == NULL)
            break;
        kcom_task_run(task);
        polls++;
        if (polls >= executor->poll_budget ||
            (executor->time_budget_us != 0 && kcom_platform_monotonic_us() - start_us >= executor->time_budget_us)) {
            BOOLEAN insert;
            UCHAR irql2 = kcom_platform_spin_lock_acquire(&executor->lock);
            /* the rest waits for the next run, behind the other DPCs of this processor (inserted
             * here unless a schedule during this run did) */
            more = (BOOLEAN)!kcom_task_queue_empty(&executor->queue);
            insert = (BOOLEAN)(more && !executor->run_queued);
            if (insert)
                executor->run_queued = TRUE;
            kcom_platform_spin_lock_release(&executor->lock, irql2);
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
    executor->executor.schedule = dpc_schedule;
    executor->executor.context = executor;
    executor->executor.tracker = config != NULL ? config->tracker : NULL;
    kcom_platform_spin_lock_init(&executor->lock);
    kcom_task_queue_init(&executor->queue);
    executor->accepting = TRUE;
    executor->run_queued = FALSE;
    executor->poll_budget = config != NULL && config->poll_budget != 0 ? config->poll_budget
                                                                        : KCOM_DPC_DEFAULT_POLL_BUDGET;
    executor->time_budget_us = config != NULL ? config->time_budget_us : 0;
    executor->runs = executor->polls = executor->requeues = 0;
    kcom_platform_dpc_init(&executor->dpc, dpc_routine, executor);
    *executor_out = executor;
    *as_executor = &executor->executor;
    return STATUS_SUCCESS;
}

void kcom_dpc_executor_destroy(kcom_dpc_executor *executor)
{
    kcom_task_link dropped;
    UCHAR irql;
    if (executor == NULL)
        return;
    irql = kcom_platform_spin_lock_acquire(&executor->lock);
    executor->accepting = FALSE;
    kcom_task_queue_take_all(&executor->queue, &dropped); /* the runs still to come find it empty */
    kcom_platform_spin_lock_release(&executor->lock, irql);
    kcom_task_queue_drop_all(&dropped, STATUS_INVALID_DEVICE_STATE);
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
