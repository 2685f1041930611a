/*
 * caching_allocator_internal.h - the free of a bound kcom_caching_allocator without its checks, for
 * the cache itself and for async.c, whose operation blocks record the cache they belong to only
 * when they have its size: the block replaces the hot one with an interlocked exchange; the list
 * and the backing allocator are out of line.
 */
#ifndef KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H
#define KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H

#include <kcom/atomic.h>
#include <kcom/caching_allocator.h>

/* A bound cache's hot block was replaced: block goes to the list, or back to the backing allocator
 * when the list holds depth - 1 blocks (an overflow). */
void kcom_rt_caching_put_listed(kcom_caching_allocator *cache, void *block);

/* Gives a block of the bound size back to a bound cache. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_rt_caching_put(kcom_caching_allocator *cache, void *block)
{
    block = kcom_atomic_exchange_ptr(&cache->hot, block);
    if (KCOM_UNLIKELY(block != NULL))
        kcom_rt_caching_put_listed(cache, block);
}

#endif /* KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H */
