/*
 * timer_service.c - one-shot timers over the platform's threads, for the targets without timers of
 * their own (win32; the Linux host, unless the kernel simulation supplies KTIMERs): one timer
 * thread over a deadline-ordered queue of the timers' own storage (no allocation per arm), on the
 * platform's mutex, condition variable and threads. The thread starts at the first arm and ends
 * when nothing is armed; a later arm starts a new one. Portable code of the platform layer: it
 * uses nothing but platform.h. The contract is kcom_platform_timer_*'s (platform.h).
 */
#include <kcom/awaitable.h>

#include "platform/deadline_queue.h"
#include "platform/platform.h"
#include "platform/timer_service.h"

typedef struct service_timer {
    kcom_deadline_link link; /* first: a timer is found from its link by a cast */
    kcom_platform_timer_fn *callback;
    void *context;
    int armed; /* linked in the queue (under the service's mutex) */
} service_timer;

KCOM_STATIC_ASSERT(sizeof(service_timer) <= sizeof(kcom_rt_timer), "kcom_rt_timer must hold a service_timer");

/* service.state: the mutex and the condition variable are prepared at the first arm */
#define SERVICE_NEW 0
#define SERVICE_PREPARING 1
#define SERVICE_READY 2
#define SERVICE_FAILED 3

static struct {
    LONG volatile state;
    kcom_platform_mutex mutex;
    kcom_platform_cond changed; /* an earlier deadline, or a first timer */
    kcom_platform_thread thread; /* read by a starting thread only; rewritten by the next start */
    kcom_deadline_queue queue; /* earliest deadline first */
    int thread_running; /* the thread is in its loop */
    int thread_joinable; /* a thread was started and not joined yet (it may have ended) */
    int stopping;        /* kcom_timer_service_stop: the thread leaves its loop */
} service;

/* Whether the service is prepared; the first caller prepares it, concurrent ones wait for that. */
static BOOLEAN service_ready(void)
{
    LONG state = kcom_atomic_load(&service.state);
    if (state == SERVICE_NEW &&
        kcom_atomic_compare_exchange(&service.state, SERVICE_NEW, SERVICE_PREPARING) == SERVICE_NEW) {
        kcom_platform_mutex_init(&service.mutex);
        /* the condition variable waits on the monotonic clock, as the deadlines do */
        state = NT_SUCCESS(kcom_platform_cond_init(&service.changed)) ? SERVICE_READY : SERVICE_FAILED;
        kcom_atomic_store(&service.state, state);
    }
    while (state == SERVICE_NEW || state == SERVICE_PREPARING)
        state = kcom_atomic_load(&service.state);
    return state == SERVICE_READY;
}

static void unlink_timer(service_timer *t)
{
    kcom_deadline_queue_remove(&service.queue, &t->link);
    t->armed = 0;
}

static void timer_thread(void *unused)
{
    (void)unused;
    kcom_platform_mutex_lock(&service.mutex);
    while (service.queue.first != NULL && !service.stopping) {
        service_timer *t = (service_timer *)(void *)service.queue.first;
        ULONG64 now = kcom_platform_monotonic_ms();
        if (t->link.deadline_ms <= now) {
            kcom_platform_timer_fn *callback = t->callback;
            void *context = t->context;
            unlink_timer(t);
            kcom_platform_mutex_unlock(&service.mutex);
            callback((kcom_rt_timer *)(void *)t, context); /* t may be gone afterwards */
            kcom_platform_mutex_lock(&service.mutex);
        } else {
            ULONG64 wait = t->link.deadline_ms - now;
            kcom_platform_cond_wait(&service.changed, &service.mutex, wait > 0x7FFFFFFFu ? 0x7FFFFFFFu : (ULONG)wait);
        }
    }
    service.thread_running = 0;
    kcom_platform_mutex_unlock(&service.mutex);
}

void kcom_timer_service_init(kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context)
{
    service_timer *t = (service_timer *)(void *)timer;
    kcom_deadline_link_init(&t->link);
    t->callback = callback;
    t->context = context;
    t->armed = 0;
}

NTSTATUS kcom_timer_service_arm(kcom_rt_timer *timer, ULONG64 deadline_ms)
{
    service_timer *t = (service_timer *)(void *)timer;
    if (!service_ready())
        return STATUS_INSUFFICIENT_RESOURCES;
    kcom_platform_mutex_lock(&service.mutex);
    if (!service.thread_running) {
        /* the previous thread has left its loop and needs the mutex no more: join it first */
        if (service.thread_joinable)
            kcom_platform_thread_join(&service.thread);
        service.thread_joinable = 0;
        if (!NT_SUCCESS(kcom_platform_thread_start(&service.thread, timer_thread, NULL))) {
            kcom_platform_mutex_unlock(&service.mutex);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        service.thread_joinable = 1;
        service.thread_running = 1; /* it waits for the mutex, then sees this timer */
    }
    t->armed = 1;
    if (kcom_deadline_queue_insert(&service.queue, &t->link, deadline_ms))
        kcom_platform_cond_signal_unlock(&service.changed, &service.mutex); /* the thread finds it free */
    else
        kcom_platform_mutex_unlock(&service.mutex);
    return STATUS_SUCCESS;
}

BOOLEAN kcom_timer_service_cancel(kcom_rt_timer *timer)
{
    service_timer *t = (service_timer *)(void *)timer;
    BOOLEAN canceled = FALSE;
    if (kcom_atomic_load(&service.state) != SERVICE_READY)
        return FALSE; /* never armed */
    kcom_platform_mutex_lock(&service.mutex);
    if (t->armed) {
        if (service.queue.first == &t->link)
            kcom_platform_cond_signal(&service.changed); /* a later deadline, or none: the thread ends */
        unlink_timer(t);
        canceled = TRUE;
    }
    kcom_platform_mutex_unlock(&service.mutex);
    return canceled;
}

BOOLEAN kcom_timer_service_stop(BOOLEAN abandon_armed)
{
    int joinable;
    if (kcom_atomic_load(&service.state) != SERVICE_READY)
        return TRUE; /* never armed */
    kcom_platform_mutex_lock(&service.mutex);
    if (service.queue.first != NULL && !abandon_armed) {
        kcom_platform_mutex_unlock(&service.mutex);
        return FALSE;
    }
    service.stopping = 1;
    kcom_platform_cond_signal(&service.changed);
    joinable = service.thread_joinable;
    service.thread_joinable = 0;
    kcom_platform_mutex_unlock(&service.mutex);
    if (joinable)
        kcom_platform_thread_join(&service.thread);
    kcom_platform_mutex_lock(&service.mutex);
    service.stopping = 0;
    kcom_platform_mutex_unlock(&service.mutex);
    return TRUE;
}
