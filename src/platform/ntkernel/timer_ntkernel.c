/*
 * One-shot timers for the async layer's timer awaitable in the Windows kernel (platform.h,
 * "timers"): a KTIMER and its KDPC in the caller's kcom_rt_timer storage, so arming never
 * allocates; and the clock the timer awaitable computes deadlines on (kcom_platform_monotonic_ms),
 * with kcom_platform_sleep_ms.
 *
 * arm converts the absolute deadline into a relative due time for KeSetTimer (negative, in 100 ns
 * units, on interrupt time); the timer's DPC calls the callback at DISPATCH_LEVEL. cancel is
 * KeCancelTimer, whose TRUE means the timer was still queued, so its DPC will not run; at
 * DISPATCH_LEVEL a timer that expired has its queued DPC removed too (KeRemoveQueueDpc).
 *
 * Under Wine's ntoskrnl (docs/building.md; Wine 8's dlls/ntoskrnl.exe/sync.c), where a KTIMER is a
 * thread-pool timer and its DPC routine runs on a pool thread:
 *   - KeCancelTimer returns TRUE for any timer set since the last cancel, also after it fired,
 *     but first waits for a DPC under way. The `armed` word below, claimed by the DPC before it
 *     calls back, decides in that case: cancel answers TRUE only when no DPC claimed the arm.
 *   - KeSetTimer on a timer that is still "inserted" for Wine (one that fired and was never
 *     canceled) cancels it first, waiting for its DPC while holding Wine's lock, which that DPC
 *     takes after the routine returns: arming again right after a fire could deadlock, and from
 *     within the callback always would. arm therefore re-initializes the KTIMER first (legal on
 *     Windows: an unarmed timer is not in the timer queue), so KeSetTimer never cancels. Each arm
 *     that fired and was not settled (below) leaves Wine one thread-pool timer object behind
 *     (memory of the Wine host only).
 *   - After the DPC routine returns, Wine still writes the KTIMER's signal state, under a lock
 *     every KeSetEvent takes too, so that the write may come long after the routine. Storage that
 *     ended its life once its task saw the fire was written to after its free. settle is a
 *     KeCancelTimer, which under Wine waits for the fire's thread-pool callback to end (and
 *     closes Wine's thread-pool timer); on Windows it finds a fired one-shot timer out of the
 *     timer queue and returns. Never from the thread that ran the routine: inside the routine the
 *     wait would be for itself, and after it that thread has left the callback.
 *   - KeCancelTimer from within the timer's own DPC deadlocks under Wine (it waits for its own
 *     callback). Nothing in kcom cancels a timer from its own callback.
 */
#include "../platform.h"

#include <kcom/atomic.h>
#include <kcom/awaitable.h>

#include "internal_ntkernel.h"

typedef struct ntkernel_timer {
    KTIMER timer;
    KDPC dpc; /* DeferredContext: this ntkernel_timer */
    kcom_platform_timer_fn *callback;
    void *context;
    void *volatile dpc_thread; /* the thread that ran the DPC routine of the last fire (its id) */
    /* 1 from arm until the DPC claims the arm (it then calls back) or cancel takes it back */
    LONG volatile armed;
} ntkernel_timer;

KCOM_STATIC_ASSERT(sizeof(ntkernel_timer) <= sizeof(kcom_rt_timer) &&
                       KCOM_ALIGNOF(ntkernel_timer) <= KCOM_ALIGNOF(kcom_rt_timer),
                   "kcom_rt_timer must hold a KTIMER, a KDPC, the callback and its state");

/* The longest relative due time KeSetTimer takes, in milliseconds (LONGLONG 100 ns units). */
#define MAX_DUE_MS ((ULONG64)MAXLONGLONG / 10000u)

static KDEFERRED_ROUTINE timer_dpc;

/* DISPATCH_LEVEL (Wine: a thread-pool thread at PASSIVE_LEVEL). */
static void NTAPI timer_dpc(PKDPC dpc, PVOID deferred_context, PVOID argument1, PVOID argument2)
{
    ntkernel_timer *t = (ntkernel_timer *)deferred_context;
    kcom_platform_timer_fn *callback = t->callback;
    void *context = t->context;
    (void)dpc;
    (void)argument1;
    (void)argument2;
    if (kcom_atomic_compare_exchange(&t->armed, 1, 0) != 1)
        return; /* a cancel took the arm back (Wine: it waits for this run before answering) */
    kcom_atomic_store_ptr(&t->dpc_thread, kcom_platform_current_thread());
    callback((kcom_rt_timer *)(void *)t, context); /* the last access to *t */
}

void kcom_platform_timer_init(struct kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context)
{
    ntkernel_timer *t = (ntkernel_timer *)(void *)timer;
    KeInitializeTimer(&t->timer);
    KeInitializeDpc(&t->dpc, timer_dpc, t);
    t->callback = callback;
    t->context = context;
    t->dpc_thread = NULL;
    t->armed = 0;
}

NTSTATUS kcom_platform_timer_arm(struct kcom_rt_timer *timer, ULONG64 deadline_ms)
{
    ntkernel_timer *t = (ntkernel_timer *)(void *)timer;
    ULONG64 now = kcom_platform_monotonic_ms();
    LARGE_INTEGER due;
    if (deadline_ms > now) {
        ULONG64 delay_ms = deadline_ms - now;
        due.QuadPart = -(LONGLONG)((delay_ms < MAX_DUE_MS ? delay_ms : MAX_DUE_MS) * 10000u);
    } else {
        due.QuadPart = -1; /* past: the shortest relative delay, 100 ns */
    }
    KeInitializeTimer(&t->timer); /* see the Wine notes at the top: never a cancel in KeSetTimer */
    kcom_atomic_store(&t->armed, 1); /* before the set: the DPC may run at once on another processor */
    (void)KeSetTimer(&t->timer, due, &t->dpc);
    return STATUS_SUCCESS;
}

BOOLEAN kcom_platform_timer_cancel(struct kcom_rt_timer *timer)
{
    ntkernel_timer *t = (ntkernel_timer *)(void *)timer;
    /* Windows: TRUE means the timer was dequeued before it expired, so its DPC was never queued
     * and `armed` is still 1. FALSE means it expired: its DPC is queued, runs or ran, and calls
     * back (the caller waits for that). Wine: TRUE also after a fire, but no DPC is under way any
     * more, and `armed` tells whether one claimed the arm. */
    if (!KeCancelTimer(&t->timer)) {
        /* At DISPATCH_LEVEL the caller cannot wait for a DPC queued behind it on its own
         * processor (platform.h): take it out of the queue. Below, the DPC preempts the caller. */
        if (KeGetCurrentIrql() < DISPATCH_LEVEL || kcom_ntkernel_remove_queue_dpc == NULL ||
            !kcom_ntkernel_remove_queue_dpc(&t->dpc))
            return FALSE;
    }
    return kcom_atomic_exchange(&t->armed, 0) == 1 ? TRUE : FALSE;
}

void kcom_platform_timer_settle(struct kcom_rt_timer *timer)
{
    ntkernel_timer *t = (ntkernel_timer *)(void *)timer;
    /* see the Wine notes at the top */
    if (kcom_atomic_load_ptr(&t->dpc_thread) != kcom_platform_current_thread())
        (void)KeCancelTimer(&t->timer);
}

/* ---- the clock ------------------------------------------------------------------------------- */

ULONG64 kcom_platform_monotonic_ms(void)
{
    return kcom_ntkernel_monotonic(1000u);
}

/* IRQL: < DISPATCH_LEVEL. */
void kcom_platform_sleep_ms(ULONG ms)
{
    LARGE_INTEGER interval;
    interval.QuadPart = -(LONGLONG)ms * 10000;
    (void)KeDelayExecutionThread(KernelMode, FALSE, &interval);
}
