/*
 * The Linux host: the C heap, stderr and abort().
 */
#define _POSIX_C_SOURCE 200809L

#include "posix_internal.h"

#include <stdio.h>
#include <stdlib.h>

NTSTATUS kcom_platform_initialize(void)
{
    return STATUS_SUCCESS; /* nothing to resolve on the host */
}

void kcom_platform_uninitialize(void)
{
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
    /* the kernel simulation's threads and the timer thread end; the next use starts them again */
    kcom_posix_uninitialize_async();
#endif
}

/* The thread numbers that stand in for processor numbers (kcom/detail/processor.h): 1 to
 * KCOM_RT_PROCESSOR_SLOTS - 1, round and round as threads first ask. */
__thread ULONG kcom_rt_thread_hint;
static LONG volatile thread_hints;

ULONG kcom_platform_processor_hint(void)
{
    if (kcom_rt_thread_hint == 0) /* none yet */
        kcom_rt_thread_hint = (ULONG)kcom_atomic_fetch_add(&thread_hints, 1) % (KCOM_RT_PROCESSOR_SLOTS - 1u) + 1u;
    return kcom_rt_thread_hint;
}

void *kcom_rt_platform_allocate_natural(size_t size)
{
    return malloc(size);
}

void kcom_rt_platform_free_natural(void *block)
{
    free(block);
}

void kcom_platform_trace(void *context, kcom_trace_level level, const char *file, int line,
                         const char *format, va_list args)
{
    (void)context;
    /* one fprintf per piece, under the stream's lock, so concurrent messages stay whole lines */
    flockfile(stderr);
    if (file != NULL) {
        fprintf(stderr, "kcom %s: %s:%d: ", kcom_trace_level_name(level), kcom_platform_base_name(file), line);
    } else {
        fprintf(stderr, "kcom %s: ", kcom_trace_level_name(level));
    }
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void kcom_platform_fail_fast(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1,
                             ULONG_PTR detail2)
{
    (void)reason;
    (void)object;
    (void)detail1;
    (void)detail2;
    fflush(stderr);
    abort();
}
