/*
 * kernel_sim_internal.h - what the files of the host's kernel simulation share (kernel_sim.c:
 * DPCs, work items, shut-down; kernel_sim_timer.c: KTIMER + KDPC). The library kcom_kernel_sim
 * implements the seam at the end of platform.h, and its test hooks (kcom/kernel_sim.h).
 *
 * The simulation, in short: each thread has a simulated IRQL (PASSIVE_LEVEL when it starts);
 * kcom_platform_processor_count() simulated processors each have a FIFO DPC queue serviced by a
 * thread of its own, which runs the routines at DISPATCH_LEVEL; work items run at PASSIVE_LEVEL on
 * worker threads; platform timers are a KTIMER + KDPC: a timer thread inserts the timer's DPC at
 * expiry and the callback runs in that DPC. The threads start at first use and kcom_uninitialize
 * stops them (after letting queued DPCs and work items run); the next use starts them again.
 * Misuse that the kernel punishes with a bugcheck (a wait or a sleep at DISPATCH_LEVEL, lowering
 * the IRQL to a higher level, a DPC routine returning at another IRQL or with a spin lock held, a
 * work item queued again before its routine was entered, ...) traces what happened and fails fast
 * here too.
 */
#ifndef KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_KERNEL_SIM_INTERNAL_H
#define KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_KERNEL_SIM_INTERNAL_H

#include <kcom/kernel_sim.h>

#include "platform/platform.h"

#include "platform/posix/posix_internal.h"

#include <pthread.h>

/* The simulation's lock: the work item queue, the timer list, the flushes' waits and the
 * simulation's threads are under it; each simulated processor's DPC queue is under a lock of its
 * own, taken after this one when both are. Never held while a DPC routine, a work item routine or
 * a timer callback runs. */
extern kcom_platform_mutex kcom_sim_mutex;

/* KeInsertQueueDpc with kcom_sim_mutex held: as kcom_platform_dpc_insert. */
BOOLEAN kcom_sim_dpc_insert_locked(kcom_platform_dpc *dpc);
/* KeRemoveQueueDpc with kcom_sim_mutex held: TRUE when the DPC was queued (it is not any more,
 * and its routine will not run for that insert); FALSE when it was not queued (it may be running). */
BOOLEAN kcom_sim_dpc_remove_locked(kcom_platform_dpc *dpc);
/* Whether the DPC is queued and not started, with kcom_sim_mutex held. */
BOOLEAN kcom_sim_dpc_queued_locked(const kcom_platform_dpc *dpc);
/* Whether shut-down (kcom_uninitialize) is stopping the simulation (new work is a violation), with
 * kcom_sim_mutex held. */
BOOLEAN kcom_sim_stopping_locked(void);

/* Called before the simulation starts a thread, with kcom_sim_mutex held: registers the exit
 * handler that ends the threads of a program that never calls kcom_uninitialize. */
void kcom_sim_thread_starting_locked(void);
/* Whether that handler has run (the program is exiting: no thread starts, nothing more runs). */
BOOLEAN kcom_sim_exiting_locked(void);

/* The timers' side of the shut-down (kernel_sim_timer.c), with kcom_sim_mutex held: fails fast
 * when a timer is still armed, then tells the timer thread to end and returns whether there is one
 * to join (through kcom_sim_timer_join, without the mutex). */
BOOLEAN kcom_sim_timer_stop_locked(void);
void kcom_sim_timer_join(void);
/* The same at exit: armed timers stay armed (they never fire). */
BOOLEAN kcom_sim_timer_exit_locked(void);
/* 1 while the timer thread runs, with kcom_sim_mutex held. */
ULONG kcom_sim_timer_threads_locked(void);

/* The KTIMER + KDPC timers (kcom_platform_timer_*'s contract), installed with the simulation. */
void kcom_sim_timer_init(struct kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context);
NTSTATUS kcom_sim_timer_arm(struct kcom_rt_timer *timer, ULONG64 deadline_ms);
BOOLEAN kcom_sim_timer_cancel(struct kcom_rt_timer *timer);

#endif /* KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_KERNEL_SIM_INTERNAL_H */
