/*
 * executors.c - the kernel executors on the host's simulation of the kernel: the DPC executor's
 * throughput (task polls per second with 1 and 2 simulated processors) and each executor's
 * wake-to-poll latency (a thread wakes a parked task; the time until the task's poll starts), and
 * the block_on round trip (spawn a task that finishes at its first poll on the executor, wait
 * for it with kcom_async_block_on, release it); and, next to them, how ready tasks run on their
 * callers (kcom_async_run, operation blocks from the operation cache) scale from 1 thread to 2.
 *
 *   kcom_bench_executors [scale]    prints tab-separated rows: name, value, unit
 *   kcom_bench_executors polls N    only the DPC executor's throughput run, 1 simulated processor,
 *                                   N polls per task (scripts/bench.py counts its instructions
 *                                   with callgrind)
 *   kcom_bench_executors work-item-polls N   the same on the work-item executor
 *
 * Throughput is measured for the DPC and the work-item executors, each with 1 and 2 simulated
 * processors (per-processor queues: the ratio is the scaling), next to what the machine gives two
 * threads of pure computation at the moment (on a shared machine, the other processor may be busy).
 * The thread pool row is the user-mode executor, for comparison. Wall-clock figures: they vary
 * with the machine and its load (the throughputs are the best of five rounds, the rounds on
 * 1 and 2 processors alternating, and the machine's ratio the best of three, since other work only
 * slows a round down; the latencies are medians).
 */
#define _POSIX_C_SOURCE 200809L

#include <kcom/kcom.h>

#include <kcom/kernel_sim.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static ULONG64 now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ULONG64)ts.tv_sec * 1000000000u + (ULONG64)ts.tv_nsec;
}

KCOM_DECLARE_ASYNC_OPERATION(IBenchULONG, ULONG,
    0x6c0e3f1a, 0x2d4b, 0x4c8e, 0x9a, 0x51, 0x0b, 0x7e, 0x22, 0x93, 0x4f, 0xd1)

static int failures;

static void check(int condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "kcom_bench_executors: %s\n", what);
        failures++;
    }
}

static ULONG finish(IKcomAsyncOperation *op)
{
    ULONG value = 0;
    check(kcom_async_block_on(op, 600000) == STATUS_SUCCESS, "block_on");
    check(op->lpVtbl->get_result(op, &value) == STATUS_SUCCESS, "get_result");
    op->lpVtbl->Release(op);
    return value;
}

/* Throughputs are the best of this many rounds: other work on the machine only ever slows a round
 * down. */
#define THROUGHPUT_ROUNDS 5

static double best(double a, double b)
{
    return a > b ? a : b;
}

/* ---- throughput: tasks that yield ------------------------------------------------------------------------ */

typedef struct yield_state {
    ULONG left;
} yield_state;

static kcom_poll_result yield_poll(void *p, kcom_task_context *cx)
{
    yield_state *s = (yield_state *)p;
    if (--s->left != 0) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc yield_desc = KCOM_ASYNC_TASK_DESC(IBenchULONG, ULONG, yield_state, yield_poll, NULL);

#define YIELD_TASKS 64

/* Polls per second of YIELD_TASKS tasks of polls_each polls on a fresh DPC executor (work_items:
 * a work-item executor), with processors simulated processors. The tasks keep the DPC executor's
 * runs ending on their budget, so its lanes give way to their processors' threads every
 * dispatch_limit_us (0: the default; a millisecond or two each on the host). */
static double throughput(BOOLEAN work_items, ULONG processors, ULONG polls_each, ULONG dispatch_limit_us)
{
    kcom_dpc_executor_config config;
    static int device_object;
    kcom_dpc_executor *dpc = NULL;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *ops[YIELD_TASKS];
    yield_state initial;
    ULONG64 start, elapsed;
    ULONG i;
    memset(&config, 0, sizeof(config));
    config.dispatch_limit_us = dispatch_limit_us;
    check(kcom_sim_set_processor_count(processors) == STATUS_SUCCESS, "processor count");
    check(kcom_initialize() == STATUS_SUCCESS, "initialize");
    if (work_items)
        check(kcom_work_item_executor_create(&device_object, NULL, &work, &executor) == STATUS_SUCCESS, "create");
    else
        check(kcom_dpc_executor_create(&config, &dpc, &executor) == STATUS_SUCCESS, "create");
    initial.left = polls_each;
    kcom_sim_hold_dpcs(TRUE); /* start every task at once */
    kcom_sim_hold_work_items(TRUE);
    for (i = 0; i < YIELD_TASKS; i++)
        check(kcom_async_spawn(&yield_desc, executor, NULL, &initial, &ops[i]) == STATUS_SUCCESS, "spawn");
    start = now_ns();
    kcom_sim_hold_dpcs(FALSE);
    kcom_sim_hold_work_items(FALSE);
    for (i = 0; i < YIELD_TASKS; i++)
        (void)finish(ops[i]);
    elapsed = now_ns() - start;
    kcom_work_item_executor_destroy(work);
    kcom_dpc_executor_destroy(dpc);
    kcom_uninitialize();
    return (double)YIELD_TASKS * polls_each * 1e9 / (double)elapsed;
}

/* ---- the machine's own parallelism: what two threads of pure computation get ---------------------------- */

static void *spin(void *rounds)
{
    volatile ULONG64 sum = 0;
    ULONG64 i, n = (ULONG64)(ULONG_PTR)rounds;
    for (i = 0; i < n; i++)
        sum += i;
    return (void *)(ULONG_PTR)sum;
}

/* Two threads' work over one thread's, in the time each takes (2.0: two free processors; 1.0:
 * one), each time the shortest of three: other work on the machine only lengthens a run, and a
 * ratio of two disturbed runs can come out above 2. The scaling of the executors is bounded by
 * this. */
static double machine_scaling(void)
{
    ULONG64 one = ~0ull, two = ~0ull;
    ULONG k;
    for (k = 0; k < 3; k++) {
        void *rounds = (void *)(ULONG_PTR)100000000u;
        pthread_t threads[2];
        ULONG64 start = now_ns(), elapsed;
        (void)spin(rounds);
        elapsed = now_ns() - start;
        one = elapsed < one ? elapsed : one;
        start = now_ns();
        check(pthread_create(&threads[0], NULL, spin, rounds) == 0 && pthread_create(&threads[1], NULL, spin, rounds) == 0,
              "threads");
        pthread_join(threads[0], NULL);
        pthread_join(threads[1], NULL);
        elapsed = now_ns() - start;
        two = elapsed < two ? elapsed : two;
    }
    return 2.0 * (double)one / (double)two;
}

/* ---- the operation cache on several processors: ready tasks run on the caller ----------------------------- */

typedef struct ready_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} ready_state;

static kcom_poll_result ready_poll(void *state, kcom_task_context *cx)
{
    ready_state *s = (ready_state *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->value * 2);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc ready_desc = KCOM_ASYNC_TASK_DESC(IBenchULONG, ULONG, ready_state, ready_poll, NULL);

/* count tasks ready at their first poll, each run on the caller (kcom_async_run: its block from
 * the operation cache, built at the call site as an async method's call is), its result read and
 * the operation released: what the async method calls of a driver do on each processor. */
static void *ready_calls(void *count)
{
    ULONG i, n = (ULONG)(ULONG_PTR)count, sum = 0;
    for (i = 0; i < n; i++) {
        ready_state initial = {0, i};
        IKcomAsyncOperation *op = NULL;
        ULONG value = 0;
        if (kcom_async_run(&ready_desc, kcom_default_executor(), NULL, &initial, &op) != STATUS_SUCCESS ||
            op->lpVtbl->get_result(op, &value) != STATUS_SUCCESS) {
            check(0, "a ready task");
            break;
        }
        sum += value - 2 * i;
        op->lpVtbl->Release(op);
    }
    check(sum == 0, "ready tasks' results");
    return NULL;
}

/* Ready tasks per second on 1 and 2 threads, count each (best of THROUGHPUT_ROUNDS, alternating):
 * each thread reuses its own blocks, in its own slot of the operation cache. */
static void ready_call_scaling(ULONG count, double rate[2])
{
    ULONG round, threads, k;
    check(kcom_initialize() == STATUS_SUCCESS, "initialize");
    rate[0] = rate[1] = 0.0;
    for (round = 0; round < THROUGHPUT_ROUNDS; round++) {
        for (threads = 1; threads <= 2; threads++) {
            pthread_t thread[2];
            ULONG64 start = now_ns();
            for (k = 0; k < threads; k++)
                check(pthread_create(&thread[k], NULL, ready_calls, (void *)(ULONG_PTR)count) == 0, "threads");
            for (k = 0; k < threads; k++)
                pthread_join(thread[k], NULL);
            rate[threads - 1] = best(rate[threads - 1], (double)threads * count * 1e9 / (double)(now_ns() - start));
        }
    }
    kcom_uninitialize();
}

/* ---- latency: a parked task woken by another thread -------------------------------------------------------- */

typedef struct latency_shared {
    kcom_task *volatile waker; /* the parked task's waker */
    ULONG64 woken_at;          /* ns, set by the waking thread just before the wake */
    ULONG64 polled_at;         /* ns, set by the task when its poll starts (0: not yet) */
} latency_shared;

typedef struct latency_state {
    latency_shared *shared;
    ULONG left;
} latency_state;

static kcom_poll_result latency_poll(void *p, kcom_task_context *cx)
{
    latency_state *s = (latency_state *)p;
    kcom_waker w;
    if (__atomic_load_n(&s->shared->woken_at, __ATOMIC_ACQUIRE) != 0)
        __atomic_store_n(&s->shared->polled_at, now_ns(), __ATOMIC_RELEASE);
    if (s->left-- == 0) {
        cx->status = STATUS_SUCCESS;
        return KCOM_POLL_READY;
    }
    w = kcom_task_waker(cx);
    kcom_atomic_store_ptr((void *volatile *)&s->shared->waker, w.task);
    return KCOM_POLL_PENDING;
}

static const kcom_async_task_desc latency_desc =
    KCOM_ASYNC_TASK_DESC(IBenchULONG, ULONG, latency_state, latency_poll, NULL);

static int compare_u64(const void *a, const void *b)
{
    ULONG64 x = *(const ULONG64 *)a, y = *(const ULONG64 *)b;
    return x < y ? -1 : x > y;
}

/* Wake-to-poll latencies on executor: samples sorted, in ns. */
static void latency(const kcom_executor *executor, ULONG64 *samples, ULONG count)
{
    latency_shared shared;
    latency_state initial;
    IKcomAsyncOperation *op = NULL;
    ULONG i;
    memset(&shared, 0, sizeof(shared));
    initial.shared = &shared;
    initial.left = count;
    check(kcom_async_spawn(&latency_desc, executor, NULL, &initial, &op) == STATUS_SUCCESS, "spawn");
    for (i = 0; i < count; i++) {
        kcom_waker w;
        ULONG64 polled;
        while ((w.task = (kcom_task *)kcom_atomic_exchange_ptr((void *volatile *)&shared.waker, NULL)) == NULL)
            sched_yield();
        __atomic_store_n(&shared.polled_at, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&shared.woken_at, now_ns(), __ATOMIC_RELEASE);
        kcom_waker_wake(&w);
        while ((polled = __atomic_load_n(&shared.polled_at, __ATOMIC_ACQUIRE)) == 0)
            sched_yield();
        samples[i] = polled - __atomic_load_n(&shared.woken_at, __ATOMIC_ACQUIRE);
    }
    (void)finish(op);
    qsort(samples, count, sizeof(samples[0]), compare_u64);
}

static void print_latency(const char *name, const ULONG64 *samples, ULONG count)
{
    printf("%s wake-to-poll median\t%.1f\tus\n", name, (double)samples[count / 2] / 1000.0);
    printf("%s wake-to-poll p99\t%.1f\tus\n", name, (double)samples[count * 99 / 100] / 1000.0);
}

/* Spawn + block_on + Release of a task ready at its first poll on executor: ns per round trip
 * (median of 5 runs of count). */
static double block_on_round_trip(const kcom_executor *executor, ULONG count)
{
    double runs[5], t;
    ULONG r, i, j;
    for (r = 0; r < 5; r++) {
        ULONG64 start = now_ns();
        for (i = 0; i < count; i++) {
            IKcomAsyncOperation *op = NULL;
            yield_state initial;
            initial.left = 1;
            check(kcom_async_spawn(&yield_desc, executor, NULL, &initial, &op) == STATUS_SUCCESS, "spawn");
            (void)finish(op);
        }
        runs[r] = (double)(now_ns() - start) / count;
    }
    for (i = 1; i < 5; i++) /* insertion sort of five */
        for (j = i; j > 0 && runs[j - 1] > runs[j]; j--) {
            t = runs[j];
            runs[j] = runs[j - 1];
            runs[j - 1] = t;
        }
    return runs[2];
}

int main(int argc, char **argv)
{
    ULONG scale = argc > 1 ? (ULONG)strtoul(argv[1], NULL, 10) : 100;
    /* polls per task for the DPC executor and the work-item executor (about as fast per poll on
     * the host): each run lasts some 20-40 ms at scale 100, long enough for the host to have
     * placed the simulated processors' threads, which a run of a few ms is not */
    ULONG polls_each[2] = {500 * scale, 500 * scale}, samples_count = 20 * scale;
    ULONG64 *samples;
    kcom_dpc_executor *dpc = NULL;
    kcom_work_item_executor *work = NULL;
    kcom_thread_pool *pool = NULL;
    const kcom_executor *on_dpc = NULL, *on_work = NULL, *on_pool = NULL;
    static int device_object;
    static const char *const kind_name[2] = {"DPC executor", "work-item executor"};
    ULONG processors, kind;

    if (argc > 2 && (strcmp(argv[1], "polls") == 0 || strcmp(argv[1], "work-item-polls") == 0)) {
        ULONG n = (ULONG)strtoul(argv[2], NULL, 10);
        if (n == 0)
            return 2;
        (void)throughput((BOOLEAN)(strcmp(argv[1], "work-item-polls") == 0), 1, n, 0);
        return failures == 0 ? 0 : 1;
    }
    if (scale == 0 || scale > 100000) {
        fprintf(stderr, "usage: kcom_bench_executors [scale 1..100000] | polls N | work-item-polls N\n");
        return 2;
    }
    for (kind = 0; kind < 2; kind++) {
        /* the rounds on 1 and 2 simulated processors alternate, so that a spell of other work on the
         * machine slows rounds of both sides rather than all rounds of one */
        double rate[2] = {0.0, 0.0};
        ULONG round;
        for (round = 0; round < THROUGHPUT_ROUNDS; round++)
            for (processors = 1; processors <= 2; processors++)
                rate[processors - 1] = best(rate[processors - 1],
                                            throughput((BOOLEAN)kind, processors, polls_each[kind], 0));
        for (processors = 1; processors <= 2; processors++)
            printf("%s throughput, %lu simulated processor%s\t%.0f\tpolls/s\n", kind_name[kind],
                   (unsigned long)processors, processors == 1 ? "" : "s", rate[processors - 1]);
        printf("%s throughput, 2 simulated processors over 1\t%.2f\tx\n", kind_name[kind], rate[1] / rate[0]);
    }
    {
        double rate = 0.0;
        ULONG round;
        for (round = 0; round < THROUGHPUT_ROUNDS; round++)
            rate = best(rate, throughput(FALSE, 1, polls_each[0], 0xFFFFFFFFu));
        printf("DPC executor throughput, 1 simulated processor, never giving way (dispatch_limit_us 0xFFFFFFFF)\t%.0f\t"
               "polls/s\n",
               rate);
    }
    {
        double rate[2];
        ready_call_scaling(40000 * scale, rate); /* some 100 ms a run at scale 100 */
        printf("ready tasks run on the caller, operation cache, 1 thread\t%.0f\tcalls/s\n", rate[0]);
        printf("ready tasks run on the caller, operation cache, 2 threads\t%.0f\tcalls/s\n", rate[1]);
        printf("ready tasks run on the caller, operation cache, 2 threads over 1\t%.2f\tx\n", rate[1] / rate[0]);
    }
    printf("the machine: two threads' work over one's in the same time (a spin loop, just measured)\t%.2f\tx\n",
           machine_scaling());

    samples = (ULONG64 *)malloc(samples_count * sizeof(*samples));
    if (samples == NULL)
        return 1;
    check(kcom_sim_set_processor_count(2) == STATUS_SUCCESS, "processor count");
    check(kcom_initialize() == STATUS_SUCCESS, "initialize");
    check(kcom_dpc_executor_create(NULL, &dpc, &on_dpc) == STATUS_SUCCESS, "DPC executor");
    check(kcom_work_item_executor_create(&device_object, NULL, &work, &on_work) == STATUS_SUCCESS, "work items");
    check(kcom_thread_pool_create(2, &pool, &on_pool) == STATUS_SUCCESS, "thread pool");
    latency(on_dpc, samples, samples_count);
    print_latency("DPC executor", samples, samples_count);
    printf("DPC executor block_on round trip\t%.1f\tus\n", block_on_round_trip(on_dpc, samples_count) / 1000.0);
    printf("work-item executor block_on round trip\t%.1f\tus\n",
           block_on_round_trip(on_work, samples_count) / 1000.0);
    latency(on_work, samples, samples_count);
    print_latency("work-item executor", samples, samples_count);
    latency(on_pool, samples, samples_count);
    print_latency("thread pool", samples, samples_count);
    (void)kcom_thread_pool_shutdown(pool, 10000);
    kcom_work_item_executor_destroy(work);
    kcom_dpc_executor_destroy(dpc);
    kcom_uninitialize();
    free(samples);
    return failures == 0 ? 0 : 1;
}
