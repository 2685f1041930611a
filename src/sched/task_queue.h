/*
 * task_queue.h - the circular lists through kcom_task_link nodes that the scheduler keeps (a
 * tracker's live tasks, the list of kcom's executors), and on them the executors' FIFO of
 * scheduled tasks (thread pool, DPC, work item), linked through the tasks' own links
 * (kcom_task.link), so scheduling never allocates. Callers provide the locking.
 */
#ifndef KCOM_SRC_TASK_QUEUE_H
#define KCOM_SRC_TASK_QUEUE_H

#include <kcom/task.h>

/* kcom_task_run without its NULL check, for kcom's executors, which run the tasks they dequeue
 * (never NULL): the entry of every poll. */
void kcom_task_run_dequeued(kcom_task *task);

/* An empty list: its head, a node of its own, linked to itself. */
static KCOM_FORCEINLINE void kcom_link_init(kcom_task_link *head)
{
    head->next = head->prev = head;
}

/* Adds node at the end of head's list. */
static KCOM_FORCEINLINE void kcom_link_append(kcom_task_link *head, kcom_task_link *node)
{
    node->next = head;
    node->prev = head->prev;
    head->prev->next = node;
    head->prev = node;
}

/* Takes node out of its list; its links are NULL after (in no list). */
static KCOM_FORCEINLINE void kcom_link_remove(kcom_task_link *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->next = node->prev = NULL;
}

static KCOM_FORCEINLINE void kcom_task_queue_init(kcom_task_link *queue)
{
    kcom_link_init(queue);
}

static KCOM_FORCEINLINE BOOLEAN kcom_task_queue_empty(const kcom_task_link *queue)
{
    return (BOOLEAN)(queue->next == queue);
}

static KCOM_FORCEINLINE void kcom_task_queue_push(kcom_task_link *queue, kcom_task *task)
{
    kcom_link_append(queue, &task->link);
}

/* The oldest task, unlinked; NULL when the queue is empty. */
static KCOM_FORCEINLINE kcom_task *kcom_task_queue_pop(kcom_task_link *queue)
{
    kcom_task_link *entry = queue->next;
    if (entry == queue)
        return NULL;
    queue->next = entry->next;
    entry->next->prev = queue;
    return KCOM_TASK_FROM_LINK(entry);
}

/* Moves every task of from, in order, to the end of queue; from is left empty. */
static KCOM_FORCEINLINE void kcom_task_queue_splice(kcom_task_link *queue, kcom_task_link *from)
{
    if (kcom_task_queue_empty(from))
        return;
    from->next->prev = queue->prev;
    queue->prev->next = from->next;
    from->prev->next = queue;
    queue->prev = from->prev;
    kcom_task_queue_init(from);
}

/* Drops every task of a taken list (kcom_task_drop_scheduled): each operation ends with status
 * unless canceled, its cleanup runs, its callback fires. No lock of the executor may be held. */
static KCOM_FORCEINLINE void kcom_task_queue_drop_all(kcom_task_link *taken, NTSTATUS status)
{
    kcom_task *task;
    while ((task = kcom_task_queue_pop(taken)) != NULL)
        kcom_task_drop_scheduled(task, status);
}

#endif /* KCOM_SRC_TASK_QUEUE_H */
