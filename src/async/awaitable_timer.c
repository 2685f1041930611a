/*
 * awaitable_timer.c - the timer awaitable and the timeout combinator (kcom/awaitable.h), over the
 * platform's one-shot timer (platform.h). Built where the platform has one.
 *
 * States (timer->state):
 *
 *     IDLE --poll: waker stored, then platform armed--> ARMED --callback--> FIRED --poll--> IDLE (periodic)
 *       ^                                                 |                       \--poll--> EXPIRED (one-shot)
 *       +------ clear: platform cancel succeeded ---------+
 *       +------ clear: cancel too late: wait for FIRED ---+
 *
 * Only the owning task polls and clears (never both at once); the callback runs concurrently.
 * While ARMED the waker belongs to the callback, unless a cancel succeeds (then the callback never
 * runs and the clear drops the waker). The callback moves the waker out, then publishes FIRED and
 * never touches the timer again; the clear that lost the race to the platform cancel waits for
 * FIRED, so once it returns nothing refers to the timer. The waker holds a reference on the
 * awaiting task's operation, which holds the timer: the storage outlives every arm.
 */
#include <kcom/awaitable.h>

#include "async/async_internal.h"
#include "platform/platform.h"

#define TIMER_IDLE 0
#define TIMER_ARMED 1
#define TIMER_FIRED 2
#define TIMER_EXPIRED 3

/* Timers armed now (the low 32 bits) and callbacks under way (the high 32 bits), in one word so
 * that a callback moves its timer from the one count to the other with one interlocked add: a
 * reader never sees the timer in neither. A timer counts as armed from before the arm until its
 * callback begins, or a cancel takes the arm back; the callback counts until it has woken its
 * task. kcom_uninitialize refuses while any timer is armed and waits for the callbacks. */
#define TIMER_CALLBACK_ONE ((LONG64)1 << 32)
#define TIMER_ARMED_MASK ((LONG64)0xFFFFFFFF)
static LONG64 volatile timer_counts;

LONG kcom_async_timers_settle(void)
{
    for (;;) {
        LONG64 counts = kcom_atomic_load64(&timer_counts);
        if (counts == 0 || (counts & TIMER_ARMED_MASK) != 0)
            return (LONG)(counts & TIMER_ARMED_MASK);
        /* a callback has woken its task and is returning: it never blocks */
        kcom_platform_sleep_ms(1);
    }
}

static void timer_fired(kcom_rt_timer *platform, void *context)
{
    kcom_async_timer *timer = (kcom_async_timer *)context;
    kcom_waker waker = timer->waker;
    (void)platform;
    kcom_atomic_fetch_add64(&timer_counts, TIMER_CALLBACK_ONE - 1); /* armed -> under way */
    timer->waker.task = NULL;
    kcom_atomic_store(&timer->state, TIMER_FIRED); /* the last access to *timer */
    kcom_task_wake_waker(&waker); /* may release the last reference of the task's operation */
    kcom_atomic_fetch_add64(&timer_counts, -TIMER_CALLBACK_ONE); /* after the wake: uninitialize may follow */
}

void kcom_async_timer_init(kcom_async_timer *timer, ULONG due_ms, ULONG period_ms)
{
    if (timer == NULL)
        return;
    timer->bound = FALSE; /* the platform timer is told this address at the first arm */
    timer->waker.task = NULL;
    timer->state = TIMER_IDLE;
    timer->due_ms = due_ms;
    timer->period_ms = period_ms;
    timer->started = FALSE;
    timer->deadline_ms = 0;
    timer->status = STATUS_SUCCESS;
}

kcom_poll_result kcom_async_timer_poll(kcom_async_timer *timer, kcom_task_context *cx)
{
    NTSTATUS status;
    ULONG64 now;
    switch (kcom_atomic_load(&timer->state)) {
    case TIMER_ARMED:
        return KCOM_POLL_PENDING; /* the callback will wake the task */
    case TIMER_FIRED:
        kcom_platform_timer_settle(&timer->platform); /* before the task may end the storage's life */
        kcom_atomic_store(&timer->state, timer->period_ms != 0 ? TIMER_IDLE : TIMER_EXPIRED);
        timer->status = STATUS_SUCCESS;
        return KCOM_POLL_READY;
    case TIMER_EXPIRED:
        return KCOM_POLL_READY;
    default:
        break;
    }
    now = kcom_platform_monotonic_ms();
    if (timer->started && timer->period_ms != 0) {
        timer->deadline_ms += timer->period_ms;
        if (timer->deadline_ms <= now) /* periods missed meanwhile are skipped */
            timer->deadline_ms += ((now - timer->deadline_ms) / timer->period_ms + 1) * timer->period_ms;
    } else {
        /* the clock counts whole milliseconds: this instant lies in [now, now + 1), and a
         * deadline of now + due would let the timer fire up to a millisecond early */
        timer->deadline_ms = now + 1 + timer->due_ms;
    }
    timer->started = TRUE;
    if (!timer->bound) {
        /* here, not at init: an initialized timer may have been copied (a spawn's initial
         * state), and the callback writes to the address it was given */
        kcom_platform_timer_init(&timer->platform, timer_fired, timer);
        timer->bound = TRUE;
    }
    timer->waker = kcom_task_waker(cx);
    kcom_atomic_store(&timer->state, TIMER_ARMED); /* before arming: the callback may run at once */
    kcom_atomic_fetch_add64(&timer_counts, 1);
    status = kcom_platform_timer_arm(&timer->platform, timer->deadline_ms);
    if (NT_SUCCESS(status))
        return KCOM_POLL_PENDING;
    kcom_atomic_fetch_add64(&timer_counts, -1);
    kcom_atomic_store(&timer->state, TIMER_IDLE);
    timer->started = FALSE;
    kcom_waker_drop(&timer->waker);
    timer->status = status;
    return KCOM_POLL_READY;
}

void kcom_async_timer_clear(kcom_async_timer *timer)
{
    LONG state;
    if (timer == NULL)
        return;
    state = kcom_atomic_load(&timer->state);
    if (state == TIMER_ARMED) {
        if (kcom_platform_timer_cancel(&timer->platform)) {
            kcom_atomic_fetch_add64(&timer_counts, -1);
            kcom_waker_drop(&timer->waker); /* the callback never runs: the waker is ours again */
        } else {
            /* firing now, on another processor (platform.h): the callback has taken the waker or
             * is about to; wait the few instructions until it is done */
            ULONG spins = 0;
            while (kcom_atomic_load(&timer->state) != TIMER_FIRED)
                kcom_platform_spin_pause(&spins);
            state = TIMER_FIRED;
        }
    }
    /* a fire no poll has seen: the platform may not be done with the storage yet */
    if (state == TIMER_FIRED)
        kcom_platform_timer_settle(&timer->platform);
    /* whatever the state: IDLE, and a periodic timer's schedule ended (between ticks too), so a
     * poll arms it due_ms from then; a zero-filled timer, never initialized, is written the zeros
     * it holds */
    kcom_atomic_store(&timer->state, TIMER_IDLE);
    timer->started = FALSE;
}

static kcom_poll_result timer_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_timer_poll((kcom_async_timer *)self, cx);
}

static void timer_clear_(void *self)
{
    kcom_async_timer_clear((kcom_async_timer *)self);
}

kcom_async_awaitable kcom_async_timer_awaitable(kcom_async_timer *timer)
{
    return kcom_async_awaitable_of(timer_poll_, timer_clear_, timer);
}

/* ---- timeout ---------------------------------------------------------------------------------------- */

void kcom_async_timeout_init(kcom_async_timeout *timeout, kcom_async_awaitable awaitable, ULONG timeout_ms)
{
    if (timeout == NULL)
        return;
    kcom_async_timer_init(&timeout->timer, timeout_ms, 0);
    kcom_async_select_init(&timeout->select, awaitable, kcom_async_timer_awaitable(&timeout->timer));
    timeout->timed_out = FALSE;
}

kcom_poll_result kcom_async_timeout_poll(kcom_async_timeout *timeout, kcom_task_context *cx)
{
    if (kcom_async_select_poll(&timeout->select, cx) == KCOM_POLL_PENDING)
        return KCOM_POLL_PENDING;
    timeout->timed_out = (BOOLEAN)(timeout->select.winner == 1);
    return KCOM_POLL_READY;
}

void kcom_async_timeout_clear(kcom_async_timeout *timeout)
{
    if (timeout == NULL)
        return;
    kcom_async_select_clear(&timeout->select);
}

static kcom_poll_result timeout_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_timeout_poll((kcom_async_timeout *)self, cx);
}

static void timeout_clear_(void *self)
{
    kcom_async_timeout_clear((kcom_async_timeout *)self);
}

kcom_async_awaitable kcom_async_timeout_awaitable(kcom_async_timeout *timeout)
{
    return kcom_async_awaitable_of(timeout_poll_, timeout_clear_, timeout);
}
