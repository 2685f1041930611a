/*
 * kernel_queue.c - the kernel executors' schedule path and close (kernel_queue.h).
 */
#include "exec/kernel_queue.h"

static NTSTATUS kernel_queue_schedule(void *context, kcom_task *task)
{
    kcom_kernel_queue *queue = (kcom_kernel_queue *)context;
    BOOLEAN start;
    UCHAR irql = kcom_platform_spin_lock_acquire(&queue->lock);
    if (!queue->accepting) {
        kcom_platform_spin_lock_release(&queue->lock, irql);
        return STATUS_INVALID_DEVICE_STATE;
    }
    kcom_task_queue_push(&queue->tasks, task);
    start = (BOOLEAN)!queue->started;
    queue->started = TRUE;
    kcom_platform_spin_lock_release(&queue->lock, irql);
    if (start)
        queue->start(queue);
    return STATUS_SUCCESS;
}

void kcom_kernel_queue_init(kcom_kernel_queue *queue, void (*start)(kcom_kernel_queue *queue),
                            struct kcom_tracker *tracker)
{
    queue->executor.schedule = kernel_queue_schedule;
    queue->executor.context = queue;
    queue->executor.tracker = tracker;
    kcom_platform_spin_lock_init(&queue->lock);
    kcom_task_queue_init(&queue->tasks);
    queue->accepting = TRUE;
    queue->started = FALSE;
    queue->start = start;
}

BOOLEAN kcom_kernel_queue_close(kcom_kernel_queue *queue)
{
    kcom_task_link dropped;
    BOOLEAN started;
    UCHAR irql = kcom_platform_spin_lock_acquire(&queue->lock);
    queue->accepting = FALSE;
    started = queue->started;
    kcom_task_queue_take_all(&queue->tasks, &dropped); /* the runs still to come find it empty */
    kcom_platform_spin_lock_release(&queue->lock, irql);
    kcom_task_queue_drop_all(&dropped, STATUS_INVALID_DEVICE_STATE);
    return started;
}
