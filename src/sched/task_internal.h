/*
 * task_internal.h - what a task's owner (src/async/: the operation, spawn) calls of the scheduler
 * besides kcom/task.h: the first poll on the caller, and its publication.
 */
#ifndef KCOM_SRC_SCHED_TASK_INTERNAL_H
#define KCOM_SRC_SCHED_TASK_INTERNAL_H

#include <kcom/async.h>

/* What a task's owner does for the scheduler, which knows tasks, not what holds them. IRQL: <=
 * DISPATCH_LEVEL. */
typedef struct kcom_task_owner {
    void (*retain)(struct kcom_task *task);  /* a reference on the owner: the queue's, a waker's */
    void (*release)(struct kcom_task *task); /* gives one back; the last may free the task */
    /* the work has ended with status (the drop has run); the caller holds a reference. A task
     * its waiters' wakes had refused is pushed onto *refused (kcom_task_wake_collecting) when
     * refused is not NULL, and ended here when it is */
    void (*finish)(struct kcom_task *task, NTSTATUS status, kcom_task_link **refused);
    /* a reference, unless the owner is already being destroyed (its last reference is gone):
     * what a tracker takes on a task it found in its list, under its lock (no call out) */
    BOOLEAN (*try_retain)(struct kcom_task *task);
    /* cancels the work, as the owner's own cancel does (a tracker's cancel-all); the caller
     * holds a reference and no lock */
    void (*cancel)(struct kcom_task *task);
} kcom_task_owner;

/* The owner of every task: kcom's AsyncOperation (src/async/operation.c), whose hooks the
 * scheduler calls with the task (references on the operation, the end of its work). */
extern const kcom_task_owner kcom_rt_async_task_owner;
#define KCOM_TASK_OWNER (&kcom_rt_async_task_owner)

/* Where a task's state and result are: in its operation's block, at the offsets its descriptor
 * gives (kcom/async.h), which a descriptor written by hand leaves 0 (then computed out of line,
 * src/async/spawn.c, which also gives NULL for none). A descriptor with its layout always has a
 * state (KCOM_ASYNC_TASK_DESC's State has a resume point). */
#define KCOM_TASK_BLOCK(t) ((char *)(t) - offsetof(kcom_async_op, task))
void *kcom_task_computed(kcom_task *task, BOOLEAN state); /* state FALSE: the result */

static KCOM_FORCEINLINE void *kcom_task_state(kcom_task *task)
{
    const kcom_async_task_desc *desc = task->desc;
    if (KCOM_LIKELY(desc->block_size != 0))
        return KCOM_TASK_BLOCK(task) + desc->state_offset;
    return kcom_task_computed(task, TRUE);
}

static KCOM_FORCEINLINE void *kcom_task_result(kcom_task *task)
{
    const kcom_async_task_desc *desc = task->desc;
    if (KCOM_LIKELY(desc->block_size != 0))
        return desc->result_size != 0 ? KCOM_TASK_BLOCK(task) + desc->result_offset : NULL;
    return kcom_task_computed(task, FALSE);
}

/* kcom_waker_wake without its NULL check, for kcom's own wakers (in the caller's frame, never
 * NULL): the wake path of every awaitable. */
void kcom_task_wake_waker(kcom_waker *w);

/* The same for a waker's task taken out of it (NULL: nothing to wake), so that a caller can end in
 * a tail call. */
void kcom_task_wake_task(kcom_task *task);

/* kcom_task_wake_task for a waker that wakes several tasks and must not run their code before it
 * has let go of everything it holds (kcom_async_event_set), and for the waiters of a task's
 * operation when its end was a refusal: a task its executor refuses is not ended here (its drop
 * and its completion callback would run) but pushed onto *refused through task->link, which the
 * refusing executor did not take, its refusal in task->error, for kcom_task_end_refused. With
 * refused NULL it is kcom_task_wake_task. */
void kcom_task_wake_collecting(kcom_task *task, kcom_task_link **refused);
/* Ends the tasks kcom_task_wake_collecting pushed onto refused, as a refusal ends a task, and in
 * the same loop those their ends' waiters refuse: a chain of tasks awaiting each other on a
 * refusing executor ends in constant stack, not one frame inside the other. */
void kcom_task_end_refused(kcom_task_link *refused);

/* Polls a task whose first poll the caller runs on its own reference (no queue reference): a task
 * begun by kcom_async_spawn_begin*, which its tracker (if any) lists when the poll leaves it
 * pending. Returns the executor's refusal of a schedule the poll led to (a yield, a wake during it: the
 * task has then ended as Error with it), else STATUS_SUCCESS. */
NTSTATUS kcom_task_run_first(kcom_task *task);
/* After a first poll on the caller that returned PENDING (RUNNING or NOTIFIED): IDLE, or queued
 * with a queue reference of its own when it was woken during the poll. Returns the executor's
 * refusal of that schedule (the task has then ended as Error with it), else STATUS_SUCCESS. */
NTSTATUS kcom_task_publish(kcom_task *task);
/* kcom_task_publish for a begun task whose first poll on its caller was inline (kcom_async_spawn_run):
 * its tracker, if any, lists it first, as kcom_task_run_first does. */
NTSTATUS kcom_task_publish_begun(kcom_task *task);
/* Instead of publishing: ends such a task without another poll (its drop runs, its owner finishes
 * it with status, a failure); wakes from its first poll find it done. */
void kcom_task_end_unpublished(kcom_task *task, NTSTATUS status);

#endif /* KCOM_SRC_SCHED_TASK_INTERNAL_H */
