/*
 * executor_list.c - the list of kcom's executors (executor_list.h), under a spin lock taken at
 * DISPATCH_LEVEL (a DPC executor may be created there, and the busy functions take the executors'
 * own spin locks).
 */
#include "exec/executor_list.h"

#include "async/async_internal.h"
#include "sched/task_queue.h"

static LONG volatile list_lock;
static kcom_task_link list_head = {&list_head, &list_head};

void kcom_executor_list_add(kcom_executor_listing *listing, kcom_executor_busy_fn *busy)
{
    UCHAR irql = kcom_async_spin_lock(&list_lock);
    listing->busy = busy;
    kcom_link_append(&list_head, &listing->link);
    kcom_async_spin_unlock(&list_lock, irql);
}

void kcom_executor_list_remove(kcom_executor_listing *listing)
{
    UCHAR irql = kcom_async_spin_lock(&list_lock);
    kcom_link_remove(&listing->link);
    kcom_async_spin_unlock(&list_lock, irql);
}

/* The listed executors busy now. */
static LONG executors_busy(void)
{
    LONG busy = 0;
    kcom_task_link *node;
    UCHAR irql = kcom_async_spin_lock(&list_lock);
    for (node = list_head.next; node != &list_head; node = node->next) {
        kcom_executor_listing *listing = (kcom_executor_listing *)(void *)node; /* its first member */
        busy += listing->busy(listing) ? 1 : 0;
    }
    kcom_async_spin_unlock(&list_lock, irql);
    return busy;
}

LONG kcom_executors_settle(ULONG timeout_ms)
{
    ULONG64 start = kcom_platform_monotonic_ms();
    for (;;) {
        LONG busy = executors_busy();
        if (busy == 0 || kcom_platform_monotonic_ms() - start >= timeout_ms)
            return busy;
        kcom_platform_sleep_ms(1);
    }
}
