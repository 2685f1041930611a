/*
 * kernel_queue.h - what the kernel executors share (dpc_executor.c, work_item_executor.c): the
 * task queue under a spin lock, and the one schedule path. The executors differ only in how they
 * ask the platform to run them (start: insert a DPC, queue a work item) and in how their run
 * drains the queue.
 *
 * started is TRUE from the schedule that calls start until the run, under the lock, clears it
 * (the DPC executor at the run's first look at the queue, the work-item executor when it gives
 * the item up with the queue empty). Only the schedule that sets it calls start, so a burst of
 * wakes asks the platform once, and a task appended while it is TRUE is found by a run still to
 * come: no wake is lost.
 */
#ifndef KCOM_SRC_EXEC_KERNEL_QUEUE_H
#define KCOM_SRC_EXEC_KERNEL_QUEUE_H

#include <kcom/task.h>

#include "platform/platform.h"
#include "sched/task_queue.h"

typedef struct kcom_kernel_queue {
    kcom_executor executor; /* schedule: kcom_kernel_queue_schedule; context: this queue */
    kcom_platform_spin_lock lock;
    kcom_task_link tasks; /* task_queue.h */
    BOOLEAN accepting;
    BOOLEAN started; /* a run is asked for and has not let go yet (see above) */
    /* asks the platform for a run; called without the lock, once per started going TRUE */
    void (*start)(struct kcom_kernel_queue *queue);
} kcom_kernel_queue;

/* Prepares an accepting, empty queue whose executor counts its tasks with tracker (or NULL). */
void kcom_kernel_queue_init(kcom_kernel_queue *queue, void (*start)(kcom_kernel_queue *queue),
                            struct kcom_tracker *tracker);

/* Closes the queue: later schedules fail with STATUS_INVALID_DEVICE_STATE; the queued tasks are
 * dropped (their operations fail with that status, outside the lock). Returns started as the
 * close found it (a run was still to come or under way). IRQL: <= DISPATCH_LEVEL. */
BOOLEAN kcom_kernel_queue_close(kcom_kernel_queue *queue);

#endif /* KCOM_SRC_EXEC_KERNEL_QUEUE_H */
