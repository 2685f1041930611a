/*
 * deadline_list.h - the list of armed timers, earliest deadline first, linked through the timers'
 * own storage (arming never allocates): the timer service (timer_service.c) and the host's
 * simulated KTIMERs (platform/posix/kernel_sim/kernel_sim_timer.c). Callers provide the locking.
 */
#ifndef KCOM_SRC_DEADLINE_LIST_H
#define KCOM_SRC_DEADLINE_LIST_H

#include <kcom/types.h>

typedef struct kcom_deadline_link {
    struct kcom_deadline_link *next;
    struct kcom_deadline_link *prev;
    ULONG64 deadline_ms;
} kcom_deadline_link;

typedef struct kcom_deadline_list {
    kcom_deadline_link *first; /* the earliest deadline: the one a waiting thread times */
    kcom_deadline_link *last;  /* the latest */
} kcom_deadline_list;

static KCOM_FORCEINLINE void kcom_deadline_link_init(kcom_deadline_link *entry)
{
    entry->next = entry->prev = NULL;
    entry->deadline_ms = 0;
}

/* Links entry, due at deadline_ms, behind every entry due no later (equal deadlines keep the order
 * they were armed in), under the caller's lock. Its place is looked for from both ends at once, a
 * step from each in turn, so an arm passes about twice as many entries as lie on the nearer side
 * of its place: due no earlier than the latest (timeouts of one length), before the earliest (due
 * times that shrink), or at a deadline many share with one later, it links at once; in the middle
 * of many (due times at random) it passes up to all of them. Returns TRUE when it is now the
 * first. */
static KCOM_FORCEINLINE BOOLEAN kcom_deadline_list_insert(kcom_deadline_list *list, kcom_deadline_link *entry,
                                                          ULONG64 deadline_ms)
{
    kcom_deadline_link *front = list->first, *back = list->last, *after;
    entry->deadline_ms = deadline_ms;
    for (;;) {
        /* back: the latest not yet passed, due later than entry; front: the earliest not yet
         * passed, due no later (while back is due later, front reaches one due later first) */
        if (back == NULL || back->deadline_ms <= deadline_ms) {
            after = back;
            break;
        }
        if (front->deadline_ms > deadline_ms) {
            after = front->prev;
            break;
        }
        back = back->prev;
        front = front->next;
    }
    entry->prev = after;
    entry->next = after != NULL ? after->next : list->first;
    if (entry->next != NULL)
        entry->next->prev = entry;
    else
        list->last = entry;
    if (after != NULL)
        after->next = entry;
    else
        list->first = entry;
    return (BOOLEAN)(list->first == entry);
}

/* Unlinks an entry of the list. */
static KCOM_FORCEINLINE void kcom_deadline_list_remove(kcom_deadline_list *list, kcom_deadline_link *entry)
{
    if (entry->prev != NULL)
        entry->prev->next = entry->next;
    else
        list->first = entry->next;
    if (entry->next != NULL)
        entry->next->prev = entry->prev;
    else
        list->last = entry->prev;
    entry->next = entry->prev = NULL;
}

#endif /* KCOM_SRC_DEADLINE_LIST_H */
