/*
 * Threads for the async layer on the Linux host: events and the thread-pool executor, on pthreads.
 */
#define _POSIX_C_SOURCE 200809L

#include "../platform.h"

#include <kcom/task.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* ---- events -------------------------------------------------------------------------------------------- */

struct kcom_platform_event {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    LONG volatile refs;
    int set;
};

kcom_platform_event *kcom_platform_event_create(void)
{
    kcom_platform_event *event = (kcom_platform_event *)malloc(sizeof(*event));
    pthread_condattr_t attr;
    if (event == NULL)
        return NULL;
    /* a monotonic clock: timeouts do not move with the wall clock */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&event->cond, &attr) != 0) {
        pthread_condattr_destroy(&attr);
        free(event);
        return NULL;
    }
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&event->mutex, NULL);
    event->refs = 1;
    event->set = 0;
    return event;
}

void kcom_platform_event_reference(kcom_platform_event *event)
{
    kcom_atomic_fetch_add(&event->refs, 1);
}

void kcom_platform_event_release(kcom_platform_event *event)
{
    if (kcom_atomic_fetch_add(&event->refs, -1) == 1) {
        pthread_cond_destroy(&event->cond);
        pthread_mutex_destroy(&event->mutex);
        free(event);
    }
}

void kcom_platform_event_set(kcom_platform_event *event)
{
    pthread_mutex_lock(&event->mutex);
    event->set = 1;
    pthread_cond_broadcast(&event->cond);
    pthread_mutex_unlock(&event->mutex);
}

static struct timespec deadline_after(ULONG timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(timeout_ms / 1000u);
    deadline.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    return deadline;
}

NTSTATUS kcom_platform_event_wait(kcom_platform_event *event, ULONG timeout_ms)
{
    struct timespec deadline = deadline_after(timeout_ms);
    NTSTATUS status = STATUS_SUCCESS;
    pthread_mutex_lock(&event->mutex);
    while (!event->set) {
        if (timeout_ms == 0xFFFFFFFFUL) {
            pthread_cond_wait(&event->cond, &event->mutex);
        } else if (pthread_cond_timedwait(&event->cond, &event->mutex, &deadline) == ETIMEDOUT) {
            status = event->set ? STATUS_SUCCESS : STATUS_TIMEOUT;
            break;
        }
    }
    pthread_mutex_unlock(&event->mutex);
    return status;
}

BOOLEAN kcom_platform_can_block(void)
{
    return TRUE;
}

/* ---- the thread pool ------------------------------------------------------------------------------------ */

#define POOL_MAX_THREADS 64

struct kcom_thread_pool {
    kcom_executor executor;
    pthread_mutex_t mutex;
    pthread_cond_t work; /* tasks queued, or stopping */
    kcom_task_link queue; /* FIFO through the tasks' own links: scheduling never allocates */
    int accepting;
    int stopping;
    ULONG running; /* tasks being polled now */
    ULONG thread_count;
    pthread_t threads[POOL_MAX_THREADS];
};

static NTSTATUS pool_schedule(void *context, kcom_task *task)
{
    kcom_thread_pool *pool = (kcom_thread_pool *)context;
    pthread_mutex_lock(&pool->mutex);
    if (!pool->accepting) {
        pthread_mutex_unlock(&pool->mutex);
        return STATUS_INVALID_DEVICE_STATE;
    }
    task->link.next = &pool->queue;
    task->link.prev = pool->queue.prev;
    pool->queue.prev->next = &task->link;
    pool->queue.prev = &task->link;
    pthread_cond_signal(&pool->work);
    pthread_mutex_unlock(&pool->mutex);
    return STATUS_SUCCESS;
}

/* Dequeues the oldest task; the mutex is held. */
static kcom_task *pool_pop(kcom_thread_pool *pool)
{
    kcom_task_link *entry = pool->queue.next;
    if (entry == &pool->queue)
        return NULL;
    pool->queue.next = entry->next;
    entry->next->prev = &pool->queue;
    return KCOM_TASK_FROM_LINK(entry);
}

static void *pool_thread(void *context)
{
    kcom_thread_pool *pool = (kcom_thread_pool *)context;
    pthread_mutex_lock(&pool->mutex);
    for (;;) {
        kcom_task *task = pool_pop(pool);
        if (task != NULL) {
            pool->running++;
            pthread_mutex_unlock(&pool->mutex);
            kcom_task_run(task); /* outside the lock: the poll may wake tasks of this pool */
            pthread_mutex_lock(&pool->mutex);
            pool->running--;
        } else if (pool->stopping) {
            break;
        } else {
            pthread_cond_wait(&pool->work, &pool->mutex);
        }
    }
    pthread_mutex_unlock(&pool->mutex);
    return NULL;
}

NTSTATUS kcom_thread_pool_create(ULONG threads, kcom_thread_pool **pool_out, const kcom_executor **executor)
{
    kcom_thread_pool *pool;
    ULONG i;
    if (pool_out == NULL)
        return STATUS_INVALID_PARAMETER;
    *pool_out = NULL;
    if (executor == NULL || threads == 0 || threads > POOL_MAX_THREADS)
        return STATUS_INVALID_PARAMETER;
    pool = (kcom_thread_pool *)calloc(1, sizeof(*pool));
    if (pool == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    pool->executor.schedule = pool_schedule;
    pool->executor.context = pool;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->work, NULL);
    pool->queue.next = pool->queue.prev = &pool->queue;
    pool->accepting = 1;
    for (i = 0; i < threads; i++) {
        if (pthread_create(&pool->threads[i], NULL, pool_thread, pool) != 0) {
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
    struct timespec deadline = deadline_after(timeout_ms), now;
    NTSTATUS status = STATUS_SUCCESS;
    kcom_task *task;
    ULONG i;
    if (pool == NULL)
        return STATUS_SUCCESS;
    /* the workers drain: queued tasks run, and so do the ones they queue again (a yield), until
     * nothing is queued or being polled; checked every millisecond until the deadline */
    for (;;) {
        int idle;
        pthread_mutex_lock(&pool->mutex);
        idle = pool->queue.next == &pool->queue && pool->running == 0;
        pthread_mutex_unlock(&pool->mutex);
        if (idle || pool->thread_count == 0)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
            break;
        {
            struct timespec pause = {0, 1000000L};
            nanosleep(&pause, NULL);
        }
    }
    /* from now on schedule refuses; whatever is still queued is dropped: its operation finishes
     * and calls back */
    pthread_mutex_lock(&pool->mutex);
    pool->accepting = 0;
    pool->stopping = 1;
    while ((task = pool_pop(pool)) != NULL) {
        status = STATUS_TIMEOUT;
        pthread_mutex_unlock(&pool->mutex);
        kcom_task_drop_scheduled(task, STATUS_INVALID_DEVICE_STATE);
        pthread_mutex_lock(&pool->mutex);
    }
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->mutex);
    for (i = 0; i < pool->thread_count; i++)
        pthread_join(pool->threads[i], NULL);
    pthread_cond_destroy(&pool->work);
    pthread_mutex_destroy(&pool->mutex);
    free(pool);
    return status;
}
