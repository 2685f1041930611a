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

#endif /* KCOM_SRC_PLATFORM_INTERNAL_NTKERNEL_H */
