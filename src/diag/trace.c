/*
 * The trace hook and level filter.
 */
#include <kcom/atomic.h>
#include <kcom/trace.h>

#include "internal.h"
#include "platform/platform.h"

/* Set during initialization only (see kcom_set_trace_hook), so plain variables suffice. */
static kcom_trace_hook *trace_hook;
static void *trace_context;
static LONG volatile trace_level = KCOM_TRACE_LEVEL_WARNING;

void kcom_set_trace_hook(kcom_trace_hook *hook, void *context)
{
    trace_context = context;
    trace_hook = hook;
}

kcom_trace_level kcom_set_trace_level(kcom_trace_level level)
{
    /* a value outside the enumeration is a caller's slip: the filter stays as it is */
    if ((LONG)level < KCOM_TRACE_LEVEL_NONE || (LONG)level > KCOM_TRACE_LEVEL_VERBOSE)
        return (kcom_trace_level)kcom_atomic_load(&trace_level);
    return (kcom_trace_level)kcom_atomic_exchange(&trace_level, (LONG)level);
}

const char *kcom_trace_level_name(kcom_trace_level level)
{
    switch (level) {
    case KCOM_TRACE_LEVEL_ERROR:
        return "error";
    case KCOM_TRACE_LEVEL_WARNING:
        return "warning";
    case KCOM_TRACE_LEVEL_INFO:
        return "info";
    case KCOM_TRACE_LEVEL_VERBOSE:
        return "verbose";
    case KCOM_TRACE_LEVEL_NONE:
        return "none";
    }
    return "unknown";
}

BOOLEAN kcom_trace_enabled(kcom_trace_level level)
{
    /* a value outside the enumeration is a caller's slip: never delivered */
    return (BOOLEAN)((LONG)level >= KCOM_TRACE_LEVEL_ERROR && (LONG)level <= KCOM_TRACE_LEVEL_VERBOSE &&
                     (LONG)level <= kcom_atomic_load(&trace_level));
}

KCOM_PRINTF_FORMAT(4, 0)
static void emit(kcom_trace_level level, const char *file, int line, const char *format, va_list args)
{
    kcom_trace_hook *hook = trace_hook;
    if (hook != NULL)
        hook(trace_context, level, file, line, format, args);
    else
        kcom_platform_trace(NULL, level, file, line, format, args);
}

void kcom_vtrace(kcom_trace_level level, const char *file, int line, const char *format, va_list args)
{
    if (format != NULL && kcom_trace_enabled(level))
        emit(level, file, line, format, args);
}

void kcom_vtrace_unfiltered(kcom_trace_level level, const char *file, int line, const char *format, va_list args)
{
    emit(level, file, line, format, args);
}

void kcom_trace_unfiltered(kcom_trace_level level, const char *file, int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    emit(level, file, line, format, args);
    va_end(args);
}

void kcom_trace(kcom_trace_level level, const char *file, int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    kcom_vtrace(level, file, line, format, args);
    va_end(args);
}
