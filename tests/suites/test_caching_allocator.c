/*
 * The caching allocator: the first allocation fixes the cached size; hits and misses; a freed block
 * comes back; the depth bound and overflow to the backing allocator; other sizes and alignments
 * bypass the cache; over-aligned and tiny blocks; drain returns every block (a counting allocator
 * as backing shows none live); statically initialized caches, over the platform allocator and over
 * a counting one; kcom classes using a cache through KCOM_CLASS_EX; backing failures; invalid
 * arguments.
 */
#include "test_common.h"

#define is_aligned(pointer, alignment) (((uintptr_t)(pointer) & ((uintptr_t)(alignment) - 1)) == 0)

/* Checks every statistic of cache at once (-1: not checked). */
#define check_stats(cache, hits, misses, bypassed, overflows, cached)                     \
    check_stats_(__FILE__, __LINE__, (cache), (hits), (misses), (bypassed), (overflows), (cached))
static void check_stats_(const char *file, int line, const kcom_caching_allocator *cache, LONG hits, LONG misses,
                         LONG bypassed, LONG overflows, LONG cached)
{
    kcom_caching_allocator_stats stats;
    NTSTATUS status = kcom_caching_allocator_query_stats(cache, &stats);
    ok_(file, line)(status == STATUS_SUCCESS, "query_stats returned %s\n", kcom_status_name(status));
    ok_(file, line)((hits < 0 || stats.hits == (ULONG)hits) && (misses < 0 || stats.misses == (ULONG)misses) &&
                        (bypassed < 0 || stats.bypassed == (ULONG)bypassed) &&
                        (overflows < 0 || stats.overflows == (ULONG)overflows) &&
                        (cached < 0 || stats.cached == (ULONG)cached),
                    "stats: hits %lu misses %lu bypassed %lu overflows %lu cached %lu; expected %ld %ld %ld %ld %ld\n",
                    (unsigned long)stats.hits, (unsigned long)stats.misses, (unsigned long)stats.bypassed,
                    (unsigned long)stats.overflows, (unsigned long)stats.cached, (long)hits, (long)misses,
                    (long)bypassed, (long)overflows, (long)cached);
}

/* Checks the size and alignment the cache keeps. */
static void check_block_(const char *file, int line, const kcom_caching_allocator *cache, size_t size,
                         size_t alignment)
{
    kcom_caching_allocator_stats stats;
    kcom_caching_allocator_query_stats(cache, &stats);
    ok_(file, line)(stats.block_size == size && stats.block_alignment == alignment,
                    "cached block %lu bytes, aligned %lu; expected %lu, %lu\n", (unsigned long)stats.block_size,
                    (unsigned long)stats.block_alignment, (unsigned long)size, (unsigned long)alignment);
}
#define check_block(cache, size, alignment) check_block_(__FILE__, __LINE__, (cache), (size), (alignment))

/* ---- hits, misses, reuse ------------------------------------------------------------------------- */

static void test_hits_and_reuse(void)
{
    kcom_counting_allocator backing;
    kcom_caching_allocator cache;
    kcom_caching_allocator_stats stats;
    unsigned char *a, *b, *c;

    kcom_counting_allocator_init(&backing, NULL);
    ok(kcom_caching_allocator_init(&cache, 4, &backing.allocator) == STATUS_SUCCESS, "init\n");
    ok(cache.allocator.allocate != NULL && cache.allocator.free != NULL && cache.allocator.context == &cache,
       "the cache's kcom_allocator\n");
    ok(kcom_caching_allocator_query_stats(&cache, &stats) == STATUS_SUCCESS && stats.depth == 4 &&
           stats.block_size == 0 && stats.block_alignment == 0 && stats.cached == 0 && stats.hits == 0 &&
           stats.misses == 0,
       "a fresh cache: depth %lu, block %lu/%lu\n", (unsigned long)stats.depth, (unsigned long)stats.block_size,
       (unsigned long)stats.block_alignment);

    /* the first allocation fixes the size and misses */
    a = (unsigned char *)kcom_allocate(&cache.allocator, 48, 16);
    ok(a != NULL && is_aligned(a, 16), "first allocation %p\n", (void *)a);
    check_block(&cache, 48, 16);
    check_stats(&cache, 0, 1, 0, 0, 0);
    check_live(&backing, 1);
    if (a == NULL)
        return;
    memset(a, 0xA1, 48);

    /* freed: kept, not returned to the backing allocator */
    kcom_free(&cache.allocator, a, 48, 16);
    check_stats(&cache, 0, 1, 0, 0, 1);
    check_live(&backing, 1);

    /* the same block comes back */
    b = (unsigned char *)kcom_allocate(&cache.allocator, 48, 16);
    ok(b == a, "the cached block was not reused: %p, then %p\n", (void *)a, (void *)b);
    check_stats(&cache, 1, 1, 0, 0, 0);
    check_live(&backing, 1);

    /* with the cache empty, the next one misses */
    c = (unsigned char *)kcom_allocate(&cache.allocator, 48, 16);
    ok(c != NULL && c != b, "second live block %p (first %p)\n", (void *)c, (void *)b);
    check_stats(&cache, 1, 2, 0, 0, 0);
    check_live(&backing, 2);

    /* last in, first out */
    kcom_free(&cache.allocator, b, 48, 16);
    kcom_free(&cache.allocator, c, 48, 16);
    check_stats(&cache, 1, 2, 0, 0, 2);
    a = (unsigned char *)kcom_allocate(&cache.allocator, 48, 16);
    ok(a == c, "LIFO: got %p, expected %p\n", (void *)a, (void *)c);
    kcom_free(&cache.allocator, a, 48, 16);
    check_stats(&cache, 2, 2, 0, 0, 2);

    ok(kcom_caching_allocator_drain(&cache) == STATUS_SUCCESS, "drain\n");
    check_stats(&cache, 2, 2, 0, 0, 0);
    check_live(&backing, 0);
    ok(backing.live_bytes == 0, "%ld live bytes after drain\n", (long)backing.live_bytes);
}

/* ---- the depth bound ----------------------------------------------------------------------------- */

static void test_depth(void)
{
    enum { DEPTH = 3, COUNT = 7 };
    kcom_counting_allocator backing;
    kcom_caching_allocator cache;
    void *blocks[COUNT];
    int i;

    kcom_counting_allocator_init(&backing, NULL);
    ok(kcom_caching_allocator_init(&cache, DEPTH, &backing.allocator) == STATUS_SUCCESS, "init\n");
    for (i = 0; i < COUNT; i++) {
        blocks[i] = kcom_allocate(&cache.allocator, 64, 8);
        ok(blocks[i] != NULL, "allocation %d\n", i);
    }
    check_stats(&cache, 0, COUNT, 0, 0, 0);
    check_live(&backing, COUNT);
    for (i = 0; i < COUNT; i++)
        kcom_free(&cache.allocator, blocks[i], 64, 8);
    /* DEPTH kept, the rest returned at once */
    check_stats(&cache, 0, COUNT, 0, COUNT - DEPTH, DEPTH);
    check_live(&backing, DEPTH);

    /* DEPTH hits, then misses again */
    for (i = 0; i < COUNT; i++)
        blocks[i] = kcom_allocate(&cache.allocator, 64, 8);
    check_stats(&cache, DEPTH, 2 * COUNT - DEPTH, 0, COUNT - DEPTH, 0);
    check_live(&backing, COUNT);
    for (i = 0; i < COUNT; i++)
        ok(blocks[i] != NULL, "allocation %d\n", i);
    for (i = COUNT - 1; i >= 0; i--)
        kcom_free(&cache.allocator, blocks[i], 64, 8);
    check_stats(&cache, DEPTH, 2 * COUNT - DEPTH, 0, 2 * (COUNT - DEPTH), DEPTH);

    ok(kcom_caching_allocator_drain(&cache) == STATUS_SUCCESS, "drain\n");
    check_live(&backing, 0);
    check_stats(&cache, -1, -1, -1, -1, 0);

    /* the cache works again after a drain, with the same size */
    blocks[0] = kcom_allocate(&cache.allocator, 64, 8);
    ok(blocks[0] != NULL, "allocation after drain\n");
    check_block(&cache, 64, 8);
    kcom_free(&cache.allocator, blocks[0], 64, 8);
    check_stats(&cache, DEPTH, 2 * COUNT - DEPTH + 1, 0, 2 * (COUNT - DEPTH), 1);
    kcom_caching_allocator_drain(&cache);
    check_live(&backing, 0);

    /* depth 1 */
    ok(kcom_caching_allocator_init(&cache, 1, &backing.allocator) == STATUS_SUCCESS, "init depth 1\n");
    blocks[0] = kcom_allocate(&cache.allocator, 32, 16);
    blocks[1] = kcom_allocate(&cache.allocator, 32, 16);
    kcom_free(&cache.allocator, blocks[0], 32, 16);
    kcom_free(&cache.allocator, blocks[1], 32, 16);
    check_stats(&cache, 0, 2, 0, 1, 1);
    check_live(&backing, 1);
    /* the block freed last is the one kept (the hot block; the list holds depth - 1 = 0) */
    blocks[2] = kcom_allocate(&cache.allocator, 32, 16);
    ok(blocks[2] == blocks[1], "depth 1 kept %p, not the block freed last %p\n", blocks[2], blocks[1]);
    check_stats(&cache, 1, 2, 0, 1, 0);
    kcom_free(&cache.allocator, blocks[2], 32, 16);
    kcom_caching_allocator_drain(&cache);
    check_live(&backing, 0);

    /* the largest depth */
    ok(kcom_caching_allocator_init(&cache, KCOM_CACHING_ALLOCATOR_MAX_DEPTH, &backing.allocator) == STATUS_SUCCESS,
       "init at the largest depth\n");
    kcom_caching_allocator_drain(&cache);
}

/* ---- other sizes and alignments ------------------------------------------------------------------ */

static void test_bypass(void)
{
    static const struct {
        size_t size, alignment;
    } others[] = {{40, 16}, {56, 16}, {48, 8}, {48, 32}, {4096, 16}, {48, 4096}};
    kcom_counting_allocator backing;
    kcom_caching_allocator cache;
    void *bound, *block;
    size_t i;
    LONG attempts;

    kcom_counting_allocator_init(&backing, NULL);
    kcom_caching_allocator_init(&cache, 8, &backing.allocator);
    bound = kcom_allocate(&cache.allocator, 48, 16);
    ok(bound != NULL, "binding allocation\n");
    check_block(&cache, 48, 16);

    for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        size_t size = others[i].size, alignment = others[i].alignment;
        attempts = backing.attempts;
        block = kcom_allocate(&cache.allocator, size, alignment);
        ok(block != NULL && is_aligned(block, alignment), "allocate(%lu, %lu) gave %p\n", (unsigned long)size,
           (unsigned long)alignment, block);
        ok(backing.attempts == attempts + 1, "allocate(%lu, %lu) did not reach the backing allocator\n",
           (unsigned long)size, (unsigned long)alignment);
        check_live(&backing, 2);
        if (block != NULL) {
            memset(block, 0x5C, size);
            kcom_free(&cache.allocator, block, size, alignment);
        }
        /* freed to the backing allocator at once, never cached */
        check_live(&backing, 1);
        check_stats(&cache, 0, 1, (LONG)i + 1, 0, 0);
    }
    check_block(&cache, 48, 16);

    /* the cached size still is */
    kcom_free(&cache.allocator, bound, 48, 16);
    check_stats(&cache, 0, 1, (LONG)i, 0, 1);
    block = kcom_allocate(&cache.allocator, 48, 16);
    ok(block == bound, "the cached block was not reused\n");
    kcom_free(&cache.allocator, block, 48, 16);
    kcom_caching_allocator_drain(&cache);
    check_live(&backing, 0);
}

/* ---- over-aligned and tiny blocks --------------------------------------------------------------- */

static void test_alignments(void)
{
    static const size_t alignments[] = {1, 2, 8, 16, 64, 256, 4096};
    kcom_counting_allocator backing;
    kcom_caching_allocator cache;
    size_t a;

    kcom_counting_allocator_init(&backing, NULL);
    for (a = 0; a < sizeof(alignments) / sizeof(alignments[0]); a++) {
        size_t alignment = alignments[a];
        size_t sizes[2];
        int s;
        sizes[0] = 1; /* smaller than a free-list link */
        sizes[1] = 3 * alignment + 5;
        for (s = 0; s < 2; s++) {
            size_t size = sizes[s];
            unsigned char *blocks[3], *again[2];
            int i;
            kcom_caching_allocator_init(&cache, 2, &backing.allocator);
            for (i = 0; i < 3; i++) {
                blocks[i] = (unsigned char *)kcom_allocate(&cache.allocator, size, alignment);
                ok(blocks[i] != NULL && is_aligned(blocks[i], alignment), "allocate(%lu, %lu) gave %p\n",
                   (unsigned long)size, (unsigned long)alignment, (void *)blocks[i]);
                if (blocks[i] != NULL)
                    memset(blocks[i], 0x3E, size);
            }
            check_block(&cache, size, alignment);
            for (i = 0; i < 3; i++)
                kcom_free(&cache.allocator, blocks[i], size, alignment);
            check_stats(&cache, 0, 3, 0, 1, 2);
            /* reused, still aligned, and whole: the block freed last first (the hot block), then the
             * spare one (blocks[1], displaced from the hot slot by blocks[2]; blocks[0], displaced
             * from the spare slot into a list that depth 2 leaves empty, went back to the backing
             * allocator) */
            for (i = 0; i < 2; i++) {
                unsigned char *expected = i == 0 ? blocks[2] : blocks[1];
                again[i] = (unsigned char *)kcom_allocate(&cache.allocator, size, alignment);
                ok(again[i] == expected, "allocate(%lu, %lu): %p is not the cached %p\n", (unsigned long)size,
                   (unsigned long)alignment, (void *)again[i], (void *)expected);
                if (again[i] != NULL) {
                    memset(again[i], 0x4F, size);
                    ok(is_aligned(again[i], alignment), "reused block %p not aligned to %lu\n", (void *)again[i],
                       (unsigned long)alignment);
                }
            }
            check_stats(&cache, 2, 3, 0, 1, 0);
            for (i = 0; i < 2; i++)
                kcom_free(&cache.allocator, again[i], size, alignment);
            /* drain frees with the size and alignment allocated (the counting allocator checks) */
            ok(kcom_caching_allocator_drain(&cache) == STATUS_SUCCESS, "drain\n");
            check_live(&backing, 0);
            ok(backing.live_bytes == 0, "%ld live bytes\n", (long)backing.live_bytes);
        }
    }
}

/* ---- statically initialized caches -------------------------------------------------------------- */

static kcom_caching_allocator platform_cache = KCOM_CACHING_ALLOCATOR_INIT(platform_cache, 2);
static kcom_counting_allocator static_backing;
static kcom_caching_allocator counted_cache = KCOM_CACHING_ALLOCATOR_INIT_BACKED(counted_cache, 3,
                                                                                 &static_backing.allocator);

static const kcom_allocator no_allocate_backing = {NULL, test_platform_free, NULL};
static const kcom_allocator no_free_backing = {test_platform_allocate, NULL, NULL};
static kcom_caching_allocator no_allocate_cache = KCOM_CACHING_ALLOCATOR_INIT_BACKED(no_allocate_cache, 2,
                                                                                     &no_allocate_backing);
static kcom_caching_allocator no_free_cache = KCOM_CACHING_ALLOCATOR_INIT_BACKED(no_free_cache, 2, &no_free_backing);

static void test_static(void)
{
    kcom_caching_allocator_stats stats;
    void *a, *b;

    /* over the platform allocator */
    ok(platform_cache.allocator.context == &platform_cache && platform_cache.backing == NULL &&
           platform_cache.depth == 2,
       "KCOM_CACHING_ALLOCATOR_INIT\n");
    ok(kcom_caching_allocator_query_stats(&platform_cache, &stats) == STATUS_SUCCESS && stats.depth == 2 &&
           stats.block_size == 0 && stats.cached == 0,
       "an unused static cache\n");
    ok(kcom_caching_allocator_drain(&platform_cache) == STATUS_SUCCESS, "drain of an unused cache\n");
    a = kcom_allocate(&platform_cache.allocator, 100, 4);
    b = kcom_allocate(&platform_cache.allocator, 100, 4);
    ok(a != NULL && b != NULL && a != b, "allocations: %p %p\n", a, b);
    check_block(&platform_cache, 100, 4);
    kcom_free(&platform_cache.allocator, a, 100, 4);
    kcom_free(&platform_cache.allocator, b, 100, 4);
    check_stats(&platform_cache, 0, 2, 0, 0, 2);
    a = kcom_allocate(&platform_cache.allocator, 100, 4);
    ok(a == b, "reuse: %p, expected %p\n", a, b);
    kcom_free(&platform_cache.allocator, a, 100, 4);
    ok(kcom_caching_allocator_drain(&platform_cache) == STATUS_SUCCESS, "drain\n");
    check_stats(&platform_cache, 1, 2, 0, 0, 0);

    /* over a counting allocator named in the initializer */
    kcom_counting_allocator_init(&static_backing, NULL);
    ok(counted_cache.backing == &static_backing.allocator && counted_cache.depth == 3,
       "KCOM_CACHING_ALLOCATOR_INIT_BACKED\n");
    a = kcom_allocate(&counted_cache.allocator, 24, 8);
    check_live(&static_backing, 1);
    kcom_free(&counted_cache.allocator, a, 24, 8);
    check_live(&static_backing, 1);
    check_stats(&counted_cache, 0, 1, 0, 0, 1);
    ok(kcom_caching_allocator_drain(&counted_cache) == STATUS_SUCCESS, "drain\n");
    check_live(&static_backing, 0);

    /* re-initialized (drained first) over another backing: a new size may be fixed */
    ok(kcom_caching_allocator_init(&counted_cache, 1, NULL) == STATUS_SUCCESS, "re-init\n");
    check_stats(&counted_cache, 0, 0, 0, 0, 0);
    check_block(&counted_cache, 0, 0);
    a = kcom_allocate(&counted_cache.allocator, 8, 8);
    check_block(&counted_cache, 8, 8);
    kcom_free(&counted_cache.allocator, a, 8, 8);
    check_live(&static_backing, 0);
    kcom_caching_allocator_drain(&counted_cache);

    /* a backing without its allocate or free, which the initializer cannot refuse as
     * kcom_caching_allocator_init does: never called, every request fails */
    a = kcom_allocate(&no_allocate_cache.allocator, 32, 8);
    b = kcom_allocate(&no_free_cache.allocator, 32, 8);
    ok(a == NULL && b == NULL, "a backing without its functions served %p %p\n", a, b);
    check_stats(&no_free_cache, 0, 0, 1, 0, 0); /* a request the backing did not serve */
}

/* ---- kcom classes using a cache ----------------------------------------------------------------- */

static kcom_counting_allocator class_backing;
static kcom_caching_allocator cached_cache = KCOM_CACHING_ALLOCATOR_INIT_BACKED(cached_cache, 2,
                                                                                &class_backing.allocator);
static kcom_caching_allocator aligned_cache = KCOM_CACHING_ALLOCATOR_INIT_BACKED(aligned_cache, 2,
                                                                                 &class_backing.allocator);
static LONG cached_destroyed;

typedef struct Cached {
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    ULONG value;
    UCHAR scratch[40];
} Cached;

static ULONG Cached_Tag(Cached *self)
{
    (void)self;
    return TAG_OTHER1;
}
static NTSTATUS Cached_Store(Cached *self, ULONG value)
{
    self->value = value;
    memset(self->scratch, (int)(value & 0xFF), sizeof(self->scratch));
    return STATUS_SUCCESS;
}
static NTSTATUS Cached_Load(Cached *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
#define Cached_O2_Tag Cached_Tag
#define Cached_O2_Store Cached_Store
#define Cached_O2_Load Cached_Load
static void Cached_destroy(Cached *self)
{
    (void)self;
    cached_destroyed++;
}
KCOM_IMPLEMENT(Cached, IOther1, IOther1_iface)
KCOM_IMPLEMENT_WITH(Cached, IOther2, IOther2_iface, Cached_O2_)
KCOM_CLASS_EX(Cached, &cached_cache.allocator, Cached_destroy, NULL, (IOther1, IOther1_iface),
              (IOther2, IOther2_iface))

/* over-aligned, aggregatable, no destroy callback */
typedef struct CachedAligned {
    IOther3 IOther3_iface;
    _Alignas(64) ULONG value;
} CachedAligned;
static ULONG CachedAligned_Tag(CachedAligned *self)
{
    return self->value;
}
static NTSTATUS CachedAligned_Store(CachedAligned *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS CachedAligned_Load(CachedAligned *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
KCOM_IMPLEMENT(CachedAligned, IOther3, IOther3_iface)
KCOM_AGGREGATABLE_CLASS_EX(CachedAligned, &aligned_cache.allocator, NULL, NULL, (IOther3, IOther3_iface))

static void test_class(void)
{
    IOther1 *objects[3];
    Cached *impl = NULL;
    NTSTATUS status;
    ULONG value;
    int i;

    kcom_counting_allocator_init(&class_backing, NULL);
    cached_destroyed = 0;

    for (i = 0; i < 3; i++) {
        objects[i] = NULL;
        status = kcom_object_create(KCOM_CLASS_OF(Cached), NULL, NULL, NULL, &IID_IOther1, (void **)&objects[i]);
        ok(status == STATUS_SUCCESS && objects[i] != NULL, "create %d: %s\n", i, kcom_status_name(status));
        if (objects[i] != NULL)
            IOther1_Store(objects[i], 0x100u + (ULONG)i);
    }
    /* the class's block: header + struct, the struct's alignment (at least the header's) */
    check_block(&cached_cache, sizeof(kcom_object_header) + sizeof(Cached),
                kcom_rt_block_alignment(KCOM_CLASS_OF(Cached)));
    check_stats(&cached_cache, 0, 3, 0, 0, 0);
    check_live(&class_backing, 3);
    for (i = 0; i < 3; i++) {
        if (objects[i] == NULL)
            continue;
        check_interface(objects[i], &IID_IOther2, 1);
        ok(IOther1_Load(objects[i], &value) == STATUS_SUCCESS && value == 0x100u + (ULONG)i, "object %d: %lu\n", i,
           (unsigned long)value);
        check_release(objects[i], 0);
    }
    ok(cached_destroyed == 3, "%ld destroyed\n", (long)cached_destroyed);
    /* two kept (the depth), one returned */
    check_stats(&cached_cache, 0, 3, 0, 1, 2);
    check_live(&class_backing, 2);

    /* a new object reuses a block, and starts zero-filled with its vtables whatever was there */
    status = KCOM_NEW(Cached, NULL, &impl);
    ok(status == STATUS_SUCCESS && impl != NULL, "KCOM_NEW: %s\n", kcom_status_name(status));
    check_stats(&cached_cache, 1, 3, 0, 1, 1);
    check_live(&class_backing, 2);
    if (impl != NULL) {
        ok(impl->value == 0, "reused object's state %lu\n", (unsigned long)impl->value);
        for (i = 0; i < (int)sizeof(impl->scratch); i++)
            if (impl->scratch[i] != 0)
                break;
        ok(i == (int)sizeof(impl->scratch), "reused object's state not zero-filled at %d\n", i);
        check_refcount(impl, 1);
        ok(IOther2_Tag(&impl->IOther2_iface) == TAG_OTHER1, "call through the second interface\n");
        ok(kcom_object_release(impl) == 0, "release\n");
    }
    check_stats(&cached_cache, 1, 3, 0, 1, 2);

    /* creation and release in a loop: all hits, no backing traffic */
    for (i = 0; i < 50; i++) {
        IOther1 *object = NULL;
        if (kcom_object_create(KCOM_CLASS_OF(Cached), NULL, NULL, NULL, &IID_IOther1, (void **)&object) !=
                STATUS_SUCCESS ||
            IOther1_Release(object) != 0)
            break;
    }
    ok(i == 50, "loop stopped at %d\n", i);
    check_stats(&cached_cache, 51, 3, 0, 1, 2);
    check_live(&class_backing, 2);
    ok(class_backing.attempts == 3, "the backing allocator saw %ld requests\n", (long)class_backing.attempts);

    /* allocation failure of the backing allocator with the cache empty */
    {
        IOther1 *held[2] = {NULL, NULL};
        IOther1 *failed = TEST_POISON_PTR;
        kcom_object_create(KCOM_CLASS_OF(Cached), NULL, NULL, NULL, &IID_IOther1, (void **)&held[0]);
        kcom_object_create(KCOM_CLASS_OF(Cached), NULL, NULL, NULL, &IID_IOther1, (void **)&held[1]);
        check_stats(&cached_cache, 53, 3, 0, 1, 0);
        kcom_counting_allocator_fail_nth(&class_backing, 1);
        status = kcom_object_create(KCOM_CLASS_OF(Cached), NULL, NULL, NULL, &IID_IOther1, (void **)&failed);
        ok(status == STATUS_INSUFFICIENT_RESOURCES && failed == NULL, "create with the backing failing: %s, %p\n",
           kcom_status_name(status), (void *)failed);
        check_stats(&cached_cache, 53, 4, 0, 1, 0);
        kcom_counting_allocator_fail_nth(&class_backing, 0);
        if (held[0] != NULL)
            check_release(held[0], 0);
        if (held[1] != NULL)
            check_release(held[1], 0);
        check_stats(&cached_cache, 53, 4, 0, 1, 2);
    }

    ok(kcom_caching_allocator_drain(&cached_cache) == STATUS_SUCCESS, "drain\n");
    check_live(&class_backing, 0);

    /* a cache bound to the class's size with another alignment is not the class's: its hot block
     * is never taken, creation and release go past it to the backing allocator */
    {
        size_t size = sizeof(kcom_object_header) + sizeof(Cached);
        size_t alignment = kcom_rt_block_alignment(KCOM_CLASS_OF(Cached)) * 2;
        void *foreign;
        IOther1 *object = NULL;
        ok(kcom_caching_allocator_init(&cached_cache, 2, &class_backing.allocator) == STATUS_SUCCESS, "init\n");
        foreign = kcom_allocate(&cached_cache.allocator, size, alignment);
        ok(foreign != NULL, "allocate(%lu, %lu)\n", (unsigned long)size, (unsigned long)alignment);
        kcom_free(&cached_cache.allocator, foreign, size, alignment);
        check_block(&cached_cache, size, alignment);
        check_stats(&cached_cache, 0, 1, 0, 0, 1);
        status = kcom_object_create(KCOM_CLASS_OF(Cached), NULL, NULL, NULL, &IID_IOther1, (void **)&object);
        ok(status == STATUS_SUCCESS && object != NULL, "create: %s\n", kcom_status_name(status));
        ok((void *)object == NULL || kcom_rt_header(KCOM_IMPL_FROM(Cached, IOther1_iface, object)) != foreign,
           "the class took the hot block of another alignment\n");
        check_stats(&cached_cache, 0, 1, 1, 0, 1);
        check_live(&class_backing, 2);
        if (object != NULL)
            check_release(object, 0);
        check_stats(&cached_cache, 0, 1, 1, 0, 1);
        check_live(&class_backing, 1);
        ok(kcom_caching_allocator_drain(&cached_cache) == STATUS_SUCCESS, "drain\n");
        check_live(&class_backing, 0);
    }

    /* over-aligned and aggregatable: the block is the 32-byte aggregate header rounded up to 64 */
    {
        CachedAligned *first = NULL, *second = NULL;
        ok(KCOM_NEW(CachedAligned, NULL, &first) == STATUS_SUCCESS && first != NULL, "KCOM_NEW(CachedAligned)\n");
        if (first != NULL) {
            ok(is_aligned(first, 64) && is_aligned(&first->value, 64), "CachedAligned at %p\n", (void *)first);
            first->value = 77;
            ok(kcom_object_release(first) == 0, "release\n");
        }
        check_block(&aligned_cache, kcom_rt_prefix_size(KCOM_CLASS_OF(CachedAligned)) + sizeof(CachedAligned), 64);
        ok(kcom_rt_prefix_size(KCOM_CLASS_OF(CachedAligned)) == 64, "prefix %lu\n",
           (unsigned long)kcom_rt_prefix_size(KCOM_CLASS_OF(CachedAligned)));
        ok(KCOM_NEW(CachedAligned, NULL, &second) == STATUS_SUCCESS && second == first,
           "the aligned block was not reused: %p, then %p\n", (void *)first, (void *)second);
        if (second != NULL) {
            ok(second->value == 0 && IOther3_Tag(&second->IOther3_iface) == 0, "reused object not zero-filled\n");
            check_interface(&second->IOther3_iface, &IID_IUnknown, 1);
            ok(kcom_object_release(second) == 0, "release\n");
        }
        check_stats(&aligned_cache, 1, 1, 0, 0, 1);
        ok(kcom_caching_allocator_drain(&aligned_cache) == STATUS_SUCCESS, "drain\n");
        check_live(&class_backing, 0);
    }
}

/* ---- failures of the backing allocator ---------------------------------------------------------- */

static void test_backing_failure(void)
{
    kcom_counting_allocator backing;
    kcom_caching_allocator cache;
    void *a, *b, *c;

    kcom_counting_allocator_init(&backing, NULL);
    kcom_caching_allocator_init(&cache, 2, &backing.allocator);

    /* a first request the backing allocator refuses fixes nothing: not a size it can never serve
     * (the cache would pass every later request by), nor one it lacks memory for just now */
    ok(kcom_allocate(&cache.allocator, (size_t)-5, 8) == NULL, "a size nothing can serve\n");
    check_block(&cache, 0, 0);
    check_stats(&cache, 0, 0, 1, 0, 0);
    kcom_counting_allocator_fail_nth(&backing, 1);
    ok(kcom_allocate(&cache.allocator, 40, 8) == NULL, "a failing backing allocator\n");
    check_block(&cache, 0, 0);
    check_stats(&cache, 0, 0, 2, 0, 0);
    a = kcom_allocate(&cache.allocator, 40, 8);
    ok(a != NULL, "allocation after the failure\n");
    check_block(&cache, 40, 8);
    check_stats(&cache, 0, 1, 2, 0, 0);
    kcom_free(&cache.allocator, a, 40, 8);

    /* a hit needs no backing allocation */
    kcom_counting_allocator_fail_nth(&backing, 1);
    b = kcom_allocate(&cache.allocator, 40, 8);
    ok(b == a, "hit while the backing allocator fails: %p, expected %p\n", b, a);
    ok(kcom_allocate(&cache.allocator, 40, 8) == NULL, "miss while the backing allocator fails\n");
    c = kcom_allocate(&cache.allocator, 80, 8); /* the failure was that one request */
    ok(c != NULL, "bypassing allocation after the failure\n");
    kcom_counting_allocator_fail_nth(&backing, 0);
    check_stats(&cache, 1, 2, 3, 0, 0);
    check_live(&backing, 2);
    kcom_free(&cache.allocator, c, 80, 8);
    kcom_free(&cache.allocator, b, 40, 8);
    check_stats(&cache, 1, 2, 3, 0, 1);
    check_live(&backing, 1);
    ok(kcom_caching_allocator_drain(&cache) == STATUS_SUCCESS, "drain\n");
    check_live(&backing, 0);
}

/* ---- copies of a cache's allocator with a function replaced ---------------------------------------- */

/* A class whose allocator is a copy of a caching allocator's with its free cleared: malformed, as
 * any allocator without its free (STATUS_INVALID_PARAMETER, and the allocator never called), also
 * when the cache is bound to the class's block and holds one. */
static kcom_caching_allocator copy_cache = KCOM_CACHING_ALLOCATOR_INIT(copy_cache, 2);
static kcom_allocator copy_without_free; /* copy_cache.allocator with free NULL, set by the test */

typedef struct CopyAllocated {
    IOther1 IOther1_iface;
    ULONG value;
} CopyAllocated;
static ULONG CopyAllocated_Tag(CopyAllocated *self)
{
    return self->value;
}
static NTSTATUS CopyAllocated_Store(CopyAllocated *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS CopyAllocated_Load(CopyAllocated *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
KCOM_IMPLEMENT(CopyAllocated, IOther1, IOther1_iface)
KCOM_CLASS_EX(CopyAllocated, &copy_without_free, NULL, NULL, (IOther1, IOther1_iface))

static void test_copies(void)
{
    size_t size = sizeof(kcom_object_header) + sizeof(CopyAllocated);
    size_t alignment = kcom_rt_block_alignment(KCOM_CLASS_OF(CopyAllocated));
    IOther1 *object = (IOther1 *)(ULONG_PTR)1;
    CopyAllocated *impl = (CopyAllocated *)(ULONG_PTR)1;
    void *block;
    NTSTATUS status;

    copy_without_free = copy_cache.allocator;
    copy_without_free.free = NULL;
    /* the cache bound to the class's block, which it holds */
    block = kcom_allocate(&copy_cache.allocator, size, alignment);
    ok(block != NULL, "a block of the class's size\n");
    kcom_free(&copy_cache.allocator, block, size, alignment);
    check_block(&copy_cache, size, alignment);
    check_stats(&copy_cache, 0, 1, 0, 0, 1);

    status = kcom_object_create(KCOM_CLASS_OF(CopyAllocated), NULL, NULL, NULL, &IID_IOther1, (void **)&object);
    ok(status == STATUS_INVALID_PARAMETER && object == NULL, "kcom_object_create: %s\n", kcom_status_name(status));
    status = KCOM_NEW(CopyAllocated, NULL, &impl);
    ok(status == STATUS_INVALID_PARAMETER && impl == NULL, "KCOM_NEW: %s\n", kcom_status_name(status));
    status = kcom_rt_object_create(KCOM_CLASS_OF(CopyAllocated), NULL, NULL, NULL, &IID_IOther1, (void **)&object);
    ok(status == STATUS_INVALID_PARAMETER && object == NULL, "the library's: %s\n", kcom_status_name(status));
    check_stats(&copy_cache, 0, 1, 0, 0, 1); /* the cache was not touched */
    ok(kcom_caching_allocator_drain(&copy_cache) == STATUS_SUCCESS, "drained\n");
}

/* ---- invalid arguments --------------------------------------------------------------------------- */

static void test_invalid(void)
{
    static const kcom_allocator no_allocate = {NULL, kcom_rt_caching_free, NULL};
    static const kcom_allocator no_free = {kcom_rt_caching_allocate, NULL, NULL};
    kcom_counting_allocator backing;
    kcom_caching_allocator cache;
    kcom_caching_allocator_stats stats;

    kcom_counting_allocator_init(&backing, NULL);
    ok(kcom_caching_allocator_init(NULL, 4, NULL) == STATUS_INVALID_PARAMETER, "init(NULL)\n");

    memset(&cache, 0x6C, sizeof(cache));
    ok(kcom_caching_allocator_init(&cache, 0, NULL) == STATUS_INVALID_PARAMETER, "init(depth 0)\n");
    ok(kcom_caching_allocator_init(&cache, KCOM_CACHING_ALLOCATOR_MAX_DEPTH + 1, NULL) == STATUS_INVALID_PARAMETER,
       "init(depth too large)\n");
    ok(kcom_caching_allocator_init(&cache, 4, &no_allocate) == STATUS_INVALID_PARAMETER, "init(no allocate)\n");
    ok(kcom_caching_allocator_init(&cache, 4, &no_free) == STATUS_INVALID_PARAMETER, "init(no free)\n");
    ok(cache.depth == 0x6C6C6C6Cu, "a failed init changed the cache\n");

    ok(kcom_caching_allocator_drain(NULL) == STATUS_INVALID_PARAMETER, "drain(NULL)\n");
    memset(&stats, 0x6C, sizeof(stats));
    ok(kcom_caching_allocator_query_stats(NULL, &stats) == STATUS_INVALID_PARAMETER, "query_stats(NULL cache)\n");
    ok(stats.hits == 0 && stats.cached == 0 && stats.depth == 0 && stats.block_size == 0,
       "stats not zero-filled on failure\n");

    ok(kcom_caching_allocator_init(&cache, 4, &backing.allocator) == STATUS_SUCCESS, "init\n");
    ok(kcom_caching_allocator_query_stats(&cache, NULL) == STATUS_INVALID_PARAMETER, "query_stats(NULL stats)\n");

    /* bad requests through the allocator functions: NULL, nothing fixed, nothing counted */
    ok(cache.allocator.allocate(cache.allocator.context, 0, 8) == NULL, "allocate(size 0)\n");
    ok(cache.allocator.allocate(cache.allocator.context, 16, 0) == NULL, "allocate(alignment 0)\n");
    ok(cache.allocator.allocate(cache.allocator.context, 16, 24) == NULL, "allocate(alignment 24)\n");
    ok(kcom_allocate(&cache.allocator, 0, 8) == NULL, "kcom_allocate(size 0)\n");
    check_block(&cache, 0, 0);
    check_stats(&cache, 0, 0, 0, 0, 0);
    ok(backing.attempts == 0, "a bad request reached the backing allocator\n");
    cache.allocator.free(cache.allocator.context, NULL, 16, 8);
    kcom_free(&cache.allocator, NULL, 16, 8);
    check_stats(&cache, 0, 0, 0, 0, 0);
    check_live(&backing, 0);
    ok(kcom_caching_allocator_drain(&cache) == STATUS_SUCCESS, "drain of an unused cache\n");
}

void kcom_test_caching_allocator(void)
{
    test_hits_and_reuse();
    test_depth();
    test_bypass();
    test_alignments();
    test_static();
    test_class();
    test_backing_failure();
    test_copies();
    test_invalid();
}
