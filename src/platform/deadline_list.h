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

static KCOM_FORCEINLINE void kcom_deadline_link_init(kcom_deadline_link *entry)
{
    entry->next = entry->prev = NULL;
    entry->deadline_ms = 0;
}

/* Links entry, due at deadline_ms, behind every entry due no later (equal deadlines keep the order
 * they were armed in). Returns TRUE when it is now the first, the one a waiting thread times. */
static KCOM_FORCEINLINE BOOLEAN kcom_deadline_list_insert(kcom_deadline_link **head, kcom_deadline_link *entry,
                                                          ULONG64 deadline_ms)
{
    kcom_deadline_link *at, *before = NULL;
    entry->deadline_ms = deadline_ms;
    for (at = *head; at != NULL && at->deadline_ms <= deadline_ms; at = at->next)
        before = at;
    entry->prev = before;
    entry->next = at;
    if (before != NULL)
        before->next = entry;
    else
        *head = entry;
    if (at != NULL)
        at->prev = entry;
    return (BOOLEAN)(*head == entry);
}

/* Unlinks an entry of the list. */
static KCOM_FORCEINLINE void kcom_deadline_list_remove(kcom_deadline_link **head, kcom_deadline_link *entry)
{
    if (entry->prev != NULL)
        entry->prev->next = entry->next;
    else
        *head = entry->next;
    if (entry->next != NULL)
        entry->next->prev = entry->prev;
    entry->next = entry->prev = NULL;
}

#endif /* KCOM_SRC_DEADLINE_LIST_H */
