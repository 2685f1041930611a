/*
 * The platform timers (kcom_platform_timer_*, platform.h) of a host program that uses the kernel
 * simulation, as the kernel's (installed by kernel_sim.c, dispatched by ../kernel_posix.c): a KTIMER
 * whose KDPC runs the callback at DISPATCH_LEVEL on a simulated processor (kernel_sim.c).
 * A timer thread of the simulation plays the clock interrupt: it keeps the armed timers in
 * deadline order (through their own storage: arming never allocates) and, at a timer's deadline,
 * takes it out of the queue and inserts its DPC. The thread starts at the first arm and ends with the
 * rest of the simulation (kcom_uninitialize).
 *
 * A timer is armed while it is in the queue (pending) or its DPC is queued; cancel takes it out of
 * the queue, or removes the queued DPC (KeCancelTimer, then KeRemoveQueueDpc), and then returns TRUE:
 * the callback of that arm never runs. Once a simulated processor has dequeued the DPC the
 * callback is under way (or about to be): cancel returns FALSE, and the timer may be armed again.
 */
#define _POSIX_C_SOURCE 200809L

#include <kcom/awaitable.h>

#include "kernel_sim_internal.h"
#include "platform/deadline_queue.h"

#include <stddef.h>

/* may_alias: the storage is declared as an array of ULONG64 (kcom_rt_timer). */
typedef struct __attribute__((may_alias)) sim_timer {
    kcom_platform_dpc dpc;        /* the KTIMER's KDPC */
    kcom_deadline_link link;      /* in the timer queue while pending */
    kcom_platform_timer_fn *callback;
    void *context;
    BOOLEAN pending;              /* in the timer queue (under kcom_sim_mutex) */
} sim_timer;

KCOM_STATIC_ASSERT(sizeof(sim_timer) <= sizeof(kcom_rt_timer) && KCOM_ALIGNOF(sim_timer) <= KCOM_ALIGNOF(kcom_rt_timer),
                   "kcom_rt_timer must hold a sim_timer");

static struct {
    kcom_platform_cond changed; /* an earlier first deadline, or stopping */
    BOOLEAN changed_ready;      /* prepared (at the first start; kept for the program's life) */
    BOOLEAN running;        /* the thread is started and not yet joined */
    BOOLEAN stopping;
    pthread_t thread;
    kcom_deadline_queue queue; /* earliest deadline first */
} timers;

static KCOM_FORCEINLINE sim_timer *as_timer(kcom_rt_timer *timer)
{
    return (sim_timer *)(void *)timer->opaque;
}

static KCOM_FORCEINLINE sim_timer *timer_of(kcom_deadline_link *link)
{
    return (sim_timer *)(void *)((char *)link - offsetof(sim_timer, link));
}

/* The timer's DPC routine, at DISPATCH_LEVEL on a simulated processor. */
static void timer_dpc(kcom_platform_dpc *dpc, void *context)
{
    sim_timer *t = (sim_timer *)context;
    kcom_platform_timer_fn *callback = t->callback;
    void *callback_context = t->context;
    (void)dpc;
    callback((kcom_rt_timer *)(void *)t, callback_context); /* the storage is never touched again */
}

static void unlink_timer_locked(sim_timer *t)
{
    kcom_deadline_queue_remove(&timers.queue, &t->link);
    t->pending = FALSE;
}

static void *timer_main(void *unused)
{
    (void)unused;
    kcom_platform_mutex_lock(&kcom_sim_mutex);
    while (!timers.stopping) {
        sim_timer *t = timers.queue.first != NULL ? timer_of(timers.queue.first) : NULL;
        ULONG64 now = kcom_platform_monotonic_ms();
        if (t == NULL) {
            kcom_platform_cond_wait(&timers.changed, &kcom_sim_mutex, 0xFFFFFFFFUL);
        } else if (t->link.deadline_ms <= now) {
            /* expired: the clock interrupt inserts the timer's DPC on the current processor */
            unlink_timer_locked(t);
            if (!kcom_sim_dpc_insert_locked(&t->dpc))
                KCOM_POSIX_VIOLATION(t, "a timer's DPC was queued while the timer was pending");
        } else {
            /* until the deadline, or a change; a wait cut short just looks again */
            ULONG64 wait_ms = t->link.deadline_ms - now;
            kcom_platform_cond_wait(&timers.changed, &kcom_sim_mutex,
                                    wait_ms < 0xFFFFFFFEu ? (ULONG)wait_ms : 0xFFFFFFFEUL);
        }
    }
    kcom_platform_mutex_unlock(&kcom_sim_mutex);
    return NULL;
}

/* Starts the timer thread unless it runs; FALSE when it cannot. */
static BOOLEAN timer_thread_locked(void)
{
    if (timers.running)
        return TRUE;
    if (kcom_sim_exiting_locked())
        return TRUE; /* the program is exiting: it stays armed, and never fires */
    kcom_sim_thread_starting_locked();
    if (!timers.changed_ready) {
        if (!NT_SUCCESS(kcom_platform_cond_init(&timers.changed)))
            return FALSE;
        timers.changed_ready = TRUE;
    }
    timers.stopping = FALSE;
    if (pthread_create(&timers.thread, NULL, timer_main, NULL) != 0)
        return FALSE;
    timers.running = TRUE;
    return TRUE;
}

void kcom_sim_timer_init(kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context)
{
    sim_timer *t = as_timer(timer);
    kcom_platform_dpc_init(&t->dpc, timer_dpc, t);
    kcom_deadline_link_init(&t->link);
    t->callback = callback;
    t->context = context;
    t->pending = FALSE;
}

NTSTATUS kcom_sim_timer_arm(kcom_rt_timer *timer, ULONG64 deadline_ms)
{
    sim_timer *t = as_timer(timer);
    kcom_platform_mutex_lock(&kcom_sim_mutex);
    if (t->pending || kcom_sim_dpc_queued_locked(&t->dpc))
        KCOM_POSIX_VIOLATION(t, "timer armed while it is armed");
    if (kcom_sim_stopping_locked())
        KCOM_POSIX_VIOLATION(t, "timer armed while kcom_uninitialize stops the simulation");
    if (!timer_thread_locked()) {
        kcom_platform_mutex_unlock(&kcom_sim_mutex);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    t->pending = TRUE;
    if (kcom_deadline_queue_insert(&timers.queue, &t->link, deadline_ms))
        kcom_platform_cond_signal_unlock(&timers.changed, &kcom_sim_mutex); /* the thread finds it free */
    else
        kcom_platform_mutex_unlock(&kcom_sim_mutex);
    return STATUS_SUCCESS;
}

BOOLEAN kcom_sim_timer_cancel(kcom_rt_timer *timer)
{
    sim_timer *t = as_timer(timer);
    BOOLEAN canceled;
    kcom_platform_mutex_lock(&kcom_sim_mutex);
    if (t->pending) {
        /* still in the queue: the thread finds a later deadline, or none, when it wakes */
        unlink_timer_locked(t);
        canceled = TRUE;
    } else {
        /* expired: TRUE when its DPC is still queued (and now removed), FALSE when it runs */
        canceled = kcom_sim_dpc_remove_locked(&t->dpc);
    }
    kcom_platform_mutex_unlock(&kcom_sim_mutex);
    return canceled;
}

BOOLEAN kcom_sim_timer_stop_locked(void)
{
    if (timers.queue.first != NULL)
        KCOM_POSIX_VIOLATION(timer_of(timers.queue.first), "kcom_uninitialize with a timer still armed");
    if (!timers.running)
        return FALSE;
    timers.stopping = TRUE;
    kcom_platform_cond_signal(&timers.changed);
    return TRUE;
}

BOOLEAN kcom_sim_timer_exit_locked(void)
{
    if (!timers.running)
        return FALSE;
    timers.stopping = TRUE;
    kcom_platform_cond_signal(&timers.changed);
    return TRUE;
}

void kcom_sim_timer_join(void)
{
    pthread_join(timers.thread, NULL);
    kcom_platform_mutex_lock(&kcom_sim_mutex);
    timers.running = FALSE;
    timers.stopping = FALSE;
    kcom_platform_mutex_unlock(&kcom_sim_mutex);
}

ULONG kcom_sim_timer_threads_locked(void)
{
    return timers.running ? 1u : 0u;
}
