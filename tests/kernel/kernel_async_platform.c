/*
 * kernel_async_platform - the kernel platform layer under the async layer (platform.h, "threads
 * and events" and "timers"): reference-counted KEVENTs from kcom's default allocator, the IRQL
 * test for blocking, the monotonic clock and sleep, and one-shot timers (a KTIMER and its KDPC in
 * kcom_rt_timer storage) firing, re-armed, canceled and racing their cancel.
 *
 * Written for Windows and for Wine's ntoskrnl alike (docs/building.md): timer DPCs run on both
 * (Wine: on a thread-pool thread). The timer storage is static because, under Wine, the
 * ntoskrnl still writes a KTIMER after its DPC routine returned (timer_ntkernel.c).
 */
#include <kcom/kcom.h>

#include <kcom/atomic.h>
#include <kcom/awaitable.h>

#include "../../src/platform/platform.h"
#include "../harness/kcom_test.h"

/* Built with the async layer only (kernel_test_list.h lists it then). */
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC

/* Generous: Wine runs on a loaded build machine. */
#define WAIT_MS 5000u

/* ---- events ---------------------------------------------------------------------------------- */

static void test_events(void)
{
    const kcom_allocator *previous = kcom_default_allocator();
    kcom_counting_allocator counting;
    kcom_platform_event *event;
    ULONG64 start, waited;

    /* allocated from the default allocator, hence counted by the driver's leak check */
    ok(kcom_counting_allocator_init(&counting, previous) == STATUS_SUCCESS, "counting allocator\n");
    kcom_set_default_allocator(&counting.allocator);
    event = kcom_platform_event_create();
    ok(event != NULL, "kcom_platform_event_create failed\n");
    ok(kcom_counting_allocator_live(&counting) == 1, "an event is %ld allocations\n",
       (long)kcom_counting_allocator_live(&counting));
    kcom_counting_allocator_fail_nth(&counting, 1);
    ok(kcom_platform_event_create() == NULL, "an event was created without memory\n");
    kcom_set_default_allocator(previous); /* the event keeps the allocator it came from */
    if (event == NULL)
        return;

    ok(kcom_platform_event_wait(event, 0) == STATUS_TIMEOUT, "a new event is set\n");
    start = kcom_platform_monotonic_ms();
    ok(kcom_platform_event_wait(event, 50) == STATUS_TIMEOUT, "a 50 ms wait on an unset event succeeded\n");
    waited = kcom_platform_monotonic_ms() - start;
    ok(waited >= 40 && waited < WAIT_MS, "a 50 ms wait took %llu ms\n", (unsigned long long)waited);

    kcom_platform_event_reference(event);
    kcom_platform_event_set(event);
    ok(kcom_platform_event_wait(event, 0) == STATUS_SUCCESS, "a set event polls as unset\n");
    ok(kcom_platform_event_wait(event, 0xFFFFFFFFu) == STATUS_SUCCESS, "an infinite wait on a set event failed\n");
    ok(kcom_platform_event_wait(event, 10) == STATUS_SUCCESS, "the event did not stay set\n");
    kcom_platform_event_set(event);
    ok(kcom_platform_event_wait(event, 0) == STATUS_SUCCESS, "setting twice unset the event\n");
    kcom_platform_event_release(event);
    ok(kcom_counting_allocator_live(&counting) == 1, "the event went with a reference left\n");
    kcom_platform_event_release(event);
    ok(kcom_counting_allocator_live(&counting) == 0, "the last release left %ld allocations\n",
       (long)kcom_counting_allocator_live(&counting));
}

/* ---- the clock ------------------------------------------------------------------------------- */

static void test_clock(void)
{
    ULONG64 previous = kcom_platform_monotonic_ms(), start, slept;
    BOOLEAN monotonic = TRUE;
    int i;
    for (i = 0; i < 1000; i++) {
        ULONG64 now = kcom_platform_monotonic_ms();
        if (now < previous)
            monotonic = FALSE;
        previous = now;
    }
    ok(monotonic, "kcom_platform_monotonic_ms went back\n");

    start = kcom_platform_monotonic_ms();
    kcom_platform_sleep_ms(20);
    slept = kcom_platform_monotonic_ms() - start;
    /* a kernel delay ends on a clock tick at or after the interval, give or take one tick's rounding */
    ok(slept >= 15 && slept < WAIT_MS, "kcom_platform_sleep_ms(20) took %llu ms\n", (unsigned long long)slept);
}

/* ---- timers ---------------------------------------------------------------------------------- */

typedef struct timer_probe {
    kcom_platform_event *event; /* the callback's reference: it sets and releases it */
    LONG volatile calls;
    LONG volatile rearms; /* arms left to make from within the callback */
    UCHAR irql;
    ULONG64 fired_ms;
} timer_probe;

static kcom_rt_timer timer;
static timer_probe probe;

static void timer_callback(kcom_rt_timer *fired, void *context)
{
    timer_probe *p = (timer_probe *)context;
    kcom_platform_event *event;
    p->irql = (UCHAR)KeGetCurrentIrql();
    p->fired_ms = kcom_platform_monotonic_ms();
    kcom_atomic_fetch_add(&p->calls, 1);
    if (kcom_atomic_fetch_add(&p->rearms, -1) > 0) {
        /* again from within the callback: the timer is unarmed once its callback runs */
        (void)kcom_platform_timer_arm(fired, kcom_platform_monotonic_ms() + 5);
        return;
    }
    event = p->event;
    kcom_platform_event_set(event);
    kcom_platform_event_release(event);
}

/* An event for the next arm, with the callback's reference; NULL on failure (reported). */
static kcom_platform_event *expect_callback(LONG rearms)
{
    kcom_platform_event *event = kcom_platform_event_create();
    ok(event != NULL, "kcom_platform_event_create failed\n");
    if (event != NULL)
        kcom_platform_event_reference(event);
    probe.event = event;
    probe.rearms = rearms;
    return event;
}

static void test_timers(void)
{
    kcom_platform_event *event;
    ULONG64 start;
    LONG calls;
    NTSTATUS status;
    int i, canceled = 0, fired = 0;

    probe.calls = 0;
    kcom_platform_timer_init(&timer, timer_callback, &probe);
    ok(!kcom_platform_timer_cancel(&timer), "canceling a timer never armed returned TRUE\n");

    /* fires through its KDPC, not early */
    if ((event = expect_callback(0)) == NULL)
        return;
    start = kcom_platform_monotonic_ms();
    ok(kcom_platform_timer_arm(&timer, start + 30) == STATUS_SUCCESS, "arm failed\n");
    status = kcom_platform_event_wait(event, WAIT_MS);
    ok(status == STATUS_SUCCESS, "a 30 ms timer did not fire within %u ms\n", WAIT_MS);
    if (status != STATUS_SUCCESS) {
        /* the callback may still come: leave it its event and the static storage, and stop */
        kcom_platform_event_release(event);
        return;
    }
    ok(probe.calls == 1, "the callback ran %ld times\n", (long)probe.calls);
    ok(probe.fired_ms >= start + 29, "the timer fired %lld ms early\n", (long long)(start + 30 - probe.fired_ms));
    ok(probe.irql <= DISPATCH_LEVEL, "the callback ran at IRQL %u\n", (unsigned)probe.irql);
    kcom_test_print("kernel_async_platform: a 30 ms timer fired after %llu ms at IRQL %u\n",
                    (unsigned long long)(probe.fired_ms - start), (unsigned)probe.irql);
    /* fired: too late to cancel (Wine's KeCancelTimer says TRUE here; the platform must not) */
    ok(!kcom_platform_timer_cancel(&timer), "canceling a timer that fired returned TRUE\n");
    kcom_platform_event_release(event);

    /* a past deadline fires at once; the same storage arms again without init */
    if ((event = expect_callback(0)) == NULL)
        return;
    ok(kcom_platform_timer_arm(&timer, 0) == STATUS_SUCCESS, "arm failed\n");
    ok(kcom_platform_event_wait(event, WAIT_MS) == STATUS_SUCCESS, "a past deadline did not fire\n");
    ok(probe.calls == 2, "the callback ran %ld times\n", (long)probe.calls);
    kcom_platform_event_release(event);

    /* armed again from within its own callback, twice */
    if ((event = expect_callback(2)) == NULL)
        return;
    ok(kcom_platform_timer_arm(&timer, kcom_platform_monotonic_ms() + 5) == STATUS_SUCCESS, "arm failed\n");
    ok(kcom_platform_event_wait(event, WAIT_MS) == STATUS_SUCCESS, "a timer re-armed by its callback stopped\n");
    ok(probe.calls == 5, "the callback ran %ld times\n", (long)probe.calls);
    kcom_platform_event_release(event);

    /* canceled before it expires: TRUE, and the callback never runs */
    if ((event = expect_callback(0)) == NULL)
        return;
    ok(kcom_platform_timer_arm(&timer, kcom_platform_monotonic_ms() + 60000) == STATUS_SUCCESS, "arm failed\n");
    ok(kcom_platform_timer_cancel(&timer), "canceling a pending timer returned FALSE\n");
    ok(kcom_platform_event_wait(event, 200) == STATUS_TIMEOUT, "a canceled timer called back\n");
    ok(probe.calls == 5, "the callback ran %ld times\n", (long)probe.calls);
    ok(!kcom_platform_timer_cancel(&timer), "canceling a canceled timer returned TRUE\n");

    /* and arms again after the cancel (the callback's reference on the event carries over) */
    ok(kcom_platform_timer_arm(&timer, kcom_platform_monotonic_ms() + 10) == STATUS_SUCCESS, "arm failed\n");
    ok(kcom_platform_event_wait(event, WAIT_MS) == STATUS_SUCCESS, "a timer armed after a cancel did not fire\n");
    ok(probe.calls == 6, "the callback ran %ld times\n", (long)probe.calls);
    kcom_platform_event_release(event);

    /* cancel racing the expiry: TRUE exactly when the callback never runs */
    for (i = 0; i < 40; i++) {
        BOOLEAN removed;
        if ((event = expect_callback(0)) == NULL)
            return;
        calls = probe.calls;
        ok(kcom_platform_timer_arm(&timer, kcom_platform_monotonic_ms() + (ULONG64)(i % 3)) == STATUS_SUCCESS,
           "arm failed\n");
        if (i % 2 != 0)
            kcom_platform_sleep_ms(3); /* mostly fired by now (Windows: on the next clock tick) */
        removed = kcom_platform_timer_cancel(&timer);
        if (removed) {
            canceled++;
            /* Windows: the DPC was never queued; Wine: KeCancelTimer waited for any under way */
            ok(kcom_platform_event_wait(event, 10) == STATUS_TIMEOUT, "round %d: canceled, yet called back\n", i);
            ok(probe.calls == calls, "round %d: canceled, yet called back\n", i);
            kcom_platform_event_release(event); /* the callback's */
        } else {
            fired++;
            status = kcom_platform_event_wait(event, WAIT_MS);
            ok(status == STATUS_SUCCESS, "round %d: not canceled, and no callback\n", i);
            if (status != STATUS_SUCCESS) {
                kcom_platform_event_release(event);
                return;
            }
            ok(probe.calls == calls + 1, "round %d: %ld callbacks\n", i, (long)(probe.calls - calls));
        }
        kcom_platform_event_release(event);
    }
    kcom_test_print("kernel_async_platform: cancel racing expiry: %d canceled, %d fired\n", canceled, fired);
}

void kcom_test_kernel_async_platform(void)
{
    ok(KeGetCurrentIrql() == PASSIVE_LEVEL, "IOCTLs are dispatched at IRQL %u\n", (unsigned)KeGetCurrentIrql());
    ok(kcom_platform_can_block(), "kcom_platform_can_block is FALSE at PASSIVE_LEVEL\n");
    test_events();
    test_clock();
    test_timers();
}

#endif /* KCOM_ENABLE_ASYNC */
