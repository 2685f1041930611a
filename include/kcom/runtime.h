/*
 * kcom/runtime.h - bringing the runtime up and down with the driver.
 */
#ifndef KCOM_RUNTIME_H
#define KCOM_RUNTIME_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/status.h>

KCOM_BEGIN_DECLS

/*
 * kcom_initialize - prepares the runtime; call once from DriverEntry (or at program start) before
 * any other kcom function. In the kernel it resolves ExAllocatePool2 through
 * MmGetSystemRoutineAddress, which is why it must run at PASSIVE_LEVEL. Calling it again is harmless,
 * also after kcom_uninitialize, in the same load: kcom then works again (and needs
 * kcom_uninitialize again before the unload).
 * IRQL: PASSIVE_LEVEL.
 * Returns STATUS_SUCCESS (every platform so far), or the platform's failure status.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_initialize(void);

/*
 * kcom_uninitialize - the counterpart of kcom_initialize, from DriverUnload after every kcom object
 * is gone, every tracker drained and every executor destroyed: frees the async operation cache's
 * blocks and lets the platform go (on the host, its timer and simulation threads end; a later use
 * starts them again). It does nothing and fails, the same on every target, while an IRP that
 * kcom_irp_pend took is still held (kcom/irp.h: pended, or its record not freed yet; drain its
 * queue first: its cancel routine is in the driver's image), while a relay's callback is still
 * registered in another image's operation (kcom_async_operation_relay: kcom_async_relays_drain
 * waits for them), while a timer
 * awaitable (kcom/awaitable.h) is still armed, or while one of kcom's executors (a DPC or
 * work-item executor, a thread pool) still has a task queued or being polled once the runs under
 * way have had up to a second to end (the timers are counted again after them: a poll that ended
 * meanwhile may have armed one): the timer's callback, the executor's DPC, work item or thread
 * would run in an unloaded driver. Cancel or drain the tasks first
 * (kcom_tracker_cancel_and_drain), then destroy the executors. A task waiting on something else
 * (not queued) is not seen, nor is one that has not armed its timer yet (its poll has not run): the
 * checks guard the drain's result, they do not replace it. A timer whose callback has begun is not
 * armed: the callback may have finished the last task and still be returning, and
 * kcom_uninitialize waits for it. An executor that is idle does not count (destroy it anyway: its
 * memory, DPCs or work items are the driver's). Live objects and operations are not seen either,
 * and nothing reports them: an operation released after it puts its block back into the operation
 * cache, which nothing frees then (a leak at unload). To find leaks, set a kcom_counting_allocator
 * as the default allocator at load and check kcom_counting_allocator_live at unload
 * (docs/safety.md, "What is detected, and where").
 * A refusal is traced at ERROR level with what was found (a count, or the IRQL). A second call
 * after one that succeeded finds nothing to stop and succeeds too. In a Windows DLL, not from
 * DllMain: it waits for kcom's timer thread to end, which needs the loader lock DllMain's caller
 * holds: it then never returns, and about 2 s in traces a WARNING saying so (docs/building.md,
 * "Shared libraries and DLLs").
 * IRQL: PASSIVE_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_DEVICE_STATE (IRPs held, relays registered, timers armed,
 * an executor still running tasks, or called above PASSIVE_LEVEL: nothing was stopped).
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_uninitialize(void);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_RUNTIME_H */
