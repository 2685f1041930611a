/*
 * test_work_item_executor.c - the work-item executor on the host's simulation of the kernel:
 * argument checks, polls at PASSIVE_LEVEL off the DPC processors with a poll budget, a wake
 * during a poll (the simulation fails fast if a work item is queued twice), a task that yields
 * stays on its lane, a task freed before it finished, destroy waiting for the routine, and each
 * lane on cache lines of its own, a woken task polled while another keeps yielding, and a time
 * budget.
 */
#include "executor_test_common.h"

#include <kcom/work_item_executor.h>

#include "../host/child_process.h"

#include <unistd.h>

#include <stdlib.h>
#include <string.h>

static int device_object; /* the simulation needs only a non-NULL pointer */

static void arguments(void)
{
    kcom_work_item_executor *executor = (kcom_work_item_executor *)&device_object;
    const kcom_executor *as_executor = (const kcom_executor *)&device_object;
    begin();
    ok(kcom_work_item_executor_create(NULL, NULL, &executor, &as_executor) == STATUS_INVALID_PARAMETER,
       "NULL device\n");
    ok(executor == NULL && as_executor == NULL, "outputs zeroed\n");
    ok(kcom_work_item_executor_create(&device_object, NULL, NULL, &as_executor) == STATUS_INVALID_PARAMETER,
       "NULL executor\n");
    ok(kcom_work_item_executor_create(&device_object, NULL, &executor, NULL) == STATUS_INVALID_PARAMETER,
       "NULL as_executor\n");
    ok(executor == NULL, "output zeroed\n");
    ok(kcom_work_item_executor_create(&device_object, NULL, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    {
        kcom_work_item_executor_stats stats;
        memset(&stats, 0xcc, sizeof(stats));
        kcom_work_item_executor_get_stats(executor, &stats);
        ok(stats.runs == 0 && stats.polls == 0 && stats.requeues == 0, "a new executor's counters are 0\n");
        memset(&stats, 0xcc, sizeof(stats));
        kcom_work_item_executor_get_stats(NULL, &stats);
        ok(stats.runs == 0 && stats.polls == 0 && stats.requeues == 0, "a NULL executor's counters are 0\n");
        kcom_work_item_executor_get_stats(executor, NULL); /* ignored */
    }
    kcom_work_item_executor_destroy(executor);
    kcom_work_item_executor_destroy(NULL);
    end();
}

/* The counters once polls polls have been counted: a run adds its own when it ends, which may be
 * after the task it polled last has finished (at most 5 s). */
static kcom_work_item_executor_stats stats_after(const kcom_work_item_executor *executor, ULONG64 polls)
{
    kcom_work_item_executor_stats stats;
    ULONG64 start = kcom_platform_monotonic_ms();
    for (;;) {
        kcom_work_item_executor_get_stats(executor, &stats);
        if (stats.polls >= polls || kcom_platform_monotonic_ms() - start > 5000)
            return stats;
        kcom_platform_sleep_ms(1);
    }
}

/* ---- each lane on cache lines of its own ---------------------------------------------------------------- */

/* The executor's one block from the default allocator, as asked for. */
static size_t recorded_size, recorded_alignment;

static void *recording_allocate(void *context, size_t size, size_t alignment)
{
    (void)context;
    recorded_size = size;
    recorded_alignment = alignment;
    return aligned_alloc(alignment, (size + alignment - 1) & ~(alignment - 1));
}

static void recording_free(void *context, void *block, size_t size, size_t alignment)
{
    (void)context;
    (void)size;
    (void)alignment;
    free(block);
}

/* A lane's lock and queue are written at each poll by the worker thread running its routine: a
 * lane that shared a cache line with the next lane or with the executor's head (read at each
 * schedule) would make two processors' workers take that line from each other at every poll. */
static void lanes_on_own_cache_lines(void)
{
    static const kcom_allocator recording = {recording_allocate, recording_free, NULL};
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    ULONG lanes;
    begin();
    lanes = kcom_platform_processor_count();
    ok(lanes >= 2, "%lu simulated processors\n", (unsigned long)lanes);
    ok(kcom_set_default_allocator(&recording) == STATUS_SUCCESS, "recording allocator\n");
    ok(kcom_work_item_executor_create(&device_object, NULL, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "default allocator back\n");
    ok(recorded_alignment >= 64, "the block is cache-line aligned (%lu)\n", (unsigned long)recorded_alignment);
    ok(recorded_size >= (size_t)64 * (lanes + 1) && recorded_size % 64 == 0,
       "a cache line or more for the head and each of %lu lanes (%lu bytes)\n", (unsigned long)lanes,
       (unsigned long)recorded_size);
    kcom_work_item_executor_destroy(executor); /* frees to the allocator it came from */
    end();
}

/* ---- polls at PASSIVE_LEVEL, in budgets ------------------------------------------------------------------ */

typedef struct yield_state {
    ULONG target;
    ULONG polls;
    ULONG bad_context; /* polls at another IRQL or on a simulated processor */
} yield_state;

static kcom_poll_result yield_poll(void *p, kcom_task_context *cx)
{
    yield_state *s = (yield_state *)p;
    if (kcom_platform_irql() != KCOM_PLATFORM_PASSIVE_LEVEL || kcom_sim_current_processor() >= 0)
        s->bad_context++;
    if (++s->polls < s->target) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    KCOM_TASK_RESULT(cx, ULONG) = s->bad_context;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc yield_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, yield_state, yield_poll, NULL);

static void passive_polls(void)
{
    kcom_work_item_executor_config config;
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    IAsyncULONG *ops[3];
    yield_state initial;
    ULONG i;
    begin();
    memset(&config, 0, sizeof(config));
    config.poll_budget = 8;
    ok(kcom_work_item_executor_create(&device_object, &config, &executor, &as_executor) == STATUS_SUCCESS,
       "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.target = 150;
    for (i = 0; i < 3; i++)
        ops[i] = spawn_on(&yield_desc, as_executor, &initial);
    for (i = 0; i < 3; i++)
        ok(finish(ops[i], STATUS_SUCCESS) == 0, "task %lu polled at PASSIVE_LEVEL on a worker thread\n",
           (unsigned long)i);
    {
        /* 450 polls, at most 8 a run: 57 runs or more, each but a lane's last requeued */
        kcom_work_item_executor_stats stats = stats_after(executor, 450);
        ok(stats.polls == 450, "%lu polls counted\n", (unsigned long)stats.polls);
        ok(stats.runs >= 57 && stats.runs <= 450, "%lu runs\n", (unsigned long)stats.runs);
        ok(stats.requeues + kcom_platform_processor_count() >= 56 && stats.requeues < stats.runs,
           "%lu of %lu runs requeued\n", (unsigned long)stats.requeues, (unsigned long)stats.runs);
    }
    kcom_work_item_executor_destroy(executor);
    end();
}

/* ---- a task that yields stays on the lane that polls it ---------------------------------------------------- */

/* The simulation's worker threads are not tied to lanes (nor a system worker thread to a
 * processor): a yield queued on the lane of the processor the worker runs on would cross to the
 * other lane about every other poll, queueing that lane's work item each time. On the lane that
 * polled it, the task costs its lane's item one queue per poll budget. */
static void yields_stay_on_lane(void)
{
    kcom_work_item_executor_config config;
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    yield_state initial;
    ULONG64 before, queues;
    ULONG round;
    begin();
    ok(kcom_platform_processor_count() >= 2, "%lu simulated processors\n",
       (unsigned long)kcom_platform_processor_count());
    memset(&config, 0, sizeof(config));
    config.poll_budget = 64;
    ok(kcom_work_item_executor_create(&device_object, &config, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.target = 640; /* 10 budgets of 64 */
    for (round = 0; round < 8; round++) {
        before = kcom_sim_work_item_queues();
        ok(finish(spawn_on(&yield_desc, as_executor, &initial), STATUS_SUCCESS) == 0, "round %lu: polls\n",
           (unsigned long)round);
        queues = kcom_sim_work_item_queues() - before;
        ok(queues >= 10 && queues <= 12, "round %lu: 640 polls queued the work items %lu times\n",
           (unsigned long)round, (unsigned long)queues);
    }
    kcom_work_item_executor_destroy(executor);
    end();
}

/* ---- a wake during a poll ------------------------------------------------------------------------------- */

typedef struct handoff {
    kcom_task *volatile waker; /* handed to the waking thread */
    LONG volatile woke;
    LONG volatile stop;
} handoff;

typedef struct wake_state {
    handoff *h;
    ULONG polls;
} wake_state;

static kcom_poll_result wake_poll(void *p, kcom_task_context *cx)
{
    wake_state *s = (wake_state *)p;
    if (s->polls++ == 0) {
        /* hand a waker over and stay in the poll until it has been used */
        kcom_waker w = kcom_task_waker(cx);
        kcom_atomic_store(&s->h->woke, 0);
        kcom_atomic_store_ptr((void *volatile *)&s->h->waker, w.task);
        while (!kcom_atomic_load(&s->h->woke))
            kcom_cpu_relax();
        return KCOM_POLL_PENDING;
    }
    KCOM_TASK_RESULT(cx, ULONG) = s->polls;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc wake_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, wake_state, wake_poll, NULL);

static void *waking_thread(void *arg)
{
    handoff *h = (handoff *)arg;
    while (!kcom_atomic_load(&h->stop)) {
        kcom_waker w;
        w.task = (kcom_task *)kcom_atomic_exchange_ptr((void *volatile *)&h->waker, NULL);
        if (w.task == NULL) {
            test_yield();
            continue;
        }
        kcom_waker_wake(&w); /* the task is running: it is notified, and queued again after the poll */
        kcom_atomic_store(&h->woke, 1);
    }
    return NULL;
}

static void wake_during_poll(void)
{
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    handoff h;
    test_thread thread;
    ULONG i;
    begin();
    ok(kcom_work_item_executor_create(&device_object, NULL, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    memset(&h, 0, sizeof(h));
    test_thread_start(&thread, waking_thread, &h);
    for (i = 0; i < 200; i++) {
        wake_state initial;
        initial.h = &h;
        initial.polls = 0;
        ok(finish(spawn_on(&wake_desc, as_executor, &initial), STATUS_SUCCESS) == 2,
           "round %lu: polled twice\n", (unsigned long)i);
    }
    kcom_atomic_store(&h.stop, 1);
    test_thread_join(&thread);
    kcom_work_item_executor_destroy(executor);
    end();
}

/* ---- a task freed before it finished -------------------------------------------------------------------- */

typedef struct parked_state {
    kcom_task *volatile *slot; /* the task leaves its waker here and waits forever */
    LONG volatile *drops;
} parked_state;

static kcom_poll_result parked_poll(void *p, kcom_task_context *cx)
{
    parked_state *s = (parked_state *)p;
    kcom_waker w = kcom_task_waker(cx);
    kcom_atomic_store_ptr((void *volatile *)s->slot, w.task);
    return KCOM_POLL_PENDING;
}

static void parked_drop(void *p)
{
    kcom_atomic_fetch_add(((parked_state *)p)->drops, 1);
}

static const kcom_async_task_desc parked_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, parked_state, parked_poll, parked_drop);

static kcom_task *wait_for_slot(kcom_task *volatile *slot)
{
    ULONG64 deadline = test_now_ms() + 20000;
    kcom_task *task;
    while ((task = (kcom_task *)kcom_atomic_load_ptr((void *volatile *)slot)) == NULL && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(task != NULL, "the task parked\n");
    return task;
}

static void freed_before_finished(void)
{
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    kcom_task *volatile slot = NULL;
    LONG volatile drops = 0;
    ULONG64 deadline;
    parked_state initial;
    IAsyncULONG *op;
    kcom_waker w;
    kcom_async_status status = KCOM_ASYNC_COMPLETED;
    begin();
    ok(kcom_work_item_executor_create(&device_object, NULL, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    initial.slot = &slot;
    initial.drops = &drops;
    op = spawn_on(&parked_desc, as_executor, &initial);
    w.task = wait_for_slot(&slot);
    ok(IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_STARTED, "still started\n");
    IAsyncULONG_Release(op);
    ok(drops == 0, "the waker keeps it alive\n");
    /* the waker is the last reference once the routine has let go of the task */
    kcom_waker_drop(&w);
    deadline = test_now_ms() + 20000;
    while (kcom_atomic_load(&drops) == 0 && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(drops == 1, "the unfinished task was destroyed and its cleanup ran once: %ld\n", (long)drops);
    kcom_work_item_executor_destroy(executor);
    end();
}

/* ---- destroy waits for the routine ---------------------------------------------------------------------- */

typedef struct spin_state {
    LONG volatile *in_poll;
    LONG volatile *release;
    kcom_task *volatile *slot;
} spin_state;

static kcom_poll_result spin_poll(void *p, kcom_task_context *cx)
{
    spin_state *s = (spin_state *)p;
    kcom_waker w = kcom_task_waker(cx);
    kcom_atomic_store(s->in_poll, 1);
    while (!kcom_atomic_load(s->release))
        kcom_cpu_relax();
    kcom_atomic_store_ptr((void *volatile *)s->slot, w.task);
    return KCOM_POLL_PENDING;
}

static const kcom_async_task_desc spin_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, spin_state, spin_poll, NULL);

static LONG volatile destroyed;

static void *destroy_thread(void *arg)
{
    kcom_work_item_executor_destroy((kcom_work_item_executor *)arg);
    kcom_atomic_store(&destroyed, 1);
    return NULL;
}

static void destroy_waits_for_routine(void)
{
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    LONG volatile in_poll = 0, release = 0;
    kcom_task *volatile slot = NULL;
    spin_state initial;
    test_thread thread;
    IAsyncULONG *op;
    kcom_waker w;
    begin();
    ok(kcom_work_item_executor_create(&device_object, NULL, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    initial.in_poll = &in_poll;
    initial.release = &release;
    initial.slot = &slot;
    op = spawn_on(&spin_desc, as_executor, &initial);
    while (!kcom_atomic_load(&in_poll))
        test_yield();
    destroyed = 0;
    test_thread_start(&thread, destroy_thread, executor);
    test_sleep_ms(20);
    ok(!kcom_atomic_load(&destroyed), "destroy waits while the routine polls\n");
    kcom_atomic_store(&release, 1);
    test_thread_join(&thread);
    ok(destroyed, "destroy returned after the routine let go\n");
    w.task = wait_for_slot(&slot);
    IAsyncULONG_Release(op);
    kcom_waker_drop(&w);
    end();
}

/* ---- a time budget ------------------------------------------------------------------------------------------- */

typedef struct spin_yield_state {
    ULONG target;
    ULONG polls;
} spin_yield_state;

/* Yields target times, each poll busy for 200 us. */
static kcom_poll_result spin_yield_poll(void *p, kcom_task_context *cx)
{
    spin_yield_state *s = (spin_yield_state *)p;
    ULONG64 start = kcom_platform_monotonic_us();
    while (kcom_platform_monotonic_us() - start < 200)
        kcom_cpu_relax();
    if (++s->polls < s->target) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc spin_yield_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, spin_yield_state, spin_yield_poll, NULL);

/* A routine run stops once its time budget is spent, though its poll budget is far away: 40 polls
 * of 200 us with 1 ms per run take 8 runs or more. */
static void time_budget(void)
{
    kcom_work_item_executor_config config;
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    spin_yield_state initial;
    ULONG64 before, queues;
    begin();
    memset(&config, 0, sizeof(config));
    config.poll_budget = 1000000;
    config.time_budget_us = 1000;
    ok(kcom_work_item_executor_create(&device_object, &config, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    memset(&initial, 0, sizeof(initial));
    initial.target = 40;
    before = kcom_sim_work_item_queues();
    (void)finish(spawn_on(&spin_yield_desc, as_executor, &initial), STATUS_SUCCESS);
    queues = kcom_sim_work_item_queues() - before;
    ok(queues >= 8, "40 polls of 200 us in %lu routine runs\n", (unsigned long)queues);
    {
        kcom_work_item_executor_stats stats = stats_after(executor, 40);
        ok(stats.polls == 40 && stats.runs >= 8 && stats.requeues >= 7 && stats.requeues < stats.runs,
           "the time budget's runs counted: %lu polls, %lu runs, %lu requeued\n", (unsigned long)stats.polls,
           (unsigned long)stats.runs, (unsigned long)stats.requeues);
    }
    kcom_work_item_executor_destroy(executor);
    end();
}

/* ---- fairness ---------------------------------------------------------------------------------------------- */

static void woken_task_not_starved(void)
{
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    ok(kcom_sim_set_processor_count(1) == STATUS_SUCCESS, "one processor\n");
    begin();
    ok(kcom_work_item_executor_create(&device_object, NULL, &executor, &as_executor) == STATUS_SUCCESS, "create\n");
    check_woken_task_not_starved(as_executor);
    kcom_work_item_executor_destroy(executor);
    end();
    ok(kcom_sim_set_processor_count(2) == STATUS_SUCCESS, "two processors again\n");
}

/* Destroyed from one of its own tasks, the executor would wait for the routine that is waiting:
 * it fails fast, naming the mistake, instead of hanging the unload. */
typedef struct self_destroy_task {
    kcom_work_item_executor *executor;
} self_destroy_task;

static kcom_poll_result self_destroy_poll(void *p, kcom_task_context *cx)
{
    kcom_work_item_executor_destroy(((self_destroy_task *)p)->executor);
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc self_destroy_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, self_destroy_task, self_destroy_poll, NULL);

static void destroy_from_own_task_child(const void *context)
{
    self_destroy_task initial;
    const kcom_executor *as_executor = NULL;
    IAsyncULONG *op;
    (void)context;
    kcom_set_trace_hook(kcom_test_child_trace_hook, NULL);
    if (kcom_work_item_executor_create(&device_object, NULL, &initial.executor, &as_executor) != STATUS_SUCCESS)
        _exit(10);
    op = spawn_on(&self_destroy_desc, as_executor, &initial);
    (void)kcom_async_block_on((IKcomAsyncOperation *)(void *)op, 5000);
    _exit(11); /* not reached when the destroy fails fast */
}

static void destroy_from_own_task(void)
{
    begin();
    kcom_test_child_fails_fast("work-item executor destroyed from its own task", destroy_from_own_task_child, NULL,
                               "fail-fast 9", "kcom_work_item_executor_destroy from a task of its own");
    end();
}

/* Destroyed above PASSIVE_LEVEL, even idle (nothing to wait for), the executor fails fast naming
 * the IRQL before it changes anything: where its routines were busy the wait would not be allowed. */
static void destroy_above_passive_child(const void *context)
{
    kcom_work_item_executor *executor = NULL;
    const kcom_executor *as_executor = NULL;
    (void)context;
    kcom_set_trace_hook(kcom_test_child_trace_hook, NULL);
    if (kcom_work_item_executor_create(&device_object, NULL, &executor, &as_executor) != STATUS_SUCCESS)
        _exit(10);
    (void)kcom_sim_raise_irql(KCOM_PLATFORM_DISPATCH_LEVEL);
    kcom_work_item_executor_destroy(executor);
    _exit(11); /* not reached when the destroy fails fast */
}

static void destroy_above_passive(void)
{
    begin();
    kcom_test_child_fails_fast("work-item executor destroyed at DISPATCH_LEVEL", destroy_above_passive_child, NULL,
                               "fail-fast 7", "kcom_work_item_executor_destroy at IRQL 2: it needs PASSIVE_LEVEL");
    end();
}

int main(void)
{
    static const char *const names[] = {"work_item_arguments", "work_item_passive_polls",
                                        "work_item_yields_stay_on_lane", "work_item_wake_during_poll",
                                        "work_item_freed_before_finished", "work_item_destroy_waits",
                                        "work_item_lanes_on_own_cache_lines", "work_item_woken_task_not_starved",
                                        "work_item_time_budget", "work_item_destroy_from_own_task",
                                        "work_item_destroy_above_passive"};
    static void (*const tests[])(void) = {arguments, passive_polls, yields_stay_on_lane, wake_during_poll,
                                          freed_before_finished, destroy_waits_for_routine, lanes_on_own_cache_lines,
                                          woken_task_not_starved, time_budget, destroy_from_own_task,
                                          destroy_above_passive};
    return async_test_main(names, tests, 11);
}
