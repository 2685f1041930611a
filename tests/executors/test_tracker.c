/*
 * test_tracker.c - trackers on the host's simulation of the kernel: drain with DPC, work-item
 * and timer tasks outstanding, drain timing out and retried, spawns refused after a drain, the
 * IRQL rule, untracked executors, and unfinished tasks leaving when they are destroyed.
 */
#include "executor_test_common.h"

#include <kcom/awaitable.h>
#include <kcom/dpc_executor.h>
#include <kcom/tracker.h>
#include <kcom/work_item_executor.h>

#include <stdlib.h>
#include <string.h>

static int device_object;

/* ---- tasks ---------------------------------------------------------------------------------------------- */

typedef struct yield_state {
    ULONG left;
} yield_state;

static kcom_poll_result yield_poll(void *p, kcom_task_context *cx)
{
    yield_state *s = (yield_state *)p;
    if (s->left-- != 0) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc yield_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, yield_state, yield_poll, NULL);

/* Waits for its timer, or ends at a cancel. */
typedef struct timer_state {
    KCOM_TASK_RESUME_POINT;
    ULONG due_ms;
    BOOLEAN canceled;
    kcom_async_timer timer;
} timer_state;

static kcom_poll_result timer_poll(void *p, kcom_task_context *cx)
{
    timer_state *s = (timer_state *)p;
    KCOM_TASK_BEGIN(s);
    kcom_async_timer_init(&s->timer, s->due_ms, 0);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_timer_poll(&s->timer, cx));
    KCOM_TASK_RETURN(cx, s->canceled ? STATUS_CANCELLED : s->timer.status);
    KCOM_TASK_END(cx);
}

static void timer_drop(void *p)
{
    kcom_async_timer_clear(&((timer_state *)p)->timer);
}

static const kcom_async_task_desc timer_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, timer_state, timer_poll, timer_drop);

typedef struct source_state {
    kcom_async_await source;
} source_state;

static kcom_poll_result source_poll(void *p, kcom_task_context *cx)
{
    source_state *s = (source_state *)p;
    if (kcom_async_await_poll(&s->source, cx) == KCOM_POLL_PENDING)
        return KCOM_POLL_PENDING;
    kcom_async_await_clear(&s->source);
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static void source_drop(void *p)
{
    kcom_async_await_clear(&((source_state *)p)->source);
}

static const kcom_async_task_desc source_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, source_state, source_poll, source_drop);

static IAsyncULONG *spawn_waiting(const kcom_executor *executor, IKcomAsyncOperation **source)
{
    source_state initial;
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), source) == STATUS_SUCCESS,
       "source\n");
    (*source)->lpVtbl->AddRef(*source);
    kcom_async_await_init(&initial.source, *source);
    return spawn_on(&source_desc, executor, &initial);
}

static void *complete_later(void *arg)
{
    ULONG value = 1;
    test_sleep_ms(30);
    (void)kcom_async_operation_complete((IKcomAsyncOperation *)arg, &value);
    return NULL;
}

/* ---- drain ---------------------------------------------------------------------------------------------- */

/* A tracker, and a DPC executor and a work-item executor counted by it. */
static void tracked_executors(kcom_tracker **tracker, kcom_dpc_executor **dpc, const kcom_executor **on_dpc,
                              kcom_work_item_executor **work, const kcom_executor **on_work)
{
    kcom_dpc_executor_config dpc_config;
    kcom_work_item_executor_config work_config;
    ok(kcom_tracker_create(tracker) == STATUS_SUCCESS && *tracker != NULL, "create\n");
    memset(&dpc_config, 0, sizeof(dpc_config));
    dpc_config.tracker = *tracker;
    memset(&work_config, 0, sizeof(work_config));
    work_config.tracker = *tracker;
    ok(kcom_dpc_executor_create(&dpc_config, dpc, on_dpc) == STATUS_SUCCESS, "DPC executor\n");
    ok(kcom_work_item_executor_create(&device_object, &work_config, work, on_work) == STATUS_SUCCESS,
       "work-item executor\n");
}

static void drain_outstanding(void)
{
    kcom_tracker *tracker = NULL;
    kcom_dpc_executor *dpc = NULL;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_dpc = NULL, *on_work = NULL;
    IAsyncULONG *ops[4];
    IKcomAsyncOperation *source = NULL, *late = NULL;
    yield_state yields;
    timer_state timer;
    test_thread thread;
    LONG outstanding;
    ULONG i;
    begin();
    tracked_executors(&tracker, &dpc, &on_dpc, &work, &on_work);

    kcom_sim_hold_dpcs(TRUE); /* nothing on the DPC executor can finish before the count */
    yields.left = 300;
    ops[0] = spawn_on(&yield_desc, on_dpc, &yields);
    memset(&timer, 0, sizeof(timer));
    timer.due_ms = 40;
    ops[1] = spawn_on(&timer_desc, on_work, &timer);
    ops[2] = spawn_waiting(on_dpc, &source);
    ops[3] = spawn_on(&timer_desc, on_dpc, &timer);
    outstanding = kcom_tracker_outstanding(tracker);
    ok(outstanding >= 3 && outstanding <= 4, "%ld outstanding\n", (long)outstanding);
    kcom_sim_hold_dpcs(FALSE);
    test_thread_start(&thread, complete_later, source);
    ok(kcom_tracker_drain(tracker, 20000) == STATUS_SUCCESS, "drained\n");
    ok(kcom_tracker_outstanding(tracker) == 0, "none outstanding\n");
    test_thread_join(&thread);
    for (i = 0; i < 4; i++) {
        kcom_async_status status = KCOM_ASYNC_STARTED;
        ok(IAsyncULONG_get_status(ops[i], &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED,
           "task %lu finished before the drain returned (%ld)\n", (unsigned long)i, (long)status);
        expect(ops[i], STATUS_SUCCESS);
    }
    source->lpVtbl->Release(source);

    /* after a drain, spawns on the tracker's executors end in an error operation */
    yields.left = 0;
    ok(kcom_async_spawn(&yield_desc, on_work, &counter.allocator, &yields, &late) == STATUS_DELETE_PENDING &&
           late != NULL,
       "spawn after drain refused\n");
    expect(IAsyncULONG_from(late), STATUS_DELETE_PENDING);

    kcom_work_item_executor_destroy(work);
    kcom_dpc_executor_destroy(dpc);
    kcom_tracker_destroy(tracker);
    end();
}

static void drain_timeout(void)
{
    kcom_tracker *tracker = NULL;
    kcom_dpc_executor_config config;
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *on_dpc = NULL;
    IKcomAsyncOperation *source = NULL;
    IAsyncULONG *op;
    ULONG value = 3;
    begin();
    ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "create\n");
    memset(&config, 0, sizeof(config));
    config.tracker = tracker;
    ok(kcom_dpc_executor_create(&config, &dpc, &on_dpc) == STATUS_SUCCESS, "DPC executor\n");
    op = spawn_waiting(on_dpc, &source);
    ok(kcom_tracker_drain(tracker, 30) == STATUS_TIMEOUT, "drain times out\n");
    ok(kcom_tracker_outstanding(tracker) == 1, "one outstanding\n");
    kcom_tracker_destroy(tracker); /* refused (traced): the task still refers to it */
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete\n");
    ok(kcom_tracker_drain(tracker, 20000) == STATUS_SUCCESS, "the second drain succeeds\n");
    expect(op, STATUS_SUCCESS);
    source->lpVtbl->Release(source);
    kcom_dpc_executor_destroy(dpc);
    kcom_tracker_destroy(tracker);
    end();
}

/* After a drain that timed out, the last task's leave brings the count to zero and then sets the
 * tracker's idle event: a destroy that sees the zero count in between must not free the tracker
 * under that set (ThreadSanitizer reports the free racing the set when it does). */
static void destroy_after_timed_out_drain(void)
{
    ULONG round;
    begin();
    for (round = 0; round < 50; round++) {
        kcom_tracker *tracker = NULL;
        kcom_dpc_executor_config config;
        kcom_dpc_executor *dpc = NULL;
        const kcom_executor *on_dpc = NULL;
        IKcomAsyncOperation *source = NULL;
        IAsyncULONG *op;
        ULONG value = round;
        ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "create\n");
        memset(&config, 0, sizeof(config));
        config.tracker = tracker;
        ok(kcom_dpc_executor_create(&config, &dpc, &on_dpc) == STATUS_SUCCESS, "DPC executor\n");
        op = spawn_waiting(on_dpc, &source);
        ok(kcom_tracker_drain(tracker, 0) == STATUS_TIMEOUT, "drain times out\n");
        ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete\n");
        while (kcom_tracker_outstanding(tracker) != 0)
            ; /* the task ends on a simulated processor */
        kcom_tracker_destroy(tracker);
        expect(op, STATUS_SUCCESS);
        source->lpVtbl->Release(source);
        kcom_dpc_executor_destroy(dpc);
    }
    end();
}

/* Tasks waiting for what never comes (an event nobody sets, a source nobody completes): drain
 * alone times out; cancel-all ends them, and cancel_and_drain is the unload recipe in one call. */
typedef struct forever_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_event_await wait;
    BOOLEAN canceled;
} forever_state;

static kcom_async_event never_set;

static kcom_poll_result forever_poll(void *p, kcom_task_context *cx)
{
    forever_state *s = (forever_state *)p;
    KCOM_TASK_BEGIN(s);
    kcom_async_event_await_init(&s->wait, &never_set);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_event_await_poll(&s->wait, cx));
    KCOM_TASK_RETURN(cx, s->canceled ? STATUS_CANCELLED : STATUS_SUCCESS);
    KCOM_TASK_END(cx);
}

static void forever_drop(void *p)
{
    kcom_async_event_await_clear(&((forever_state *)p)->wait);
}

static const kcom_async_task_desc forever_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, forever_state, forever_poll, forever_drop);

static void cancel_all(void)
{
    kcom_tracker *tracker = NULL;
    kcom_dpc_executor *dpc = NULL;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_dpc = NULL, *on_work = NULL;
    IKcomAsyncOperation *source = NULL, *late = NULL;
    IAsyncULONG *ops[6];
    forever_state forever;
    ULONG i, round, value = 5;
    ULONG64 deadline;
    begin();
    kcom_async_event_init(&never_set, FALSE);
    ok(kcom_tracker_cancel_all(NULL) == STATUS_INVALID_PARAMETER, "NULL\n");
    ok(kcom_tracker_cancel_and_drain(NULL, 0) == STATUS_INVALID_PARAMETER, "NULL\n");
    for (round = 0; round < 2; round++) {
        tracked_executors(&tracker, &dpc, &on_dpc, &work, &on_work);
        memset(&forever, 0, sizeof(forever));
        for (i = 0; i < 5; i++)
            ops[i] = spawn_on(&forever_desc, i % 2 == 0 ? on_dpc : on_work, &forever);
        /* and one that does not look at cancellation: it holds the drain until its source ends */
        ops[5] = spawn_waiting(on_dpc, &source);
        test_sleep_ms(20); /* every one of them waiting */
        ok(kcom_tracker_outstanding(tracker) == 6, "round %lu: %ld outstanding\n", (unsigned long)round,
           (long)kcom_tracker_outstanding(tracker));
        if (round == 0) {
            ok(kcom_tracker_drain(tracker, 30) == STATUS_TIMEOUT, "a drain alone times out\n");
            ok(kcom_tracker_cancel_all(tracker) == STATUS_SUCCESS, "cancel all\n");
            ok(kcom_tracker_drain(tracker, 50) == STATUS_TIMEOUT, "the one ignoring it holds the drain\n");
        } else {
            ok(kcom_tracker_cancel_and_drain(tracker, 50) == STATUS_TIMEOUT, "cancel and drain: held by one\n");
            ok(kcom_async_spawn(&forever_desc, on_work, &counter.allocator, &forever, &late) == STATUS_DELETE_PENDING,
               "spawn refused after it\n");
            late->lpVtbl->Release(late);
        }
        /* the canceled ones end on their executors' threads, which a slow run (valgrind, a loaded
         * machine) may not have let run within the drain's 50 ms: wait for them, not for the one */
        deadline = test_now_ms() + 20000;
        while (kcom_tracker_outstanding(tracker) > 1 && test_now_ms() < deadline)
            test_sleep_ms(1);
        ok(kcom_tracker_outstanding(tracker) == 1, "one outstanding: %ld\n", (long)kcom_tracker_outstanding(tracker));
        for (i = 0; i < 5; i++)
            expect(ops[i], STATUS_CANCELLED);
        ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "its source completes\n");
        ok(kcom_tracker_drain(tracker, 20000) == STATUS_SUCCESS, "drained\n");
        expect(ops[5], STATUS_CANCELLED); /* canceled before its work ended: Canceled it stays */
        source->lpVtbl->Release(source);
        kcom_work_item_executor_destroy(work);
        kcom_dpc_executor_destroy(dpc);
        kcom_tracker_destroy(tracker);
    }
    end();
}

/* ---- a cancel-all that ends the task a drain waits for ----------------------------------------------------
 * The drain, on another thread, returns as the task leaves, and its caller destroys the tracker at
 * once, as the unload recipe does: the cancel-all must not touch the tracker after that (it went
 * back to the tracker's lock to look for more tasks). The task's executor refuses the cancel's
 * wake, so the cancel-all ends the task on its own thread, and the task's block is freed slowly,
 * which holds the cancel-all until the drain has returned and the tracker is gone. */
static kcom_task *first_scheduled;
static LONG volatile schedules;

static NTSTATUS schedule_first_only(void *context, kcom_task *task)
{
    (void)context;
    if (kcom_atomic_fetch_add(&schedules, 1) != 0)
        return STATUS_INVALID_DEVICE_STATE; /* shut down */
    first_scheduled = task;
    return STATUS_SUCCESS;
}

static void *slow_free_allocate(void *context, size_t size, size_t alignment)
{
    return kcom_allocate((const kcom_allocator *)context, size, alignment);
}

static void slow_free(void *context, void *block, size_t size, size_t alignment)
{
    test_sleep_ms(100);
    kcom_free((const kcom_allocator *)context, block, size, alignment);
}

typedef struct drainer {
    kcom_tracker *tracker;
    NTSTATUS status;
} drainer;

static void *drain_then_destroy(void *arg)
{
    drainer *d = (drainer *)arg;
    d->status = kcom_tracker_drain(d->tracker, KCOM_TRACKER_INFINITE);
    if (d->status == STATUS_SUCCESS)
        kcom_tracker_destroy(d->tracker);
    return NULL;
}

static void cancel_all_ends_the_drain(void)
{
    kcom_allocator slow = {slow_free_allocate, slow_free, NULL};
    kcom_executor executor;
    IKcomAsyncOperation *op = NULL;
    forever_state forever;
    drainer d;
    test_thread thread;
    begin();
    slow.context = &counter.allocator;
    kcom_async_event_init(&never_set, FALSE);
    schedules = 0;
    first_scheduled = NULL;
    memset(&d, 0, sizeof(d));
    ok(kcom_tracker_create(&d.tracker) == STATUS_SUCCESS, "tracker\n");
    memset(&executor, 0, sizeof(executor));
    executor.schedule = schedule_first_only;
    executor.tracker = d.tracker;
    memset(&forever, 0, sizeof(forever));
    ok(kcom_async_spawn(&forever_desc, &executor, &slow, &forever, &op) == STATUS_SUCCESS && first_scheduled != NULL,
       "spawned\n");
    kcom_task_run(first_scheduled); /* waiting on the event */
    op->lpVtbl->Release(op);        /* the event's waker keeps it */
    test_thread_start(&thread, drain_then_destroy, &d);
    test_sleep_ms(50); /* the drain waits */
    ok(kcom_tracker_cancel_all(d.tracker) == STATUS_SUCCESS, "cancel all\n");
    test_thread_join(&thread);
    ok(d.status == STATUS_SUCCESS, "drained: %s\n", kcom_status_name(d.status));
    end();
}

/* ---- spawns racing the cancels ---------------------------------------------------------------------------
 * A task is counted by its tracker at its begin, and listed at its commit, or after a first poll on
 * its caller (kcom_async_spawn_run) that left it pending. A cancel_all or a cancel_and_drain that
 * runs while spawns are under way must cancel every task it counts (one it could not find, not
 * listed yet, cancels itself before its first poll or once listed): one listed only after the
 * drain's cancel had walked the list (counted, never canceled: the drain timed out), or listed
 * before its operation was initialized (the cancel read the fresh block's garbage for its count:
 * skipped, or retained and then freed under its owner), was not. And the cancel's wake must reach
 * the task: one that found it SCHEDULED left the request to the coming poll, whose read of it
 * could pass its own store of RUNNING (the task then slept Canceled, its request untaken). */
typedef struct racing_spawner {
    const kcom_executor *executor;
    const kcom_allocator *allocator;
    BOOLEAN run; /* the first poll on the spawner (kcom_async_spawn_run), not the executor's */
    LONG volatile stop;
    LONG spawned;
} racing_spawner;

static void *spawn_until_stopped(void *arg)
{
    racing_spawner *r = (racing_spawner *)arg;
    while (!kcom_atomic_load(&r->stop)) {
        forever_state *state = NULL;
        IKcomAsyncOperation *op = NULL;
        if (kcom_async_spawn_begin(&forever_desc, r->executor, r->allocator, (void **)&state, &op) == STATUS_SUCCESS) {
            (void)(r->run ? kcom_async_spawn_run(op) : kcom_async_spawn_commit(op));
            r->spawned++;
        }
        op->lpVtbl->Release(op);
    }
    return NULL;
}

static void *cancel_until_stopped(void *arg)
{
    racing_spawner *r = (racing_spawner *)arg;
    kcom_tracker *tracker = r->executor->tracker;
    while (!kcom_atomic_load(&r->stop)) {
        (void)kcom_tracker_cancel_all(tracker);
        /* the processor to the others now and then: a loop that only takes the tracker's lock
         * would keep it from the executor's threads (valgrind, which runs one thread at a time,
         * preempts it holding the lock at every switch) */
        test_yield();
    }
    return NULL;
}

/* Blocks handed out as the allocator's contract allows: not zeroed, here full of a pattern. */
static void *pattern_allocate(void *context, size_t size, size_t alignment)
{
    void *block = kcom_allocate((const kcom_allocator *)context, size, alignment);
    if (block != NULL)
        memset(block, 0xbe, size);
    return block;
}

static void pattern_free(void *context, void *block, size_t size, size_t alignment)
{
    kcom_free((const kcom_allocator *)context, block, size, alignment);
}

#define RACING_SPAWNERS 3

static void spawn_races(void)
{
    kcom_allocator pattern = {pattern_allocate, pattern_free, NULL};
    racing_spawner spawner, spawners[RACING_SPAWNERS];
    test_thread thread, threads[RACING_SPAWNERS];
    kcom_tracker *tracker = NULL;
    kcom_dpc_executor *dpc = NULL;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_dpc = NULL, *on_work = NULL;
    ULONG64 deadline;
    ULONG round, spawned = 0, failures = 0;
    if (getenv("KCOM_TEST_UNDER_VALGRIND") != NULL) {
        skip("races between threads: valgrind runs one thread at a time (and a thread that only takes "
             "the tracker's lock would starve the others there)\n");
        return;
    }
    begin();
    kcom_async_event_init(&never_set, FALSE);
    pattern.context = (void *)(ULONG_PTR)kcom_default_allocator();
    /* cancel_and_drain while threads spawn: every task counted is canceled, the drain succeeds */
    deadline = test_now_ms() + 1500;
    for (round = 0; round < 200 && test_now_ms() < deadline; round++) {
        NTSTATUS status;
        ULONG i;
        tracked_executors(&tracker, &dpc, &on_dpc, &work, &on_work);
        for (i = 0; i < RACING_SPAWNERS; i++) {
            memset(&spawners[i], 0, sizeof(spawners[i]));
            spawners[i].executor = (round + i) % 2 == 0 ? on_dpc : on_work;
            spawners[i].run = (BOOLEAN)((round / 2 + i) % 2);
            test_thread_start(&threads[i], spawn_until_stopped, &spawners[i]);
        }
        test_sleep_ms(round % 3);
        status = kcom_tracker_cancel_and_drain(tracker, 10000);
        for (i = 0; i < RACING_SPAWNERS; i++) {
            kcom_atomic_store(&spawners[i].stop, 1);
            test_thread_join(&threads[i]);
            spawned += (ULONG)spawners[i].spawned;
        }
        if (status != STATUS_SUCCESS) {
            failures++;
            ok(0, "round %lu: cancel_and_drain %s, %ld outstanding\n", (unsigned long)round,
               kcom_status_name(status), (long)kcom_tracker_outstanding(tracker));
            (void)kcom_tracker_cancel_all(tracker);
            (void)kcom_tracker_drain(tracker, 10000);
        }
        kcom_work_item_executor_destroy(work);
        kcom_dpc_executor_destroy(dpc);
        kcom_tracker_destroy(tracker);
        if (failures != 0)
            break;
    }
    ok(failures == 0, "%lu rounds, %lu spawns, every counted task canceled\n", (unsigned long)round,
       (unsigned long)spawned);

    /* cancel_all over and over while tasks spawn from blocks full of a pattern, committed or run
     * here: each task is canceled (it waits for nothing else), none is skipped or freed under its
     * owner */
    tracked_executors(&tracker, &dpc, &on_dpc, &work, &on_work);
    memset(&spawner, 0, sizeof(spawner));
    spawner.executor = on_work;
    test_thread_start(&thread, cancel_until_stopped, &spawner);
    deadline = test_now_ms() + 2000;
    for (round = 0; test_now_ms() < deadline; round++) {
        forever_state *state = NULL;
        IKcomAsyncOperation *op = NULL;
        NTSTATUS status = kcom_async_spawn_begin(&forever_desc, on_work, &pattern, (void **)&state, &op);
        if (status == STATUS_SUCCESS)
            status = round % 2 != 0 ? kcom_async_spawn_run(op) : kcom_async_spawn_commit(op);
        if (status == STATUS_SUCCESS || status == STATUS_CANCELLED)
            status = kcom_async_block_on(op, 10000);
        if (status != STATUS_SUCCESS) {
            kcom_async_status now = KCOM_ASYNC_STARTED;
            (void)op->lpVtbl->get_status(op, &now);
            ok(0, "spawn %lu: %s, the operation %s (a counted task never canceled, or its cancel's wake lost)\n",
               (unsigned long)round, kcom_status_name(status),
               now == KCOM_ASYNC_CANCELED ? "Canceled" : "not Canceled");
        }
        op->lpVtbl->Release(op);
        if (status != STATUS_SUCCESS)
            break;
    }
    kcom_atomic_store(&spawner.stop, 1);
    test_thread_join(&thread);
    ok(kcom_tracker_cancel_and_drain(tracker, 10000) == STATUS_SUCCESS, "%lu spawns, drained\n", (unsigned long)round);
    kcom_work_item_executor_destroy(work);
    kcom_dpc_executor_destroy(dpc);
    kcom_tracker_destroy(tracker);
    end();
}

/* ---- unload with work outstanding, many times -------------------------------------------------------------
 * DriverUnload's recipe while tasks still run: timers just due (their callbacks racing the unload),
 * timers due in a minute, yielders and tasks waiting for what never comes, on both executors;
 * cancel_and_drain, the executors and the tracker destroyed, kcom_uninitialize. Every round it
 * succeeds, and nothing is left allocated once it has returned. */
#define UNLOAD_TASKS 8

static void unload_cycles(void)
{
    ULONG round, i, uninitialized = 0, ended = 0;
    kcom_async_event_init(&never_set, FALSE);
    for (round = 0; round < 40; round++) {
        kcom_tracker *tracker = NULL;
        kcom_dpc_executor *dpc = NULL;
        kcom_work_item_executor *work = NULL;
        const kcom_executor *on_dpc = NULL, *on_work = NULL;
        IAsyncULONG *ops[UNLOAD_TASKS];
        timer_state timer;
        forever_state forever;
        yield_state yields;
        NTSTATUS status;
        begin();
        tracked_executors(&tracker, &dpc, &on_dpc, &work, &on_work);
        for (i = 0; i < UNLOAD_TASKS; i++) {
            const kcom_executor *on = i % 2 == 0 ? on_dpc : on_work;
            memset(&timer, 0, sizeof(timer));
            memset(&forever, 0, sizeof(forever));
            switch (i % 4) {
            case 0: /* due now or in a millisecond or two: its callback races the unload */
            case 1:
                timer.due_ms = (round + i) % 3;
                ops[i] = spawn_on(&timer_desc, on, &timer);
                break;
            case 2:
                timer.due_ms = 60000;
                ops[i] = i % 8 == 2 ? spawn_on(&timer_desc, on, &timer) : spawn_on(&forever_desc, on, &forever);
                break;
            default:
                yields.left = 50;
                ops[i] = spawn_on(&yield_desc, on, &yields);
                break;
            }
        }
        if (round % 2)
            test_sleep_ms(round % 4); /* some rounds unload at once, others once timers fired */
        status = kcom_tracker_cancel_and_drain(tracker, 20000);
        ok(status == STATUS_SUCCESS, "round %lu: drained: %s\n", (unsigned long)round, kcom_status_name(status));
        for (i = 0; i < UNLOAD_TASKS; i++) {
            kcom_async_status state = KCOM_ASYNC_STARTED;
            ended += IAsyncULONG_get_status(ops[i], &state) == STATUS_SUCCESS && state != KCOM_ASYNC_STARTED;
            IAsyncULONG_Release(ops[i]);
        }
        kcom_work_item_executor_destroy(work);
        kcom_dpc_executor_destroy(dpc);
        kcom_tracker_destroy(tracker);
        status = kcom_uninitialize();
        uninitialized += status == STATUS_SUCCESS;
        ok(status == STATUS_SUCCESS, "round %lu: kcom_uninitialize: %s\n", (unsigned long)round,
           kcom_status_name(status));
        ok(kcom_counting_allocator_live(&counter) == 0, "round %lu: %ld blocks still allocated\n",
           (unsigned long)round, (long)kcom_counting_allocator_live(&counter));
    }
    ok(ended == 40 * UNLOAD_TASKS, "every task ended before its drain returned: %lu\n", (unsigned long)ended);
    ok(uninitialized == 40, "kcom_uninitialize succeeded in %lu of 40 rounds\n", (unsigned long)uninitialized);
    ok(kcom_initialize() == STATUS_SUCCESS, "initialize again\n");
}

static void drain_rules(void)
{
    kcom_tracker *tracker = (kcom_tracker *)&device_object;
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *untracked = NULL;
    IKcomAsyncOperation *source = NULL;
    IAsyncULONG *op;
    ULONG value = 4;
    UCHAR irql;
    begin();
    ok(kcom_tracker_create(NULL) == STATUS_INVALID_PARAMETER, "NULL\n");
    ok(kcom_tracker_drain(NULL, 0) == STATUS_INVALID_PARAMETER, "drain NULL\n");
    ok(kcom_tracker_outstanding(NULL) == 0, "outstanding NULL\n");
    kcom_tracker_destroy(NULL);
    ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "create\n");
    irql = kcom_platform_raise_to_dispatch();
    ok(kcom_tracker_drain(tracker, 0) == STATUS_INVALID_DEVICE_STATE, "drain refused at DISPATCH_LEVEL\n");
    kcom_platform_lower_irql(irql);
    /* the DPC flush at its end (KeFlushQueuedDpcs) is for PASSIVE_LEVEL only */
    irql = kcom_sim_raise_irql(KCOM_PLATFORM_APC_LEVEL);
    ok(kcom_tracker_drain(tracker, 0) == STATUS_INVALID_DEVICE_STATE, "drain refused at APC_LEVEL\n");
    ok(kcom_tracker_cancel_and_drain(tracker, 0) == STATUS_INVALID_DEVICE_STATE,
       "cancel and drain refused at APC_LEVEL\n");
    kcom_sim_lower_irql(irql);
    /* an executor without a tracker counts nothing */
    ok(kcom_dpc_executor_create(NULL, &dpc, &untracked) == STATUS_SUCCESS, "untracked executor\n");
    op = spawn_waiting(untracked, &source);
    ok(kcom_tracker_outstanding(tracker) == 0, "not counted\n");
    ok(kcom_tracker_drain(tracker, 0) == STATUS_SUCCESS, "an empty tracker drains at once\n");
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete\n");
    ok(kcom_async_block_on(IAsyncULONG_generic(op), 20000) == STATUS_SUCCESS, "finished\n");
    expect(op, STATUS_SUCCESS);
    source->lpVtbl->Release(source);
    kcom_dpc_executor_destroy(dpc);
    kcom_tracker_destroy(tracker);
    end();
}

/* An unfinished task destroyed when its last reference goes leaves the tracker. */
typedef struct parked_state {
    kcom_task *volatile *slot;
} parked_state;

static kcom_poll_result parked_poll(void *p, kcom_task_context *cx)
{
    kcom_waker w = kcom_task_waker(cx);
    kcom_atomic_store_ptr((void *volatile *)((parked_state *)p)->slot, w.task);
    return KCOM_POLL_PENDING;
}

static const kcom_async_task_desc parked_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, parked_state, parked_poll, NULL);

static void destroyed_task_leaves(void)
{
    kcom_tracker *tracker = NULL;
    kcom_work_item_executor_config config;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_work = NULL;
    kcom_task *volatile slot = NULL;
    parked_state initial;
    IAsyncULONG *op;
    kcom_waker w;
    ULONG64 deadline;
    begin();
    ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "create\n");
    memset(&config, 0, sizeof(config));
    config.tracker = tracker;
    ok(kcom_work_item_executor_create(&device_object, &config, &work, &on_work) == STATUS_SUCCESS, "executor\n");
    initial.slot = &slot;
    op = spawn_on(&parked_desc, on_work, &initial);
    deadline = test_now_ms() + 20000;
    while ((w.task = (kcom_task *)kcom_atomic_load_ptr((void *volatile *)&slot)) == NULL && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(w.task != NULL, "parked\n");
    ok(kcom_tracker_outstanding(tracker) == 1, "counted\n");
    IAsyncULONG_Release(op);
    kcom_waker_drop(&w);
    ok(kcom_tracker_drain(tracker, 20000) == STATUS_SUCCESS, "the destroyed task left the tracker\n");
    kcom_work_item_executor_destroy(work);
    kcom_tracker_destroy(tracker);
    end();
}

/* Each allocation of the creation functions fails in turn: a documented status, outputs zeroed,
 * nothing left allocated; then the objects are freed to the allocator they came from even though
 * the default changed meanwhile. */
static void creation_failures(void)
{
    kcom_counting_allocator other;
    LONG n, failures = 0;
    begin();
    kcom_counting_allocator_init(&other, NULL);
    for (n = 1; n < 10; n++) {
        kcom_tracker *tracker = (kcom_tracker *)&device_object;
        kcom_dpc_executor *dpc = (kcom_dpc_executor *)&device_object;
        kcom_work_item_executor *work = (kcom_work_item_executor *)&device_object;
        const kcom_executor *on_dpc = (const kcom_executor *)&device_object, *on_work = on_dpc;
        NTSTATUS tracker_status, dpc_status, work_status;
        kcom_set_default_allocator(&counter.allocator);
        kcom_counting_allocator_fail_nth(&counter, n);
        tracker_status = kcom_tracker_create(&tracker);
        kcom_counting_allocator_fail_nth(&counter, n);
        dpc_status = kcom_dpc_executor_create(NULL, &dpc, &on_dpc);
        kcom_counting_allocator_fail_nth(&counter, n);
        work_status = kcom_work_item_executor_create(&device_object, NULL, &work, &on_work);
        kcom_counting_allocator_fail_nth(&counter, 0);
        kcom_set_default_allocator(&other.allocator); /* destroy must not use this one */
        if (tracker_status != STATUS_SUCCESS) {
            failures++;
            ok(tracker_status == STATUS_INSUFFICIENT_RESOURCES && tracker == NULL, "tracker, failure %ld: %s\n",
               (long)n, kcom_status_name(tracker_status));
        }
        if (dpc_status != STATUS_SUCCESS) {
            failures++;
            ok(dpc_status == STATUS_INSUFFICIENT_RESOURCES && dpc == NULL && on_dpc == NULL,
               "DPC executor, failure %ld: %s\n", (long)n, kcom_status_name(dpc_status));
        }
        if (work_status != STATUS_SUCCESS) {
            failures++;
            ok(work_status == STATUS_INSUFFICIENT_RESOURCES && work == NULL && on_work == NULL,
               "work-item executor, failure %ld: %s\n", (long)n, kcom_status_name(work_status));
        }
        if (tracker_status == STATUS_SUCCESS)
            kcom_tracker_destroy(tracker);
        if (dpc_status == STATUS_SUCCESS)
            kcom_dpc_executor_destroy(dpc);
        if (work_status == STATUS_SUCCESS)
            kcom_work_item_executor_destroy(work);
        ok(kcom_counting_allocator_live(&counter) == 0 && kcom_counting_allocator_live(&other) == 0,
           "round %ld: nothing left allocated\n", (long)n);
    }
    ok(failures == 3, "each creation failed once (its one allocation from the default allocator): %ld\n",
       (long)failures);
    kcom_set_default_allocator(NULL);
    end();
}

int main(void)
{
    static const char *const names[] = {"tracker_drain_outstanding",  "tracker_drain_timeout",
                                        "tracker_cancel_all",         "tracker_spawn_races",
                                        "tracker_unload_cycles",      "tracker_rules",
                                        "tracker_destroyed_task_leaves", "executor_creation_failures",
                                        "tracker_destroy_after_timed_out_drain", "tracker_cancel_all_ends_the_drain"};
    static void (*const tests[])(void) = {drain_outstanding, drain_timeout, cancel_all,
                                          spawn_races,       unload_cycles, drain_rules,
                                          destroyed_task_leaves, creation_failures,
                                          destroy_after_timed_out_drain, cancel_all_ends_the_drain};
    return async_test_main(names, tests, 10);
}
