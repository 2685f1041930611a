/*
 * executor_list.h - kcom's executors, listed from their creation to their destruction, so that
 * kcom_uninitialize can refuse while one of them has work queued or under way: its DPC, work item
 * or thread would run the driver's code after the unload (and the host's simulation of the kernel
 * would wait for its quiescence forever).
 */
#ifndef KCOM_SRC_EXEC_EXECUTOR_LIST_H
#define KCOM_SRC_EXEC_EXECUTOR_LIST_H

#include <kcom/executor.h>

#include <stddef.h>

typedef struct kcom_executor_listing kcom_executor_listing;

/* Whether the executor listing is part of has work queued or under way now. It runs at
 * DISPATCH_LEVEL under the list's lock: it must not block (a spin lock of its own is fine). */
typedef BOOLEAN kcom_executor_busy_fn(kcom_executor_listing *listing);

/* A member of an executor's struct (its busy function finds the executor from it). */
struct kcom_executor_listing {
    kcom_task_link link; /* in the list (sched/task_queue.h's circular lists) */
    kcom_executor_busy_fn *busy;
};

/* The executor of type whose member listing is. */
#define KCOM_EXECUTOR_FROM_LISTING(listing_, type)                                              \
    ((type *)(void *)((char *)(listing_) - offsetof(type, listing)))

/* Lists an executor from its creation on. IRQL: <= DISPATCH_LEVEL. */
void kcom_executor_list_add(kcom_executor_listing *listing, kcom_executor_busy_fn *busy);

/* Takes it out, at its destruction, before its memory goes. IRQL: <= DISPATCH_LEVEL. */
void kcom_executor_list_remove(kcom_executor_listing *listing);

/* The listed executors that still have work queued or under way after up to timeout_ms for the
 * runs under way to end (a run that has polled its last task still lets go of its executor; an
 * executor whose tasks keep it busy never settles). 0 when every one is idle. IRQL:
 * PASSIVE_LEVEL. */
LONG kcom_executors_settle(ULONG timeout_ms);

#endif /* KCOM_SRC_EXEC_EXECUTOR_LIST_H */
