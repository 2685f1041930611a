/*
 * Windows user mode: the process heap, stderr plus the debugger, and __fastfail.
 */
#include "platform/platform.h"

#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#include "platform/timer_service.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The SDK's value; mingw-w64's winnt.h stops at 9. */
#ifndef FAST_FAIL_INVALID_REFERENCE_COUNT
#define FAST_FAIL_INVALID_REFERENCE_COUNT 14
#endif

ULONG kcom_platform_processor_hint(void)
{
    return kcom_rt_processor_hint();
}

NTSTATUS kcom_platform_initialize(void)
{
    return STATUS_SUCCESS; /* GetProcessHeap() is valid for the whole life of the process */
}

void kcom_platform_uninitialize(void)
{
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
    (void)kcom_timer_service_stop(FALSE); /* its thread is joined once nothing is armed */
#endif
}

void *kcom_rt_platform_allocate_natural(size_t size)
{
    return HeapAlloc(GetProcessHeap(), 0, size);
}

void kcom_rt_platform_free_natural(void *block)
{
    HeapFree(GetProcessHeap(), 0, block);
}

/* Appends to a line buffer, truncating; returns the new length, and ends a cut text in "...". */
static size_t append(char *line, size_t size, size_t used, const char *format, va_list args)
{
    int written;
    if (used + 1 >= size)
        return used;
    written = vsnprintf(line + used, size - used, format, args);
    if (written < 0)
        return used;
    if ((size_t)written < size - used)
        return used + (size_t)written;
    if (size - 1 - used >= 3)
        memcpy(line + size - 4, "...", 3); /* cut: say so (a hook gets the whole message) */
    return size - 1;
}

static size_t append_f(char *line, size_t size, size_t used, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    used = append(line, size, used, format, args);
    va_end(args);
    return used;
}

void kcom_platform_trace(void *context, kcom_trace_level level, const char *file, int line,
                         const char *format, va_list args)
{
    /* Formatted once into one line, then written with one call to each sink, so concurrent
     * messages stay whole and a debugger sees the same text as stderr. */
    char text[1024];
    size_t used;
    (void)context;
    if (file != NULL)
        used = append_f(text, sizeof(text) - 1, 0, "kcom %s: %s:%d: ", kcom_trace_level_name(level), kcom_platform_base_name(file), line);
    else
        used = append_f(text, sizeof(text) - 1, 0, "kcom %s: ", kcom_trace_level_name(level));
    used = append(text, sizeof(text) - 1, used, format, args);
    text[used++] = '\n';
    text[used] = '\0';
    fputs(text, stderr);
    fflush(stderr);
    OutputDebugStringA(text);
}

void kcom_platform_fail_fast(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1,
                             ULONG_PTR detail2)
{
    (void)reason;
    (void)object;
    (void)detail1;
    (void)detail2;
    fflush(stderr);
    /* __fastfail: no exception handler or unhandled-exception filter runs; the process ends at
     * once with STATUS_STACK_BUFFER_OVERRUN and this subcode, which Windows Error Reporting
     * records. mingw-w64 lacks the intrinsic, so it is spelled out (int 0x29, code in ecx). */
#if defined(_MSC_VER)
    __fastfail(FAST_FAIL_INVALID_REFERENCE_COUNT);
#elif defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("int $0x29" : : "c"(FAST_FAIL_INVALID_REFERENCE_COUNT) : "memory");
    __builtin_unreachable();
#else
    abort();
#endif
}
