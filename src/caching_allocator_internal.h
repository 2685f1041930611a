/*
 * caching_allocator_internal.h - the fast paths of a bound kcom_caching_allocator, for the cache
 * itself and for the operation cache of async.c, which serves blocks of a size class without the
 * size checks: the hot block is taken and replaced with one interlocked exchange; the list and the
 * backing allocator are out of line.
 */
#ifndef KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H
#define KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H

#include <kcom/atomic.h>
#include <kcom/caching_allocator.h>

/* A bound cache had no hot block: one from the list (a hit), else from the backing allocator (a
 * miss; NULL if that fails). */
void *kcom_rt_caching_take_listed(kcom_caching_allocator *cache);
/* A bound cache's hot block was replaced: block goes to the list, or back to the backing allocator
 * when the list holds depth - 1 blocks (an overflow). */
void kcom_rt_caching_put_listed(kcom_caching_allocator *cache, void *block);

/* A block of the bound size from a bound cache. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void *kcom_rt_caching_take(kcom_caching_allocator *cache)
{
    void *block = kcom_atomic_exchange_ptr(&cache->hot, NULL);
    if (KCOM_LIKELY(block != NULL)) {
        kcom_atomic_fetch_add(&cache->hits, 1);
        return block;
    }
    return kcom_rt_caching_take_listed(cache);
}

/* Gives a block of the bound size back to a bound cache. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_rt_caching_put(kcom_caching_allocator *cache, void *block)
{
    block = kcom_atomic_exchange_ptr(&cache->hot, block);
    if (KCOM_UNLIKELY(block != NULL))
        kcom_rt_caching_put_listed(cache, block);
}

#endif /* KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H */
