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
    kcom_deadline_link *last;  /* the latest: where an insert starts looking */
} kcom_deadline_list;

static KCOM_FORCEINLINE void kcom_deadline_link_init(kcom_deadline_link *entry)
{
    entry->next = entry->prev = NULL;
    entry->deadline_ms = 0;
}

/* Links entry, due at deadline_ms, behind every entry due no later (equal deadlines keep the order
 * they were armed in), under the caller's lock. Due no earlier than the latest (timeouts of one
 * length) it links last at once; due no later than the earliest (due times that shrink), after
 * the entries due at that same millisecond, walked from the front; between the two, it walks back
 * from the latest past those due later. Returns TRUE when it is now the first. */
static KCOM_FORCEINLINE BOOLEAN kcom_deadline_list_insert(kcom_deadline_list *list, kcom_deadline_link *entry,
                                                          ULONG64 deadline_ms)
{
    kcom_deadline_link *after = list->last;
    entry->deadline_ms = deadline_ms;
    if (after != NULL && deadline_ms < after->deadline_ms) {
        if (deadline_ms <= list->first->deadline_ms) {
            kcom_deadline_link *at;
            after = NULL;
            for (at = list->first; at != NULL && at->deadline_ms <= deadline_ms; at = at->next)
                after = at;
        } else {
            while (after != NULL && after->deadline_ms > deadline_ms)
                after = after->prev;
        }
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
