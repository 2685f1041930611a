/*
 * test_timer_teardown.c - the timer awaitable over the simulated KTIMER + KDPC, torn down in
 * every state: never armed, armed, expired with its DPC still queued, fired but not yet seen by
 * its task, and racing its own DPC; periodic timers. Each case checks that the task's operation
 * is freed (the timer released exactly the reference its waker held) and that a callback never
 * runs on freed memory (ASan and valgrind watch this executable too).
 */
#include "../async/async_test_common.h"

#include <kcom/awaitable.h>

#include "platform/platform.h"
#include <kcom/kernel_sim.h>

#include <string.h>

static kcom_counting_allocator counter;

/* A queue the test thread runs by hand, which timer DPCs (other threads) append to. */
typedef struct locked_executor {
    kcom_executor executor;
    test_mutex lock;
    kcom_task_link queue;
} locked_executor;

static locked_executor queue;

/* Milliseconds each schedule sleeps after queuing the task: a timer's callback that is slow after
 * its wake (preempted, on the host; a long DPC queue, in the kernel). */
static LONG volatile schedule_stall_ms;

static NTSTATUS locked_schedule(void *context, kcom_task *task)
{
    locked_executor *m = (locked_executor *)context;
    LONG stall_ms = kcom_atomic_load(&schedule_stall_ms);
    test_mutex_lock(&m->lock);
    task->link.next = &m->queue;
    task->link.prev = m->queue.prev;
    m->queue.prev->next = &task->link;
    m->queue.prev = &task->link;
    test_mutex_unlock(&m->lock);
    if (stall_ms != 0)
        test_sleep_ms((ULONG)stall_ms);
    return STATUS_SUCCESS;
}

static void locked_init(locked_executor *m)
{
    m->executor.schedule = locked_schedule;
    m->executor.context = m;
    m->executor.tracker = NULL;
    test_mutex_init(&m->lock);
    m->queue.next = m->queue.prev = &m->queue;
}

/* Runs the task first in the queue; FALSE when the queue is empty. */
static BOOLEAN locked_run_one(locked_executor *m)
{
    kcom_task_link *entry;
    test_mutex_lock(&m->lock);
    entry = m->queue.next;
    if (entry == &m->queue) {
        test_mutex_unlock(&m->lock);
        return FALSE;
    }
    m->queue.next = entry->next;
    entry->next->prev = &m->queue;
    test_mutex_unlock(&m->lock);
    kcom_task_run(KCOM_TASK_FROM_LINK(entry));
    return TRUE;
}

/* Runs what is queued now and what those polls queue, until the queue is empty. */
static void locked_run(locked_executor *m)
{
    while (locked_run_one(m)) {
    }
}

static LONG locked_queued(locked_executor *m)
{
    LONG n = 0;
    const kcom_task_link *entry;
    test_mutex_lock(&m->lock);
    for (entry = m->queue.next; entry != &m->queue; entry = entry->next)
        n++;
    test_mutex_unlock(&m->lock);
    return n;
}

static void begin(void)
{
    ok(kcom_initialize() == STATUS_SUCCESS, "initialize\n");
    kcom_counting_allocator_init(&counter, NULL);
    locked_init(&queue);
}

/* kcom_uninitialize first: a timer callback still returning may hold the last reference of its
 * task's operation, and kcom_uninitialize waits for such callbacks. */
static void end(void)
{
    ok(kcom_uninitialize() == STATUS_SUCCESS, "kcom_uninitialize: nothing armed\n");
    ok(locked_queued(&queue) == 0, "nothing left queued\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "%ld blocks still allocated\n",
       (long)kcom_counting_allocator_live(&counter));
    test_mutex_destroy(&queue.lock);
}

typedef struct timer_state {
    KCOM_TASK_RESUME_POINT;
    ULONG due_ms;
    ULONG period_ms;
    ULONG ticks_wanted;
    ULONG ticks;
    BOOLEAN canceled;
    ULONG first_poll_stall_ms; /* the first poll sleeps this long after it armed the timer */
    LONG volatile *drops;
    kcom_async_timer timer;
} timer_state;

static kcom_poll_result timer_task(timer_state *s, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(s);
    kcom_async_timer_init(&s->timer, s->due_ms, s->period_ms);
    while (s->ticks < s->ticks_wanted) {
        KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_timer_poll(&s->timer, cx));
        if (s->canceled)
            KCOM_TASK_RETURN(cx, STATUS_CANCELLED); /* the drop clears the timer */
        s->ticks++;
    }
    KCOM_TASK_RESULT(cx, ULONG) = s->ticks;
    KCOM_TASK_END(cx);
}

/* A first poll that is slow after it armed the timer (preempted, or under a sanitizer): the
 * timer may fire, and wake the task, before the poll has returned. */
static kcom_poll_result timer_poll(void *p, kcom_task_context *cx)
{
    timer_state *s = (timer_state *)p;
    kcom_poll_result result = timer_task(s, cx);
    if (s->first_poll_stall_ms != 0) {
        test_sleep_ms(s->first_poll_stall_ms);
        s->first_poll_stall_ms = 0;
    }
    return result;
}

static void timer_drop(void *p)
{
    timer_state *s = (timer_state *)p;
    kcom_async_timer_clear(&s->timer);
    kcom_atomic_fetch_add(s->drops, 1);
}

static const kcom_async_task_desc timer_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, timer_state, timer_poll, timer_drop);

static IAsyncULONG *spawn_stalling_timer(ULONG due_ms, ULONG period_ms, ULONG ticks, LONG volatile *drops,
                                         ULONG first_poll_stall_ms)
{
    IKcomAsyncOperation *op = NULL;
    timer_state initial;
    memset(&initial, 0, sizeof(initial));
    initial.due_ms = due_ms;
    initial.period_ms = period_ms;
    initial.ticks_wanted = ticks;
    initial.first_poll_stall_ms = first_poll_stall_ms;
    initial.drops = drops;
    ok(kcom_async_spawn(&timer_desc, &queue.executor, &counter.allocator, &initial, &op) == STATUS_SUCCESS,
       "spawn\n");
    return IAsyncULONG_from(op);
}

static IAsyncULONG *spawn_timer(ULONG due_ms, ULONG period_ms, ULONG ticks, LONG volatile *drops)
{
    return spawn_stalling_timer(due_ms, period_ms, ticks, drops, 0);
}

/* Runs the queue until the operation has finished, or fails after 20 s. */
static void run_until_finished(IAsyncULONG *op)
{
    kcom_async_status status = KCOM_ASYNC_STARTED;
    ULONG64 deadline = test_now_ms() + 20000;
    for (;;) {
        locked_run(&queue);
        if (IAsyncULONG_get_status(op, &status) != STATUS_SUCCESS || status != KCOM_ASYNC_STARTED)
            break;
        if (test_now_ms() > deadline)
            break;
        test_sleep_ms(1);
    }
    ok(status != KCOM_ASYNC_STARTED, "finished\n");
}

static void never_armed(void)
{
    kcom_async_timer timer;
    LONG volatile drops = 0;
    IAsyncULONG *op;
    begin();
    memset(&timer, 0, sizeof(timer));
    kcom_async_timer_clear(&timer); /* zero-filled */
    kcom_async_timer_init(&timer, 10, 0);
    kcom_async_timer_clear(&timer); /* initialized, never polled */
    kcom_async_timer_clear(&timer); /* twice */
    /* a task canceled before its first poll never arms its timer */
    op = spawn_timer(10, 0, 1, &drops);
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel\n");
    locked_run(&queue);
    ok(drops == 1, "dropped once\n");
    IAsyncULONG_Release(op);
    end();
}

static void armed(void)
{
    LONG volatile drops = 0;
    IAsyncULONG *op;
    ULONG64 start;
    begin();
    op = spawn_timer(60000, 0, 1, &drops);
    locked_run(&queue); /* armed for a minute */
    start = test_now_ms();
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel\n");
    run_until_finished(op);
    ok(test_now_ms() - start < 10000, "the clear did not wait for the timer\n");
    ok(drops == 1, "dropped once\n");
    IAsyncULONG_Release(op);
    end(); /* the waker the armed timer held was released: the operation is freed */
}

static void dpc_queued(void)
{
    LONG volatile drops = 0;
    IAsyncULONG *op;
    ULONG64 deadline;
    begin();
    op = spawn_timer(1, 0, 1, &drops);
    kcom_sim_hold_dpcs(TRUE);
    locked_run(&queue); /* armed; it expires and its DPC is queued, but not run */
    deadline = test_now_ms() + 20000;
    while (kcom_sim_dpcs_queued() == 0 && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(kcom_sim_dpcs_queued() >= 1, "the timer's DPC is queued\n");
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel\n");
    locked_run(&queue); /* the clear removes the queued DPC */
    ok(drops == 1, "dropped once\n");
    IAsyncULONG_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed while the DPC was held\n");
    kcom_sim_hold_dpcs(FALSE);
    kcom_platform_dpc_flush();
    end();
}

/* A task of a one-shot timer due in 1 ms, armed, then woken by the timer's callback, which sleeps
 * stall_ms in the executor's schedule after the wake (0: none); its first poll sleeps
 * first_poll_stall_ms after arming. */
static IAsyncULONG *spawn_fired(LONG volatile *drops, LONG stall_ms, ULONG first_poll_stall_ms)
{
    IAsyncULONG *op = spawn_stalling_timer(1, 0, 1, drops, first_poll_stall_ms);
    ULONG64 deadline = test_now_ms() + 20000;
    /* the first poll only, which arms the timer: a timer that fired before it returned has queued
     * the task again, and a second poll would finish it */
    kcom_atomic_store(&schedule_stall_ms, stall_ms);
    ok(locked_run_one(&queue), "the first poll\n");
    while (locked_queued(&queue) == 0 && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(locked_queued(&queue) == 1, "the timer fired and woke the task\n");
    kcom_atomic_store(&schedule_stall_ms, 0);
    return op;
}

/* A timer that fired and woke its task, which is canceled before it is polled again; its first
 * poll sleeps first_poll_stall_ms after arming (the timer may fire before that poll returned: the
 * wake then queues the task once the poll ends, and it is left queued, not polled). */
static void fired_then_canceled(ULONG first_poll_stall_ms)
{
    LONG volatile drops = 0;
    IAsyncULONG *op;
    begin();
    op = spawn_fired(&drops, 0, first_poll_stall_ms);
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel\n");
    locked_run(&queue);
    ok(drops == 1, "dropped once\n");
    IAsyncULONG_Release(op);
    end();
}

static void fired_not_polled(void)
{
    fired_then_canceled(0);
}

static void fired_during_first_poll(void)
{
    fired_then_canceled(50);
}

/* The task of a timer that fired finishes while the timer's callback has not yet returned (it
 * sleeps in the executor's schedule, after the wake): kcom_uninitialize waits for that callback
 * rather than refusing as if the timer were still armed. */
static void uninitialize_after_fire(void)
{
    LONG volatile drops = 0;
    IAsyncULONG *op;
    begin();
    op = spawn_fired(&drops, 300, 0);
    locked_run(&queue); /* finishes while the callback still sleeps */
    ok(drops == 1, "dropped once\n");
    IAsyncULONG_Release(op); /* the callback's waker still holds a reference */
    end(); /* kcom_uninitialize succeeds (nothing is armed) once the callback has returned */
}

static void racing_teardown(void)
{
    LONG volatile drops = 0;
    ULONG i;
    begin();
    for (i = 0; i < 300; i++) {
        IAsyncULONG *op = spawn_timer(i % 3, 0, 1, &drops);
        locked_run(&queue);
        if (i % 2)
            test_yield();
        (void)IAsyncULONG_cancel(op);
        run_until_finished(op);
        IAsyncULONG_Release(op);
    }
    ok(drops == 300, "every task dropped once: %ld\n", (long)drops);
    kcom_platform_dpc_flush();
    end();
}

static void periodic(void)
{
    LONG volatile drops = 0;
    IAsyncULONG *op;
    ULONG ticks = 0;
    begin();
    op = spawn_timer(5, 5, 4, &drops);
    run_until_finished(op);
    ok(IAsyncULONG_get_result(op, &ticks) == STATUS_SUCCESS && ticks == 4, "four ticks: %lu\n", (unsigned long)ticks);
    IAsyncULONG_Release(op);
    /* torn down between ticks */
    op = spawn_timer(5, 5, 1000, &drops);
    locked_run(&queue);
    test_sleep_ms(20);
    locked_run(&queue);
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel\n");
    run_until_finished(op);
    IAsyncULONG_Release(op);
    ok(drops == 2, "dropped once each\n");
    kcom_platform_dpc_flush();
    end();
}

int main(void)
{
    static const char *const names[] = {"timer_never_armed",       "timer_armed",
                                        "timer_dpc_queued",        "timer_fired_not_polled",
                                        "timer_fired_during_first_poll", "timer_uninitialize_after_fire",
                                        "timer_racing_teardown",   "timer_periodic"};
    static void (*const tests[])(void) = {never_armed,      armed,           dpc_queued, fired_not_polled,
                                          fired_during_first_poll, uninitialize_after_fire, racing_teardown,
                                          periodic};
    return async_test_main(names, tests, 8);
}
