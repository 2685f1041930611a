/*
 * Threads for the async layer on the Linux host: events (a futex word on Linux, a mutex and a
 * condition variable elsewhere), and the mutex, condition variable,
 * threads and clock that the thread pool (src/exec/thread_pool.c) and the timer service
 * (src/platform/timer_service.c) are written on, on pthreads. The host's simulated IRQL
 * (irql_posix.c) applies: a wait or a sleep at DISPATCH_LEVEL fails fast, as it bugchecks in the
 * kernel.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* syscall */

#include "posix_internal.h"

#include <kcom/allocator.h>
#include <kcom/atomic.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Sleeps while *word is expected, until a wake, deadline (an absolute CLOCK_MONOTONIC time; NULL:
 * none) or a spurious wake-up. FALSE when the deadline passed. */
static BOOLEAN futex_wait(LONG volatile *word, LONG expected, const struct timespec *deadline)
{
    return (BOOLEAN)(syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, expected, deadline, NULL,
                             FUTEX_BITSET_MATCH_ANY) == 0 ||
                     errno != ETIMEDOUT);
}

/* The wake of locks_linux.h's inline paths (word is not read there either). */
void kcom_posix_futex_wake(LONG volatile *word, int count)
{
    (void)syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}
#endif

/* ---- events -------------------------------------------------------------------------------------------- */

#if !defined(__linux__)

typedef struct kcom_posix_event {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int set;
} kcom_posix_event;

KCOM_STATIC_ASSERT(sizeof(kcom_posix_event) <= sizeof(kcom_platform_local_event) &&
                       KCOM_ALIGNOF(kcom_posix_event) <= KCOM_ALIGNOF(kcom_platform_local_event),
                   "kcom_platform_local_event must hold a kcom_posix_event");

#endif

static kcom_posix_event *posix_event_of(kcom_platform_local_event *event)
{
    return (kcom_posix_event *)(void *)event;
}

static void check_wait_irql(kcom_platform_local_event *storage, ULONG timeout_ms)
{
    /* KeWaitForSingleObject: only a zero timeout (a poll) is allowed at DISPATCH_LEVEL */
    if (timeout_ms != 0 && kcom_platform_irql() >= KCOM_PLATFORM_DISPATCH_LEVEL)
        KCOM_POSIX_IRQL_VIOLATION(storage, KCOM_PLATFORM_APC_LEVEL,
                                "event wait at DISPATCH_LEVEL (in a DPC routine, or with a spin lock held)");
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

#if defined(__linux__)

NTSTATUS kcom_platform_local_event_wait(kcom_platform_local_event *storage, ULONG timeout_ms)
{
    kcom_posix_event *event = posix_event_of(storage);
    struct timespec deadline;
    check_wait_irql(storage, timeout_ms);
    if (kcom_atomic_load(&event->state) == KCOM_POSIX_EVENT_SET)
        return STATUS_SUCCESS;
    if (timeout_ms != 0xFFFFFFFFUL)
        deadline = deadline_after(timeout_ms);
    for (;;) {
        LONG state = kcom_atomic_compare_exchange(&event->state, KCOM_POSIX_EVENT_CLEAR, KCOM_POSIX_EVENT_WAITED);
        if (state == KCOM_POSIX_EVENT_SET)
            return STATUS_SUCCESS;
        if (!futex_wait(&event->state, KCOM_POSIX_EVENT_WAITED, timeout_ms != 0xFFFFFFFFUL ? &deadline : NULL))
            return kcom_atomic_load(&event->state) == KCOM_POSIX_EVENT_SET ? STATUS_SUCCESS : STATUS_TIMEOUT;
    }
}

#else

NTSTATUS kcom_platform_local_event_init(kcom_platform_local_event *storage)
{
    kcom_posix_event *event = posix_event_of(storage);
    pthread_condattr_t attr;
    /* a monotonic clock: timeouts do not move with the wall clock */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&event->cond, &attr) != 0) {
        pthread_condattr_destroy(&attr);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&event->mutex, NULL);
    event->set = 0;
    return STATUS_SUCCESS;
}

void kcom_platform_local_event_destroy(kcom_platform_local_event *storage)
{
    kcom_posix_event *event = posix_event_of(storage);
    pthread_cond_destroy(&event->cond);
    pthread_mutex_destroy(&event->mutex);
}

/* The broadcast under the mutex, and nothing after the unlock: a woken waiter takes the mutex
 * only once it is released, and may then destroy the event at once. */
void kcom_platform_local_event_set(kcom_platform_local_event *storage)
{
    kcom_posix_event *event = posix_event_of(storage);
    pthread_mutex_lock(&event->mutex);
    event->set = 1;
    pthread_cond_broadcast(&event->cond);
    pthread_mutex_unlock(&event->mutex);
}

NTSTATUS kcom_platform_local_event_wait(kcom_platform_local_event *storage, ULONG timeout_ms)
{
    kcom_posix_event *event = posix_event_of(storage);
    struct timespec deadline;
    NTSTATUS status = STATUS_SUCCESS;
    check_wait_irql(storage, timeout_ms);
    deadline = deadline_after(timeout_ms);
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

#endif


/* ---- mutexes, condition variables, threads, the clock ------------------------------------------------ */

#if defined(__linux__)

/* On Linux, futex words (locks_linux.h): no system call unless a thread sleeps or must be woken,
 * and a few instructions where glibc's mutex and condition variable take a hundred or more. */

void kcom_platform_mutex_init(kcom_platform_mutex *mutex)
{
    ((kcom_posix_mutex *)(void *)mutex)->state = 0;
}

void kcom_platform_mutex_destroy(kcom_platform_mutex *mutex)
{
    (void)mutex;
}

void kcom_posix_mutex_lock_contended(kcom_posix_mutex *m, LONG state)
{
    if (state != 2)
        state = kcom_atomic_exchange(&m->state, 2);
    while (state != 0) {
        futex_wait(&m->state, 2, NULL);
        state = kcom_atomic_exchange(&m->state, 2);
    }
}

NTSTATUS kcom_platform_cond_init(kcom_platform_cond *cond)
{
    kcom_posix_cond *c = (kcom_posix_cond *)(void *)cond;
    c->sequence = 0;
    c->waiters = 0;
    return STATUS_SUCCESS;
}

void kcom_platform_cond_destroy(kcom_platform_cond *cond)
{
    (void)cond;
}

void kcom_platform_cond_wait(kcom_platform_cond *cond, kcom_platform_mutex *mutex, ULONG timeout_ms)
{
    kcom_posix_cond *c = (kcom_posix_cond *)(void *)cond;
    struct timespec deadline;
    LONG sequence;
    if (kcom_platform_irql() >= KCOM_PLATFORM_DISPATCH_LEVEL)
        KCOM_POSIX_IRQL_VIOLATION(cond, KCOM_PLATFORM_APC_LEVEL, "condition variable wait at DISPATCH_LEVEL");
    if (timeout_ms != 0xFFFFFFFFUL)
        deadline = deadline_after(timeout_ms);
    kcom_atomic_fetch_add(&c->waiters, 1);
    sequence = kcom_atomic_load(&c->sequence);
    kcom_platform_mutex_unlock(mutex);
    (void)futex_wait(&c->sequence, sequence, timeout_ms != 0xFFFFFFFFUL ? &deadline : NULL);
    kcom_platform_mutex_lock(mutex);
    kcom_atomic_fetch_add(&c->waiters, -1);
}

#else

KCOM_STATIC_ASSERT(sizeof(pthread_mutex_t) <= sizeof(kcom_platform_mutex) &&
                       KCOM_ALIGNOF(pthread_mutex_t) <= KCOM_ALIGNOF(kcom_platform_mutex),
                   "kcom_platform_mutex must hold a pthread_mutex_t");
KCOM_STATIC_ASSERT(sizeof(pthread_cond_t) <= sizeof(kcom_platform_cond) &&
                       KCOM_ALIGNOF(pthread_cond_t) <= KCOM_ALIGNOF(kcom_platform_cond),
                   "kcom_platform_cond must hold a pthread_cond_t");

void kcom_platform_mutex_init(kcom_platform_mutex *mutex)
{
    pthread_mutex_init((pthread_mutex_t *)(void *)mutex, NULL);
}

void kcom_platform_mutex_destroy(kcom_platform_mutex *mutex)
{
    pthread_mutex_destroy((pthread_mutex_t *)(void *)mutex);
}

void kcom_platform_mutex_lock(kcom_platform_mutex *mutex)
{
    pthread_mutex_lock((pthread_mutex_t *)(void *)mutex);
}

void kcom_platform_mutex_unlock(kcom_platform_mutex *mutex)
{
    pthread_mutex_unlock((pthread_mutex_t *)(void *)mutex);
}

NTSTATUS kcom_platform_cond_init(kcom_platform_cond *cond)
{
    /* the condition variable waits on the monotonic clock, as the deadlines do */
    pthread_condattr_t attr;
    int failed;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    failed = pthread_cond_init((pthread_cond_t *)(void *)cond, &attr);
    pthread_condattr_destroy(&attr);
    return failed ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
}

void kcom_platform_cond_destroy(kcom_platform_cond *cond)
{
    pthread_cond_destroy((pthread_cond_t *)(void *)cond);
}

void kcom_platform_cond_wait(kcom_platform_cond *cond, kcom_platform_mutex *mutex, ULONG timeout_ms)
{
    if (kcom_platform_irql() >= KCOM_PLATFORM_DISPATCH_LEVEL)
        KCOM_POSIX_IRQL_VIOLATION(cond, KCOM_PLATFORM_APC_LEVEL, "condition variable wait at DISPATCH_LEVEL");
    if (timeout_ms == 0xFFFFFFFFUL) {
        pthread_cond_wait((pthread_cond_t *)(void *)cond, (pthread_mutex_t *)(void *)mutex);
    } else {
        struct timespec deadline = deadline_after(timeout_ms);
        (void)pthread_cond_timedwait((pthread_cond_t *)(void *)cond, (pthread_mutex_t *)(void *)mutex, &deadline);
    }
}

void kcom_platform_cond_signal(kcom_platform_cond *cond)
{
    pthread_cond_signal((pthread_cond_t *)(void *)cond);
}

void kcom_platform_cond_broadcast(kcom_platform_cond *cond)
{
    pthread_cond_broadcast((pthread_cond_t *)(void *)cond);
}

#endif

typedef struct posix_thread {
    pthread_t thread;
    kcom_platform_thread_fn *fn;
    void *context;
} posix_thread;

KCOM_STATIC_ASSERT(sizeof(posix_thread) <= sizeof(kcom_platform_thread) &&
                       KCOM_ALIGNOF(posix_thread) <= KCOM_ALIGNOF(kcom_platform_thread),
                   "kcom_platform_thread must hold a posix_thread");

static void *thread_start(void *context)
{
    posix_thread *t = (posix_thread *)context;
    kcom_platform_thread_fn *fn = t->fn;
    void *fn_context = t->context;
    fn(fn_context); /* *t is the caller's again */
    return NULL;
}

NTSTATUS kcom_platform_thread_start(kcom_platform_thread *thread, kcom_platform_thread_fn *fn, void *context)
{
    posix_thread *t = (posix_thread *)(void *)thread;
    t->fn = fn;
    t->context = context;
    return pthread_create(&t->thread, NULL, thread_start, t) == 0 ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

void kcom_platform_thread_join(kcom_platform_thread *thread)
{
    pthread_join(((posix_thread *)(void *)thread)->thread, NULL);
}

BOOLEAN kcom_platform_thread_is_current(const kcom_platform_thread *thread)
{
    return pthread_equal(((const posix_thread *)(const void *)thread)->thread, pthread_self()) ? TRUE : FALSE;
}

ULONG64 kcom_platform_monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (ULONG64)now.tv_sec * 1000u + (ULONG64)now.tv_nsec / 1000000u;
}

void kcom_platform_sleep_ms(ULONG ms)
{
    struct timespec pause;
    if (kcom_platform_irql() >= KCOM_PLATFORM_DISPATCH_LEVEL)
        KCOM_POSIX_IRQL_VIOLATION(NULL, KCOM_PLATFORM_APC_LEVEL, "sleep at DISPATCH_LEVEL");
    pause.tv_sec = (time_t)(ms / 1000u);
    pause.tv_nsec = (long)(ms % 1000u) * 1000000L;
    nanosleep(&pause, NULL);
}
