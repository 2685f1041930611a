/*
 * timer_service.h - timers over the platform's threads (timer_service.c), with the contract of
 * kcom_platform_timer_init, _arm and _cancel (platform.h): the platform timers of a target whose
 * src/platform/<target>/timer_<target>.c forwards to them.
 */
#ifndef KCOM_SRC_PLATFORM_TIMER_SERVICE_H
#define KCOM_SRC_PLATFORM_TIMER_SERVICE_H

#include "platform/platform.h"

void kcom_timer_service_init(struct kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context);
NTSTATUS kcom_timer_service_arm(struct kcom_rt_timer *timer, ULONG64 deadline_ms);
BOOLEAN kcom_timer_service_cancel(struct kcom_rt_timer *timer);
/* Ends the timer thread and joins it, so that no thread of kcom's outlives the platform's
 * shut-down (kcom_uninitialize, or the program's exit). With timers armed: FALSE and nothing
 * changes, unless abandon_armed (at exit), when they stay armed and never fire. PASSIVE_LEVEL, not
 * from a timer callback. The next arm starts a new thread. */
BOOLEAN kcom_timer_service_stop(BOOLEAN abandon_armed);

#endif /* KCOM_SRC_PLATFORM_TIMER_SERVICE_H */
