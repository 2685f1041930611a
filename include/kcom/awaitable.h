/*
 * kcom/awaitable.h - what a task can wait for besides another operation, and how to combine
 * waits: a ready value, an event, a timer, try_finally, select, first_of, all_of and timeout.
 *
 * Every awaitable here follows the pattern of kcom_async_await (kcom/async.h): a struct embedded
 * in the task's state (no allocation), an _init, a _poll used inside KCOM_AWAIT (READY, or
 * PENDING with the task registered to be woken) and a _clear that unregisters and releases what
 * the awaitable holds. Call _clear from the task's drop, which runs in every case; it is safe on
 * a zero-filled struct and safe to call twice. An awaitable's _poll and _clear are its task's:
 * called from the task's poll and drop, which never run at once, not from other threads (a clear
 * there would also leave the task waiting for a wake that was taken back). Each void function
 * here ignores a NULL struct pointer, and each BOOLEAN one answers FALSE for it; a _poll takes
 * the initialized struct and the context its task's poll was given (neither is checked: polls run
 * at every wake). A registration holds a reference on the task's operation (a waker), and the
 * awaitable lives inside that operation's state, so an awaitable is never freed while something
 * can still reach it, even if a drop forgets its _clear (the task then only lingers until the
 * event is set or the timer fires).
 *
 *     typedef struct {
 *         KCOM_TASK_RESUME_POINT;
 *         kcom_async_event_await ready;     // the device's "ready" event
 *         kcom_async_timer timer;           // a 50 ms timeout
 *         kcom_async_select either;         // whichever comes first
 *     } wait_state;
 *
 *     static kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
 *     {
 *         wait_state *s = p;
 *         KCOM_TASK_BEGIN(s);
 *         kcom_async_event_await_init(&s->ready, &device->ready);
 *         kcom_async_timer_init(&s->timer, 50, 0);
 *         kcom_async_select_init(&s->either, kcom_async_event_awaitable(&s->ready),
 *                                kcom_async_timer_awaitable(&s->timer));
 *         KCOM_AWAIT(kcom_async_select_poll(&s->either, cx));
 *         if (s->either.winner == 1)
 *             KCOM_TASK_RETURN(cx, STATUS_IO_TIMEOUT);   // the event wait was unregistered
 *         KCOM_TASK_END(cx);                              // the timer was canceled
 *     }
 *
 *     static void wait_drop(void *p)
 *     {
 *         wait_state *s = p;
 *         kcom_async_select_clear(&s->either);   // clears both (their own _clear would do too)
 *     }
 *
 * The event and the combinators are portable; the timer (kcom_async_timer_*, kcom_async_timeout_*)
 * needs a platform timer and is built where the library defines KCOM_HAS_ASYNC_TIMER (every
 * target: a KTIMER + KDPC in the kernel and on the host's simulation of it, a timer thread in
 * Windows user mode).
 */
#ifndef KCOM_AWAITABLE_H
#define KCOM_AWAITABLE_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/async.h>

/* ---- any awaitable, for the combinators ---------------------------------------------------------------- */

/*
 * An awaitable seen through two functions: poll(self, cx) (READY or PENDING, as a task's poll)
 * and clear(self) (unregisters and releases; NULL: nothing to release). The constructors below
 * make one for each awaitable of kcom; a sub-task written with KCOM_TASK_BEGIN/KCOM_TASK_END over
 * its own state struct is one too: kcom_async_awaitable_of(sub_poll, sub_drop, &s->sub). (A
 * sub-task's KCOM_TASK_RETURN writes cx->status; the outer task's own return overwrites it.)
 */
typedef struct kcom_async_awaitable {
    kcom_task_poll_fn *poll;
    void (*clear)(void *self);
    void *self;
} kcom_async_awaitable;

/* ---- events ---------------------------------------------------------------------------------------- */

struct kcom_async_event_await;

/*
 * A notification event (KeSetEvent on a NotificationEvent): set wakes every task awaiting it and
 * it stays set until reset. Embed it anywhere (all zeros, or KCOM_ASYNC_EVENT_INIT, is a valid
 * unset event); it allocates nothing. Its fields are kcom's: a spin lock built on kcom's atomics
 * guards a FIFO of the awaits registered on it.
 */
typedef struct kcom_async_event {
    LONG volatile lock;
    LONG volatile signaled;
    struct kcom_async_event_await *head;
    struct kcom_async_event_await *tail;
} kcom_async_event;

#define KCOM_ASYNC_EVENT_INIT {0, 0, NULL, NULL}

/* One task's wait on an event; embed it in the task's state. Fields are kcom's. */
typedef struct kcom_async_event_await {
    kcom_async_event *event;
    struct kcom_async_event_await *next;
    struct kcom_async_event_await *prev;
    kcom_waker waker;
    LONG volatile state; /* idle, registered (under the event's lock), taken by a set waking it, woken */
} kcom_async_event_await;

/* ---- ready values ------------------------------------------------------------------------------------ */

/*
 * A value already known, as an awaitable: READY at its first poll, with status and value as
 * given (for code written against awaitables, e.g. one branch of a select that a fast path has
 * already answered, or a cached result returned through the same await as a slow one). Embed it
 * anywhere; it holds nothing, and its clear does nothing.
 */
typedef struct kcom_async_ready {
    NTSTATUS status;
    ULONG64 value;
} kcom_async_ready;

KCOM_BEGIN_DECLS

/* kcom_async_ready_init - stores status and value. NULL is ignored. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_async_ready_init(_Out_opt_ kcom_async_ready *ready, _In_ NTSTATUS status, _In_ ULONG64 value);

/* kcom_async_ready_poll - READY, always; read ready->status and ready->value after. IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_poll_result kcom_async_ready_poll(_In_ kcom_async_ready *ready, _In_ kcom_task_context *cx);

KCOM_END_DECLS

/* ---- timers ------------------------------------------------------------------------------------------ */

/* The platform's timer (host: an entry of the timer thread; kernel: a KTIMER and a KDPC), opaque. */
typedef struct kcom_rt_timer {
    ULONG64 opaque[20];
} kcom_rt_timer;

/* A relative timer, one-shot or periodic. Fields other than status are kcom's. */
typedef struct kcom_async_timer {
    kcom_rt_timer platform;
    kcom_waker waker;        /* the awaiting task, while armed */
    LONG volatile state;     /* idle, armed, fired, expired */
    ULONG due_ms;
    ULONG period_ms;
    BOOLEAN started;         /* a periodic timer has a previous deadline */
    BOOLEAN bound;           /* the platform timer knows this address (from the first arm) */
    ULONG64 deadline_ms;     /* of the current or last arm (platform monotonic clock) */
    NTSTATUS status;         /* after READY: STATUS_SUCCESS, or why it could not be armed */
} kcom_async_timer;

/* ---- combinators ------------------------------------------------------------------------------------ */

/* First of two awaitables. After READY, winner is 0 or 1 (the other one was cleared). */
typedef struct kcom_async_select {
    kcom_async_awaitable awaitable[2];
    LONG winner; /* -1 until one is ready */
} kcom_async_select;

/* First of count awaitables, in an array the caller keeps in place until the clear. After READY,
 * winner is the index of the one that won (the others were cleared). */
typedef struct kcom_async_first_of {
    kcom_async_awaitable *awaitables;
    ULONG count;
    LONG winner; /* -1 until one is ready */
} kcom_async_first_of;

/* All of count awaitables, in an array the caller keeps in place until the clear: READY once each
 * has been READY, or (kcom_async_all_of_poll_next) one at a time as they become READY. An
 * awaitable's poll is set to NULL in the array once it is READY (it is not polled again; its clear
 * waits for the all_of's). */
typedef struct kcom_async_all_of {
    kcom_async_awaitable *awaitables;
    ULONG count;
    ULONG remaining; /* not READY yet */
    LONG last;       /* after kcom_async_all_of_poll_next: the index that became READY; -1 when it is
                        PENDING, or READY with none left */
} kcom_async_all_of;

/* An awaitable, or a timer if it takes longer (a select with a timer). */
typedef struct kcom_async_timeout {
    kcom_async_timer timer;
    kcom_async_select select;
    BOOLEAN timed_out; /* after READY: TRUE when the timer won (the awaitable was cleared) */
} kcom_async_timeout;

/* main, then cleanup; on a cancel of the task, main is dropped and cleanup still runs to its end. */
typedef struct kcom_async_try_finally {
    kcom_async_awaitable main;
    kcom_async_awaitable cleanup;
    LONG phase;         /* 0 main, 1 cleanup, 2 done */
    BOOLEAN canceled;   /* after READY: TRUE when main was dropped because the task was canceled */
} kcom_async_try_finally;

KCOM_BEGIN_DECLS

/* ---- events ---- */

/* kcom_async_event_init - an event, set (signaled TRUE) or not. Not while awaits are registered.
 * NULL is ignored. IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_event_init(_Out_opt_ kcom_async_event *event, _In_ BOOLEAN signaled);

/*
 * kcom_async_event_set - sets the event and wakes every task registered on it (each exactly once;
 * their awaits are READY even if the event is reset before they run). Tasks that register after
 * the set see a set event (until a reset). The wakes happen outside the event's lock, and the set
 * does not touch the event once it has taken the registered tasks, nor an await once it has woken
 * its task: a woken task's completion may free the storage of either before the set returns. A
 * task whose executor refuses the wake ends (its drop, then its completion callback) just before
 * the set returns, at the caller's IRQL.
 * IRQL: <= DISPATCH_LEVEL. Returns the previous state (TRUE: it was already set); FALSE for NULL,
 * which is ignored. Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN kcom_async_event_set(_Inout_opt_ kcom_async_event *event);

/* kcom_async_event_reset - unsets the event; registered tasks stay registered. IRQL: <=
 * DISPATCH_LEVEL. Returns the previous state; FALSE for NULL, which is ignored. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN kcom_async_event_reset(_Inout_opt_ kcom_async_event *event);

/* kcom_async_event_is_set - the state now (a snapshot); FALSE for NULL. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
BOOLEAN kcom_async_event_is_set(_In_opt_ kcom_async_event *event);

/* kcom_async_event_await_init - prepares *aw to await event, which must outlive the registration
 * (until kcom_async_event_await_clear or the wake: the await's poll and clear after a wake do not
 * touch the event); a NULL event is READY at once. A NULL aw is
 * ignored. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_async_event_await_init(_Out_opt_ kcom_async_event_await *aw, _In_opt_ kcom_async_event *event);

/*
 * kcom_async_event_await_poll - READY when the event is set, or was set since this await
 * registered; else PENDING with the task registered (once; later polls keep the registration).
 * After READY the await is unregistered and may be polled again (a new wait). A NULL event is
 * READY at once. IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_event_await_poll(_Inout_ kcom_async_event_await *aw, _In_ kcom_task_context *cx);

/* kcom_async_event_await_clear - unregisters and releases the waker; the await stays bound to its
 * event. A set that has taken the await wakes the task anyway, harmlessly: the clear waits (spins)
 * the few instructions until that set has let go of the await. After the wake it does not touch
 * the event, which may be gone. Safe on a zero-filled await and twice; NULL is ignored. IRQL: <=
 * DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_event_await_clear(_Inout_opt_ kcom_async_event_await *aw);

/* ---- timers ---- */

/*
 * kcom_async_timer_init - a timer due due_ms milliseconds after its first poll (it never fires
 * earlier; later by up to the platform's timer resolution, and less than a millisecond of the
 * clock's own rounding: docs/async.md, "Timers"; due_ms 0 too is armed by the first poll, which is
 * PENDING: READY comes at a poll after the fire); period_ms 0:
 * one-shot (READY for good once it fired), else periodic: READY once per period, the next period
 * being armed by the poll after a READY, counted from the previous deadline (periods that passed
 * meanwhile are skipped, not bunched). Not while armed. An initialized timer may be copied (into
 * kcom_async_spawn's initial state, say) until its first poll; from then it stays where it was
 * polled. NULL is ignored. IRQL: <= DISPATCH_LEVEL. Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_timer_init(_Out_opt_ kcom_async_timer *timer, _In_ ULONG due_ms, _In_ ULONG period_ms);

/*
 * kcom_async_timer_poll - arms the timer at the first poll (and, periodic, at the first poll after
 * each READY); PENDING until it fires, then READY with timer->status STATUS_SUCCESS. If it cannot
 * be armed, READY with timer->status STATUS_INSUFFICIENT_RESOURCES (host: no timer thread).
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_timer_poll(_Inout_ kcom_async_timer *timer, _In_ kcom_task_context *cx);

/*
 * kcom_async_timer_clear - cancels: never armed or expired, nothing to do; armed, the platform
 * timer is canceled and the waker released; if it is firing at that very moment, waits (spins) the
 * few instructions until the firing is done with *timer. Afterwards nothing refers to *timer and
 * a poll arms it again, due_ms from then. Safe on a zero-filled timer and twice; NULL is ignored.
 * IRQL: <= DISPATCH_LEVEL. Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_timer_clear(_Inout_opt_ kcom_async_timer *timer);

/* ---- adapters to kcom_async_awaitable ----
 * Each only stores the pointers: what it adapts is polled and cleared through the awaitable later. */

/* kcom_async_awaitable_of - an awaitable of poll and clear over self. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_awaitable_of(_In_ kcom_task_poll_fn *poll, _In_opt_ void (*clear)(void *self),
                                             _In_opt_ void *self);
/* kcom_async_event_awaitable - an event's await as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_event_awaitable(_In_ kcom_async_event_await *aw);
/* kcom_async_ready_awaitable - a ready value as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_ready_awaitable(_In_ kcom_async_ready *ready);
/* kcom_async_timer_awaitable - a timer as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_timer_awaitable(_In_ kcom_async_timer *timer);
/* kcom_async_operation_awaitable - an operation's await as an awaitable; its clear unregisters and
 * releases the operation and, with cancel TRUE, first cancels it (a select's losing operation is
 * then canceled, not just abandoned). IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_operation_awaitable(_In_ kcom_async_await *aw, _In_ BOOLEAN cancel);
/* kcom_async_select_awaitable - a select as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_select_awaitable(_In_ kcom_async_select *select);
/* kcom_async_first_of_awaitable - a first_of as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_first_of_awaitable(_In_ kcom_async_first_of *first);
/* kcom_async_all_of_awaitable - an all_of as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_all_of_awaitable(_In_ kcom_async_all_of *all);
/* kcom_async_timeout_awaitable - a timeout as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_timeout_awaitable(_In_ kcom_async_timeout *timeout);
/* kcom_async_try_finally_awaitable - a try/finally as an awaitable. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_async_awaitable kcom_async_try_finally_awaitable(_In_ kcom_async_try_finally *tf);

/* ---- select ---- */

/* kcom_async_select_init - the first of a and b (polled in that order at each poll, b only while a
 * is PENDING). NULL is ignored. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_async_select_init(_Out_opt_ kcom_async_select *select, _In_ kcom_async_awaitable a,
                            _In_ kcom_async_awaitable b);

/*
 * kcom_async_select_poll - polls a, then b; the first READY wins: select->winner is set (0 for a,
 * 1 for b), the other is cleared (unregistered, its timer canceled...), and the select is READY
 * from then on. Read the winner's outcome from the winner itself.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_select_poll(_Inout_ kcom_async_select *select, _In_ kcom_task_context *cx);

/* kcom_async_select_clear - clears both awaitables. Safe zero-filled and twice; NULL is ignored.
 * IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_select_clear(_Inout_opt_ kcom_async_select *select);

/* ---- first of, all of: any number of awaitables ---- */

/*
 * kcom_async_first_of_init - the first of count awaitables (polled in the array's order at each
 * poll, each only while those before it are PENDING: a select over any number). The array must
 * stay in place, and each awaitable's storage, until kcom_async_first_of_clear.
 * IRQL: any.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL first or awaitables, a count of 0 or
 * above 0x7FFFFFFF, or an awaitable without a poll function. On failure a non-NULL first is set
 * to nothing: its poll is READY at once with winner -1, and its clear does nothing (so is a
 * zero-filled one); the array is not taken over, so what its awaitables hold (an operation's
 * await, its reference) is for the caller to clear, each through its own clear.
 */
_IRQL_requires_max_(HIGH_LEVEL)
NTSTATUS kcom_async_first_of_init(_Out_ kcom_async_first_of *first,
                                  _Inout_updates_(count) kcom_async_awaitable *awaitables, _In_ ULONG count);

/*
 * kcom_async_first_of_poll - polls the awaitables in order; the first READY wins: first->winner
 * is set to its index, every other one is cleared at once (unregistered, its timer canceled, its
 * operation released, and canceled if its awaitable was made with cancel TRUE), and the first_of
 * is READY from then on. Read the winner's outcome from the winner itself.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_first_of_poll(_Inout_ kcom_async_first_of *first, _In_ kcom_task_context *cx);

/* kcom_async_first_of_clear - clears every awaitable not cleared yet (the winner included). Safe
 * zero-filled and twice; NULL is ignored. IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_first_of_clear(_Inout_opt_ kcom_async_first_of *first);

/*
 * kcom_async_all_of_init - all of count awaitables: each is polled until READY, then no more (its
 * poll is set to NULL in the array), and the all_of is READY once every one has been. The array
 * must stay in place, and each awaitable's storage, until kcom_async_all_of_clear.
 * IRQL: any.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL all or awaitables, a count of 0 or
 * above 0x7FFFFFFF, or an awaitable without a poll function. On failure a non-NULL all is set to
 * nothing: its poll is READY at once, and its clear does nothing (so is a zero-filled one); the
 * array is not taken over, so what its awaitables hold is for the caller to clear, each through
 * its own clear.
 */
_IRQL_requires_max_(HIGH_LEVEL)
NTSTATUS kcom_async_all_of_init(_Out_ kcom_async_all_of *all, _Inout_updates_(count) kcom_async_awaitable *awaitables,
                                _In_ ULONG count);

/*
 * kcom_async_all_of_poll - polls each awaitable that has not been READY yet, in the array's order;
 * READY when none is left (all->remaining is 0). Nothing is cleared here: read each outcome from
 * its awaitable, then clear the all_of. It waits for every one whatever their outcomes; to act on
 * each as it comes (and stop at the first failure), await kcom_async_all_of_poll_next instead.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_all_of_poll(_Inout_ kcom_async_all_of *all, _In_ kcom_task_context *cx);

/*
 * kcom_async_all_of_poll_next - READY as soon as one more awaitable has become READY: all->last is
 * its index (the first in the array's order, when several are), all->remaining counts the others;
 * READY with all->last -1 when none is left. Await it in a loop while all->remaining is not 0 to
 * take the outcomes one by one as they come; to stop early (the first failure), clear the all_of:
 * what is left is cleared, and operations awaited with cancel TRUE are canceled.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_all_of_poll_next(_Inout_ kcom_async_all_of *all, _In_ kcom_task_context *cx);

/* kcom_async_all_of_clear - clears every awaitable not cleared yet. Safe zero-filled and twice;
 * NULL is ignored. IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_all_of_clear(_Inout_opt_ kcom_async_all_of *all);

/* ---- timeout ---- */

/* kcom_async_timeout_init - awaitable, or timeout_ms milliseconds (counted from the first poll),
 * whichever comes first (timeout_ms 0 still arms a timer at the first poll: the awaitable wins if
 * it is READY before that timer fires, about a millisecond on). The awaitable's self must not move (it usually lives in the same state).
 * NULL is ignored. IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_timeout_init(_Out_opt_ kcom_async_timeout *timeout, _In_ kcom_async_awaitable awaitable,
                             _In_ ULONG timeout_ms);

/*
 * kcom_async_timeout_poll - READY when the awaitable is (timed_out FALSE; the timer was canceled)
 * or the time is up (timed_out TRUE; the awaitable was cleared). A timer that cannot be armed
 * counts as timed out at once (timeout->timer.status says why).
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_timeout_poll(_Inout_ kcom_async_timeout *timeout, _In_ kcom_task_context *cx);

/* kcom_async_timeout_clear - clears the awaitable and the timer. Safe zero-filled and twice; NULL
 * is ignored. IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_timeout_clear(_Inout_opt_ kcom_async_timeout *timeout);

/* ---- try_finally ---- */

/* kcom_async_try_finally_init - main, then cleanup. NULL is ignored. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_async_try_finally_init(_Out_opt_ kcom_async_try_finally *tf, _In_ kcom_async_awaitable main,
                                 _In_ kcom_async_awaitable cleanup);

/*
 * kcom_async_try_finally_poll - polls main until READY, then cleanup until READY. While main runs
 * it takes the task's cancellation request (kcom_task_take_cancellation_request): on a cancel,
 * main is cleared (dropped) and tf->canceled set, and cleanup runs instead, to its end (a cancel
 * cannot interrupt it: it arrives once). A main that is a try_finally itself
 * (kcom_async_try_finally_awaitable) is canceled the same way instead of dropped, so its cleanup
 * runs to its end before this one's. Each of main and cleanup is cleared as soon as it is READY
 * or dropped; cleanup is polled to READY exactly once. READY when cleanup is.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_poll_result kcom_async_try_finally_poll(_Inout_ kcom_async_try_finally *tf, _In_ kcom_task_context *cx);

/*
 * kcom_async_try_finally_clear - for the drop: clears main and cleanup. A task dropped without
 * polling (its executor shut down) never runs cleanup's poll: cleanup that must run in every
 * case belongs in the drop itself. Safe zero-filled and twice; NULL is ignored.
 * IRQL: <= DISPATCH_LEVEL. Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_async_try_finally_clear(_Inout_opt_ kcom_async_try_finally *tf);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_AWAITABLE_H */
