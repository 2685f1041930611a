/*
 * soak_executors.c - the DPC and work-item executors (host simulation of the kernel) under wake
 * storms and cancellation, for a bounded time (rel_soak_seconds: argv[1], KCOM_SOAK_SECONDS, else
 * 4 s).
 *
 * The soak runs in epochs. Each epoch creates a tracker and, counted by it, a DPC executor (a
 * small poll budget, so runs requeue) and a work-item executor, and spawns TASKS tasks on them,
 * alternately. A task's poll publishes a fresh waker in its slot, then takes the wakes sent to it
 * so far; it finishes once it has seen its target of wakes, or when it sees a cancel. STORMERS
 * threads send wakes to random slots as fast as they can (one of them at DISPATCH_LEVEL, where a
 * wake is allowed), and a canceler thread cancels random tasks. When every task has called back,
 * the threads stop, the tracker drains, the executors and the tracker are destroyed. Every other
 * epoch ends early instead, in the middle of the storm: kcom_tracker_cancel_and_drain cancels what
 * is left while the stormers and the canceler still run. Then:
 *   - no task was ever polled on two threads at once (an in-poll flag), and no wake was lost
 *     (every task not canceled saw its whole target: a lost wake leaves it waiting forever, and
 *     the epoch times out);
 *   - every callback fired exactly once, and each operation reached exactly one terminal state,
 *     Canceled exactly when a cancel returned STATUS_SUCCESS (or, in a cancel-all epoch, when
 *     the tracker's cancel reached it first), else Completed with its count;
 *   - every task's drop ran exactly once, the tracker counted nothing after the drain, and
 *     nothing is left allocated (rel_alloc, the default allocator: live == 0).
 */
#define _POSIX_C_SOURCE 200809L

#include "rel_common.h"

#include "../executors/wake_slot.h"

#include "platform/platform.h"
#include <kcom/kernel_sim.h>

#include <stdio.h>
#include <string.h>

#define TASKS 16
#define STORMERS 3

typedef struct storm_slot {
    wake_slot wakes;
    LONG volatile polls;
    LONG volatile drops;
    LONG volatile calls;       /* completion callbacks */
    LONG volatile status;      /* the callback's */
    LONG volatile cancel_won;  /* a cancel returned STATUS_SUCCESS */
    ULONG target;
    IKcomAsyncOperation *op;
} storm_slot;

static storm_slot slots[TASKS];
static LONG volatile epoch_stop;
static int device_object;

typedef struct storm_state {
    storm_slot *slot;
    ULONG seen;
} storm_state;

static kcom_poll_result storm_poll(void *p, kcom_task_context *cx)
{
    storm_state *s = (storm_state *)p;
    storm_slot *slot = s->slot;
    kcom_poll_result result = KCOM_POLL_PENDING;
    wake_slot_enter(&slot->wakes);
    kcom_atomic_fetch_add(&slot->polls, 1);
    if (kcom_task_take_cancellation_request(cx)) {
        wake_slot_clear(&slot->wakes);
        cx->status = STATUS_CANCELLED;
        result = KCOM_POLL_READY;
    } else if (wake_slot_collect(&slot->wakes, cx, &s->seen, slot->target)) {
        KCOM_TASK_RESULT(cx, ULONG) = s->seen;
        cx->status = STATUS_SUCCESS;
        result = KCOM_POLL_READY;
    }
    wake_slot_leave(&slot->wakes);
    return result;
}

static void storm_drop(void *p)
{
    kcom_atomic_fetch_add(&((storm_state *)p)->slot->drops, 1);
}

static const kcom_async_task_desc storm_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, storm_state, storm_poll, storm_drop);

static void on_completed(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    storm_slot *slot = (storm_slot *)context;
    (void)operation;
    kcom_atomic_store(&slot->status, status);
    kcom_atomic_fetch_add(&slot->calls, 1);
}

typedef struct storm_thread {
    pthread_t thread;
    ULONG64 random;
    BOOLEAN at_dispatch;
    ULONG64 wakes;
    ULONG64 cancels;
} storm_thread;

static storm_thread stormers[STORMERS + 1]; /* the last one cancels */

static void *stormer_main(void *arg)
{
    storm_thread *t = (storm_thread *)arg;
    while (!kcom_atomic_load(&epoch_stop)) {
        int burst;
        UCHAR irql = 0;
        if (t->at_dispatch)
            irql = kcom_sim_raise_irql(KCOM_PLATFORM_DISPATCH_LEVEL);
        for (burst = 0; burst < 64; burst++) {
            wake_slot_send(&slots[rel_random(&t->random) % TASKS].wakes);
            t->wakes++;
        }
        if (t->at_dispatch)
            kcom_sim_lower_irql(irql);
        rel_yield();
    }
    return NULL;
}

static void *canceler_main(void *arg)
{
    storm_thread *t = (storm_thread *)arg;
    while (!kcom_atomic_load(&epoch_stop)) {
        ULONG r = rel_random(&t->random);
        storm_slot *slot = &slots[r % TASKS];
        if ((r >> 8) % 64 == 0) {
            if (IKcomAsyncOperation_cancel(slot->op) == STATUS_SUCCESS)
                kcom_atomic_store(&slot->cancel_won, 1);
            t->cancels++;
        }
        rel_yield();
    }
    return NULL;
}

typedef struct totals {
    ULONG64 epochs, tasks, canceled, completed, polls, wakes, cancels;
    LONG concurrent, lost, broken, timeouts;
} totals;

static void epoch(totals *sum, ULONG64 *random)
{
    kcom_tracker *tracker = NULL;
    kcom_dpc_executor *dpc = NULL;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_dpc = NULL, *on_work = NULL;
    kcom_dpc_executor_config dpc_config;
    kcom_work_item_executor_config work_config;
    ULONG64 deadline;
    BOOLEAN cancel_all = (BOOLEAN)(sum->epochs % 2 == 1);
    int i;

    ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "tracker\n");
    memset(&dpc_config, 0, sizeof(dpc_config));
    dpc_config.tracker = tracker;
    dpc_config.poll_budget = 1 + rel_random(random) % 8;
    ok(kcom_dpc_executor_create(&dpc_config, &dpc, &on_dpc) == STATUS_SUCCESS, "DPC executor\n");
    memset(&work_config, 0, sizeof(work_config));
    work_config.tracker = tracker;
    work_config.poll_budget = 1 + rel_random(random) % 8;
    ok(kcom_work_item_executor_create(&device_object, &work_config, &work, &on_work) == STATUS_SUCCESS,
       "work-item executor\n");
    if (tracker == NULL || dpc == NULL || work == NULL) {
        kcom_work_item_executor_destroy(work);
        kcom_dpc_executor_destroy(dpc);
        kcom_tracker_destroy(tracker);
        return;
    }

    memset(slots, 0, sizeof(slots));
    for (i = 0; i < TASKS; i++) {
        storm_state initial;
        slots[i].target = 100 + rel_random(random) % 1500;
        initial.slot = &slots[i];
        initial.seen = 0;
        ok(kcom_async_spawn(&storm_desc, i & 1 ? on_work : on_dpc, NULL, &initial, &slots[i].op) == STATUS_SUCCESS,
           "spawn\n");
        ok(IKcomAsyncOperation_set_completed(slots[i].op, on_completed, &slots[i]) == STATUS_SUCCESS,
           "set_completed\n");
    }
    kcom_atomic_store(&epoch_stop, 0);
    for (i = 0; i <= STORMERS; i++) {
        stormers[i].random = rel_random(random) | 1;
        stormers[i].at_dispatch = (BOOLEAN)(i == 0);
        ok(pthread_create(&stormers[i].thread, NULL, i < STORMERS ? stormer_main : canceler_main, &stormers[i]) == 0,
           "thread\n");
    }
    if (cancel_all) {
        /* unload in the middle of the storm: cancel what is left, and drain */
        rel_sleep_ms(rel_random(random) % 4);
        ok(kcom_tracker_cancel_and_drain(tracker, 20000) == STATUS_SUCCESS, "canceled and drained\n");
    }
    /* every task calls back: the target reached, or a cancel seen */
    deadline = rel_now_ms() + 30000;
    for (i = 0; i < TASKS; i++)
        while (kcom_atomic_load(&slots[i].calls) == 0 && rel_now_ms() < deadline)
            rel_sleep_ms(1);
    kcom_atomic_store(&epoch_stop, 1);
    for (i = 0; i <= STORMERS; i++)
        pthread_join(stormers[i].thread, NULL);
    ok(kcom_tracker_drain(tracker, 20000) == STATUS_SUCCESS, "drained\n");
    ok(kcom_tracker_outstanding(tracker) == 0, "nothing outstanding\n");

    for (i = 0; i < TASKS; i++) {
        storm_slot *slot = &slots[i];
        kcom_async_status status = -1;
        ULONG value = 0;
        NTSTATUS result = IKcomAsyncOperation_get_result(slot->op, &value);
        (void)IKcomAsyncOperation_get_status(slot->op, &status);
        sum->polls += (ULONG64)slot->polls;
        sum->concurrent += slot->wakes.concurrent;
        if (slot->calls == 0) {
            sum->timeouts++;
            continue;
        }
        if (slot->calls != 1 || slot->drops != 1 || slot->status != status)
            sum->broken++;
        if (slot->cancel_won || (cancel_all && status == KCOM_ASYNC_CANCELED)) {
            sum->canceled++;
            if (status != KCOM_ASYNC_CANCELED || result != STATUS_CANCELLED)
                sum->broken++;
        } else {
            sum->completed++;
            if (status != KCOM_ASYNC_COMPLETED || result != STATUS_SUCCESS)
                sum->broken++;
            else if (value < slot->target)
                sum->lost++;
        }
        IKcomAsyncOperation_Release(slot->op);
    }
    for (i = 0; i <= STORMERS; i++) {
        sum->wakes += stormers[i].wakes;
        sum->cancels += stormers[i].cancels;
        stormers[i].wakes = stormers[i].cancels = 0;
    }
    sum->tasks += TASKS;
    sum->epochs++;
    kcom_work_item_executor_destroy(work);
    kcom_dpc_executor_destroy(dpc);
    kcom_tracker_destroy(tracker);
    ok(rel_alloc_live() == 0, "epoch %llu: %ld blocks still allocated\n", (unsigned long long)sum->epochs,
       (long)rel_alloc_live());
}

int main(int argc, char **argv)
{
    const kcom_test_totals *counts;
    double seconds = rel_soak_seconds(argc, argv, 4.0);
    ULONG64 began, random = 0x2545F4914F6CDD1DULL;
    totals sum;

    if (!NT_SUCCESS(kcom_initialize()))
        return 1;
    rel_alloc_init();
    kcom_atomic_store(&rel_alloc.record_sites, 0);
    kcom_set_default_allocator(&rel_alloc.allocator);
    printf("soak_executors: %d tasks an epoch, %d wake threads (one at DISPATCH_LEVEL), a canceler, %.1f s\n", TASKS,
           STORMERS, seconds);
    memset(&sum, 0, sizeof(sum));
    began = rel_now_ms();
    do
        epoch(&sum, &random);
    while ((double)(rel_now_ms() - began) < seconds * 1000.0);
    ok(sum.concurrent == 0, "%ld polls found another poll of their task under way\n", (long)sum.concurrent);
    ok(sum.lost == 0, "%ld tasks completed short of their wakes\n", (long)sum.lost);
    ok(sum.timeouts == 0, "%ld tasks never finished (a lost wake)\n", (long)sum.timeouts);
    ok(sum.broken == 0, "%ld tasks broke a rule (callbacks, drops, terminal state)\n", (long)sum.broken);
    ok(rel_alloc_live() == 0, "%ld blocks still allocated\n", (long)rel_alloc_live());
    printf("soak_executors: %llu epochs, %llu tasks (%llu canceled, %llu completed), %llu wakes, %llu polls, "
           "%llu cancel calls\n",
           (unsigned long long)sum.epochs, (unsigned long long)sum.tasks, (unsigned long long)sum.canceled,
           (unsigned long long)sum.completed, (unsigned long long)sum.wakes, (unsigned long long)sum.polls,
           (unsigned long long)sum.cancels);
    kcom_set_default_allocator(NULL);
    kcom_uninitialize();
    counts = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)counts->passed, (long)counts->failed, (long)counts->skipped);
    return counts->failed == 0 ? 0 : 1;
}
