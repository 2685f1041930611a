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
 * they were armed in). A deadline due before every other links first, and one due no earlier than
 * every other last, at once, under the caller's lock, however many are armed (timeouts of one
 * length; due times that shrink); one due between others walks back from the latest past those
 * due later. Returns TRUE when it is now the first. */
static KCOM_FORCEINLINE BOOLEAN kcom_deadline_list_insert(kcom_deadline_list *list, kcom_deadline_link *entry,
                                                          ULONG64 deadline_ms)
{
    kcom_deadline_link *after = list->last;
    entry->deadline_ms = deadline_ms;
    if (list->first != NULL && deadline_ms < list->first->deadline_ms)
        after = NULL;
    while (after != NULL && after->deadline_ms > deadline_ms)
        after = after->prev;
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
