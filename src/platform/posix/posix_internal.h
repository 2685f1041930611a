/*
 * posix_internal.h - what the Linux host's platform files share, and the seam the host's kernel
 * simulation (kernel_sim/, a library of its own) plugs into.
 *
 * The host keeps a simulated IRQL per thread (irql_posix.c): PASSIVE_LEVEL unless a spin lock, a
 * test (kcom_sim_raise_irql) or a DPC routine of the simulation raised it. The waits and sleeps of
 * threads_posix.c check it, as the kernel bugchecks a wait at DISPATCH_LEVEL. Without the kernel
 * simulation nothing else changes it: a program that uses only objects, the thread pool and timers
 * runs on plain threads and the timer service.
 */
#ifndef KCOM_SRC_PLATFORM_POSIX_INTERNAL_H
#define KCOM_SRC_PLATFORM_POSIX_INTERNAL_H

#include "platform/platform.h" /* and irql_posix.h: the thread state, the simulated IRQL */

/* As kcom_posix_violation (irql_posix.h), for a call made above the highest IRQL it allows (a
 * wait at DISPATCH_LEVEL, ...): fails fast with KCOM_FAILFAST_IRQL (object, the IRQL, highest), as
 * kcom's own IRQL checks. */
KCOM_NORETURN void kcom_posix_irql_violation(const char *file, int line, const void *object, UCHAR highest,
                                             const char *what);
#define KCOM_POSIX_IRQL_VIOLATION(object, highest, what) \
    kcom_posix_irql_violation(__FILE__, __LINE__, (object), (highest), (what))

/* The kernel simulation, when a program links it and uses it: it registers these before main()
 * runs (a constructor of kernel_sim/kernel_sim.c), so that every timer a program arms is of one
 * kind. Without it, the platform timers are the timer service's, a DPC flush has no DPC to wait
 * for, and shut-down has no simulation to stop. */
typedef struct kcom_posix_kernel {
    /* kcom_platform_timer_*: KTIMER + KDPC timers */
    void (*timer_init)(struct kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context);
    NTSTATUS (*timer_arm)(struct kcom_rt_timer *timer, ULONG64 deadline_ms);
    BOOLEAN (*timer_cancel)(struct kcom_rt_timer *timer);
    /* kcom_platform_dpc_flush */
    void (*dpc_flush)(void);
    /* kcom_platform_uninitialize: lets queued DPCs and work items run, then ends the threads */
    void (*uninitialize)(void);
} kcom_posix_kernel;

/* Installs the kernel simulation (once, before any other kcom call). */
void kcom_posix_set_kernel(const kcom_posix_kernel *kernel);
/* The installed simulation, or NULL. */
const kcom_posix_kernel *kcom_posix_get_kernel(void);

/* The async layer's part of kcom_platform_uninitialize: the simulation's, then the timer
 * service's thread (when no timer is armed). */
void kcom_posix_uninitialize_async(void);

#endif /* KCOM_SRC_PLATFORM_POSIX_INTERNAL_H */
