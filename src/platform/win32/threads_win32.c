/*
 * Threads for the async layer in Windows user mode: events, and the mutex, condition variable,
 * threads and clock that the thread pool (src/exec/thread_pool.c) and the timer service
 * (src/platform/timer_service.c) are written on, on Win32 (a manual-reset event object; an SRW lock, a
 * condition variable and _beginthreadex threads). The behaviour is that of threads_posix.c.
 */
#include "../platform.h"

#include <kcom/allocator.h>
#include <kcom/atomic.h>
#include <kcom/trace.h>

#include <process.h>

/* ---- events -------------------------------------------------------------------------------------------- */

typedef struct win32_event {
    HANDLE handle; /* a manual-reset event object */
} win32_event;

KCOM_STATIC_ASSERT(sizeof(win32_event) <= sizeof(kcom_platform_local_event),
                   "kcom_platform_local_event must hold a win32_event");

NTSTATUS kcom_platform_local_event_init(kcom_platform_local_event *storage)
{
    win32_event *event = (win32_event *)(void *)storage;
    event->handle = CreateEventW(NULL, TRUE, FALSE, NULL);
    return event->handle != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

void kcom_platform_local_event_destroy(kcom_platform_local_event *storage)
{
    CloseHandle(((win32_event *)(void *)storage)->handle);
}

/* SetEvent works on the object the handle names, which it references for the call: closing the
 * handle once the waiter has woken does not reach into a set under way. */
void kcom_platform_local_event_set(kcom_platform_local_event *storage)
{
    SetEvent(((win32_event *)(void *)storage)->handle);
}

NTSTATUS kcom_platform_local_event_wait(kcom_platform_local_event *storage, ULONG timeout_ms)
{
    /* Win32 timeouts are relative intervals: they do not move with the wall clock. 0xFFFFFFFF is
     * INFINITE. */
    return WaitForSingleObject(((win32_event *)(void *)storage)->handle, (DWORD)timeout_ms) == WAIT_OBJECT_0
               ? STATUS_SUCCESS
               : STATUS_TIMEOUT;
}

/* ---- mutexes, condition variables, threads, the clock ------------------------------------------------ */

KCOM_STATIC_ASSERT(sizeof(SRWLOCK) <= sizeof(kcom_platform_mutex) &&
                       KCOM_ALIGNOF(SRWLOCK) <= KCOM_ALIGNOF(kcom_platform_mutex),
                   "kcom_platform_mutex must hold an SRWLOCK");
KCOM_STATIC_ASSERT(sizeof(CONDITION_VARIABLE) <= sizeof(kcom_platform_cond) &&
                       KCOM_ALIGNOF(CONDITION_VARIABLE) <= KCOM_ALIGNOF(kcom_platform_cond),
                   "kcom_platform_cond must hold a CONDITION_VARIABLE");

void kcom_platform_mutex_init(kcom_platform_mutex *mutex)
{
    InitializeSRWLock((SRWLOCK *)(void *)mutex);
}

void kcom_platform_mutex_destroy(kcom_platform_mutex *mutex)
{
    (void)mutex; /* an SRW lock holds nothing */
}

void kcom_platform_mutex_lock(kcom_platform_mutex *mutex)
{
    AcquireSRWLockExclusive((SRWLOCK *)(void *)mutex);
}

void kcom_platform_mutex_unlock(kcom_platform_mutex *mutex)
{
    ReleaseSRWLockExclusive((SRWLOCK *)(void *)mutex);
}

NTSTATUS kcom_platform_cond_init(kcom_platform_cond *cond)
{
    InitializeConditionVariable((CONDITION_VARIABLE *)(void *)cond);
    return STATUS_SUCCESS;
}

void kcom_platform_cond_destroy(kcom_platform_cond *cond)
{
    (void)cond; /* a condition variable holds nothing */
}

void kcom_platform_cond_wait(kcom_platform_cond *cond, kcom_platform_mutex *mutex, ULONG timeout_ms)
{
    /* Win32 timeouts are relative intervals: they do not move with the wall clock. 0xFFFFFFFF is
     * INFINITE. */
    (void)SleepConditionVariableSRW((CONDITION_VARIABLE *)(void *)cond, (SRWLOCK *)(void *)mutex, (DWORD)timeout_ms, 0);
}

void kcom_platform_cond_signal(kcom_platform_cond *cond)
{
    WakeConditionVariable((CONDITION_VARIABLE *)(void *)cond);
}

void kcom_platform_cond_broadcast(kcom_platform_cond *cond)
{
    WakeAllConditionVariable((CONDITION_VARIABLE *)(void *)cond);
}

/* ---- spin locks and the DPC flush, for trackers (src/sched/tracker.c) ---------------------------------
 * User mode has no IRQL to raise: the lock is an SRW lock, whose waiters sleep where a spin lock's
 * would spin on a holder the scheduler preempted. It has no DPCs either, so a flush has nothing to
 * wait for. */

KCOM_STATIC_ASSERT(sizeof(SRWLOCK) <= sizeof(kcom_platform_spin_lock) &&
                       KCOM_ALIGNOF(SRWLOCK) <= KCOM_ALIGNOF(kcom_platform_spin_lock),
                   "kcom_platform_spin_lock must hold an SRWLOCK");

void kcom_platform_spin_lock_init(kcom_platform_spin_lock *lock)
{
    InitializeSRWLock((SRWLOCK *)(void *)lock);
}

void kcom_platform_spin_pause(ULONG *spins)
{
    if (++*spins < 64) {
        YieldProcessor();
    } else {
        *spins = 0;
        (void)SwitchToThread();
    }
}

UCHAR kcom_platform_spin_lock_acquire(kcom_platform_spin_lock *lock)
{
    AcquireSRWLockExclusive((SRWLOCK *)(void *)lock);
    return KCOM_PLATFORM_PASSIVE_LEVEL;
}

void kcom_platform_spin_lock_release(kcom_platform_spin_lock *lock, UCHAR old_irql)
{
    (void)old_irql;
    ReleaseSRWLockExclusive((SRWLOCK *)(void *)lock);
}

void kcom_platform_dpc_flush(void)
{
}

LONG kcom_platform_irps_held(void)
{
    return 0;
}

typedef struct win32_thread {
    HANDLE handle;
    kcom_platform_thread_fn *fn;
    void *context;
    unsigned id;
    LONG volatile phase; /* THREAD_STARTING, THREAD_WORKING (in fn), THREAD_ENDING (fn returned) */
} win32_thread;

#define THREAD_STARTING 0
#define THREAD_WORKING 1
#define THREAD_ENDING 2

KCOM_STATIC_ASSERT(sizeof(win32_thread) <= sizeof(kcom_platform_thread) &&
                       KCOM_ALIGNOF(win32_thread) <= KCOM_ALIGNOF(kcom_platform_thread),
                   "kcom_platform_thread must hold a win32_thread");

static unsigned __stdcall thread_start(void *context)
{
    win32_thread *t = (win32_thread *)context;
    kcom_atomic_store(&t->phase, THREAD_WORKING);
    t->fn(t->context);
    kcom_atomic_store(&t->phase, THREAD_ENDING); /* *t stays until the join has seen the thread end */
    return 0;
}

/* _beginthreadex, not CreateThread: the thread may use the C runtime. */
NTSTATUS kcom_platform_thread_start(kcom_platform_thread *thread, kcom_platform_thread_fn *fn, void *context)
{
    win32_thread *t = (win32_thread *)(void *)thread;
    t->fn = fn;
    t->context = context;
    t->phase = THREAD_STARTING;
    t->handle = (HANDLE)_beginthreadex(NULL, 0, thread_start, t, 0, &t->id);
    return t->handle != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* How long a thread may stay outside its function, not yet in it or already out of it, before a
 * join says why it may never end. */
#define JOIN_WARNING_MS 1000u

void kcom_platform_thread_join(kcom_platform_thread *thread)
{
    win32_thread *t = (win32_thread *)(void *)thread;
    LONG seen = THREAD_WORKING;
    /* A thread starts and ends only with the loader lock (its DLL_THREAD_ATTACH and _DETACH
     * calls), which DllMain's caller holds: a join from DllMain never returns, and nothing else
     * would say why. A thread in its function (a pool's poll under way) is waited for quietly,
     * however long; one found not yet in it, or already out of it, at two checks a whole wait
     * apart is stuck in its start or its end. */
    while (WaitForSingleObject(t->handle, JOIN_WARNING_MS) == WAIT_TIMEOUT) {
        LONG phase = kcom_atomic_load(&t->phase);
        if (phase != THREAD_WORKING && phase == seen) {
            kcom_trace(KCOM_TRACE_LEVEL_WARNING, __FILE__, __LINE__,
                       "a kcom thread that kcom_uninitialize or kcom_thread_pool_shutdown waits for has "
                       "%s its work for %u ms without ending: a thread's start and end wait for the loader "
                       "lock, which DllMain's caller holds, so from DllMain it never will; call them from "
                       "an export of the DLL before FreeLibrary instead",
                       phase == THREAD_STARTING ? "not started" : "finished", JOIN_WARNING_MS);
            WaitForSingleObject(t->handle, INFINITE);
            break;
        }
        seen = phase;
    }
    CloseHandle(t->handle);
}

BOOLEAN kcom_platform_thread_is_current(const kcom_platform_thread *thread)
{
    return ((const win32_thread *)(const void *)thread)->id == GetCurrentThreadId() ? TRUE : FALSE;
}

/* The performance counter, not GetTickCount64: the tick count advances once per clock tick (10 to
 * 16 ms), so a deadline computed from it could be a whole tick early. */
ULONG64 kcom_platform_monotonic_ms(void)
{
    LARGE_INTEGER now, frequency;
    (void)QueryPerformanceCounter(&now);
    (void)QueryPerformanceFrequency(&frequency); /* fixed at boot */
    return (ULONG64)now.QuadPart / (ULONG64)frequency.QuadPart * 1000u +
           (ULONG64)now.QuadPart % (ULONG64)frequency.QuadPart * 1000u / (ULONG64)frequency.QuadPart;
}

void kcom_platform_sleep_ms(ULONG ms)
{
    Sleep(ms);
}
