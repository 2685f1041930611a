/*
 * kcom/detail/refcount.h - not for direct use: included by kcom/refcount.h, at its end.
 *
 * The inline AddRef on an object's header (what the generated AddRef shims call) and the slow
 * paths, one per hardening mode, behind it and behind the inline Release of kcom/detail/object.h.
 */
#ifndef KCOM_DETAIL_REFCOUNT_H
#define KCOM_DETAIL_REFCOUNT_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#ifndef KCOM_REFCOUNT_H
#error "kcom/detail/refcount.h is not for direct use: include <kcom/refcount.h>"
#endif

#include <kcom/detail/pp.h>
#include <kcom/status.h>

KCOM_BEGIN_DECLS

/* Slow paths, one per mode; called by the inline AddRef (kcom_rt_addref) and Release
 * (kcom_rt_release_with, kcom/detail/object.h) only, at their IRQL. Return the count those return. */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_rt_addref_slow_0(_Inout_ kcom_object_header *header, _In_ LONG old);
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_rt_addref_slow_1(_Inout_ kcom_object_header *header, _In_ LONG old);
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_rt_addref_slow_2(_Inout_ kcom_object_header *header, _In_ LONG old);
/* The overflow of the reference a QueryInterface hit adds (kcom_rt_addref_held): what AddRef at
 * INT32_MAX does in the mode, then STATUS_SUCCESS, the hit's status (so that the hit's call to it
 * is its last). */
_IRQL_requires_max_(HIGH_LEVEL)
NTSTATUS kcom_rt_query_overflow_1(_Inout_ kcom_object_header *header);
_IRQL_requires_max_(HIGH_LEVEL)
NTSTATUS kcom_rt_query_overflow_2(_Inout_ kcom_object_header *header);
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG kcom_rt_release_slow_0(_Inout_ kcom_object_header *header, _In_ LONG old);
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG kcom_rt_release_slow_1(_Inout_ kcom_object_header *header, _In_ LONG old);
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG kcom_rt_release_slow_2(_Inout_ kcom_object_header *header, _In_ LONG old);

KCOM_END_DECLS

#define KCOM_RT_ADDREF_SLOW KCOM_PP_CAT(kcom_rt_addref_slow_, KCOM_REFCOUNT_HARDENING)
#define KCOM_RT_RELEASE_SLOW KCOM_PP_CAT(kcom_rt_release_slow_, KCOM_REFCOUNT_HARDENING)

/* AddRef on the header: returns the new count (never fails; misuse goes to the slow path, which
 * traces, saturates or fails fast by mode). IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
static KCOM_FORCEINLINE ULONG kcom_rt_addref(_Inout_ kcom_object_header *header)
{
    LONG old = kcom_atomic_fetch_add(&header->refs, 1);
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_OFF
    if (KCOM_UNLIKELY(old == 0)) /* AddRef on a dead object is still reported */
        return KCOM_RT_ADDREF_SLOW(header, old);
    return (ULONG)old + 1u;
#else
    /* One compare on the new count, which is also the result: it is at most 1 (two's complement
     * wrap) exactly when old <= 0 or old == INT32_MAX. */
    LONG next = (LONG)((ULONG)old + 1u);
    if (KCOM_UNLIKELY(next <= 1))
        return KCOM_RT_ADDREF_SLOW(header, old);
    return (ULONG)next;
#endif
}

/* The reference a QueryInterface hit adds for a caller that holds one (so the count is at least
 * 1), and the hit's status: only the overflow is checked, which the one flag test after the locked
 * add finds (a count past INT32_MAX is negative). A dead object (count 0) is not looked for here:
 * reaching it through a pointer its caller no longer owns is a use after release, which
 * KCOM_POISON_RELEASED catches. IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_rt_addref_held(_Inout_ kcom_object_header *header)
{
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_OFF
    (void)kcom_atomic_fetch_add(&header->refs, 1);
#else
    LONG old = kcom_atomic_fetch_add(&header->refs, 1);
    if (KCOM_UNLIKELY((LONG)((ULONG)old + 1u) < 0))
        return KCOM_PP_CAT(kcom_rt_query_overflow_, KCOM_REFCOUNT_HARDENING)(header);
#endif
    return STATUS_SUCCESS;
}

/* Release lives in kcom/detail/object.h (kcom_rt_release_with), next to the destruction it may
 * trigger. */

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DETAIL_REFCOUNT_H */
