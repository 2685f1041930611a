/*
 * wake_slot.h - a task's mailbox for wakes other threads send it, shared by the wake storm of
 * test_dpc_executor.c and the executor soak (tests/reliability/soak_executors.c).
 *
 * A sender counts a wake in pending, then takes the task's published waker and wakes it. The
 * task's poll publishes a fresh waker before it takes the count, so a wake sent after the take
 * finds that waker: no wake is lost. in_poll, set for the length of a poll, catches a task polled
 * on two threads at once (concurrent counts those polls).
 */
#ifndef KCOM_TESTS_EXECUTORS_WAKE_SLOT_H
#define KCOM_TESTS_EXECUTORS_WAKE_SLOT_H

#include <kcom/atomic.h>
#include <kcom/task.h>

typedef struct wake_slot {
    LONG volatile pending;     /* wakes sent, not yet taken by the task */
    kcom_task *volatile waker; /* the task's current waker (its reference), or NULL */
    LONG volatile in_poll;
    LONG volatile concurrent;  /* polls that found another one under way */
} wake_slot;

/* Takes the published waker (the caller then owns its reference). */
static inline void wake_slot_take_waker(wake_slot *slot, kcom_waker *w)
{
    w->task = (kcom_task *)kcom_atomic_exchange_ptr((void *volatile *)&slot->waker, NULL);
}

/* One wake, from any thread. */
static inline void wake_slot_send(wake_slot *slot)
{
    kcom_waker w;
    kcom_atomic_fetch_add(&slot->pending, 1);
    wake_slot_take_waker(slot, &w);
    kcom_waker_wake(&w);
}

/* The start and the end of a poll. */
static inline void wake_slot_enter(wake_slot *slot)
{
    if (kcom_atomic_exchange(&slot->in_poll, 1) != 0)
        kcom_atomic_fetch_add(&slot->concurrent, 1);
}

static inline void wake_slot_leave(wake_slot *slot)
{
    kcom_atomic_store(&slot->in_poll, 0);
}

/* Drops the published waker (a poll that ends its task). */
static inline void wake_slot_clear(wake_slot *slot)
{
    kcom_waker old;
    wake_slot_take_waker(slot, &old);
    kcom_waker_drop(&old);
}

/* In a poll: publishes a fresh waker and adds the wakes sent so far to *seen, again while wakes
 * keep arriving. TRUE once *seen reaches target (the waker is then dropped again); FALSE when the
 * task is to wait for the next wake. */
static inline BOOLEAN wake_slot_collect(wake_slot *slot, kcom_task_context *cx, ULONG *seen, ULONG target)
{
    for (;;) {
        kcom_waker fresh = kcom_task_waker(cx), old;
        LONG sent;
        /* publish the waker before looking, so a wake sent after the look finds it */
        old.task = (kcom_task *)kcom_atomic_exchange_ptr((void *volatile *)&slot->waker, fresh.task);
        kcom_waker_drop(&old);
        sent = kcom_atomic_exchange(&slot->pending, 0);
        *seen += (ULONG)sent;
        if (*seen >= target) {
            wake_slot_clear(slot);
            return TRUE;
        }
        if (sent == 0)
            return FALSE;
    }
}

#endif /* KCOM_TESTS_EXECUTORS_WAKE_SLOT_H */
