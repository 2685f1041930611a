/*
 * caching_allocator_internal.h - what the caching allocator (caching_allocator.c) shares with
 * async.c: the allocator behind a cache and what it is asked for. (The free of a bound cache without its checks,
 * kcom_rt_caching_put, is in kcom/detail/caching_allocator.h.)
 */
#ifndef KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H
#define KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H

#include <kcom/atomic.h>
#include <kcom/caching_allocator.h>

#include "platform/platform.h"

/* What the cache asks its backing allocator for, a size or an alignment: enough to link the block
 * into the free list, whatever was requested, so that a block allocated before the cache was
 * bound may be cached later. A block from there goes back with the same. */
static KCOM_FORCEINLINE size_t kcom_rt_caching_raised(size_t value)
{
    return value < KCOM_PLATFORM_FREE_ENTRY_SIZE ? KCOM_PLATFORM_FREE_ENTRY_SIZE : value;
}

/* The allocator behind a cache (its backing one, else the platform's). */
static KCOM_FORCEINLINE const kcom_allocator *kcom_rt_caching_backing(const kcom_caching_allocator *cache)
{
    return cache->backing != NULL ? cache->backing : &kcom_rt_platform_allocator;
}

/* A block the cache holds (its hot or spare block, else one from its list: a hit), or NULL when it
 * holds none or is not bound: never one from the backing allocator. IRQL: <= DISPATCH_LEVEL. */
void *kcom_rt_caching_take_cached(kcom_caching_allocator *cache);
/* Gives a block of a bound cache's size to its backing allocator, as a drain does, counted in none
 * of the statistics. IRQL: <= DISPATCH_LEVEL. */
void kcom_rt_caching_release(kcom_caching_allocator *cache, void *block);

#endif /* KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H */
