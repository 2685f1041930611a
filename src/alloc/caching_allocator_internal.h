/*
 * caching_allocator_internal.h - what the caching allocator (caching_allocator.c) shares with
 * async.c: the allocator behind a cache, and the free of a bound cache without its checks (an
 * operation block records its cache only when it has the cache's size): the block replaces the
 * hot one with an interlocked exchange; the list and the backing allocator are out of line.
 */
#ifndef KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H
#define KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H

#include <kcom/atomic.h>
#include <kcom/caching_allocator.h>

/* The allocator behind a cache (its backing one, else the platform's). */
static KCOM_FORCEINLINE const kcom_allocator *kcom_rt_caching_backing(const kcom_caching_allocator *cache)
{
    return cache->backing != NULL ? cache->backing : &kcom_rt_platform_allocator;
}

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
