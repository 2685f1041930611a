/*
 * task.c - the scheduling state machine of a task (kcom/task.h):
 * IDLE -> SCHEDULED -> RUNNING -> (IDLE | NOTIFIED -> SCHEDULED | DONE).
 * The queue holds one reference on the task's owner from each IDLE -> SCHEDULED transition until
 * the poll that follows has ended. The scheduler knows tasks only: references and the end of the
 * work go through the hooks of their owner (KCOM_TASK_OWNER: kcom's AsyncOperation).
 */
#include "sched/task_internal.h"
#include "sched/task_queue.h"
#include "sched/tracker_internal.h"

/* Ends a task without (another) poll: its cleanup runs once, then its owner finishes it (refused:
 * the finish's, kcom_task_owner). Returns the tracker still counting it (executor.tracker: set only
 * on a task that was counted), for the caller to leave once it has let go of the owner too: a
 * drain may return, and the driver unload, as soon as it leaves. */
static KCOM_FORCEINLINE kcom_tracker *task_end(kcom_task *task, NTSTATUS status, kcom_task_link **refused)
{
    kcom_tracker *tracker = task->executor->tracker;
    void (*drop)(void *state) = task->desc->drop;
    kcom_atomic_store(&task->sched, KCOM_TASK_DONE);
    if (tracker != NULL)
        kcom_tracker_unlink(tracker, task); /* its work ends: nothing left to cancel */
    if (drop != NULL)
        drop(kcom_task_state(task));
    KCOM_TASK_OWNER->finish(task, status, refused);
    return tracker;
}

static void task_leave(kcom_tracker *tracker)
{
    if (tracker != NULL)
        kcom_tracker_leave(tracker);
}

/* Hands a SCHEDULED task (with the queue's reference) to its executor; its refusal, after which
 * the task has ended (Error with it). */
static NTSTATUS task_schedule(kcom_task *task)
{
    const kcom_executor *executor = task->executor;
    NTSTATUS status = executor->schedule(executor->context, task);
    if (!NT_SUCCESS(status))
        kcom_task_drop_scheduled(task, status);
    return status;
}

/* Ends a SCHEDULED task that no executor holds, and gives back the queue's reference; the tasks
 * its end's waiters refuse go onto *refused. */
static void task_drop(kcom_task *task, NTSTATUS status, kcom_task_link **refused)
{
    kcom_tracker *tracker = task_end(task, NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status, refused);
    KCOM_TASK_OWNER->release(task);
    task_leave(tracker);
}

/* Out of line: the executor refusing a task is the cold path of every schedule. The tasks that
 * awaited this one are woken by its end, and refused too when they share its executor: they end
 * in kcom_task_end_refused's loop, not inside this end. */
KCOM_NOINLINE void kcom_task_drop_scheduled(kcom_task *task, NTSTATUS status)
{
    kcom_task_link *refused = NULL;
    if (task == NULL)
        return;
    task_drop(task, status, &refused);
    kcom_task_end_refused(refused);
}

/* After a poll that returned PENDING: IDLE, or, woken during the poll (NOTIFIED), queued again.
 * queue_reference: the poll ran on the queue's reference, which IDLE gives back and the new
 * schedule keeps; without it (a first poll on the caller's reference) the schedule takes one.
 * Returns the executor's refusal of that schedule (the task has then ended), else STATUS_SUCCESS. */
static KCOM_FORCEINLINE NTSTATUS task_pending(kcom_task *task, BOOLEAN queue_reference)
{
    if (kcom_atomic_compare_exchange(&task->sched, KCOM_TASK_RUNNING, KCOM_TASK_IDLE) == KCOM_TASK_RUNNING) {
        if (queue_reference)
            KCOM_TASK_OWNER->release(task);
        return STATUS_SUCCESS;
    }
    kcom_atomic_store(&task->sched, KCOM_TASK_SCHEDULED);
    if (!queue_reference)
        KCOM_TASK_OWNER->retain(task);
    return task_schedule(task);
}

/* After a poll that returned READY: the task ends (task_end compiled in here), the queue's
 * reference goes when the poll ran on it, then its tracker is left. Out of line, so that the poll
 * path, which every PENDING poll takes too, keeps its few registers. */
static KCOM_NOINLINE void task_ready(kcom_task *task, NTSTATUS status, BOOLEAN queue_reference)
{
    kcom_tracker *tracker = task_end(task, status, NULL);
    if (queue_reference)
        KCOM_TASK_OWNER->release(task);
    task_leave(tracker);
}

/* A task begun by kcom_async_spawn_begin*, which its tracker (if any) counts from there, that its
 * first poll on its caller left pending: listed now (tracker.c), while it is still RUNNING (nobody
 * else ends it). */
static KCOM_FORCEINLINE void task_list_begun(kcom_task *task)
{
    if (task->executor->tracker != NULL)
        kcom_tracker_list(task->executor->tracker, task);
}

/* begun: the first poll, on its caller, of a begun task (task_list_begun when it is pending). */
static KCOM_FORCEINLINE NTSTATUS task_poll(kcom_task *task, BOOLEAN queue_reference, BOOLEAN begun)
{
    kcom_task_context cx;

    /* only the holder of SCHEDULED gets here: no other thread can be polling this task. An
     * exchange, not a store: a full barrier between RUNNING and what the poll reads next. A waker
     * publishes its cause (a cancel request in the operation's word, ...) and then reads the state;
     * if it finds SCHEDULED it leaves the cause to this poll, which must then see it. With a plain
     * store the poll's reads could pass it (x86 lets a load pass an earlier store), each side would
     * miss the other, and the wake was lost: the task slept with its cancel request untaken. */
    (void)kcom_atomic_exchange(&task->sched, KCOM_TASK_RUNNING);
    cx.task = task;
    cx.result = kcom_task_result(task);
    cx.status = STATUS_SUCCESS;
    if (task->desc->poll(kcom_task_state(task), &cx) == KCOM_POLL_READY) {
        task_ready(task, cx.status, queue_reference);
        return STATUS_SUCCESS;
    }
    if (begun)
        task_list_begun(task);
    return task_pending(task, queue_reference);
}

void kcom_task_run_dequeued(kcom_task *task)
{
    (void)task_poll(task, TRUE, FALSE); /* a refused reschedule ended the task: its operation tells */
}

/* The public entries check their argument at the boundary; kcom's own executors and wakers, which
 * never hold a NULL task or waker, call the unchecked ones and do not pay for it on every poll. */
void kcom_task_run(kcom_task *task)
{
    if (task != NULL)
        kcom_task_run_dequeued(task);
}

NTSTATUS kcom_task_run_first(kcom_task *task)
{
    return task_poll(task, FALSE, TRUE);
}

NTSTATUS kcom_task_publish(kcom_task *task)
{
    return task_pending(task, FALSE);
}

NTSTATUS kcom_task_publish_begun(kcom_task *task)
{
    task_list_begun(task);
    return task_pending(task, FALSE);
}

void kcom_task_end_unpublished(kcom_task *task, NTSTATUS status)
{
    task_leave(task_end(task, status, NULL)); /* the caller's reference keeps the owner */
}

/* Wakes with the waker's reference, which the wake consumes: an IDLE task is queued on it (it
 * becomes the queue's, so no reference is taken or dropped), anything else gives it back. The
 * first read of the state is a read-modify-write (adding 0): a full barrier after the waker
 * published its cause (a waiter's fired flag is a plain store), the other half of task_poll's
 * exchange. */
static KCOM_FORCEINLINE void task_wake_with(kcom_task *task, kcom_task_link **refused)
{
    LONG state = kcom_atomic_fetch_add(&task->sched, 0);
    for (;;) {
        LONG seen;
        if (state == KCOM_TASK_IDLE) {
            seen = kcom_atomic_compare_exchange(&task->sched, KCOM_TASK_IDLE, KCOM_TASK_SCHEDULED);
            if (seen == KCOM_TASK_IDLE) {
                if (refused == NULL) {
                    (void)task_schedule(task); /* a refusal ended the task: its operation tells */
                } else {
                    const kcom_executor *executor = task->executor;
                    NTSTATUS status = executor->schedule(executor->context, task);
                    if (!NT_SUCCESS(status)) { /* SCHEDULED and not queued: the task and its link are ours */
                        task->error = status;
                        task->link.next = *refused;
                        *refused = &task->link;
                    }
                }
                return;
            }
        } else if (state == KCOM_TASK_RUNNING) {
            seen = kcom_atomic_compare_exchange(&task->sched, KCOM_TASK_RUNNING, KCOM_TASK_NOTIFIED);
            if (seen == KCOM_TASK_RUNNING)
                break;
        } else {
            break; /* SCHEDULED or NOTIFIED: a poll is coming; DONE: nothing to do */
        }
        state = seen;
    }
    KCOM_TASK_OWNER->release(task);
}

static void task_wake(kcom_task *task)
{
    task_wake_with(task, NULL);
}

void kcom_task_wake_collecting(kcom_task *task, kcom_task_link **refused)
{
    if (task != NULL)
        task_wake_with(task, refused);
}

void kcom_task_end_refused(kcom_task_link *refused)
{
    while (refused != NULL) {
        kcom_task *task = KCOM_TASK_FROM_LINK(refused);
        refused = refused->next;
        task_drop(task, task->error, &refused);
    }
}

kcom_waker kcom_task_waker(kcom_task_context *cx)
{
    kcom_waker w;
    KCOM_TASK_OWNER->retain(cx->task);
    w.task = cx->task;
    return w;
}

void kcom_task_wake_task(kcom_task *task)
{
    if (task != NULL)
        task_wake(task);
}

void kcom_task_wake_waker(kcom_waker *w)
{
    kcom_task *task = w->task;
    w->task = NULL;
    kcom_task_wake_task(task);
}

void kcom_waker_wake(kcom_waker *w)
{
    if (w != NULL)
        kcom_task_wake_waker(w);
}

void kcom_waker_drop(kcom_waker *w)
{
    kcom_task *task;
    if (w == NULL || (task = w->task) == NULL)
        return;
    w->task = NULL;
    KCOM_TASK_OWNER->release(task);
}

NTSTATUS kcom_rt_task_lost(const kcom_task_context *cx, int point)
{
    KCOM_TRACE(ERROR,
               "task %p resumed at suspension point %d, which its body does not have (a KCOM_AWAIT or KCOM_YIELD "
               "inside a switch statement of the body, or a state whose resume point was not 0 at its first "
               "poll): it ends with STATUS_INTERNAL_ERROR",
               (void *)cx->task, point);
    return STATUS_INTERNAL_ERROR;
}

void kcom_task_wake_self(kcom_task_context *cx)
{
    /* Inside its own poll a task is RUNNING, or NOTIFIED by a wake meanwhile (DONE comes only after
     * the poll): either way it ends NOTIFIED, which a store does without a compare-exchange. The
     * poller holds the queue's reference, so no reference is needed here. */
    kcom_atomic_store(&cx->task->sched, KCOM_TASK_NOTIFIED);
}
