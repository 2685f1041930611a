/*
 * kernel_test_driver.h - what the test driver (driver.c) offers its kernel-only tests.
 */
#ifndef KCOM_KERNEL_TEST_DRIVER_H
#define KCOM_KERNEL_TEST_DRIVER_H

#include <kcom/kcom.h>

/* The driver's device object (\Device\KcomTest), for what needs one: work items. Valid while
 * tests run (from DriverEntry to DriverUnload). */
PDEVICE_OBJECT kcom_test_device(void);

/* Completes irp with status and information; returns status. */
NTSTATUS kcom_test_complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information);

#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS
/* The driver's own tracker and the work-item executor counted by it; DriverUnload drains the
 * tracker (after setting the unload event) before it destroys both. */
kcom_tracker *kcom_test_tracker(void);
const kcom_executor *kcom_test_executor(void);
/* Set by DriverUnload before its drain: tasks left waiting on it end then. */
kcom_async_event *kcom_test_unload_event(void);
/* A counting allocator outside the per-test leak check, for what outlives a test until unload;
 * DriverUnload counts it with the rest. */
const kcom_allocator *kcom_test_unload_allocator(void);

/* Pended IRPs (kernel_irp.c): the driver's queue, set up in DriverEntry and drained first in
 * DriverUnload; the IOCTLs of the client's IRP tests (the IRP completed or pended; live_allocations
 * reported as kcom_test_info's); IRP_MJ_CLEANUP's cancel of a file object's pended IRPs. */
void kcom_test_irp_start(void);
void kcom_test_irp_stop(void);
NTSTATUS kcom_test_irp_dispatch(PIRP irp, LONG live_allocations);
void kcom_test_irp_cleanup(PFILE_OBJECT file);
#endif

#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
/* Whether queued DPCs run here (not under Wine), as the kernel_scheduling test found (FALSE
 * before it ran). */
BOOLEAN kcom_test_dpcs_run(void);
#endif

#endif /* KCOM_KERNEL_TEST_DRIVER_H */
