/*
 * Timers for the async layer on the Linux host: one timer thread over a deadline-ordered list of
 * the timers' own storage (no allocation per arm). The thread starts at the first arm and ends
 * when nothing is armed; a later arm starts a new one.
 */
#define _POSIX_C_SOURCE 200809L

#include "../platform.h"

#include <kcom/awaitable.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>

typedef struct posix_timer {
    struct posix_timer *next;
    struct posix_timer *prev;
    ULONG64 deadline_ms;
    kcom_platform_timer_fn *callback;
    void *context;
    int armed; /* linked in the list (under the service's mutex) */
} posix_timer;

KCOM_STATIC_ASSERT(sizeof(posix_timer) <= sizeof(kcom_rt_timer), "kcom_rt_timer must hold a posix_timer");

static struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed; /* an earlier deadline, or a first timer */
    pthread_once_t once;
    posix_timer *head; /* earliest deadline first */
    int thread_running;
    int ready;
} service = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_ONCE_INIT, NULL, 0, 0};

static void service_init(void)
{
    /* the condition variable waits on the monotonic clock, as the deadlines do */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_destroy(&service.changed);
    service.ready = pthread_cond_init(&service.changed, &attr) == 0;
    pthread_condattr_destroy(&attr);
}

ULONG64 kcom_platform_monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (ULONG64)now.tv_sec * 1000u + (ULONG64)now.tv_nsec / 1000000u;
}

static void unlink_timer(posix_timer *t)
{
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        service.head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    t->next = t->prev = NULL;
    t->armed = 0;
}

static void *timer_thread(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&service.mutex);
    while (service.head != NULL) {
        posix_timer *t = service.head;
        ULONG64 now = kcom_platform_monotonic_ms();
        if (t->deadline_ms <= now) {
            kcom_platform_timer_fn *callback = t->callback;
            void *context = t->context;
            unlink_timer(t);
            pthread_mutex_unlock(&service.mutex);
            callback((kcom_rt_timer *)(void *)t, context); /* t may be gone afterwards */
            pthread_mutex_lock(&service.mutex);
        } else {
            struct timespec deadline;
            deadline.tv_sec = (time_t)(t->deadline_ms / 1000u);
            deadline.tv_nsec = (long)(t->deadline_ms % 1000u) * 1000000L;
            (void)pthread_cond_timedwait(&service.changed, &service.mutex, &deadline);
        }
    }
    service.thread_running = 0;
    pthread_mutex_unlock(&service.mutex);
    return NULL;
}

void kcom_platform_timer_init(kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context)
{
    posix_timer *t = (posix_timer *)(void *)timer;
    t->next = t->prev = NULL;
    t->deadline_ms = 0;
    t->callback = callback;
    t->context = context;
    t->armed = 0;
}

NTSTATUS kcom_platform_timer_arm(kcom_rt_timer *timer, ULONG64 deadline_ms)
{
    posix_timer *t = (posix_timer *)(void *)timer;
    posix_timer *at, *before = NULL;
    pthread_once(&service.once, service_init);
    if (!service.ready)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_mutex_lock(&service.mutex);
    if (!service.thread_running) {
        pthread_t thread;
        pthread_attr_t attr;
        int failed;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        failed = pthread_create(&thread, &attr, timer_thread, NULL);
        pthread_attr_destroy(&attr);
        if (failed) {
            pthread_mutex_unlock(&service.mutex);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        service.thread_running = 1; /* it waits for the mutex, then sees this timer */
    }
    t->deadline_ms = deadline_ms;
    for (at = service.head; at != NULL && at->deadline_ms <= deadline_ms; at = at->next)
        before = at;
    t->prev = before;
    t->next = at;
    if (before != NULL)
        before->next = t;
    else
        service.head = t;
    if (at != NULL)
        at->prev = t;
    t->armed = 1;
    if (service.head == t)
        pthread_cond_signal(&service.changed);
    pthread_mutex_unlock(&service.mutex);
    return STATUS_SUCCESS;
}

BOOLEAN kcom_platform_timer_cancel(kcom_rt_timer *timer)
{
    posix_timer *t = (posix_timer *)(void *)timer;
    BOOLEAN canceled = FALSE;
    pthread_mutex_lock(&service.mutex);
    if (t->armed) {
        if (service.head == t)
            pthread_cond_signal(&service.changed); /* a later deadline, or none: the thread ends */
        unlink_timer(t);
        canceled = TRUE;
    }
    pthread_mutex_unlock(&service.mutex);
    return canceled;
}
