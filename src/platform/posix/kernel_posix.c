/*
 * What the host's kernel simulation changes when a program uses it (posix_internal.h): the
 * platform timers are its KTIMER + KDPC timers (kernel_sim/kernel_sim_timer.c) instead of the
 * timer service over the host's threads (platform/timer_service.c); a DPC flush waits for its
 * DPCs; shut-down stops its threads.
 */
#include "posix_internal.h"

#include "platform/timer_service.h"

#include <kcom/atomic.h>

#include <stdlib.h>

static void *volatile installed; /* const kcom_posix_kernel * */
static LONG volatile exit_handler; /* the timer service's, registered at its first arm */

void kcom_posix_set_kernel(const kcom_posix_kernel *kernel)
{
    kcom_atomic_store_ptr(&installed, (void *)(ULONG_PTR)kernel);
}

const kcom_posix_kernel *kcom_posix_get_kernel(void)
{
    return (const kcom_posix_kernel *)kcom_atomic_load_ptr(&installed);
}

/* At exit: the timer thread ends and is joined, armed timers or not, so that no thread of kcom's
 * is left for valgrind's leak check to find. */
static void timer_service_at_exit(void)
{
    (void)kcom_timer_service_stop(TRUE);
}

void kcom_posix_uninitialize_async(void)
{
    const kcom_posix_kernel *kernel = kcom_posix_get_kernel();
    if (kernel != NULL)
        kernel->uninitialize();
    (void)kcom_timer_service_stop(FALSE);
}

void kcom_platform_timer_init(struct kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context)
{
    const kcom_posix_kernel *kernel = kcom_posix_get_kernel();
    if (kernel != NULL)
        kernel->timer_init(timer, callback, context);
    else
        kcom_timer_service_init(timer, callback, context);
}

NTSTATUS kcom_platform_timer_arm(struct kcom_rt_timer *timer, ULONG64 deadline_ms)
{
    const kcom_posix_kernel *kernel = kcom_posix_get_kernel();
    if (kernel != NULL)
        return kernel->timer_arm(timer, deadline_ms);
    if (kcom_atomic_load(&exit_handler) == 0 && kcom_atomic_exchange(&exit_handler, 1) == 0)
        (void)atexit(timer_service_at_exit);
    return kcom_timer_service_arm(timer, deadline_ms);
}

BOOLEAN kcom_platform_timer_cancel(struct kcom_rt_timer *timer)
{
    const kcom_posix_kernel *kernel = kcom_posix_get_kernel();
    return kernel != NULL ? kernel->timer_cancel(timer) : kcom_timer_service_cancel(timer);
}

void kcom_platform_timer_settle(struct kcom_rt_timer *timer)
{
    (void)timer; /* the simulation's timers and the timer service let go when the callback returns */
}

LONG kcom_platform_irps_held(void)
{
    return 0;
}

void kcom_platform_dpc_flush(void)
{
    const kcom_posix_kernel *kernel = kcom_posix_get_kernel();
    if (kcom_posix_thread.irql != KCOM_PLATFORM_PASSIVE_LEVEL)
        KCOM_POSIX_IRQL_VIOLATION(NULL, KCOM_PLATFORM_PASSIVE_LEVEL, "KeFlushQueuedDpcs above PASSIVE_LEVEL");
    if (kernel != NULL)
        kernel->dpc_flush(); /* without the simulation there are no DPCs to wait for */
}
