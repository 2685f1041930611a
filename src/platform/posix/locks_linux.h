/*
 * locks_linux.h - the Linux host's mutex, condition variable and local event on futex words:
 * their uncontended paths inline (platform.h's functions, for every caller of platform.h), each a
 * compare-exchange, an exchange or a load, and what sleeps or wakes a thread out of line
 * (threads_posix.c). The thread pool's hand-over, the kernel simulation's DPC queues and every
 * blocking wait go through them.
 *
 * The mutex: 0 free, 1 held, 2 held and a thread may sleep on it. The condition variable: a
 * sequence a waiter sleeps on (any change wakes it) and the count of waiters, so that a signal
 * with nobody waiting is one load. A waiter counts itself and reads the sequence with the mutex
 * held, so a signal after a change the waiter did not see (made under the mutex) finds it counted
 * and moves the sequence it sleeps on: no wake is lost. The event: clear, set, or waited (clear,
 * and a waiter sleeps or is about to); a set that finds nobody waiting is one exchange, a wait
 * that finds it set one load.
 */
#ifndef KCOM_SRC_PLATFORM_POSIX_LOCKS_LINUX_H
#define KCOM_SRC_PLATFORM_POSIX_LOCKS_LINUX_H

typedef struct kcom_posix_mutex {
    LONG volatile state;
} kcom_posix_mutex;

typedef struct kcom_posix_cond {
    LONG volatile sequence;
    LONG volatile waiters;
} kcom_posix_cond;

enum { KCOM_POSIX_EVENT_CLEAR = 0, KCOM_POSIX_EVENT_SET = 1, KCOM_POSIX_EVENT_WAITED = 2 };

typedef struct kcom_posix_event {
    LONG volatile state;
} kcom_posix_event;

KCOM_STATIC_ASSERT(sizeof(kcom_posix_mutex) <= sizeof(kcom_platform_mutex) &&
                       KCOM_ALIGNOF(kcom_posix_mutex) <= KCOM_ALIGNOF(kcom_platform_mutex),
                   "kcom_platform_mutex must hold a kcom_posix_mutex");
KCOM_STATIC_ASSERT(sizeof(kcom_posix_cond) <= sizeof(kcom_platform_cond) &&
                       KCOM_ALIGNOF(kcom_posix_cond) <= KCOM_ALIGNOF(kcom_platform_cond),
                   "kcom_platform_cond must hold a kcom_posix_cond");
KCOM_STATIC_ASSERT(sizeof(kcom_posix_event) <= sizeof(kcom_platform_local_event) &&
                       KCOM_ALIGNOF(kcom_posix_event) <= KCOM_ALIGNOF(kcom_platform_local_event),
                   "kcom_platform_local_event must hold a kcom_posix_event");

/* Out of line (threads_posix.c): the wait for a held mutex (state: what the first compare-exchange
 * found), and the wake of up to count threads sleeping on word (word is not read: it may name
 * memory that is gone; a stray wake is a spurious wake-up, which every futex user allows). */
void kcom_posix_mutex_lock_contended(kcom_posix_mutex *mutex, LONG state);
void kcom_posix_futex_wake(LONG volatile *word, int count);

static KCOM_FORCEINLINE void kcom_platform_mutex_lock(kcom_platform_mutex *mutex)
{
    kcom_posix_mutex *m = (kcom_posix_mutex *)(void *)mutex;
    LONG state = kcom_atomic_compare_exchange(&m->state, 0, 1);
    if (KCOM_UNLIKELY(state != 0))
        kcom_posix_mutex_lock_contended(m, state);
}

static KCOM_FORCEINLINE void kcom_platform_mutex_unlock(kcom_platform_mutex *mutex)
{
    kcom_posix_mutex *m = (kcom_posix_mutex *)(void *)mutex;
    if (KCOM_UNLIKELY(kcom_atomic_exchange(&m->state, 0) == 2))
        kcom_posix_futex_wake(&m->state, 1);
}

/* A wake's part under the mutex: the sequence moved when a waiter is counted. Returns the word
 * to wake, NULL when nobody waits. */
static KCOM_FORCEINLINE LONG volatile *kcom_posix_cond_advance(kcom_platform_cond *cond)
{
    kcom_posix_cond *c = (kcom_posix_cond *)(void *)cond;
    if (kcom_atomic_load(&c->waiters) == 0)
        return NULL;
    kcom_atomic_fetch_add(&c->sequence, 1);
    return &c->sequence;
}

/* Wakes up to count waiters of cond, if any is counted. */
static KCOM_FORCEINLINE void kcom_posix_cond_wake(kcom_platform_cond *cond, int count)
{
    LONG volatile *sequence = kcom_posix_cond_advance(cond);
    if (sequence != NULL)
        kcom_posix_futex_wake(sequence, count);
}

static KCOM_FORCEINLINE void kcom_platform_cond_signal(kcom_platform_cond *cond)
{
    kcom_posix_cond_wake(cond, 1);
}

static KCOM_FORCEINLINE void kcom_platform_cond_broadcast(kcom_platform_cond *cond)
{
    kcom_posix_cond_wake(cond, 0x7FFFFFFF);
}

/* The sequence moves under the mutex, as a signal's does, and the wake, which only names the
 * word, follows the release. */
static KCOM_FORCEINLINE void kcom_platform_cond_signal_unlock(kcom_platform_cond *cond, kcom_platform_mutex *mutex)
{
    LONG volatile *sequence = kcom_posix_cond_advance(cond);
    kcom_platform_mutex_unlock(mutex);
    if (sequence != NULL)
        kcom_posix_futex_wake(sequence, 1);
}

static KCOM_FORCEINLINE NTSTATUS kcom_platform_local_event_init(kcom_platform_local_event *event)
{
    ((kcom_posix_event *)(void *)event)->state = KCOM_POSIX_EVENT_CLEAR;
    return STATUS_SUCCESS;
}

static KCOM_FORCEINLINE void kcom_platform_local_event_destroy(kcom_platform_local_event *event)
{
    (void)event;
}

/* The exchange is the last access to the event's memory: a waiter that saw it set may destroy it
 * at once, and the wake only names the address (valgrind checks it all the same:
 * scripts/valgrind.supp). */
static KCOM_FORCEINLINE void kcom_platform_local_event_set(kcom_platform_local_event *event)
{
    kcom_posix_event *e = (kcom_posix_event *)(void *)event;
    if (kcom_atomic_exchange(&e->state, KCOM_POSIX_EVENT_SET) == KCOM_POSIX_EVENT_WAITED)
        kcom_posix_futex_wake(&e->state, 0x7FFFFFFF);
}

#endif /* KCOM_SRC_PLATFORM_POSIX_LOCKS_LINUX_H */
