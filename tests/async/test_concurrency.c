/*
 * test_concurrency.c - threads against the same operations and tasks: completion, cancel, queries,
 * callback registration and releases racing (each callback exactly once, one terminal state,
 * nothing leaked); a task woken from other threads while it is being polled (never polled on two
 * threads at once, no wake lost); the thread pool's drain and drop; block_on.
 */
#include "async_test_common.h"

#include <string.h>

static kcom_counting_allocator counter;

/* ---- racing the rules of one operation ------------------------------------------------------------- */

#define STRESS_OPS 32
#define STRESS_ROUNDS 150

typedef struct stress_op {
    IKcomAsyncOperation *op;
    callback_record record;
    NTSTATUS complete_status;
    NTSTATUS cancel_status;
    NTSTATUS set_status;
} stress_op;

static struct {
    test_barrier start, end;
    stress_op ops[STRESS_OPS];
    LONG volatile bad_results;
    LONG rounds;
} stress;

static ULONG expected_value(LONG round, int i)
{
    return (ULONG)(round * 100 + i);
}

static void *stress_thread(void *arg)
{
    int role = (int)(ULONG_PTR)arg;
    LONG round;
    int i;
    for (round = 0; round < stress.rounds; round++) {
        test_barrier_wait(&stress.start);
        for (i = 0; i < STRESS_OPS; i++) {
            /* two roles walk up, two down, paired differently each round, so that every pair of
             * roles meets on the same operations at the same time */
            int bits[3];
            int k;
            bits[0] = role & 1;
            bits[1] = (role >> 1) & 1;
            bits[2] = (role ^ (role >> 1)) & 1;
            k = bits[round % 3] ? i : STRESS_OPS - 1 - i;
            stress_op *s = &stress.ops[k];
            IKcomAsyncOperation *op = s->op;
            ULONG value = expected_value(round, k);
            kcom_async_status st;
            NTSTATUS status;
            switch (role) {
            case 0:
                s->complete_status = kcom_async_operation_complete(op, &value);
                break;
            case 1:
                s->cancel_status = IKcomAsyncOperation_cancel(op);
                break;
            case 2:
                value = 0;
                status = IKcomAsyncOperation_get_result(op, &value);
                (void)IKcomAsyncOperation_get_status(op, &st);
                if ((status == STATUS_SUCCESS && value != expected_value(round, k)) ||
                    (status != STATUS_SUCCESS && status != STATUS_PENDING && status != STATUS_CANCELLED) ||
                    (status == STATUS_PENDING && value != 0))
                    kcom_atomic_fetch_add(&stress.bad_results, 1);
                break;
            default:
                s->set_status = IKcomAsyncOperation_set_completed(op, record_callback, &s->record);
                break;
            }
            IKcomAsyncOperation_Release(op); /* each role holds one reference */
        }
        test_barrier_wait(&stress.end);
    }
    return NULL;
}

void kcom_test_async_concurrency_racing_rules(void)
{
    test_thread threads[4];
    LONG round, failures = 0;
    int i;

    kcom_counting_allocator_init(&counter, NULL);
    memset(&stress, 0, sizeof(stress));
    stress.rounds = STRESS_ROUNDS;
    test_barrier_init(&stress.start, 5);
    test_barrier_init(&stress.end, 5);
    for (i = 0; i < 4; i++)
        test_thread_start(&threads[i], stress_thread, (void *)(ULONG_PTR)i);
    for (round = 0; round < stress.rounds; round++) {
        for (i = 0; i < STRESS_OPS; i++) {
            stress_op *s = &stress.ops[i];
            memset(s, 0, sizeof(*s));
            if (kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), 4, &s->op) !=
                STATUS_SUCCESS)
                failures++;
            IKcomAsyncOperation_AddRef(s->op);
            IKcomAsyncOperation_AddRef(s->op);
            IKcomAsyncOperation_AddRef(s->op); /* four: one per role, the creation's included */
        }
        test_barrier_wait(&stress.start);
        test_barrier_wait(&stress.end);
        for (i = 0; i < STRESS_OPS; i++) {
            stress_op *s = &stress.ops[i];
            BOOLEAN canceled = (BOOLEAN)(s->cancel_status == STATUS_SUCCESS);
            if (s->set_status != STATUS_SUCCESS || s->record.calls != 1 || s->record.mismatches != 0)
                failures++;
            /* exactly one terminal state: cancel won and completion was dropped, or the reverse */
            if (canceled ? (s->complete_status != STATUS_CANCELLED || s->record.status != KCOM_ASYNC_CANCELED)
                         : (s->cancel_status != STATUS_INVALID_DEVICE_STATE ||
                            s->complete_status != STATUS_SUCCESS || s->record.status != KCOM_ASYNC_COMPLETED))
                failures++;
        }
    }
    for (i = 0; i < 4; i++)
        test_thread_join(&threads[i]);
    test_barrier_destroy(&stress.start);
    test_barrier_destroy(&stress.end);
    ok(failures == 0, "%ld operations broke a rule\n", (long)failures);
    ok(stress.bad_results == 0, "%ld inconsistent results\n", (long)stress.bad_results);
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing leaked: %ld\n",
       (long)kcom_counting_allocator_live(&counter));
}

/* ---- a task woken while it is polled ---------------------------------------------------------------- */

#define WAKE_POLLS 1000

typedef struct mailbox {
    test_mutex mutex;
    kcom_waker waker;
    LONG volatile woken; /* wakes delivered from this box */
} mailbox;

static struct {
    mailbox boxes[2];
    LONG volatile stop;
} wake_test;

typedef struct wake_state {
    KCOM_TASK_RESUME_POINT;
    LONG volatile in_poll;
    LONG volatile overlaps;
    LONG volatile stuck; /* a poll gave up waiting for its wakes */
    ULONG polls;
} wake_state;

static void mailbox_put(mailbox *box, kcom_task_context *cx)
{
    kcom_waker w = kcom_task_waker(cx);
    test_mutex_lock(&box->mutex);
    if (box->waker.task == NULL) {
        box->waker = w;
        w.task = NULL;
    }
    test_mutex_unlock(&box->mutex);
    kcom_waker_drop(&w);
}

/* Each poll hands out two wakers and returns only after both were used: every wake lands while
 * the task is RUNNING, so the task is polled again only if no such wake is lost. */
static kcom_poll_result wake_poll(void *p, kcom_task_context *cx)
{
    wake_state *s = (wake_state *)p;
    LONG before0, before1;
    ULONG64 start;
    if (kcom_atomic_exchange(&s->in_poll, 1) != 0)
        kcom_atomic_fetch_add(&s->overlaps, 1);
    if (++s->polls >= WAKE_POLLS) {
        kcom_atomic_store(&s->in_poll, 0);
        KCOM_TASK_RESULT(cx, ULONG) = s->polls;
        cx->status = STATUS_SUCCESS;
        return KCOM_POLL_READY;
    }
    before0 = kcom_atomic_load(&wake_test.boxes[0].woken);
    before1 = kcom_atomic_load(&wake_test.boxes[1].woken);
    mailbox_put(&wake_test.boxes[0], cx);
    mailbox_put(&wake_test.boxes[1], cx);
    start = test_now_ms();
    while (kcom_atomic_load(&wake_test.boxes[0].woken) == before0 ||
           kcom_atomic_load(&wake_test.boxes[1].woken) == before1) {
        test_yield();
        if (test_now_ms() - start > 2000) { /* bounded, so that a broken build fails instead of hanging */
            kcom_atomic_fetch_add(&s->stuck, 1);
            break;
        }
    }
    kcom_atomic_store(&s->in_poll, 0);
    return KCOM_POLL_PENDING;
}

static void *waker_thread(void *arg)
{
    mailbox *box = (mailbox *)arg;
    while (!kcom_atomic_load(&wake_test.stop)) {
        kcom_waker w;
        test_mutex_lock(&box->mutex);
        w = box->waker;
        box->waker.task = NULL;
        test_mutex_unlock(&box->mutex);
        if (w.task != NULL) {
            kcom_waker_wake(&w);
            kcom_atomic_fetch_add(&box->woken, 1);
        } else {
            test_yield();
        }
    }
    return NULL;
}

static const kcom_async_task_desc wake_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, wake_state, wake_poll, NULL);

void kcom_test_async_concurrency_woken_while_polled(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *op = NULL;
    test_thread threads[2];
    wake_state *s;
    ULONG polls = 0;
    NTSTATUS status;
    int i;

    kcom_counting_allocator_init(&counter, NULL);
    memset(&wake_test, 0, sizeof(wake_test));
    if (!test_pool_start(2, &pool, &executor))
        return;
    for (i = 0; i < 2; i++) {
        test_mutex_init(&wake_test.boxes[i].mutex);
        test_thread_start(&threads[i], waker_thread, &wake_test.boxes[i]);
    }
    ok(kcom_async_spawn_begin(&wake_desc, executor, &counter.allocator, (void **)&s, &op) == STATUS_SUCCESS, "spawn\n");
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS, "commit\n");
    /* a lost wake leaves the task waiting with no waker out: the wait would time out */
    status = kcom_async_block_on(op, 5000);
    ok(status == STATUS_SUCCESS, "finished: %s\n", kcom_status_name(status));
    ok(IKcomAsyncOperation_get_result(op, &polls) == STATUS_SUCCESS && polls == WAKE_POLLS, "polls %lu\n",
       (unsigned long)polls);
    ok(s->overlaps == 0 && s->stuck == 0, "never polled on two threads at once: %ld overlaps, %ld stuck\n",
       (long)s->overlaps, (long)s->stuck);
    kcom_atomic_store(&wake_test.stop, 1);
    for (i = 0; i < 2; i++) {
        test_thread_join(&threads[i]);
        kcom_waker_drop(&wake_test.boxes[i].waker);
        test_mutex_destroy(&wake_test.boxes[i].mutex);
    }
    ok(wake_test.boxes[0].woken + wake_test.boxes[1].woken >= 2 * (WAKE_POLLS - 1), "woken %ld times\n",
       (long)(wake_test.boxes[0].woken + wake_test.boxes[1].woken));
    IKcomAsyncOperation_Release(op);
    ok(test_pool_shutdown(pool, 1000) == STATUS_SUCCESS, "drained\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing leaked\n");
}

/* ---- the pool: drain, drop ---------------------------------------------------------------------------- */

/* kcom's thread pool itself: user mode only (async_test_list.h lists this test with H). */
#if !KCOM_TARGET_NTKERNEL

typedef struct yield_state {
    KCOM_TASK_RESUME_POINT;
    ULONG yields;
    LONG volatile *gate; /* when not NULL: spin until it opens */
} yield_state;

static kcom_poll_result yield_poll(void *p, kcom_task_context *cx)
{
    yield_state *s = (yield_state *)p;
    KCOM_TASK_BEGIN(s);
    while (s->gate != NULL && !kcom_atomic_load(s->gate))
        test_yield(); /* blocks its pool thread: a test of the drop, not a pattern */
    while (s->yields < 5) {
        s->yields++;
        KCOM_YIELD(cx);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->yields);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc yield_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, yield_state, yield_poll, NULL);

static IKcomAsyncOperation *spawn_yield(const kcom_executor *executor, LONG volatile *gate)
{
    IKcomAsyncOperation *op = NULL;
    yield_state *s = NULL;
    if (kcom_async_spawn_begin(&yield_desc, executor, &counter.allocator, (void **)&s, &op) == STATUS_SUCCESS) {
        s->gate = gate;
        (void)kcom_async_spawn_commit(op);
    }
    return op;
}

static LONG volatile gate;

static void *open_gate_later(void *arg)
{
    (void)arg;
    test_sleep_ms(1000); /* far past the 20 ms deadline below, even on a loaded machine */
    kcom_atomic_store(&gate, 1);
    return NULL;
}

static void *open_gate_soon(void *arg)
{
    (void)arg;
    test_sleep_ms(200); /* past the 20 ms deadline below */
    kcom_atomic_store(&gate, 1);
    return NULL;
}

/* ---- two operations binding one caching allocator ------------------------------------------------------
 * A class's operation allocator is a caching allocator, bound by the first operation that goes
 * through it. One that finds another thread binding it at that moment goes to the backing allocator
 * past the cache, with the size and alignment the cache raises every request to: its final Release
 * must free it there with those (a counting allocator behind the cache fails fast otherwise). */
#define BINDING_ROUNDS 4000

static manual_executor binding_executor; /* never used: the tasks end at their first poll */

typedef struct binding_race {
    kcom_caching_allocator *caches;
    LONG volatile round; /* the round both threads are to spawn in */
    LONG volatile done;  /* the last round the second thread finished */
} binding_race;

static kcom_poll_result ready_at_once(void *state, kcom_task_context *cx)
{
    (void)state;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc ready_small =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, ULONG, ready_at_once, NULL);

static void spawn_through(kcom_caching_allocator *cache)
{
    void *state = NULL;
    IKcomAsyncOperation *op = NULL;
    if (kcom_async_spawn_begin(&ready_small, &binding_executor.executor, &cache->allocator, &state, &op) ==
        STATUS_SUCCESS)
        (void)kcom_async_spawn_run(op);
    IKcomAsyncOperation_Release(op); /* the final release frees the block where it came from */
}

static void *binding_second(void *arg)
{
    binding_race *race = (binding_race *)arg;
    LONG round;
    for (round = 0; round < BINDING_ROUNDS; round++) {
        while (kcom_atomic_load(&race->round) < round)
            kcom_cpu_relax();
        spawn_through(&race->caches[round]);
        kcom_atomic_store(&race->done, round);
    }
    return NULL;
}

void kcom_test_async_concurrency_cache_binding(void)
{
    static kcom_caching_allocator caches[BINDING_ROUNDS];
    binding_race race;
    test_thread thread;
    LONG round;
    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&binding_executor);
    for (round = 0; round < BINDING_ROUNDS; round++)
        (void)kcom_caching_allocator_init(&caches[round], 4, &counter.allocator);
    race.caches = caches;
    race.round = -1;
    race.done = -1;
    test_thread_start(&thread, binding_second, &race);
    for (round = 0; round < BINDING_ROUNDS; round++) {
        kcom_atomic_store(&race.round, round); /* both threads bind caches[round] at once */
        spawn_through(&caches[round]);
        while (kcom_atomic_load(&race.done) < round)
            kcom_cpu_relax();
    }
    test_thread_join(&thread);
    for (round = 0; round < BINDING_ROUNDS; round++)
        (void)kcom_caching_allocator_drain(&caches[round]);
    ok(kcom_counting_allocator_live(&counter) == 0, "every block freed with what it was allocated with: %ld live\n",
       (long)kcom_counting_allocator_live(&counter));
}

/* What an out pointer held before a failing call. */
static const kcom_executor stale_executor = {NULL, NULL, NULL};

void kcom_test_async_concurrency_thread_pool(void)
{
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *ops[32];
    callback_record records[3];
    test_thread opener;
    kcom_async_status st;
    ULONG value;
    int i, completed = 0;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    /* both out pointers are NULL on a failure, whatever they held */
    executor = &stale_executor;
    ok(kcom_thread_pool_create(0, &pool, &executor) == STATUS_INVALID_PARAMETER && pool == NULL && executor == NULL,
       "0 threads\n");
    executor = &stale_executor;
    ok(kcom_thread_pool_create(65, &pool, &executor) == STATUS_INVALID_PARAMETER && pool == NULL && executor == NULL,
       "65 threads\n");
    executor = &stale_executor;
    ok(kcom_thread_pool_create(1, NULL, &executor) == STATUS_INVALID_PARAMETER && executor == NULL, "NULL pool\n");
    pool = (kcom_thread_pool *)(void *)&stale_executor;
    ok(kcom_thread_pool_create(1, &pool, NULL) == STATUS_INVALID_PARAMETER && pool == NULL, "NULL executor\n");

    /* drain: yielding tasks queue themselves again during the shutdown and still finish */
    ok(kcom_thread_pool_create(2, &pool, &executor) == STATUS_SUCCESS, "pool\n");
    for (i = 0; i < 32; i++)
        ops[i] = spawn_yield(executor, NULL);
    status = kcom_thread_pool_shutdown(pool, 10000);
    ok(status == STATUS_SUCCESS, "drained: %s\n", kcom_status_name(status));
    for (i = 0; i < 32; i++) {
        value = 0;
        if (IKcomAsyncOperation_get_result(ops[i], &value) == STATUS_SUCCESS && value == 5)
            completed++;
        IKcomAsyncOperation_Release(ops[i]);
    }
    ok(completed == 32, "%d of 32 completed\n", completed);

    /* drop: one thread held by a task past the deadline; the queued ones are dropped */
    ok(kcom_thread_pool_create(1, &pool, &executor) == STATUS_SUCCESS, "pool\n");
    gate = 0;
    memset(records, 0, sizeof(records));
    for (i = 0; i < 3; i++) {
        ops[i] = spawn_yield(executor, &gate);
        ok(IKcomAsyncOperation_set_completed(ops[i], record_callback, &records[i]) == STATUS_SUCCESS, "set\n");
    }
    while (kcom_counting_allocator_live(&counter) != 3)
        test_yield();
    test_thread_start(&opener, open_gate_later, NULL);
    status = kcom_thread_pool_shutdown(pool, 20);
    ok(status == STATUS_TIMEOUT, "tasks dropped: %s\n", kcom_status_name(status));
    test_thread_join(&opener);
    for (i = 0; i < 3; i++) {
        ok(records[i].calls == 1, "op %d called back once\n", i);
        ok(IKcomAsyncOperation_get_status(ops[i], &st) == STATUS_SUCCESS, "status\n");
        if (st == KCOM_ASYNC_ERROR)
            ok(IKcomAsyncOperation_get_result(ops[i], &value) == STATUS_INVALID_DEVICE_STATE, "dropped\n");
        else
            ok(st == KCOM_ASYNC_COMPLETED || st == KCOM_ASYNC_ERROR, "op %d: %ld\n", i, (long)st);
    }
    ok(records[1].status == KCOM_ASYNC_ERROR && records[2].status == KCOM_ASYNC_ERROR, "queued ones dropped\n");
    for (i = 0; i < 3; i++)
        IKcomAsyncOperation_Release(ops[i]);
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing leaked\n");

    /* a task still polled at the deadline, refused when it queues itself again afterwards, was
     * dropped too: also a timeout */
    ok(kcom_thread_pool_create(1, &pool, &executor) == STATUS_SUCCESS, "pool\n");
    gate = 0;
    ops[0] = spawn_yield(executor, &gate);
    test_thread_start(&opener, open_gate_soon, NULL);
    status = kcom_thread_pool_shutdown(pool, 20);
    ok(status == STATUS_TIMEOUT, "a task dropped after the deadline: %s\n", kcom_status_name(status));
    test_thread_join(&opener);
    ok(IKcomAsyncOperation_get_status(ops[0], &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR &&
           IKcomAsyncOperation_get_result(ops[0], &value) == STATUS_INVALID_DEVICE_STATE,
       "dropped: %ld\n", (long)st);
    IKcomAsyncOperation_Release(ops[0]);
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing leaked\n");
}

/* A pool shut down, and freed, as soon as its tasks have finished, while a thread whose completion
 * woke one of them may still be in the pool's schedule: the schedule must touch nothing of the
 * pool once its mutex is free. The window is a few instructions of the waking thread, and opens
 * only when the pool's thread is awake for another task (asleep, it waits for that very wake):
 * each round has several tasks, completed from two threads as soon as each has registered, so
 * that completions often land while the pool's thread runs another task. ASan, TSan and valgrind
 * report an access to the freed pool when a run hits the window, which a run of this size seldom
 * does: a schedule that read the pool after its release was caught by runs of the same shape with
 * 20,000 rounds and four completing threads, not by this one. */

#define WAKE_RACE_ROUNDS 200
#define WAKE_RACE_TASKS 4
#define WAKE_RACE_COMPLETERS 2

typedef struct wake_race_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
    LONG volatile *registered; /* set once the first poll has registered: the completer's cue */
} wake_race_state;

typedef struct wake_race_round {
    IKcomAsyncOperation *sources[WAKE_RACE_TASKS]; /* a reference each, the completers' */
    LONG volatile registered[WAKE_RACE_TASKS];
    test_thread completers[WAKE_RACE_COMPLETERS];
} wake_race_round;

typedef struct wake_race_completer {
    wake_race_round *round;
    int first; /* completes sources first, first + WAKE_RACE_COMPLETERS, ... */
} wake_race_completer;

static void wake_race_drop(void *p)
{
    kcom_async_await_clear(&((wake_race_state *)p)->source);
}

static kcom_poll_result wake_race_poll(void *p, kcom_task_context *cx)
{
    wake_race_state *s = (wake_race_state *)p;
    ULONG value = 0;
    KCOM_TASK_BEGIN(s);
    if (kcom_async_await_poll(&s->source, cx) == KCOM_POLL_PENDING) {
        kcom_atomic_store(s->registered, 1); /* from here the completion wakes the task */
        KCOM_AWAIT(kcom_async_await_poll(&s->source, cx));
    }
    (void)IKcomAsyncOperation_get_result(s->source.operation, &value);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, value + 1);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc wake_race_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, wake_race_state, wake_race_poll, wake_race_drop);

static void *wake_race_complete(void *arg)
{
    wake_race_completer *c = (wake_race_completer *)arg;
    int i;
    for (i = c->first; i < WAKE_RACE_TASKS; i += WAKE_RACE_COMPLETERS) {
        ULONG value = (ULONG)i * 10;
        while (kcom_atomic_load(&c->round->registered[i]) == 0)
            test_yield();
        (void)kcom_async_operation_complete(c->round->sources[i], &value);
        IKcomAsyncOperation_Release(c->round->sources[i]);
    }
    return NULL;
}

void kcom_test_async_concurrency_pool_freed_after_wake(void)
{
    static wake_race_round round_data;
    wake_race_completer completers[WAKE_RACE_COMPLETERS];
    int round, right = 0, drained = 0;

    kcom_counting_allocator_init(&counter, NULL);
    for (round = 0; round < WAKE_RACE_ROUNDS; round++) {
        wake_race_round *r = &round_data;
        kcom_thread_pool *pool = NULL;
        const kcom_executor *executor = NULL;
        IKcomAsyncOperation *ops[WAKE_RACE_TASKS];
        int i;
        if (kcom_thread_pool_create(1, &pool, &executor) != STATUS_SUCCESS) {
            ok(0, "round %d: pool\n", round);
            break;
        }
        for (i = 0; i < WAKE_RACE_TASKS; i++) {
            wake_race_state *s = NULL;
            kcom_atomic_store(&r->registered[i], 0);
            if (kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &r->sources[i]) !=
                    STATUS_SUCCESS ||
                kcom_async_spawn_begin(&wake_race_desc, executor, &counter.allocator, (void **)&s, &ops[i]) !=
                    STATUS_SUCCESS) {
                ok(0, "round %d: source and task %d\n", round, i);
                return; /* reported; what the round made is left to the process */
            }
            IKcomAsyncOperation_AddRef(r->sources[i]);         /* the completer's */
            kcom_async_await_init(&s->source, r->sources[i]); /* takes the creation reference */
            s->registered = &r->registered[i];
            (void)kcom_async_spawn_commit(ops[i]);
        }
        for (i = 0; i < WAKE_RACE_COMPLETERS; i++) {
            completers[i].round = r;
            completers[i].first = i;
            test_thread_start(&r->completers[i], wake_race_complete, &completers[i]);
        }
        for (i = 0; i < WAKE_RACE_TASKS; i++) {
            ULONG value = 0;
            if (kcom_async_block_on(ops[i], 10000) == STATUS_SUCCESS &&
                IKcomAsyncOperation_get_result(ops[i], &value) == STATUS_SUCCESS && value == (ULONG)i * 10 + 1)
                right++;
            IKcomAsyncOperation_Release(ops[i]);
        }
        if (kcom_thread_pool_shutdown(pool, 10000) == STATUS_SUCCESS) /* at once: frees the pool */
            drained++;
        for (i = 0; i < WAKE_RACE_COMPLETERS; i++)
            test_thread_join(&r->completers[i]);
    }
    ok(right == WAKE_RACE_ROUNDS * WAKE_RACE_TASKS, "%d of %d tasks saw their value\n", right,
       WAKE_RACE_ROUNDS * WAKE_RACE_TASKS);
    ok(drained == WAKE_RACE_ROUNDS, "%d of %d pools drained\n", drained, WAKE_RACE_ROUNDS);
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing leaked: %ld\n", (long)kcom_counting_allocator_live(&counter));
}

#endif /* !KCOM_TARGET_NTKERNEL */

/* ---- awaiting operations completed on another thread ------------------------------------------------ */

#define AWAITERS 64

typedef struct await_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
} await_state;

static void await_drop(void *p)
{
    kcom_async_await_clear(&((await_state *)p)->source);
}

static kcom_poll_result await_task_poll(void *p, kcom_task_context *cx)
{
    await_state *s = (await_state *)p;
    ULONG value = 0;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_await_poll(&s->source, cx));
    if (!NT_SUCCESS(IKcomAsyncOperation_get_result(s->source.operation, &value)))
        KCOM_TASK_RETURN(cx, STATUS_UNSUCCESSFUL);
    kcom_async_await_clear(&s->source); /* races the finisher's fire: it waits for it */
    KCOM_TASK_RETURN_VALUE(cx, ULONG, value + 1);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc await_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, await_state, await_task_poll, await_drop);

static IKcomAsyncOperation *sources[AWAITERS];

static void *complete_sources(void *arg)
{
    ULONG i;
    (void)arg;
    for (i = 0; i < AWAITERS; i++) {
        (void)kcom_async_operation_complete(sources[i], &i);
        IKcomAsyncOperation_Release(sources[i]);
    }
    return NULL;
}

void kcom_test_async_concurrency_await(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *ops[AWAITERS];
    test_thread completer;
    int i, right = 0;

    kcom_counting_allocator_init(&counter, NULL);
    if (!test_pool_start(2, &pool, &executor))
        return;
    for (i = 0; i < AWAITERS; i++) {
        await_state *s = NULL;
        (void)kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &sources[i]);
        IKcomAsyncOperation_AddRef(sources[i]); /* the completer's */
        if (kcom_async_spawn_begin(&await_desc, executor, &counter.allocator, (void **)&s, &ops[i]) ==
            STATUS_SUCCESS)
            kcom_async_await_init(&s->source, sources[i]);
        else
            IKcomAsyncOperation_Release(sources[i]);
        (void)kcom_async_spawn_commit(ops[i]);
    }
    test_thread_start(&completer, complete_sources, NULL);
    for (i = 0; i < AWAITERS; i++) {
        ULONG value = 0;
        if (kcom_async_block_on(ops[i], 10000) == STATUS_SUCCESS &&
            IKcomAsyncOperation_get_result(ops[i], &value) == STATUS_SUCCESS && value == (ULONG)i + 1)
            right++;
        IKcomAsyncOperation_Release(ops[i]);
    }
    test_thread_join(&completer);
    ok(right == AWAITERS, "%d of %d saw their source's value\n", right, AWAITERS);
    ok(test_pool_shutdown(pool, 1000) == STATUS_SUCCESS, "drained\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing leaked: %ld\n", (long)kcom_counting_allocator_live(&counter));
}

/* ---- block_on ----------------------------------------------------------------------------------------- */

static void *complete_later(void *arg)
{
    ULONG value = 11;
    test_sleep_ms(50);
    (void)kcom_async_operation_complete((IKcomAsyncOperation *)arg, &value);
    IKcomAsyncOperation_Release((IKcomAsyncOperation *)arg);
    return NULL;
}

void kcom_test_async_concurrency_block_on(void)
{
    IKcomAsyncOperation *op;
    test_thread thread;
    ULONG value = 0;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    ok(kcom_async_block_on(NULL, 0) == STATUS_INVALID_PARAMETER, "NULL\n");
    ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &op) == STATUS_SUCCESS, "create\n");
    status = kcom_async_block_on(op, 20);
    ok(status == STATUS_TIMEOUT, "times out: %s\n", kcom_status_name(status));
    status = kcom_async_block_on(op, 0);
    ok(status == STATUS_TIMEOUT, "again, without waiting: %s\n", kcom_status_name(status));
    IKcomAsyncOperation_AddRef(op);
    test_thread_start(&thread, complete_later, op);
    status = kcom_async_block_on(op, KCOM_ASYNC_INFINITE);
    ok(status == STATUS_SUCCESS, "completed from another thread: %s\n", kcom_status_name(status));
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 11, "value\n");
    test_thread_join(&thread);
    ok(kcom_async_block_on(op, 0) == STATUS_SUCCESS, "finished: at once\n");
    IKcomAsyncOperation_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing leaked\n");
}

ASYNC_TEST_PROGRAM(KCOM_ASYNC_CONCURRENCY_TESTS)
