/*
 * kcom/counting_allocator.h - an allocator that counts and checks what passes through it and can
 * fail on demand: for tests (leak checks, allocation-failure sweeps) in drivers and in kcom.
 *
 * Each block carries a small prefix recording its counter, size and alignment; a free with a
 * different size or alignment, through another counter, of a foreign pointer or a double free is a
 * fail-fast (KCOM_FAILFAST_ALLOCATOR_MISUSE), after an ERROR trace line that says which misuse it
 * is, with the block, its counter and what the block was allocated as (whatever the level filter
 * says, as the fail-fast's own report). The prefix is read to find out: a foreign pointer is caught
 * where the bytes before it are readable memory (one at the start of a page that follows an
 * unmapped one faults instead).
 */
#ifndef KCOM_COUNTING_ALLOCATOR_H
#define KCOM_COUNTING_ALLOCATOR_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/allocator.h>

typedef struct kcom_counting_allocator {
    kcom_allocator allocator;      /* pass &x.allocator wherever a kcom_allocator is wanted */
    const kcom_allocator *backing; /* where the blocks come from */
    LONG volatile live;            /* blocks allocated and not yet freed */
    LONG volatile attempts;        /* allocation requests, failed ones included (wraps past INT32_MAX) */
    LONG volatile failures;        /* requests refused by fail_nth */
    LONG volatile fail_at;         /* refuse the request with this 1-based number; 0: never */
    LONG64 volatile live_bytes;    /* bytes requested by live blocks */
} kcom_counting_allocator;

KCOM_BEGIN_DECLS

/*
 * kcom_counting_allocator_init - prepares counter over backing (NULL: the platform allocator).
 * IRQL: <= DISPATCH_LEVEL. Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER (NULL counter; a
 * backing whose allocate or free is NULL: counter is left unchanged).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_counting_allocator_init(_Out_ kcom_counting_allocator *counter,
                                      _In_opt_ const kcom_allocator *backing);

/*
 * kcom_counting_allocator_fail_nth - the n-th request from now (1 = the next one) returns NULL;
 * 0 (or a negative n) disables. Resets attempts and failures. IRQL: any. Never fails; a NULL
 * counter is ignored.
 */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_counting_allocator_fail_nth(_Inout_opt_ kcom_counting_allocator *counter, _In_ LONG n);

/* kcom_counting_allocator_live - blocks currently allocated (0 for a NULL counter). IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
LONG kcom_counting_allocator_live(_In_opt_ const kcom_counting_allocator *counter);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_COUNTING_ALLOCATOR_H */
