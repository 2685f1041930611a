/*
 * kcom/caching_allocator.h - a per-class cache of freed blocks in front of another allocator.
 *
 * A kcom_caching_allocator is a kcom_allocator that keeps up to `depth` freed blocks of one size
 * and alignment and hands them out again, so creating an object after another of its class was
 * released costs an exchange on a hot slot (a free list behind it past two blocks) instead of a
 * trip through the general allocator. Everything
 * else goes to the backing allocator (NULL: the platform's): allocations when the cache is empty,
 * other sizes and alignments, and frees when the cache is full.
 *
 *   static kcom_caching_allocator Foo_cache = KCOM_CACHING_ALLOCATOR_INIT(Foo_cache, 16);
 *   KCOM_CLASS_EX(Foo, &Foo_cache.allocator, Foo_destroy, NULL, (IFoo, IFoo_iface))
 *   ...
 *   DriverUnload: after the last Foo is released, kcom_caching_allocator_drain(&Foo_cache);
 *
 * The cached size. The first allocation through the cache that succeeds fixes the size and
 * alignment it keeps (for a class that is the class's block, header included; a request the
 * backing allocator refuses fixes nothing); later requests with exactly that size and alignment
 * are served from the cache, any other request is passed to the backing allocator.
 * kcom_caching_allocator_query_stats reports the size once it is fixed. Give each class (or each
 * kind of block) its own cache.
 *
 * Concurrency. allocate and free may be called from any number of threads at once at IRQL
 * <= DISPATCH_LEVEL. The block freed last is kept in a slot of its own, taken and replaced with one
 * interlocked exchange each (no lock, no ABA: an exchange is unconditional), so an object created
 * after one of its class was released reuses that block, still warm in the cache, for a few
 * instructions; the block it displaces goes to a second slot (depth 2 and more), so that two blocks
 * in use at a time (one released late, after the next was allocated) cycle through the slots. The
 * others (up to depth - 2) wait in the platform's free list (src/platform/):
 * an SLIST in the kernel and in Windows user mode (interlocked, with a sequence number against
 * ABA), a small lock around a singly linked list on the host. The depth bound is exact on the
 * host; with an SLIST a free checks the depth and then pushes, so under races the cache can hold
 * more than depth blocks, but never more than depth plus the number of frees running at the same
 * moment. The slots are one for all processors: allocations and frees on several processors at
 * once take turns on their cache line, so a class created and released on many processors at the
 * same time gains little from its cache there, or loses (docs/performance.md, "On several
 * processors"); the pool's own small blocks come from per-processor lists, and kcom's operation
 * cache (kcom/async.h) keeps a slot per processor in front of caches like this one. What allocation and free
 * write is followed by 64 unused bytes in the structure (176 bytes on a 64-bit target, 144 on a
 * 32-bit one), so that caches declared side by side, used by different processors, do not slow
 * each other down.
 *
 * Blocks are passed to the backing allocator with size and alignment raised to at least
 * 2 * sizeof(void *) (what a free-list link needs; the platform allocator gives that alignment
 * anyway), and freed there with the same raised values: a cache backing another cache binds to
 * the raised pair, and requests made to it directly with a smaller alignment bypass it.
 *
 * Lifetime. A cache holds memory of its backing allocator until kcom_caching_allocator_drain frees
 * it: drain every cache after the last block it handed out is freed (for a class: after the last
 * object is released), before unload and before the backing allocator goes away. A cache must never
 * be copied or moved, even before its first use: its allocator's context is the cache's own
 * address, so a copy's allocate, free and drain act on the original. It must be writable (never
 * const) and, in the kernel, in non-paged memory (a driver's global data is). It must be aligned to
 * KCOM_ALIGNOF(kcom_caching_allocator) (16), which a declared object always is; allocate one
 * dynamically with that alignment.
 */
#ifndef KCOM_CACHING_ALLOCATOR_H
#define KCOM_CACHING_ALLOCATOR_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/allocator.h>
#include <kcom/atomic.h>

/* The largest depth a cache may have (an SLIST counts its entries in 16 bits; this leaves room for
 * the overshoot of concurrent frees). */
#define KCOM_CACHING_ALLOCATOR_MAX_DEPTH 4096

#if defined(__cplusplus)
#define KCOM_CACHING_ALIGN16_ alignas(16)
#elif defined(_MSC_VER) && !defined(__clang__)
#define KCOM_CACHING_ALIGN16_ __declspec(align(16))
#else
#define KCOM_CACHING_ALIGN16_ _Alignas(16)
#endif

/* cl.exe /W4 reports each struct that its 16-byte aligned member pads (C4324): the alignment is
 * the free list's requirement, so the padding is expected. A driver struct that embeds a
 * kcom_caching_allocator is padded the same way (silence C4324 around it, or keep the cache in a
 * static). */
#if defined(_MSC_VER) && !defined(__clang__)
#pragma warning(push)
#pragma warning(disable : 4324)
#endif

/* The platform's free list (an SLIST_HEADER on Windows), opaque to everything outside
 * src/platform/. All zeros is the state a static initializer gives it; it is prepared before use. */
typedef struct kcom_rt_free_list {
    KCOM_CACHING_ALIGN16_ ULONG64 opaque[2];
} kcom_rt_free_list;

typedef struct kcom_caching_allocator {
    kcom_allocator allocator;      /* pass &cache.allocator wherever a kcom_allocator is wanted */
    const kcom_allocator *backing; /* where blocks come from; NULL: kcom_platform_allocator() */
    ULONG depth;                   /* at most this many blocks are kept, 1..KCOM_CACHING_ALLOCATOR_MAX_DEPTH */
    /* Everything below belongs to kcom (read it with kcom_caching_allocator_query_stats). First
     * what every allocation and free reads, written once, when the size is fixed: */
    LONG volatile state;           /* 0: no size fixed yet; 1: being fixed; 2: bound (KCOM_RT_CACHING_BOUND) */
    size_t block_size;             /* the cached size and alignment (valid in state 2) */
    size_t block_alignment;
    /* once bound, KCOM_RT_CACHING_KEY(block_size, block_alignment), published before state; NULL
     * before, or when the pair has no key: one compare tells whether the cache is bound to a pair */
    void *volatile bound_key;
    /* then what they write, followed by 64 bytes that nothing uses: another cache (or other data)
     * placed right after this one never shares a processor's cache line with them, which would
     * make processors that use different caches wait on each other */
    void *volatile hot;            /* the block freed last, kept outside the list; or NULL */
    void *volatile spare;          /* the one it displaced (depth >= 2), outside the list too; or NULL */
    LONG volatile hits;
    LONG volatile misses;
    LONG volatile bypassed;
    LONG volatile overflows;
    kcom_rt_free_list list;        /* the cached blocks */
    UCHAR kcom_unused[64];
} kcom_caching_allocator;

#if defined(_MSC_VER) && !defined(__clang__)
#pragma warning(pop)
#endif

/* What kcom_caching_allocator_query_stats reports. The counters start at 0 (at initialization) and
 * wrap around after 2^32 events; under concurrent use they are a snapshot, not one instant. */
typedef struct kcom_caching_allocator_stats {
    ULONG hits;             /* allocations of the cached size served from the cache */
    ULONG misses;           /* allocations of the cached size that found it empty (backing allocator) */
    ULONG bypassed;         /* allocations of another size or alignment, or refused before a size was
                               fixed (backing allocator) */
    ULONG overflows;        /* frees of the cached size that found it full (backing allocator) */
    ULONG cached;           /* blocks in the cache now */
    ULONG depth;            /* the cache's depth */
    size_t block_size;      /* the cached size and alignment; 0 until the first allocation */
    size_t block_alignment;
} kcom_caching_allocator_stats;

/*
 * KCOM_CACHING_ALLOCATOR_INIT(name, depth) - static initializer of a cache called name (the
 * allocator's context is the cache's own address, which is why the macro needs the name) that keeps
 * up to depth blocks, backed by the platform allocator. depth must be a constant from 1 to
 * KCOM_CACHING_ALLOCATOR_MAX_DEPTH (anything else does not compile). No init call is needed:
 *
 *   static kcom_caching_allocator Foo_cache = KCOM_CACHING_ALLOCATOR_INIT(Foo_cache, 16);
 *
 * KCOM_CACHING_ALLOCATOR_INIT_BACKED(name, depth, backing) - the same over another allocator
 * (a constant address, e.g. &some_counting_allocator.allocator; NULL: the platform's). A backing
 * without its allocate or free, which only kcom_caching_allocator_init can refuse, is never
 * called: every request the cache cannot serve from its blocks fails (it has none).
 */
#define KCOM_CACHING_ALLOCATOR_INIT(name, depth) KCOM_CACHING_ALLOCATOR_INIT_BACKED(name, depth, NULL)
#define KCOM_CACHING_ALLOCATOR_INIT_BACKED(name, depth, backing)                                  \
    {{kcom_rt_caching_allocate, kcom_rt_caching_free, &(name)},                                   \
     (backing),                                                                                   \
     (ULONG)sizeof(char[(depth) >= 1 && (depth) <= KCOM_CACHING_ALLOCATOR_MAX_DEPTH ? (depth) : -1]), \
     0, 0, 0, NULL, NULL, NULL, 0, 0, 0, 0, {{0, 0}}, {0}}

KCOM_BEGIN_DECLS

/*
 * kcom_caching_allocator_init - prepares cache (dynamic setup; a statically initialized cache needs
 * no call): up to depth blocks kept, over backing (NULL: the platform allocator), no size fixed yet,
 * statistics zeroed. Call it before the cache is used, never while it holds blocks (drain first).
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER (NULL cache; depth 0 or above
 * KCOM_CACHING_ALLOCATOR_MAX_DEPTH; a backing allocator whose allocate or free is NULL), in which
 * case the cache is left unchanged.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_caching_allocator_init(_Out_ kcom_caching_allocator *cache, _In_ ULONG depth,
                                     _In_opt_ const kcom_allocator *backing);

/*
 * kcom_caching_allocator_drain - frees every block the cache holds to the backing allocator. The
 * cache stays usable (and keeps its size); blocks freed into it while drain runs may stay cached,
 * so drain at unload after the last block handed out is freed.
 * IRQL: PASSIVE_LEVEL.
 * Returns STATUS_SUCCESS (also for a cache that never allocated), or STATUS_INVALID_PARAMETER for a
 * NULL cache.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_caching_allocator_drain(_Inout_ kcom_caching_allocator *cache);

/*
 * kcom_caching_allocator_query_stats - the cache's counters, its current number of cached blocks
 * and its block size and alignment, for tests, benchmarks and diagnostics.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a NULL cache or stats (a non-NULL stats
 * is then zero-filled).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_caching_allocator_query_stats(_In_ const kcom_caching_allocator *cache,
                                            _Out_ kcom_caching_allocator_stats *stats);

KCOM_END_DECLS

/* The cache's allocation functions and its inline fast paths (not for direct use). */
#include <kcom/detail/caching_allocator.h>

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_CACHING_ALLOCATOR_H */
