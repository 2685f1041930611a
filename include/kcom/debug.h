/*
 * kcom/debug.h - checks for debug builds: IRQL assertions and the blocking-wait watchdog.
 *
 * KCOM_DEBUG is 1 in a source file built for debugging (the WDK's DBG=1; without DBG, NDEBUG not
 * defined) and 0 otherwise. Its value when kcom's own sources were compiled chooses the defaults
 * below; a driver's files may see another value (a release driver over a debug kcom, or the
 * reverse), so read the defaults with kcom_get_debug_options, and change them at run time as
 * needed (tests turn them on in any build).
 */
#ifndef KCOM_DEBUG_H
#define KCOM_DEBUG_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/status.h>

#ifndef KCOM_DEBUG
#if defined(DBG)
#define KCOM_DEBUG (DBG != 0)
#elif !defined(NDEBUG)
#define KCOM_DEBUG 1
#else
#define KCOM_DEBUG 0
#endif
#endif

typedef struct kcom_debug_options {
    /* A call made at an IRQL its contract forbids, where kcom can only refuse it (a blocking wait
     * at DISPATCH_LEVEL), stops with kcom_fail_fast(KCOM_FAILFAST_IRQL) instead of returning the
     * documented status: the caller has a bug. Default: KCOM_DEBUG. */
    BOOLEAN assert_irql;
    /* A blocking wait (kcom_async_block_on) that has waited this long traces a warning naming
     * the operation (a suspected deadlock), then again after each further period; it keeps
     * waiting. 0: off. Default: 30000 ms when KCOM_DEBUG, else 0. */
    ULONG wait_watchdog_ms;
} kcom_debug_options;

KCOM_BEGIN_DECLS

/*
 * kcom_set_debug_options - replaces the options (copied). Meant for DriverEntry or test setup;
 * waits already under way keep the watchdog period they started with.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for NULL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_set_debug_options(_In_ const kcom_debug_options *options);

/* kcom_get_debug_options - the current options. IRQL: any. NULL is ignored. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
void kcom_get_debug_options(_Out_opt_ kcom_debug_options *options);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DEBUG_H */
