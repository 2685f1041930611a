/*
 * work_item_executor.c - the work-item executor (kcom/work_item_executor.h), over the platform's
 * spin lock and work item (platform.h: the kernel's IO_WORKITEM, or the host's simulation).
 *
 * Scheduling is the kernel executors' (kernel_queue.h): queue.started is TRUE from the schedule
 * that queues the work item until the routine, under the lock and with the queue empty, gives it
 * up. Only the one who sets it queues the item, so the item is never queued twice; tasks
 * scheduled while it is TRUE are found by the routine, which looks at the queue under the same
 * lock before giving up: no wake is lost.
 */
#include <kcom/work_item_executor.h>

#include "exec/kernel_queue.h"

struct kcom_work_item_executor {
    kcom_kernel_queue queue; /* first: the executor and its schedule path */
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    ULONG poll_budget;
    kcom_platform_work_item *item;
    kcom_platform_local_event idle; /* set when the routine lets go after destroy began */
};

static void work_routine(void *context);

static void work_start(kcom_kernel_queue *queue)
{
    kcom_work_item_executor *executor = (kcom_work_item_executor *)(void *)queue;
    kcom_platform_work_item_queue(executor->item, work_routine, executor);
}

static void work_routine(void *context)
{
    kcom_work_item_executor *executor = (kcom_work_item_executor *)context;
    BOOLEAN destroying = FALSE;
    ULONG polls = 0;
    UCHAR irql;
    for (;;) {
        kcom_task *task;
        irql = kcom_platform_spin_lock_acquire(&executor->queue.lock);
        if (kcom_task_queue_empty(&executor->queue.tasks))
            break; /* with the lock held: give the item up below */
        if (polls == executor->poll_budget) {
            /* budget spent: queue the item again (allowed from its own routine), keeping started */
            kcom_platform_spin_lock_release(&executor->queue.lock, irql);
            kcom_platform_work_item_queue(executor->item, work_routine, executor);
            return;
        }
        task = kcom_task_queue_pop(&executor->queue.tasks);
        kcom_platform_spin_lock_release(&executor->queue.lock, irql);
        kcom_task_run(task);
        polls++;
    }
    executor->queue.started = FALSE;
    destroying = (BOOLEAN)!executor->queue.accepting;
    kcom_platform_spin_lock_release(&executor->queue.lock, irql);
    /* destroy is waiting: the set is the last touch (the destroyer may free the executor as soon
     * as it wakes, which the local event allows) */
    if (destroying)
        kcom_platform_local_event_set(&executor->idle);
}

NTSTATUS kcom_work_item_executor_create(void *device, const kcom_work_item_executor_config *config,
                                        kcom_work_item_executor **executor_out, const kcom_executor **as_executor)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_work_item_executor *executor;
    if (executor_out != NULL)
        *executor_out = NULL;
    if (as_executor != NULL)
        *as_executor = NULL;
    if (device == NULL || executor_out == NULL || as_executor == NULL)
        return STATUS_INVALID_PARAMETER;
    executor = (kcom_work_item_executor *)kcom_allocate(allocator, sizeof(*executor),
                                                        KCOM_ALIGNOF(kcom_work_item_executor));
    if (executor == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    executor->allocator = allocator;
    executor->item = kcom_platform_work_item_allocate(device);
    if (executor->item == NULL || !NT_SUCCESS(kcom_platform_local_event_init(&executor->idle))) {
        if (executor->item != NULL)
            kcom_platform_work_item_free(executor->item);
        kcom_free(allocator, executor, sizeof(*executor), KCOM_ALIGNOF(kcom_work_item_executor));
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_kernel_queue_init(&executor->queue, work_start, config != NULL ? config->tracker : NULL);
    executor->poll_budget = config != NULL && config->poll_budget != 0 ? config->poll_budget
                                                                        : KCOM_WORK_ITEM_DEFAULT_POLL_BUDGET;
    *executor_out = executor;
    *as_executor = &executor->queue.executor;
    return STATUS_SUCCESS;
}

void kcom_work_item_executor_destroy(kcom_work_item_executor *executor)
{
    if (executor == NULL)
        return;
    /* the routine, queued or running, finds the queue empty and lets go */
    if (kcom_kernel_queue_close(&executor->queue))
        (void)kcom_platform_local_event_wait(&executor->idle, 0xFFFFFFFFUL);
    kcom_platform_work_item_free(executor->item);
    kcom_platform_local_event_destroy(&executor->idle);
    kcom_free(executor->allocator, executor, sizeof(*executor), KCOM_ALIGNOF(kcom_work_item_executor));
}
