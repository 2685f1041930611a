/*
 * test_contracts.c - the edges of the async contracts a driver hits: a callback that releases the
 * producer's only reference, the order of the callback and the waiters, any number of waiters on
 * one operation, the producer's cancel routine, and the argument checks of creation.
 */
#include "async_test_common.h"

#include <kcom/tracker.h>

#include <string.h>

static kcom_counting_allocator counter;
static manual_executor manual;

static IKcomAsyncOperation *new_source(void)
{
    IKcomAsyncOperation *op = NULL;
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op) ==
           STATUS_SUCCESS,
       "create\n");
    return op;
}

/* ---- the producer's calls never touch an operation its callback released --------------------------------- */

typedef struct releasing_callback {
    LONG calls;
    LONG status;
} releasing_callback;

static void release_in_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    releasing_callback *r = (releasing_callback *)context;
    r->calls++;
    r->status = status;
    IKcomAsyncOperation_Release(operation); /* the producer's own, and only, reference */
}

void kcom_test_async_contract_callback_releases(void)
{
    static const NTSTATUS failures[] = {STATUS_ACCESS_DENIED, STATUS_CANCELLED};
    releasing_callback r;
    IKcomAsyncOperation *op;
    ULONG value = 5;
    NTSTATUS status;
    int i;

    kcom_counting_allocator_init(&counter, NULL);
    /* complete: the callback frees the operation (ASan and valgrind see any later read) */
    memset(&r, 0, sizeof(r));
    op = new_source();
    ok(IKcomAsyncOperation_set_completed(op, release_in_callback, &r) == STATUS_SUCCESS, "set_completed\n");
    status = kcom_async_operation_complete(op, &value);
    ok(status == STATUS_SUCCESS, "complete: %s\n", kcom_status_name(status));
    ok(r.calls == 1 && r.status == KCOM_ASYNC_COMPLETED, "called back once: %ld %ld\n", (long)r.calls, (long)r.status);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed by the callback's release\n");

    for (i = 0; i < 2; i++) {
        memset(&r, 0, sizeof(r));
        op = new_source();
        ok(IKcomAsyncOperation_set_completed(op, release_in_callback, &r) == STATUS_SUCCESS, "set_completed\n");
        status = kcom_async_operation_fail(op, failures[i]);
        ok(status == STATUS_SUCCESS, "fail %s: %s\n", kcom_status_name(failures[i]), kcom_status_name(status));
        ok(r.calls == 1, "called back once\n");
        ok(kcom_counting_allocator_live(&counter) == 0, "freed by the callback's release\n");
    }

    /* cancel: the canceler's reference is the one the callback releases */
    memset(&r, 0, sizeof(r));
    op = new_source();
    ok(IKcomAsyncOperation_set_completed(op, release_in_callback, &r) == STATUS_SUCCESS, "set_completed\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(r.calls == 1 && r.status == KCOM_ASYNC_CANCELED, "canceled: called back at once\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed by the callback's release\n");
}

/* The same for a task's operation, whose finish runs on the caller's reference when the first poll
 * runs inline (kcom_async_spawn_run) or when it was canceled before it ran: the finisher holds a
 * reference of its own around the callback there too. */
void kcom_test_async_contract_callback_releases_task(void)
{
    static const BOOLEAN cancel_first[] = {FALSE, TRUE};
    releasing_callback r;
    IKcomAsyncOperation *op = NULL;
    void *state = NULL;
    NTSTATUS status;
    int i;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    for (i = 0; i < 2; i++) {
        memset(&r, 0, sizeof(r));
        ok(kcom_async_spawn_begin(&ready_desc, &manual.executor, &counter.allocator, &state, &op) == STATUS_SUCCESS,
           "spawn_begin\n");
        ok(IKcomAsyncOperation_set_completed(op, release_in_callback, &r) == STATUS_SUCCESS, "set_completed\n");
        if (cancel_first[i]) {
            IKcomAsyncOperation_AddRef(op); /* the canceler's */
            ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel before the run\n");
            IKcomAsyncOperation_Release(op);
        }
        ok(r.calls == 0, "not called back before the task ran (%ld)\n", (long)r.calls);
        status = kcom_async_spawn_run(op); /* the callback releases the only reference */
        ok(NT_SUCCESS(status) || status == STATUS_CANCELLED, "spawn_run: %s\n", kcom_status_name(status));
        ok(r.calls == 1 && r.status == (cancel_first[i] ? KCOM_ASYNC_CANCELED : KCOM_ASYNC_COMPLETED),
           "called back once: %ld %ld\n", (long)r.calls, (long)r.status);
        ok(kcom_counting_allocator_live(&counter) == 0, "freed by the callback's release\n");
    }

    /* queued: the poll runs on the queue's reference */
    memset(&r, 0, sizeof(r));
    ok(kcom_async_spawn_begin(&ready_desc, &manual.executor, &counter.allocator, &state, &op) == STATUS_SUCCESS,
       "spawn_begin\n");
    ok(IKcomAsyncOperation_set_completed(op, release_in_callback, &r) == STATUS_SUCCESS, "set_completed\n");
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS, "commit\n");
    ok(manual_run(&manual) == 1, "one poll\n");
    ok(r.calls == 1 && r.status == KCOM_ASYNC_COMPLETED, "called back once\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed by the callback's release\n");
}

/* ---- an executor refusing the task: spawn_run reports it as commit does ----------------------------------- */

/* A task that yields once, then returns 9; its drop counts. */
typedef struct yield_once_task {
    KCOM_TASK_RESUME_POINT;
    LONG *drops;
} yield_once_task;

static kcom_poll_result yield_once_poll(void *state, kcom_task_context *cx)
{
    yield_once_task *s = (yield_once_task *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_YIELD(cx);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 9);
    KCOM_TASK_END(cx);
}

static void yield_once_drop(void *state)
{
    (*((yield_once_task *)state)->drops)++;
}

static const kcom_async_task_desc yield_once_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, yield_once_task, yield_once_poll, yield_once_drop);

static NTSTATUS refuse_schedule(void *context, kcom_task *task)
{
    (void)context;
    (void)task;
    return STATUS_NOT_SUPPORTED;
}

void kcom_test_async_contract_run_refused(void)
{
    static const kcom_executor refusing = {refuse_schedule, NULL, NULL};
    IKcomAsyncOperation *op = NULL;
    void *state = NULL;
    kcom_async_status state_now = KCOM_ASYNC_STARTED;
    ULONG value = 0;
    LONG drops;
    NTSTATUS status;
    int run;

    kcom_counting_allocator_init(&counter, NULL);
    /* refused after the first poll (kcom_async_spawn_run), or before it (commit): the same answer */
    for (run = 1; run >= 0; run--) {
        drops = 0;
        ok(kcom_async_spawn_begin(&yield_once_desc, &refusing, &counter.allocator, &state, &op) == STATUS_SUCCESS,
           "spawn_begin\n");
        ((yield_once_task *)state)->drops = &drops;
        status = run ? kcom_async_spawn_run(op) : kcom_async_spawn_commit(op);
        ok(status == STATUS_NOT_SUPPORTED, "%s: the executor's refusal (%s)\n", run ? "spawn_run" : "commit",
           kcom_status_name(status));
        (void)IKcomAsyncOperation_get_status(op, &state_now);
        ok(state_now == KCOM_ASYNC_ERROR && IKcomAsyncOperation_get_result(op, &value) == STATUS_NOT_SUPPORTED,
           "%s: Error with it\n", run ? "spawn_run" : "commit");
        ok(drops == 1, "%s: the drop ran once (%ld)\n", run ? "spawn_run" : "commit", (long)drops);
        ok(IKcomAsyncOperation_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0, "freed\n");
    }
    /* work ready at its first poll needs no executor */
    ok(kcom_async_spawn_begin(&ready_desc, &refusing, &counter.allocator, &state, &op) == STATUS_SUCCESS,
       "spawn_begin\n");
    ok(kcom_async_spawn_run(op) == STATUS_SUCCESS && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
           value == 7,
       "ready at once: no schedule to refuse\n");
    ok(IKcomAsyncOperation_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- a chain of refused tasks ends in constant stack ------------------------------------------------------ */

/* Task i awaits task i-1's operation (task 0 a completion source), and the executor refuses every
 * wake: the source's completion ends task 0, whose end ends task 1, and so on. Each end runs
 * where the previous one fired its waiters; ending them one inside the other took stack in
 * proportion to the chain (a chain of a few hundred overflows a kernel stack), so the drops must
 * all run at about one depth. */
#define REFUSED_CHAIN 1000

typedef struct chain_record {
    ULONG_PTR lowest, highest;
    LONG drops;
} chain_record;

typedef struct chain_task {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await previous;
    chain_record *record;
} chain_task;

static kcom_poll_result chain_poll(void *state, kcom_task_context *cx)
{
    chain_task *s = (chain_task *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_await_poll(&s->previous, cx));
    kcom_async_await_clear(&s->previous);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 1);
    KCOM_TASK_END(cx);
}

static void chain_drop(void *state)
{
    chain_task *s = (chain_task *)state;
#if defined(__GNUC__) || defined(__clang__)
    ULONG_PTR here = (ULONG_PTR)__builtin_frame_address(0);
#else
    ULONG_PTR here = (ULONG_PTR)_AddressOfReturnAddress();
#endif
    chain_record *r = s->record;
    if (r->drops++ == 0 || here < r->lowest)
        r->lowest = here;
    if (r->drops == 1 || here > r->highest)
        r->highest = here;
    kcom_async_await_clear(&s->previous);
}

static const kcom_async_task_desc chain_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, chain_task, chain_poll, chain_drop);

void kcom_test_async_contract_refused_chain(void)
{
    static IKcomAsyncOperation *ops[REFUSED_CHAIN];
    chain_record record = {0, 0, 0};
    IKcomAsyncOperation *source, *previous;
    LONG errors = 0, i;
    ULONG value = 0;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    source = previous = new_source();
    for (i = 0; i < REFUSED_CHAIN; i++) {
        chain_task *s = NULL;
        ops[i] = NULL;
        if (kcom_async_spawn_begin(&chain_desc, &manual.executor, &counter.allocator, (void **)&s, &ops[i]) !=
            STATUS_SUCCESS) {
            ok(FALSE, "spawn_begin %ld\n", (long)i);
            break;
        }
        IKcomAsyncOperation_AddRef(previous); /* the await's */
        kcom_async_await_init(&s->previous, previous);
        s->record = &record;
        (void)kcom_async_spawn_commit(ops[i]);
        previous = ops[i];
    }
    ok(manual_run(&manual) == i, "every task awaits the one before\n");
    manual.refuse = STATUS_INVALID_DEVICE_STATE;
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete the source\n");
    ok(record.drops == i, "every task dropped: %ld of %ld\n", (long)record.drops, (long)i);
    ok(record.highest - record.lowest < 8192, "the drops ran %lu bytes of stack apart\n",
       (unsigned long)(record.highest - record.lowest));
    while (i-- > 0) {
        if (IKcomAsyncOperation_get_result(ops[i], &value) != STATUS_INVALID_DEVICE_STATE)
            errors++;
        IKcomAsyncOperation_Release(ops[i]);
    }
    ok(errors == 0, "%ld tasks did not end in Error with the refusal\n", (long)errors);
    IKcomAsyncOperation_Release(source);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- the callback has returned before any waiter is released ---------------------------------------------- */

typedef struct slow_callback {
    LONG volatile entered;
    LONG volatile returned;
} slow_callback;

static void callback_slow(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    slow_callback *s = (slow_callback *)context;
    (void)operation;
    (void)status;
    kcom_atomic_store(&s->entered, 1);
    test_sleep_ms(50); /* a waiter released before this returns has time to see it */
    kcom_atomic_store(&s->returned, 1);
}

static void *complete_soon(void *arg)
{
    IKcomAsyncOperation *op = (IKcomAsyncOperation *)arg;
    ULONG value = 3;
    test_sleep_ms(20);
    (void)kcom_async_operation_complete(op, &value);
    IKcomAsyncOperation_Release(op);
    return NULL;
}

void kcom_test_async_contract_callback_before_waiters(void)
{
    slow_callback s;
    IKcomAsyncOperation *op;
    test_thread thread;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    memset(&s, 0, sizeof(s)); /* the callback's context lives in this frame */
    op = new_source();
    ok(IKcomAsyncOperation_set_completed(op, callback_slow, &s) == STATUS_SUCCESS, "set_completed\n");
    IKcomAsyncOperation_AddRef(op); /* the completing thread's */
    test_thread_start(&thread, complete_soon, op);
    status = kcom_async_block_on(op, KCOM_ASYNC_INFINITE);
    ok(status == STATUS_SUCCESS, "waited: %s\n", kcom_status_name(status));
    ok(kcom_atomic_load(&s.entered) && kcom_atomic_load(&s.returned),
       "the callback had returned when the wait ended: entered %ld, returned %ld\n", (long)s.entered,
       (long)s.returned);
    test_thread_join(&thread);
    IKcomAsyncOperation_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");

    /* a waiter that comes while the callback runs (the operation has finished) waits for it too */
    memset(&s, 0, sizeof(s));
    op = new_source();
    ok(IKcomAsyncOperation_set_completed(op, callback_slow, &s) == STATUS_SUCCESS, "set_completed\n");
    IKcomAsyncOperation_AddRef(op);
    test_thread_start(&thread, complete_soon, op);
    while (!kcom_atomic_load(&s.entered))
        test_sleep_ms(1);
    status = kcom_async_block_on(op, KCOM_ASYNC_INFINITE);
    ok(status == STATUS_SUCCESS, "waited: %s\n", kcom_status_name(status));
    ok(kcom_atomic_load(&s.returned), "a wait begun during the callback ended after it returned\n");
    test_thread_join(&thread);
    IKcomAsyncOperation_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* A task that awaits an operation and notes whether its callback had returned when the await
 * ended. */
typedef struct noting_task {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
    slow_callback *callback;
    LONG returned_at_ready;
} noting_task;

static kcom_poll_result noting_poll(void *state, kcom_task_context *cx)
{
    noting_task *s = (noting_task *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_await_poll(&s->source, cx));
    s->returned_at_ready = kcom_atomic_load(&s->callback->returned);
    kcom_async_await_clear(&s->source);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, (ULONG)s->returned_at_ready);
    KCOM_TASK_END(cx);
}

static void noting_drop(void *state)
{
    kcom_async_await_clear(&((noting_task *)state)->source);
}

static const kcom_async_task_desc noting_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, noting_task, noting_poll, noting_drop);

/* The same for a task: an await that begins while the callback runs ends after it returned. */
void kcom_test_async_contract_callback_before_awaiters(void)
{
    slow_callback s;
    IKcomAsyncOperation *op, *task_op = NULL;
    noting_task *state = NULL;
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    test_thread thread;
    ULONG returned = 0;

    kcom_counting_allocator_init(&counter, NULL);
    if (!test_pool_start(1, &pool, &executor))
        return;
    memset(&s, 0, sizeof(s));
    op = new_source();
    ok(IKcomAsyncOperation_set_completed(op, callback_slow, &s) == STATUS_SUCCESS, "set_completed\n");
    ok(kcom_async_spawn_begin(&noting_desc, executor, &counter.allocator, (void **)&state, &task_op) ==
           STATUS_SUCCESS,
       "spawn\n");
    IKcomAsyncOperation_AddRef(op); /* the await's */
    kcom_async_await_init(&state->source, op);
    state->callback = &s;
    IKcomAsyncOperation_AddRef(op);
    test_thread_start(&thread, complete_soon, op);
    while (!kcom_atomic_load(&s.entered))
        test_sleep_ms(1);
    ok(kcom_async_spawn_commit(task_op) == STATUS_SUCCESS, "commit\n");
    ok(kcom_async_block_on(task_op, 20000) == STATUS_SUCCESS, "the task finished\n");
    ok(IKcomAsyncOperation_get_result(task_op, &returned) == STATUS_SUCCESS && returned == 1,
       "an await begun during the callback ended after it returned\n");
    test_thread_join(&thread);
    IKcomAsyncOperation_Release(task_op);
    IKcomAsyncOperation_Release(op);
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shutdown\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- any number of waiters ---------------------------------------------------------------------------------- */

typedef struct waiting_task {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
    LONG *polls;
    BOOLEAN canceled;
} waiting_task;

static kcom_poll_result waiting_poll(void *state, kcom_task_context *cx)
{
    waiting_task *s = (waiting_task *)state;
    ULONG value = 0;
    NTSTATUS status;
    (*s->polls)++;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_await_poll(&s->source, cx));
    if (s->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED); /* the drop takes its node out */
    status = IKcomAsyncOperation_get_result(s->source.operation, &value);
    if (!NT_SUCCESS(status))
        KCOM_TASK_RETURN(cx, status);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, value + 1);
    KCOM_TASK_END(cx);
}

static void waiting_drop(void *state)
{
    kcom_async_await_clear(&((waiting_task *)state)->source);
}

static const kcom_async_task_desc waiting_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, waiting_task, waiting_poll, waiting_drop);

static IKcomAsyncOperation *spawn_waiting(IKcomAsyncOperation *source, LONG *polls)
{
    void *state = NULL;
    IKcomAsyncOperation *op = NULL;
    ok(kcom_async_spawn_begin(&waiting_desc, &manual.executor, &counter.allocator, &state, &op) == STATUS_SUCCESS,
       "spawn_begin\n");
    if (state != NULL) {
        waiting_task *s = (waiting_task *)state;
        IKcomAsyncOperation_AddRef(source); /* the await's */
        kcom_async_await_init(&s->source, source);
        s->polls = polls;
    }
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS, "commit\n");
    return op;
}

#define WAITERS 4

typedef struct blocked_waiter {
    IKcomAsyncOperation *op;
    NTSTATUS status;
    LONG volatile done;
} blocked_waiter;

static void *block_on_thread(void *arg)
{
    blocked_waiter *b = (blocked_waiter *)arg;
    b->status = kcom_async_block_on(b->op, KCOM_ASYNC_INFINITE);
    kcom_atomic_store(&b->done, 1);
    return NULL;
}

/* The same, once the test's own wait (up to 50 ms) has begun. */
static void *block_on_late_thread(void *arg)
{
    test_sleep_ms(20);
    return block_on_thread(arg);
}

void kcom_test_async_contract_many_waiters(void)
{
    IKcomAsyncOperation *source, *ops[WAITERS];
    LONG polls[WAITERS];
    blocked_waiter blocked[2];
    test_thread threads[2];
    ULONG value = 41, result;
    LONG before;
    int i;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    memset(polls, 0, sizeof(polls));
    source = new_source();
    for (i = 0; i < WAITERS; i++)
        ops[i] = spawn_waiting(source, &polls[i]);
    /* bounded: a task that wakes itself on every poll would keep the queue busy forever */
    ok(manual_run_some(&manual, 10 * WAITERS) == WAITERS, "each task polled once\n");
    ok(manual_queued(&manual) == 0, "all of them waiting, none polling itself: %ld queued\n",
       (long)manual_queued(&manual));
    for (i = 0; i < WAITERS; i++)
        ok(polls[i] == 1, "task %d: %ld polls while waiting\n", i, (long)polls[i]);

    /* one stops waiting (canceled): its node comes out, the others stay */
    ok(IKcomAsyncOperation_cancel(ops[1]) == STATUS_SUCCESS, "cancel one\n");
    ok(manual_run(&manual) == 1, "the canceled one polled\n");
    ok(IKcomAsyncOperation_get_result(ops[1], &result) == STATUS_CANCELLED, "it ended canceled\n");

    /* and threads block on it too, any number of them */
    for (i = 0; i < 2; i++) {
        memset(&blocked[i], 0, sizeof(blocked[i]));
        blocked[i].op = source;
        test_thread_start(&threads[i], block_on_thread, &blocked[i]);
    }
    test_sleep_ms(30);
    ok(!kcom_atomic_load(&blocked[0].done) && !kcom_atomic_load(&blocked[1].done), "both blocked\n");

    before = counter.attempts;
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete\n");
    ok(counter.attempts == before, "waking allocates nothing: %ld\n", (long)(counter.attempts - before));
    ok(manual_queued(&manual) == WAITERS - 1, "each waiting task woken once: %ld queued\n",
       (long)manual_queued(&manual));
    ok(manual_run(&manual) == WAITERS - 1, "and polled once\n");
    for (i = 0; i < WAITERS; i++) {
        if (i == 1)
            continue;
        ok(polls[i] == 2, "task %d: %ld polls\n", i, (long)polls[i]);
        result = 0;
        ok(IKcomAsyncOperation_get_result(ops[i], &result) == STATUS_SUCCESS && result == 42, "task %d: %lu\n", i,
           (unsigned long)result);
    }
    for (i = 0; i < 2; i++) {
        test_thread_join(&threads[i]);
        ok(blocked[i].status == STATUS_SUCCESS, "thread %d: %s\n", i, kcom_status_name(blocked[i].status));
    }
    for (i = 0; i < WAITERS; i++)
        IKcomAsyncOperation_Release(ops[i]);
    IKcomAsyncOperation_Release(source);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* Waiters beyond an operation's first wait in lists that many operations share: finishing one
 * wakes its own waiters, every one of them, and no other's; a waiter taken out of a shared list
 * (canceled) leaves the others of its operation and of its neighbours in place. */
#define SHARING_SOURCES 150 /* more operations than the shared table has lists */
#define SHARING_WAITERS 3   /* the slot's and two listed ones per operation */

void kcom_test_async_contract_shared_waiter_lists(void)
{
    static IKcomAsyncOperation *sources[SHARING_SOURCES], *ops[SHARING_SOURCES][SHARING_WAITERS];
    static LONG polls[SHARING_SOURCES][SHARING_WAITERS];
    ULONG value, result;
    int i, k, round;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    memset(polls, 0, sizeof(polls));
    for (i = 0; i < SHARING_SOURCES; i++) {
        sources[i] = new_source();
        for (k = 0; k < SHARING_WAITERS; k++)
            ops[i][k] = spawn_waiting(sources[i], &polls[i][k]);
    }
    ok(manual_run_some(&manual, 10 * SHARING_SOURCES * SHARING_WAITERS) == SHARING_SOURCES * SHARING_WAITERS,
       "each task polled once\n");
    /* every third operation loses its last listed waiter before it finishes */
    for (i = 0; i < SHARING_SOURCES; i += 3)
        ok(IKcomAsyncOperation_cancel(ops[i][SHARING_WAITERS - 1]) == STATUS_SUCCESS, "cancel %d\n", i);
    ok(manual_run(&manual) == (SHARING_SOURCES + 2) / 3, "the canceled ones polled\n");
    /* finished out of order: odd operations first, then even ones, from the end */
    for (round = 0; round < 2; round++) {
        for (i = round == 0 ? 1 : SHARING_SOURCES - 2 + SHARING_SOURCES % 2; i >= 0 && i < SHARING_SOURCES;
             i += round == 0 ? 2 : -2) {
            LONG expected = i % 3 == 0 ? SHARING_WAITERS - 1 : SHARING_WAITERS;
            value = (ULONG)i;
            ok(kcom_async_operation_complete(sources[i], &value) == STATUS_SUCCESS, "complete %d\n", i);
            ok(manual_queued(&manual) == expected, "operation %d: %ld woken, %ld waiting on it\n", i,
               (long)manual_queued(&manual), (long)expected);
            ok(manual_run(&manual) == expected, "operation %d: its waiters polled\n", i);
            for (k = 0; k < expected; k++) {
                result = 0;
                ok(polls[i][k] == 2 && IKcomAsyncOperation_get_result(ops[i][k], &result) == STATUS_SUCCESS &&
                       result == (ULONG)i + 1,
                   "operation %d, waiter %d: %ld polls, %lu\n", i, k, (long)polls[i][k], (unsigned long)result);
            }
        }
    }
    for (i = 0; i < SHARING_SOURCES; i++) {
        for (k = 0; k < SHARING_WAITERS; k++)
            IKcomAsyncOperation_Release(ops[i][k]);
        IKcomAsyncOperation_Release(sources[i]);
    }
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* A blocked thread that times out takes its node out; the others still wake. */
void kcom_test_async_contract_waiter_timeout(void)
{
    IKcomAsyncOperation *source;
    blocked_waiter blocked;
    test_thread thread;
    ULONG value = 1;

    kcom_counting_allocator_init(&counter, NULL);
    source = new_source();
    memset(&blocked, 0, sizeof(blocked));
    blocked.op = source;
    test_thread_start(&thread, block_on_thread, &blocked);
    ok(kcom_async_block_on(source, 20) == STATUS_TIMEOUT, "this one times out\n");
    ok(kcom_async_block_on(source, 0) == STATUS_TIMEOUT, "and again, without waiting\n");
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete\n");
    test_thread_join(&thread);
    ok(blocked.status == STATUS_SUCCESS, "the other woke: %s\n", kcom_status_name(blocked.status));
    IKcomAsyncOperation_Release(source);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");

    /* one in the slot, this one in the list, and one listed in front of it after it: the one that
     * times out takes itself out while the other's link to it was written under the lock */
    {
        blocked_waiter later;
        test_thread later_thread;
        source = new_source();
        memset(&blocked, 0, sizeof(blocked));
        memset(&later, 0, sizeof(later));
        blocked.op = later.op = source;
        test_thread_start(&thread, block_on_thread, &blocked);
        test_sleep_ms(10);
        test_thread_start(&later_thread, block_on_late_thread, &later);
        ok(kcom_async_block_on(source, 50) == STATUS_TIMEOUT, "the middle one times out\n");
        ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete\n");
        test_thread_join(&thread);
        test_thread_join(&later_thread);
        ok(blocked.status == STATUS_SUCCESS && later.status == STATUS_SUCCESS, "the others woke: %s, %s\n",
           kcom_status_name(blocked.status), kcom_status_name(later.status));
        IKcomAsyncOperation_Release(source);
        ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
    }
}

/* ---- the producer's cancel routine ---------------------------------------------------------------------- */

typedef struct cancel_log {
    LONG routine_calls;
    LONG callback_calls;
    LONG order; /* 1: the routine ran before the callback */
    LONG status_in_routine;
    NTSTATUS complete_in_routine;
} cancel_log;

static void log_routine(IKcomAsyncOperation *operation, void *context)
{
    cancel_log *log = (cancel_log *)context;
    kcom_async_status status = -1;
    ULONG value = 9;
    log->routine_calls++;
    if (log->callback_calls == 0)
        log->order = 1;
    (void)IKcomAsyncOperation_get_status(operation, &status);
    log->status_in_routine = status;
    /* what a producer does: ends its request, which kcom answers with STATUS_CANCELLED */
    log->complete_in_routine = kcom_async_operation_complete(operation, &value);
}

static void log_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    (void)operation;
    (void)status;
    ((cancel_log *)context)->callback_calls++;
}

static void never_routine(IKcomAsyncOperation *operation, void *context)
{
    (void)operation;
    ((cancel_log *)context)->routine_calls++;
}

void kcom_test_async_contract_cancel_routine(void)
{
    IKcomAsyncOperation *op, *task_op;
    cancel_log log;
    LONG polls = 0;
    ULONG value = 4;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);

    /* a cancel that wins: the routine once, then the callback; later calls learn it */
    memset(&log, 0, sizeof(log));
    op = new_source();
    ok(kcom_async_operation_set_cancel_routine(NULL, log_routine, &log) == STATUS_INVALID_PARAMETER, "NULL op\n");
    ok(kcom_async_operation_set_cancel_routine(op, NULL, &log) == STATUS_INVALID_PARAMETER, "NULL routine\n");
    ok(kcom_async_operation_clear_cancel_routine(op) == STATUS_NOT_FOUND, "none to clear\n");
    ok(kcom_async_operation_set_cancel_routine(op, log_routine, &log) == STATUS_SUCCESS, "set\n");
    ok(kcom_async_operation_set_cancel_routine(op, log_routine, &log) == STATUS_ALREADY_REGISTERED, "set twice\n");
    ok(IKcomAsyncOperation_set_completed(op, log_callback, &log) == STATUS_SUCCESS, "callback\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(log.routine_calls == 1 && log.callback_calls == 1 && log.order == 1,
       "routine %ld, callback %ld, routine first %ld\n", (long)log.routine_calls, (long)log.callback_calls,
       (long)log.order);
    ok(log.status_in_routine == KCOM_ASYNC_CANCELED, "Canceled in the routine: %ld\n", (long)log.status_in_routine);
    ok(log.complete_in_routine == STATUS_CANCELLED, "complete in the routine: %s\n",
       kcom_status_name(log.complete_in_routine));
    ok(kcom_async_operation_clear_cancel_routine(op) == STATUS_CANCELLED, "clear after it ran\n");
    status = kcom_async_operation_complete(op, &value);
    ok(status == STATUS_CANCELLED, "complete after the cancel: %s\n", kcom_status_name(status));
    ok(kcom_async_operation_fail(op, STATUS_IO_TIMEOUT) == STATUS_CANCELLED, "fail after the cancel\n");
    ok(kcom_async_block_on(op, 0) == STATUS_SUCCESS, "finished\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_INVALID_DEVICE_STATE, "cancel twice\n");
    ok(log.routine_calls == 1 && log.callback_calls == 1, "once each\n");
    IKcomAsyncOperation_Release(op);

    /* taken back first: never called, and the producer completes */
    memset(&log, 0, sizeof(log));
    op = new_source();
    ok(kcom_async_operation_set_cancel_routine(op, never_routine, &log) == STATUS_SUCCESS, "set\n");
    ok(kcom_async_operation_clear_cancel_routine(op) == STATUS_SUCCESS, "clear\n");
    ok(kcom_async_operation_clear_cancel_routine(op) == STATUS_NOT_FOUND, "clear twice\n");
    ok(kcom_async_operation_set_cancel_routine(op, never_routine, &log) == STATUS_ALREADY_REGISTERED,
       "registered once\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(log.routine_calls == 0, "a cleared routine is never called\n");
    ok(kcom_async_operation_set_cancel_routine(op, never_routine, &log) == STATUS_ALREADY_REGISTERED,
       "registered once and canceled: the registration's status first\n");
    IKcomAsyncOperation_Release(op);

    /* registering after the cancel: refused, the producer aborts by itself */
    op = new_source();
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(kcom_async_operation_set_cancel_routine(op, never_routine, &log) == STATUS_CANCELLED, "set after cancel\n");
    IKcomAsyncOperation_Release(op);

    /* after a completion: nothing to cancel */
    op = new_source();
    ok(kcom_async_operation_set_cancel_routine(op, never_routine, &log) == STATUS_SUCCESS, "set\n");
    ok(kcom_async_operation_complete(op, &value) == STATUS_SUCCESS, "complete\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_INVALID_DEVICE_STATE, "cancel after completion\n");
    ok(kcom_async_operation_clear_cancel_routine(op) == STATUS_SUCCESS, "still the producer's to clear\n");
    ok(log.routine_calls == 0, "not called\n");
    ok(kcom_async_operation_set_cancel_routine(op, never_routine, &log) == STATUS_ALREADY_REGISTERED,
       "registered once and completed: the registration's status first\n");
    IKcomAsyncOperation_Release(op);
    op = new_source();
    ok(kcom_async_operation_complete(op, &value) == STATUS_SUCCESS, "complete\n");
    ok(kcom_async_operation_set_cancel_routine(op, never_routine, &log) == STATUS_INVALID_DEVICE_STATE,
       "set after completion\n");
    IKcomAsyncOperation_Release(op);

    /* not a producer's operation */
    task_op = spawn_waiting(kcom_async_static_error_operation(), &polls);
    ok(kcom_async_operation_set_cancel_routine(task_op, never_routine, &log) == STATUS_INVALID_DEVICE_STATE,
       "a task's operation\n");
    ok(kcom_async_operation_clear_cancel_routine(task_op) == STATUS_INVALID_DEVICE_STATE, "clear on a task's\n");
    ok(kcom_async_operation_set_cancel_routine(kcom_async_static_error_operation(), never_routine, &log) ==
           STATUS_INVALID_DEVICE_STATE,
       "the static error operation\n");
    (void)manual_run(&manual);
    IKcomAsyncOperation_Release(task_op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* A cancel wakes a blocked thread at once, through the routine and the finish. */
static void *cancel_soon(void *arg)
{
    test_sleep_ms(20);
    (void)IKcomAsyncOperation_cancel((IKcomAsyncOperation *)arg);
    return NULL;
}

void kcom_test_async_contract_cancel_wakes_waiters(void)
{
    IKcomAsyncOperation *op;
    test_thread thread;
    cancel_log log;
    ULONG64 start;
    kcom_async_status st = -1;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    memset(&log, 0, sizeof(log));
    op = new_source();
    ok(kcom_async_operation_set_cancel_routine(op, log_routine, &log) == STATUS_SUCCESS, "set\n");
    test_thread_start(&thread, cancel_soon, op);
    start = test_now_ms();
    status = kcom_async_block_on(op, 20000);
    ok(status == STATUS_SUCCESS, "woken by the cancel: %s after %lu ms\n", kcom_status_name(status),
       (unsigned long)(test_now_ms() - start));
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_CANCELED, "Canceled\n");
    test_thread_join(&thread);
    ok(log.routine_calls == 1, "the producer was told\n");
    IKcomAsyncOperation_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* The producer's cancel routine runs before the callback and the waiters, also those that come
 * while it runs: a producer may free the routine's context once a wait on the operation ends, or
 * from its callback. */
typedef struct slow_routine {
    LONG volatile entered;
    LONG volatile returned;
    LONG volatile callback_calls;
    LONG volatile callback_after_routine;
} slow_routine;

static void routine_slow(IKcomAsyncOperation *operation, void *context)
{
    slow_routine *s = (slow_routine *)context;
    (void)operation;
    kcom_atomic_store(&s->entered, 1);
    test_sleep_ms(50); /* a waiter or a callback let go before this returns has time to show */
    kcom_atomic_store(&s->returned, 1);
}

static void callback_after_routine(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    slow_routine *s = (slow_routine *)context;
    (void)operation;
    (void)status;
    kcom_atomic_store(&s->callback_after_routine, kcom_atomic_load(&s->returned));
    kcom_atomic_fetch_add(&s->callback_calls, 1);
}

static void *cancel_now(void *arg)
{
    (void)IKcomAsyncOperation_cancel((IKcomAsyncOperation *)arg);
    return NULL;
}

void kcom_test_async_contract_cancel_routine_before_waiters(void)
{
    kcom_async_status st = KCOM_ASYNC_STARTED;
    IKcomAsyncOperation *op;
    test_thread thread;
    slow_routine s;
    NTSTATUS status;
    int round;

    kcom_counting_allocator_init(&counter, NULL);
    /* round 0: a wait begun while the routine runs; round 1: a callback registered then too */
    for (round = 0; round < 2; round++) {
        memset(&s, 0, sizeof(s)); /* the routine's context lives in this frame */
        op = new_source();
        ok(kcom_async_operation_set_cancel_routine(op, routine_slow, &s) == STATUS_SUCCESS, "set\n");
        test_thread_start(&thread, cancel_now, op);
        while (!kcom_atomic_load(&s.entered))
            test_sleep_ms(1);
        ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_CANCELED,
           "%d: Canceled while the routine runs\n", round);
        if (round == 1)
            ok(IKcomAsyncOperation_set_completed(op, callback_after_routine, &s) == STATUS_SUCCESS,
               "set_completed while the routine runs\n");
        status = kcom_async_block_on(op, KCOM_ASYNC_INFINITE);
        ok(status == STATUS_SUCCESS && kcom_atomic_load(&s.returned),
           "%d: a wait begun while the routine ran ended after it returned (%s, returned %ld)\n", round,
           kcom_status_name(status), (long)s.returned);
        test_thread_join(&thread);
        if (round == 1)
            ok(s.callback_calls == 1 && s.callback_after_routine,
               "the callback registered meanwhile ran once, after the routine (%ld calls, after %ld)\n",
               (long)s.callback_calls, (long)s.callback_after_routine);
        IKcomAsyncOperation_Release(op);
    }
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- block_on on an operation kcom did not make --------------------------------------------------------- */

/* An operation kcom did not make, as another copy of kcom (another driver's) looks from here: its
 * own vtable, a count, one completion slot that calls back at once when it has already finished. */
typedef struct foreign_op {
    IKcomAsyncOperation iface;
    LONG volatile refs;
    LONG volatile status;
    ULONG value;
    NTSTATUS error;
    NTSTATUS fail_get_status;     /* non-zero: get_status fails with it */
    LONG volatile get_status_calls;
    LONG volatile cancels;
    BOOLEAN ignore_cancel;        /* a cancel is noted and nothing else: it finishes later */
    struct foreign_op *inner;     /* a delegating wrapper of inner: set_completed and get_result go there */
    kcom_async_completed_fn *callback;
    void *context;
} foreign_op;

static foreign_op *foreign_of(IKcomAsyncOperation *This)
{
    return (foreign_op *)(void *)This;
}

static NTSTATUS KCOM_STDCALL foreign_QueryInterface(IKcomAsyncOperation *This, REFIID riid, void **ppv)
{
    (void)This;
    (void)riid;
    if (ppv != NULL)
        *ppv = NULL;
    return STATUS_NOINTERFACE;
}

static ULONG KCOM_STDCALL foreign_AddRef(IKcomAsyncOperation *This)
{
    return (ULONG)kcom_atomic_fetch_add(&foreign_of(This)->refs, 1) + 1;
}

static ULONG KCOM_STDCALL foreign_Release(IKcomAsyncOperation *This)
{
    return (ULONG)kcom_atomic_fetch_add(&foreign_of(This)->refs, -1) - 1; /* the test's storage */
}

static NTSTATUS KCOM_STDCALL foreign_get_status(IKcomAsyncOperation *This, kcom_async_status *status)
{
    kcom_atomic_fetch_add(&foreign_of(This)->get_status_calls, 1);
    if (foreign_of(This)->fail_get_status != 0)
        return foreign_of(This)->fail_get_status;
    *status = kcom_atomic_load(&foreign_of(This)->status);
    return STATUS_SUCCESS;
}

static NTSTATUS KCOM_STDCALL foreign_get_result(IKcomAsyncOperation *This, void *result)
{
    foreign_op *op = foreign_of(This);
    if (op->inner != NULL)
        return op->inner->iface.lpVtbl->get_result(&op->inner->iface, result);
    switch (kcom_atomic_load(&op->status)) {
    case KCOM_ASYNC_COMPLETED:
        memcpy(result, &op->value, sizeof(op->value));
        return STATUS_SUCCESS;
    case KCOM_ASYNC_CANCELED:
        return STATUS_CANCELLED;
    case KCOM_ASYNC_ERROR:
        return op->error;
    default:
        return STATUS_PENDING;
    }
}

static void foreign_finish(foreign_op *op, kcom_async_status status, ULONG value, NTSTATUS error)
{
    op->value = value;
    op->error = error;
    kcom_atomic_store(&op->status, status);
    if (op->callback != NULL)
        op->callback(&op->iface, status, op->context);
}

static NTSTATUS KCOM_STDCALL foreign_cancel(IKcomAsyncOperation *This)
{
    foreign_op *op = foreign_of(This);
    kcom_atomic_fetch_add(&op->cancels, 1);
    if (kcom_atomic_load(&op->status) != KCOM_ASYNC_STARTED)
        return STATUS_INVALID_DEVICE_STATE;
    if (op->ignore_cancel)
        return STATUS_SUCCESS;
    foreign_finish(op, KCOM_ASYNC_CANCELED, 0, STATUS_CANCELLED);
    return STATUS_SUCCESS;
}

static NTSTATUS KCOM_STDCALL foreign_set_completed(IKcomAsyncOperation *This, kcom_async_completed_fn *callback,
                                                   void *context)
{
    foreign_op *op = foreign_of(This);
    if (op->inner != NULL)
        return op->inner->iface.lpVtbl->set_completed(&op->inner->iface, callback, context);
    if (op->callback != NULL)
        return STATUS_ALREADY_REGISTERED;
    op->context = context;
    op->callback = callback;
    if (kcom_atomic_load(&op->status) != KCOM_ASYNC_STARTED) /* finished: at once */
        callback(This, kcom_atomic_load(&op->status), context);
    return STATUS_SUCCESS;
}

static const IKcomAsyncOperationVtbl foreign_vtbl = {foreign_QueryInterface, foreign_AddRef, foreign_Release,
                                                     foreign_get_status,     foreign_get_result, foreign_cancel,
                                                     foreign_set_completed};

static void foreign_init(foreign_op *op)
{
    memset(op, 0, sizeof(*op));
    op->iface.lpVtbl = &foreign_vtbl;
    op->refs = 1;
    op->status = KCOM_ASYNC_STARTED;
}

/* A timeout leaves nothing registered on it (its owner keeps its one completion slot), and a
 * failing get_status is the answer, not a finish. */
void kcom_test_async_contract_block_on_foreign(void)
{
    foreign_op op;
    NTSTATUS status;

    foreign_init(&op);
    status = kcom_async_block_on(&op.iface, 20);
    ok(status == STATUS_TIMEOUT, "times out: %s\n", kcom_status_name(status));
    ok(op.callback == NULL, "nothing left in its completion slot\n");
    op.fail_get_status = STATUS_ACCESS_DENIED;
    status = kcom_async_block_on(&op.iface, 1000);
    ok(status == STATUS_ACCESS_DENIED, "get_status failure returned: %s\n", kcom_status_name(status));
    op.fail_get_status = 0;
    kcom_atomic_store(&op.status, KCOM_ASYNC_COMPLETED);
    ok(kcom_async_block_on(&op.iface, 0) == STATUS_SUCCESS, "finished\n");
}

/* ---- kcom_async_operation_relay: another implementation's operation, awaited asleep ---------------------- */

void kcom_test_async_contract_relay(void)
{
    foreign_op foreign, wrapper;
    IKcomAsyncOperation *relay = NULL, *task = NULL, *source = NULL;
    waiting_task initial; /* awaits the relay, completes with its value + 1 */
    LONG polls = 0;
    const kcom_allocator *previous = kcom_default_allocator();
    kcom_async_status status = KCOM_ASYNC_STARTED;
    ULONG value = 0;
    NTSTATUS st;

    kcom_counting_allocator_init(&counter, NULL);
    ok(kcom_set_default_allocator(&counter.allocator) == STATUS_SUCCESS, "default allocator\n");
    manual_init(&manual);

    /* a task awaits the relay asleep: woken once by foreign's finish, which it never polls */
    foreign_init(&foreign);
    ok(kcom_async_operation_relay(&foreign.iface, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay) ==
           STATUS_SUCCESS, "relay\n");
    ok(foreign.refs == 3, "the callback's and the cancel routine's references: %ld\n", (long)foreign.refs);
    memset(&initial, 0, sizeof(initial));
    initial.polls = &polls;
    kcom_async_await_init(&initial.source, relay); /* takes the reference */
    ok(kcom_async_spawn(&waiting_desc, &manual.executor, NULL, &initial, &task) == STATUS_SUCCESS, "spawned\n");
    ok(manual_run(&manual) == 1 && manual.scheduled == 1, "first poll, then waiting\n");
    ok(manual_run(&manual) == 0, "nothing to run while foreign runs\n");
    foreign_finish(&foreign, KCOM_ASYNC_COMPLETED, 41, STATUS_SUCCESS);
    ok(manual_run(&manual) == 1, "woken once\n");
    ok(IKcomAsyncOperation_get_result(task, &value) == STATUS_SUCCESS && value == 42, "value %lu\n",
       (unsigned long)value);
    ok(foreign.get_status_calls == 0 && polls == 2, "foreign's status never polled (%ld), the task polled twice (%ld)\n",
       (long)foreign.get_status_calls, (long)polls);
    ok(foreign.refs == 1, "its references returned: %ld\n", (long)foreign.refs);
    IKcomAsyncOperation_Release(task);

    /* already finished: called back at once, the relay Completed on return */
    foreign_init(&foreign);
    foreign_finish(&foreign, KCOM_ASYNC_COMPLETED, 7, STATUS_SUCCESS);
    ok(kcom_async_operation_relay(&foreign.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay) == STATUS_SUCCESS,
       "relay of a finished one\n");
    ok(IKcomAsyncOperation_get_result(relay, &value) == STATUS_SUCCESS && value == 7, "value %lu\n",
       (unsigned long)value);
    IKcomAsyncOperation_Release(relay);
    ok(foreign.refs == 1, "its references returned: %ld\n", (long)foreign.refs);

    /* foreign fails: the relay is Error with get_result's status */
    foreign_init(&foreign);
    ok(kcom_async_operation_relay(&foreign.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay) == STATUS_SUCCESS,
       "relay\n");
    foreign_finish(&foreign, KCOM_ASYNC_ERROR, 0, STATUS_ACCESS_DENIED);
    ok(IKcomAsyncOperation_get_status(relay, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_ERROR, "Error\n");
    ok(IKcomAsyncOperation_get_result(relay, &value) == STATUS_ACCESS_DENIED, "its status\n");
    IKcomAsyncOperation_Release(relay);
    ok(foreign.refs == 1, "its references returned: %ld\n", (long)foreign.refs);

    /* a cancel of the relay cancels foreign, and every reference comes back */
    foreign_init(&foreign);
    ok(kcom_async_operation_relay(&foreign.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay) == STATUS_SUCCESS,
       "relay\n");
    ok(IKcomAsyncOperation_cancel(relay) == STATUS_SUCCESS, "relay canceled\n");
    ok(foreign.cancels == 1 && foreign.status == KCOM_ASYNC_CANCELED, "foreign canceled: %ld\n", (long)foreign.cancels);
    ok(IKcomAsyncOperation_get_result(relay, &value) == STATUS_CANCELLED, "Canceled\n");
    IKcomAsyncOperation_Release(relay);
    ok(foreign.refs == 1, "its references returned: %ld\n", (long)foreign.refs);

    /* foreign canceled by its own side: the relay is Canceled */
    foreign_init(&foreign);
    ok(kcom_async_operation_relay(&foreign.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay) == STATUS_SUCCESS,
       "relay\n");
    foreign_finish(&foreign, KCOM_ASYNC_CANCELED, 0, STATUS_CANCELLED);
    ok(IKcomAsyncOperation_get_status(relay, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_CANCELED, "Canceled\n");
    IKcomAsyncOperation_Release(relay);
    ok(foreign.refs == 1, "its references returned: %ld\n", (long)foreign.refs);

    /* a relay canceled stays registered until foreign calls back: the drain waits for that */
    foreign_init(&foreign);
    ok(kcom_async_operation_relay(&foreign.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay) == STATUS_SUCCESS,
       "relay\n");
    foreign.ignore_cancel = TRUE;
    ok(IKcomAsyncOperation_cancel(relay) == STATUS_SUCCESS, "relay canceled\n");
    IKcomAsyncOperation_Release(relay);
    ok(kcom_async_relays_drain(0) == STATUS_TIMEOUT, "foreign has not called back: still registered\n");
    foreign_finish(&foreign, KCOM_ASYNC_COMPLETED, 1, STATUS_SUCCESS);
    ok(kcom_async_relays_drain(0) == STATUS_SUCCESS, "called back: none left\n");
    ok(foreign.refs == 1, "its references returned: %ld\n", (long)foreign.refs);

    /* a delegating wrapper hands the callback its inner operation: the wrapper's references come back */
    foreign_init(&foreign);
    foreign_init(&wrapper);
    wrapper.inner = &foreign;
    ok(kcom_async_operation_relay(&wrapper.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay) == STATUS_SUCCESS,
       "relay of a wrapper\n");
    foreign_finish(&foreign, KCOM_ASYNC_COMPLETED, 5, STATUS_SUCCESS);
    ok(IKcomAsyncOperation_get_result(relay, &value) == STATUS_SUCCESS && value == 5, "value %lu\n",
       (unsigned long)value);
    IKcomAsyncOperation_Release(relay);
    ok(wrapper.refs == 1 && foreign.refs == 1, "references returned: wrapper %ld, inner %ld\n", (long)wrapper.refs,
       (long)foreign.refs);

    /* its slot taken: refused, an operation in Error, foreign as it was */
    foreign_init(&foreign);
    foreign.callback = record_callback;
    st = kcom_async_operation_relay(&foreign.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &relay);
    ok(st == STATUS_ALREADY_REGISTERED, "slot taken: %s\n", kcom_status_name(st));
    ok(relay != NULL && IKcomAsyncOperation_get_result(relay, &value) == STATUS_ALREADY_REGISTERED, "an Error\n");
    ok(foreign.refs == 1 && foreign.callback == record_callback, "foreign untouched: %ld\n", (long)foreign.refs);
    IKcomAsyncOperation_Release(relay);

    /* arguments; one of this kcom's own is its own relay */
    ok(kcom_async_operation_relay(&foreign.iface, NULL, KCOM_ASYNC_RELAY_MAX_RESULT + 1, 1, &relay) ==
           STATUS_INVALID_PARAMETER && relay != NULL, "result too large\n");
    IKcomAsyncOperation_Release(relay);
    ok(kcom_async_operation_relay(&foreign.iface, NULL, 4, 16, &relay) == STATUS_INVALID_PARAMETER, "alignment 16\n");
    IKcomAsyncOperation_Release(relay);
    ok(kcom_async_operation_relay(NULL, NULL, 4, 4, &relay) == STATUS_INVALID_PARAMETER && relay != NULL, "NULL\n");
    IKcomAsyncOperation_Release(relay);
    ok(kcom_async_operation_relay(&foreign.iface, NULL, 4, 4, NULL) == STATUS_INVALID_PARAMETER, "NULL out\n");
    ok(kcom_async_operation_create(NULL, NULL, sizeof(ULONG), sizeof(ULONG), &source) == STATUS_SUCCESS, "source\n");
    ok(kcom_async_operation_relay(source, NULL, sizeof(ULONG), sizeof(ULONG), &relay) == STATUS_SUCCESS &&
           relay == source, "kcom's own, itself\n");
    IKcomAsyncOperation_Release(relay);
    IKcomAsyncOperation_Release(source);
    ok(kcom_counting_allocator_live(&counter) == 0, "%ld blocks left\n", (long)kcom_counting_allocator_live(&counter));
    (void)kcom_set_default_allocator(previous);
}

/* kcom_uninitialize refuses while a relay is registered, also one that a poll under way makes while
 * the executors settle (their runs get up to a second to end): the relays are counted with the
 * timers once everything is quiet, not only before. */
typedef struct late_relay_state {
    KCOM_TASK_RESUME_POINT;
} late_relay_state;

static foreign_op late_foreign;
static IKcomAsyncOperation *late_relay;

static kcom_poll_result late_relay_poll(void *p, kcom_task_context *cx)
{
    late_relay_state *s = (late_relay_state *)p;
    KCOM_TASK_BEGIN(s);
    test_sleep_ms(300); /* kcom_uninitialize starts meanwhile */
    (void)kcom_async_operation_relay(&late_foreign.iface, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &late_relay);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 1);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc late_relay_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, late_relay_state, late_relay_poll, NULL);

void kcom_test_async_contract_uninitialize_relay(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *op = NULL;
    late_relay_state initial;
    NTSTATUS status;

    foreign_init(&late_foreign);
    late_relay = NULL;
    if (!test_pool_start(1, &pool, &executor))
        return;
    memset(&initial, 0, sizeof(initial));
    ok(kcom_async_spawn(&late_relay_desc, executor, NULL, &initial, &op) == STATUS_SUCCESS, "spawned\n");
    test_sleep_ms(50);
    status = kcom_uninitialize();
    ok(status == STATUS_INVALID_DEVICE_STATE, "a relay made while the executors settled: %s\n",
       kcom_status_name(status));
    ok(kcom_async_block_on(op, 5000) == STATUS_SUCCESS && late_relay != NULL, "the task made its relay\n");
    IKcomAsyncOperation_Release(op);
    ok(kcom_async_relays_drain(0) == STATUS_TIMEOUT, "registered\n");
    foreign_finish(&late_foreign, KCOM_ASYNC_COMPLETED, 3, STATUS_SUCCESS);
    ok(kcom_async_relays_drain(1000) == STATUS_SUCCESS, "called back\n");
    if (late_relay != NULL)
        IKcomAsyncOperation_Release(late_relay);
    ok(late_foreign.refs == 1, "its references returned: %ld\n", (long)late_foreign.refs);
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shutdown\n");
    status = kcom_uninitialize();
    ok(status == STATUS_SUCCESS, "nothing registered: %s\n", kcom_status_name(status));
    ok(kcom_initialize() == STATUS_SUCCESS, "and again\n");
}

/* ---- argument checks ----------------------------------------------------------------------------------- */

void kcom_test_async_contract_argument_checks(void)
{
    static const kcom_async_task_desc too_small = {waiting_poll, waiting_drop, sizeof(waiting_task),
                                                   KCOM_ALIGNOF(waiting_task), sizeof(ULONG), KCOM_ALIGNOF(ULONG),
                                                   &IID_IAsyncULONG, 0, 0, 16, 8, NULL};
    IKcomAsyncOperation *op = NULL;
    void *state = (void *)&op;
    NTSTATUS status;
    size_t alignment;
    static const size_t bad_alignments[] = {0, 3, 8192};

    kcom_counting_allocator_init(&counter, NULL);
    for (alignment = 0; alignment < sizeof(bad_alignments) / sizeof(bad_alignments[0]); alignment++) {
        status = kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), bad_alignments[alignment], &op);
        ok(status == STATUS_INVALID_PARAMETER, "alignment %lu: %s\n", (unsigned long)bad_alignments[alignment],
           kcom_status_name(status));
        ok(op != NULL, "an error operation, never NULL\n");
        IKcomAsyncOperation_Release(op);
        status = kcom_async_operation_create(&counter.allocator, NULL, 0, bad_alignments[alignment], &op);
        ok(status == STATUS_INVALID_PARAMETER, "no result, alignment %lu: %s\n",
           (unsigned long)bad_alignments[alignment], kcom_status_name(status));
        IKcomAsyncOperation_Release(op);
    }
    manual_init(&manual);
    status = kcom_async_spawn_begin(&too_small, &manual.executor, &counter.allocator, &state, &op);
    ok(status == STATUS_INVALID_PARAMETER, "a block smaller than an operation: %s\n", kcom_status_name(status));
    ok(state == NULL && op != NULL, "state NULL, an error operation\n");
    IKcomAsyncOperation_Release(op);
    /* *state is NULL after a failure, also one for want of an operation pointer */
    state = (void *)&op;
    status = kcom_async_spawn_begin(&too_small, &manual.executor, &counter.allocator, &state, NULL);
    ok(status == STATUS_INVALID_PARAMETER && state == NULL, "no operation pointer: %s, state %p\n",
       kcom_status_name(status), state);
    state = (void *)&op;
    status = kcom_async_spawn_begin_in(&too_small, &manual.executor, &op, sizeof(op), &state, NULL);
    ok(status == STATUS_INVALID_PARAMETER && state == NULL, "in storage, no operation pointer: %s, state %p\n",
       kcom_status_name(status), state);

    /* commit and run of an operation that no task runs: its status only, its result left alone */
    {
        unsigned char value[24];
        IKcomAsyncOperation *source = NULL;
        memset(value, 0x5A, sizeof(value));
        ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(value), 8, &source) == STATUS_SUCCESS,
           "a source with a 24-byte result\n");
        ok(kcom_async_spawn_commit(source) == STATUS_INVALID_DEVICE_STATE, "commit of a pending source\n");
        ok(kcom_async_operation_complete(source, value) == STATUS_SUCCESS, "complete\n");
        ok(kcom_async_spawn_commit(source) == STATUS_INVALID_DEVICE_STATE, "commit of a completed source\n");
        ok(kcom_async_spawn_run(source) == STATUS_INVALID_DEVICE_STATE, "run of a completed source\n");
        IKcomAsyncOperation_Release(source);
        ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(value), 8, &source) == STATUS_SUCCESS,
           "another\n");
        ok(IKcomAsyncOperation_cancel(source) == STATUS_SUCCESS, "canceled\n");
        ok(kcom_async_spawn_commit(source) == STATUS_CANCELLED, "commit of a canceled source: its status\n");
        IKcomAsyncOperation_Release(source);
        status = kcom_async_spawn_commit(kcom_async_static_error_operation());
        ok(status == STATUS_INSUFFICIENT_RESOURCES, "the static error operation's status: %s\n",
           kcom_status_name(status));
    }
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- what kcom allocates comes from kcom's allocators ------------------------------------------------------ */

/* block_on allocates nothing: its waiter and its event live in its frame. */
void kcom_test_async_contract_waits_allocate_nothing(void)
{
    IKcomAsyncOperation *op;
    blocked_waiter blocked;
    test_thread thread;
    ULONG value = 2;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    op = new_source();
    ok(kcom_set_default_allocator(&counter.allocator) == STATUS_SUCCESS, "default allocator\n");
    kcom_counting_allocator_fail_nth(&counter, 1); /* resets the count; any allocation fails */
    status = kcom_async_block_on(op, 1);
    ok(status == STATUS_TIMEOUT, "a wait that times out: %s\n", kcom_status_name(status));
    memset(&blocked, 0, sizeof(blocked));
    blocked.op = op;
    test_thread_start(&thread, block_on_thread, &blocked);
    test_sleep_ms(10);
    ok(kcom_async_operation_complete(op, &value) == STATUS_SUCCESS, "complete\n");
    test_thread_join(&thread);
    ok(blocked.status == STATUS_SUCCESS, "a wait that ends: %s\n", kcom_status_name(blocked.status));
    ok(counter.attempts == 0, "%ld allocations\n", (long)counter.attempts);
    kcom_counting_allocator_fail_nth(&counter, 0);
    ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "platform allocator\n");
    IKcomAsyncOperation_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- a tracker counts tasks on any executor ---------------------------------------------------------------- */

#define TRACKED 4

/* The unload recipe on the test pool (user mode: kcom's thread pool, which has no tracker of its
 * own): tasks spawned on a copy of its executor with a tracker set are counted, canceled and
 * drained; a spawn after the drain is refused. */
void kcom_test_async_contract_tracker_on_any_executor(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    kcom_executor counted;
    kcom_tracker *tracker = NULL;
    IKcomAsyncOperation *source, *ops[TRACKED], *late = NULL;
    LONG polls[TRACKED];
    void *state;
    ULONG result;
    NTSTATUS status;
    int i;

    if (!test_pool_start(2, &pool, &executor))
        return;
    kcom_counting_allocator_init(&counter, NULL);
    status = kcom_tracker_create(&tracker);
    ok(status == STATUS_SUCCESS && tracker != NULL, "kcom_tracker_create: %s\n", kcom_status_name(status));
    if (!NT_SUCCESS(status)) {
        (void)test_pool_shutdown(pool, 5000);
        return;
    }
    counted = *executor;
    counted.tracker = tracker;
    source = new_source();
    memset(polls, 0, sizeof(polls));
    for (i = 0; i < TRACKED; i++) {
        state = NULL;
        ops[i] = NULL;
        status = kcom_async_spawn_begin(&waiting_desc, &counted, &counter.allocator, &state, &ops[i]);
        ok(status == STATUS_SUCCESS && state != NULL, "spawn %d: %s\n", i, kcom_status_name(status));
        if (state != NULL) {
            waiting_task *s = (waiting_task *)state;
            IKcomAsyncOperation_AddRef(source); /* the await's */
            kcom_async_await_init(&s->source, source);
            s->polls = &polls[i];
        }
        ok(kcom_async_spawn_commit(ops[i]) == STATUS_SUCCESS, "commit %d\n", i);
    }
    ok(kcom_tracker_outstanding(tracker) == TRACKED, "%ld tasks counted\n", (long)kcom_tracker_outstanding(tracker));

    /* they wait for a source nobody completes: only the cancel-all ends them */
    status = kcom_tracker_cancel_and_drain(tracker, 10000);
    ok(status == STATUS_SUCCESS, "cancel_and_drain: %s\n", kcom_status_name(status));
    ok(kcom_tracker_outstanding(tracker) == 0, "%ld left\n", (long)kcom_tracker_outstanding(tracker));
    for (i = 0; i < TRACKED; i++) {
        status = IKcomAsyncOperation_get_result(ops[i], &result);
        ok(status == STATUS_CANCELLED && polls[i] >= 1, "task %d: %s after %ld polls\n", i, kcom_status_name(status),
           (long)polls[i]);
        IKcomAsyncOperation_Release(ops[i]);
    }

    state = &late;
    status = kcom_async_spawn_begin(&waiting_desc, &counted, &counter.allocator, &state, &late);
    ok(status == STATUS_DELETE_PENDING && state == NULL && late != NULL, "a spawn after the drain: %s\n",
       kcom_status_name(status));
    if (late != NULL)
        IKcomAsyncOperation_Release(late);

    /* when several failures apply, the first of: the arguments, the allocation, the tracker */
    late = NULL;
    kcom_counting_allocator_fail_nth(&counter, 1);
    status = kcom_async_spawn_begin(&waiting_desc, &counted, &counter.allocator, &state, &late);
    ok(status == STATUS_INSUFFICIENT_RESOURCES && state == NULL && late != NULL,
       "no memory while the tracker is drained: %s\n", kcom_status_name(status));
    if (late != NULL)
        IKcomAsyncOperation_Release(late);
    late = NULL;
    kcom_counting_allocator_fail_nth(&counter, 1);
    status = kcom_async_spawn_begin(&waiting_desc, &counted, &counter.allocator, NULL, &late);
    /* the one request is the error operation's (refused too: the static one) */
    ok(status == STATUS_INVALID_PARAMETER && late != NULL && counter.attempts == 1,
       "a NULL state, no memory and a drained tracker: %s, %ld allocations asked for\n", kcom_status_name(status),
       (long)counter.attempts);
    kcom_counting_allocator_fail_nth(&counter, 0);
    if (late != NULL)
        IKcomAsyncOperation_Release(late);
    kcom_tracker_destroy(tracker);
    IKcomAsyncOperation_Release(source);
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "pool shutdown\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

#undef TRACKED

#if !KCOM_TARGET_NTKERNEL
/* The thread pool (user mode): its block from the default allocator. */
void kcom_test_async_contract_pool_allocates_through_kcom(void)
{
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    ok(kcom_set_default_allocator(&counter.allocator) == STATUS_SUCCESS, "default allocator\n");
    kcom_counting_allocator_fail_nth(&counter, 1);
    status = kcom_thread_pool_create(1, &pool, &executor);
    ok(status == STATUS_INSUFFICIENT_RESOURCES && pool == NULL, "no memory for the pool: %s\n",
       kcom_status_name(status));
    kcom_counting_allocator_fail_nth(&counter, 0);
    status = kcom_thread_pool_create(1, &pool, &executor);
    ok(status == STATUS_SUCCESS, "create: %s\n", kcom_status_name(status));
    ok(kcom_counting_allocator_live(&counter) >= 1, "the pool came from the default allocator\n");
    ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "platform allocator\n");
    ok(kcom_thread_pool_shutdown(pool, 1000) == STATUS_SUCCESS, "shutdown\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed to the allocator it came from\n");
}

/* A pool's task that shuts its own pool down: refused (the shutdown would wait for the poll that
 * is waiting, then free the pool under it), and the pool keeps running. */
typedef struct self_shutdown_task {
    kcom_thread_pool *pool;
    NTSTATUS status;
} self_shutdown_task;

static kcom_poll_result self_shutdown_poll(void *state, kcom_task_context *cx)
{
    self_shutdown_task *s = (self_shutdown_task *)state;
    s->status = kcom_thread_pool_shutdown(s->pool, 10);
    KCOM_TASK_RESULT(cx, ULONG) = 1;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc self_shutdown_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, self_shutdown_task, self_shutdown_poll, NULL);

void kcom_test_async_contract_pool_shutdown_from_own_task(void)
{
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *op = NULL;
    self_shutdown_task initial, *state;
    int round;
    ok(kcom_thread_pool_create(2, &pool, &executor) == STATUS_SUCCESS, "create\n");
    for (round = 0; round < 2; round++) {
        memset(&initial, 0, sizeof(initial));
        initial.pool = pool;
        initial.status = STATUS_PENDING;
        ok(kcom_async_spawn_begin(&self_shutdown_desc, executor, NULL, (void **)&state, &op) == STATUS_SUCCESS,
           "begin\n");
        *state = initial;
        ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS, "commit\n");
        ok(kcom_async_block_on(op, 10000) == STATUS_SUCCESS, "the task ran\n");
        ok(state->status == STATUS_INVALID_DEVICE_STATE, "shutdown from the pool's own thread: %s\n",
           kcom_status_name(state->status));
        IKcomAsyncOperation_Release(op);
    }
    ok(kcom_thread_pool_shutdown(pool, 1000) == STATUS_SUCCESS, "shutdown from outside\n");
}
#endif /* !KCOM_TARGET_NTKERNEL */

ASYNC_TEST_PROGRAM(KCOM_ASYNC_CONTRACT_TESTS)
