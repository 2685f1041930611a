/*
 * kernel_sim_internal.h - what the files of the host's kernel simulation share
 * (kernel_sim_posix.c: IRQL, spin locks, DPCs, work items; timer_posix.c: KTIMER + KDPC;
 * threads_posix.c and platform_posix.c: the IRQL checks of waits, and shut-down).
 */
#ifndef KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_INTERNAL_H
#define KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_INTERNAL_H

#include "kernel_sim.h"

#include <pthread.h>

/* The one lock of the simulation: every DPC queue, the work item queue, the timer list and the
 * simulation's threads are under it. Never held while a DPC routine, a work item routine or a
 * timer callback runs. */
extern pthread_mutex_t kcom_sim_mutex;

/* What the kernel would bugcheck for: traces "kernel simulation: <what>" at ERROR level, with the
 * calling thread's simulated IRQL, and fails fast (KCOM_FAILFAST_INVARIANT, object). */
KCOM_NORETURN void kcom_sim_violation(const char *file, int line, const void *object, const char *what);
#define KCOM_SIM_VIOLATION(object, what) kcom_sim_violation(__FILE__, __LINE__, (object), (what))
/* The same for a call made above the highest IRQL it allows (a wait at DISPATCH_LEVEL, ...):
 * fails fast with KCOM_FAILFAST_IRQL (object, the IRQL, highest), as kcom's own IRQL checks. */
KCOM_NORETURN void kcom_sim_irql_violation(const char *file, int line, const void *object, UCHAR highest,
                                           const char *what);
#define KCOM_SIM_IRQL_VIOLATION(object, highest, what) \
    kcom_sim_irql_violation(__FILE__, __LINE__, (object), (highest), (what))

/* KeInsertQueueDpc with kcom_sim_mutex held: as kcom_platform_dpc_insert. */
BOOLEAN kcom_sim_dpc_insert_locked(kcom_platform_dpc *dpc);
/* KeRemoveQueueDpc with kcom_sim_mutex held: TRUE when the DPC was queued (it is not any more,
 * and its routine will not run for that insert); FALSE when it was not queued (it may be running). */
BOOLEAN kcom_sim_dpc_remove_locked(kcom_platform_dpc *dpc);
/* Whether the DPC is queued and not started, with kcom_sim_mutex held. */
BOOLEAN kcom_sim_dpc_queued_locked(const kcom_platform_dpc *dpc);
/* Whether kcom_sim_uninitialize is stopping the simulation (new work is a violation), with
 * kcom_sim_mutex held. */
BOOLEAN kcom_sim_stopping_locked(void);

/* Called before the simulation starts a thread, with kcom_sim_mutex held: registers the exit
 * handler that ends the threads of a program that never calls kcom_uninitialize. */
void kcom_sim_thread_starting_locked(void);
/* Whether that handler has run (the program is exiting: no thread starts, nothing more runs). */
BOOLEAN kcom_sim_exiting_locked(void);

/* The timers' side of kcom_sim_uninitialize (timer_posix.c), with kcom_sim_mutex held: fails fast
 * when a timer is still armed, then tells the timer thread to end and returns whether there is one
 * to join (through kcom_sim_timer_join, without the mutex). */
BOOLEAN kcom_sim_timer_stop_locked(void);
void kcom_sim_timer_join(void);
/* The same at exit: armed timers stay armed (they never fire). */
BOOLEAN kcom_sim_timer_exit_locked(void);
/* 1 while the timer thread runs, with kcom_sim_mutex held. */
ULONG kcom_sim_timer_threads_locked(void);

/* Stops the simulation's threads once queued DPCs and work items have run (kcom_uninitialize,
 * PASSIVE_LEVEL, not on a thread of the simulation); the next use starts them again. */
void kcom_sim_uninitialize(void);

#endif /* KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_INTERNAL_H */
