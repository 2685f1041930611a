/*
 * kcom/detail/caching_allocator.h - not for direct use: included by kcom/caching_allocator.h, at
 * its end.
 *
 * The caching allocator's kcom_allocator functions and the inline fast paths that the cache's own
 * functions and the async method shims (kcom/detail/async.h) share.
 */
#ifndef KCOM_DETAIL_CACHING_ALLOCATOR_H
#define KCOM_DETAIL_CACHING_ALLOCATOR_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#ifndef KCOM_CACHING_ALLOCATOR_H
#error "kcom/detail/caching_allocator.h is not for direct use: include <kcom/caching_allocator.h>"
#endif

/* kcom_caching_allocator.state once its size is fixed and its list ready. */
#define KCOM_RT_CACHING_BOUND 2

/* A size and alignment as one nonzero word (kcom_caching_allocator.bound_key), or 0 for a pair
 * without one (an alignment above 4096, a size too large to shift). A constant for the constant
 * arguments of the generated code. */
#define KCOM_RT_CACHING_KEY(size, alignment)                                                    \
    ((size_t)(alignment) <= 4096 && (size_t)(size) <= ((size_t)-1 >> 13)                       \
         ? ((ULONG_PTR)(size) << 13 | (ULONG_PTR)(alignment))                                 \
         : (ULONG_PTR)0)

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

/* Whether cache has fixed its size and alignment to these (its list is then ready): one acquire
 * load and compare, for a pair with a key. IRQL: any. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_caching_bound_to(kcom_caching_allocator *cache, size_t size,
                                                         size_t alignment)
{
    ULONG_PTR key = KCOM_RT_CACHING_KEY(size, alignment);
    if (KCOM_LIKELY(key != 0))
        return (BOOLEAN)((ULONG_PTR)kcom_atomic_load_ptr(&cache->bound_key) == key);
    return (BOOLEAN)(kcom_atomic_load(&cache->state) == KCOM_RT_CACHING_BOUND && cache->block_size == size &&
                     cache->block_alignment == alignment);
}

/* The cache's hot block, else its spare one (a hit, counted), or NULL. Only a bound cache fills
 * its slots. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void *kcom_rt_caching_take_hot(kcom_caching_allocator *cache)
{
    void *block = kcom_atomic_exchange_ptr(&cache->hot, NULL);
    if (KCOM_UNLIKELY(block == NULL)) {
        block = kcom_atomic_exchange_ptr(&cache->spare, NULL);
        if (block == NULL)
            return NULL;
    }
    kcom_atomic_fetch_add(&cache->hits, 1);
    return block;
}

KCOM_BEGIN_DECLS
/* A bound cache's hot block was replaced: block goes to the spare slot (depth >= 2), and the one
 * there to the list, or back to the backing allocator when the cache holds depth blocks (an
 * overflow). IRQL: <= DISPATCH_LEVEL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_rt_caching_put_cold(_In_ kcom_caching_allocator *cache, _In_ void *block);
KCOM_END_DECLS

/* The first half of kcom_rt_caching_put: block becomes the hot block, with an interlocked
 * exchange; returns the block it replaced (NULL: none), which the caller gives to
 * kcom_rt_caching_put_cold. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void *kcom_rt_caching_put_hot(kcom_caching_allocator *cache, void *block)
{
    return kcom_atomic_exchange_ptr(&cache->hot, block);
}

/* Gives a block of the bound size back to a bound cache: it replaces the hot block; the list and
 * the backing allocator are out of line. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_rt_caching_put(kcom_caching_allocator *cache, void *block)
{
    block = kcom_rt_caching_put_hot(cache, block);
    if (KCOM_UNLIKELY(block != NULL))
        kcom_rt_caching_put_cold(cache, block);
}

/* Whether allocator is a caching allocator's: both its functions. A copy with its free replaced
 * (or NULL) is then what it says it is: its blocks go back through that free, and a NULL free is
 * refused, as the library refuses it. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_is_caching(const kcom_allocator *allocator)
{
    return (BOOLEAN)(allocator->allocate == kcom_rt_caching_allocate && allocator->free == kcom_rt_caching_free);
}

/* Whether allocator is a caching allocator's whose cache (allocator->context, then in *cache) is
 * bound to size and alignment (its hot block then has that size). The cache is read once, here:
 * after the bound test's acquire a second read would load it again. IRQL: any. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_caching_bound(const kcom_allocator *allocator, size_t size, size_t alignment,
                                                      kcom_caching_allocator **cache)
{
    if (!kcom_rt_is_caching(allocator))
        return FALSE;
    *cache = (kcom_caching_allocator *)allocator->context;
    return kcom_rt_caching_bound_to(*cache, size, alignment);
}

/* allocator->allocate, with the hot block of a caching allocator bound to size and alignment taken
 * inline (what the generated factory of a class with an allocator of its own calls). IRQL:
 * <= DISPATCH_LEVEL. NULL when the allocator fails, and for an allocator without its allocate or
 * free, which is never called (a block it gave could not be freed). */
static KCOM_FORCEINLINE void *kcom_rt_allocator_allocate(const kcom_allocator *allocator, size_t size,
                                                         size_t alignment)
{
    kcom_caching_allocator *cache = NULL;
    if (kcom_rt_caching_bound(allocator, size, alignment, &cache)) {
        void *block = kcom_rt_caching_take_hot(cache);
        if (KCOM_LIKELY(block != NULL))
            return block;
    }
    if (KCOM_UNLIKELY(!kcom_rt_allocator_complete(allocator)))
        return NULL;
    return allocator->allocate(allocator->context, size, alignment);
}

/* allocator->free of a block kcom_rt_allocator_allocate returned, with the same size and alignment:
 * into a bound caching allocator's hot slot inline. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_rt_allocator_free(const kcom_allocator *allocator, void *block, size_t size,
                                                    size_t alignment)
{
    /* the free alone decides: a copy with another allocate still frees through the cache */
    if (allocator->free == kcom_rt_caching_free) {
        kcom_caching_allocator *cache = (kcom_caching_allocator *)allocator->context; /* read once */
        if (kcom_rt_caching_bound_to(cache, size, alignment)) {
            kcom_rt_caching_put(cache, block);
            return;
        }
    }
    allocator->free(allocator->context, block, size, alignment);
}

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DETAIL_CACHING_ALLOCATOR_H */
