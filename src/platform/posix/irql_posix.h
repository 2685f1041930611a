/*
 * irql_posix.h - the host's simulated IRQL (platform.h's IRQL functions, inline: every wake and
 * wait goes through them) and the thread state it lives in (irql_posix.c, posix_internal.h).
 *
 * What the kernel would bugcheck for fails fast here as there: raising above DISPATCH_LEVEL or to a
 * lower IRQL, lowering to a higher one, lowering below DISPATCH_LEVEL with a spin lock held or
 * inside a DPC routine.
 */
#ifndef KCOM_SRC_PLATFORM_POSIX_IRQL_H
#define KCOM_SRC_PLATFORM_POSIX_IRQL_H

/* The calling thread's simulated kernel context. */
typedef struct kcom_posix_thread_state {
    UCHAR irql;             /* PASSIVE_LEVEL (0) when a thread starts */
    BOOLEAN in_dpc;         /* in a DPC routine of the kernel simulation */
    BOOLEAN sim_thread;     /* a simulated processor's or a work item worker's thread */
    ULONG spin_locks;       /* spin locks held */
    LONG processor;         /* a simulated processor's thread: its index; -1 otherwise */
    LONG raised_processor;  /* another thread at DISPATCH_LEVEL: the processor its DPCs go to; -1 */
    LONG worker;            /* a work item worker's thread: its index; -1 otherwise */
    LONG thread_id;         /* 0 until the first spin lock */
} kcom_posix_thread_state;

/* __thread, which C and C++ both accept (_Thread_local is C's alone). */
extern __thread kcom_posix_thread_state kcom_posix_thread;

/* What the kernel would bugcheck for: traces "kernel simulation: <what>" at ERROR level, with the
 * calling thread's simulated IRQL, and fails fast (KCOM_FAILFAST_INVARIANT, object). */
KCOM_NORETURN void kcom_posix_violation(const char *file, int line, const void *object, const char *what);
#define KCOM_POSIX_VIOLATION(object, what) kcom_posix_violation(__FILE__, __LINE__, (object), (what))

/* Raises the calling thread's simulated IRQL to irql (at least the current one, at most
 * DISPATCH_LEVEL); returns the previous one. */
UCHAR kcom_posix_raise_irql(UCHAR irql);

static KCOM_FORCEINLINE UCHAR kcom_platform_irql(void)
{
    return kcom_posix_thread.irql;
}

static KCOM_FORCEINLINE BOOLEAN kcom_platform_can_block(void)
{
    return (BOOLEAN)(kcom_posix_thread.irql < KCOM_PLATFORM_DISPATCH_LEVEL);
}

/* The misuse a raise or a lower found, reported (irql_posix.c). */
KCOM_NORETURN void kcom_posix_raise_violation(void);
KCOM_NORETURN void kcom_posix_lower_violation(UCHAR old_irql);

static KCOM_FORCEINLINE UCHAR kcom_platform_raise_to_dispatch(void)
{
    UCHAR old = kcom_posix_thread.irql;
    if (KCOM_UNLIKELY(old > KCOM_PLATFORM_DISPATCH_LEVEL))
        kcom_posix_raise_violation();
    kcom_posix_thread.irql = KCOM_PLATFORM_DISPATCH_LEVEL;
    return old;
}

static KCOM_FORCEINLINE void kcom_platform_lower_irql(UCHAR old_irql)
{
    if (old_irql < KCOM_PLATFORM_DISPATCH_LEVEL) {
        if (KCOM_UNLIKELY(old_irql > kcom_posix_thread.irql || kcom_posix_thread.spin_locks != 0 ||
                          kcom_posix_thread.in_dpc))
            kcom_posix_lower_violation(old_irql);
        kcom_posix_thread.raised_processor = -1;
    } else if (KCOM_UNLIKELY(old_irql > kcom_posix_thread.irql)) {
        kcom_posix_lower_violation(old_irql);
    }
    kcom_posix_thread.irql = old_irql;
}

#endif /* KCOM_SRC_PLATFORM_POSIX_IRQL_H */
