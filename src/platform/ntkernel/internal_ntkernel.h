/*
 * What the kernel platform's files share: the monotonic clock of timer_ntkernel.c (milliseconds)
 * and executor_ntkernel.c (microseconds), KeQueryPerformanceCounter and its frequency; and the
 * routines kcom_platform_initialize looks up at run time.
 *
 * Not KeQueryInterruptTime: mingw-w64 makes it a macro reading KUSER_SHARED_DATA, and Wine's
 * exported function returns milliseconds, not 100 ns units. The performance counter is right on
 * both, at any IRQL.
 */
#ifndef KCOM_SRC_PLATFORM_INTERNAL_NTKERNEL_H
#define KCOM_SRC_PLATFORM_INTERNAL_NTKERNEL_H

#include "../platform.h"

/* The counter in units_per_second (1000: ms; 1000000: us), split so that nothing overflows for
 * any counter value and any frequency below 2^64 / units_per_second. */
static KCOM_FORCEINLINE ULONG64 kcom_ntkernel_monotonic(ULONG64 units_per_second)
{
    LARGE_INTEGER frequency;
    LARGE_INTEGER counter = KeQueryPerformanceCounter(&frequency);
    ULONG64 ticks = (ULONG64)counter.QuadPart;
    ULONG64 hz = (ULONG64)frequency.QuadPart;
    if (hz == 0) /* never on Windows Vista and later; kept from dividing by zero */
        return 0;
    return ticks / hz * units_per_second + ticks % hz * units_per_second / hz;
}

/* KeRemoveQueueDpc, looked up at initialization rather than imported: Wine's ntoskrnl exports it
 * as a stub that ends the host process, so a static import would make a driver that merely
 * contains the call unloadable there. The timer calls it only at DISPATCH_LEVEL, which Wine never
 * reports. NULL where the kernel lacks it. */
typedef BOOLEAN(NTAPI kcom_ke_remove_queue_dpc_fn)(PRKDPC dpc);
extern kcom_ke_remove_queue_dpc_fn *kcom_ntkernel_remove_queue_dpc;

/* The processor functions of the DPC executor's per-processor queues, looked up at initialization
 * too: Wine's DDK headers declare none of the Ex ones, and KeGetProcessorNumberFromIndex is not in
 * Wine's ntoskrnl at all. A PROCESSOR_NUMBER (group, number in the group, reserved), spelled out
 * for the same reason. NULL where the kernel lacks them: executor_ntkernel.c falls back to group
 * 0 (KeSetTargetProcessorDpc) and to processor 0. */
typedef struct kcom_processor_number {
    USHORT group;
    UCHAR number;
    UCHAR reserved;
} kcom_processor_number;
typedef ULONG(NTAPI kcom_ke_get_current_processor_number_ex_fn)(kcom_processor_number *number);
typedef NTSTATUS(NTAPI kcom_ke_get_processor_number_from_index_fn)(ULONG index, kcom_processor_number *number);
typedef NTSTATUS(NTAPI kcom_ke_set_target_processor_dpc_ex_fn)(PKDPC dpc, kcom_processor_number *number);
typedef VOID(NTAPI kcom_ke_set_target_processor_dpc_fn)(PRKDPC dpc, CCHAR number);
extern kcom_ke_get_current_processor_number_ex_fn *kcom_ntkernel_current_processor_number_ex;
extern kcom_ke_get_processor_number_from_index_fn *kcom_ntkernel_processor_number_from_index;
extern kcom_ke_set_target_processor_dpc_ex_fn *kcom_ntkernel_set_target_processor_dpc_ex;
extern kcom_ke_set_target_processor_dpc_fn *kcom_ntkernel_set_target_processor_dpc;

#endif /* KCOM_SRC_PLATFORM_INTERNAL_NTKERNEL_H */
