/*
 * The counting allocator: live-block accounting, misuse checks and failure injection.
 */
#include <kcom/atomic.h>
#include <kcom/counting_allocator.h>
#include <kcom/failfast.h>

#include "internal.h"

/* Sits just before each block handed out. */
typedef struct block_record {
    const kcom_counting_allocator *owner; /* a free through another counter is misuse */
    ULONG magic;
    ULONG alignment;
    size_t size;
} block_record;

#define RECORD_LIVE 0x4B434C56u  /* "KCLV" */
#define RECORD_FREED 0x4B434644u /* "KCFD" */

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Bytes in front of the user block: the record, rounded up to the block's alignment. */
static size_t front_size(size_t alignment)
{
    return (sizeof(block_record) + alignment - 1) & ~(alignment - 1);
}

static void *counting_allocate(void *context, size_t size, size_t alignment)
{
    kcom_counting_allocator *counter = (kcom_counting_allocator *)context;
    size_t block_alignment = max_size(alignment, KCOM_ALIGNOF(block_record));
    size_t front = front_size(block_alignment);
    /* unsigned: past INT32_MAX requests the count wraps, with no signed overflow */
    LONG attempt = (LONG)((ULONG)kcom_atomic_fetch_add(&counter->attempts, 1) + 1u);
    LONG fail_at = kcom_atomic_load(&counter->fail_at);
    char *raw;
    block_record *record;
    if (fail_at != 0 && attempt == fail_at) {
        kcom_atomic_fetch_add(&counter->failures, 1);
        return NULL;
    }
    if (size == 0 || size > (size_t)-1 - front)
        return NULL;
    raw = (char *)kcom_allocate(counter->backing, front + size, block_alignment);
    if (raw == NULL)
        return NULL;
    record = (block_record *)(void *)(raw + front - sizeof(block_record));
    record->owner = counter;
    record->magic = RECORD_LIVE;
    record->alignment = (ULONG)alignment;
    record->size = size;
    kcom_atomic_fetch_add(&counter->live, 1);
    kcom_atomic_fetch_add64(&counter->live_bytes, (LONG64)size);
    return raw + front;
}

static void counting_free(void *context, void *block, size_t size, size_t alignment)
{
    kcom_counting_allocator *counter = (kcom_counting_allocator *)context;
    size_t block_alignment = max_size(alignment, KCOM_ALIGNOF(block_record));
    size_t front = front_size(block_alignment);
    block_record *record;
    if (block == NULL)
        return;
    record = (block_record *)(void *)((char *)block - sizeof(block_record));
    /* The fail-fast's details are figures without names: a line first says which misuse it is. */
    if (record->magic != RECORD_LIVE) {
        kcom_fail_fast_because(KCOM_FAILFAST_ALLOCATOR_MISUSE, block, record->magic, 0, __FILE__, __LINE__,
                               "counting allocator %p: block %p freed twice, or not allocated by a counting allocator",
                               (void *)counter, block);
    }
    if (record->owner != counter) {
        kcom_fail_fast_because(KCOM_FAILFAST_ALLOCATOR_MISUSE, block, (ULONG_PTR)counter, (ULONG_PTR)record->owner,
                               __FILE__, __LINE__,
                               "counting allocator %p: block %p of counting allocator %p freed through another "
                               "counting allocator",
                               (void *)counter, block, (const void *)record->owner);
    }
    if (record->size != size || record->alignment != (ULONG)alignment) {
        kcom_fail_fast_because(KCOM_FAILFAST_ALLOCATOR_MISUSE, block, size, alignment, __FILE__, __LINE__,
                               "counting allocator %p: block %p freed as %zu bytes aligned to %zu, allocated as %zu "
                               "bytes aligned to %zu",
                               (void *)counter, block, size, alignment, record->size, (size_t)record->alignment);
    }
    record->magic = RECORD_FREED;
    kcom_atomic_fetch_add(&counter->live, -1);
    kcom_atomic_fetch_add64(&counter->live_bytes, -(LONG64)size);
    kcom_free(counter->backing, (char *)block - front, front + size, block_alignment);
}

NTSTATUS kcom_counting_allocator_init(kcom_counting_allocator *counter, const kcom_allocator *backing)
{
    if (counter == NULL || !kcom_allocator_usable(backing))
        return STATUS_INVALID_PARAMETER;
    counter->allocator.allocate = counting_allocate;
    counter->allocator.free = counting_free;
    counter->allocator.context = counter;
    counter->backing = backing != NULL ? backing : kcom_platform_allocator();
    counter->live = 0;
    counter->attempts = 0;
    counter->failures = 0;
    counter->fail_at = 0;
    counter->live_bytes = 0;
    return STATUS_SUCCESS;
}

void kcom_counting_allocator_fail_nth(kcom_counting_allocator *counter, LONG n)
{
    if (counter == NULL)
        return;
    kcom_atomic_store(&counter->fail_at, 0);
    kcom_atomic_store(&counter->attempts, 0);
    kcom_atomic_store(&counter->failures, 0);
    kcom_atomic_store(&counter->fail_at, n < 0 ? 0 : n);
}

LONG kcom_counting_allocator_live(const kcom_counting_allocator *counter)
{
    if (counter == NULL)
        return 0;
    return kcom_atomic_load((LONG volatile *)&counter->live);
}
