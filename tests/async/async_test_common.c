/*
 * The async tests' helpers in user mode (async_test_common.h): threads, the clock, the thread pool
 * as the test pool, the harness's output and the programs' main, on POSIX threads or Win32. The
 * kernel test driver has its own (async_test_kernel.c). tests/executors uses this file too.
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif

#include "async_test_common.h"

#include <stdio.h>
#ifdef _WIN32
#include <process.h>
#else
#include <sched.h>
#include <time.h>
#endif

/* ---- threads for the tests ------------------------------------------------------------------------------ */

#ifdef _WIN32

static unsigned __stdcall thread_entry(void *context)
{
    test_thread *thread = (test_thread *)context;
    (void)thread->fn(thread->arg);
    return 0;
}

void test_thread_start(test_thread *thread, test_thread_fn *fn, void *arg)
{
    thread->fn = fn;
    thread->arg = arg;
    thread->handle = (HANDLE)_beginthreadex(NULL, 0, thread_entry, thread, 0, NULL);
    ok(thread->handle != NULL, "thread started\n");
}

void test_thread_join(test_thread *thread)
{
    if (thread->handle == NULL)
        return;
    WaitForSingleObject(thread->handle, INFINITE);
    CloseHandle(thread->handle);
    thread->handle = NULL;
}

void test_mutex_init(test_mutex *mutex)
{
    InitializeSRWLock(&mutex->lock);
}

void test_mutex_destroy(test_mutex *mutex)
{
    (void)mutex;
}

void test_mutex_lock(test_mutex *mutex)
{
    AcquireSRWLockExclusive(&mutex->lock);
}

void test_mutex_unlock(test_mutex *mutex)
{
    ReleaseSRWLockExclusive(&mutex->lock);
}

void test_barrier_init(test_barrier *barrier, unsigned count)
{
    InitializeSRWLock(&barrier->lock);
    InitializeConditionVariable(&barrier->all_in);
    barrier->count = count;
    barrier->waiting = 0;
    barrier->generation = 0;
}

void test_barrier_destroy(test_barrier *barrier)
{
    (void)barrier;
}

void test_barrier_wait(test_barrier *barrier)
{
    unsigned generation;
    AcquireSRWLockExclusive(&barrier->lock);
    generation = barrier->generation;
    if (++barrier->waiting == barrier->count) {
        barrier->waiting = 0;
        barrier->generation++;
        WakeAllConditionVariable(&barrier->all_in);
    } else {
        while (generation == barrier->generation)
            (void)SleepConditionVariableSRW(&barrier->all_in, &barrier->lock, INFINITE, 0);
    }
    ReleaseSRWLockExclusive(&barrier->lock);
}

void test_sleep_ms(ULONG ms)
{
    Sleep(ms);
}

void test_yield(void)
{
    (void)SwitchToThread();
}

ULONG64 test_now_ms(void)
{
    return GetTickCount64();
}

ULONG64 test_now_us(void)
{
    LARGE_INTEGER now, frequency;
    (void)QueryPerformanceCounter(&now);
    (void)QueryPerformanceFrequency(&frequency);
    return (ULONG64)now.QuadPart / (ULONG64)frequency.QuadPart * 1000000u +
           (ULONG64)now.QuadPart % (ULONG64)frequency.QuadPart * 1000000u / (ULONG64)frequency.QuadPart;
}

#else

void test_thread_start(test_thread *thread, test_thread_fn *fn, void *arg)
{
    ok(pthread_create(&thread->handle, NULL, fn, arg) == 0, "thread started\n");
}

void test_thread_join(test_thread *thread)
{
    pthread_join(thread->handle, NULL);
}

void test_mutex_init(test_mutex *mutex)
{
    pthread_mutex_init(&mutex->lock, NULL);
}

void test_mutex_destroy(test_mutex *mutex)
{
    pthread_mutex_destroy(&mutex->lock);
}

void test_mutex_lock(test_mutex *mutex)
{
    pthread_mutex_lock(&mutex->lock);
}

void test_mutex_unlock(test_mutex *mutex)
{
    pthread_mutex_unlock(&mutex->lock);
}

void test_barrier_init(test_barrier *barrier, unsigned count)
{
    pthread_mutex_init(&barrier->lock, NULL);
    pthread_cond_init(&barrier->all_in, NULL);
    barrier->count = count;
    barrier->waiting = 0;
    barrier->generation = 0;
}

void test_barrier_destroy(test_barrier *barrier)
{
    pthread_cond_destroy(&barrier->all_in);
    pthread_mutex_destroy(&barrier->lock);
}

void test_barrier_wait(test_barrier *barrier)
{
    unsigned generation;
    pthread_mutex_lock(&barrier->lock);
    generation = barrier->generation;
    if (++barrier->waiting == barrier->count) {
        barrier->waiting = 0;
        barrier->generation++;
        pthread_cond_broadcast(&barrier->all_in);
    } else {
        while (generation == barrier->generation)
            pthread_cond_wait(&barrier->all_in, &barrier->lock);
    }
    pthread_mutex_unlock(&barrier->lock);
}

void test_sleep_ms(ULONG ms)
{
    struct timespec pause;
    pause.tv_sec = (time_t)(ms / 1000u);
    pause.tv_nsec = (long)(ms % 1000u) * 1000000L;
    nanosleep(&pause, NULL);
}

void test_yield(void)
{
    sched_yield();
}

ULONG64 test_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (ULONG64)now.tv_sec * 1000u + (ULONG64)now.tv_nsec / 1000000u;
}

ULONG64 test_now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (ULONG64)now.tv_sec * 1000000u + (ULONG64)now.tv_nsec / 1000u;
}

#endif

/* ---- the test pool: kcom's thread pool ---------------------------------------------------------------- */

BOOLEAN test_pool_start(ULONG threads, test_pool **pool, const kcom_executor **executor)
{
    kcom_thread_pool *thread_pool = NULL;
    NTSTATUS status = kcom_thread_pool_create(threads, &thread_pool, executor);
    ok(status == STATUS_SUCCESS, "thread pool: %s\n", kcom_status_name(status));
    *pool = (test_pool *)thread_pool;
    return (BOOLEAN)(status == STATUS_SUCCESS);
}

NTSTATUS test_pool_shutdown(test_pool *pool, ULONG timeout_ms)
{
    return kcom_thread_pool_shutdown((kcom_thread_pool *)pool, timeout_ms);
}

/* ---- the programs ------------------------------------------------------------------------------------ */

/* The host's output for the harness. */
void kcom_test_vprint(const char *format, va_list args)
{
    vprintf(format, args);
    fflush(stdout);
}

int async_test_main(const char *const *names, void (*const *tests)(void), int count)
{
    const kcom_test_totals *totals;
    int i;
    for (i = 0; i < count; i++)
        kcom_test_run(names[i], tests[i]);
    totals = kcom_test_get_totals();
    kcom_async_operation_cache_drain(); /* what the tests left there, for leak checkers */
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed,
           (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
