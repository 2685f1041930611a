/*
 * The host's free lists (kcom_caching_allocator): a singly linked list and its length under a
 * test-and-test-and-set spin lock built on kcom's interlocked operations (an acquiring exchange
 * takes it, a releasing store drops it).
 *
 * Correctness over cleverness: every read and write of the list happens under the lock, so the
 * depth bound is exact and there is no ABA problem. The critical sections are a handful of
 * instructions; a waiter that keeps finding the lock taken (its holder was preempted) yields the
 * processor instead of spinning through its time slice.
 */
#define _POSIX_C_SOURCE 200809L

#include "../platform.h"

#include <kcom/atomic.h>

#include <sched.h>

/* may_alias: the storage is declared as an array of ULONG64 (see host_list). */
typedef struct __attribute__((may_alias)) host_free_list {
    void *head;
    LONG volatile lock;
    ULONG count;
} host_free_list;

KCOM_STATIC_ASSERT(sizeof(host_free_list) <= sizeof(kcom_rt_free_list) &&
                       KCOM_ALIGNOF(host_free_list) <= KCOM_ALIGNOF(kcom_rt_free_list),
                   "the host free list must fit the storage kcom_caching_allocator reserves");

/* The storage is only ever accessed as a host_free_list (a static initializer zero-fills it, which
 * is an empty, unlocked list). */
static KCOM_FORCEINLINE host_free_list *host_list(kcom_rt_free_list *list)
{
    return (host_free_list *)(void *)list->opaque;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits for the lock to be free, then takes it (out of line: the fast path stays small). */
static KCOM_NOINLINE void list_lock_contended(host_free_list *list)
{
    do {
        unsigned spins = 0;
        while (kcom_atomic_load(&list->lock) != 0) {
            if (++spins < 64) {
                cpu_relax();
            } else {
                spins = 0;
                sched_yield();
            }
        }
    } while (kcom_atomic_exchange(&list->lock, 1) != 0);
}

static KCOM_FORCEINLINE void list_lock(host_free_list *list)
{
    if (KCOM_UNLIKELY(kcom_atomic_exchange(&list->lock, 1) != 0))
        list_lock_contended(list);
}

static KCOM_FORCEINLINE void list_unlock(host_free_list *list)
{
    kcom_atomic_store(&list->lock, 0);
}

void kcom_platform_free_list_init(kcom_rt_free_list *list)
{
    host_free_list *host = host_list(list);
    host->head = NULL;
    host->count = 0;
    kcom_atomic_store(&host->lock, 0);
}

void *kcom_platform_free_list_pop(kcom_rt_free_list *list)
{
    host_free_list *host = host_list(list);
    void *block;
    list_lock(host);
    block = host->head;
    if (KCOM_LIKELY(block != NULL)) {
        host->head = *(void **)block;
        host->count--;
    }
    list_unlock(host);
    return block;
}

BOOLEAN kcom_platform_free_list_push(kcom_rt_free_list *list, void *block, ULONG depth)
{
    host_free_list *host = host_list(list);
    BOOLEAN pushed = FALSE;
    list_lock(host);
    if (KCOM_LIKELY(host->count < depth)) {
        *(void **)block = host->head;
        host->head = block;
        host->count++;
        pushed = TRUE;
    }
    list_unlock(host);
    return pushed;
}

void *kcom_platform_free_list_flush(kcom_rt_free_list *list)
{
    host_free_list *host = host_list(list);
    void *first;
    list_lock(host);
    first = host->head;
    host->head = NULL;
    host->count = 0;
    list_unlock(host);
    return first;
}

ULONG kcom_platform_free_list_count(kcom_rt_free_list *list)
{
    host_free_list *host = host_list(list);
    ULONG count;
    list_lock(host);
    count = host->count;
    list_unlock(host);
    return count;
}
