/*
 * kcom/detail/caching_allocator.h - not for direct use: included by kcom/caching_allocator.h, at
 * its end.
 *
 * The caching allocator's kcom_allocator functions and the inline fast paths that the cache's own
 * functions and the async method shims (kcom/detail/async.h) share.
 */
#ifndef KCOM_DETAIL_CACHING_ALLOCATOR_H
#define KCOM_DETAIL_CACHING_ALLOCATOR_H

#ifndef KCOM_CACHING_ALLOCATOR_H
#error "kcom/detail/caching_allocator.h is not for direct use: include <kcom/caching_allocator.h>"
#endif

/* kcom_caching_allocator.state once its size is fixed and its list ready. */
#define KCOM_RT_CACHING_BOUND 2

KCOM_BEGIN_DECLS

/*
 * kcom_rt_caching_allocate / kcom_rt_caching_free - the cache's kcom_allocator functions (context:
 * the cache), named by the static initializer (KCOM_CACHING_ALLOCATOR_INIT_BACKED,
 * kcom/caching_allocator.h); call them through cache.allocator (or kcom_allocate / kcom_free).
 * IRQL: <= DISPATCH_LEVEL.
 * allocate returns NULL when size is 0, alignment is not a power of two, or the backing allocator
 * fails; free ignores a NULL block and never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void *kcom_rt_caching_allocate(_In_ void *context, _In_ size_t size, _In_ size_t alignment);
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_rt_caching_free(_In_ void *context, _In_opt_ void *block, _In_ size_t size, _In_ size_t alignment);

KCOM_END_DECLS

/* Whether cache has fixed its size and alignment to these (its list is then ready). IRQL: any. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_caching_bound_to(kcom_caching_allocator *cache, size_t size,
                                                         size_t alignment)
{
    return (BOOLEAN)(kcom_atomic_load(&cache->state) == KCOM_RT_CACHING_BOUND && cache->block_size == size &&
                     cache->block_alignment == alignment);
}

/* The cache's hot block (a hit, counted), or NULL. Only a bound cache fills its hot slot.
 * IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void *kcom_rt_caching_take_hot(kcom_caching_allocator *cache)
{
    void *block = kcom_atomic_exchange_ptr(&cache->hot, NULL);
    if (KCOM_LIKELY(block != NULL))
        kcom_atomic_fetch_add(&cache->hits, 1);
    return block;
}

#endif /* KCOM_DETAIL_CACHING_ALLOCATOR_H */
