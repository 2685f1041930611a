/*
 * deadline_queue.h - the armed timers, earliest deadline first, linked through the timers' own
 * storage (arming never allocates): the timer service (timer_service.c) and the host's simulated
 * KTIMERs (platform/posix/kernel_sim/kernel_sim_timer.c). Callers provide the locking.
 *
 * A pairing heap: an arm links in a constant number of steps, and taking out the earliest or any
 * other entry costs O(log n) steps amortized, however the due times fall (timeouts of several
 * lengths, due times at random). Ties go in the order the entries were armed: every insert takes
 * the next number of the queue's count, and the order compares it after the deadline. No step
 * recurses: the merges of a removal run in two loops over the removed entry's children.
 */
#ifndef KCOM_SRC_DEADLINE_QUEUE_H
#define KCOM_SRC_DEADLINE_QUEUE_H

#include <kcom/types.h>

/* A test's count of the entries an insert or removal compares (nothing outside tests). */
#ifndef KCOM_DEADLINE_STEP
#define KCOM_DEADLINE_STEP() ((void)0)
#endif

typedef struct kcom_deadline_link {
    struct kcom_deadline_link *child; /* the first of the entries due no earlier that hang below it */
    struct kcom_deadline_link *next;  /* the next of its parent's children */
    struct kcom_deadline_link *prev;  /* the previous child, or the parent for a first child; NULL
                                         for the first entry of the queue and an unlinked one */
    ULONG64 deadline_ms;
    ULONG64 order; /* the queue's count at the insert: ties go first armed, first out */
} kcom_deadline_link;

typedef struct kcom_deadline_queue {
    kcom_deadline_link *first; /* the earliest deadline: the one a waiting thread times; NULL if empty */
    ULONG64 inserts;           /* the next entry's order (64 bits: it never wraps) */
} kcom_deadline_queue;

static KCOM_FORCEINLINE void kcom_deadline_link_init(kcom_deadline_link *entry)
{
    entry->child = entry->next = entry->prev = NULL;
    entry->deadline_ms = entry->order = 0;
}

/* Whether a linked entry is in the queue. */
static KCOM_FORCEINLINE BOOLEAN kcom_deadline_queue_linked(const kcom_deadline_queue *queue,
                                                           const kcom_deadline_link *entry)
{
    return (BOOLEAN)(entry->prev != NULL || queue->first == entry);
}

/* Joins two heaps (a and b, each without parent or siblings): the one due later becomes the first
 * child of the other. Returns the joined heap's first. */
static KCOM_FORCEINLINE kcom_deadline_link *kcom_deadline_meld(kcom_deadline_link *a, kcom_deadline_link *b)
{
    KCOM_DEADLINE_STEP();
    if (b->deadline_ms < a->deadline_ms || (b->deadline_ms == a->deadline_ms && b->order < a->order)) {
        kcom_deadline_link *swap = a;
        a = b;
        b = swap;
    }
    b->prev = a;
    b->next = a->child;
    if (a->child != NULL)
        a->child->prev = b;
    a->child = b;
    return a;
}

/* Joins a removed entry's children (the list from child on) into one heap, in two passes: pairs
 * joined from the first on, then the pairs joined into one from the last pair back. Returns its
 * first, NULL for no children. */
static KCOM_FORCEINLINE kcom_deadline_link *kcom_deadline_merge_children(kcom_deadline_link *child)
{
    kcom_deadline_link *pairs = NULL, *heap;
    while (child != NULL) {
        kcom_deadline_link *a = child, *b = child->next;
        child = b != NULL ? b->next : NULL;
        a->prev = a->next = NULL;
        if (b != NULL) {
            b->prev = b->next = NULL;
            a = kcom_deadline_meld(a, b);
        }
        a->next = pairs; /* the pairs in reverse order, through their next */
        pairs = a;
    }
    if (pairs == NULL)
        return NULL;
    heap = pairs;
    pairs = pairs->next;
    heap->next = NULL;
    while (pairs != NULL) {
        kcom_deadline_link *pair = pairs;
        pairs = pairs->next;
        pair->next = NULL;
        heap = kcom_deadline_meld(heap, pair);
    }
    return heap;
}

/* Links entry, due at deadline_ms, behind every entry due no later (equal deadlines keep the order
 * they were armed in), under the caller's lock, in one compare. Returns TRUE when it is now the
 * first. */
static KCOM_FORCEINLINE BOOLEAN kcom_deadline_queue_insert(kcom_deadline_queue *queue, kcom_deadline_link *entry,
                                                           ULONG64 deadline_ms)
{
    entry->child = entry->next = entry->prev = NULL;
    entry->deadline_ms = deadline_ms;
    entry->order = queue->inserts++;
    queue->first = queue->first != NULL ? kcom_deadline_meld(queue->first, entry) : entry;
    return (BOOLEAN)(queue->first == entry);
}

/* Unlinks an entry of the queue, the first or any other. */
static KCOM_FORCEINLINE void kcom_deadline_queue_remove(kcom_deadline_queue *queue, kcom_deadline_link *entry)
{
    kcom_deadline_link *children = kcom_deadline_merge_children(entry->child);
    if (queue->first == entry) {
        queue->first = children;
    } else {
        /* cut it out of its parent's children, then join what hung below it back in */
        if (entry->prev->child == entry)
            entry->prev->child = entry->next;
        else
            entry->prev->next = entry->next;
        if (entry->next != NULL)
            entry->next->prev = entry->prev;
        if (children != NULL)
            queue->first = kcom_deadline_meld(queue->first, children);
    }
    entry->child = entry->next = entry->prev = NULL;
}

#endif
