/*
 * The async tests' helpers inside the kernel test driver (async_test_common.h): the clock, sleep
 * and yield on the kernel's, and a work-item executor on the driver's device as the test pool.
 * Built into the driver only (tests/kernel/CMakeLists.txt), with the async layer.
 */
#include "async_test_common.h"

#include "../../src/platform/platform.h"
#include "../kernel/kernel_test_driver.h"

#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC

/* ---- the clock: the platform layer's, which the timer awaitable computes its deadlines on ---------------- */

/* PASSIVE_LEVEL (the tests run in the driver's IOCTL dispatch, or on their own threads). */
void test_sleep_ms(ULONG ms)
{
    kcom_platform_sleep_ms(ms);
}

void test_yield(void)
{
    kcom_platform_sleep_ms(0); /* a zero delay gives the processor up */
}

ULONG64 test_now_ms(void)
{
    return kcom_platform_monotonic_ms();
}

ULONG64 test_now_us(void)
{
    return kcom_platform_monotonic_us();
}

/* ---- threads -------------------------------------------------------------------------------------------- */

/* ntoskrnl's, declared in ntifs.h (which a WDM driver does not include); Wine's DDK declares it in
 * wdm.h (cmake/toolchains/wine-ddk/kcom_wine_ddk.h says so). */
#ifndef KCOM_DDK_DECLARES_ZW_WAIT_FOR_SINGLE_OBJECT
NTSYSAPI NTSTATUS NTAPI ZwWaitForSingleObject(HANDLE handle, BOOLEAN alertable, PLARGE_INTEGER timeout);
#endif

static KSTART_ROUTINE thread_entry;

static VOID NTAPI thread_entry(PVOID context)
{
    test_thread *thread = (test_thread *)context;
    (void)thread->fn(thread->arg);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

void test_thread_start(test_thread *thread, test_thread_fn *fn, void *arg)
{
    OBJECT_ATTRIBUTES attributes;
    NTSTATUS status;
    thread->fn = fn;
    thread->arg = arg;
    thread->handle = NULL;
    /* a kernel handle: the IOCTL runs in the client's process, whose handle table is not ours */
    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    status = PsCreateSystemThread(&thread->handle, THREAD_ALL_ACCESS, &attributes, NULL, NULL, thread_entry, thread);
    ok(status == STATUS_SUCCESS, "PsCreateSystemThread: %s\n", kcom_status_name(status));
    if (!NT_SUCCESS(status))
        thread->handle = NULL;
}

void test_thread_join(test_thread *thread)
{
    if (thread->handle == NULL)
        return;
    (void)ZwWaitForSingleObject(thread->handle, FALSE, NULL);
    (void)ZwClose(thread->handle);
    thread->handle = NULL;
}

void test_mutex_init(test_mutex *mutex)
{
    mutex->locked = 0;
}

void test_mutex_destroy(test_mutex *mutex)
{
    (void)mutex;
}

void test_mutex_lock(test_mutex *mutex)
{
    while (kcom_atomic_compare_exchange(&mutex->locked, 0, 1) != 0)
        test_yield();
}

void test_mutex_unlock(test_mutex *mutex)
{
    kcom_atomic_store(&mutex->locked, 0);
}

void test_barrier_init(test_barrier *barrier, unsigned count)
{
    barrier->count = (LONG)count;
    barrier->waiting = 0;
    barrier->generation = 0;
}

void test_barrier_destroy(test_barrier *barrier)
{
    (void)barrier;
}

void test_barrier_wait(test_barrier *barrier)
{
    LONG generation = kcom_atomic_load(&barrier->generation);
    if (kcom_atomic_fetch_add(&barrier->waiting, 1) + 1 == barrier->count) {
        /* the last one in: everyone has read this generation; open the next */
        kcom_atomic_store(&barrier->waiting, 0);
        kcom_atomic_fetch_add(&barrier->generation, 1);
        return;
    }
    while (kcom_atomic_load(&barrier->generation) == generation)
        test_yield();
}

/* ---- the test pool: a work-item executor and its tracker ------------------------------------------------ */

#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS

struct test_pool {
    const kcom_allocator *allocator; /* the default one at the start, which the pool came from */
    kcom_tracker *tracker;
    kcom_work_item_executor *work;
};

BOOLEAN test_pool_start(ULONG threads, test_pool **pool, const kcom_executor **executor)
{
    kcom_work_item_executor_config config;
    const kcom_allocator *allocator = kcom_default_allocator();
    test_pool *p;
    NTSTATUS status;
    (void)threads; /* one work item: one system worker thread at a time */
    *pool = NULL;
    *executor = NULL;
    p = (test_pool *)kcom_allocate(allocator, sizeof(*p), KCOM_ALIGNOF(test_pool));
    if (!ok(p != NULL, "no memory for the test pool\n"))
        return FALSE;
    p->allocator = allocator;
    p->work = NULL;
    status = kcom_tracker_create(&p->tracker);
    ok(status == STATUS_SUCCESS, "kcom_tracker_create: %s\n", kcom_status_name(status));
    if (NT_SUCCESS(status)) {
        RtlZeroMemory(&config, sizeof(config));
        config.tracker = p->tracker;
        status = kcom_work_item_executor_create(kcom_test_device(), &config, &p->work, executor);
        ok(status == STATUS_SUCCESS, "kcom_work_item_executor_create: %s\n", kcom_status_name(status));
        if (!NT_SUCCESS(status))
            kcom_tracker_destroy(p->tracker);
    }
    if (!NT_SUCCESS(status)) {
        kcom_free(allocator, p, sizeof(*p), KCOM_ALIGNOF(test_pool));
        return FALSE;
    }
    *pool = p;
    return TRUE;
}

NTSTATUS test_pool_shutdown(test_pool *pool, ULONG timeout_ms)
{
    NTSTATUS status;
    if (pool == NULL)
        return STATUS_INVALID_PARAMETER;
    /* every task spawned on it finished, then the executor (dropping what is still queued) */
    status = kcom_tracker_drain(pool->tracker, timeout_ms);
    kcom_work_item_executor_destroy(pool->work);
    if (status != STATUS_SUCCESS) /* dropped tasks finish: wait for their drops once more */
        (void)kcom_tracker_drain(pool->tracker, timeout_ms);
    kcom_tracker_destroy(pool->tracker);
    kcom_free(pool->allocator, pool, sizeof(*pool), KCOM_ALIGNOF(test_pool));
    return status;
}

#else

BOOLEAN test_pool_start(ULONG threads, test_pool **pool, const kcom_executor **executor)
{
    (void)threads;
    *pool = NULL;
    *executor = NULL;
    skip("no executor runs tasks on other threads in this kernel build (KCOM_ENABLE_KERNEL_EXECUTORS is OFF)\n");
    return FALSE;
}

NTSTATUS test_pool_shutdown(test_pool *pool, ULONG timeout_ms)
{
    (void)pool;
    (void)timeout_ms;
    return STATUS_INVALID_PARAMETER;
}

#endif /* KCOM_ENABLE_KERNEL_EXECUTORS */

#endif /* KCOM_ENABLE_ASYNC */
