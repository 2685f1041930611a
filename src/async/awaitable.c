/*
 * awaitable.c - the event awaitable, the adapters to kcom_async_awaitable, select and try_finally
 * (kcom/awaitable.h). The timer and timeout are in awaitable_timer.c, built where the platform has
 * a timer.
 *
 * Event: a FIFO of registered awaits under a spin lock. A set bumps the generation, then takes,
 * one at a time, the awaits registered before it (a prefix of the FIFO: registration appends):
 * under the lock it unlinks one, marks it woken and moves its waker out; then, the lock released,
 * it wakes the task. The set never touches an await after releasing the lock, so a task cleared
 * or dropped meanwhile is never reached; the waker it woke holds its own reference.
 */
#include <kcom/awaitable.h>

#include "async/async_internal.h"

#define AW_IDLE 0
#define AW_REGISTERED 1
#define AW_WOKEN 2

void kcom_async_event_init(kcom_async_event *event, BOOLEAN signaled)
{
    if (event == NULL)
        return;
    event->lock = 0;
    event->signaled = signaled ? 1 : 0;
    event->generation = 0;
    event->head = event->tail = NULL;
}

BOOLEAN kcom_async_event_is_set(kcom_async_event *event)
{
    return (BOOLEAN)(event != NULL && kcom_atomic_load(&event->signaled) != 0);
}

static void event_unlink(kcom_async_event *event, kcom_async_event_await *aw)
{
    if (aw->prev != NULL)
        aw->prev->next = aw->next;
    else
        event->head = aw->next;
    if (aw->next != NULL)
        aw->next->prev = aw->prev;
    else
        event->tail = aw->prev;
    aw->next = aw->prev = NULL;
}

BOOLEAN kcom_async_event_set(kcom_async_event *event)
{
    LONG was;
    ULONG generation;
    UCHAR irql;
    if (event == NULL)
        return FALSE;
    irql = kcom_async_spin_lock(&event->lock);
    was = kcom_atomic_exchange(&event->signaled, 1);
    generation = ++event->generation;
    for (;;) {
        kcom_async_event_await *aw = event->head;
        kcom_waker waker;
        /* registered since this set began (after a reset): not this set's to wake */
        if (aw == NULL || (LONG)(aw->stamp - generation) >= 0)
            break;
        event_unlink(event, aw);
        aw->state = AW_WOKEN;
        waker = aw->waker;
        aw->waker.task = NULL;
        kcom_async_spin_unlock(&event->lock, irql);
        kcom_task_wake_waker(&waker); /* outside the lock: waking may run a drop that clears an await */
        irql = kcom_async_spin_lock(&event->lock);
    }
    kcom_async_spin_unlock(&event->lock, irql);
    return (BOOLEAN)(was != 0);
}

BOOLEAN kcom_async_event_reset(kcom_async_event *event)
{
    LONG was;
    UCHAR irql;
    if (event == NULL)
        return FALSE;
    irql = kcom_async_spin_lock(&event->lock);
    was = kcom_atomic_exchange(&event->signaled, 0);
    kcom_async_spin_unlock(&event->lock, irql);
    return (BOOLEAN)(was != 0);
}

void kcom_async_event_await_init(kcom_async_event_await *aw, kcom_async_event *event)
{
    if (aw == NULL)
        return;
    aw->event = event;
    aw->next = aw->prev = NULL;
    aw->waker.task = NULL;
    aw->stamp = 0;
    aw->state = AW_IDLE;
}

kcom_poll_result kcom_async_event_await_poll(kcom_async_event_await *aw, kcom_task_context *cx)
{
    kcom_async_event *event = aw->event;
    kcom_waker unused = {NULL};
    kcom_poll_result result = KCOM_POLL_PENDING;
    UCHAR irql;
    if (event == NULL)
        return KCOM_POLL_READY;
    irql = kcom_async_spin_lock(&event->lock);
    if (aw->state == AW_WOKEN) {
        aw->state = AW_IDLE;
        result = KCOM_POLL_READY;
    } else if (kcom_atomic_load(&event->signaled)) {
        if (aw->state == AW_REGISTERED) {
            event_unlink(event, aw);
            unused = aw->waker;
            aw->waker.task = NULL;
            aw->state = AW_IDLE;
        }
        result = KCOM_POLL_READY;
    } else if (aw->state == AW_IDLE) {
        aw->waker = kcom_task_waker(cx); /* a reference: never the last one while polled */
        aw->stamp = event->generation;
        aw->next = NULL;
        aw->prev = event->tail;
        if (event->tail != NULL)
            event->tail->next = aw;
        else
            event->head = aw;
        event->tail = aw;
        aw->state = AW_REGISTERED;
    }
    kcom_async_spin_unlock(&event->lock, irql);
    kcom_waker_drop(&unused);
    return result;
}

void kcom_async_event_await_clear(kcom_async_event_await *aw)
{
    kcom_async_event *event;
    kcom_waker waker = {NULL};
    UCHAR irql;
    if (aw == NULL || (event = aw->event) == NULL)
        return;
    irql = kcom_async_spin_lock(&event->lock);
    if (aw->state == AW_REGISTERED) {
        event_unlink(event, aw);
        waker = aw->waker;
        aw->waker.task = NULL;
    }
    aw->state = AW_IDLE;
    kcom_async_spin_unlock(&event->lock, irql);
    kcom_waker_drop(&waker); /* outside the lock: it may release the last reference */
}

/* ---- ready values ---------------------------------------------------------------------------------- */

void kcom_async_ready_init(kcom_async_ready *ready, NTSTATUS status, ULONG64 value)
{
    if (ready == NULL)
        return;
    ready->status = status;
    ready->value = value;
}

kcom_poll_result kcom_async_ready_poll(kcom_async_ready *ready, kcom_task_context *cx)
{
    (void)ready;
    (void)cx;
    return KCOM_POLL_READY;
}

static kcom_poll_result ready_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_ready_poll((kcom_async_ready *)self, cx);
}

/* ---- adapters -------------------------------------------------------------------------------------- */

kcom_async_awaitable kcom_async_awaitable_of(kcom_task_poll_fn *poll, void (*clear)(void *self), void *self)
{
    kcom_async_awaitable a;
    a.poll = poll;
    a.clear = clear;
    a.self = self;
    return a;
}

kcom_async_awaitable kcom_async_ready_awaitable(kcom_async_ready *ready)
{
    return kcom_async_awaitable_of(ready_poll_, NULL, ready);
}

static kcom_poll_result event_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_event_await_poll((kcom_async_event_await *)self, cx);
}

static void event_clear_(void *self)
{
    kcom_async_event_await_clear((kcom_async_event_await *)self);
}

kcom_async_awaitable kcom_async_event_awaitable(kcom_async_event_await *aw)
{
    return kcom_async_awaitable_of(event_poll_, event_clear_, aw);
}

static kcom_poll_result operation_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_await_poll((kcom_async_await *)self, cx);
}

static void operation_clear_(void *self)
{
    kcom_async_await_clear((kcom_async_await *)self);
}

static void operation_cancel_clear_(void *self)
{
    kcom_async_await *aw = (kcom_async_await *)self;
    if (aw->operation != NULL)
        (void)IKcomAsyncOperation_cancel(aw->operation); /* finished already: refused, harmless */
    kcom_async_await_clear(aw);
}

kcom_async_awaitable kcom_async_operation_awaitable(kcom_async_await *aw, BOOLEAN cancel)
{
    return kcom_async_awaitable_of(operation_poll_, cancel ? operation_cancel_clear_ : operation_clear_, aw);
}

/* Clears a once: the combinators' clears may run again from a drop, and a sub-task's drop need
 * not be safe twice. */
static void awaitable_clear(kcom_async_awaitable *a)
{
    void (*clear)(void *self) = a->clear;
    a->clear = NULL;
    if (clear != NULL)
        clear(a->self);
}

/* ---- select ---------------------------------------------------------------------------------------- */

void kcom_async_select_init(kcom_async_select *select, kcom_async_awaitable a, kcom_async_awaitable b)
{
    if (select == NULL)
        return;
    select->awaitable[0] = a;
    select->awaitable[1] = b;
    select->winner = -1;
}

kcom_poll_result kcom_async_select_poll(kcom_async_select *select, kcom_task_context *cx)
{
    int i;
    if (select->winner >= 0)
        return KCOM_POLL_READY;
    for (i = 0; i < 2; i++) {
        if (select->awaitable[i].poll(select->awaitable[i].self, cx) == KCOM_POLL_READY) {
            select->winner = i;
            awaitable_clear(&select->awaitable[1 - i]);
            return KCOM_POLL_READY;
        }
    }
    return KCOM_POLL_PENDING;
}

void kcom_async_select_clear(kcom_async_select *select)
{
    if (select == NULL)
        return;
    awaitable_clear(&select->awaitable[0]);
    awaitable_clear(&select->awaitable[1]);
}

static kcom_poll_result select_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_select_poll((kcom_async_select *)self, cx);
}

static void select_clear_(void *self)
{
    kcom_async_select_clear((kcom_async_select *)self);
}

kcom_async_awaitable kcom_async_select_awaitable(kcom_async_select *select)
{
    return kcom_async_awaitable_of(select_poll_, select_clear_, select);
}

/* ---- try_finally ------------------------------------------------------------------------------------ */

#define TF_MAIN 0
#define TF_CLEANUP 1
#define TF_DONE 2

void kcom_async_try_finally_init(kcom_async_try_finally *tf, kcom_async_awaitable main, kcom_async_awaitable cleanup)
{
    if (tf == NULL)
        return;
    tf->main = main;
    tf->cleanup = cleanup;
    tf->phase = TF_MAIN;
    tf->canceled = FALSE;
}

kcom_poll_result kcom_async_try_finally_poll(kcom_async_try_finally *tf, kcom_task_context *cx)
{
    if (tf->phase == TF_MAIN) {
        if (kcom_task_take_cancellation_request(cx)) {
            tf->canceled = TRUE; /* main is dropped where it stands */
        } else if (tf->main.poll(tf->main.self, cx) == KCOM_POLL_PENDING) {
            return KCOM_POLL_PENDING;
        }
        awaitable_clear(&tf->main);
        tf->phase = TF_CLEANUP;
    }
    if (tf->phase == TF_CLEANUP) {
        if (tf->cleanup.poll(tf->cleanup.self, cx) == KCOM_POLL_PENDING)
            return KCOM_POLL_PENDING;
        awaitable_clear(&tf->cleanup);
        tf->phase = TF_DONE;
    }
    return KCOM_POLL_READY;
}

void kcom_async_try_finally_clear(kcom_async_try_finally *tf)
{
    if (tf == NULL)
        return;
    awaitable_clear(&tf->main);
    awaitable_clear(&tf->cleanup);
}

static kcom_poll_result try_finally_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_try_finally_poll((kcom_async_try_finally *)self, cx);
}

static void try_finally_clear_(void *self)
{
    kcom_async_try_finally_clear((kcom_async_try_finally *)self);
}

kcom_async_awaitable kcom_async_try_finally_awaitable(kcom_async_try_finally *tf)
{
    return kcom_async_awaitable_of(try_finally_poll_, try_finally_clear_, tf);
}
