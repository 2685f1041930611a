/*
 * kcom/detail/allocator.h - not for direct use: included by kcom/allocator.h, at its end.
 *
 * The inline allocation path of kcom objects. The platform allocator is the default almost always,
 * and almost every block kcom allocates needs no more than the natural alignment: that case calls
 * the platform's allocation and free functions directly, with the block alone. Everything else
 * goes through the allocator's functions.
 */
#ifndef KCOM_DETAIL_ALLOCATOR_H
#define KCOM_DETAIL_ALLOCATOR_H

#ifndef KCOM_ALLOCATOR_H
#error "kcom/detail/allocator.h is not for direct use: include <kcom/allocator.h>"
#endif

KCOM_BEGIN_DECLS

/* The allocator kcom_set_default_allocator set, or NULL while the default is the platform's; read
 * inline by the object creation path. Not for direct use: read it with kcom_default_allocator and
 * change it with kcom_set_default_allocator. */
extern const kcom_allocator *volatile kcom_rt_default_allocator;

/* What malloc, HeapAlloc and the pool guarantee on every target kcom builds for. */
#define KCOM_NATURAL_ALIGNMENT (2 * sizeof(void *))

/* The platform allocator (what kcom_platform_allocator returns). */
extern const kcom_allocator kcom_rt_platform_allocator;

/* The platform's allocation functions for blocks of at most KCOM_NATURAL_ALIGNMENT (src/platform/).
 * IRQL: <= DISPATCH_LEVEL. allocate returns NULL on failure; free takes a non-NULL block. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void *kcom_rt_platform_allocate_natural(_In_ size_t size);
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_rt_platform_free_natural(_In_ void *block);

KCOM_END_DECLS

/* A block from allocator (NULL: the default allocator); size is not 0 and alignment a power of two.
 * IRQL: <= DISPATCH_LEVEL. Returns NULL when the allocator fails. */
static KCOM_FORCEINLINE void *kcom_rt_allocate(const kcom_allocator *allocator, size_t size, size_t alignment)
{
    if (allocator == NULL) {
        allocator = (const kcom_allocator *)kcom_atomic_load_ptr((void *volatile *)&kcom_rt_default_allocator);
        if (KCOM_LIKELY(allocator == NULL)) {
            if (KCOM_LIKELY(alignment <= KCOM_NATURAL_ALIGNMENT))
                return kcom_rt_platform_allocate_natural(size);
            allocator = &kcom_rt_platform_allocator;
        }
    }
    return allocator->allocate(allocator->context, size, alignment);
}

/* Frees a non-NULL block kcom_rt_allocate returned, with the same arguments. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_rt_free(const kcom_allocator *allocator, void *block, size_t size, size_t alignment)
{
    if (allocator == NULL) {
        allocator = (const kcom_allocator *)kcom_atomic_load_ptr((void *volatile *)&kcom_rt_default_allocator);
        if (KCOM_LIKELY(allocator == NULL)) {
            if (KCOM_LIKELY(alignment <= KCOM_NATURAL_ALIGNMENT)) {
                kcom_rt_platform_free_natural(block);
                return;
            }
            allocator = &kcom_rt_platform_allocator;
        }
    }
    allocator->free(allocator->context, block, size, alignment);
}

#endif /* KCOM_DETAIL_ALLOCATOR_H */
