/*
 * test_dpc_executor.c - the DPC executor on the host's simulation of the kernel: poll and time
 * budgets, one DPC insert per burst of wakes, polls at DISPATCH_LEVEL, a wake storm from other threads (never a concurrent poll,
 * never a lost wake), cancellation in every state, destroy with tasks still queued, and each task
 * polled on the processor that woke it, a woken task polled while another keeps yielding, and runs
 * that keep requeuing themselves giving the processor to its threads.
 */
#include "executor_test_common.h"
#include "wake_slot.h"

#include <kcom/dpc_executor.h>

#include "../host/child_process.h"
#include <string.h>
#include <unistd.h>

/* ---- budgets ------------------------------------------------------------------------------------------- */

/* Yields until it has been polled target times; records how many polls each DPC run gave it. */
typedef struct yield_state {
    ULONG target;
    ULONG polls;
    ULONG spin_us;  /* busy time per poll */
    const kcom_dpc_executor *executor;
    ULONG64 last_run;
    ULONG in_run;     /* polls in the current run */
    ULONG max_in_run; /* most polls in one run */
    ULONG bad_irql;
} yield_state;

static kcom_poll_result yield_poll(void *p, kcom_task_context *cx)
{
    yield_state *s = (yield_state *)p;
    kcom_dpc_executor_stats stats;
    kcom_dpc_executor_get_stats(s->executor, &stats);
    if (stats.runs != s->last_run) {
        s->last_run = stats.runs;
        s->in_run = 0;
    }
    if (++s->in_run > s->max_in_run)
        s->max_in_run = s->in_run;
    if (kcom_platform_irql() != KCOM_PLATFORM_DISPATCH_LEVEL)
        s->bad_irql++;
    if (s->spin_us != 0) {
        ULONG64 start = kcom_platform_monotonic_us();
        while (kcom_platform_monotonic_us() - start < s->spin_us)
            kcom_cpu_relax();
    }
    if (++s->polls < s->target) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    KCOM_TASK_RESULT(cx, ULONG) = s->max_in_run;
    cx->status = s->bad_irql == 0 ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_STATE;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc yield_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, yield_state, yield_poll, NULL);

/* A task that keeps yielding is polled at most budget times per run: 200 polls take at least
 * 200 / budget runs, each but the last requeued. budget 0: the default. */
static void check_poll_budget(ULONG budget)
{
    ULONG expected = budget != 0 ? budget : KCOM_DPC_DEFAULT_POLL_BUDGET;
    kcom_dpc_executor_config config;
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    kcom_dpc_executor_stats stats;
    yield_state initial;
    ULONG max_in_run;
    memset(&config, 0, sizeof(config));
    config.poll_budget = budget;
    ok(kcom_dpc_executor_create(&config, &dpc, &executor) == STATUS_SUCCESS && dpc != NULL && executor != NULL,
       "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.target = 200;
    initial.executor = dpc;
    initial.last_run = ~(ULONG64)0;
    max_in_run = finish(spawn_on(&yield_desc, executor, &initial), STATUS_SUCCESS);
    kcom_platform_dpc_flush(); /* the run that finished the task adds its polls as it ends */
    kcom_dpc_executor_get_stats(dpc, &stats);
    ok(max_in_run <= expected, "budget %lu: a run polled the task %lu times\n", (unsigned long)expected,
       (unsigned long)max_in_run);
    ok(stats.polls == 200, "%llu polls\n", (unsigned long long)stats.polls);
    ok(stats.runs >= (200 + expected - 1) / expected, "200 polls in %llu DPC runs\n", (unsigned long long)stats.runs);
    ok(stats.requeues >= (200 + expected - 1) / expected - 1, "%llu requeues\n", (unsigned long long)stats.requeues);
    kcom_dpc_executor_destroy(dpc);
}

static void poll_budget(void)
{
    begin();
    check_poll_budget(0);
    check_poll_budget(1);
    check_poll_budget(3);
    end();
}

/* A burst of wakes inserts each processor's DPC once: 50 tasks spawned while DPCs are held share
 * one insert per simulated processor (the spawning thread's schedules go round-robin), and a run
 * whose tasks wake themselves inserts the DPC again once, not once per wake. */
static void one_insert_per_burst(void)
{
    enum { TASKS = 50, POLLS = 10 };
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    kcom_dpc_executor_stats stats;
    IAsyncULONG *ops[TASKS];
    yield_state initial;
    ULONG64 inserts;
    int i;
    begin();
    ok(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.target = POLLS;
    initial.executor = dpc;
    initial.last_run = ~(ULONG64)0;
    kcom_sim_hold_dpcs(TRUE);
    inserts = kcom_sim_dpc_inserts();
    for (i = 0; i < TASKS; i++)
        ops[i] = spawn_on(&yield_desc, executor, &initial);
    ok(kcom_sim_dpc_inserts() - inserts ==
           (kcom_platform_processor_count() < TASKS ? kcom_platform_processor_count() : (ULONG)TASKS),
       "%llu inserts for %d spawns\n", (unsigned long long)(kcom_sim_dpc_inserts() - inserts), TASKS);
    kcom_sim_hold_dpcs(FALSE);
    for (i = 0; i < TASKS; i++)
        (void)finish(ops[i], STATUS_SUCCESS);
    kcom_platform_dpc_flush();
    kcom_dpc_executor_get_stats(dpc, &stats);
    ok(stats.polls == (ULONG64)TASKS * POLLS, "%llu polls\n", (unsigned long long)stats.polls);
    /* every run inserts at most once more (its first wake, or its budget): far fewer than the 450
     * wakes */
    ok(kcom_sim_dpc_inserts() - inserts <= stats.runs + kcom_platform_processor_count(), "%llu inserts for %llu runs\n",
       (unsigned long long)(kcom_sim_dpc_inserts() - inserts), (unsigned long long)stats.runs);
    kcom_dpc_executor_destroy(dpc);
    end();
}

static void time_budget(void)
{
    kcom_dpc_executor_config config;
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    kcom_dpc_executor_stats stats;
    yield_state initial;
    ULONG max_in_run;
    begin();
    memset(&config, 0, sizeof(config));
    config.poll_budget = 1000000;
    config.time_budget_us = 1000;
    ok(kcom_dpc_executor_create(&config, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.target = 40;
    initial.spin_us = 200;
    initial.executor = dpc;
    initial.last_run = ~(ULONG64)0;
    max_in_run = finish(spawn_on(&yield_desc, executor, &initial), STATUS_SUCCESS);
    kcom_platform_dpc_flush();
    kcom_dpc_executor_get_stats(dpc, &stats);
    /* each poll takes at least 200 us and a run stops once 1000 us have passed */
    ok(max_in_run <= 5, "a 1 ms run polled 200 us polls %lu times\n", (unsigned long)max_in_run);
    ok(stats.runs >= 8, "40 polls of 200 us in %llu runs\n", (unsigned long long)stats.runs);
    kcom_dpc_executor_destroy(dpc);
    end();
}

/* ---- a wake storm --------------------------------------------------------------------------------------- */

#define STORM_TASKS 4
#define STORM_THREADS 2
#define STORM_WAKES 3000 /* per thread */

typedef struct storm_slot {
    wake_slot wakes;
    ULONG target;
} storm_slot;

static storm_slot storm[STORM_TASKS];

typedef struct storm_state {
    storm_slot *slot;
    ULONG seen;
    ULONG polls;
} storm_state;

static kcom_poll_result storm_poll(void *p, kcom_task_context *cx)
{
    storm_state *s = (storm_state *)p;
    storm_slot *slot = s->slot;
    kcom_poll_result result = KCOM_POLL_PENDING;
    wake_slot_enter(&slot->wakes);
    s->polls++;
    if (wake_slot_collect(&slot->wakes, cx, &s->seen, slot->target)) {
        KCOM_TASK_RESULT(cx, ULONG) = s->polls;
        cx->status = STATUS_SUCCESS;
        result = KCOM_POLL_READY;
    }
    wake_slot_leave(&slot->wakes);
    return result;
}

static const kcom_async_task_desc storm_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, storm_state, storm_poll, NULL);

static void *storm_thread(void *arg)
{
    ULONG t = (ULONG)(ULONG_PTR)arg, i;
    for (i = 0; i < STORM_WAKES; i++) {
        wake_slot_send(&storm[(i + t) % STORM_TASKS].wakes);
        if ((i & 63) == 0)
            test_yield();
    }
    return NULL;
}

static void wake_storm(void)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    IAsyncULONG *ops[STORM_TASKS];
    test_thread threads[STORM_THREADS];
    ULONG i;
    begin();
    ok(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    memset(storm, 0, sizeof(storm));
    for (i = 0; i < STORM_TASKS; i++) {
        storm_state initial;
        storm[i].target = STORM_THREADS * STORM_WAKES / STORM_TASKS;
        initial.slot = &storm[i];
        initial.seen = 0;
        initial.polls = 0;
        ops[i] = spawn_on(&storm_desc, executor, &initial);
    }
    for (i = 0; i < STORM_THREADS; i++)
        test_thread_start(&threads[i], storm_thread, (void *)(ULONG_PTR)i);
    for (i = 0; i < STORM_THREADS; i++)
        test_thread_join(&threads[i]);
    for (i = 0; i < STORM_TASKS; i++) {
        ULONG polls = finish(ops[i], STATUS_SUCCESS);
        ok(storm[i].wakes.concurrent == 0, "task %lu: %ld concurrent polls\n", (unsigned long)i,
           (long)storm[i].wakes.concurrent);
        ok(polls >= 1 && polls <= storm[i].target + 1, "task %lu: %lu polls\n", (unsigned long)i, (unsigned long)polls);
    }
    kcom_dpc_executor_destroy(dpc);
    end();
}

/* ---- cancellation in every state ------------------------------------------------------------------------ */

/* Waits on a source operation (or, with spin_until_set, first spins in its poll until the test
 * says so); counts the cancellation requests it sees. */
typedef struct cancel_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
    LONG volatile *in_poll;        /* set while the first poll spins */
    LONG volatile *release_spin;   /* the first poll spins until this is set */
    LONG *requests_seen;
    LONG *drops;
} cancel_state;

static void cancel_drop(void *p)
{
    cancel_state *s = (cancel_state *)p;
    kcom_async_await_clear(&s->source);
    (*s->drops)++;
}

static kcom_poll_result cancel_poll(void *p, kcom_task_context *cx)
{
    cancel_state *s = (cancel_state *)p;
    KCOM_TASK_BEGIN(s);
    if (s->release_spin != NULL) {
        kcom_atomic_store(s->in_poll, 1);
        while (!kcom_atomic_load(s->release_spin))
            kcom_cpu_relax();
    }
    KCOM_AWAIT(kcom_task_take_cancellation_request(cx) ? ((*s->requests_seen)++, KCOM_POLL_READY)
                                                        : kcom_async_await_poll(&s->source, cx));
    if (kcom_task_take_cancellation_request(cx))
        (*s->requests_seen)++;
    KCOM_TASK_RETURN(cx, *s->requests_seen != 0 ? STATUS_CANCELLED : STATUS_SUCCESS);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc cancel_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, cancel_state, cancel_poll, cancel_drop);

static IAsyncULONG *spawn_cancel(const kcom_executor *executor, IKcomAsyncOperation **source, LONG *seen,
                                 LONG *drops, LONG volatile *in_poll, LONG volatile *release_spin)
{
    cancel_state initial;
    memset(&initial, 0, sizeof(initial));
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), source) == STATUS_SUCCESS,
       "source\n");
    (*source)->lpVtbl->AddRef(*source);
    kcom_async_await_init(&initial.source, *source);
    initial.in_poll = in_poll;
    initial.release_spin = release_spin;
    initial.requests_seen = seen;
    initial.drops = drops;
    return spawn_on(&cancel_desc, executor, &initial);
}

static void wait_for_status(IAsyncULONG *op, kcom_async_status expected)
{
    kcom_async_status status = KCOM_ASYNC_STARTED;
    ULONG64 deadline = test_now_ms() + 20000;
    while (IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status != expected && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(status == expected, "status %ld, expected %ld\n", (long)status, (long)expected);
}

static void cancellation(void)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *source = NULL;
    IAsyncULONG *op;
    LONG seen, drops;
    LONG volatile in_poll, release_spin;
    ULONG value = 7;
    begin();
    ok(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS, "create\n");

    /* queued: the DPC has not run yet */
    seen = drops = 0;
    kcom_sim_hold_dpcs(TRUE);
    op = spawn_cancel(executor, &source, &seen, &drops, NULL, NULL);
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel while queued\n");
    kcom_sim_hold_dpcs(FALSE);
    finish(op, STATUS_CANCELLED);
    ok(seen == 1 && drops == 1, "queued: request seen %ld times, %ld drops\n", (long)seen, (long)drops);
    source->lpVtbl->Release(source);

    /* running: cancel during the first poll */
    seen = drops = 0;
    in_poll = release_spin = 0;
    op = spawn_cancel(executor, &source, &seen, &drops, &in_poll, &release_spin);
    while (!kcom_atomic_load(&in_poll))
        test_yield();
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel while running\n");
    kcom_atomic_store(&release_spin, 1);
    finish(op, STATUS_CANCELLED);
    ok(seen == 1 && drops == 1, "running: request seen %ld times, %ld drops\n", (long)seen, (long)drops);
    source->lpVtbl->Release(source);

    /* idle: waiting on the source */
    seen = drops = 0;
    op = spawn_cancel(executor, &source, &seen, &drops, NULL, NULL);
    kcom_platform_dpc_flush(); /* its first poll has run: it waits */
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel while idle\n");
    finish(op, STATUS_CANCELLED);
    ok(seen == 1 && drops == 1, "idle: request seen %ld times, %ld drops\n", (long)seen, (long)drops);
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "the source still completes\n");
    source->lpVtbl->Release(source);

    /* done: a cancel after completion changes nothing */
    seen = drops = 0;
    op = spawn_cancel(executor, &source, &seen, &drops, NULL, NULL);
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete the source\n");
    wait_for_status(op, KCOM_ASYNC_COMPLETED);
    (void)IAsyncULONG_cancel(op);
    finish(op, STATUS_SUCCESS);
    ok(seen == 0 && drops == 1, "done: request seen %ld times, %ld drops\n", (long)seen, (long)drops);
    source->lpVtbl->Release(source);

    kcom_dpc_executor_destroy(dpc);
    end();
}

/* ---- each task on the processor that woke it ------------------------------------------------------------ */

/* Yields target times; records the simulated processor of each poll after the first (which runs on
 * the spawning thread) and counts the polls that ran on another processor than the one before. */
typedef struct locality_state {
    ULONG target;
    ULONG polls;
    LONG last;      /* the processor of the previous poll; -1 before the first in a DPC */
    ULONG moves;    /* polls on another processor than the previous one */
    ULONG seen;     /* bit i: a poll ran on processor i */
} locality_state;

static kcom_poll_result locality_poll(void *p, kcom_task_context *cx)
{
    locality_state *s = (locality_state *)p;
    LONG processor = kcom_sim_current_processor();
    if (processor >= 0) {
        if (s->last >= 0 && processor != s->last)
            s->moves++;
        s->last = processor;
        s->seen |= processor < 32 ? 1u << processor : 0u; /* (the test asks for 2 processors) */
    }
    if (++s->polls < s->target) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    KCOM_TASK_RESULT(cx, ULONG) = s->moves * 100u + s->seen;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc locality_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, locality_state, locality_poll, NULL);

/* A task that wakes itself is polled again on the processor whose run polled it, across runs and
 * budgets (it never moves); spawns from a test thread spread over both processors. */
static void processor_locality(void)
{
    enum { TASKS = 8, POLLS = 300 };
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    IAsyncULONG *ops[TASKS];
    locality_state initial;
    ULONG seen = 0;
    int i;
    begin();
    ok(kcom_platform_processor_count() == 2, "%lu simulated processors\n", (unsigned long)kcom_platform_processor_count());
    ok(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.target = POLLS;
    initial.last = -1;
    for (i = 0; i < TASKS; i++)
        ops[i] = spawn_on(&locality_desc, executor, &initial);
    for (i = 0; i < TASKS; i++) {
        ULONG result = finish(ops[i], STATUS_SUCCESS);
        ok(result / 100u == 0, "task %d moved %lu times\n", i, (unsigned long)(result / 100u));
        ok(result % 100u == 1 || result % 100u == 2, "task %d ran on processors %#lx\n", i,
           (unsigned long)(result % 100u));
        seen |= result % 100u;
    }
    ok(seen == 3, "the tasks ran on processors %#lx\n", (unsigned long)seen);
    kcom_dpc_executor_destroy(dpc);
    end();
}

/* ---- destroy with tasks queued ------------------------------------------------------------------------- */

static void *destroy_thread(void *arg)
{
    kcom_dpc_executor_destroy((kcom_dpc_executor *)arg);
    return NULL;
}

static void destroy_drops_queued(void)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *sources[3];
    IAsyncULONG *ops[3];
    LONG seen[3] = {0, 0, 0}, drops[3] = {0, 0, 0};
    test_thread thread;
    ULONG i;
    begin();
    ok(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    kcom_sim_hold_dpcs(TRUE);
    for (i = 0; i < 3; i++)
        ops[i] = spawn_cancel(executor, &sources[i], &seen[i], &drops[i], NULL, NULL);
    (void)IAsyncULONG_cancel(ops[2]);
    /* destroy drops the queue at once, then waits (DPC flush) for the held DPC */
    test_thread_start(&thread, destroy_thread, dpc);
    wait_for_status(ops[0], KCOM_ASYNC_ERROR);
    kcom_sim_hold_dpcs(FALSE);
    test_thread_join(&thread);
    for (i = 0; i < 3; i++) {
        finish(ops[i], i == 2 ? STATUS_CANCELLED : STATUS_INVALID_DEVICE_STATE);
        ok(drops[i] == 1 && seen[i] == 0, "task %lu: %ld drops, %ld polls seeing a request\n", (unsigned long)i,
           (long)drops[i], (long)seen[i]);
        sources[i]->lpVtbl->Release(sources[i]);
    }
    end();
}

/* ---- fairness ---------------------------------------------------------------------------------------------- */

static void woken_task_not_starved(void)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    ok(kcom_sim_set_processor_count(1) == STATUS_SUCCESS, "one processor\n");
    begin();
    ok(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    check_woken_task_not_starved(executor);
    kcom_dpc_executor_destroy(dpc);
    end();
    ok(kcom_sim_set_processor_count(2) == STATUS_SUCCESS, "two processors again\n");
}

/* A task that yields forever keeps its lane's runs ending on their budget, each inserting the DPC
 * again: on Windows the processor's DPC queue then never empties and its threads never run. Once
 * such runs have kept the processor for dispatch_limit_us, the next one waits for a timer: the
 * polls pause (the processor is the threads'), then go on. */
typedef struct endless_state {
    LONG volatile *stop;
    ULONG64 last_us;
    ULONG64 longest_gap_us;
    ULONG polls;
} endless_state;

static kcom_poll_result endless_poll(void *p, kcom_task_context *cx)
{
    endless_state *s = (endless_state *)p;
    ULONG64 now = kcom_platform_monotonic_us();
    if (s->polls++ != 0 && now - s->last_us > s->longest_gap_us)
        s->longest_gap_us = now - s->last_us;
    s->last_us = now;
    if (kcom_atomic_load(s->stop) == 0) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    KCOM_TASK_RESULT(cx, ULONG) = (ULONG)(s->longest_gap_us < 0xFFFFFFFFu ? s->longest_gap_us : 0xFFFFFFFFu);
    cx->status = s->polls > 100 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc endless_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, endless_state, endless_poll, NULL);

static void check_yield_loop_gives_way(ULONG limit_us)
{
    kcom_dpc_executor_config config;
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    kcom_dpc_executor_stats stats;
    LONG volatile stop = 0;
    endless_state initial;
    ULONG gap_us;
    ULONG64 deadline;
    memset(&config, 0, sizeof(config));
    config.dispatch_limit_us = limit_us;
    ok(kcom_dpc_executor_create(&config, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.stop = &stop;
    {
        IAsyncULONG *op = spawn_on(&endless_desc, executor, &initial);
        deadline = test_now_ms() + 20000;
        do {
            test_sleep_ms(5);
            kcom_dpc_executor_get_stats(dpc, &stats);
        } while (stats.deferrals < 3 && test_now_ms() < deadline);
        kcom_atomic_store(&stop, 1);
        gap_us = finish(op, STATUS_SUCCESS);
    }
    kcom_dpc_executor_get_stats(dpc, &stats);
    ok(stats.deferrals >= 3, "limit %lu us: %llu runs gave way in %llu requeues\n", (unsigned long)limit_us,
       (unsigned long long)stats.deferrals, (unsigned long long)stats.requeues);
    /* a run that gives way waits for a timer of at least a millisecond */
    ok(gap_us >= 500, "limit %lu us: the longest pause between polls was %lu us\n", (unsigned long)limit_us,
       (unsigned long)gap_us);
    kcom_dpc_executor_destroy(dpc);
}

static void yield_loop_gives_way(void)
{
    ok(kcom_sim_set_processor_count(1) == STATUS_SUCCESS, "one processor\n");
    begin();
    check_yield_loop_gives_way(0); /* the default */
    check_yield_loop_gives_way(200);
    end();
    ok(kcom_sim_set_processor_count(2) == STATUS_SUCCESS, "two processors again\n");
}

/* Destroyed while its lane waits for the timer (or while a run decides to), the executor drops the
 * task and returns: the timer is canceled or waited for. */
static void destroy_while_giving_way(void)
{
    int round;
    ok(kcom_sim_set_processor_count(1) == STATUS_SUCCESS, "one processor\n");
    begin();
    for (round = 0; round < 20; round++) {
        kcom_dpc_executor_config config;
        kcom_dpc_executor *dpc = NULL;
        const kcom_executor *executor = NULL;
        kcom_dpc_executor_stats stats;
        LONG volatile stop = 0;
        endless_state initial;
        IAsyncULONG *op;
        ULONG64 deadline = test_now_ms() + 20000;
        memset(&config, 0, sizeof(config));
        config.poll_budget = 1;
        config.dispatch_limit_us = 50;
        ok(kcom_dpc_executor_create(&config, &dpc, &executor) == STATUS_SUCCESS, "create\n");
        memset(&initial, 0, sizeof(initial));
        initial.stop = &stop;
        op = spawn_on(&endless_desc, executor, &initial);
        do {
            test_sleep_ms(1); /* the destroy lands at any point of the lane's cycle */
            kcom_dpc_executor_get_stats(dpc, &stats);
        } while (stats.deferrals < (ULONG64)(round % 3) + 1 && test_now_ms() < deadline);
        kcom_dpc_executor_destroy(dpc);
        finish(op, STATUS_INVALID_DEVICE_STATE);
    }
    end();
    ok(kcom_sim_set_processor_count(2) == STATUS_SUCCESS, "two processors again\n");
}

/* Destroyed above PASSIVE_LEVEL, the executor fails fast naming the IRQL before it changes
 * anything (its DPC flush is for PASSIVE_LEVEL only). */
static void destroy_above_passive_child(const void *context)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    (void)context;
    kcom_set_trace_hook(kcom_test_child_trace_hook, NULL);
    if (kcom_dpc_executor_create(NULL, &dpc, &executor) != STATUS_SUCCESS)
        _exit(10);
    (void)kcom_sim_raise_irql(KCOM_PLATFORM_APC_LEVEL);
    kcom_dpc_executor_destroy(dpc);
    _exit(11); /* not reached when the destroy fails fast */
}

static void destroy_above_passive(void)
{
    begin();
    kcom_test_child_fails_fast("DPC executor destroyed at APC_LEVEL", destroy_above_passive_child, NULL, "fail-fast 7",
                               "kcom_dpc_executor_destroy at IRQL 1: it needs PASSIVE_LEVEL");
    end();
}

int main(void)
{
    static const char *const names[] = {"dpc_poll_budget",  "dpc_one_insert_per_burst", "dpc_time_budget",
                                        "dpc_wake_storm",   "dpc_cancellation",         "dpc_destroy_drops_queued",
                                        "dpc_processor_locality", "dpc_woken_task_not_starved",
                                        "dpc_yield_loop_gives_way", "dpc_destroy_while_giving_way",
                                        "dpc_destroy_above_passive"};
    static void (*const tests[])(void) = {poll_budget,  one_insert_per_burst, time_budget,
                                          wake_storm,   cancellation,         destroy_drops_queued,
                                          processor_locality, woken_task_not_starved,
                                          yield_loop_gives_way, destroy_while_giving_way, destroy_above_passive};
    return async_test_main(names, tests, 11);
}
