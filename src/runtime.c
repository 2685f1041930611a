/*
 * Runtime start-up and shut-down: whatever the platform must resolve before first use, and what
 * kcom keeps for reuse given back before unload.
 */
#include <kcom/runtime.h>

#include "internal.h"

#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#include "async/async_internal.h"
#include "exec/executor_list.h"

/* How long kcom_uninitialize lets the executors' runs under way end (a run that polled the last
 * task still has to let go of its executor) before it takes one as busy with work. */
#define EXECUTOR_SETTLE_MS 1000

/* The timer awaitables armed, once the callbacks under way have returned. */
static LONG timers_armed(void)
{
#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
    return kcom_async_timers_settle();
#else
    return 0;
#endif
}

/* FALSE, traced, while something of this image another party still calls is held: a pended IRP
 * (its cancel routine would run in an unloaded image, and its record hold an operation nothing
 * releases) or a relay's callback registered in another image's operation. */
static BOOLEAN held_elsewhere(void)
{
    LONG irps = kcom_platform_irps_held(), relays = kcom_async_relays_registered();
    if (irps != 0) {
        KCOM_TRACE(ERROR,
                   "kcom_uninitialize with %ld IRPs held by kcom_irp_pend: refused (drain their queues "
                   "with kcom_irp_queue_drain first)",
                   (long)irps);
        return FALSE;
    }
    if (relays != 0) {
        KCOM_TRACE(ERROR,
                   "kcom_uninitialize with %ld relays whose operations have not called back: refused "
                   "(cancel them, then kcom_async_relays_drain)",
                   (long)relays);
        return FALSE;
    }
    return TRUE;
}
#endif

#include "platform/platform.h"

NTSTATUS kcom_initialize(void)
{
    return kcom_platform_initialize();
}

NTSTATUS kcom_uninitialize(void)
{
    /* its waits for timer callbacks and executors, and the platform's DPC flush, are for PASSIVE_LEVEL */
    if (kcom_platform_irql() != KCOM_PLATFORM_PASSIVE_LEVEL) {
        KCOM_TRACE(ERROR, "kcom_uninitialize at IRQL %u: refused (it waits: PASSIVE_LEVEL only)",
                   (unsigned)kcom_platform_irql());
        return STATUS_INVALID_DEVICE_STATE;
    }
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
    {
        ULONG64 start = kcom_platform_monotonic_ms();
        /* Until all are quiet at once: a poll that ends while the executors settle may have armed
         * a timer, made a relay or pended an IRP, and a timer callback wakes its task (an executor
         * busy again) before it counts itself done. Each round but the last finds one of them busy
         * and refuses. */
        for (;;) {
            ULONG64 waited = kcom_platform_monotonic_ms() - start;
            LONG busy, armed;
            if (!held_elsewhere())
                return STATUS_INVALID_DEVICE_STATE;
            armed = timers_armed();
            /* a timer's callback would run in an unloaded image (the kernel), or on a stopped simulation */
            if (armed != 0) {
                KCOM_TRACE(ERROR,
                           "kcom_uninitialize with %ld timers armed: refused (cancel or drain their tasks first)",
                           (long)armed);
                return STATUS_INVALID_DEVICE_STATE;
            }
            /* their DPCs, work items or threads would run after the unload (and the host's
             * simulation would wait for them to go quiet forever) */
            busy = kcom_executors_settle(waited < EXECUTOR_SETTLE_MS ? (ULONG)(EXECUTOR_SETTLE_MS - waited) : 0);
            if (busy != 0) {
                KCOM_TRACE(ERROR,
                           "kcom_uninitialize with %ld executors still running tasks: refused (cancel or drain "
                           "their tasks and destroy the executors first)",
                           (long)busy);
                return STATUS_INVALID_DEVICE_STATE;
            }
            if (timers_armed() == 0 && kcom_executors_settle(0) == 0 && kcom_platform_irps_held() == 0 &&
                kcom_async_relays_registered() == 0)
                break;
        }
    }
    /* cached operation blocks are pool the driver would otherwise leak at unload */
    kcom_async_operation_cache_drain();
#endif
    kcom_platform_uninitialize();
    return STATUS_SUCCESS;
}
