/*
 * The platform timers on Windows user mode: the timer service over this target's threads
 * (platform/timer_service.c).
 */
#include "platform/timer_service.h"

void kcom_platform_timer_init(struct kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context)
{
    kcom_timer_service_init(timer, callback, context);
}

NTSTATUS kcom_platform_timer_arm(struct kcom_rt_timer *timer, ULONG64 deadline_ms)
{
    return kcom_timer_service_arm(timer, deadline_ms);
}

BOOLEAN kcom_platform_timer_cancel(struct kcom_rt_timer *timer)
{
    return kcom_timer_service_cancel(timer);
}

void kcom_platform_timer_settle(struct kcom_rt_timer *timer)
{
    (void)timer; /* the timer service lets go of a timer when its callback returns */
}
