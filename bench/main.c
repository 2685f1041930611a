/*
 * The benchmark harness: runs the cases of bench.h and checks what they return.
 *
 *   kcom_bench list                  one line per row: id, kind, kcom/plain symbol, C++ symbol,
 *                                    kcom-with-caching-allocator symbol (or -), C++-with-free-list
 *                                    symbol (or -), the bytes line of
 *                                    its object (or -), scope (case: its instructions are the case
 *                                    function's, on the calling thread; process: the case runs
 *                                    threads, count every thread's), title
 *   kcom_bench run SYMBOL N          runs one case function N iterations (for callgrind)
 *   kcom_bench time N REPS           wall-clock ns per iteration of every case function: the median
 *                                    of REPS runs of N iterations (N / BENCH_THREAD_DIVISOR + 1 for
 *                                    the cases that run threads), the runs interleaved across cases
 *   kcom_bench smoke [N]             every case with N iterations (default 1000), checksums checked
 *   kcom_bench_allocs allocs N       allocations per iteration of every case (kcom: a
 *                                    kcom_counting_allocator as the default allocator; C++: the
 *                                    counting operator new of cpp/counting_new.cpp; kcom with a
 *                                    caching allocator: what the cache passed on to its backing
 *                                    allocator), and the bytes one object asks its allocator for
 *   kcom_bench_allocs smoke [N]      the same with N iterations, checked against the expected counts
 *
 * Output lines are tab-separated, for scripts/bench.py. Exit status 0 on success, 1 when a check
 * fails, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench.h"

#include <kcom/kcom.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BENCH_COUNT_ALLOCS
#define BENCH_COUNT_ALLOCS 0
#endif

volatile uint64_t bench_sink;

/* ---- the table ----------------------------------------------------------------------------------- */

typedef uint64_t bench_expected_fn(uint64_t n);

static uint64_t expect_zero(uint64_t n)
{
    (void)n;
    return 0; /* each final Release returns 0 */
}
static uint64_t expect_three_per(uint64_t n)
{
    return 3 * n; /* AddRef returns 2, Release 1 */
}
static uint64_t expect_sum(uint64_t n)
{
    /* status 0 each time, then the object's 32-bit total of 0 + 1 + ... + (n - 1) */
    uint64_t sum = n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
    return (uint32_t)sum;
}
static uint64_t expect_one_per(uint64_t n)
{
    return n; /* status 0, then Release returns 1 */
}
static uint64_t expect_miss(uint64_t n)
{
    return n * (0xC00002B9u + 1u); /* STATUS_NOINTERFACE, and a NULL out pointer */
}
#if BENCH_ASYNC
static uint64_t expect_doubled(uint64_t n)
{
    /* get_result's 0 and its value 2i, then the final Release's 0: 2 * (0 + 1 + ... + (n - 1)) */
    return n == 0 ? 0 : n * (n - 1);
}
static uint64_t expect_completed(uint64_t n)
{
    return n * (uint64_t)KCOM_ASYNC_COMPLETED; /* get_status's 0 and COMPLETED */
}
static uint64_t expect_incremented(uint64_t n)
{
    /* statuses 0, the value i + 1, the releases 0: 1 + 2 + ... + n */
    return n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
}
#endif

typedef struct bench_row {
    const char *id;
    const char *title;
    int baseline;              /* 1: a plain C row; kc_fn is the plain C function, cpp_fn NULL */
    const char *kc_name;
    bench_case_fn *kc_fn;
    const char *cpp_name;
    bench_case_fn *cpp_fn;
    const char *cached_name;   /* the kcom case with a caching allocator, or NULL */
    bench_case_fn *cached_fn;
    const char *cpp_cached_name; /* its C++ counterpart: the class with a free list, or NULL */
    bench_case_fn *cpp_cached_fn;
    const char *bytes;         /* the "bytes" line of command_allocs for its object: the class
                                  ("1", "4", "8" interfaces, "0" the plain struct) or the operation
                                  ("async_op", "async_storage"); "-" for none */
    int allocates;             /* allocations per iteration, each side (with a caching allocator:
                                  none reach its backing allocator once the cache holds a block) */
    int threads;               /* 1: the case runs threads (timed with fewer iterations, measured
                                  over the whole process) */
    int cpp_free_lists;        /* 1: the C++ side takes its objects from free lists of its own, as
                                  the kcom side takes its operations from its operation cache
                                  (which the counting kcom_bench_allocs bypasses): none per
                                  iteration on the C++ side */
    bench_expected_fn *expected;
} bench_row;

/* Iterations of a case that runs threads, per BENCH_THREAD_DIVISOR of the others' (a thread
 * round trip costs microseconds where the other cases take nanoseconds). */
#define BENCH_THREAD_DIVISOR 100

#define ROW(id, title, bytes, allocates, expected) \
    {#id, title, 0, "bench_kcom_" #id, bench_kcom_##id, "bench_cpp_" #id, bench_cpp_##id, NULL, NULL, NULL, NULL, \
     bytes, allocates, 0, 0, expected}
/* a case that runs threads, the C++ side over free lists */
#define ROW_THREADS(id, title, bytes, allocates, expected) \
    {#id, title, 0, "bench_kcom_" #id, bench_kcom_##id, "bench_cpp_" #id, bench_cpp_##id, NULL, NULL, NULL, NULL, \
     bytes, allocates, 1, 1, expected}
#define ROW_CACHED(id, title, bytes, allocates, expected)                                                   \
    {#id, title, 0, "bench_kcom_" #id, bench_kcom_##id, "bench_cpp_" #id, bench_cpp_##id,               \
     "bench_kcom_cached_" #id, bench_kcom_cached_##id, "bench_cpp_cached_" #id, bench_cpp_cached_##id,   \
     bytes, allocates, 0, 0, expected}
#define BASELINE(id, title, allocates, expected) \
    {#id, title, 1, "bench_plain_" #id, bench_plain_##id, NULL, NULL, NULL, NULL, NULL, NULL, "0", allocates, 0, 0, \
     expected}

static const bench_row rows[] = {
    ROW_CACHED(create_release_1, "create + final Release, 1 interface", "1", 1, expect_zero),
    ROW_CACHED(create_release_4, "create + final Release, 4 interfaces", "4", 1, expect_zero),
    ROW(create_by_iid, "create by IID (kcom_object_create) + final Release", "1", 1, expect_zero),
    ROW(create_by_iid_other, "the same, from another file than the class's", "1", 1, expect_zero),
    BASELINE(create_free, "baseline: plain C malloc + init + free (no COM)", 1, expect_zero),
    ROW(addref_release, "AddRef + Release pair", "1", 0, expect_three_per),
    ROW(call, "call through the vtable (Ping: total += value)", "1", 0, expect_sum),
    ROW(call_4th, "call through the vtable, 4th of 4 interfaces", "4", 0, expect_sum),
    BASELINE(call, "baseline: plain C function pointer call", 0, expect_sum),
    ROW(qi_first, "QueryInterface hit, 1st of 8 (+ Release)", "8", 0, expect_one_per),
    ROW(qi_last, "QueryInterface hit, 8th of 8 (+ Release)", "8", 0, expect_one_per),
    ROW(qi_miss, "QueryInterface miss, 8 interfaces", "8", 0, expect_miss),
#if BENCH_ASYNC
    ROW_CACHED(async_call, "async call -> completed operation, get_result, Release", "async_op", 1, expect_doubled),
    ROW(async_call_in, "the same, operation in caller storage", "async_storage", 0, expect_doubled),
    ROW(spawn_in, "the same, a task built by hand (kcom_async_spawn_begin_in + _run)", "-", 0, expect_doubled),
    ROW(spawn_in_other, "the same, the task's descriptor (KCOM_ASYNC_TASK) from another file", "-", 0,
        expect_doubled),
    ROW(spawn_in_other_desc, "the same, a KCOM_ASYNC_TASK_DESC descriptor from another file", "-", 0,
        expect_doubled),
    ROW(run_in, "the same task in one call (kcom_async_run_in)", "-", 0, expect_doubled),
    ROW(run_in_other, "the same, the task's descriptor (KCOM_ASYNC_TASK) from another file", "-", 0,
        expect_doubled),
    ROW(run_in_other_desc, "the same, a KCOM_ASYNC_TASK_DESC descriptor from another file", "-", 0,
        expect_doubled),
    ROW(run_in_tracked, "the same task in one call on an executor with a tracker", "-", 0, expect_doubled),
    ROW(spawn_in_tracked, "the same task built by hand (begin_in + run) on an executor with a tracker", "-", 0,
        expect_doubled),
    ROW(async_status, "get_status on a completed operation", "async_op", 0, expect_completed),
    ROW_THREADS(async_wake, "task woken once via a completion source, on a pool thread", "-", 2,
                expect_incremented),
#if defined(BENCH_DPC) && BENCH_DPC
    ROW_THREADS(async_dpc_wake, "the same on the DPC executor (host simulation)", "-", 2, expect_incremented),
#endif
#endif
};
#define ROW_COUNT (sizeof(rows) / sizeof(rows[0]))

/* Every case function once: side 0 is the kcom (or plain) one, side 1 the C++ one, side 2 the kcom
 * one with a caching allocator, side 3 the C++ one with a free list. */
#define SIDE_COUNT 4
#define SIDE_CACHED 2
#define SIDE_CPP_CACHED 3
static const char *side_name(const bench_row *row, int side)
{
    return side == 0 ? row->kc_name : side == 1 ? row->cpp_name : side == 2 ? row->cached_name : row->cpp_cached_name;
}
static bench_case_fn *side_fn(const bench_row *row, int side)
{
    return side == 0 ? row->kc_fn : side == 1 ? row->cpp_fn : side == 2 ? row->cached_fn : row->cpp_cached_fn;
}

static int failures;

static void fail(const char *format, ...) KCOM_PRINTF_FORMAT(1, 2);
static void fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "kcom_bench: FAILED: ");
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    failures++;
}

/* Runs one case and checks its checksum. */
static uint64_t run_checked(const bench_row *row, int side, uint64_t n)
{
    uint64_t got = side_fn(row, side)(n);
    uint64_t expected = row->expected(n);
    if (got != expected)
        fail("%s returned checksum %" PRIu64 ", expected %" PRIu64, side_name(row, side), got, expected);
    return got;
}

/* ---- commands ------------------------------------------------------------------------------------- */

static int command_list(void)
{
    size_t r;
    for (r = 0; r < ROW_COUNT; r++)
        printf("row\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rows[r].id, rows[r].baseline ? "baseline" : "compare",
               rows[r].kc_name, rows[r].cpp_name != NULL ? rows[r].cpp_name : "-",
               rows[r].cached_name != NULL ? rows[r].cached_name : "-",
               rows[r].cpp_cached_name != NULL ? rows[r].cpp_cached_name : "-", rows[r].bytes,
               rows[r].threads ? "process" : "case", rows[r].title);
    return 0;
}

static int command_run(const char *symbol, uint64_t n)
{
    size_t r;
    int side;
    for (r = 0; r < ROW_COUNT; r++)
        for (side = 0; side < SIDE_COUNT; side++)
            if (side_fn(&rows[r], side) != NULL && strcmp(side_name(&rows[r], side), symbol) == 0) {
                printf("run\t%s\t%" PRIu64 "\t%" PRIu64 "\n", symbol, n, run_checked(&rows[r], side, n));
                return failures == 0 ? 0 : 1;
            }
    fprintf(stderr, "kcom_bench: no case function named %s (see kcom_bench list)\n", symbol);
    return 2;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

#define MAX_REPS 101

/* Iterations of a timed run of row with n asked for. */
static uint64_t timed_iterations(const bench_row *row, uint64_t n)
{
    return row->threads ? n / BENCH_THREAD_DIVISOR + 1 : n;
}

static int command_time(uint64_t n, int reps)
{
    static double samples[ROW_COUNT][SIDE_COUNT][MAX_REPS];
    size_t r;
    int side, rep;
    if (reps < 1 || reps > MAX_REPS || n == 0) {
        fprintf(stderr, "kcom_bench: time needs N >= 1 and 1 <= REPS <= %d\n", MAX_REPS);
        return 2;
    }
    /* warm-up: page in the code, fill the allocator's caches */
    for (r = 0; r < ROW_COUNT; r++)
        for (side = 0; side < SIDE_COUNT; side++)
            if (side_fn(&rows[r], side) != NULL)
                run_checked(&rows[r], side, timed_iterations(&rows[r], n) / 10 + 1);
    /* interleaved, so a slow period of the machine spreads over all cases instead of hitting one */
    for (rep = 0; rep < reps; rep++)
        for (r = 0; r < ROW_COUNT; r++)
            for (side = 0; side < SIDE_COUNT; side++) {
                uint64_t iterations = timed_iterations(&rows[r], n);
                double start;
                if (side_fn(&rows[r], side) == NULL)
                    continue;
                start = now_ns();
                run_checked(&rows[r], side, iterations);
                samples[r][side][rep] = (now_ns() - start) / (double)iterations;
            }
    for (r = 0; r < ROW_COUNT; r++)
        for (side = 0; side < SIDE_COUNT; side++) {
            if (side_fn(&rows[r], side) == NULL)
                continue;
            qsort(samples[r][side], (size_t)reps, sizeof(double), compare_double);
            printf("time\t%s\t%.3f\t%.3f\t%.3f\n", side_name(&rows[r], side), samples[r][side][reps / 2],
                   samples[r][side][0], samples[r][side][reps - 1]);
        }
    return failures == 0 ? 0 : 1;
}

static int command_smoke_runs(uint64_t n)
{
    size_t r;
    int side;
    for (r = 0; r < ROW_COUNT; r++)
        for (side = 0; side < SIDE_COUNT; side++)
            if (side_fn(&rows[r], side) != NULL)
                run_checked(&rows[r], side, n);
    /* n = 0 and 1 exercise the loops' edges */
    for (r = 0; r < ROW_COUNT; r++)
        for (side = 0; side < SIDE_COUNT; side++)
            if (side_fn(&rows[r], side) != NULL) {
                run_checked(&rows[r], side, 0);
                run_checked(&rows[r], side, 1);
            }
    return command_time(n, 3);
}

#if BENCH_COUNT_ALLOCS

static kcom_counting_allocator counter;

/* Runs a case n times; *allocs and *frees receive the allocations and frees it made. */
static void count_allocs(const bench_row *row, int side, uint64_t n, uint64_t *allocs, uint64_t *frees)
{
    if (side == SIDE_CACHED) {
        /* from an empty cache, so every run pays the one miss that fills it */
        uint64_t before;
        bench_kcom_drain_caches();
        before = bench_kcom_cache_backing_allocs();
        run_checked(row, side, n);
        *allocs = bench_kcom_cache_backing_allocs() - before;
        *frees = *allocs; /* what the cache keeps goes back at the next drain */
    } else if ((side == SIDE_CPP_CACHED || (side == 1 && row->cpp_free_lists)) &&
               bench_cpp_new_calls() != BENCH_NOT_COUNTED) {
        /* from empty free lists, drained again after: their misses, and as many deletes */
        uint64_t news, deletes;
        bench_cpp_drain_free_lists();
        news = bench_cpp_new_calls();
        deletes = bench_cpp_delete_calls();
        run_checked(row, side, n);
        bench_cpp_drain_free_lists();
        *allocs = bench_cpp_new_calls() - news;
        *frees = bench_cpp_delete_calls() - deletes;
        if (*allocs != *frees)
            fail("%s: %" PRIu64 " news but %" PRIu64 " deletes", side_name(row, side), *allocs, *frees);
    } else if (side == 0) {
        LONG attempts = counter.attempts;
        LONG live = kcom_counting_allocator_live(&counter);
        run_checked(row, side, n);
        *allocs = (uint64_t)(counter.attempts - attempts);
        /* the live count is back where it was: as many frees as allocations */
        if (kcom_counting_allocator_live(&counter) != live)
            fail("%s leaked %ld kcom blocks", side_name(row, side), (long)(kcom_counting_allocator_live(&counter) - live));
        *frees = *allocs - (uint64_t)(kcom_counting_allocator_live(&counter) - live);
    } else if (bench_cpp_new_calls() == BENCH_NOT_COUNTED) {
        run_checked(row, side, n);
        *allocs = *frees = BENCH_NOT_COUNTED;
    } else {
        uint64_t news = bench_cpp_new_calls(), deletes = bench_cpp_delete_calls();
        run_checked(row, side, n);
        *allocs = bench_cpp_new_calls() - news;
        *frees = bench_cpp_delete_calls() - deletes;
        if (*allocs != *frees)
            fail("%s: %" PRIu64 " news but %" PRIu64 " deletes", side_name(row, side), *allocs, *frees);
    }
}

#if BENCH_ASYNC
/* Bytes of an async call's operation: what one Read asks its allocator for (kcom: operation, task
 * state and result in one block; C++: the operation class, checked against its sizeof), and what
 * the in-storage variant uses (kcom: the bytes of the caller's storage it writes, found with a fill
 * pattern; C++: sizeof). */
static void count_async_bytes(void)
{
    uint64_t kc_bytes = 0, cpp_bytes = 0, new_bytes;
    void *object = bench_kcom_async_create_object(), *op;
    if (object == NULL) {
        fail("creating a kcom object with an async method failed");
    } else {
        LONG64 live_bytes = counter.live_bytes;
        op = bench_kcom_async_read(object, 1);
        kc_bytes = (uint64_t)(counter.live_bytes - live_bytes);
        if (bench_kcom_async_release(op) != 0 || bench_kcom_async_release(object) != 0)
            fail("releasing a kcom async operation and its object failed");
    }
    object = bench_cpp_async_create_object();
    if (object == NULL) {
        fail("creating a C++ object with an async method failed");
    } else {
        new_bytes = bench_cpp_new_bytes();
        op = bench_cpp_async_read(object, 1);
        /* not counted (TSan): sizeof stands in */
        cpp_bytes = new_bytes == BENCH_NOT_COUNTED ? bench_cpp_async_op_bytes(0) : bench_cpp_new_bytes() - new_bytes;
        if (bench_cpp_async_release(op) != 0 || bench_cpp_async_release(object) != 0)
            fail("releasing a C++ async operation and its object failed");
        if (cpp_bytes != bench_cpp_async_op_bytes(0))
            fail("C++ async operation: operator new asked for %" PRIu64 " bytes, sizeof is %" PRIu64, cpp_bytes,
                 bench_cpp_async_op_bytes(0));
    }
    printf("bytes\tasync_op\t%" PRIu64 "\t%" PRIu64 "\n", kc_bytes, cpp_bytes);
    /* the target of docs/performance.md: an async call's operation with a ULONG result and a
     * 16-byte state, in the operation cache's 128-byte class, allocated or in caller storage */
    if (kc_bytes > BENCH_ASYNC_OP_BYTES_TARGET || bench_kcom_async_storage_bytes() > BENCH_ASYNC_OP_BYTES_TARGET)
        fail("the async call's operation takes %" PRIu64 " bytes (%" PRIu64 " in caller storage), above %d", kc_bytes,
             bench_kcom_async_storage_bytes(), BENCH_ASYNC_OP_BYTES_TARGET);
    printf("bytes\tasync_storage\t%" PRIu64 "\t%" PRIu64 "\n", bench_kcom_async_storage_bytes(),
           bench_cpp_async_op_bytes(1));
    {
        /* the pending pair: a completion source and a task awaiting it */
        LONG64 live_bytes = counter.live_bytes;
        void *source = NULL, *operation = bench_kcom_async_pending_begin(&source);
        uint64_t pending_bytes = (uint64_t)(counter.live_bytes - live_bytes);
        uint64_t cpp_pending = bench_cpp_async_pending_bytes(bench_cpp_new_bytes);
        if (operation == NULL || !bench_kcom_async_pending_end(source, operation))
            fail("the kcom pending pair (a completion source and a task awaiting it) failed");
        if (cpp_pending == BENCH_NOT_COUNTED)
            printf("bytes\tasync_pending\t%" PRIu64 "\t-\n", pending_bytes);
        else
            printf("bytes\tasync_pending\t%" PRIu64 "\t%" PRIu64 "\n", pending_bytes, cpp_pending);
    }
    if (bench_kcom_async_storage_bytes() == 0 || bench_kcom_async_storage_bytes() > BENCH_ASYNC_STORAGE_BYTES)
        fail("the in-storage operation wrote %" PRIu64 " bytes of the %d given", bench_kcom_async_storage_bytes(),
             BENCH_ASYNC_STORAGE_BYTES);
}
#endif

/* Allocations per iteration of every case: the difference between runs of 2n and n iterations,
 * divided by n, so the object a case creates for its setup drops out. With check, compared with
 * the table. */
static int command_allocs(uint64_t n, int check)
{
    static const int classes[] = {1, 4, 8};
    size_t r, c;
    int side;
    if (n == 0) {
        fprintf(stderr, "kcom_bench: allocs needs N >= 1\n");
        return 2;
    }
    for (r = 0; r < ROW_COUNT; r++)
        for (side = 0; side < SIDE_COUNT; side++) {
            uint64_t allocs1, frees1, allocs2, frees2, expected;
            if (side_fn(&rows[r], side) == NULL)
                continue;
            if (rows[r].baseline) {
                /* plain C calls malloc directly; nothing counts it */
                run_checked(&rows[r], side, n);
                printf("allocs\t%s\t-\t-\n", side_name(&rows[r], side));
                continue;
            }
            count_allocs(&rows[r], side, n, &allocs1, &frees1);
            count_allocs(&rows[r], side, 2 * n, &allocs2, &frees2);
            if (allocs1 == BENCH_NOT_COUNTED) {
                printf("allocs\t%s\t-\t-\n", side_name(&rows[r], side));
                continue;
            }
            if (side == 1 && rows[r].cpp_free_lists) {
                /* free lists filled by threads: a miss per kept block per run, and one more when
                 * the worker gives a block back late, however many iterations: two runs differ
                 * by at most one */
                int64_t more = (int64_t)(allocs2 - allocs1), more_frees = (int64_t)(frees2 - frees1);
                printf("allocs\t%s\t%.3f\t%.3f\n", side_name(&rows[r], side),
                       (double)(more > 0 ? more : 0) / (double)n,
                       (double)(more_frees > 0 ? more_frees : 0) / (double)n);
                if (check && (more > 1 || more < -1))
                    fail("%s: %" PRIu64 " and %" PRIu64 " allocations in runs of %" PRIu64 " and %" PRIu64
                         " iterations, expected the same but for one",
                         side_name(&rows[r], side), allocs1, allocs2, n, 2 * n);
                continue;
            }
            printf("allocs\t%s\t%.3f\t%.3f\n", side_name(&rows[r], side), (double)(allocs2 - allocs1) / (double)n,
                   (double)(frees2 - frees1) / (double)n);
            /* a cache or free list: one miss per run, none per iteration */
            expected = side >= SIDE_CACHED ? 0 : (uint64_t)rows[r].allocates * n;
            if (check && allocs2 - allocs1 != expected)
                fail("%s: %" PRIu64 " allocations per %" PRIu64 " iterations, expected %" PRIu64,
                     side_name(&rows[r], side), allocs2 - allocs1, n, expected);
        }
    /* bytes one object asks its allocator for, measured, and checked against the sizeofs */
    for (c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
        LONG64 live_bytes = counter.live_bytes;
        uint64_t new_bytes = bench_cpp_new_bytes();
        uint64_t kc_bytes, cpp_bytes;
        void *object = bench_kcom_create_object(classes[c]);
        kc_bytes = (uint64_t)(counter.live_bytes - live_bytes);
        if (object == NULL || bench_kcom_release_object(object) != 0)
            fail("creating and releasing a kcom object of %d interfaces failed", classes[c]);
        object = bench_cpp_create_object(classes[c]);
        /* not counted (TSan): sizeof stands in */
        cpp_bytes = new_bytes == BENCH_NOT_COUNTED ? bench_cpp_object_bytes(classes[c])
                                                   : bench_cpp_new_bytes() - new_bytes;
        if (object == NULL || bench_cpp_release_object(object) != 0)
            fail("creating and releasing a C++ object of %d interfaces failed", classes[c]);
        printf("bytes\t%d\t%" PRIu64 "\t%" PRIu64 "\n", classes[c], kc_bytes, cpp_bytes);
        if (kc_bytes != bench_kcom_object_bytes(classes[c]))
            fail("kcom object of %d interfaces: KCOM_NEW asked for %" PRIu64 " bytes, header + struct is %" PRIu64,
                 classes[c], kc_bytes, bench_kcom_object_bytes(classes[c]));
        if (cpp_bytes != bench_cpp_object_bytes(classes[c]))
            fail("C++ object of %d interfaces: operator new asked for %" PRIu64 " bytes, sizeof is %" PRIu64,
                 classes[c], cpp_bytes, bench_cpp_object_bytes(classes[c]));
    }
    printf("bytes\t0\t%" PRIu64 "\t-\n", bench_plain_object_bytes());
#if BENCH_ASYNC
    count_async_bytes();
#endif
    return failures == 0 ? 0 : 1;
}

#endif /* BENCH_COUNT_ALLOCS */

/* ---- main ------------------------------------------------------------------------------------------ */

static int parse_count(const char *text, uint64_t *value)
{
    char *end;
    unsigned long long parsed;
    if (text == NULL || *text == '\0' || *text == '-')
        return 0;
    parsed = strtoull(text, &end, 10);
    if (*end != '\0')
        return 0;
    *value = (uint64_t)parsed;
    return 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: kcom_bench list | run SYMBOL N | time N REPS | smoke [N]"
#if BENCH_COUNT_ALLOCS
                    " | allocs N"
#endif
                    "\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t n = 1000, reps;
    int status;
    if (argc < 2)
        return usage();
#if BENCH_COUNT_ALLOCS
    if (!NT_SUCCESS(kcom_counting_allocator_init(&counter, NULL)) ||
        !NT_SUCCESS(kcom_set_default_allocator(&counter.allocator))) {
        fprintf(stderr, "kcom_bench: cannot install the counting allocator\n");
        return 1;
    }
#endif
    if (strcmp(argv[1], "list") == 0 && argc == 2) {
        status = command_list();
    } else if (strcmp(argv[1], "run") == 0 && argc == 4 && parse_count(argv[3], &n)) {
        status = command_run(argv[2], n);
    } else if (strcmp(argv[1], "time") == 0 && argc == 4 && parse_count(argv[2], &n) && parse_count(argv[3], &reps) &&
               reps <= MAX_REPS) {
        status = command_time(n, (int)reps);
    } else if (strcmp(argv[1], "smoke") == 0 && (argc == 2 || (argc == 3 && parse_count(argv[2], &n)))) {
        status = command_smoke_runs(n);
#if BENCH_COUNT_ALLOCS
        if (status == 0)
            status = command_allocs(n, 1);
#endif
#if BENCH_COUNT_ALLOCS
    } else if (strcmp(argv[1], "allocs") == 0 && argc == 3 && parse_count(argv[2], &n)) {
        status = command_allocs(n, 0);
#endif
    } else {
        return usage();
    }
    bench_kcom_drain_caches(); /* the caching allocators' blocks go back to the platform */
    bench_cpp_drain_free_lists();
#if BENCH_ASYNC
    kcom_async_operation_cache_drain(); /* and the async operation blocks */
#endif
#if BENCH_COUNT_ALLOCS
    kcom_set_default_allocator(NULL);
    if (kcom_counting_allocator_live(&counter) != 0) {
        fprintf(stderr, "kcom_bench: %ld kcom blocks still allocated at exit\n",
                (long)kcom_counting_allocator_live(&counter));
        status = 1;
    }
#endif
    if (status == 0 && failures != 0)
        status = 1;
    return status;
}
