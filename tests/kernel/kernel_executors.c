/*
 * kernel_executors - the kernel executors inside the driver: the work-item executor (polls at
 * PASSIVE_LEVEL on a worker thread, budgets, a wake during a poll), timers awaited by tasks,
 * blocking waits, trackers (drain with tasks outstanding, spawns refused after it), and the
 * driver's own tracker, which DriverUnload drains (driver.c) with a task this test leaves waiting.
 * The DPC executor's checks need DPCs that run: under Wine they report themselves skipped (the
 * DPC executor's logic is proven on the host simulation, tests/executors/).
 */
#include <kcom/kcom.h>

#include <kcom/atomic.h>

#include "../../src/platform/platform.h"
#include "../harness/kcom_test.h"
#include "kernel_test_driver.h"

#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS

#define WAIT_MS 10000u

KCOM_DECLARE_ASYNC_OPERATION(IKernelAsyncULONG, ULONG,
    0x51c2e0a4, 0x7b1d, 0x4f0e, 0xa2, 0x6c, 0x3e, 0x18, 0x9b, 0x40, 0x77, 0xd5)

static ULONG finish(IKcomAsyncOperation *op, NTSTATUS expected)
{
    ULONG value = 0;
    NTSTATUS status = kcom_async_block_on(op, WAIT_MS);
    ok(status == STATUS_SUCCESS, "block_on: %s\n", kcom_status_name(status));
    status = op->lpVtbl->get_result(op, &value);
    ok(status == expected, "result %s, expected %s\n", kcom_status_name(status), kcom_status_name(expected));
    op->lpVtbl->Release(op);
    return value;
}

/* ---- a task that yields, checking where it runs ------------------------------------------------- */

typedef struct yield_state {
    ULONG left;
    ULONG polls;
    ULONG wrong_irql;
    UCHAR irql; /* the executor's */
} yield_state;

static kcom_poll_result yield_poll(void *p, kcom_task_context *cx)
{
    yield_state *s = (yield_state *)p;
    s->polls++;
    if (KeGetCurrentIrql() != s->irql)
        s->wrong_irql++;
    if (s->left-- != 0) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    KCOM_TASK_RESULT(cx, ULONG) = s->polls;
    cx->status = s->wrong_irql == 0 ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_STATE;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc yield_desc =
    KCOM_ASYNC_TASK_DESC(IKernelAsyncULONG, ULONG, yield_state, yield_poll, NULL);

static IKcomAsyncOperation *spawn_yield(const kcom_executor *executor, ULONG polls, UCHAR irql)
{
    IKcomAsyncOperation *op = NULL;
    yield_state initial;
    NTSTATUS status;
    initial.left = polls - 1;
    initial.polls = 0;
    initial.wrong_irql = 0;
    initial.irql = irql;
    status = kcom_async_spawn(&yield_desc, executor, NULL, &initial, &op);
    ok(status == STATUS_SUCCESS, "spawn: %s\n", kcom_status_name(status));
    return op;
}

static void test_work_items(void)
{
    kcom_work_item_executor_config config;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_work = NULL;
    IKcomAsyncOperation *ops[3];
    ULONG i;

    ok(kcom_work_item_executor_create(NULL, NULL, &work, &on_work) == STATUS_INVALID_PARAMETER && work == NULL &&
           on_work == NULL,
       "a NULL device is refused\n");
    RtlZeroMemory(&config, sizeof(config));
    config.poll_budget = 16;
    ok(kcom_work_item_executor_create(kcom_test_device(), &config, &work, &on_work) == STATUS_SUCCESS, "create\n");
    if (work == NULL)
        return;
    for (i = 0; i < 3; i++)
        ops[i] = spawn_yield(on_work, 100, PASSIVE_LEVEL);
    for (i = 0; i < 3; i++)
        ok(finish(ops[i], STATUS_SUCCESS) == 100, "task %lu polled 100 times at PASSIVE_LEVEL\n", (unsigned long)i);
    {
        /* 300 polls, at most 16 a run; a run adds its counts when it ends, maybe after the task's end */
        kcom_work_item_executor_stats stats;
        ULONG64 start = kcom_platform_monotonic_ms();
        do {
            kcom_work_item_executor_get_stats(work, &stats);
            if (stats.polls >= 300)
                break;
            kcom_platform_sleep_ms(1);
        } while (kcom_platform_monotonic_ms() - start < 5000);
        ok(stats.polls == 300 && stats.runs >= 19 && stats.requeues < stats.runs,
           "300 polls in %lu work-item runs (%lu counted, %lu requeued)\n", (unsigned long)stats.runs,
           (unsigned long)stats.polls, (unsigned long)stats.requeues);
    }
    kcom_work_item_executor_destroy(work);
}

/* ---- timers ---------------------------------------------------------------------------------------- */

typedef struct timer_state {
    KCOM_TASK_RESUME_POINT;
    ULONG due_ms;
    ULONG period_ms;
    ULONG ticks;
    BOOLEAN canceled;
    ULONG64 started;
    kcom_async_timer timer;
} timer_state;

static kcom_poll_result timer_poll(void *p, kcom_task_context *cx)
{
    timer_state *s = (timer_state *)p;
    KCOM_TASK_BEGIN(s);
    s->started = kcom_platform_monotonic_ms();
    kcom_async_timer_init(&s->timer, s->due_ms, s->period_ms);
    while (s->ticks < 3) {
        KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_timer_poll(&s->timer, cx));
        if (s->canceled)
            KCOM_TASK_RETURN(cx, STATUS_CANCELLED); /* the drop clears the timer */
        if (!NT_SUCCESS(s->timer.status))
            KCOM_TASK_RETURN(cx, s->timer.status);
        s->ticks++;
        if (s->period_ms == 0)
            break;
    }
    kcom_async_timer_clear(&s->timer);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, (ULONG)(kcom_platform_monotonic_ms() - s->started));
    KCOM_TASK_END(cx);
}

static void timer_drop(void *p)
{
    kcom_async_timer_clear(&((timer_state *)p)->timer);
}

static const kcom_async_task_desc timer_desc =
    KCOM_ASYNC_TASK_DESC(IKernelAsyncULONG, ULONG, timer_state, timer_poll, timer_drop);

static IKcomAsyncOperation *spawn_timer_from(const kcom_executor *executor, const kcom_allocator *allocator,
                                             ULONG due_ms, ULONG period_ms)
{
    IKcomAsyncOperation *op = NULL;
    timer_state initial;
    RtlZeroMemory(&initial, sizeof(initial));
    initial.due_ms = due_ms;
    initial.period_ms = period_ms;
    ok(kcom_async_spawn(&timer_desc, executor, allocator, &initial, &op) == STATUS_SUCCESS, "spawn\n");
    return op;
}

static IKcomAsyncOperation *spawn_timer(const kcom_executor *executor, ULONG due_ms, ULONG period_ms)
{
    return spawn_timer_from(executor, NULL, due_ms, period_ms);
}

static void test_timers(void)
{
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_work = NULL;
    IKcomAsyncOperation *op;
    ULONG elapsed;
    ok(kcom_work_item_executor_create(kcom_test_device(), NULL, &work, &on_work) == STATUS_SUCCESS, "create\n");
    if (work == NULL)
        return;
    elapsed = finish(spawn_timer(on_work, 30, 0), STATUS_SUCCESS);
    ok(elapsed >= 29, "a 30 ms timer fired after %lu ms\n", (unsigned long)elapsed);
    elapsed = finish(spawn_timer(on_work, 10, 10), STATUS_SUCCESS);
    ok(elapsed >= 29, "three 10 ms periods took %lu ms\n", (unsigned long)elapsed);
    /* canceled while armed: the timer is canceled and its waker released by the drop */
    op = spawn_timer(on_work, 60000, 0);
    kcom_platform_sleep_ms(20);
    ok(op->lpVtbl->cancel(op) == STATUS_SUCCESS, "cancel\n");
    finish(op, STATUS_CANCELLED);
    kcom_work_item_executor_destroy(work);
}

/* ---- a timer's storage once its task has ended ------------------------------------------------------- */

/* An allocator that fills a freed block with a pattern and keeps it for QUARANTINE more frees
 * before it gives it back, checking the pattern then: a write into the block after its free shows
 * (Wine's ntoskrnl writes a KTIMER after its DPC routine has returned: timer_ntkernel.c). */
#define QUARANTINE 16
#define FREED_BYTE 0xA5

typedef struct quarantined {
    void *block;
    size_t size, alignment;
} quarantined;

typedef struct quarantine {
    KSPIN_LOCK lock;
    const kcom_allocator *backing;
    quarantined kept[QUARANTINE];
    ULONG next;
    LONG volatile written; /* blocks found written after their free */
} quarantine;

static void quarantine_check(quarantine *q, const quarantined *entry)
{
    const UCHAR *bytes = (const UCHAR *)entry->block;
    size_t i;
    for (i = 0; i < entry->size; i++) {
        if (bytes[i] != FREED_BYTE) {
            kcom_atomic_fetch_add(&q->written, 1);
            break;
        }
    }
    kcom_free(q->backing, entry->block, entry->size, entry->alignment);
}

static void *quarantine_allocate(void *context, size_t size, size_t alignment)
{
    return kcom_allocate(((quarantine *)context)->backing, size, alignment);
}

static void quarantine_free(void *context, void *block, size_t size, size_t alignment)
{
    quarantine *q = (quarantine *)context;
    quarantined evicted;
    KIRQL irql;
    RtlFillMemory(block, size, FREED_BYTE);
    KeAcquireSpinLock(&q->lock, &irql);
    evicted = q->kept[q->next];
    q->kept[q->next].block = block;
    q->kept[q->next].size = size;
    q->kept[q->next].alignment = alignment;
    q->next = (q->next + 1) % QUARANTINE;
    KeReleaseSpinLock(&q->lock, irql);
    if (evicted.block != NULL)
        quarantine_check(q, &evicted);
}

/* Sets and clears an event of its own until told to stop: under Wine each call takes the lock
 * that a timer's fire takes after its DPC routine (KeSetEvent's), which widens the time between
 * the routine's return and the fire's end. Harmless elsewhere. */
typedef struct busy_setter {
    kcom_platform_work_item *item;
    LONG volatile stop;
    kcom_platform_event *done;
} busy_setter;

static void busy_routine(void *context)
{
    busy_setter *b = (busy_setter *)context;
    kcom_platform_event *done = b->done;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    while (!kcom_atomic_load(&b->stop)) {
        (void)KeSetEvent(&event, IO_NO_INCREMENT, FALSE);
        KeClearEvent(&event);
    }
    kcom_platform_work_item_free(b->item); /* from its own routine, as IoFreeWorkItem allows */
    kcom_platform_event_set(done);
    kcom_platform_event_release(done);
}

/* Timer tasks that end as soon as their timer fired, their operations freed at once: nothing of
 * the platform's may touch a timer's storage after the task has seen it fire. */
static void test_timer_storage_after_fire(void)
{
    static quarantine q;
    kcom_allocator allocator;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_work = NULL;
    busy_setter busy;
    ULONG i;
    RtlZeroMemory(&q, sizeof(q));
    KeInitializeSpinLock(&q.lock);
    q.backing = kcom_default_allocator();
    allocator.allocate = quarantine_allocate;
    allocator.free = quarantine_free;
    allocator.context = &q;
    ok(kcom_work_item_executor_create(kcom_test_device(), NULL, &work, &on_work) == STATUS_SUCCESS, "create\n");
    busy.item = kcom_platform_work_item_allocate(kcom_test_device());
    busy.done = kcom_platform_event_create();
    busy.stop = 0;
    if (work == NULL || busy.item == NULL || busy.done == NULL) {
        ok(FALSE, "resources\n");
        if (busy.item != NULL)
            kcom_platform_work_item_free(busy.item);
        if (busy.done != NULL)
            kcom_platform_event_release(busy.done);
        kcom_work_item_executor_destroy(work);
        return;
    }
    kcom_platform_event_reference(busy.done); /* the routine's */
    kcom_platform_work_item_queue(busy.item, busy_routine, &busy);
    for (i = 0; i < 300; i++)
        (void)finish(spawn_timer_from(on_work, &allocator, 0, 0), STATUS_SUCCESS);
    kcom_atomic_store(&busy.stop, 1);
    ok(kcom_platform_event_wait(busy.done, WAIT_MS) == STATUS_SUCCESS, "the busy routine ended\n");
    kcom_platform_event_release(busy.done);
    kcom_work_item_executor_destroy(work);
    for (i = 0; i < QUARANTINE; i++)
        if (q.kept[i].block != NULL)
            quarantine_check(&q, &q.kept[i]);
    ok(q.written == 0, "%ld of 300 timer tasks' blocks were written after their free\n", (long)q.written);
}

/* ---- blocking waits --------------------------------------------------------------------------------- */

typedef struct completer {
    kcom_platform_work_item *item;
    IKcomAsyncOperation *source;
    kcom_platform_event *done; /* set when the routine has let go of everything */
} completer;

static void complete_routine(void *context)
{
    completer *c = (completer *)context;
    ULONG value = 42;
    kcom_platform_sleep_ms(20);
    (void)kcom_async_operation_complete(c->source, &value);
    c->source->lpVtbl->Release(c->source);
    kcom_platform_work_item_free(c->item); /* from its own routine, as IoFreeWorkItem allows */
    kcom_platform_event_set(c->done);
    kcom_platform_event_release(c->done);
}

static void test_blocking_waits(void)
{
    IKcomAsyncOperation *source = NULL;
    static completer c;
    kcom_platform_event *done;
    ULONG value = 0;

    ok(kcom_async_block_on(NULL, 0) == STATUS_INVALID_PARAMETER, "NULL\n");
    ok(kcom_async_operation_create(NULL, &IID_IKernelAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &source) ==
           STATUS_SUCCESS,
       "source\n");
    ok(kcom_async_block_on(source, 20) == STATUS_TIMEOUT, "nobody completes it: timeout\n");
    ok(kcom_async_try_block_on(source, 0) == STATUS_TIMEOUT, "try_block_on at PASSIVE_LEVEL waits too\n");
    /* completed from a work item while this thread waits */
    c.item = kcom_platform_work_item_allocate(kcom_test_device());
    done = kcom_platform_event_create();
    ok(c.item != NULL && done != NULL, "work item and event\n");
    if (c.item == NULL || done == NULL) {
        if (c.item != NULL)
            kcom_platform_work_item_free(c.item);
        if (done != NULL)
            kcom_platform_event_release(done);
        source->lpVtbl->Release(source);
        return;
    }
    c.source = source;
    c.done = done;
    source->lpVtbl->AddRef(source);           /* the routine's */
    kcom_platform_event_reference(done);      /* the routine's */
    kcom_platform_work_item_queue(c.item, complete_routine, &c);
    ok(kcom_async_block_on(source, WAIT_MS) == STATUS_SUCCESS, "completed while waiting\n");
    ok(source->lpVtbl->get_result(source, &value) == STATUS_SUCCESS && value == 42, "value %lu\n",
       (unsigned long)value);
    source->lpVtbl->Release(source);
    ok(kcom_platform_event_wait(done, WAIT_MS) == STATUS_SUCCESS, "the routine ended\n");
    kcom_platform_event_release(done);
}

/* ---- trackers ----------------------------------------------------------------------------------------- */

/* A tracker and a work-item executor counted by it: FALSE (reported) when either cannot be made. */
static BOOLEAN tracked_executor(kcom_tracker **tracker, kcom_work_item_executor **work, const kcom_executor **on_work)
{
    kcom_work_item_executor_config config;
    ok(kcom_tracker_create(tracker) == STATUS_SUCCESS, "create\n");
    if (*tracker == NULL)
        return FALSE;
    RtlZeroMemory(&config, sizeof(config));
    config.tracker = *tracker;
    ok(kcom_work_item_executor_create(kcom_test_device(), &config, work, on_work) == STATUS_SUCCESS, "executor\n");
    if (*work == NULL) {
        kcom_tracker_destroy(*tracker);
        return FALSE;
    }
    return TRUE;
}

/* A task waiting for an event nobody sets, until canceled. */
typedef struct stuck_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_event *never;
    kcom_async_event_await wait;
    BOOLEAN canceled;
} stuck_state;

static kcom_poll_result stuck_poll(void *p, kcom_task_context *cx)
{
    stuck_state *s = (stuck_state *)p;
    KCOM_TASK_BEGIN(s);
    kcom_async_event_await_init(&s->wait, s->never);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_event_await_poll(&s->wait, cx));
    KCOM_TASK_RETURN(cx, s->canceled ? STATUS_CANCELLED : STATUS_SUCCESS);
    KCOM_TASK_END(cx);
}

static void stuck_drop(void *p)
{
    kcom_async_event_await_clear(&((stuck_state *)p)->wait);
}

static const kcom_async_task_desc stuck_desc =
    KCOM_ASYNC_TASK_DESC(IKernelAsyncULONG, ULONG, stuck_state, stuck_poll, stuck_drop);

/* Unload with work that would wait forever: cancel, drain (bounded), destroy. */
static void test_tracker_cancel(void)
{
    kcom_tracker *tracker = NULL;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_work = NULL;
    IKcomAsyncOperation *ops[3] = {NULL, NULL, NULL};
    kcom_async_event never;
    stuck_state initial;
    ULONG i;

    kcom_async_event_init(&never, FALSE);
    if (!tracked_executor(&tracker, &work, &on_work))
        return;
    RtlZeroMemory(&initial, sizeof(initial));
    initial.never = &never;
    for (i = 0; i < 3; i++)
        ok(kcom_async_spawn(&stuck_desc, on_work, NULL, &initial, &ops[i]) == STATUS_SUCCESS, "spawn %lu\n",
           (unsigned long)i);
    ok(kcom_tracker_drain(tracker, 30) == STATUS_TIMEOUT, "a drain alone times out: %ld outstanding\n",
       (long)kcom_tracker_outstanding(tracker));
    {
        /* above PASSIVE_LEVEL, where the drain's KeFlushQueuedDpcs may not run, it is refused */
        KIRQL old;
        KeRaiseIrql(APC_LEVEL, &old);
        if (KeGetCurrentIrql() == APC_LEVEL) {
            NTSTATUS status = kcom_tracker_drain(tracker, 0);
            KeLowerIrql(old);
            ok(status == STATUS_INVALID_DEVICE_STATE, "a drain at APC_LEVEL: %s\n", kcom_status_name(status));
        } else {
            KeLowerIrql(old);
            skip("raising the IRQL has no effect under Wine's ntoskrnl: it is always 0 (docs/building.md)\n");
        }
    }
    ok(kcom_tracker_cancel_and_drain(tracker, WAIT_MS) == STATUS_SUCCESS, "cancel and drain\n");
    ok(kcom_tracker_outstanding(tracker) == 0, "none outstanding\n");
    for (i = 0; i < 3; i++) {
        ULONG value;
        if (ops[i] == NULL)
            continue;
        ok(ops[i]->lpVtbl->get_result(ops[i], &value) == STATUS_CANCELLED, "task %lu canceled\n", (unsigned long)i);
        ops[i]->lpVtbl->Release(ops[i]);
    }
    kcom_work_item_executor_destroy(work);
    kcom_tracker_destroy(tracker);
}

static void test_trackers(void)
{
    kcom_tracker *tracker = NULL;
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_work = NULL;
    IKcomAsyncOperation *ops[3], *late = NULL;
    yield_state initial;
    ULONG i;

    if (!tracked_executor(&tracker, &work, &on_work))
        return;
    ops[0] = spawn_yield(on_work, 200, PASSIVE_LEVEL);
    ops[1] = spawn_timer(on_work, 30, 0);
    ops[2] = spawn_timer(on_work, 5, 5);
    ok(kcom_tracker_outstanding(tracker) >= 1, "%ld outstanding\n", (long)kcom_tracker_outstanding(tracker));
    ok(kcom_tracker_drain(tracker, WAIT_MS) == STATUS_SUCCESS, "drained\n");
    ok(kcom_tracker_outstanding(tracker) == 0, "none outstanding\n");
    for (i = 0; i < 3; i++) {
        kcom_async_status status = KCOM_ASYNC_STARTED;
        ok(ops[i]->lpVtbl->get_status(ops[i], &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED,
           "task %lu finished before the drain returned\n", (unsigned long)i);
        ops[i]->lpVtbl->Release(ops[i]);
    }
    initial.left = 0;
    initial.polls = 0;
    initial.wrong_irql = 0;
    initial.irql = PASSIVE_LEVEL;
    ok(kcom_async_spawn(&yield_desc, on_work, NULL, &initial, &late) == STATUS_DELETE_PENDING && late != NULL,
       "a spawn after the drain is refused\n");
    if (late != NULL)
        late->lpVtbl->Release(late);
    kcom_work_item_executor_destroy(work);
    kcom_tracker_destroy(tracker);
}

/* ---- the DPC executor (where DPCs run) ---------------------------------------------------------------- */

static void test_dpc_executor(void)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *on_dpc = NULL;
    kcom_dpc_executor_stats stats;
    if (!kcom_test_dpcs_run()) {
        skip("the DPC executor: queued DPCs never run under Wine's ntoskrnl (docs/building.md); proven on the host "
             "simulation\n");
        return;
    }
    ok(kcom_dpc_executor_create(NULL, &dpc, &on_dpc) == STATUS_SUCCESS, "create\n");
    if (dpc == NULL)
        return;
    ok(finish(spawn_yield(on_dpc, 200, DISPATCH_LEVEL), STATUS_SUCCESS) == 200, "200 polls at DISPATCH_LEVEL\n");
    kcom_dpc_executor_get_stats(dpc, &stats);
    ok(stats.runs >= 4, "200 polls in %lu DPC runs\n", (unsigned long)stats.runs);
    kcom_dpc_executor_destroy(dpc);
}

/* ---- kcom_uninitialize with a task running --------------------------------------------------------------- */

typedef struct spin_state {
    LONG volatile *polls;
} spin_state;

/* Yields until canceled. */
static kcom_poll_result spin_poll(void *p, kcom_task_context *cx)
{
    spin_state *s = (spin_state *)p;
    kcom_atomic_fetch_add(s->polls, 1);
    if (kcom_task_take_cancellation_request(cx)) {
        cx->status = STATUS_CANCELLED;
        return KCOM_POLL_READY;
    }
    kcom_task_wake_self(cx);
    return KCOM_POLL_PENDING;
}

static const kcom_async_task_desc spin_desc =
    KCOM_ASYNC_TASK_DESC(IKernelAsyncULONG, ULONG, spin_state, spin_poll, NULL);

/* Refused while an executor's work item keeps running a task: it would run after the unload.
 * Nothing is stopped; the task, canceled, ends. */
static void test_uninitialize_busy(void)
{
    kcom_work_item_executor *work = NULL;
    const kcom_executor *on_work = NULL;
    IKcomAsyncOperation *op = NULL;
    LONG volatile polls = 0;
    kcom_async_status status = KCOM_ASYNC_CANCELED;
    spin_state initial;

    ok(kcom_work_item_executor_create(kcom_test_device(), NULL, &work, &on_work) == STATUS_SUCCESS, "create\n");
    if (work == NULL)
        return;
    initial.polls = &polls;
    ok(kcom_async_spawn(&spin_desc, on_work, NULL, &initial, &op) == STATUS_SUCCESS, "spawn\n");
    if (op != NULL) {
        ok(kcom_uninitialize() == STATUS_INVALID_DEVICE_STATE, "kcom_uninitialize refused while a task runs\n");
        ok(op->lpVtbl->get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_STARTED,
           "the task still runs (status %ld)\n", (long)status);
        ok(op->lpVtbl->cancel(op) == STATUS_SUCCESS, "canceled\n");
        finish(op, STATUS_CANCELLED);
        ok(kcom_atomic_load(&polls) >= 2, "polled %ld times\n", (long)kcom_atomic_load(&polls));
    }
    kcom_work_item_executor_destroy(work);
}

/* ---- the driver's tracker ------------------------------------------------------------------------------ */

typedef struct linger_state {
    kcom_async_event_await wait;
} linger_state;

static kcom_poll_result linger_poll(void *p, kcom_task_context *cx)
{
    linger_state *s = (linger_state *)p;
    if (kcom_async_event_await_poll(&s->wait, cx) == KCOM_POLL_PENDING)
        return KCOM_POLL_PENDING;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static void linger_drop(void *p)
{
    kcom_async_event_await_clear(&((linger_state *)p)->wait);
}

static const kcom_async_task_desc linger_desc =
    KCOM_ASYNC_TASK_DESC(IKernelAsyncULONG, ULONG, linger_state, linger_poll, linger_drop);

/* Leaves a task waiting on the driver's unload event, on the driver's tracked executor: it is
 * still outstanding when the driver unloads, whose drain must wait for it (driver.c). It is
 * allocated outside the per-test leak count, from the driver's unload allocator. */
static void test_driver_tracker(void)
{
    linger_state initial;
    IKcomAsyncOperation *op = NULL;
    RtlZeroMemory(&initial, sizeof(initial));
    kcom_async_event_await_init(&initial.wait, kcom_test_unload_event());
    ok(kcom_async_spawn(&linger_desc, kcom_test_executor(), kcom_test_unload_allocator(), &initial, &op) ==
           STATUS_SUCCESS,
       "spawn\n");
    ok(kcom_tracker_outstanding(kcom_test_tracker()) >= 1, "outstanding on the driver's tracker\n");
    op->lpVtbl->Release(op); /* the task keeps itself alive through its waker */
}

void kcom_test_kernel_executors(void)
{
    test_work_items();
    test_timers();
    test_timer_storage_after_fire();
    test_blocking_waits();
    test_trackers();
    test_tracker_cancel();
    test_dpc_executor();
    test_uninitialize_busy();
    test_driver_tracker();
}

#endif /* KCOM_ENABLE_KERNEL_EXECUTORS */
