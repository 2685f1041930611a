/*
 * Timers for the async layer in Windows user mode: timer_posix.c on Win32 (an SRW lock, a
 * condition variable and a _beginthreadex thread), line for line.
 */

#include "../platform.h"

#include <kcom/awaitable.h>

#include <process.h>

typedef struct win32_timer {
    struct win32_timer *next;
    struct win32_timer *prev;
    ULONG64 deadline_ms;
    kcom_platform_timer_fn *callback;
    void *context;
    int armed; /* linked in the list (under the service's mutex) */
} win32_timer;

KCOM_STATIC_ASSERT(sizeof(win32_timer) <= sizeof(kcom_rt_timer), "kcom_rt_timer must hold a win32_timer");

static struct {
    SRWLOCK mutex;
    CONDITION_VARIABLE changed; /* an earlier deadline, or a first timer */
    win32_timer *head; /* earliest deadline first */
    int thread_running;
} service = {SRWLOCK_INIT, CONDITION_VARIABLE_INIT, NULL, 0};

ULONG64 kcom_platform_monotonic_ms(void)
{
    return (ULONG64)GetTickCount64();
}

static void unlink_timer(win32_timer *t)
{
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        service.head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    t->next = t->prev = NULL;
    t->armed = 0;
}

static unsigned __stdcall timer_thread(void *unused)
{
    (void)unused;
    AcquireSRWLockExclusive(&service.mutex);
    while (service.head != NULL) {
        win32_timer *t = service.head;
        ULONG64 now = kcom_platform_monotonic_ms();
        if (t->deadline_ms <= now) {
            kcom_platform_timer_fn *callback = t->callback;
            void *context = t->context;
            unlink_timer(t);
            ReleaseSRWLockExclusive(&service.mutex);
            callback((kcom_rt_timer *)(void *)t, context); /* t may be gone afterwards */
            AcquireSRWLockExclusive(&service.mutex);
        } else {
            ULONG64 wait = t->deadline_ms - now;
            (void)SleepConditionVariableSRW(&service.changed, &service.mutex,
                                            wait > 0x7FFFFFFFu ? 0x7FFFFFFFu : (DWORD)wait, 0);
        }
    }
    service.thread_running = 0;
    ReleaseSRWLockExclusive(&service.mutex);
    return 0;
}

void kcom_platform_timer_init(kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context)
{
    win32_timer *t = (win32_timer *)(void *)timer;
    t->next = t->prev = NULL;
    t->deadline_ms = 0;
    t->callback = callback;
    t->context = context;
    t->armed = 0;
}

NTSTATUS kcom_platform_timer_arm(kcom_rt_timer *timer, ULONG64 deadline_ms)
{
    win32_timer *t = (win32_timer *)(void *)timer;
    win32_timer *at, *before = NULL;
    AcquireSRWLockExclusive(&service.mutex);
    if (!service.thread_running) {
        /* _beginthreadex, not CreateThread: callbacks may use the C runtime */
        HANDLE thread = (HANDLE)_beginthreadex(NULL, 0, timer_thread, NULL, 0, NULL);
        if (thread == NULL) {
            ReleaseSRWLockExclusive(&service.mutex);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        CloseHandle(thread); /* detached: it ends by itself */
        service.thread_running = 1; /* it waits for the lock, then sees this timer */
    }
    t->deadline_ms = deadline_ms;
    for (at = service.head; at != NULL && at->deadline_ms <= deadline_ms; at = at->next)
        before = at;
    t->prev = before;
    t->next = at;
    if (before != NULL)
        before->next = t;
    else
        service.head = t;
    if (at != NULL)
        at->prev = t;
    t->armed = 1;
    if (service.head == t)
        WakeConditionVariable(&service.changed);
    ReleaseSRWLockExclusive(&service.mutex);
    return STATUS_SUCCESS;
}

BOOLEAN kcom_platform_timer_cancel(kcom_rt_timer *timer)
{
    win32_timer *t = (win32_timer *)(void *)timer;
    BOOLEAN canceled = FALSE;
    AcquireSRWLockExclusive(&service.mutex);
    if (t->armed) {
        if (service.head == t)
            WakeConditionVariable(&service.changed); /* a later deadline, or none: the thread ends */
        unlink_timer(t);
        canceled = TRUE;
    }
    ReleaseSRWLockExclusive(&service.mutex);
    return canceled;
}
