/*
 * Threads for the async layer in Windows user mode: events and the thread-pool executor, on Win32
 * (a manual-reset event object; an SRW lock, a condition variable and _beginthreadex threads). The
 * behaviour is that of threads_posix.c, line for line.
 */
#include "../platform.h"

#include <kcom/task.h>

#include <process.h>
#include <stdlib.h>

/* ---- events -------------------------------------------------------------------------------------------- */

struct kcom_platform_event {
    HANDLE handle; /* a manual-reset event object */
    LONG volatile refs;
};

kcom_platform_event *kcom_platform_event_create(void)
{
    kcom_platform_event *event = (kcom_platform_event *)malloc(sizeof(*event));
    if (event == NULL)
        return NULL;
    event->handle = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (event->handle == NULL) {
        free(event);
        return NULL;
    }
    event->refs = 1;
    return event;
}

void kcom_platform_event_reference(kcom_platform_event *event)
{
    kcom_atomic_fetch_add(&event->refs, 1);
}

void kcom_platform_event_release(kcom_platform_event *event)
{
    if (kcom_atomic_fetch_add(&event->refs, -1) == 1) {
        CloseHandle(event->handle);
        free(event);
    }
}

void kcom_platform_event_set(kcom_platform_event *event)
{
    SetEvent(event->handle);
}

NTSTATUS kcom_platform_event_wait(kcom_platform_event *event, ULONG timeout_ms)
{
    /* Win32 timeouts are relative intervals: they do not move with the wall clock. 0xFFFFFFFF is
     * INFINITE. */
    return WaitForSingleObject(event->handle, (DWORD)timeout_ms) == WAIT_OBJECT_0 ? STATUS_SUCCESS
                                                                                  : STATUS_TIMEOUT;
}

BOOLEAN kcom_platform_can_block(void)
{
    return TRUE;
}

/* ---- the thread pool ------------------------------------------------------------------------------------ */

#define POOL_MAX_THREADS 64

struct kcom_thread_pool {
    kcom_executor executor;
    SRWLOCK lock;
    CONDITION_VARIABLE work; /* tasks queued, or stopping */
    kcom_task_link queue; /* FIFO through the tasks' own links: scheduling never allocates */
    int accepting;
    int stopping;
    ULONG running; /* tasks being polled now */
    ULONG thread_count;
    HANDLE threads[POOL_MAX_THREADS];
};

static NTSTATUS pool_schedule(void *context, kcom_task *task)
{
    kcom_thread_pool *pool = (kcom_thread_pool *)context;
    AcquireSRWLockExclusive(&pool->lock);
    if (!pool->accepting) {
        ReleaseSRWLockExclusive(&pool->lock);
        return STATUS_INVALID_DEVICE_STATE;
    }
    task->link.next = &pool->queue;
    task->link.prev = pool->queue.prev;
    pool->queue.prev->next = &task->link;
    pool->queue.prev = &task->link;
    WakeConditionVariable(&pool->work);
    ReleaseSRWLockExclusive(&pool->lock);
    return STATUS_SUCCESS;
}

/* Dequeues the oldest task; the lock is held. */
static kcom_task *pool_pop(kcom_thread_pool *pool)
{
    kcom_task_link *entry = pool->queue.next;
    if (entry == &pool->queue)
        return NULL;
    pool->queue.next = entry->next;
    entry->next->prev = &pool->queue;
    return KCOM_TASK_FROM_LINK(entry);
}

/* _beginthreadex, not CreateThread: a task may use the C runtime. */
static unsigned __stdcall pool_thread(void *context)
{
    kcom_thread_pool *pool = (kcom_thread_pool *)context;
    AcquireSRWLockExclusive(&pool->lock);
    for (;;) {
        kcom_task *task = pool_pop(pool);
        if (task != NULL) {
            pool->running++;
            ReleaseSRWLockExclusive(&pool->lock);
            kcom_task_run(task); /* outside the lock: the poll may wake tasks of this pool */
            AcquireSRWLockExclusive(&pool->lock);
            pool->running--;
        } else if (pool->stopping) {
            break;
        } else {
            (void)SleepConditionVariableSRW(&pool->work, &pool->lock, INFINITE, 0);
        }
    }
    ReleaseSRWLockExclusive(&pool->lock);
    return 0;
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
    InitializeSRWLock(&pool->lock);
    InitializeConditionVariable(&pool->work);
    pool->queue.next = pool->queue.prev = &pool->queue;
    pool->accepting = 1;
    for (i = 0; i < threads; i++) {
        pool->threads[i] = (HANDLE)_beginthreadex(NULL, 0, pool_thread, pool, 0, NULL);
        if (pool->threads[i] == NULL) {
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
    ULONGLONG deadline = GetTickCount64() + timeout_ms; /* monotonic, like the posix CLOCK_MONOTONIC */
    NTSTATUS status = STATUS_SUCCESS;
    kcom_task *task;
    ULONG i;
    if (pool == NULL)
        return STATUS_SUCCESS;
    /* the workers drain: queued tasks run, and so do the ones they queue again (a yield), until
     * nothing is queued or being polled; checked every millisecond until the deadline */
    for (;;) {
        int idle;
        AcquireSRWLockExclusive(&pool->lock);
        idle = pool->queue.next == &pool->queue && pool->running == 0;
        ReleaseSRWLockExclusive(&pool->lock);
        if (idle || pool->thread_count == 0)
            break;
        if (GetTickCount64() >= deadline)
            break;
        Sleep(1);
    }
    /* from now on schedule refuses; whatever is still queued is dropped: its operation finishes
     * and calls back */
    AcquireSRWLockExclusive(&pool->lock);
    pool->accepting = 0;
    pool->stopping = 1;
    while ((task = pool_pop(pool)) != NULL) {
        status = STATUS_TIMEOUT;
        ReleaseSRWLockExclusive(&pool->lock);
        kcom_task_drop_scheduled(task, STATUS_INVALID_DEVICE_STATE);
        AcquireSRWLockExclusive(&pool->lock);
    }
    WakeAllConditionVariable(&pool->work);
    ReleaseSRWLockExclusive(&pool->lock);
    for (i = 0; i < pool->thread_count; i++) {
        WaitForSingleObject(pool->threads[i], INFINITE);
        CloseHandle(pool->threads[i]);
    }
    free(pool);
    return status;
}
