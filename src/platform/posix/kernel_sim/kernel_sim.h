/*
 * kernel_sim.h - test hooks of the host's simulation of the kernel's scheduling primitives: the
 * library kcom_kernel_sim (kernel_sim.c, kernel_sim_timer.c; the seam is the end of platform.h).
 *
 * The simulation, in short: each thread has a simulated IRQL (PASSIVE_LEVEL when it starts);
 * kcom_platform_processor_count() simulated processors each have a FIFO DPC queue serviced by a
 * thread of its own, which runs the routines at DISPATCH_LEVEL; work items run at PASSIVE_LEVEL on
 * a pool of two worker threads; platform timers are a KTIMER + KDPC: a timer thread inserts the
 * timer's DPC at expiry and the callback runs in that DPC. The threads start at first use and
 * kcom_uninitialize stops them (after letting queued DPCs and work items run); the next use starts
 * them again. Misuse that the kernel punishes with a bugcheck (a wait or a sleep at DISPATCH_LEVEL,
 * lowering the IRQL to a higher level, a DPC routine returning at another IRQL or with a spin lock
 * held, a work item queued again before its routine was entered, ...) traces what happened and
 * fails fast here too.
 *
 * Host only: nothing outside src/platform/posix/ and the host's tests and benchmarks includes this
 * header; they link kcom_kernel_sim.
 */
#ifndef KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_H
#define KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_H

#include "platform/platform.h"

/* The most simulated processors there can be. */
#define KCOM_SIM_MAX_PROCESSORS 64

/* Sets the number of simulated processors (1 to KCOM_SIM_MAX_PROCESSORS) that the simulated CPU
 * threads start with, overriding the environment variable KCOM_SIM_CPUS and the default of 2.
 * STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a count out of range; STATUS_INVALID_DEVICE_STATE
 * while the simulated processors run (call it before the first DPC insert, or after
 * kcom_uninitialize). */
NTSTATUS kcom_sim_set_processor_count(ULONG count);

/* While held (TRUE), the simulated processors start no new DPC routine: inserted DPCs stay queued,
 * so a test can observe "queued but not yet run" (routines under way run on). FALSE lets them run.
 * kcom_uninitialize releases a hold. A kcom_platform_dpc_flush waits for the release. */
void kcom_sim_hold_dpcs(BOOLEAN hold);

/* The same for work items: while held, no worker thread enters a queued item's routine. */
void kcom_sim_hold_work_items(BOOLEAN hold);

/* DPC routines started since the program began (timers' DPCs included). */
ULONG64 kcom_sim_dpc_runs(void);

/* Calls of kcom_platform_dpc_insert (KeInsertQueueDpc) since the program began, also those that
 * found the DPC queued already. */
ULONG64 kcom_sim_dpc_inserts(void);

/* DPCs queued now on every simulated processor, not yet started (a snapshot). */
ULONG kcom_sim_dpcs_queued(void);

/* Work items queued now, not yet entered (a snapshot). */
ULONG kcom_sim_work_items_queued(void);

/* Calls of kcom_platform_work_item_queue (IoQueueWorkItem) since the program began. */
ULONG64 kcom_sim_work_item_queues(void);

/* The simulated processor the calling thread is (0 to count - 1) when it is a simulated CPU
 * thread, in a DPC routine; -1 on any other thread. */
LONG kcom_sim_current_processor(void);

/* Raises the calling thread's simulated IRQL to irql (at least the current one, at most
 * DISPATCH_LEVEL) and returns the previous one, for kcom_sim_lower_irql: to call something "at
 * DISPATCH_LEVEL" (or APC_LEVEL) from a test thread. While a thread other than a simulated CPU is
 * at DISPATCH_LEVEL, the DPCs it inserts all go to one processor, as they would on the processor a
 * raised thread cannot leave. */
UCHAR kcom_sim_raise_irql(UCHAR irql);
/* Lowers the calling thread's simulated IRQL back to irql (kcom_platform_lower_irql). */
void kcom_sim_lower_irql(UCHAR irql);

/* Threads of the simulation alive now: the simulated processors, the work item workers and the
 * timer thread (0 after kcom_uninitialize, until the next use). */
ULONG kcom_sim_thread_count(void);

#endif /* KCOM_SRC_PLATFORM_POSIX_KERNEL_SIM_H */
