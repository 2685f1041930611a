/*
 * kcom/allocator.h - the allocator interface every kcom allocation goes through.
 *
 * An allocator is a pair of functions and a context. kcom always passes the size and alignment of
 * a block back to free, so allocators need not store them. Alignment is a power of two; requests
 * above the platform's natural alignment (16 on x64) are honoured by the default allocator.
 *
 * Defaults: kernel: ExAllocatePool2(POOL_FLAG_NON_PAGED) when the kernel exports it, otherwise
 * ExAllocatePoolWithTag(NonPagedPoolNx), with kcom's pool tag; Windows user mode: the process heap
 * (HeapAlloc and HeapFree on GetProcessHeap()); host: the C heap.
 */
#ifndef KCOM_ALLOCATOR_H
#define KCOM_ALLOCATOR_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/atomic.h>
#include <kcom/status.h>

typedef struct kcom_allocator {
    /* Returns a block of at least size bytes aligned to alignment, or NULL. Called at
     * IRQL <= DISPATCH_LEVEL (so it must hand out non-paged memory in the kernel). kcom trusts
     * the alignment (it does not check it): a block aligned less is undefined behaviour. */
    void *(*allocate)(void *context, size_t size, size_t alignment);
    /* Frees a block allocate returned (never NULL: kcom_free filters it), with the same size and
     * alignment. */
    void (*free)(void *context, void *block, size_t size, size_t alignment);
    void *context;
} kcom_allocator;

/* The default pool tag: bytes 'k' 'c' 'o' 'm' in memory, so pool tools show "kcom"
 * (the WDK spelling of the constant is 'mock'). */
#define KCOM_DEFAULT_POOL_TAG 0x6D6F636BUL

KCOM_BEGIN_DECLS

/*
 * kcom_default_allocator - the allocator used when a class or call names none: the one set with
 * kcom_set_default_allocator, else the platform's. IRQL: any. Never returns NULL.
 */
_IRQL_requires_max_(HIGH_LEVEL)
_Ret_notnull_ const kcom_allocator *kcom_default_allocator(void);

/* kcom_platform_allocator - the platform's own allocator (see the file comment). IRQL: any.
 * Never returns NULL. */
_IRQL_requires_max_(HIGH_LEVEL)
_Ret_notnull_ const kcom_allocator *kcom_platform_allocator(void);

/*
 * kcom_set_default_allocator - replaces the default allocator; NULL (or kcom_platform_allocator())
 * restores the platform's. Whatever kcom allocates through the default goes back to the allocator
 * it came from, whatever the default is by then: objects of classes without an allocator record
 * it in their header, operations, executors, trackers, thread pools and owned strings keep a
 * pointer to it. So it may be replaced while such blocks are alive, and each allocator must stay
 * valid until the last of its blocks is freed. kcom records every allocator ever made the
 * default, in 63 slots it never reuses; setting one recorded before takes no new slot. Blocks of
 * kcom_allocate(NULL, ...) are the caller's: kcom_free(NULL, ...) frees them through the default
 * of the moment.
 * IRQL: PASSIVE_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER if allocate or free is NULL;
 * STATUS_INSUFFICIENT_RESOURCES when 63 other allocators have been the default already. On
 * failure the default is left as it was.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_set_default_allocator(_In_opt_ const kcom_allocator *allocator);

/*
 * kcom_set_pool_tag - the pool tag the kernel's platform allocator uses for the blocks it
 * allocates from now on (default KCOM_DEFAULT_POOL_TAG). Blocks keep the tag they were allocated
 * with; the platform allocator frees without a tag check, so the tag may change while blocks are
 * alive. IRQL: PASSIVE_LEVEL. Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a tag that is
 * not four printable ASCII characters (each byte 0x20-0x7E, as the kernel's pool wants; bit 31
 * would make it a protected tag, which a free without the tag does not release).
 * Outside the kernel the tag is recorded (kcom_pool_tag returns it) but no allocator uses it.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_set_pool_tag(_In_ ULONG tag);

/* kcom_pool_tag - the current pool tag. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_pool_tag(void);

/*
 * kcom_allocate - allocates through allocator (NULL: the default allocator).
 * IRQL: <= DISPATCH_LEVEL. Returns NULL when size is 0, alignment is not a power of two, the
 * allocator's allocate or free is NULL, or the allocator fails. The block is not zeroed.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Ret_maybenull_ _Post_writable_byte_size_(size)
void *kcom_allocate(_In_opt_ const kcom_allocator *allocator, _In_ size_t size, _In_ size_t alignment);

/* kcom_free - returns a block from kcom_allocate with the same arguments; NULL is ignored.
 * IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_free(_In_opt_ const kcom_allocator *allocator, _Frees_ptr_opt_ void *block, _In_ size_t size,
               _In_ size_t alignment);

/*
 * kcom_aligned_allocate / kcom_aligned_free - over-alignment on top of an allocator that only
 * guarantees natural alignment (allocate(size + alignment + a pointer), keep the base just before
 * the aligned block). For writing allocators. Both only compute around one call of
 * allocate_natural or free_natural, so their IRQL is the range those callbacks allow: an
 * allocator's functions are called at IRQL <= DISPATCH_LEVEL (kcom_allocator), which is then
 * what allocate_natural and free_natural must allow (in the kernel: non-paged pool).
 * IRQL: <= DISPATCH_LEVEL, as far as the callbacks allow.
 * kcom_aligned_allocate returns NULL when allocate_natural is NULL, size is 0, alignment is not a
 * power of two, size + alignment overflows, or allocate_natural fails. kcom_aligned_free never
 * fails; a NULL block or free_natural is ignored.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Ret_maybenull_ _Post_writable_byte_size_(size)
void *kcom_aligned_allocate(_In_ void *(*allocate_natural)(void *context, size_t size), _In_opt_ void *context,
                            _In_ size_t size, _In_ size_t alignment);
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_aligned_free(_In_opt_ void (*free_natural)(void *context, void *block), _In_opt_ void *context,
                       _Frees_ptr_opt_ void *block, _In_ size_t alignment);

KCOM_END_DECLS

/* The inline allocation path of kcom objects (not for direct use). */
#include <kcom/detail/allocator.h>

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_ALLOCATOR_H */
