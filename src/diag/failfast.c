/*
 * Fail-fast: trace the reason, then let the platform stop.
 */
#include <kcom/failfast.h>
#include <kcom/trace.h>

#include "internal.h"
#include "platform/platform.h"

const char *kcom_failfast_reason_name(kcom_failfast_reason reason)
{
    switch (reason) {
    case KCOM_FAILFAST_REFCOUNT_OVERFLOW:
        return "reference count overflow";
    case KCOM_FAILFAST_REFCOUNT_UNDERFLOW:
        return "reference count underflow";
    case KCOM_FAILFAST_RESURRECTION:
        return "object resurrected by its destroy callback";
    case KCOM_FAILFAST_ADDREF_ON_DEAD:
        return "AddRef on an object with no references";
    case KCOM_FAILFAST_ALLOCATOR_MISUSE:
        return "allocator misuse";
    case KCOM_FAILFAST_INVARIANT:
        return "broken invariant";
    case KCOM_FAILFAST_IRQL:
        return "called at a forbidden IRQL";
    case KCOM_FAILFAST_RESULT_TYPE:
        return "task result of the wrong size";
    case KCOM_FAILFAST_SELF_WAIT:
        return "a thread that waits for itself";
    }
    return "unknown reason";
}

void kcom_fail_fast(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1, ULONG_PTR detail2)
{
    /* whatever the level filter says: this is the last thing the program says */
    kcom_trace_unfiltered(KCOM_TRACE_LEVEL_ERROR, NULL, 0, "fail-fast %u: %s (object %p, details 0x%llx 0x%llx)",
               (unsigned)reason, kcom_failfast_reason_name(reason), object, (unsigned long long)detail1,
               (unsigned long long)detail2);
    kcom_platform_fail_fast(reason, object, detail1, detail2);
}

void kcom_vfail_fast_because(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1, ULONG_PTR detail2,
                             const char *file, int line, const char *format, va_list args)
{
    kcom_vtrace_unfiltered(KCOM_TRACE_LEVEL_ERROR, file, line, format, args);
    kcom_fail_fast(reason, object, detail1, detail2);
}

void kcom_fail_fast_because(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1, ULONG_PTR detail2,
                            const char *file, int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    kcom_vfail_fast_because(reason, object, detail1, detail2, file, line, format, args);
}

ULONG kcom_fail_fast_jump(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1, ULONG_PTR detail2)
{
    kcom_fail_fast(reason, object, detail1, detail2);
}
