/*
 * The free lists of both Windows targets (kcom_caching_allocator): an SLIST. In user mode these are
 * kernel32's InterlockedPushEntrySList / InterlockedPopEntrySList; in the kernel the DDK maps the
 * same names to ntoskrnl's ExpInterlocked*SList on x64, callable at any IRQL on non-paged memory
 * and exported by every Windows kernel and by Wine's ntoskrnl. The header carries a sequence number
 * next to the first entry and changes both with one double-width compare-exchange, so a pop can
 * never be fooled by a block that was popped and pushed again (ABA). (A kernel lookaside list was
 * the alternative; it allocates through the pool itself, with no backing allocator, and sizes its
 * depth on its own.)
 *
 * The depth bound: QueryDepthSList, then the push. Two frees may both see depth - 1 and both
 * push, so the list can exceed the depth by at most the number of frees running at once.
 */
#include "../platform.h"

KCOM_STATIC_ASSERT(sizeof(SLIST_HEADER) <= sizeof(kcom_rt_free_list) &&
                       KCOM_ALIGNOF(SLIST_HEADER) <= KCOM_ALIGNOF(kcom_rt_free_list),
                   "an SLIST_HEADER must fit the storage kcom_caching_allocator reserves");
KCOM_STATIC_ASSERT(sizeof(SLIST_ENTRY) <= KCOM_PLATFORM_FREE_ENTRY_SIZE &&
                       KCOM_ALIGNOF(SLIST_ENTRY) <= KCOM_PLATFORM_FREE_ENTRY_SIZE,
                   "a free block must be able to hold an SLIST_ENTRY");
KCOM_STATIC_ASSERT(KCOM_CACHING_ALLOCATOR_MAX_DEPTH < 0x8000, "an SLIST counts its entries in 16 bits");

static PSLIST_HEADER slist(kcom_rt_free_list *list)
{
    return (PSLIST_HEADER)(void *)list->opaque;
}

void kcom_platform_free_list_init(kcom_rt_free_list *list)
{
    InitializeSListHead(slist(list));
}

void *kcom_platform_free_list_pop(kcom_rt_free_list *list)
{
    return InterlockedPopEntrySList(slist(list));
}

BOOLEAN kcom_platform_free_list_push(kcom_rt_free_list *list, void *block, ULONG depth)
{
    if (QueryDepthSList(slist(list)) >= depth)
        return FALSE;
    InterlockedPushEntrySList(slist(list), (PSLIST_ENTRY)block);
    return TRUE;
}

void *kcom_platform_free_list_flush(kcom_rt_free_list *list)
{
    return InterlockedFlushSList(slist(list));
}

ULONG kcom_platform_free_list_count(kcom_rt_free_list *list)
{
    return QueryDepthSList(slist(list));
}
