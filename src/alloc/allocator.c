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
const kcom_allocator *volatile kcom_rt_default_allocators[KCOM_RT_DEFAULT_SLOTS]; /* [0]: the platform's */
LONG volatile kcom_rt_default_slot;
static LONG volatile default_slots_used = 1; /* slot 0 is the platform's */
static LONG volatile default_slots_lock;   /* two threads setting a new default at once */
static LONG volatile pool_tag = (LONG)KCOM_DEFAULT_POOL_TAG;

const kcom_allocator *kcom_platform_allocator(void)
{
    return &kcom_rt_platform_allocator;
}

const kcom_allocator *kcom_default_allocator(void)
{
    ULONG slot = kcom_rt_default_slot_now();
    return slot != 0 ? kcom_rt_default_allocators[slot] : &kcom_rt_platform_allocator;
}

/* The slot of allocator, given one the first time it becomes the default: slots are never reused,
 * since objects may still record them. 0 when every slot is taken. */
static ULONG default_slot_of(const kcom_allocator *allocator)
{
    LONG used = kcom_atomic_load(&default_slots_used), i;
    for (i = 1; i < used; i++)
        if (kcom_rt_default_allocators[i] == allocator)
            return (ULONG)i;
    if (used == KCOM_RT_DEFAULT_SLOTS)
        return 0;
    kcom_rt_default_allocators[used] = allocator;
    kcom_atomic_store(&default_slots_used, used + 1);
    return (ULONG)used;
}

NTSTATUS kcom_set_default_allocator(const kcom_allocator *allocator)
{
    ULONG slot = 0;
    if (!kcom_allocator_usable(allocator))
        return STATUS_INVALID_PARAMETER;
    /* the platform allocator is slot 0, which the inline paths test for */
    if (allocator != NULL && allocator != &kcom_rt_platform_allocator) {
        while (kcom_atomic_exchange(&default_slots_lock, 1) != 0)
            kcom_cpu_relax();
        slot = default_slot_of(allocator);
        kcom_atomic_store(&default_slots_lock, 0);
        if (slot == 0)
            return STATUS_INSUFFICIENT_RESOURCES;
    }
    kcom_atomic_store(&kcom_rt_default_slot, (LONG)slot); /* release: the slot's entry first */
    return STATUS_SUCCESS;
}

NTSTATUS kcom_set_pool_tag(ULONG tag)
{
    unsigned i;
    /* four printable ASCII characters, as the kernel wants them: bit 31 would be PROTECTED_POOL,
     * and a protected block freed without its tag (as the platform allocator frees) stops the
     * system */
    for (i = 0; i < 4; i++) {
        ULONG c = (tag >> (8 * i)) & 0xFF;
        if (c < 0x20 || c > 0x7E)
            return STATUS_INVALID_PARAMETER;
    }
    kcom_atomic_store(&pool_tag, (LONG)tag);
    return STATUS_SUCCESS;
}

ULONG kcom_pool_tag(void)
{
    return (ULONG)kcom_atomic_load(&pool_tag);
}

void *kcom_allocate(const kcom_allocator *allocator, size_t size, size_t alignment)
{
    if (size == 0 || !kcom_is_power_of_two(alignment) || !kcom_allocator_usable(allocator))
        return NULL;
    return kcom_rt_allocate(allocator, size, alignment);
}

void kcom_free(const kcom_allocator *allocator, void *block, size_t size, size_t alignment)
{
    if (block == NULL)
        return;
    kcom_rt_free(allocator, block, size, alignment);
}
