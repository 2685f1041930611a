/*
 * test_awaitables.c - kcom/awaitable.h: the event (set before and after the await, several
 * awaiters, reset, a set-then-reset pulse, a task dropped while registered), the timer (fires after
 * its due time, periodic, canceled before it fires, torn down never armed, armed and fired, with a
 * counting allocator showing nothing left), try_finally (with and without a cancel: cleanup runs
 * to its end exactly once), select (first wins, the loser unregistered or canceled), first_of and
 * all_of over arrays (the first of three wins; all of three in any order, each polled until it is
 * READY and no more; refused arguments) and timeout.
 * Event tests run on the manual executor; timer tests on the test pool (async_test_common.h: the
 * thread pool in user mode, where the timer thread wakes tasks; a work-item executor in the
 * kernel, where the timer's DPC does). Timings are checked loosely, never tightly.
 */
#include "async_test_common.h"

#include <kcom/runtime.h>

#include <kcom/awaitable.h>

#include <string.h>

static kcom_counting_allocator counter;
static manual_executor manual;

/* Initialized once, by the first test to run, not per test: the thread that wakes tasks (the
 * timer's, or a pool's) may still be inside the free of a test's last operation (a waker's final
 * release) when the next test begins; every test ends with nothing live. */
static void counter_once(void)
{
    static BOOLEAN ready;
    if (!ready) {
        kcom_counting_allocator_init(&counter, NULL);
        ready = TRUE;
    }
}

/* ---- the tasks -------------------------------------------------------------------------------------- */

/* A sub-task used as try_finally's cleanup: two yields, then done. */
typedef struct cleanup_state {
    KCOM_TASK_RESUME_POINT;
    LONG steps;
    LONG done;
    LONG drops;
    LONG finished_as; /* the how-manieth cleanup to finish (cleanups_finished) */
} cleanup_state;

static LONG cleanups_finished;

static kcom_poll_result cleanup_poll(void *p, kcom_task_context *cx)
{
    cleanup_state *s = (cleanup_state *)p;
    KCOM_TASK_BEGIN(s);
    s->steps++;
    KCOM_YIELD(cx);
    s->steps++;
    KCOM_YIELD(cx);
    s->done++;
    s->finished_as = ++cleanups_finished;
    KCOM_TASK_END(cx);
}

static void cleanup_clear(void *p)
{
    ((cleanup_state *)p)->drops++;
}

/* One state for every task below; the drop clears all of it (each clear is safe zero-filled). */
typedef struct aw_state {
    KCOM_TASK_RESUME_POINT;
    BOOLEAN canceled;
    ULONG ticks;
    kcom_async_event_await ev;
    kcom_async_event_await ev2;
    kcom_async_event_await ev3;
    kcom_async_ready ready;
    kcom_async_timer timer;
    kcom_async_await op;
    kcom_async_await op2;
    kcom_async_select select;
    kcom_async_awaitable array[3]; /* first's or all's */
    kcom_async_first_of first;
    kcom_async_all_of all;
    kcom_async_timeout timeout;
    kcom_async_try_finally tf;
    kcom_async_try_finally tf_inner; /* tf's main, nested */
    cleanup_state *cleanup; /* the test's: it outlives the task */
    LONG *drops;
} aw_state;

static void aw_drop(void *p)
{
    aw_state *s = (aw_state *)p;
    kcom_async_try_finally_clear(&s->tf);
    kcom_async_try_finally_clear(&s->tf_inner);
#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
    kcom_async_timeout_clear(&s->timeout);
    kcom_async_timer_clear(&s->timer);
#endif
    kcom_async_select_clear(&s->select);
    kcom_async_first_of_clear(&s->first);
    kcom_async_all_of_clear(&s->all);
    kcom_async_event_await_clear(&s->ev);
    kcom_async_event_await_clear(&s->ev2);
    kcom_async_event_await_clear(&s->ev3);
    kcom_async_await_clear(&s->op);
    kcom_async_await_clear(&s->op2);
    if (s->drops != NULL)
        kcom_atomic_fetch_add(s->drops, 1);
}

/* Awaits s->ev, or a cancel. Result 1. */
static kcom_poll_result event_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_event_await_poll(&s->ev, cx));
    if (s->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 1);
    KCOM_TASK_END(cx);
}

#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER /* the platform has a timer (kcom/awaitable.h) */
/* Awaits s->timer, or a cancel. Result 1 when it fired. */
static kcom_poll_result timer_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_timer_poll(&s->timer, cx));
    if (s->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->timer.status == STATUS_SUCCESS ? 1u : 0u);
    KCOM_TASK_END(cx);
}

/* Three periods of s->timer. Result: the ticks. */
static kcom_poll_result periodic_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    for (s->ticks = 0; s->ticks < 3; s->ticks++) {
        KCOM_AWAIT(kcom_async_timer_poll(&s->timer, cx));
        if (s->timer.status != STATUS_SUCCESS)
            KCOM_TASK_RETURN(cx, s->timer.status);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->ticks);
    KCOM_TASK_END(cx);
}

/* A periodic timer cleared after its first tick: the next poll arms it due_ms from then, as one
 * never armed, not a period after its old schedule. */
static kcom_poll_result periodic_cleared_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_timer_poll(&s->timer, cx));
    kcom_async_timer_clear(&s->timer);
    KCOM_AWAIT(kcom_async_timer_poll(&s->timer, cx));
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 2);
    KCOM_TASK_END(cx);
}

/* Arms s->timer (one poll), then waits for s->ev or a cancel: the timer is torn down by the drop
 * in whatever state it reached (armed, or fired and never polled again). */
static kcom_poll_result armed_then_event_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    (void)kcom_async_timer_poll(&s->timer, cx);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_event_await_poll(&s->ev, cx));
    KCOM_TASK_RETURN(cx, s->canceled ? STATUS_CANCELLED : STATUS_SUCCESS);
    KCOM_TASK_END(cx);
}

#endif

/* s->select. Result: the winner. */
static kcom_poll_result select_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_select_poll(&s->select, cx));
    KCOM_TASK_RETURN_VALUE(cx, ULONG, (ULONG)s->select.winner);
    KCOM_TASK_END(cx);
}

/* s->first, or a cancel. Result: the winner. */
static kcom_poll_result first_of_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_first_of_poll(&s->first, cx));
    if (s->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, (ULONG)s->first.winner);
    KCOM_TASK_END(cx);
}

static kcom_async_status status_of(IKcomAsyncOperation *op)
{
    kcom_async_status st = -1;
    (void)IKcomAsyncOperation_get_status(op, &st);
    return st;
}

/* Whether an operation's await ended with its operation in Error. */
static BOOLEAN await_failed(const kcom_async_await *aw)
{
    return (BOOLEAN)(aw->operation != NULL && status_of(aw->operation) == KCOM_ASYNC_ERROR);
}

/* s->all one at a time (s->array: s->op, s->ev, s->op2): s->ticks records the order, a digit per
 * awaitable (its index + 1); the first operation in Error ends the task with STATUS_UNSUCCESSFUL
 * after clearing the all_of. Result: s->ticks. */
static kcom_poll_result all_of_each_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    while (s->all.remaining != 0) {
        KCOM_AWAIT(kcom_async_all_of_poll_next(&s->all, cx));
        s->ticks = s->ticks * 10 + (ULONG)(s->all.last + 1);
        if ((s->all.last == 0 && await_failed(&s->op)) || (s->all.last == 2 && await_failed(&s->op2))) {
            kcom_async_all_of_clear(&s->all); /* what is left is canceled */
            KCOM_TASK_RETURN(cx, STATUS_UNSUCCESSFUL);
        }
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->ticks);
    KCOM_TASK_END(cx);
}

/* s->all, or a cancel (the drop then clears the all_of). Result: how many remained (0). */
static kcom_poll_result all_of_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_all_of_poll(&s->all, cx));
    if (s->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->all.remaining);
    KCOM_TASK_END(cx);
}

#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
/* s->timeout. Result: 1 when it timed out. */
static kcom_poll_result timeout_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_timeout_poll(&s->timeout, cx));
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->timeout.timed_out ? 1u : 0u);
    KCOM_TASK_END(cx);
}

#endif

/* s->tf. Canceled when main was dropped; else result 2. */
static kcom_poll_result try_finally_task(void *p, kcom_task_context *cx)
{
    aw_state *s = (aw_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_try_finally_poll(&s->tf, cx));
    if (s->tf.canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 2);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc event_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, event_task, aw_drop);
#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
static const kcom_async_task_desc timer_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, timer_task, aw_drop);
static const kcom_async_task_desc periodic_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, periodic_task, aw_drop);
static const kcom_async_task_desc periodic_cleared_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, periodic_cleared_task, aw_drop);
static const kcom_async_task_desc armed_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, armed_then_event_task, aw_drop);
#endif
static const kcom_async_task_desc select_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, select_task, aw_drop);
static const kcom_async_task_desc first_of_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, first_of_task, aw_drop);
static const kcom_async_task_desc all_of_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, all_of_task, aw_drop);
static const kcom_async_task_desc all_of_each_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, all_of_each_task, aw_drop);
#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
static const kcom_async_task_desc timeout_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, timeout_task, aw_drop);
#endif
static const kcom_async_task_desc try_finally_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, aw_state, try_finally_task, aw_drop);

/* Begins a task (not committed); the state is zero-filled. */
static aw_state *begin(const kcom_async_task_desc *desc, const kcom_executor *executor, LONG *drops,
                       IKcomAsyncOperation **op)
{
    aw_state *s = NULL;
    NTSTATUS status = kcom_async_spawn_begin(desc, executor, &counter.allocator, (void **)&s, op);
    ok(status == STATUS_SUCCESS && s != NULL, "spawn: %s\n", kcom_status_name(status));
    if (s != NULL)
        s->drops = drops;
    return s;
}

/* Live blocks once the pool has let go of its references (it releases its own after the
 * operation has finished, so a moment after block_on returns). */
static LONG live_settled(void)
{
    int i;
    for (i = 0; i < 2000 && kcom_counting_allocator_live(&counter) != 0; i++)
        test_sleep_ms(1);
    return kcom_counting_allocator_live(&counter);
}

static ULONG result_of(IKcomAsyncOperation *op)
{
    ULONG value = 0xdead;
    NTSTATUS status = IKcomAsyncOperation_get_result(op, &value);
    ok(status == STATUS_SUCCESS, "get_result: %s\n", kcom_status_name(status));
    return value;
}

/* ---- events ---------------------------------------------------------------------------------------- */

void kcom_test_async_event_set(void)
{
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *op;
    aw_state *s;
    LONG drops = 0;

    counter_once();
    manual_init(&manual);
    ok(!kcom_async_event_is_set(&event), "zero-filled: unset\n");

    /* set before: ready at the first poll */
    ok(kcom_async_event_set(&event) == FALSE, "set: was unset\n");
    ok(kcom_async_event_set(&event) == TRUE, "set again: was set\n");
    s = begin(&event_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1, "one poll\n");
    ok(status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 1, "completed at once\n");
    ok(event.head == NULL, "never registered\n");
    IKcomAsyncOperation_Release(op);

    /* set after: registered, then woken once */
    ok(kcom_async_event_reset(&event) == TRUE, "reset: was set\n");
    ok(kcom_async_event_reset(&event) == FALSE, "reset again: was unset\n");
    s = begin(&event_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED, "waiting\n");
    ok(event.head == &s->ev && event.tail == &s->ev, "registered\n");
    ok(manual_queued(&manual) == 0, "not queued while waiting\n");
    (void)kcom_async_event_set(&event);
    ok(manual_queued(&manual) == 1, "the set woke it\n");
    ok(event.head == NULL && event.tail == NULL, "unregistered by the set\n");
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_COMPLETED, "completed\n");
    IKcomAsyncOperation_Release(op);
    ok(drops == 2, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

void kcom_test_async_event_several(void)
{
    kcom_async_event event;
    IKcomAsyncOperation *ops[4];
    aw_state *s;
    LONG drops = 0;
    int i, completed = 0;

    counter_once();
    manual_init(&manual);
    kcom_async_event_init(&event, FALSE);
    for (i = 0; i < 4; i++) {
        s = begin(&event_desc, &manual.executor, &drops, &ops[i]);
        kcom_async_event_await_init(&s->ev, &event);
        (void)kcom_async_spawn_commit(ops[i]);
    }
    ok(manual_run(&manual) == 4, "four first polls\n");
    /* a pulse: set then reset before any of them runs wakes all of them (notification semantics) */
    (void)kcom_async_event_set(&event);
    (void)kcom_async_event_reset(&event);
    ok(manual_queued(&manual) == 4, "every awaiter woken: %ld\n", (long)manual_queued(&manual));
    ok(manual_run(&manual) == 4, "four polls\n");
    for (i = 0; i < 4; i++) {
        completed += status_of(ops[i]) == KCOM_ASYNC_COMPLETED;
        IKcomAsyncOperation_Release(ops[i]);
    }
    ok(completed == 4, "all completed though reset: %d\n", completed);

    /* after the reset a new awaiter waits again; a repeated set does not wake it twice */
    s = begin(&event_desc, &manual.executor, &drops, &ops[0]);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(ops[0]);
    ok(manual_run(&manual) == 1 && status_of(ops[0]) == KCOM_ASYNC_STARTED, "waits after the reset\n");
    (void)kcom_async_event_set(&event);
    (void)kcom_async_event_set(&event);
    ok(manual_queued(&manual) == 1, "queued once\n");
    ok(manual_run(&manual) == 1 && status_of(ops[0]) == KCOM_ASYNC_COMPLETED, "completed\n");
    IKcomAsyncOperation_Release(ops[0]);
    ok(drops == 5, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

void kcom_test_async_event_dropped(void)
{
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *a, *b, *c;
    aw_state *s;
    LONG drops = 0;

    counter_once();
    manual_init(&manual);
    s = begin(&event_desc, &manual.executor, &drops, &a);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(a);
    s = begin(&event_desc, &manual.executor, &drops, &b);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(b);
    s = begin(&event_desc, &manual.executor, &drops, &c);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(c);
    ok(manual_run(&manual) == 3, "three registered\n");

    /* the middle one is canceled: its drop unregisters it; the others stay */
    ok(IKcomAsyncOperation_cancel(b) == STATUS_SUCCESS, "cancel\n");
    IKcomAsyncOperation_Release(b); /* the registration's reference keeps it until its drop */
    ok(manual_run(&manual) == 1, "the canceled task ran\n");
    ok(drops == 1, "dropped: %ld\n", (long)drops);
    ok(event.head != NULL && event.head->next == event.tail && event.tail->prev == event.head,
       "two left, linked to each other\n");

    /* a task released by everyone but its registration lives until the set wakes it */
    IKcomAsyncOperation_Release(c);
    ok(kcom_counting_allocator_live(&counter) == 2, "two tasks alive: %ld\n", (long)kcom_counting_allocator_live(&counter));

    /* the executor refuses the woken tasks: each is dropped (its drop clears a woken await) */
    manual.refuse = STATUS_INVALID_DEVICE_STATE;
    (void)kcom_async_event_set(&event);
    ok(manual_queued(&manual) == 0, "nothing queued\n");
    ok(event.head == NULL, "nothing registered\n");
    ok(status_of(a) == KCOM_ASYNC_ERROR, "refused: Error\n");
    ok(drops == 3, "drops: %ld\n", (long)drops);
    IKcomAsyncOperation_Release(a);
    ok(live_settled() == 0, "nothing left\n");
}

/* The event in storage its awaiting tasks' completion frees (a request that ends with its last
 * task): the set wakes both; the executor refuses them, so each task's drop and completion
 * callback run within the set, and the last callback frees the event. The set must not touch it
 * after that (ASan and valgrind see it; a plain build passes either way). */
typedef struct event_owner {
    kcom_async_event event;
    LONG tasks;
} event_owner;

static void owner_task_done(IKcomAsyncOperation *op, kcom_async_status status, void *context)
{
    event_owner *owner = (event_owner *)context;
    (void)op;
    (void)status;
    if (--owner->tasks == 0)
        kcom_free(&counter.allocator, owner, sizeof(*owner), KCOM_ALIGNOF(event_owner));
}

void kcom_test_async_event_freed_by_wake(void)
{
    event_owner *owner;
    IKcomAsyncOperation *ops[2];
    aw_state *s;
    LONG drops = 0;
    int i;

    counter_once();
    manual_init(&manual);
    owner = (event_owner *)kcom_allocate(&counter.allocator, sizeof(*owner), KCOM_ALIGNOF(event_owner));
    if (owner == NULL) {
        ok(FALSE, "no memory for the event's owner\n");
        return;
    }
    kcom_async_event_init(&owner->event, FALSE);
    owner->tasks = 2;
    for (i = 0; i < 2; i++) {
        s = begin(&event_desc, &manual.executor, &drops, &ops[i]);
        kcom_async_event_await_init(&s->ev, &owner->event);
        ok(IKcomAsyncOperation_set_completed(ops[i], owner_task_done, owner) == STATUS_SUCCESS, "callback\n");
        (void)kcom_async_spawn_commit(ops[i]);
    }
    ok(manual_run(&manual) == 2, "both registered\n");
    manual.refuse = STATUS_INVALID_DEVICE_STATE;
    for (i = 0; i < 2; i++)
        IKcomAsyncOperation_Release(ops[i]); /* the registrations' references keep them */
    ok(kcom_async_event_set(&owner->event) == FALSE, "set\n");
    ok(drops == 2, "both dropped: %ld\n", (long)drops);
    ok(live_settled() == 0, "the tasks and the owner freed\n");
}

void kcom_test_async_event_threads(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *ops[8];
    aw_state *s;
    LONG drops = 0;
    int i, completed = 0, round;

    counter_once();
    if (!test_pool_start(2, &pool, &executor))
        return;
    for (round = 0; round < 20; round++) {
        (void)kcom_async_event_reset(&event);
        for (i = 0; i < 8; i++) {
            s = begin(&event_desc, executor, &drops, &ops[i]);
            kcom_async_event_await_init(&s->ev, &event);
            (void)kcom_async_spawn_commit(ops[i]);
            if (i == 4 + round % 4)
                (void)kcom_async_event_set(&event); /* while the pool registers the others */
        }
        for (i = 0; i < 8; i++) {
            ok(kcom_async_block_on(ops[i], 5000) == STATUS_SUCCESS, "finished\n");
            completed += status_of(ops[i]) == KCOM_ASYNC_COMPLETED;
            IKcomAsyncOperation_Release(ops[i]);
        }
    }
    ok(completed == 160, "completed: %d\n", completed);
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shutdown\n");
    ok(event.head == NULL, "nothing registered\n");
    ok(drops == 160, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
/* ---- timers ---------------------------------------------------------------------------------------- */

void kcom_test_async_timer_fires(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *op;
    aw_state *s;
    LONG drops = 0;
    ULONG64 start, elapsed;
    int i;

    counter_once();
    if (!test_pool_start(1, &pool, &executor))
        return;

    /* one-shot */
    s = begin(&timer_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 30, 0);
    start = test_now_ms();
    (void)kcom_async_spawn_commit(op);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS, "finished\n");
    elapsed = test_now_ms() - start;
    ok(status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 1, "fired\n");
    ok(elapsed >= 25, "not before its due time: %lu ms\n", (unsigned long)elapsed);
    IKcomAsyncOperation_Release(op);

    /* never before its due time, measured in microseconds: a clock counting whole milliseconds (or
     * coarser ticks) makes a deadline computed from it early by up to one unit */
    for (i = 0; i < 20; i++) {
        ULONG64 start_us, elapsed_us;
        s = begin(&timer_desc, executor, &drops, &op);
        kcom_async_timer_init(&s->timer, 2, 0);
        start_us = test_now_us();
        (void)kcom_async_spawn_commit(op);
        ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && result_of(op) == 1, "fired\n");
        elapsed_us = test_now_us() - start_us;
        ok(elapsed_us >= 2000, "a 2 ms timer fired after %lu us\n", (unsigned long)elapsed_us);
        IKcomAsyncOperation_Release(op);
    }

    /* zero: due at once, still through the timer thread */
    s = begin(&timer_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 0, 0);
    (void)kcom_async_spawn_commit(op);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && result_of(op) == 1, "zero fired\n");
    IKcomAsyncOperation_Release(op);

    /* initialized elsewhere and copied into the state, as kcom_async_spawn's initial state is:
     * the timer is bound to where it is polled */
    {
        kcom_async_timer prepared;
        s = begin(&timer_desc, executor, &drops, &op);
        kcom_async_timer_init(&prepared, 5, 0);
        memcpy(&s->timer, &prepared, sizeof(prepared));
        memset(&prepared, 0xa5, sizeof(prepared)); /* gone */
        (void)kcom_async_spawn_commit(op);
        ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && result_of(op) == 1, "a copied timer fired\n");
        IKcomAsyncOperation_Release(op);
    }

    /* periodic: three periods */
    s = begin(&periodic_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 10, 10);
    start = test_now_ms();
    (void)kcom_async_spawn_commit(op);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS, "finished\n");
    elapsed = test_now_ms() - start;
    ok(status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 3, "three ticks\n");
    ok(elapsed >= 25, "three periods take time: %lu ms\n", (unsigned long)elapsed);
    IKcomAsyncOperation_Release(op);

    /* periodic, cleared after its first tick: the second tick is its due time after the clear */
    s = begin(&periodic_cleared_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 100, 5);
    start = test_now_ms();
    (void)kcom_async_spawn_commit(op);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && result_of(op) == 2, "two ticks\n");
    elapsed = test_now_ms() - start;
    ok(elapsed >= 200, "due time, clear, due time again: %lu ms\n", (unsigned long)elapsed);
    IKcomAsyncOperation_Release(op);

    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shutdown\n");
    ok(drops == 25, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

/* kcom_uninitialize with a timer armed: refused with a status on every target, nothing stopped;
 * once the timer is cleared it goes through, and kcom starts again; after a timer fired it goes
 * through at once. */
void kcom_test_async_timer_uninitialize(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *op;
    aw_state *s;
    LONG drops = 0;
    NTSTATUS status;

    counter_once();
    if (!test_pool_start(1, &pool, &executor))
        return;
    s = begin(&timer_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 60000, 0);
    (void)kcom_async_spawn_commit(op);
    test_sleep_ms(20);
    status = kcom_uninitialize();
    ok(status == STATUS_INVALID_DEVICE_STATE, "a timer armed: %s\n", kcom_status_name(status));
    ok(status_of(op) == KCOM_ASYNC_STARTED, "its task still waits\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && status_of(op) == KCOM_ASYNC_CANCELED, "canceled\n");
    IKcomAsyncOperation_Release(op);
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shutdown\n");
    status = kcom_uninitialize();
    ok(status == STATUS_SUCCESS, "nothing armed: %s\n", kcom_status_name(status));
    ok(kcom_initialize() == STATUS_SUCCESS, "and again\n");
    ok(drops == 1 && live_settled() == 0, "nothing left\n");

    /* right after a task finished by its timer: the timer's callback, which woke the task, may
     * still be returning; kcom_uninitialize waits for it instead of refusing */
    {
        int i, succeeded = 0;
        for (i = 0; i < 20; i++) {
            if (!test_pool_start(1, &pool, &executor))
                return;
            s = begin(&timer_desc, executor, &drops, &op);
            kcom_async_timer_init(&s->timer, 1, 0);
            (void)kcom_async_spawn_commit(op);
            (void)kcom_async_block_on(op, 5000);
            IKcomAsyncOperation_Release(op);
            (void)test_pool_shutdown(pool, 5000);
            succeeded += kcom_uninitialize() == STATUS_SUCCESS;
            (void)kcom_initialize();
        }
        ok(succeeded == 20, "kcom_uninitialize after a fired timer: %d of 20\n", succeeded);
        ok(drops == 21 && live_settled() == 0, "nothing left\n");
    }
}

void kcom_test_async_timer_teardown(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *op;
    aw_state *s;
    LONG drops = 0;
    ULONG64 start, elapsed;

    counter_once();
    if (!test_pool_start(1, &pool, &executor))
        return;

    /* canceled before it fires: a 10 s timer, the task canceled at once */
    s = begin(&timer_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 10000, 0);
    start = test_now_ms();
    (void)kcom_async_spawn_commit(op);
    test_sleep_ms(5);
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS, "finished\n");
    elapsed = test_now_ms() - start;
    ok(status_of(op) == KCOM_ASYNC_CANCELED, "canceled\n");
    ok(elapsed < 5000, "long before the timer: %lu ms\n", (unsigned long)elapsed);
    IKcomAsyncOperation_Release(op);
    ok(drops == 1 && live_settled() == 0, "armed: canceled and released\n");

    /* never armed: begun, initialized, released without a poll */
    s = begin(&timer_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 10, 0);
    IKcomAsyncOperation_Release(op);
    ok(drops == 2 && kcom_counting_allocator_live(&counter) == 0, "never armed: released\n");

    /* armed, torn down by the drop while the task waits on something else */
    s = begin(&armed_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 10000, 0);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(op);
    test_sleep_ms(5);
    (void)IKcomAsyncOperation_cancel(op);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && status_of(op) == KCOM_ASYNC_CANCELED, "canceled\n");
    IKcomAsyncOperation_Release(op);
    ok(drops == 3 && live_settled() == 0, "armed: cleared by the drop\n");

    /* fired, never polled again: the drop clears a fired timer */
    s = begin(&armed_desc, executor, &drops, &op);
    kcom_async_timer_init(&s->timer, 1, 0);
    kcom_async_event_await_init(&s->ev, &event);
    (void)kcom_async_spawn_commit(op);
    test_sleep_ms(50);
    ok(status_of(op) == KCOM_ASYNC_STARTED, "still waiting for the event\n");
    (void)kcom_async_event_set(&event);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && status_of(op) == KCOM_ASYNC_COMPLETED, "completed\n");
    IKcomAsyncOperation_Release(op);
    ok(drops == 4 && live_settled() == 0, "fired: released\n");

    /* a timer racing its cancel, many times (the clear that loses waits for the callback) */
    {
        int i, finished = 0;
        for (i = 0; i < 200; i++) {
            s = begin(&timer_desc, executor, &drops, &op);
            kcom_async_timer_init(&s->timer, (ULONG)(i % 3), 0);
            (void)kcom_async_spawn_commit(op);
            if (i % 2)
                test_sleep_ms(1);
            (void)IKcomAsyncOperation_cancel(op);
            finished += kcom_async_block_on(op, 5000) == STATUS_SUCCESS;
            IKcomAsyncOperation_Release(op);
        }
        ok(finished == 200, "all finished: %d\n", finished);
    }
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shutdown\n");
    ok(drops == 204, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

#endif

/* ---- try_finally ------------------------------------------------------------------------------------ */

void kcom_test_async_try_finally(void)
{
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    cleanup_state cleanup;
    IKcomAsyncOperation *op;
    aw_state *s;
    LONG drops = 0;

    counter_once();
    manual_init(&manual);

    /* without a cancel: main, then cleanup */
    memset(&cleanup, 0, sizeof(cleanup));
    s = begin(&try_finally_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &event);
    kcom_async_try_finally_init(&s->tf, kcom_async_event_awaitable(&s->ev),
                                kcom_async_awaitable_of(cleanup_poll, cleanup_clear, &cleanup));
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED, "main waits\n");
    ok(cleanup.steps == 0, "cleanup not started\n");
    (void)kcom_async_event_set(&event);
    ok(manual_run(&manual) == 3, "main ends, cleanup yields twice\n");
    ok(status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 2, "completed\n");
    ok(cleanup.done == 1 && cleanup.steps == 2, "cleanup ran to its end once: %ld\n", (long)cleanup.done);
    ok(!s->tf.canceled, "not canceled\n");
    IKcomAsyncOperation_Release(op);
    ok(cleanup.drops == 1, "cleanup cleared once: %ld\n", (long)cleanup.drops);

    /* with a cancel: main (an event never set) is dropped, cleanup runs to its end */
    (void)kcom_async_event_reset(&event);
    memset(&cleanup, 0, sizeof(cleanup));
    s = begin(&try_finally_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &event);
    kcom_async_try_finally_init(&s->tf, kcom_async_event_awaitable(&s->ev),
                                kcom_async_awaitable_of(cleanup_poll, cleanup_clear, &cleanup));
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && event.head == &s->ev, "main registered\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(manual_run(&manual) == 3, "cleanup polled to its end\n");
    ok(event.head == NULL, "main dropped: unregistered\n");
    ok(s->tf.canceled, "tf saw the cancel\n");
    ok(cleanup.done == 1 && cleanup.steps == 2, "cleanup ran to its end once\n");
    ok(status_of(op) == KCOM_ASYNC_CANCELED, "canceled\n");
    IKcomAsyncOperation_Release(op);
    ok(cleanup.done == 1 && cleanup.drops == 1, "nothing more at the drop\n");
    ok(drops == 2, "drops: %ld\n", (long)drops);

    /* nested (the main of tf a try_finally too), with a cancel: the inner one is canceled rather
     * than dropped, its cleanup runs to its end, then the outer cleanup does */
    (void)kcom_async_event_reset(&event);
    {
        cleanup_state inner;
        memset(&cleanup, 0, sizeof(cleanup));
        memset(&inner, 0, sizeof(inner));
        s = begin(&try_finally_desc, &manual.executor, &drops, &op);
        kcom_async_event_await_init(&s->ev, &event);
        kcom_async_try_finally_init(&s->tf_inner, kcom_async_event_awaitable(&s->ev),
                                    kcom_async_awaitable_of(cleanup_poll, cleanup_clear, &inner));
        kcom_async_try_finally_init(&s->tf, kcom_async_try_finally_awaitable(&s->tf_inner),
                                    kcom_async_awaitable_of(cleanup_poll, cleanup_clear, &cleanup));
        (void)kcom_async_spawn_commit(op);
        ok(manual_run(&manual) == 1 && event.head == &s->ev, "inner main registered\n");
        ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
        ok(manual_run(&manual) == 5, "both cleanups polled to their ends\n");
        ok(event.head == NULL, "inner main dropped: unregistered\n");
        ok(s->tf.canceled && s->tf_inner.canceled, "both saw the cancel: %d %d\n", s->tf.canceled,
           s->tf_inner.canceled);
        ok(inner.done == 1 && inner.steps == 2 && cleanup.done == 1 && cleanup.steps == 2,
           "each cleanup ran to its end once: %ld %ld\n", (long)inner.done, (long)cleanup.done);
        ok(inner.finished_as != 0 && inner.finished_as < cleanup.finished_as, "the inner cleanup first\n");
        ok(status_of(op) == KCOM_ASYNC_CANCELED, "canceled\n");
        IKcomAsyncOperation_Release(op);
        ok(inner.drops == 1 && cleanup.drops == 1, "each cleanup cleared once: %ld %ld\n", (long)inner.drops,
           (long)cleanup.drops);
    }
    ok(drops == 3, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

/* ---- select and timeout ----------------------------------------------------------------------------- */

void kcom_test_async_select(void)
{
    kcom_async_event a = KCOM_ASYNC_EVENT_INIT, b = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *op, *source;
    aw_state *s;
    LONG drops = 0;
    ULONG value = 0;

    counter_once();
    manual_init(&manual);

    /* b first: a is unregistered */
    s = begin(&select_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &a);
    kcom_async_event_await_init(&s->ev2, &b);
    kcom_async_select_init(&s->select, kcom_async_event_awaitable(&s->ev), kcom_async_event_awaitable(&s->ev2));
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && a.head == &s->ev && b.head == &s->ev2, "both registered\n");
    (void)kcom_async_event_set(&b);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_COMPLETED, "completed\n");
    ok(result_of(op) == 1, "b won\n");
    ok(a.head == NULL && b.head == NULL, "the loser unregistered\n");
    (void)kcom_async_event_set(&a); /* wakes nothing */
    ok(manual_queued(&manual) == 0, "the loser is not woken\n");
    IKcomAsyncOperation_Release(op);

    /* both ready: the first one wins */
    s = begin(&select_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &a);
    kcom_async_event_await_init(&s->ev2, &b);
    kcom_async_select_init(&s->select, kcom_async_event_awaitable(&s->ev), kcom_async_event_awaitable(&s->ev2));
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && result_of(op) == 0, "a won\n");
    IKcomAsyncOperation_Release(op);

    /* an operation loses to an event: it is canceled (cancel TRUE) and released */
    (void)kcom_async_event_reset(&b);
    ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &source) == STATUS_SUCCESS, "source\n");
    IKcomAsyncOperation_AddRef(source); /* ours; the await takes the creation's */
    s = begin(&select_desc, &manual.executor, &drops, &op);
    kcom_async_await_init(&s->op, source);
    kcom_async_event_await_init(&s->ev2, &b);
    kcom_async_select_init(&s->select, kcom_async_operation_awaitable(&s->op, TRUE),
                           kcom_async_event_awaitable(&s->ev2));
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED, "waiting on both\n");
    (void)kcom_async_event_set(&b);
    ok(manual_run(&manual) == 1 && result_of(op) == 1, "the event won\n");
    ok(status_of(source) == KCOM_ASYNC_CANCELED, "the losing operation was canceled\n");
    ok(s->op.operation == NULL, "and released by the await\n");
    ok(kcom_async_operation_complete(source, &value) == STATUS_CANCELLED, "its producer ends it\n");
    IKcomAsyncOperation_Release(source);
    IKcomAsyncOperation_Release(op);
    ok(drops == 3, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

/* ---- first of, all of -------------------------------------------------------------------------------- */

/* An awaitable that counts its polls and clears, and is READY once its ready is set. */
typedef struct counted_awaitable {
    LONG polls;
    LONG clears;
    BOOLEAN ready;
} counted_awaitable;

static kcom_poll_result counted_poll(void *self, kcom_task_context *cx)
{
    counted_awaitable *c = (counted_awaitable *)self;
    (void)cx;
    c->polls++;
    return c->ready ? KCOM_POLL_READY : KCOM_POLL_PENDING;
}

static void counted_clear(void *self)
{
    ((counted_awaitable *)self)->clears++;
}

/* The refusals of both inits: the struct left as nothing to wait for (READY at once, a clear that
 * does nothing), so that a poll whose init status nobody checked cannot hang. */
static void array_inits_refused(void)
{
    kcom_async_awaitable array[2];
    kcom_async_first_of first;
    kcom_async_all_of all;
    counted_awaitable c = {0, 0, FALSE};
    array[0] = kcom_async_awaitable_of(counted_poll, counted_clear, &c);
    array[1] = kcom_async_awaitable_of(NULL, counted_clear, &c);
    ok(kcom_async_first_of_init(NULL, array, 1) == STATUS_INVALID_PARAMETER, "first_of: NULL struct\n");
    ok(kcom_async_all_of_init(NULL, array, 1) == STATUS_INVALID_PARAMETER, "all_of: NULL struct\n");
    ok(kcom_async_first_of_init(&first, NULL, 1) == STATUS_INVALID_PARAMETER && first.count == 0 &&
           kcom_async_first_of_poll(&first, NULL) == KCOM_POLL_READY && first.winner == -1,
       "first_of: NULL array, READY at once with no winner\n");
    ok(kcom_async_first_of_init(&first, array, 0) == STATUS_INVALID_PARAMETER, "first_of: count 0\n");
    ok(kcom_async_first_of_init(&first, array, 0x80000000u) == STATUS_INVALID_PARAMETER,
       "first_of: a count the winner cannot hold\n");
    ok(kcom_async_first_of_init(&first, array, 2) == STATUS_INVALID_PARAMETER,
       "first_of: an awaitable without a poll\n");
    kcom_async_first_of_clear(&first);
    ok(kcom_async_all_of_init(&all, array, 0) == STATUS_INVALID_PARAMETER &&
           kcom_async_all_of_poll(&all, NULL) == KCOM_POLL_READY,
       "all_of: count 0, READY at once\n");
    ok(kcom_async_all_of_init(&all, NULL, 2) == STATUS_INVALID_PARAMETER, "all_of: NULL array\n");
    ok(kcom_async_all_of_init(&all, array, 2) == STATUS_INVALID_PARAMETER, "all_of: an awaitable without a poll\n");
    kcom_async_all_of_clear(&all);
    kcom_async_first_of_clear(NULL);
    kcom_async_all_of_clear(NULL);
    memset(&first, 0, sizeof(first));
    memset(&all, 0, sizeof(all));
    ok(kcom_async_first_of_poll(&first, NULL) == KCOM_POLL_READY && first.winner == -1 &&
           kcom_async_all_of_poll(&all, NULL) == KCOM_POLL_READY,
       "zero-filled: READY at once, no winner\n");
    kcom_async_first_of_clear(&first);
    kcom_async_all_of_clear(&all);
    ok(c.polls == 0 && c.clears == 0, "a refused init polls and clears nothing: %ld %ld\n", (long)c.polls,
       (long)c.clears);
}

/* A first_of task over three event awaits on a, b and c (begun, not committed). */
static aw_state *begin_first_of_three(kcom_async_event *a, kcom_async_event *b, kcom_async_event *c, LONG *drops,
                                      IKcomAsyncOperation **op)
{
    aw_state *s = begin(&first_of_desc, &manual.executor, drops, op);
    if (s == NULL)
        return NULL;
    kcom_async_event_await_init(&s->ev, a);
    kcom_async_event_await_init(&s->ev2, b);
    kcom_async_event_await_init(&s->ev3, c);
    s->array[0] = kcom_async_event_awaitable(&s->ev);
    s->array[1] = kcom_async_event_awaitable(&s->ev2);
    s->array[2] = kcom_async_event_awaitable(&s->ev3);
    ok(kcom_async_first_of_init(&s->first, s->array, 3) == STATUS_SUCCESS, "first_of_init\n");
    return s;
}

/* Two new completion sources with a ULONG result, each with a reference for the caller and one
 * for the await that will take it over. */
static void two_sources(IKcomAsyncOperation **first, IKcomAsyncOperation **second)
{
    ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, first) == STATUS_SUCCESS &&
           kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, second) == STATUS_SUCCESS,
       "sources\n");
    if (*first != NULL)
        IKcomAsyncOperation_AddRef(*first);
    if (*second != NULL)
        IKcomAsyncOperation_AddRef(*second);
}

/* An all_of task over two new completion sources' awaits, both with cancel TRUE (begun, not
 * committed); *first and *second keep a reference of the caller's. */
static aw_state *begin_all_of_two_sources(IKcomAsyncOperation **first, IKcomAsyncOperation **second, LONG *drops,
                                          IKcomAsyncOperation **op)
{
    aw_state *s;
    two_sources(first, second);
    s = begin(&all_of_desc, &manual.executor, drops, op);
    if (s == NULL)
        return NULL;
    kcom_async_await_init(&s->op, *first);
    kcom_async_await_init(&s->op2, *second);
    s->array[0] = kcom_async_operation_awaitable(&s->op, TRUE);
    s->array[1] = kcom_async_operation_awaitable(&s->op2, TRUE);
    ok(kcom_async_all_of_init(&s->all, s->array, 2) == STATUS_SUCCESS, "all_of_init\n");
    return s;
}

void kcom_test_async_first_of(void)
{
    kcom_async_event a = KCOM_ASYNC_EVENT_INIT, b = KCOM_ASYNC_EVENT_INIT, c = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *op, *kept = NULL, *abandoned = NULL;
    aw_state *s;
    LONG drops = 0;
    ULONG value = 0;

    counter_once();
    manual_init(&manual);
    array_inits_refused();

    /* the third of three first: the other two unregistered, never woken */
    s = begin_first_of_three(&a, &b, &c, &drops, &op);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && a.head == &s->ev && b.head == &s->ev2 && c.head == &s->ev3, "all registered\n");
    (void)kcom_async_event_set(&c);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 2, "the third won\n");
    ok(a.head == NULL && b.head == NULL, "the losers unregistered\n");
    (void)kcom_async_event_set(&a);
    (void)kcom_async_event_set(&b);
    ok(manual_queued(&manual) == 0, "the losers are not woken\n");
    IKcomAsyncOperation_Release(op);

    /* all three ready: the first in the array wins, at the first poll */
    s = begin_first_of_three(&a, &b, &c, &drops, &op);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && result_of(op) == 0, "the first won\n");
    IKcomAsyncOperation_Release(op);

    /* two operations lose to an event: the one awaited with cancel TRUE is canceled, the other
     * only released; both left with their producers */
    (void)kcom_async_event_reset(&c);
    ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &kept) == STATUS_SUCCESS &&
           kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &abandoned) == STATUS_SUCCESS,
       "sources\n");
    IKcomAsyncOperation_AddRef(kept); /* ours; the awaits take the creations' */
    IKcomAsyncOperation_AddRef(abandoned);
    s = begin(&first_of_desc, &manual.executor, &drops, &op);
    kcom_async_await_init(&s->op, kept);
    kcom_async_await_init(&s->op2, abandoned);
    kcom_async_event_await_init(&s->ev3, &c);
    s->array[0] = kcom_async_operation_awaitable(&s->op, TRUE);
    s->array[1] = kcom_async_operation_awaitable(&s->op2, FALSE);
    s->array[2] = kcom_async_event_awaitable(&s->ev3);
    (void)kcom_async_first_of_init(&s->first, s->array, 3);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED, "waiting on all three\n");
    (void)kcom_async_event_set(&c);
    ok(manual_run(&manual) == 1 && result_of(op) == 2, "the event won\n");
    ok(status_of(kept) == KCOM_ASYNC_CANCELED, "the operation awaited with cancel TRUE was canceled\n");
    ok(status_of(abandoned) == KCOM_ASYNC_STARTED, "the other was not\n");
    ok(s->op.operation == NULL && s->op2.operation == NULL, "both released by their awaits\n");
    ok(kcom_async_operation_complete(kept, &value) == STATUS_CANCELLED, "its producer ends the canceled one\n");
    ok(kcom_async_operation_complete(abandoned, &value) == STATUS_SUCCESS, "and completes the other\n");
    IKcomAsyncOperation_Release(kept);
    IKcomAsyncOperation_Release(abandoned);
    IKcomAsyncOperation_Release(op);

    /* a first_of inside a select, as an awaitable: the select's other side wins, and the first_of's
     * three are cleared with it */
    (void)kcom_async_event_reset(&a);
    (void)kcom_async_event_reset(&b);
    (void)kcom_async_event_reset(&c);
    s = begin(&select_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &a);
    kcom_async_event_await_init(&s->ev2, &b);
    kcom_async_ready_init(&s->ready, STATUS_SUCCESS, 0);
    s->array[0] = kcom_async_event_awaitable(&s->ev);
    s->array[1] = kcom_async_event_awaitable(&s->ev2);
    (void)kcom_async_first_of_init(&s->first, s->array, 2);
    kcom_async_select_init(&s->select, kcom_async_first_of_awaitable(&s->first), kcom_async_ready_awaitable(&s->ready));
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && result_of(op) == 1, "the ready value won over the first_of\n");
    ok(a.head == NULL && b.head == NULL && s->array[0].clear == NULL && s->array[1].clear == NULL,
       "the first_of's awaitables were cleared\n");
    IKcomAsyncOperation_Release(op);

    /* canceled while waiting: the drop clears the three */
    s = begin_first_of_three(&a, &b, &c, &drops, &op);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1, "waiting\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS && manual_run(&manual) == 1 &&
           status_of(op) == KCOM_ASYNC_CANCELED,
       "canceled\n");
    ok(a.head == NULL && b.head == NULL && c.head == NULL, "all three unregistered\n");
    IKcomAsyncOperation_Release(op);

    ok(drops == 5, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

void kcom_test_async_all_of(void)
{
    kcom_async_event a = KCOM_ASYNC_EVENT_INIT, b = KCOM_ASYNC_EVENT_INIT;
    counted_awaitable counted = {0, 0, FALSE};
    IKcomAsyncOperation *op, *first_source = NULL, *second_source = NULL;
    aw_state *s;
    LONG drops = 0;
    ULONG value = 0;

    counter_once();
    manual_init(&manual);

    /* ready one by one, in another order than the array's: READY with the last; each one polled
     * until it was READY and never after */
    s = begin(&all_of_desc, &manual.executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &a);
    kcom_async_event_await_init(&s->ev2, &b);
    s->array[0] = kcom_async_event_awaitable(&s->ev);
    s->array[1] = kcom_async_awaitable_of(counted_poll, counted_clear, &counted);
    s->array[2] = kcom_async_event_awaitable(&s->ev2);
    ok(kcom_async_all_of_init(&s->all, s->array, 3) == STATUS_SUCCESS && s->all.remaining == 3, "init\n");
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && a.head == &s->ev && b.head == &s->ev2 && counted.polls == 1, "all polled\n");
    (void)kcom_async_event_set(&b);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED && s->all.remaining == 2, "one of three\n");
    ok(s->array[2].poll == NULL && b.head == NULL, "the ready one is marked, and unregistered itself\n");
    ok(s->array[2].clear != NULL && counted.clears == 0, "nothing cleared before the all_of's clear\n");
    counted.ready = TRUE;
    (void)kcom_async_event_set(&b); /* b's await is done: wakes nothing */
    ok(manual_queued(&manual) == 0, "a ready awaitable is not registered again\n");
    (void)kcom_async_event_set(&a);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 0, "all three\n");
    ok(counted.polls == 3, "the counted awaitable polled until READY, then no more: %ld\n", (long)counted.polls);
    IKcomAsyncOperation_Release(op);
    ok(counted.clears == 1, "each cleared once, by the drop: %ld\n", (long)counted.clears);

    /* all of two operations, completed in reverse order: both outcomes there to read */
    s = begin_all_of_two_sources(&first_source, &second_source, &drops, &op);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED, "waiting on both\n");
    value = 22;
    ok(kcom_async_operation_complete(second_source, &value) == STATUS_SUCCESS, "the second completes\n");
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED, "still waiting on the first\n");
    value = 11;
    ok(kcom_async_operation_complete(first_source, &value) == STATUS_SUCCESS, "the first completes\n");
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 0, "all of both\n");
    ok(status_of(first_source) == KCOM_ASYNC_COMPLETED && status_of(second_source) == KCOM_ASYNC_COMPLETED,
       "neither canceled by the clear: both had finished\n");
    IKcomAsyncOperation_Release(first_source);
    IKcomAsyncOperation_Release(second_source);
    IKcomAsyncOperation_Release(op);

    /* canceled with one of two finished: the drop clears the all_of, which cancels the other */
    s = begin_all_of_two_sources(&first_source, &second_source, &drops, &op);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1, "waiting on both\n");
    ok(kcom_async_operation_complete(first_source, &value) == STATUS_SUCCESS && manual_run(&manual) == 1 &&
           s->all.remaining == 1,
       "one finished\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS && manual_run(&manual) == 1 &&
           status_of(op) == KCOM_ASYNC_CANCELED,
       "the task canceled\n");
    ok(status_of(second_source) == KCOM_ASYNC_CANCELED, "the unfinished one canceled by the clear\n");
    ok(status_of(first_source) == KCOM_ASYNC_COMPLETED, "the finished one kept its outcome\n");
    ok(kcom_async_operation_complete(second_source, &value) == STATUS_CANCELLED, "its producer ends it\n");
    IKcomAsyncOperation_Release(first_source);
    IKcomAsyncOperation_Release(second_source);
    IKcomAsyncOperation_Release(op);

    ok(drops == 3, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

/* An all_of task over an operation, an event and an operation (both with cancel TRUE), taken one
 * at a time (all_of_each_task; begun, not committed). */
static aw_state *begin_all_of_each(kcom_async_event *event, IKcomAsyncOperation **first, IKcomAsyncOperation **second,
                                   LONG *drops, IKcomAsyncOperation **op)
{
    aw_state *s;
    two_sources(first, second);
    s = begin(&all_of_each_desc, &manual.executor, drops, op);
    if (s == NULL)
        return NULL;
    kcom_async_await_init(&s->op, *first);
    kcom_async_event_await_init(&s->ev, event);
    kcom_async_await_init(&s->op2, *second);
    s->array[0] = kcom_async_operation_awaitable(&s->op, TRUE);
    s->array[1] = kcom_async_event_awaitable(&s->ev);
    s->array[2] = kcom_async_operation_awaitable(&s->op2, TRUE);
    ok(kcom_async_all_of_init(&s->all, s->array, 3) == STATUS_SUCCESS && s->all.last == -1, "all_of_init\n");
    return s;
}

/* kcom_async_all_of_poll_next: the outcomes one at a time, in the order they come, and a stop at
 * the first failure that cancels what is left. */
void kcom_test_async_all_of_each(void)
{
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *op, *first = NULL, *second = NULL;
    aw_state *s;
    LONG drops = 0;
    ULONG value = 5;

    counter_once();
    manual_init(&manual);

    /* all three, in the order third, first, event */
    s = begin_all_of_each(&event, &first, &second, &drops, &op);
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_STARTED && s->ticks == 0, "waiting\n");
    ok(kcom_async_operation_complete(second, &value) == STATUS_SUCCESS && manual_run(&manual) == 1 &&
           s->ticks == 3 && s->all.remaining == 2,
       "the third first: %lu\n", (unsigned long)s->ticks);
    ok(kcom_async_operation_complete(first, &value) == STATUS_SUCCESS && manual_run(&manual) == 1 &&
           s->ticks == 31,
       "then the first: %lu\n", (unsigned long)s->ticks);
    (void)kcom_async_event_set(&event);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_COMPLETED && result_of(op) == 312,
       "then the event, and done\n");
    ok(kcom_async_all_of_poll_next(&s->all, NULL) == KCOM_POLL_READY && s->all.last == -1,
       "none left: READY with no index\n");
    IKcomAsyncOperation_Release(first);
    IKcomAsyncOperation_Release(second);
    IKcomAsyncOperation_Release(op);

    /* the event, then the third fails: the task stops, and the first is canceled by the clear */
    (void)kcom_async_event_reset(&event);
    s = begin_all_of_each(&event, &first, &second, &drops, &op);
    (void)kcom_async_spawn_commit(op);
    (void)manual_run(&manual);
    (void)kcom_async_event_set(&event);
    ok(manual_run(&manual) == 1 && s->ticks == 2 && status_of(op) == KCOM_ASYNC_STARTED, "the event\n");
    ok(kcom_async_operation_fail(second, STATUS_IO_TIMEOUT) == STATUS_SUCCESS && manual_run(&manual) == 1 &&
           s->ticks == 23,
       "then the third, failed: %lu\n", (unsigned long)s->ticks);
    ok(status_of(op) == KCOM_ASYNC_ERROR, "the task stopped at the failure\n");
    ok(status_of(first) == KCOM_ASYNC_CANCELED, "the one left was canceled by the clear\n");
    ok(kcom_async_operation_complete(first, &value) == STATUS_CANCELLED, "its producer ends it\n");
    IKcomAsyncOperation_Release(first);
    IKcomAsyncOperation_Release(second);
    IKcomAsyncOperation_Release(op);

    ok(drops == 2, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

/* A ready value: READY at its first poll with what it was given; in a select it wins before the
 * other side is even registered. */
void kcom_test_async_ready(void)
{
    kcom_async_event b = KCOM_ASYNC_EVENT_INIT;
    kcom_async_ready ready;
    IKcomAsyncOperation *op;
    aw_state *s;
    LONG drops = 0;

    counter_once();
    manual_init(&manual);
    kcom_async_ready_init(&ready, STATUS_PENDING, 0x123456789ULL);
    ok(kcom_async_ready_poll(&ready, NULL) == KCOM_POLL_READY, "ready at once\n");
    ok(ready.status == STATUS_PENDING && ready.value == 0x123456789ULL, "keeps what it was given\n");

    s = begin(&select_desc, &manual.executor, &drops, &op);
    kcom_async_ready_init(&s->ready, STATUS_SUCCESS, 7);
    kcom_async_event_await_init(&s->ev2, &b);
    kcom_async_select_init(&s->select, kcom_async_ready_awaitable(&s->ready), kcom_async_event_awaitable(&s->ev2));
    (void)kcom_async_spawn_commit(op);
    ok(manual_run(&manual) == 1 && status_of(op) == KCOM_ASYNC_COMPLETED, "completed at the first poll\n");
    ok(result_of(op) == 0, "the ready value won\n");
    ok(b.head == NULL, "the event was never registered\n");
    ok(s->ready.value == 7, "its value is there to read\n");
    IKcomAsyncOperation_Release(op);
    ok(drops == 1, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}

#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
void kcom_test_async_timeout(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    IKcomAsyncOperation *op;
    aw_state *s;
    LONG drops = 0;
    ULONG64 start, elapsed;

    counter_once();
    if (!test_pool_start(1, &pool, &executor))
        return;

    /* the time is up: the event wait is unregistered */
    s = begin(&timeout_desc, executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &event);
    kcom_async_timeout_init(&s->timeout, kcom_async_event_awaitable(&s->ev), 20);
    start = test_now_ms();
    (void)kcom_async_spawn_commit(op);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && status_of(op) == KCOM_ASYNC_COMPLETED, "finished\n");
    elapsed = test_now_ms() - start;
    ok(result_of(op) == 1, "timed out\n");
    ok(elapsed >= 15, "not before the timeout: %lu ms\n", (unsigned long)elapsed);
    ok(event.head == NULL, "the event wait was unregistered\n");
    IKcomAsyncOperation_Release(op);

    /* the event first: the timer is canceled long before it is due */
    s = begin(&timeout_desc, executor, &drops, &op);
    kcom_async_event_await_init(&s->ev, &event);
    kcom_async_timeout_init(&s->timeout, kcom_async_event_awaitable(&s->ev), 10000);
    start = test_now_ms();
    (void)kcom_async_spawn_commit(op);
    test_sleep_ms(5);
    (void)kcom_async_event_set(&event);
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && status_of(op) == KCOM_ASYNC_COMPLETED, "finished\n");
    elapsed = test_now_ms() - start;
    ok(result_of(op) == 0, "in time\n");
    ok(elapsed < 5000, "the timer did not hold it: %lu ms\n", (unsigned long)elapsed);
    IKcomAsyncOperation_Release(op);

    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shutdown\n");
    ok(drops == 2, "drops: %ld\n", (long)drops);
    ok(live_settled() == 0, "nothing left\n");
}
#endif

ASYNC_TEST_PROGRAM(KCOM_ASYNC_AWAITABLE_TESTS)
