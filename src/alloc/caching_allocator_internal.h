/*
 * caching_allocator_internal.h - what the caching allocator (caching_allocator.c) shares with
 * async.c: the allocator behind a cache. (The free of a bound cache without its checks,
 * kcom_rt_caching_put, is in kcom/detail/caching_allocator.h.)
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

#endif /* KCOM_SRC_CACHING_ALLOCATOR_INTERNAL_H */
