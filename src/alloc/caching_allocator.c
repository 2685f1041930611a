/*
 * The caching allocator: a bounded free list of blocks of one size and alignment, in front of a
 * backing allocator (kcom/caching_allocator.h). The free list itself is the platform's
 * (src/platform/<target>/free_list_*.c).
 *
 * Blocks: the one freed last sits in cache->hot (exchanged in and out), the one it displaced in
 * cache->spare (when the depth is 2 or more; exchanged too), the others in the list, which is kept
 * to depth - 2 blocks (depth 1: none) so that the three hold at most depth.
 *
 * States: a cache starts UNBOUND (all zeros but its depth, backing and allocator functions, so a
 * static initializer can produce it). The first allocation the backing allocator serves claims it
 * (BINDING), records its size and alignment, prepares the platform's list and publishes BOUND with
 * a releasing store; from then on the size, the alignment and the list are read only after an
 * acquiring load of the state saw BOUND. A request that finds another thread binding goes to the
 * backing allocator (bypassed), and a free that finds the cache not yet bound returns the block to
 * the backing allocator: whatever is cached was therefore allocated with the bound size and
 * alignment, and drain frees it with them.
 */
#include <kcom/atomic.h>
#include <kcom/caching_allocator.h>

#include <string.h>

#include "alloc/caching_allocator_internal.h"
#include "internal.h"
#include "platform/platform.h"

/* What every allocation and free writes is followed by 64 bytes (a processor's cache line) that
 * nothing uses (kcom/caching_allocator.h): two caches side by side share no line that one writes
 * and the other reads. */
KCOM_STATIC_ASSERT(sizeof(kcom_caching_allocator) - offsetof(kcom_caching_allocator, kcom_unused) >= 64,
                   "a cache's written fields must keep a cache line away from what follows it");

#define STATE_UNBOUND 0
#define STATE_BINDING 1
#define STATE_BOUND KCOM_RT_CACHING_BOUND

static void *backing_allocate(const kcom_caching_allocator *cache, size_t size, size_t alignment)
{
    const kcom_allocator *backing = kcom_rt_caching_backing(cache);
    /* a static initializer cannot refuse a backing without its functions: it is never called (a
     * block it gave could not go back), so backing_free is never reached with one */
    if (!kcom_allocator_usable(backing))
        return NULL;
    return backing->allocate(backing->context, kcom_rt_caching_raised(size), kcom_rt_caching_raised(alignment));
}

static void backing_free(const kcom_caching_allocator *cache, void *block, size_t size, size_t alignment)
{
    const kcom_allocator *backing = kcom_rt_caching_backing(cache);
    backing->free(backing->context, block, kcom_rt_caching_raised(size), kcom_rt_caching_raised(alignment));
}

/* Fixes the cache's size and alignment if nobody has; returns the state afterwards (BINDING when
 * another thread is binding it at this moment). */
static LONG bind(kcom_caching_allocator *cache, size_t size, size_t alignment)
{
    LONG state = kcom_atomic_compare_exchange(&cache->state, STATE_UNBOUND, STATE_BINDING);
    if (state != STATE_UNBOUND)
        return state;
    cache->block_size = size;
    cache->block_alignment = alignment;
    kcom_platform_free_list_init(&cache->list);
    /* the key before the state: a thread that sees the cache bound (the slow path reads the state,
     * then kcom_rt_caching_bound_to the key) sees the key too */
    kcom_atomic_store_ptr(&cache->bound_key, (void *)KCOM_RT_CACHING_KEY(size, alignment));
    kcom_atomic_store(&cache->state, STATE_BOUND);
    return STATE_BOUND;
}

/* A block from a bound cache's list (a hit), or NULL. */
static KCOM_FORCEINLINE void *caching_pop(kcom_caching_allocator *cache)
{
    void *block = kcom_platform_free_list_pop(&cache->list);
    if (block != NULL)
        kcom_atomic_fetch_add(&cache->hits, 1);
    return block;
}

/* A bound cache had neither a hot nor a spare block: one from the list (a hit), else one from the
 * backing allocator (a miss; NULL if that fails). */
static KCOM_NOINLINE void *caching_take_listed(kcom_caching_allocator *cache)
{
    void *block = caching_pop(cache);
    if (block != NULL)
        return block;
    kcom_atomic_fetch_add(&cache->misses, 1);
    return backing_allocate(cache, cache->block_size, cache->block_alignment);
}

void kcom_rt_caching_release(kcom_caching_allocator *cache, void *block)
{
    backing_free(cache, block, cache->block_size, cache->block_alignment);
}

void *kcom_rt_caching_take_cached(kcom_caching_allocator *cache)
{
    void *block;
    if (kcom_atomic_load(&cache->state) != STATE_BOUND)
        return NULL;
    block = kcom_rt_caching_take_hot(cache);
    return block != NULL ? block : caching_pop(cache);
}

/* A block of the bound size from a bound cache: the hot or spare block, else one from the list or the
 * backing allocator. */
static KCOM_FORCEINLINE void *caching_take(kcom_caching_allocator *cache)
{
    void *block = kcom_rt_caching_take_hot(cache);
    return KCOM_LIKELY(block != NULL) ? block : caching_take_listed(cache);
}

/* Everything but a hit and a miss of a bound cache: binds the cache if needed, counts, and asks the
 * backing allocator. An unbound cache is bound by a request the backing allocator serves: a size
 * it refuses (one it can never serve, or memory lacking just now) fixes nothing, so the next
 * request binds it. */
static KCOM_NOINLINE void *caching_allocate_slow(kcom_caching_allocator *cache, size_t size, size_t alignment)
{
    LONG state;
    void *block;
    if (KCOM_UNLIKELY(size == 0 || !kcom_is_power_of_two(alignment)))
        return NULL;
    state = kcom_atomic_load(&cache->state);
    if (state == STATE_BOUND && kcom_rt_caching_bound_to(cache, size, alignment))
        return caching_take(cache); /* bound by a thread that won the race */
    block = backing_allocate(cache, size, alignment);
    if (state == STATE_UNBOUND && block != NULL && bind(cache, size, alignment) == STATE_BOUND &&
        kcom_rt_caching_bound_to(cache, size, alignment)) {
        kcom_atomic_fetch_add(&cache->misses, 1); /* bound just now: the block is one of its size */
        return block;
    }
    kcom_atomic_fetch_add(&cache->bypassed, 1);
    return block;
}

void *kcom_rt_caching_allocate(void *context, size_t size, size_t alignment)
{
    kcom_caching_allocator *cache = (kcom_caching_allocator *)context;
    /* the bound size is never 0 and the bound alignment a power of two: no validation here */
    if (KCOM_UNLIKELY(!kcom_rt_caching_bound_to(cache, size, alignment)))
        return caching_allocate_slow(cache, size, alignment);
    return caching_take(cache);
}

void kcom_rt_caching_put_cold(kcom_caching_allocator *cache, void *block)
{
    ULONG listed = cache->depth - 1; /* what the spare slot and the list may hold */
    if (listed != 0) {
        block = kcom_atomic_exchange_ptr(&cache->spare, block);
        if (block == NULL)
            return;
        listed--;
    }
    if (kcom_platform_free_list_push(&cache->list, block, listed))
        return;
    kcom_atomic_fetch_add(&cache->overflows, 1);
    backing_free(cache, block, cache->block_size, cache->block_alignment);
}

/* A block of another size, or freed while the cache was not bound yet. */
static KCOM_NOINLINE void caching_free_other(kcom_caching_allocator *cache, void *block, size_t size,
                                             size_t alignment)
{
    if (block != NULL)
        backing_free(cache, block, size, alignment);
}

void kcom_rt_caching_free(void *context, void *block, size_t size, size_t alignment)
{
    kcom_caching_allocator *cache = (kcom_caching_allocator *)context;
    if (KCOM_UNLIKELY(block == NULL || !kcom_rt_caching_bound_to(cache, size, alignment))) {
        caching_free_other(cache, block, size, alignment);
        return;
    }
    kcom_rt_caching_put(cache, block);
}

NTSTATUS kcom_caching_allocator_init(kcom_caching_allocator *cache, ULONG depth, const kcom_allocator *backing)
{
    if (cache == NULL || depth == 0 || depth > KCOM_CACHING_ALLOCATOR_MAX_DEPTH || !kcom_allocator_usable(backing))
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_store_ptr(&cache->bound_key, NULL);
    cache->allocator.allocate = kcom_rt_caching_allocate;
    cache->allocator.free = kcom_rt_caching_free;
    cache->allocator.context = cache;
    cache->backing = backing;
    cache->depth = depth;
    cache->block_size = 0;
    cache->block_alignment = 0;
    kcom_atomic_store_ptr(&cache->hot, NULL);
    kcom_atomic_store_ptr(&cache->spare, NULL);
    kcom_platform_free_list_init(&cache->list);
    kcom_atomic_store(&cache->hits, 0);
    kcom_atomic_store(&cache->misses, 0);
    kcom_atomic_store(&cache->bypassed, 0);
    kcom_atomic_store(&cache->overflows, 0);
    kcom_atomic_store(&cache->state, STATE_UNBOUND);
    return STATUS_SUCCESS;
}

NTSTATUS kcom_caching_allocator_drain(kcom_caching_allocator *cache)
{
    void *block;
    if (cache == NULL)
        return STATUS_INVALID_PARAMETER;
    if (kcom_atomic_load(&cache->state) != STATE_BOUND)
        return STATUS_SUCCESS; /* nothing was ever cached */
    block = kcom_atomic_exchange_ptr(&cache->hot, NULL);
    if (block != NULL)
        backing_free(cache, block, cache->block_size, cache->block_alignment);
    block = kcom_atomic_exchange_ptr(&cache->spare, NULL);
    if (block != NULL)
        backing_free(cache, block, cache->block_size, cache->block_alignment);
    block = kcom_platform_free_list_flush(&cache->list);
    while (block != NULL) {
        void *next = *(void **)block;
        backing_free(cache, block, cache->block_size, cache->block_alignment);
        block = next;
    }
    return STATUS_SUCCESS;
}

NTSTATUS kcom_caching_allocator_query_stats(const kcom_caching_allocator *cache, kcom_caching_allocator_stats *stats)
{
    /* the counters and the list change under concurrent use: the cache is never really const */
    kcom_caching_allocator *mutable_cache = (kcom_caching_allocator *)(uintptr_t)cache;
    if (stats == NULL)
        return STATUS_INVALID_PARAMETER;
    memset(stats, 0, sizeof(*stats));
    if (cache == NULL)
        return STATUS_INVALID_PARAMETER;
    stats->hits = (ULONG)kcom_atomic_load(&mutable_cache->hits);
    stats->misses = (ULONG)kcom_atomic_load(&mutable_cache->misses);
    stats->bypassed = (ULONG)kcom_atomic_load(&mutable_cache->bypassed);
    stats->overflows = (ULONG)kcom_atomic_load(&mutable_cache->overflows);
    stats->depth = cache->depth;
    if (kcom_atomic_load(&mutable_cache->state) == STATE_BOUND) {
        stats->cached = kcom_platform_free_list_count(&mutable_cache->list) +
                        (kcom_atomic_load_ptr(&mutable_cache->hot) != NULL ? 1u : 0u) +
                        (kcom_atomic_load_ptr(&mutable_cache->spare) != NULL ? 1u : 0u);
        stats->block_size = cache->block_size;
        stats->block_alignment = cache->block_alignment;
    }
    return STATUS_SUCCESS;
}
