/*
 * async_test_common.h - what the async tests share: a typed operation interface, a manual
 * executor run by the test thread, a callback recorder, a clock, threads, a pool of threads
 * running tasks and, in user mode, the programs' main.
 *
 * The test functions (async_test_list.h) are portable: the same sources run as one program per
 * file on the Linux host and in Windows user mode, and inside the kernel test driver. The parts:
 *   async_test_portable.c  the manual executor and the callback recorder (every target);
 *   async_test_common.c    user mode: threads, the clock, the thread pool as the test pool, the
 *                          harness's output and async_test_main (also used by tests/executors);
 *   async_test_kernel.c    the kernel test driver: the clock, system threads, and a work-item
 *                          executor as the test pool.
 */
#ifndef KCOM_ASYNC_TEST_COMMON_H
#define KCOM_ASYNC_TEST_COMMON_H

#include "../harness/kcom_test.h"
#include "async_test_list.h"

#include <kcom/async.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncULONG, ULONG,
    0x2b8f0c1e, 0x5a4d, 0x4e21, 0x8b, 0x3c, 0x11, 0x9d, 0x7e, 0x60, 0x25, 0xf4)

#define ASYNC_TEST_DECLARE_(name) void kcom_test_##name(void);
KCOM_ASYNC_TEST_LIST(ASYNC_TEST_DECLARE_, ASYNC_TEST_DECLARE_)

/* ---- every target (async_test_portable.c) --------------------------------------------------------------- */

/* An executor whose queue the test runs by hand (single-threaded tests). */
typedef struct manual_executor {
    kcom_executor executor;
    kcom_task_link queue;
    LONG scheduled;      /* schedule calls */
    NTSTATUS refuse;     /* a failure: schedule returns it */
} manual_executor;

void manual_init(manual_executor *m);
/* Runs queued tasks until the queue is empty (or max_runs have run; 0: no limit); returns how
 * many runs. */
LONG manual_run(manual_executor *m);
LONG manual_run_some(manual_executor *m, LONG max_runs);
LONG manual_queued(const manual_executor *m);

/* Records completion callbacks. */
typedef struct callback_record {
    LONG volatile calls;
    LONG volatile status;
    LONG volatile refs_seen; /* AddRef's result inside the callback */
    IKcomAsyncOperation *volatile operation;
    LONG volatile mismatches; /* get_status inside differed from the status passed */
    int release_in_callback; /* releases the test's reference from inside */
} callback_record;

void record_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context);

/* A task whose first poll finishes it with the ULONG 7 (its state only the resume point). */
typedef struct ready_task {
    KCOM_TASK_RESUME_POINT;
} ready_task;
extern const kcom_async_task_desc ready_desc;

/* ---- every target, per target (async_test_common.c, async_test_kernel.c) --------------------------------- */

/* Sleeps (kernel: PASSIVE_LEVEL); yields the processor. */
void test_sleep_ms(ULONG ms);
void test_yield(void);
/* Milliseconds on a monotonic clock. */
ULONG64 test_now_ms(void);
/* Microseconds on a monotonic clock as precise as the platform has (a timer's due time checked
 * from below: a clock that counts coarser units would let an early firing pass). */
ULONG64 test_now_us(void);

/* An executor running tasks on threads of its own, for tests that need tasks polled while the test
 * thread waits (kcom_async_block_on) or sets events: user mode, kcom's thread pool of `threads`
 * threads; the kernel, a work-item executor on the test driver's device (one system worker thread
 * at a time), counted by a tracker of its own. test_pool_start reports a failure, or skips (with
 * the reason) where there is no such executor, and then returns FALSE. */
typedef struct test_pool test_pool;
BOOLEAN test_pool_start(ULONG threads, test_pool **pool, const kcom_executor **executor);
/* Waits up to timeout_ms for the pool's tasks (user mode: the queue drains; the kernel: every task
 * spawned on it finished), then ends it: STATUS_SUCCESS, or STATUS_TIMEOUT (what was left was
 * dropped). PASSIVE_LEVEL, not from one of its tasks. */
NTSTATUS test_pool_shutdown(test_pool *pool, ULONG timeout_ms);

/* ---- threads for the tests (async_test_common.c, async_test_kernel.c) ----------------------------------- */

typedef void *test_thread_fn(void *arg);

#if KCOM_TARGET_NTKERNEL
/* System threads (PsCreateSystemThread); a spin lock and a barrier on kcom's atomics, waiting
 * with test_yield (PASSIVE_LEVEL). */
typedef struct test_thread {
    HANDLE handle;
    test_thread_fn *fn;
    void *arg;
} test_thread;
typedef struct test_mutex {
    LONG volatile locked;
} test_mutex;
typedef struct test_barrier {
    LONG count;
    LONG volatile waiting, generation;
} test_barrier;
#elif defined(_WIN32)
typedef struct test_thread {
    HANDLE handle;
    test_thread_fn *fn;
    void *arg;
} test_thread;
typedef struct test_mutex {
    SRWLOCK lock;
} test_mutex;
typedef struct test_barrier {
    SRWLOCK lock;
    CONDITION_VARIABLE all_in;
    unsigned count, waiting, generation;
} test_barrier;
#else
#include <pthread.h>
typedef struct test_thread {
    pthread_t handle;
} test_thread;
typedef struct test_mutex {
    pthread_mutex_t lock;
} test_mutex;
typedef struct test_barrier {
    pthread_mutex_t lock;
    pthread_cond_t all_in;
    unsigned count, waiting, generation;
} test_barrier;
#endif

/* Starts fn(arg) on a new thread (the test fails if it cannot); join once. */
void test_thread_start(test_thread *thread, test_thread_fn *fn, void *arg);
void test_thread_join(test_thread *thread);
void test_mutex_init(test_mutex *mutex);
void test_mutex_destroy(test_mutex *mutex);
void test_mutex_lock(test_mutex *mutex);
void test_mutex_unlock(test_mutex *mutex);
/* count threads meet at each test_barrier_wait; reusable. */
void test_barrier_init(test_barrier *barrier, unsigned count);
void test_barrier_destroy(test_barrier *barrier);
void test_barrier_wait(test_barrier *barrier);

/* ---- user mode: the programs' main (async_test_common.c) ------------------------------------------------- */

#if !KCOM_TARGET_NTKERNEL

/* Runs the tests given and prints the totals; returns the exit code. */
int async_test_main(const char *const *names, void (*const *tests)(void), int count);

/* The main of a test program: runs every test of a list of async_test_list.h, those listed with
 * X and with H alike. (The kernel test driver runs the lists itself: nothing to define there.) */
#define ASYNC_TEST_NAME_(name) #name,
#define ASYNC_TEST_FUNCTION_(name) kcom_test_##name,
#define ASYNC_TEST_PROGRAM(LIST)                                                                   \
    int main(void)                                                                                 \
    {                                                                                              \
        static const char *const names[] = {LIST(ASYNC_TEST_NAME_, ASYNC_TEST_NAME_)};             \
        static void (*const tests[])(void) = {LIST(ASYNC_TEST_FUNCTION_, ASYNC_TEST_FUNCTION_)};   \
        return async_test_main(names, tests, (int)(sizeof(tests) / sizeof(tests[0])));             \
    }

#else

#define ASYNC_TEST_PROGRAM(LIST)

#endif /* !KCOM_TARGET_NTKERNEL */

#endif /* KCOM_ASYNC_TEST_COMMON_H */
