/*
 * dpc_executor.c - the DPC executor (kcom/dpc_executor.h), over the platform's DPC (platform.h: the
 * kernel's, or the host's simulation of it), with one queue and one DPC per processor.
 *
 * A lane is a processor's: its DPC is targeted at that processor (kcom_platform_dpc_set_target),
 * so its routine only ever runs there, one run at a time: each lane has one consumer. A schedule
 * pushes the task onto the lane of the processor it runs on (kcom_platform_current_processor), with
 * one compare-exchange and no lock: a task woken in a DPC run is polled again on that processor, a
 * task woken from elsewhere where its waker runs. A PASSIVE_LEVEL spawn lands where its thread
 * happens to be (on the host's simulation, round-robin).
 *
 * incoming, the lane's word, says whether a run is due:
 *   NULL     no run is due: the schedule that replaces it inserts the lane's DPC;
 *   RUNNING  a run is due or under way and has taken everything pushed so far;
 *   a task   pushed since: a LIFO chain through link.next, ending in NULL or RUNNING; a run is due.
 * The run polls in rounds, from a FIFO of its own (ready, which only the run touches). When a
 * round is over, the next one is what the round rescheduled (later, see below), then the chain,
 * taken with an exchange with RUNNING and reversed, so that tasks that keep yielding never keep
 * the others out; when all are empty it lets go with a compare-exchange RUNNING -> NULL, which
 * fails (and the run goes on) if a task came in meanwhile. So a task pushed while a run is due is
 * always found by it (no wake is lost) and a burst of wakes inserts the DPC once. The usual run
 * (one task came in, nothing was left over) polls it and lets go without the rounds' loop. A run that
 * spends its budget leaves incoming as it is (not NULL: no schedule inserts) and inserts the DPC
 * itself; what it had taken waits for the next run on that processor.
 *
 * Windows runs a processor's DPC queue until it is empty before its threads run again, so runs
 * that each end on their budget and insert the DPC again (a task yielding in a loop, a stream of
 * wakes) would keep the threads out for good, until the DPC watchdog's bugcheck. Once such runs
 * have followed each other for dispatch_limit_us, the next one is inserted by the lane's timer
 * instead (deferred counts those still to come), a millisecond or more later: the queue empties,
 * the threads run, then the lane goes on.
 *
 * A schedule inside the lane's own run (a task waking itself or another one in a poll) does not
 * touch incoming at all: in_run, set by the run on its processor, tells a schedule at
 * DISPATCH_LEVEL on that processor (kcom_platform_current_processor gives an index below the lane
 * count only then) that it is inside the run, since a DPC routine is never preempted by anything
 * that schedules; it appends to later, which only this processor touches, with no atomic.
 *
 * Destroy clears accepting (schedules then fail), takes the chains (incoming -> RUNNING, so a due
 * run still finds a word it expects) and drops their tasks, inserts the DPC of a lane whose timer
 * it could cancel, and flushes DPCs until every lane is back to NULL with no timer to come; runs
 * drop what they find once accepting is clear. A run's compare-exchange to NULL, and a timer
 * callback's decrement of deferred, are their last touches of the executor.
 */
#include <kcom/dpc_executor.h>

#include <kcom/atomic.h>
#include <kcom/awaitable.h>

#include "exec/executor_list.h"
#include "internal.h"
#include "platform/platform.h"
#include "sched/task_queue.h"

/* A FIFO of tasks through link.next. */
typedef struct task_fifo {
    kcom_task_link *head;  /* NULL: empty */
    kcom_task_link **tail; /* where the next one goes: &head, or the last one's link.next */
} task_fifo;

typedef struct dpc_lane {
    kcom_task_link *volatile incoming; /* see above */
    /* the run's own, touched only on the lane's processor: */
    task_fifo ready;              /* this round's tasks */
    task_fifo later;              /* rescheduled within the run: the next round's */
    BOOLEAN in_run;               /* the routine runs (on this processor, so whoever sees it is inside it) */
    struct kcom_dpc_executor *executor;
    LONG64 streak_next;      /* the run that goes on a streak of runs ended on their budget (0: none) */
    ULONG64 streak_start_us; /* when the streak began */
    LONG volatile deferred;  /* timer callbacks still to insert the DPC (0 or 1, briefly 2) */
    kcom_platform_dpc dpc;
    kcom_rt_timer timer;     /* inserts the DPC of a run that gives way (lane_timer) */
    LONG64 volatile runs;
    LONG64 volatile polls;
    LONG64 volatile requeues;
    LONG64 volatile deferrals;
} dpc_lane;

/* A lane per cache line (or more): processors write their own lanes only, except for pushes. */
#define LANE_BYTES KCOM_CACHE_LINES(sizeof(dpc_lane))

struct kcom_dpc_executor {
    kcom_executor executor; /* schedule: dpc_schedule; context: this executor */
    const kcom_allocator *allocator; /* the default one at creation, which frees it too */
    ULONG poll_budget;
    ULONG time_budget_us;
    ULONG dispatch_limit_us;
    ULONG lane_count;
    size_t block_bytes; /* the allocation's size (lanes that could not be targeted are unused) */
    LONG volatile accepting;
    unsigned char *lanes; /* lane_count lanes of LANE_BYTES, inside this executor's block */
    kcom_executor_listing listing; /* busy while a lane's run is due or under way */
};

/* The word of a lane whose run has taken everything; never dereferenced. */
static kcom_task_link lane_running;
#define RUNNING (&lane_running)

/* The executor, then its lanes, each on cache lines of its own. */
#define HEAD_BYTES KCOM_CACHE_LINES(sizeof(struct kcom_dpc_executor))

static size_t executor_bytes(ULONG lane_count)
{
    return HEAD_BYTES + (size_t)lane_count * LANE_BYTES;
}

static KCOM_FORCEINLINE dpc_lane *lane_at(const kcom_dpc_executor *executor, ULONG index)
{
    return (dpc_lane *)(void *)(executor->lanes + (size_t)index * LANE_BYTES);
}

static KCOM_FORCEINLINE kcom_task_link *incoming_exchange(dpc_lane *lane, kcom_task_link *value)
{
    return (kcom_task_link *)kcom_atomic_exchange_ptr((void *volatile *)&lane->incoming, value);
}

static KCOM_FORCEINLINE kcom_task_link *incoming_compare_exchange(dpc_lane *lane, kcom_task_link *expected,
                                                                  kcom_task_link *desired)
{
    return (kcom_task_link *)kcom_atomic_compare_exchange_ptr((void *volatile *)&lane->incoming, expected, desired);
}

static KCOM_FORCEINLINE void fifo_init(task_fifo *fifo)
{
    fifo->head = NULL;
    fifo->tail = &fifo->head;
}

static KCOM_FORCEINLINE void fifo_append(task_fifo *fifo, kcom_task_link *first, kcom_task_link **last_next)
{
    *fifo->tail = first;
    fifo->tail = last_next;
}

static NTSTATUS dpc_schedule(void *context, kcom_task *task)
{
    kcom_dpc_executor *executor = (kcom_dpc_executor *)context;
    ULONG index = kcom_platform_current_processor();
    kcom_task_link *head, *seen;
    dpc_lane *lane;
    if (KCOM_UNLIKELY(!kcom_atomic_load(&executor->accepting)))
        return STATUS_INVALID_DEVICE_STATE;
    if (KCOM_LIKELY(index < executor->lane_count)) {
        lane = lane_at(executor, index);
        if (lane->in_run) {
            /* woken inside this processor's run (nothing else runs here meanwhile): straight into
             * its next round, polled again in this run or the next one on this processor */
            task->link.next = NULL;
            fifo_append(&lane->later, &task->link, &task->link.next);
            return STATUS_SUCCESS;
        }
    } else {
        lane = lane_at(executor, (index & 0x7FFFFFFFu) % executor->lane_count);
    }
    head = (kcom_task_link *)kcom_atomic_load_ptr((void *volatile *)&lane->incoming);
    for (;;) {
        task->link.next = head;
        seen = incoming_compare_exchange(lane, head, &task->link);
        if (seen == head)
            break;
        head = seen;
    }
    if (head == NULL) /* no run was due */
        (void)kcom_platform_dpc_insert(&lane->dpc);
    return STATUS_SUCCESS;
}

/* Appends a taken chain (LIFO, ending in NULL or RUNNING) to ready, oldest first. */
static void lane_take(dpc_lane *lane, kcom_task_link *chain)
{
    kcom_task_link *fifo = NULL, *last = chain;
    while (chain != NULL && chain != RUNNING) {
        kcom_task_link *next = chain->next;
        chain->next = fifo;
        fifo = chain;
        chain = next;
    }
    fifo_append(&lane->ready, fifo, &last->next);
}

/* Drops every task of a taken chain (destroy, or a run after it). */
static void drop_chain(kcom_task_link *chain)
{
    while (chain != NULL && chain != RUNNING) {
        kcom_task_link *next = chain->next;
        kcom_task_drop_scheduled(KCOM_TASK_FROM_LINK(chain), STATUS_INVALID_DEVICE_STATE);
        chain = next;
    }
}

/* Whether a run that made polls polls since start_us has spent the budget (the executor's). */
static KCOM_FORCEINLINE BOOLEAN budget_spent(ULONG poll_budget, ULONG time_budget_us, ULONG polls, ULONG64 start_us)
{
    return (BOOLEAN)(polls >= poll_budget ||
                     (time_budget_us != 0 && kcom_platform_monotonic_us() - start_us >= time_budget_us));
}

/* The timer of a lane whose runs gave way, at DISPATCH_LEVEL on any processor: the next run. */
static void lane_timer(struct kcom_rt_timer *timer, void *context)
{
    dpc_lane *lane = (dpc_lane *)context;
    (void)timer;
    (void)kcom_platform_dpc_insert(&lane->dpc);
    (void)kcom_atomic_fetch_add(&lane->deferred, -1); /* the last touch: destroy may free the lane from here */
}

/* The end of a run whose budget is spent: what is left waits for the next run, behind this
 * processor's other DPCs, or, when such runs have followed each other for dispatch_limit_us,
 * behind its threads too (the timer; at once if it cannot be armed or destroy has begun). */
static KCOM_NOINLINE void lane_spent(dpc_lane *lane, ULONG polls)
{
    kcom_dpc_executor *executor = lane->executor;
    LONG64 run;
    ULONG64 now_us;
    kcom_atomic_fetch_add64(&lane->polls, polls);
    lane->in_run = FALSE;
    if (lane->ready.head == NULL && lane->later.head == NULL &&
        incoming_compare_exchange(lane, RUNNING, NULL) == RUNNING)
        return; /* nothing was left after all */
    kcom_atomic_fetch_add64(&lane->requeues, 1);
    run = kcom_atomic_load64(&lane->runs);
    now_us = kcom_platform_monotonic_us();
    if (run != lane->streak_next)
        lane->streak_start_us = now_us; /* the run before did not end on its budget */
    lane->streak_next = run + 1;
    if (now_us - lane->streak_start_us >= executor->dispatch_limit_us && kcom_atomic_load(&executor->accepting)) {
        lane->streak_next = 0;
        kcom_atomic_fetch_add64(&lane->deferrals, 1);
        (void)kcom_atomic_fetch_add(&lane->deferred, 1);
        if (NT_SUCCESS(kcom_platform_timer_arm(&lane->timer, now_us / 1000u + 2)))
            return; /* at least a millisecond from now */
        (void)kcom_atomic_fetch_add(&lane->deferred, -1);
    }
    (void)kcom_platform_dpc_insert(&lane->dpc); /* incoming is not NULL: no schedule inserts it */
}

/* A run's rounds (see the top of this file), after the polls it has made since start_us (0, or
 * the one of dpc_routine's usual run, within the budget). */
static KCOM_NOINLINE void lane_rounds(dpc_lane *lane, ULONG polls, ULONG64 start_us)
{
    kcom_dpc_executor *executor = lane->executor;
    ULONG poll_budget = executor->poll_budget, time_budget_us = executor->time_budget_us;
    for (;;) {
        kcom_task_link *entry = lane->ready.head;
        if (entry == NULL) {
            /* a round is over: the next one has what it rescheduled, then what came in meanwhile
             * (looked at before it is exchanged: destroy may take it in between) */
            kcom_task_link *chain = RUNNING;
            if (lane->later.head != NULL) {
                lane->ready = lane->later;
                fifo_init(&lane->later);
            }
            if (kcom_atomic_load_ptr((void *volatile *)&lane->incoming) != (void *)RUNNING)
                chain = incoming_exchange(lane, RUNNING);
            if (chain != RUNNING)
                lane_take(lane, chain);
            if (lane->ready.head != NULL)
                continue;
            /* nothing left: count, then let go (the last touch), unless a task came in */
            kcom_atomic_fetch_add64(&lane->polls, polls);
            polls = 0;
            lane->in_run = FALSE;
            if (incoming_compare_exchange(lane, RUNNING, NULL) == RUNNING)
                return;
            lane->in_run = TRUE;
            continue;
        }
        lane->ready.head = entry->next;
        if (entry->next == NULL)
            lane->ready.tail = &lane->ready.head;
        if (KCOM_UNLIKELY(!kcom_atomic_load(&executor->accepting))) {
            kcom_task_drop_scheduled(KCOM_TASK_FROM_LINK(entry), STATUS_INVALID_DEVICE_STATE);
            continue;
        }
        kcom_task_run_dequeued(KCOM_TASK_FROM_LINK(entry));
        if (budget_spent(poll_budget, time_budget_us, ++polls, start_us))
            break;
    }
    lane_spent(lane, polls);
}

/* The usual run is one task woken since the last run, with nothing left over from it: it is
 * polled and the lane let go without the rounds' loop. Anything else goes to the rounds. */
static void dpc_routine(kcom_platform_dpc *dpc, void *context)
{
    dpc_lane *lane = (dpc_lane *)context;
    kcom_dpc_executor *executor = lane->executor;
    ULONG64 start_us = executor->time_budget_us != 0 ? kcom_platform_monotonic_us() : 0;
    (void)dpc;
    kcom_atomic_fetch_add64(&lane->runs, 1);
    lane->in_run = TRUE;
    if (KCOM_LIKELY(lane->ready.head == NULL && lane->later.head == NULL)) {
        kcom_task_link *chain = incoming_exchange(lane, RUNNING);
        if (KCOM_LIKELY(chain != RUNNING && chain != NULL && (chain->next == NULL || chain->next == RUNNING) &&
                        kcom_atomic_load(&executor->accepting))) {
            kcom_task_run_dequeued(KCOM_TASK_FROM_LINK(chain));
            if (KCOM_LIKELY(lane->later.head == NULL)) {
                kcom_atomic_fetch_add64(&lane->polls, 1);
                lane->in_run = FALSE;
                if (incoming_compare_exchange(lane, RUNNING, NULL) == RUNNING)
                    return; /* the last touch */
                lane->in_run = TRUE;
                lane_rounds(lane, 0, start_us); /* counted: as in the rounds, the budget starts again */
            } else if (budget_spent(executor->poll_budget, executor->time_budget_us, 1, start_us)) {
                lane_spent(lane, 1);
            } else {
                lane_rounds(lane, 1, start_us);
            }
            return;
        }
        if (chain != RUNNING)
            lane_take(lane, chain);
    }
    lane_rounds(lane, 0, start_us);
}

/* Whether every lane has let go (no run due or under way, no timer callback to come). */
static BOOLEAN lanes_idle(kcom_dpc_executor *executor)
{
    ULONG i;
    for (i = 0; i < executor->lane_count; i++) {
        dpc_lane *lane = lane_at(executor, i);
        if (kcom_atomic_load_ptr((void *volatile *)&lane->incoming) != NULL || kcom_atomic_load(&lane->deferred) != 0)
            return FALSE;
    }
    return TRUE;
}

static BOOLEAN dpc_busy(kcom_executor_listing *listing)
{
    return (BOOLEAN)!lanes_idle(KCOM_EXECUTOR_FROM_LISTING(listing, kcom_dpc_executor));
}

NTSTATUS kcom_dpc_executor_create(const kcom_dpc_executor_config *config, kcom_dpc_executor **executor_out,
                                  const kcom_executor **as_executor)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_dpc_executor *executor;
    ULONG count, i;
    if (executor_out != NULL)
        *executor_out = NULL;
    if (as_executor != NULL)
        *as_executor = NULL;
    if (executor_out == NULL || as_executor == NULL)
        return STATUS_INVALID_PARAMETER;
    count = kcom_platform_processor_count();
    if (count == 0)
        count = 1;
    executor = (kcom_dpc_executor *)kcom_allocate(allocator, executor_bytes(count), KCOM_CACHE_LINE);
    if (executor == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    executor->executor.schedule = dpc_schedule;
    executor->executor.context = executor;
    executor->executor.tracker = config != NULL ? config->tracker : NULL;
    executor->allocator = allocator;
    executor->poll_budget = config != NULL && config->poll_budget != 0 ? config->poll_budget
                                                                        : KCOM_DPC_DEFAULT_POLL_BUDGET;
    executor->time_budget_us = config != NULL ? config->time_budget_us : 0;
    executor->dispatch_limit_us = config != NULL && config->dispatch_limit_us != 0 ? config->dispatch_limit_us
                                                                                  : KCOM_DPC_DEFAULT_DISPATCH_LIMIT_US;
    executor->accepting = 1;
    executor->lanes = (unsigned char *)executor + HEAD_BYTES;
    for (i = 0; i < count; i++) {
        dpc_lane *lane = lane_at(executor, i);
        kcom_platform_dpc_init(&lane->dpc, dpc_routine, lane);
        if (!kcom_platform_dpc_set_target(&lane->dpc, i)) {
            /* a lane's run must stay on its processor (one consumer): fewer lanes, or none */
            if (i == 0) {
                kcom_free(allocator, executor, executor_bytes(count), KCOM_CACHE_LINE);
                return STATUS_NOT_SUPPORTED;
            }
            break;
        }
        lane->incoming = NULL;
        fifo_init(&lane->ready);
        fifo_init(&lane->later);
        lane->in_run = FALSE;
        lane->executor = executor;
        lane->streak_next = 0;
        lane->streak_start_us = 0;
        lane->deferred = 0;
        kcom_platform_timer_init(&lane->timer, lane_timer, lane);
        lane->runs = lane->polls = lane->requeues = lane->deferrals = 0;
    }
    executor->lane_count = i; /* the block keeps its size: executor_bytes(count) */
    executor->block_bytes = executor_bytes(count);
    kcom_executor_list_add(&executor->listing, dpc_busy);
    *executor_out = executor;
    *as_executor = &executor->executor;
    return STATUS_SUCCESS;
}

void kcom_dpc_executor_destroy(kcom_dpc_executor *executor)
{
    ULONG i;
    if (executor == NULL)
        return;
    /* its DPC flush is for PASSIVE_LEVEL: stop before changing anything */
    if (kcom_platform_irql() != KCOM_PLATFORM_PASSIVE_LEVEL)
        kcom_fail_fast_because(KCOM_FAILFAST_IRQL, executor, kcom_platform_irql(), KCOM_PLATFORM_PASSIVE_LEVEL,
                               __FILE__, __LINE__,
                               "kcom_dpc_executor_destroy at IRQL %u: it needs PASSIVE_LEVEL (executor %p)",
                               (unsigned)kcom_platform_irql(), (void *)executor);
    kcom_atomic_store(&executor->accepting, 0);
    for (;;) {
        for (i = 0; i < executor->lane_count; i++) {
            dpc_lane *lane = lane_at(executor, i);
            kcom_task_link *head = (kcom_task_link *)kcom_atomic_load_ptr((void *volatile *)&lane->incoming);
            /* what is queued and not taken by a run is dropped here, at once; a due run finds RUNNING */
            while (head != NULL && head != RUNNING) {
                kcom_task_link *seen = incoming_compare_exchange(lane, head, RUNNING);
                if (seen == head) {
                    drop_chain(head);
                    break;
                }
                head = seen;
            }
            /* a lane waiting for its timer (armed before or, by a run that had not seen accepting
             * clear, after the call) runs now instead: its callback will not, the DPC in its
             * place; one that could not be taken back is under way, and the flush waits for it */
            if (kcom_atomic_load(&lane->deferred) != 0 && kcom_platform_timer_cancel(&lane->timer)) {
                (void)kcom_platform_dpc_insert(&lane->dpc);
                (void)kcom_atomic_fetch_add(&lane->deferred, -1);
            }
        }
        /* the due runs and those under way end (dropping what they had taken), and let go */
        kcom_platform_dpc_flush();
        if (lanes_idle(executor))
            break;
    }
    /* a lane timer that fired may still be the platform's for a moment (Wine: timer_ntkernel.c) */
    for (i = 0; i < executor->lane_count; i++)
        kcom_platform_timer_settle(&lane_at(executor, i)->timer);
    kcom_executor_list_remove(&executor->listing);
    kcom_free(executor->allocator, executor, executor->block_bytes, KCOM_CACHE_LINE);
}

void kcom_dpc_executor_get_stats(const kcom_dpc_executor *executor, kcom_dpc_executor_stats *stats)
{
    ULONG i;
    if (stats == NULL)
        return;
    stats->runs = stats->polls = stats->requeues = stats->deferrals = 0;
    if (executor == NULL)
        return;
    for (i = 0; i < executor->lane_count; i++) {
        dpc_lane *lane = lane_at(executor, i);
        stats->runs += (ULONG64)kcom_atomic_load64(&lane->runs);
        stats->polls += (ULONG64)kcom_atomic_load64(&lane->polls);
        stats->requeues += (ULONG64)kcom_atomic_load64(&lane->requeues);
        stats->deferrals += (ULONG64)kcom_atomic_load64(&lane->deferrals);
    }
}
