/*
 * awaitable.c - the event awaitable, the adapters to kcom_async_awaitable, select and try_finally
 * (kcom/awaitable.h). The timer and timeout are in awaitable_timer.c, built where the platform has
 * a timer.
 *
 * Event: a FIFO of registered awaits under a spin lock. A set, under the lock, takes every await
 * registered (a registration finds the event unset, and a set takes them all while it holds the
 * lock, so a registered await is never one a set has passed over): they become its chain, each
 * TAKEN. It lets go of the lock, its last touch of the event: a woken task's completion may free
 * the event (its registration has ended), and that may happen before the set returns. Then,
 * still at DISPATCH_LEVEL, for each await it takes the next link and the waker, marks it WOKEN
 * (its last touch of the await: the task may poll, clear or free it from then on) and wakes the
 * task. A task whose executor refuses the wake is ended only after the chain is done, back at the
 * caller's IRQL: its drop (which may clear another await of the chain) and its completion
 * callback run after the set has let go of everything.
 *
 * A TAKEN await's waker and link are the set's: a poll finds it PENDING (the wake is coming); a
 * clear waits for the set to mark it WOKEN. A WOKEN await is the task's alone: poll and clear
 * handle it without the event, which the wake may have ended. A REGISTERED one is PENDING without
 * the event either: the event is unset while it is registered, and a set that takes it wakes it.
 *
 * Also kcom_async_operation_relay (kcom/async.h), at the end: a completion source finished by the
 * completion callback of an operation implemented outside this kcom.
 */
#include <kcom/awaitable.h>

#include "async/async_internal.h"

#include <string.h>

#define AW_IDLE 0
#define AW_REGISTERED 1
#define AW_WOKEN 2
#define AW_TAKEN 3

void kcom_async_event_init(kcom_async_event *event, BOOLEAN signaled)
{
    if (event == NULL)
        return;
    event->lock = 0;
    event->signaled = signaled ? 1 : 0;
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
    kcom_async_event_await *taken, *aw;
    kcom_task_link *refused = NULL;
    LONG was;
    UCHAR irql;
    if (event == NULL)
        return FALSE;
    irql = kcom_async_spin_lock(&event->lock);
    was = kcom_atomic_exchange(&event->signaled, 1);
    taken = event->head;
    event->head = event->tail = NULL;
    for (aw = taken; aw != NULL; aw = aw->next)
        kcom_atomic_store(&aw->state, AW_TAKEN);
    kcom_async_spin_unlock_raised(&event->lock); /* the last touch of the event */
    while (taken != NULL) {
        kcom_task *task = taken->waker.task;
        aw = taken;
        taken = aw->next;
        aw->next = aw->prev = NULL;
        aw->waker.task = NULL;
        kcom_atomic_store(&aw->state, AW_WOKEN); /* the last touch of the await */
        kcom_task_wake_collecting(task, &refused);
    }
    kcom_platform_lower_irql(irql);
    kcom_task_end_refused(refused);
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
    aw->state = AW_IDLE;
}

kcom_poll_result kcom_async_event_await_poll(kcom_async_event_await *aw, kcom_task_context *cx)
{
    kcom_async_event *event = aw->event;
    kcom_poll_result result = KCOM_POLL_PENDING;
    LONG state;
    UCHAR irql;
    if (event == NULL)
        return KCOM_POLL_READY;
    state = kcom_atomic_load(&aw->state);
    if (state == AW_WOKEN) { /* the task's alone, and the event may be gone */
        aw->state = AW_IDLE;
        return KCOM_POLL_READY;
    }
    if (state != AW_IDLE) /* registered or taken: a set is to wake the task */
        return KCOM_POLL_PENDING;
    irql = kcom_async_spin_lock(&event->lock);
    if (kcom_atomic_load(&event->signaled)) {
        result = KCOM_POLL_READY;
    } else {
        aw->waker = kcom_task_waker(cx); /* a reference: never the last one while polled */
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
    return result;
}

void kcom_async_event_await_clear(kcom_async_event_await *aw)
{
    kcom_async_event *event;
    kcom_waker waker = {NULL};
    ULONG spins = 0;
    UCHAR irql;
    if (aw == NULL || (event = aw->event) == NULL)
        return;
    for (;;) {
        LONG state = kcom_atomic_load(&aw->state);
        if (state == AW_TAKEN) { /* a set (at DISPATCH_LEVEL, elsewhere) is reading its waker */
            kcom_platform_spin_pause(&spins);
            continue;
        }
        if (state != AW_REGISTERED) { /* IDLE, or WOKEN: the task's alone, the event maybe gone */
            aw->state = AW_IDLE;
            return;
        }
        irql = kcom_async_spin_lock(&event->lock);
        if (kcom_atomic_load(&aw->state) == AW_REGISTERED)
            break;
        kcom_async_spin_unlock(&event->lock, irql); /* a set took it meanwhile */
    }
    event_unlink(event, aw);
    waker = aw->waker;
    aw->waker.task = NULL;
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

/* ---- select, first of, all of ------------------------------------------------------------------------- */

/* The first READY of count awaitables wins: its index in *winner, every other one cleared. */
static kcom_poll_result first_ready(kcom_async_awaitable *awaitables, ULONG count, LONG *winner, kcom_task_context *cx)
{
    ULONG i, j;
    if (*winner >= 0)
        return KCOM_POLL_READY;
    for (i = 0; i < count; i++) {
        if (awaitables[i].poll(awaitables[i].self, cx) == KCOM_POLL_READY) {
            *winner = (LONG)i;
            for (j = 0; j < count; j++)
                if (j != i)
                    awaitable_clear(&awaitables[j]);
            return KCOM_POLL_READY;
        }
    }
    return KCOM_POLL_PENDING;
}

static void clear_all(kcom_async_awaitable *awaitables, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++)
        awaitable_clear(&awaitables[i]);
}

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
    return first_ready(select->awaitable, 2, &select->winner, cx);
}

void kcom_async_select_clear(kcom_async_select *select)
{
    if (select != NULL)
        clear_all(select->awaitable, 2);
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

/* The checks both array combinators' inits make. */
static BOOLEAN awaitables_valid(const kcom_async_awaitable *awaitables, ULONG count)
{
    ULONG i;
    if (awaitables == NULL || count == 0 || count > 0x7FFFFFFFu)
        return FALSE;
    for (i = 0; i < count; i++)
        if (awaitables[i].poll == NULL)
            return FALSE;
    return TRUE;
}

NTSTATUS kcom_async_first_of_init(kcom_async_first_of *first, kcom_async_awaitable *awaitables, ULONG count)
{
    BOOLEAN valid = awaitables_valid(awaitables, count);
    if (first == NULL)
        return STATUS_INVALID_PARAMETER;
    /* refused: nothing to wait for, so that a poll nobody checked the status of cannot hang */
    first->awaitables = valid ? awaitables : NULL;
    first->count = valid ? count : 0;
    first->winner = -1;
    return valid ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

kcom_poll_result kcom_async_first_of_poll(kcom_async_first_of *first, kcom_task_context *cx)
{
    if (first->count == 0) {
        first->winner = -1; /* refused at its init, or never initialized (zero-filled): no winner */
        return KCOM_POLL_READY;
    }
    return first_ready(first->awaitables, first->count, &first->winner, cx);
}

void kcom_async_first_of_clear(kcom_async_first_of *first)
{
    if (first != NULL && first->awaitables != NULL)
        clear_all(first->awaitables, first->count);
}

static kcom_poll_result first_of_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_first_of_poll((kcom_async_first_of *)self, cx);
}

static void first_of_clear_(void *self)
{
    kcom_async_first_of_clear((kcom_async_first_of *)self);
}

kcom_async_awaitable kcom_async_first_of_awaitable(kcom_async_first_of *first)
{
    return kcom_async_awaitable_of(first_of_poll_, first_of_clear_, first);
}

NTSTATUS kcom_async_all_of_init(kcom_async_all_of *all, kcom_async_awaitable *awaitables, ULONG count)
{
    BOOLEAN valid = awaitables_valid(awaitables, count);
    if (all == NULL)
        return STATUS_INVALID_PARAMETER;
    all->awaitables = valid ? awaitables : NULL;
    all->count = valid ? count : 0;
    all->remaining = all->count;
    all->last = -1;
    return valid ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

/* Polls the awaitables not READY yet from index from on; the first that is READY is marked (never
 * polled again, cleared with the rest) and its index returned; -1 when none is. */
static LONG all_of_next_ready(kcom_async_all_of *all, ULONG from, kcom_task_context *cx)
{
    ULONG i;
    for (i = from; i < all->count && all->remaining != 0; i++) {
        kcom_async_awaitable *a = &all->awaitables[i];
        if (a->poll != NULL && a->poll(a->self, cx) == KCOM_POLL_READY) {
            a->poll = NULL;
            all->remaining--;
            return (LONG)i;
        }
    }
    return -1;
}

kcom_poll_result kcom_async_all_of_poll(kcom_async_all_of *all, kcom_task_context *cx)
{
    LONG ready = -1;
    while ((ready = all_of_next_ready(all, (ULONG)(ready + 1), cx)) >= 0)
        ;
    return all->remaining == 0 ? KCOM_POLL_READY : KCOM_POLL_PENDING;
}

kcom_poll_result kcom_async_all_of_poll_next(kcom_async_all_of *all, kcom_task_context *cx)
{
    all->last = all->remaining != 0 ? all_of_next_ready(all, 0, cx) : -1;
    return all->last >= 0 || all->remaining == 0 ? KCOM_POLL_READY : KCOM_POLL_PENDING;
}

void kcom_async_all_of_clear(kcom_async_all_of *all)
{
    if (all != NULL && all->awaitables != NULL)
        clear_all(all->awaitables, all->count);
}

static kcom_poll_result all_of_poll_(void *self, kcom_task_context *cx)
{
    return kcom_async_all_of_poll((kcom_async_all_of *)self, cx);
}

static void all_of_clear_(void *self)
{
    kcom_async_all_of_clear((kcom_async_all_of *)self);
}

kcom_async_awaitable kcom_async_all_of_awaitable(kcom_async_all_of *all)
{
    return kcom_async_awaitable_of(all_of_poll_, all_of_clear_, all);
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

static kcom_poll_result try_finally_poll_(void *self, kcom_task_context *cx);

/* The task's cancel reaches tf: main is dropped where it stands and cleanup runs instead. A main
 * that is a try_finally itself (kcom_async_try_finally_awaitable) is not dropped: the one cancel
 * request is passed on to it, so that its own cleanup runs to its end (as the rest of tf's main)
 * before tf's, however deep the nesting. */
static void try_finally_cancel(kcom_async_try_finally *tf)
{
    kcom_async_try_finally *nested =
        tf->main.poll == try_finally_poll_ ? (kcom_async_try_finally *)tf->main.self : NULL;
    tf->canceled = TRUE;
    if (nested != NULL && nested->phase != TF_DONE) {
        if (nested->phase == TF_MAIN)
            try_finally_cancel(nested);
        return;
    }
    awaitable_clear(&tf->main);
    tf->phase = TF_CLEANUP;
}

kcom_poll_result kcom_async_try_finally_poll(kcom_async_try_finally *tf, kcom_task_context *cx)
{
    if (tf->phase == TF_MAIN && !tf->canceled && kcom_task_take_cancellation_request(cx))
        try_finally_cancel(tf);
    if (tf->phase == TF_MAIN) {
        if (tf->main.poll(tf->main.self, cx) == KCOM_POLL_PENDING)
            return KCOM_POLL_PENDING;
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

/* ---- a relay of an operation implemented outside this kcom ----------------------------------------
 * foreign's one completion callback finishes the relay, a completion source; the relay's cancel
 * routine passes a cancel on to foreign. The callback's context is a record of both, allocated
 * with the relay (the callback may be handed another pointer than the foreign it was registered
 * on: a delegating wrapper's inner operation). foreign is referenced twice: once for the callback
 * (let go of at its end) and once for the cancel routine (let go of by whichever of the routine
 * and the callback's clear of it ends the routine's claim), so that a cancel that races foreign's
 * finish never calls into a released foreign. The callback holds a reference on the relay.
 * relays_registered counts the callbacks registered and not yet returned from: they run this
 * image's code from another's (kcom_async_relays_drain, kcom_uninitialize). */

typedef struct relay_record {
    IKcomAsyncOperation *relay;
    IKcomAsyncOperation *foreign;
    const kcom_allocator *allocator;
} relay_record;

static LONG volatile relays_registered;

LONG kcom_async_relays_registered(void)
{
    return kcom_atomic_load(&relays_registered);
}

static void relay_cancel(IKcomAsyncOperation *relay, void *context)
{
    IKcomAsyncOperation *foreign = (IKcomAsyncOperation *)context;
    (void)relay;
    (void)foreign->lpVtbl->cancel(foreign);
    foreign->lpVtbl->Release(foreign);
}

static void relay_completed(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    relay_record record = *(relay_record *)context;
    union {
        ULONG64 align;
        void *pointer;
        unsigned char bytes[KCOM_ASYNC_RELAY_MAX_RESULT];
    } result;
    NTSTATUS outcome = STATUS_CANCELLED;
    (void)operation; /* the record's foreign is the one registered on and referenced */
    kcom_free(record.allocator, context, sizeof(relay_record), KCOM_ALIGNOF(relay_record));
    if (status != KCOM_ASYNC_CANCELED) {
        memset(&result, 0, sizeof(result));
        outcome = record.foreign->lpVtbl->get_result(record.foreign, &result);
        if (status != KCOM_ASYNC_COMPLETED && NT_SUCCESS(outcome))
            outcome = STATUS_UNSUCCESSFUL; /* an Error whose get_result does not say which */
    }
    if (kcom_async_operation_clear_cancel_routine(record.relay) == STATUS_SUCCESS)
        record.foreign->lpVtbl->Release(record.foreign); /* the routine's reference: it will never run */
    if (NT_SUCCESS(outcome))
        (void)kcom_async_operation_complete(record.relay, &result);
    else
        (void)kcom_async_operation_fail(record.relay, outcome);
    record.relay->lpVtbl->Release(record.relay);
    record.foreign->lpVtbl->Release(record.foreign);
    kcom_atomic_fetch_add(&relays_registered, -1); /* last: the image may go once none is left */
}

NTSTATUS kcom_async_operation_relay(IKcomAsyncOperation *foreign, const IID *iid, size_t result_size,
                                    size_t result_alignment, IKcomAsyncOperation **relay)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    IKcomAsyncOperation *source;
    relay_record *record;
    NTSTATUS status;
    if (relay == NULL)
        return STATUS_INVALID_PARAMETER;
    *relay = NULL;
    if (foreign == NULL || result_size > KCOM_ASYNC_RELAY_MAX_RESULT || result_alignment == 0 ||
        result_alignment > 8 || (result_alignment & (result_alignment - 1)) != 0) {
        (void)kcom_async_operation_create_error(NULL, iid, STATUS_INVALID_PARAMETER, relay);
        return STATUS_INVALID_PARAMETER;
    }
    if (kcom_rt_async_op_is_kcom(foreign) || foreign == kcom_async_static_error_operation()) {
        foreign->lpVtbl->AddRef(foreign);
        *relay = foreign;
        return STATUS_SUCCESS;
    }
    record = (relay_record *)kcom_allocate(allocator, sizeof(relay_record), KCOM_ALIGNOF(relay_record));
    if (record == NULL) {
        (void)kcom_async_operation_create_error(NULL, iid, STATUS_INSUFFICIENT_RESOURCES, relay);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = kcom_async_operation_create(NULL, iid, result_size, result_alignment, &source);
    if (!NT_SUCCESS(status)) {
        kcom_free(allocator, record, sizeof(relay_record), KCOM_ALIGNOF(relay_record));
        *relay = source; /* an error operation with the status */
        return status;
    }
    record->relay = source;
    record->foreign = foreign;
    record->allocator = allocator;
    foreign->lpVtbl->AddRef(foreign); /* the cancel routine's; nobody can cancel the source yet */
    if (!NT_SUCCESS(kcom_async_operation_set_cancel_routine(source, relay_cancel, foreign)))
        foreign->lpVtbl->Release(foreign); /* not registered (not seen: a fresh source takes it) */
    foreign->lpVtbl->AddRef(foreign); /* the callback's */
    source->lpVtbl->AddRef(source);
    kcom_atomic_fetch_add(&relays_registered, 1); /* before: the callback may run at once */
    status = foreign->lpVtbl->set_completed(foreign, relay_completed, record);
    if (!NT_SUCCESS(status)) {
        /* nothing will call back: undo the callback's references, its record and the routine */
        kcom_atomic_fetch_add(&relays_registered, -1);
        kcom_free(allocator, record, sizeof(relay_record), KCOM_ALIGNOF(relay_record));
        source->lpVtbl->Release(source);
        foreign->lpVtbl->Release(foreign);
        if (kcom_async_operation_clear_cancel_routine(source) == STATUS_SUCCESS)
            foreign->lpVtbl->Release(foreign);
        (void)kcom_async_operation_fail(source, status);
    }
    *relay = source;
    return status;
}

NTSTATUS kcom_async_relays_drain(ULONG timeout_ms)
{
    ULONG64 start = kcom_platform_monotonic_ms();
    if (!kcom_platform_can_block())
        return STATUS_INVALID_DEVICE_STATE;
    while (kcom_async_relays_registered() != 0) {
        if (timeout_ms != KCOM_ASYNC_RELAYS_INFINITE && kcom_platform_monotonic_ms() - start >= timeout_ms)
            return STATUS_TIMEOUT;
        kcom_platform_sleep_ms(1);
    }
    return STATUS_SUCCESS;
}
