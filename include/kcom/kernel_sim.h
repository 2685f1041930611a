/*
 * kcom/kernel_sim.h - the test hooks of the host's simulation of the kernel (the library
 * kcom::kernel_sim, Linux host only; docs/executors.md, "The host simulation"): a program that
 * links it runs the DPC and work-item executors, trackers and kernel timers on simulated
 * processors, and tests its own kernel code paths with these hooks: how many processors there
 * are, DPCs and work items held back so that "queued but not run yet" can be seen, counters, and
 * a test thread's IRQL raised to call something at DISPATCH_LEVEL.
 *
 * The simulation's threads start at first use and kcom_uninitialize stops them (after letting
 * queued DPCs and work items run); the next use starts them again. Misuse the kernel punishes
 * with a bugcheck (a wait at DISPATCH_LEVEL, a DPC routine returning at another IRQL, a work item
 * queued again before its routine was entered, ...) is traced and fails fast. What it checks is
 * kcom's own use of the kernel (its executors, timers, trackers, waits and spin locks) and the
 * IRQL these hooks set: the simulation has no KeAcquireSpinLock, KeWaitForSingleObject or KTIMER
 * for a driver's own code, so a driver's own kernel calls are checked only where it runs on Windows
 * (Driver Verifier) or under Wine.
 * IRQL: each hook says its own (most: any, from any thread; the simulated IRQL of a thread is at
 * most DISPATCH_LEVEL). None fails but kcom_sim_set_processor_count, which returns a status.
 */
#ifndef KCOM_KERNEL_SIM_H
#define KCOM_KERNEL_SIM_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/status.h>

/* The most simulated processors there can be. */
#define KCOM_SIM_MAX_PROCESSORS 64

KCOM_BEGIN_DECLS

/*
 * kcom_sim_set_processor_count - the number of simulated processors (1 to KCOM_SIM_MAX_PROCESSORS)
 * that the simulated CPU threads start with, overriding the environment variable KCOM_SIM_CPUS and
 * the default of 2. Call it before the first DPC insert, or after kcom_uninitialize: the count is
 * taken when the first DPC is queued, not when an executor is created (a DPC executor created
 * before keeps a lane per processor it was told of, and a DPC targeted at a processor past the
 * count runs on its number modulo the count). IRQL: any.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (a count out of range);
 * STATUS_INVALID_DEVICE_STATE (the simulated processors run).
 */
_IRQL_requires_max_(HIGH_LEVEL)
NTSTATUS kcom_sim_set_processor_count(_In_ ULONG count);

/* kcom_sim_processor_count - the simulated processors: those running, or, before they start and
 * after kcom_uninitialize, the count they will start with (kcom_sim_set_processor_count,
 * KCOM_SIM_CPUS, or 2). What an executor created now takes as KeQueryActiveProcessorCountEx's.
 * IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_sim_processor_count(void);

/* kcom_sim_hold_dpcs - while held (TRUE), the simulated processors start no new DPC routine:
 * inserted DPCs stay queued (routines under way run on). FALSE lets them run. A kcom_uninitialize
 * that succeeds releases a hold (one refused, with a held DPC's task still queued, leaves it as
 * it was); a DPC flush (a tracker's drain, an executor's destroy) waits for the release.
 * IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_sim_hold_dpcs(_In_ BOOLEAN hold);

/* kcom_sim_hold_work_items - the same for work items: while held, no worker thread enters a
 * queued item's routine (a kcom_uninitialize that succeeds releases it too). IRQL: any. Never
 * fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_sim_hold_work_items(_In_ BOOLEAN hold);

/* kcom_sim_dpc_runs - DPC routines started since the program began (timers' DPCs included).
 * IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG64 kcom_sim_dpc_runs(void);

/* kcom_sim_dpc_inserts - DPC inserts (KeInsertQueueDpc) since the program began, also those that
 * found the DPC queued already. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG64 kcom_sim_dpc_inserts(void);

/* kcom_sim_dpcs_queued - DPCs queued now on every simulated processor, not yet started (a
 * snapshot). IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_sim_dpcs_queued(void);

/* kcom_sim_work_items_queued - work items queued now, not yet entered (a snapshot). IRQL: any.
 * Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_sim_work_items_queued(void);

/* kcom_sim_work_item_queues - work item queue calls (IoQueueWorkItem) since the program began.
 * IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG64 kcom_sim_work_item_queues(void);

/* kcom_sim_current_processor - the simulated processor the calling thread is (0 to count - 1) when
 * it is a simulated CPU thread, in a DPC routine; -1 on any other thread. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
LONG kcom_sim_current_processor(void);

/* kcom_sim_current_irql - the calling thread's simulated IRQL, KeGetCurrentIrql's counterpart:
 * DISPATCH_LEVEL in a DPC routine (a DPC executor's poll, a timer's callback) and under a spin
 * lock; PASSIVE_LEVEL in a work item's routine and on other threads, unless raised
 * (kcom_sim_raise_irql). For a driver's host tests of its own callbacks' IRQL. IRQL: any. Never
 * fails. */
_IRQL_requires_max_(HIGH_LEVEL)
UCHAR kcom_sim_current_irql(void);

/*
 * kcom_sim_raise_irql - raises the calling thread's simulated IRQL to irql (at least the current
 * one, at most DISPATCH_LEVEL) and returns the previous one, for kcom_sim_lower_irql: to call
 * something "at DISPATCH_LEVEL" (or APC_LEVEL) from a test thread, where kcom's IRQL rules then
 * apply (a blocking wait is refused, a wait in the simulation fails fast). While a thread other
 * than a simulated CPU is at DISPATCH_LEVEL, the DPCs it inserts all go to one processor, as they
 * would on the processor a raised thread cannot leave: the ones it inserts itself, and those of
 * the DPC executor, which targets the processor the thread is on.
 * IRQL: <= DISPATCH_LEVEL (the simulation has no higher one). Misuse fails fast: an irql above
 * DISPATCH_LEVEL or below the current one is traced and stops the program with
 * kcom_fail_fast(KCOM_FAILFAST_INVARIANT), as the kernel would bugcheck. Returns no status.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
UCHAR kcom_sim_raise_irql(_In_ UCHAR irql);

/* kcom_sim_lower_irql - lowers the calling thread's simulated IRQL back to irql (the value
 * kcom_sim_raise_irql returned). IRQL: <= DISPATCH_LEVEL. Misuse fails fast (traced, then
 * kcom_fail_fast(KCOM_FAILFAST_INVARIANT)): an irql above the current one, or one below
 * DISPATCH_LEVEL while the thread holds a spin lock or runs a DPC routine. Returns no status. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_sim_lower_irql(_In_ UCHAR irql);

/* kcom_sim_thread_count - threads of the simulation started and not yet joined: the simulated
 * processors, the work item workers (two, and one more each time the others are all inside
 * routines, up to 128) and the timer thread (0 after kcom_uninitialize, until the next use). A child forked
 * after they started has none of them, but counts its parent's. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_sim_thread_count(void);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_KERNEL_SIM_H */
