/*
 * internal.h - declarations shared by the runtime's source files only.
 */
#ifndef KCOM_SRC_INTERNAL_H
#define KCOM_SRC_INTERNAL_H

#include <kcom/allocator.h>
#include <kcom/atomic.h>
#include <kcom/failfast.h>
#include <kcom/trace.h>

/* A valid alignment: a non-zero power of two. */
static KCOM_FORCEINLINE BOOLEAN kcom_is_power_of_two(size_t value)
{
    return (BOOLEAN)(value != 0 && (value & (value - 1)) == 0);
}

/* An allocator kcom may call: NULL (the default) or one with both functions. */
static KCOM_FORCEINLINE BOOLEAN kcom_allocator_usable(const kcom_allocator *allocator)
{
    return (BOOLEAN)(allocator == NULL || kcom_rt_allocator_complete(allocator));
}

/* The cache line that per-processor state is laid out for (64 bytes on the x86, x64 and ARM64
 * processors Windows runs on), and bytes rounded up to whole lines: state that one processor
 * writes all the time gets lines of its own. */
#define KCOM_CACHE_LINE 64
#define KCOM_CACHE_LINES(bytes) (((size_t)(bytes) + KCOM_CACHE_LINE - 1) & ~(size_t)(KCOM_CACHE_LINE - 1))

/* Hands a message to the trace hook whatever the level filter says (fail-fast messages). */
void kcom_trace_unfiltered(kcom_trace_level level, const char *file, int line, const char *format, ...)
    KCOM_PRINTF_FORMAT(4, 5);
void kcom_vtrace_unfiltered(kcom_trace_level level, const char *file, int line, const char *format, va_list args)
    KCOM_PRINTF_FORMAT(4, 0);

/* kcom_fail_fast after an ERROR line, whatever the level filter says, that says what went wrong in
 * words: the call, the class, the figures that differ. The bugcheck's parameters are numbers only,
 * and the fail-fast's own line gives just the reason's name. IRQL: any. */
KCOM_NORETURN void kcom_fail_fast_because(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1,
                                          ULONG_PTR detail2, const char *file, int line, const char *format, ...)
    KCOM_PRINTF_FORMAT(7, 8);
KCOM_NORETURN void kcom_vfail_fast_because(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1,
                                           ULONG_PTR detail2, const char *file, int line, const char *format,
                                           va_list args) KCOM_PRINTF_FORMAT(7, 0);

/* kcom_fail_fast for the rare branch of a hot function, declared as if it returned so that the
 * branch ends in a jump (return kcom_fail_fast_jump(...)). A call to a function known not to
 * return stays a call, which needs an aligned stack: clang then gives the whole function a frame,
 * its usual path included. Defined in src/diag/failfast.c, where no caller sees that it does not
 * return. IRQL: any. */
ULONG kcom_fail_fast_jump(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1, ULONG_PTR detail2);

/* 0, returned by a rare path's function that a hot function ends in a jump to (a final Release's
 * count, say). clang works out that a function of the file returns 0 whatever it does, then
 * returns that 0 itself after calling it: a call, not a jump, so the hot function gets a frame on
 * every path. The empty asm hides the value; other compilers keep the jump either way. */
static KCOM_FORCEINLINE ULONG kcom_zero_for_jump(void)
{
    ULONG zero = 0;
#if defined(__clang__)
    __asm__("" : "+r"(zero));
#endif
    return zero;
}

/* The debug options (src/diag/debug.c), each read on its own where it is checked: a wait reads
 * its watchdog period without a call. */
extern LONG volatile kcom_rt_debug_assert_irql;
extern LONG volatile kcom_rt_debug_wait_watchdog_ms;

static KCOM_FORCEINLINE BOOLEAN kcom_rt_debug_asserts_irql(void)
{
    return (BOOLEAN)(kcom_atomic_load(&kcom_rt_debug_assert_irql) != 0);
}

static KCOM_FORCEINLINE ULONG kcom_rt_debug_watchdog_ms(void)
{
    return (ULONG)kcom_atomic_load(&kcom_rt_debug_wait_watchdog_ms);
}

#endif /* KCOM_SRC_INTERNAL_H */
