/*
 * async_test_common.h - what the async tests share: a typed operation interface, a manual
 * executor run by the test thread, a callback recorder and the program's main.
 */
#ifndef KCOM_ASYNC_TEST_COMMON_H
#define KCOM_ASYNC_TEST_COMMON_H

#include "../harness/kcom_test.h"

#include <kcom/async.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncULONG, ULONG,
    0x2b8f0c1e, 0x5a4d, 0x4e21, 0x8b, 0x3c, 0x11, 0x9d, 0x7e, 0x60, 0x25, 0xf4)

/* An executor whose queue the test runs by hand (single-threaded tests). */
typedef struct manual_executor {
    kcom_executor executor;
    kcom_task_link queue;
    LONG scheduled;      /* schedule calls */
    NTSTATUS refuse;     /* a failure: schedule returns it */
} manual_executor;

void manual_init(manual_executor *m);
/* Runs queued tasks until the queue is empty; returns how many runs. */
LONG manual_run(manual_executor *m);
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

/* ---- threads for the tests: POSIX threads or Win32, chosen here ---------------------------------------- */

typedef void *test_thread_fn(void *arg);

#ifdef _WIN32
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
void test_sleep_ms(ULONG ms);
void test_yield(void);
/* Milliseconds on a monotonic clock. */
ULONG64 test_now_ms(void);

/* Runs the tests given and prints the totals; returns the exit code. */
int async_test_main(const char *const *names, void (*const *tests)(void), int count);

#endif /* KCOM_ASYNC_TEST_COMMON_H */
