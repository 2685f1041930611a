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

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#ifndef KCOM_ALLOCATOR_H
#error "kcom/detail/allocator.h is not for direct use: include <kcom/allocator.h>"
#endif

KCOM_BEGIN_DECLS

/* Every allocator kcom_set_default_allocator ever made the default, by slot (slot 0: the platform's,
 * NULL here), and the slot of the default now. An object of a class without an allocator records
 * the slot it came from in its header (kcom_object_header.reserved) and goes back there, whatever
 * the default is when it is released. Slots are written once, before they are published. Not for
 * direct use: read the default with kcom_default_allocator and change it with
 * kcom_set_default_allocator. */
#define KCOM_RT_DEFAULT_SLOTS 64
extern const kcom_allocator *volatile kcom_rt_default_allocators[KCOM_RT_DEFAULT_SLOTS];
extern LONG volatile kcom_rt_default_slot;

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

/* The default allocator's slot now (0: the platform's). IRQL: any. */
static KCOM_FORCEINLINE ULONG kcom_rt_default_slot_now(void)
{
    return (ULONG)kcom_atomic_load(&kcom_rt_default_slot); /* acquire: the slot's entry is written */
}

/* A block from the default allocator of slot; size is not 0 and alignment a power of two.
 * IRQL: <= DISPATCH_LEVEL. Returns NULL when the allocator fails. */
static KCOM_FORCEINLINE void *kcom_rt_allocate_slot(ULONG slot, size_t size, size_t alignment)
{
    const kcom_allocator *allocator;
    if (KCOM_LIKELY(slot == 0)) {
        if (KCOM_LIKELY(alignment <= KCOM_NATURAL_ALIGNMENT))
            return kcom_rt_platform_allocate_natural(size);
        allocator = &kcom_rt_platform_allocator;
    } else {
        allocator = kcom_rt_default_allocators[slot];
    }
    return allocator->allocate(allocator->context, size, alignment);
}

/* Frees a non-NULL block kcom_rt_allocate_slot returned, with the same arguments. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_rt_free_slot(ULONG slot, void *block, size_t size, size_t alignment)
{
    const kcom_allocator *allocator;
    if (KCOM_LIKELY(slot == 0)) {
        if (KCOM_LIKELY(alignment <= KCOM_NATURAL_ALIGNMENT)) {
            kcom_rt_platform_free_natural(block);
            return;
        }
        allocator = &kcom_rt_platform_allocator;
    } else {
        allocator = kcom_rt_default_allocators[slot];
    }
    allocator->free(allocator->context, block, size, alignment);
}

/* Whether a (non-NULL) allocator has both its functions. One without is never called: a block it
 * gave could not be freed. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_allocator_complete(const kcom_allocator *allocator)
{
    return (BOOLEAN)(allocator->allocate != NULL && allocator->free != NULL);
}

/* A block from allocator (NULL: the default allocator now); size is not 0 and alignment a power of
 * two. IRQL: <= DISPATCH_LEVEL. Returns NULL when the allocator fails. */
static KCOM_FORCEINLINE void *kcom_rt_allocate(const kcom_allocator *allocator, size_t size, size_t alignment)
{
    if (allocator == NULL)
        return kcom_rt_allocate_slot(kcom_rt_default_slot_now(), size, alignment);
    return allocator->allocate(allocator->context, size, alignment);
}

/* Frees a non-NULL block kcom_rt_allocate returned, with the same arguments (NULL: the default
 * allocator now). IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_rt_free(const kcom_allocator *allocator, void *block, size_t size, size_t alignment)
{
    if (allocator == NULL)
        kcom_rt_free_slot(kcom_rt_default_slot_now(), block, size, alignment);
    else
        allocator->free(allocator->context, block, size, alignment);
}

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DETAIL_ALLOCATOR_H */
