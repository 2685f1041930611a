/*
 * The default allocator, over-alignment, and the pool tag.
 */
#include <kcom/allocator.h>
#include <kcom/atomic.h>

#include "internal.h"
#include "platform/platform.h"

void *kcom_aligned_allocate(void *(*allocate_natural)(void *context, size_t size), void *context,
                            size_t size, size_t alignment)
{
    size_t extra;
    char *raw;
    uintptr_t user;
    if (allocate_natural == NULL || size == 0 || !kcom_is_power_of_two(alignment))
        return NULL;
    extra = alignment - 1 + sizeof(void *);
    if (size > (size_t)-1 - extra)
        return NULL;
    raw = (char *)allocate_natural(context, size + extra);
    if (raw == NULL)
        return NULL;
    user = ((uintptr_t)raw + sizeof(void *) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    ((void **)user)[-1] = raw;
    return (void *)user;
}

void kcom_aligned_free(void (*free_natural)(void *context, void *block), void *context, void *block,
                       size_t alignment)
{
    (void)alignment;
    if (free_natural == NULL || block == NULL)
        return;
    free_natural(context, ((void **)block)[-1]);
}

static void *allocate_natural(void *context, size_t size)
{
    (void)context;
    return kcom_rt_platform_allocate_natural(size);
}

static void free_natural(void *context, void *block)
{
    (void)context;
    kcom_rt_platform_free_natural(block);
}

void *kcom_platform_allocate(void *context, size_t size, size_t alignment)
{
    (void)context;
    if (KCOM_LIKELY(alignment <= KCOM_NATURAL_ALIGNMENT))
        return kcom_rt_platform_allocate_natural(size);
    return kcom_aligned_allocate(allocate_natural, NULL, size, alignment);
}

void kcom_platform_free(void *context, void *block, size_t size, size_t alignment)
{
    (void)context;
    (void)size;
    if (KCOM_LIKELY(alignment <= KCOM_NATURAL_ALIGNMENT))
        kcom_rt_platform_free_natural(block);
    else
        kcom_aligned_free(free_natural, NULL, block, alignment);
}

const kcom_allocator kcom_rt_platform_allocator = {kcom_platform_allocate, kcom_platform_free, NULL};
const kcom_allocator *volatile kcom_rt_default_allocator; /* NULL: the platform allocator */
static LONG volatile pool_tag = (LONG)KCOM_DEFAULT_POOL_TAG;

const kcom_allocator *kcom_platform_allocator(void)
{
    return &kcom_rt_platform_allocator;
}

const kcom_allocator *kcom_default_allocator(void)
{
    const kcom_allocator *allocator =
        (const kcom_allocator *)kcom_atomic_load_ptr((void *volatile *)&kcom_rt_default_allocator);
    return allocator != NULL ? allocator : &kcom_rt_platform_allocator;
}

NTSTATUS kcom_set_default_allocator(const kcom_allocator *allocator)
{
    if (allocator != NULL && (allocator->allocate == NULL || allocator->free == NULL))
        return STATUS_INVALID_PARAMETER;
    if (allocator == &kcom_rt_platform_allocator)
        allocator = NULL; /* the inline path's test for the platform allocator is a test for NULL */
    kcom_atomic_store_ptr((void *volatile *)&kcom_rt_default_allocator, (void *)(uintptr_t)allocator);
    return STATUS_SUCCESS;
}

NTSTATUS kcom_set_pool_tag(ULONG tag)
{
    if (tag == 0)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_store(&pool_tag, (LONG)tag);
    return STATUS_SUCCESS;
}

ULONG kcom_pool_tag(void)
{
    return (ULONG)kcom_atomic_load(&pool_tag);
}

void *kcom_allocate(const kcom_allocator *allocator, size_t size, size_t alignment)
{
    if (size == 0 || !kcom_is_power_of_two(alignment))
        return NULL;
    return kcom_rt_allocate(allocator, size, alignment);
}

void kcom_free(const kcom_allocator *allocator, void *block, size_t size, size_t alignment)
{
    if (block == NULL)
        return;
    kcom_rt_free(allocator, block, size, alignment);
}
