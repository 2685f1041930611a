/*
 * The host's simulated IRQL (irql_posix.h, where it is read, raised and lowered inline): a
 * thread-local value, PASSIVE_LEVEL when a thread starts, and the spin locks that raise it to
 * DISPATCH_LEVEL. What the kernel would bugcheck for
 * fails fast: raising above DISPATCH_LEVEL or to a lower IRQL, lowering to a higher one, lowering
 * below DISPATCH_LEVEL with a spin lock held or inside a DPC routine, a spin lock taken twice by
 * its holder or released by another thread or below DISPATCH_LEVEL.
 */
#define _POSIX_C_SOURCE 200809L

#include "posix_internal.h"

#include "internal.h"

#include <kcom/atomic.h>

#include <sched.h>

__thread kcom_posix_thread_state kcom_posix_thread = {.processor = -1, .raised_processor = -1, .worker = -1};

static LONG volatile last_thread_id;

void kcom_posix_violation(const char *file, int line, const void *object, const char *what)
{
    kcom_fail_fast_because(KCOM_FAILFAST_INVARIANT, object, (ULONG_PTR)kcom_posix_thread.irql,
                           (ULONG_PTR)(LONG_PTR)kcom_posix_thread.processor, file, line,
                           "kernel simulation: %s (IRQL %u, simulated processor %ld, object %p)", what,
                           (unsigned)kcom_posix_thread.irql, (long)kcom_posix_thread.processor, object);
}

void kcom_posix_irql_violation(const char *file, int line, const void *object, UCHAR highest, const char *what)
{
    kcom_fail_fast_because(KCOM_FAILFAST_IRQL, object, (ULONG_PTR)kcom_posix_thread.irql, (ULONG_PTR)highest, file,
                           line,
                           "kernel simulation: %s (IRQL %u, at most %u allowed; simulated processor %ld, object %p)",
                           what, (unsigned)kcom_posix_thread.irql, (unsigned)highest,
                           (long)kcom_posix_thread.processor, object);
}

/* ---- IRQL (inline in irql_posix.h, but for what they find wrong) --------------------------------------- */

UCHAR kcom_posix_raise_irql(UCHAR irql)
{
    UCHAR old = kcom_posix_thread.irql;
    if (irql > KCOM_PLATFORM_DISPATCH_LEVEL)
        KCOM_POSIX_VIOLATION(NULL, "IRQL raised above DISPATCH_LEVEL (not simulated)");
    if (irql < old)
        KCOM_POSIX_VIOLATION(NULL, "KeRaiseIrql to a lower IRQL than the current one");
    kcom_posix_thread.irql = irql;
    return old;
}

void kcom_posix_raise_violation(void)
{
    KCOM_POSIX_VIOLATION(NULL, "KeRaiseIrql to a lower IRQL than the current one");
}

void kcom_posix_lower_violation(UCHAR old_irql)
{
    if (old_irql > kcom_posix_thread.irql)
        KCOM_POSIX_VIOLATION(NULL, "KeLowerIrql to a higher IRQL than the current one");
    if (kcom_posix_thread.spin_locks != 0)
        KCOM_POSIX_VIOLATION(NULL, "IRQL lowered below DISPATCH_LEVEL while a spin lock is held");
    KCOM_POSIX_VIOLATION(NULL, "IRQL lowered below DISPATCH_LEVEL inside a DPC routine");
}

/* ---- spin locks ---------------------------------------------------------------------------------------- */

/* A test-and-test-and-set lock on kcom's interlocked operations (all zeros: free, as a KSPIN_LOCK),
 * with its holder recorded to catch recursion (a deadlock in the kernel) and foreign releases. */
typedef struct __attribute__((may_alias)) posix_spin_lock {
    LONG volatile word;  /* 1 while held */
    LONG volatile owner; /* the holder's thread id; 0 when free */
} posix_spin_lock;

KCOM_STATIC_ASSERT(sizeof(posix_spin_lock) <= sizeof(kcom_platform_spin_lock) &&
                       KCOM_ALIGNOF(posix_spin_lock) <= KCOM_ALIGNOF(kcom_platform_spin_lock),
                   "kcom_platform_spin_lock must hold a posix_spin_lock");

static KCOM_FORCEINLINE posix_spin_lock *as_spin_lock(kcom_platform_spin_lock *lock)
{
    return (posix_spin_lock *)(void *)lock->opaque;
}

static LONG thread_id(void)
{
    if (kcom_posix_thread.thread_id == 0)
        kcom_posix_thread.thread_id = kcom_atomic_fetch_add(&last_thread_id, 1) + 1;
    return kcom_posix_thread.thread_id;
}

void kcom_platform_spin_pause(ULONG *spins)
{
    if (++*spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        *spins = 0;
        sched_yield();
    }
}

void kcom_platform_spin_lock_init(kcom_platform_spin_lock *lock)
{
    posix_spin_lock *l = as_spin_lock(lock);
    kcom_atomic_store(&l->owner, 0);
    kcom_atomic_store(&l->word, 0);
}

UCHAR kcom_platform_spin_lock_acquire(kcom_platform_spin_lock *lock)
{
    posix_spin_lock *l = as_spin_lock(lock);
    LONG me = thread_id();
    UCHAR old = kcom_posix_thread.irql;
    if (kcom_atomic_load(&l->owner) == me)
        KCOM_POSIX_VIOLATION(lock, "spin lock acquired again by the thread that holds it (a deadlock)");
    kcom_posix_thread.irql = KCOM_PLATFORM_DISPATCH_LEVEL;
    while (kcom_atomic_exchange(&l->word, 1) != 0) {
        /* the holder may have been preempted (there are more threads than processors, and
         * valgrind runs one at a time): the pause gives the processor up now and then */
        ULONG spins = 0;
        while (kcom_atomic_load(&l->word) != 0)
            kcom_platform_spin_pause(&spins);
    }
    kcom_atomic_store(&l->owner, me);
    kcom_posix_thread.spin_locks++;
    return old;
}

void kcom_platform_spin_lock_release(kcom_platform_spin_lock *lock, UCHAR old_irql)
{
    posix_spin_lock *l = as_spin_lock(lock);
    if (kcom_atomic_load(&l->owner) != thread_id())
        KCOM_POSIX_VIOLATION(lock, "spin lock released by a thread that does not hold it");
    if (kcom_posix_thread.irql != KCOM_PLATFORM_DISPATCH_LEVEL)
        KCOM_POSIX_VIOLATION(lock, "spin lock released below DISPATCH_LEVEL");
    kcom_atomic_store(&l->owner, 0);
    kcom_atomic_store(&l->word, 0);
    kcom_posix_thread.spin_locks--;
    kcom_platform_lower_irql(old_irql);
}
