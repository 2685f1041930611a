/*
 * thread_pool.c - the thread-pool executor (kcom/executor.h) of the user-mode platforms, over the
 * platform's mutex, condition variable and threads (platform.h).
 */
#include <kcom/task.h>

#include "exec/executor_list.h"
#include "platform/platform.h"
#include "sched/task_queue.h"

#include <string.h>

#define POOL_MAX_THREADS 64

struct kcom_thread_pool {
    kcom_executor executor;
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    kcom_platform_mutex mutex;
    kcom_platform_cond work; /* tasks queued, or stopping */
    kcom_task_link queue; /* task_queue.h */
    int accepting;
    int stopping;
    int refused; /* a schedule was refused during the shutdown: its task was dropped */
    LONG volatile outstanding; /* tasks queued or being polled: written under mutex, read without */
                               /* it by pool_busy */
    ULONG thread_count;
    kcom_platform_thread threads[POOL_MAX_THREADS];
    kcom_executor_listing listing; /* busy while it has tasks outstanding */
};

/* Adds delta to the tasks outstanding; under the mutex. */
static void pool_count(kcom_thread_pool *pool, LONG delta)
{
    kcom_atomic_store(&pool->outstanding, pool->outstanding + delta);
}

static BOOLEAN pool_busy(kcom_executor_listing *listing)
{
    return (BOOLEAN)(kcom_atomic_load(&KCOM_EXECUTOR_FROM_LISTING(listing, kcom_thread_pool)->outstanding) != 0);
}

static NTSTATUS pool_schedule(void *context, kcom_task *task)
{
    kcom_thread_pool *pool = (kcom_thread_pool *)context;
    kcom_platform_mutex_lock(&pool->mutex);
    if (!pool->accepting) {
        pool->refused = 1;
        kcom_platform_mutex_unlock(&pool->mutex);
        return STATUS_INVALID_DEVICE_STATE;
    }
    kcom_task_queue_push(&pool->queue, task);
    pool_count(pool, 1);
    /* the pool may be freed as soon as the mutex is free (the task run and the pool shut down) */
    kcom_platform_cond_signal_unlock(&pool->work, &pool->mutex);
    return STATUS_SUCCESS;
}

static void pool_thread(void *context)
{
    kcom_thread_pool *pool = (kcom_thread_pool *)context;
    kcom_platform_mutex_lock(&pool->mutex);
    for (;;) {
        kcom_task *task = kcom_task_queue_pop(&pool->queue);
        if (task != NULL) {
            kcom_platform_mutex_unlock(&pool->mutex);
            kcom_task_run_dequeued(task); /* outside the lock: the poll may wake tasks of this pool */
            kcom_platform_mutex_lock(&pool->mutex);
            pool_count(pool, -1);
        } else if (pool->stopping) {
            break;
        } else {
            kcom_platform_cond_wait(&pool->work, &pool->mutex, 0xFFFFFFFFUL);
        }
    }
    kcom_platform_mutex_unlock(&pool->mutex);
}

NTSTATUS kcom_thread_pool_create(ULONG threads, kcom_thread_pool **pool_out, const kcom_executor **executor)
{
    const kcom_allocator *allocator;
    kcom_thread_pool *pool;
    ULONG i;
    if (pool_out != NULL)
        *pool_out = NULL;
    if (executor != NULL)
        *executor = NULL;
    if (pool_out == NULL || executor == NULL || threads == 0 || threads > POOL_MAX_THREADS)
        return STATUS_INVALID_PARAMETER;
    allocator = kcom_default_allocator();
    pool = (kcom_thread_pool *)kcom_allocate(allocator, sizeof(*pool), KCOM_ALIGNOF(kcom_thread_pool));
    if (pool == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(pool, 0, sizeof(*pool));
    pool->allocator = allocator;
    pool->executor.schedule = pool_schedule;
    pool->executor.context = pool;
    if (!NT_SUCCESS(kcom_platform_cond_init(&pool->work))) {
        kcom_free(allocator, pool, sizeof(*pool), KCOM_ALIGNOF(kcom_thread_pool));
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_platform_mutex_init(&pool->mutex);
    kcom_task_queue_init(&pool->queue);
    pool->accepting = 1;
    kcom_executor_list_add(&pool->listing, pool_busy); /* before a failure's shutdown, which takes it out */
    for (i = 0; i < threads; i++) {
        if (!NT_SUCCESS(kcom_platform_thread_start(&pool->threads[i], pool_thread, pool))) {
            pool->thread_count = i;
            (void)kcom_thread_pool_shutdown(pool, 0);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    pool->thread_count = threads;
    *pool_out = pool;
    *executor = &pool->executor;
    return STATUS_SUCCESS;
}

NTSTATUS kcom_thread_pool_shutdown(kcom_thread_pool *pool, ULONG timeout_ms)
{
    ULONG64 deadline = kcom_platform_monotonic_ms() + timeout_ms;
    NTSTATUS status = STATUS_SUCCESS;
    kcom_task *task;
    ULONG i;
    if (pool == NULL)
        return STATUS_SUCCESS;
    /* From a task of the pool, the drain would wait for the poll that is waiting, and the pool be
     * freed under it: refused, nothing done. */
    for (i = 0; i < pool->thread_count; i++) {
        if (kcom_platform_thread_is_current(&pool->threads[i])) {
            KCOM_TRACE(ERROR, "thread pool %p shut down from its own thread: refused", (void *)pool);
            return STATUS_INVALID_DEVICE_STATE;
        }
    }
    /* the workers drain: queued tasks run, and so do the ones they queue again (a yield), until
     * nothing is queued or being polled; checked every millisecond until the deadline */
    while (pool_busy(&pool->listing) && pool->thread_count != 0 && kcom_platform_monotonic_ms() < deadline)
        kcom_platform_sleep_ms(1);
    /* from now on schedule refuses; whatever is still queued is dropped: its operation finishes
     * and calls back */
    kcom_platform_mutex_lock(&pool->mutex);
    pool->accepting = 0;
    pool->stopping = 1;
    while ((task = kcom_task_queue_pop(&pool->queue)) != NULL) {
        status = STATUS_TIMEOUT;
        pool_count(pool, -1);
        kcom_platform_mutex_unlock(&pool->mutex);
        kcom_task_drop_scheduled(task, STATUS_INVALID_DEVICE_STATE);
        kcom_platform_mutex_lock(&pool->mutex);
    }
    kcom_platform_cond_broadcast(&pool->work);
    kcom_platform_mutex_unlock(&pool->mutex);
    for (i = 0; i < pool->thread_count; i++)
        kcom_platform_thread_join(&pool->threads[i]);
    /* a poll under way at the deadline that queued its task again was refused: dropped too */
    kcom_platform_mutex_lock(&pool->mutex);
    if (pool->refused)
        status = STATUS_TIMEOUT;
    kcom_platform_mutex_unlock(&pool->mutex);
    kcom_executor_list_remove(&pool->listing);
    kcom_platform_cond_destroy(&pool->work);
    kcom_platform_mutex_destroy(&pool->mutex);
    kcom_free(pool->allocator, pool, sizeof(*pool), KCOM_ALIGNOF(kcom_thread_pool));
    return status;
}
