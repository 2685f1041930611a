/*
 * work_item_executor.c - the work-item executor (kcom/work_item_executor.h), over the platform's
 * spin lock and work item (platform.h: the kernel's IO_WORKITEM, or the host's simulation), with
 * one queue and one work item per processor.
 *
 * A lane is a task queue under a spin lock of its own and a work item. A schedule appends the task
 * to the lane of the processor it runs on (kcom_platform_current_processor), so wakes on different
 * processors take different locks and the lanes' routines run on as many worker threads at once;
 * but a task scheduled while a lane's routine polls it (it yielded, or was woken during the poll)
 * goes back to that lane, as the DPC executor keeps such a task in its processor's run: a worker
 * thread is not tied to a processor, and the lane of the processor it happens to run on would send
 * the task across lanes at every yield, both workers then taking both lanes' locks.
 *
 * The routine polls in rounds, from a FIFO of its own (ready). A task scheduled by the routine's
 * own poll of it, on the routine's thread (the lane names the thread running its routine, and only
 * that thread ever names itself there), goes to the next round (later) with plain stores: no lock
 * is taken for a yield or a wake during the poll. A schedule from anywhere else takes the lock and
 * appends to the queue. When a round is over, the next one is later, then the whole locked queue
 * (taken only when a flag says it holds something, or to give up), so tasks that keep yielding
 * never keep the others out.
 *
 * started is TRUE from the schedule that queues the lane's work item until the routine, under the
 * lane's lock and with nothing left to poll, gives it up. Only the one who sets it queues the
 * item, so the item is never queued twice; tasks scheduled while it is TRUE are found by the
 * routine, which looks at the queue under the same lock before giving up: no wake is lost. A run
 * that spends its budget leaves its rounds to the next run. Destroy takes the locked queue; the
 * routine drops what it holds once it sees the lane closed, before it lets go.
 */
#include <kcom/work_item_executor.h>

#include "exec/executor_list.h"
#include "internal.h"
#include "platform/platform.h"
#include "sched/task_queue.h"

typedef struct work_lane {
    kcom_platform_spin_lock lock;
    kcom_task_link tasks; /* task_queue.h: scheduled from outside the routine's polls, under lock */
    LONG volatile queued; /* tasks is not empty (written under lock; the routine peeks without it) */
    LONG volatile accepting; /* cleared under lock by destroy; read without it by the routine's own schedules */
    BOOLEAN started; /* the item is queued or its routine runs, and has not let go (see above) */
    BOOLEAN wait_idle; /* destroy found it started: waits for idle */
    struct kcom_work_item_executor *executor;
    kcom_task *volatile polling; /* the task the routine polls now (its link names this lane), or NULL */
    void *volatile thread; /* the thread running the routine, while it runs; NULL otherwise */
    kcom_task_link ready; /* the routine's own: this round's tasks (work_routine) */
    kcom_task_link later; /* the routine's own: what its polls scheduled, for the next round */
    kcom_platform_work_item *item;
    kcom_platform_local_event idle; /* set when the routine lets go after destroy began */
    /* counters (kcom_work_item_executor_get_stats), added once per run by its routine */
    LONG64 volatile runs;
    LONG64 volatile polls;
    LONG64 volatile requeues;
} work_lane;

/* A lane per cache line (or more), the executor's read-mostly head on lines of its own: each lane's
 * lock and queue are written at every poll by the thread running its routine, which must not take
 * the line another lane's thread reads or writes. */
#define LANE_LINES KCOM_CACHE_LINES(sizeof(work_lane))
/* ... and a power of two of bytes, so that a schedule's test of a task's link for a lane
 * (polling_lane: its offset from the first lane, a multiple of it) is a mask, not a division */
#define LANE_BYTES                                                                              \
    (LANE_LINES <= 64 ? (size_t)64 : LANE_LINES <= 128 ? (size_t)128 : LANE_LINES <= 256 ? (size_t)256 : (size_t)512)
KCOM_STATIC_ASSERT(sizeof(work_lane) <= 512, "a work-item lane takes at most 512 bytes");

struct kcom_work_item_executor {
    kcom_executor executor; /* schedule: work_schedule; context: this executor */
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    ULONG poll_budget;
    ULONG time_budget_us;
    ULONG lane_count;
    unsigned char *lanes; /* lane_count lanes of LANE_BYTES, inside this executor's block */
    kcom_executor_listing listing; /* busy while a lane's item is queued or its routine runs */
};

#define HEAD_BYTES KCOM_CACHE_LINES(sizeof(struct kcom_work_item_executor))

static size_t executor_bytes(ULONG lane_count)
{
    return HEAD_BYTES + (size_t)lane_count * LANE_BYTES;
}

static KCOM_FORCEINLINE work_lane *lane_at(const kcom_work_item_executor *executor, ULONG index)
{
    return (work_lane *)(void *)(executor->lanes + (size_t)index * LANE_BYTES);
}

static void work_routine(void *context);

/* The lane whose routine polls task now, or NULL. The routine names its lane in the task's link
 * (the executor's while the task is not queued; kcom clears it at spawn) and marks the lane with
 * the task before the poll, and unmarks it after: a link left from an earlier run, or anything that
 * is not one of this executor's lanes, is refused. */
static work_lane *polling_lane(kcom_work_item_executor *executor, kcom_task *task)
{
    ULONG_PTR offset = (ULONG_PTR)(void *)task->link.next - (ULONG_PTR)executor->lanes;
    work_lane *lane;
    if (offset >= (ULONG_PTR)executor->lane_count * LANE_BYTES || offset % LANE_BYTES != 0)
        return NULL;
    lane = (work_lane *)(void *)task->link.next;
    return kcom_atomic_load_ptr((void *volatile *)(void *)&lane->polling) == (void *)task ? lane : NULL;
}

static NTSTATUS work_schedule(void *context, kcom_task *task)
{
    kcom_work_item_executor *executor = (kcom_work_item_executor *)context;
    work_lane *lane = polling_lane(executor, task);
    BOOLEAN start;
    UCHAR irql;
    if (lane != NULL && kcom_atomic_load_ptr(&lane->thread) == kcom_platform_current_thread()) {
        /* inside the routine's poll of task, on the routine's own thread (only that thread ever
         * stores itself there): the routine's next round, which only this thread touches, with no
         * lock */
        if (kcom_atomic_load(&lane->accepting) == 0)
            return STATUS_INVALID_DEVICE_STATE;
        kcom_task_queue_push(&lane->later, task);
        return STATUS_SUCCESS;
    }
    if (lane == NULL) {
        ULONG index = kcom_platform_current_processor() & 0x7FFFFFFFu;
        lane = lane_at(executor, index < executor->lane_count ? index : index % executor->lane_count);
    }
    irql = kcom_platform_spin_lock_acquire(&lane->lock);
    if (kcom_atomic_load(&lane->accepting) == 0) {
        kcom_platform_spin_lock_release(&lane->lock, irql);
        return STATUS_INVALID_DEVICE_STATE;
    }
    kcom_task_queue_push(&lane->tasks, task);
    kcom_atomic_store(&lane->queued, 1);
    start = (BOOLEAN)!lane->started;
    lane->started = TRUE;
    kcom_platform_spin_lock_release(&lane->lock, irql);
    if (start)
        kcom_platform_work_item_queue(lane->item, work_routine, lane);
    return STATUS_SUCCESS;
}

/* Counts a run of the lane's routine that made polls polls and queued its item again or not. */
static KCOM_FORCEINLINE void run_counted(work_lane *lane, ULONG polls, LONG requeued)
{
    kcom_atomic_fetch_add64(&lane->runs, 1);
    kcom_atomic_fetch_add64(&lane->polls, (LONG64)polls);
    if (requeued != 0)
        kcom_atomic_fetch_add64(&lane->requeues, requeued);
}

/* The routine's run; timed is a constant in each of its two expansions (work_routine), so that an
 * executor without a time budget reads no clock and tests nothing for it at each poll. */
static KCOM_FORCEINLINE void work_run(work_lane *lane, BOOLEAN timed)
{
    ULONG time_budget_us = lane->executor->time_budget_us;
    ULONG64 start_us = timed ? kcom_platform_monotonic_us() : 0;
    BOOLEAN destroying;
    ULONG polls = 0, limit = lane->executor->poll_budget; /* limit: polls once the time budget is spent */
    UCHAR irql;
    kcom_atomic_store_ptr(&lane->thread, kcom_platform_current_thread());
    for (;;) {
        kcom_task *task;
        if (kcom_task_queue_empty(&lane->ready)) {
            /* a round is over: the next one has what it rescheduled, then what was queued meanwhile,
             * so tasks that keep yielding starve nobody */
            kcom_task_queue_splice(&lane->ready, &lane->later);
            if (kcom_task_queue_empty(&lane->ready) || kcom_atomic_load(&lane->queued) != 0) {
                irql = kcom_platform_spin_lock_acquire(&lane->lock);
                if (kcom_task_queue_empty(&lane->ready) && kcom_task_queue_empty(&lane->tasks))
                    break; /* with the lock held: give the item up below */
                kcom_task_queue_splice(&lane->ready, &lane->tasks);
                kcom_atomic_store(&lane->queued, 0);
                kcom_platform_spin_lock_release(&lane->lock, irql);
            }
        }
        if (kcom_atomic_load(&lane->accepting) == 0) {
            /* destroy took the queue; what this routine had taken is dropped here, as it would be */
            kcom_task_queue_drop_all(&lane->ready, STATUS_INVALID_DEVICE_STATE);
            kcom_task_queue_drop_all(&lane->later, STATUS_INVALID_DEVICE_STATE);
            continue;
        }
        if (polls >= limit) {
            /* budget spent: queue the item again (allowed from its own routine), keeping started and
             * the rounds, which the next run (on whichever thread) takes over */
            run_counted(lane, polls, 1);
            kcom_atomic_store_ptr(&lane->thread, NULL);
            kcom_platform_work_item_queue(lane->item, work_routine, lane);
            return;
        }
        task = kcom_task_queue_pop(&lane->ready);
        task->link.next = (kcom_task_link *)(void *)lane; /* see polling_lane */
        kcom_atomic_store_ptr((void *volatile *)(void *)&lane->polling, task);
        kcom_task_run_dequeued(task); /* task may be gone afterwards */
        kcom_atomic_store_ptr((void *volatile *)(void *)&lane->polling, NULL);
        polls++;
        if (timed && kcom_platform_monotonic_us() - start_us >= time_budget_us)
            limit = polls; /* spent */
    }
    /* while started, under the lock: destroy frees the lanes once the last run has let go */
    run_counted(lane, polls, 0);
    lane->started = FALSE;
    destroying = (BOOLEAN)(kcom_atomic_load(&lane->accepting) == 0);
    kcom_atomic_store_ptr(&lane->thread, NULL);
    kcom_platform_spin_lock_release(&lane->lock, irql);
    /* destroy is waiting: the set is the last touch (the destroyer may free the executor as soon
     * as it wakes, which the local event allows) */
    if (destroying)
        kcom_platform_local_event_set(&lane->idle);
}

static void work_routine(void *context)
{
    work_lane *lane = (work_lane *)context;
    if (lane->executor->time_budget_us != 0)
        work_run(lane, TRUE);
    else
        work_run(lane, FALSE);
}

/* Frees the first count lanes' work items and events. */
static void free_lanes(kcom_work_item_executor *executor, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++) {
        kcom_platform_work_item_free(lane_at(executor, i)->item);
        kcom_platform_local_event_destroy(&lane_at(executor, i)->idle);
    }
}

static BOOLEAN work_busy(kcom_executor_listing *listing)
{
    kcom_work_item_executor *executor = KCOM_EXECUTOR_FROM_LISTING(listing, kcom_work_item_executor);
    BOOLEAN started = FALSE;
    ULONG i;
    for (i = 0; i < executor->lane_count && !started; i++) {
        work_lane *lane = lane_at(executor, i);
        UCHAR irql = kcom_platform_spin_lock_acquire(&lane->lock);
        started = lane->started;
        kcom_platform_spin_lock_release(&lane->lock, irql);
    }
    return started;
}

NTSTATUS kcom_work_item_executor_create(void *device, const kcom_work_item_executor_config *config,
                                        kcom_work_item_executor **executor_out, const kcom_executor **as_executor)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_work_item_executor *executor;
    ULONG count, i;
    if (executor_out != NULL)
        *executor_out = NULL;
    if (as_executor != NULL)
        *as_executor = NULL;
    if (device == NULL || executor_out == NULL || as_executor == NULL)
        return STATUS_INVALID_PARAMETER;
    count = kcom_platform_processor_count();
    if (count == 0)
        count = 1;
    executor = (kcom_work_item_executor *)kcom_allocate(allocator, executor_bytes(count), KCOM_CACHE_LINE);
    if (executor == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    executor->executor.schedule = work_schedule;
    executor->executor.context = executor;
    executor->executor.tracker = config != NULL ? config->tracker : NULL;
    executor->allocator = allocator;
    executor->poll_budget = config != NULL && config->poll_budget != 0 ? config->poll_budget
                                                                        : KCOM_WORK_ITEM_DEFAULT_POLL_BUDGET;
    executor->time_budget_us = config != NULL ? config->time_budget_us : 0;
    executor->lane_count = count;
    executor->lanes = (unsigned char *)executor + HEAD_BYTES;
    for (i = 0; i < count; i++) {
        work_lane *lane = lane_at(executor, i);
        lane->item = kcom_platform_work_item_allocate(device);
        if (lane->item == NULL || !NT_SUCCESS(kcom_platform_local_event_init(&lane->idle))) {
            if (lane->item != NULL)
                kcom_platform_work_item_free(lane->item);
            free_lanes(executor, i);
            kcom_free(allocator, executor, executor_bytes(count), KCOM_CACHE_LINE);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        kcom_platform_spin_lock_init(&lane->lock);
        kcom_task_queue_init(&lane->tasks);
        kcom_task_queue_init(&lane->ready);
        kcom_task_queue_init(&lane->later);
        lane->queued = 0;
        lane->accepting = 1;
        lane->started = FALSE;
        lane->executor = executor;
        lane->polling = NULL;
        lane->thread = NULL;
        lane->runs = lane->polls = lane->requeues = 0;
    }
    kcom_executor_list_add(&executor->listing, work_busy);
    *executor_out = executor;
    *as_executor = &executor->executor;
    return STATUS_SUCCESS;
}

void kcom_work_item_executor_destroy(kcom_work_item_executor *executor)
{
    kcom_task_link dropped;
    kcom_task *task;
    ULONG i;
    if (executor == NULL)
        return;
    /* its wait for the routines to let go is for PASSIVE_LEVEL: stop before changing anything,
     * whether or not there would have been anything to wait for */
    if (kcom_platform_irql() != KCOM_PLATFORM_PASSIVE_LEVEL)
        kcom_fail_fast_because(KCOM_FAILFAST_IRQL, executor, kcom_platform_irql(), KCOM_PLATFORM_PASSIVE_LEVEL,
                               __FILE__, __LINE__,
                               "kcom_work_item_executor_destroy at IRQL %u: it needs PASSIVE_LEVEL (executor %p)",
                               (unsigned)kcom_platform_irql(), (void *)executor);
    /* From one of its tasks, the wait below would be for the routine that is waiting: a hang at
     * unload, which fails fast instead, naming the mistake. */
    for (i = 0; i < executor->lane_count; i++)
        if (kcom_atomic_load_ptr(&lane_at(executor, i)->thread) == kcom_platform_current_thread())
            kcom_fail_fast_because(KCOM_FAILFAST_SELF_WAIT, executor, i, 0, __FILE__, __LINE__,
                                   "kcom_work_item_executor_destroy from a task of its own (lane %lu): it would wait "
                                   "for its own routine to return (executor %p)",
                                   (unsigned long)i, (void *)executor);
    /* every lane refuses from now on; the routines, queued or running, find their queues empty */
    kcom_task_queue_init(&dropped);
    for (i = 0; i < executor->lane_count; i++) {
        work_lane *lane = lane_at(executor, i);
        UCHAR irql = kcom_platform_spin_lock_acquire(&lane->lock);
        kcom_atomic_store(&lane->accepting, 0);
        lane->wait_idle = lane->started;
        while ((task = kcom_task_queue_pop(&lane->tasks)) != NULL)
            kcom_task_queue_push(&dropped, task);
        kcom_platform_spin_lock_release(&lane->lock, irql);
    }
    kcom_task_queue_drop_all(&dropped, STATUS_INVALID_DEVICE_STATE);
    /* and let go */
    for (i = 0; i < executor->lane_count; i++)
        if (lane_at(executor, i)->wait_idle)
            (void)kcom_platform_local_event_wait(&lane_at(executor, i)->idle, 0xFFFFFFFFUL);
    kcom_executor_list_remove(&executor->listing);
    free_lanes(executor, executor->lane_count);
    kcom_free(executor->allocator, executor, executor_bytes(executor->lane_count), KCOM_CACHE_LINE);
}

void kcom_work_item_executor_get_stats(const kcom_work_item_executor *executor, kcom_work_item_executor_stats *stats)
{
    ULONG i;
    if (stats == NULL)
        return;
    stats->runs = stats->polls = stats->requeues = 0;
    if (executor == NULL)
        return;
    for (i = 0; i < executor->lane_count; i++) {
        work_lane *lane = lane_at(executor, i);
        stats->runs += (ULONG64)kcom_atomic_load64(&lane->runs);
        stats->polls += (ULONG64)kcom_atomic_load64(&lane->polls);
        stats->requeues += (ULONG64)kcom_atomic_load64(&lane->requeues);
    }
}
