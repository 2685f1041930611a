/*
 * kcom/detail/processor.h - not for direct use: included by kcom/detail/async.h.
 *
 * The processor the caller runs on, as the inline paths that pick per-processor state (the
 * operation cache's sets) need it. Code that differs between the targets belongs in
 * src/platform/; this is the exception, since the answer must be inline: a call would give every
 * async method's shim a stack frame (as it does where the platform offers nothing else: Windows
 * user mode, kernels on other processors than x86's). It is a hint, never a promise: below
 * DISPATCH_LEVEL the thread may move to another processor at once, so whatever it picks must be
 * safe to use from any processor.
 */
#ifndef KCOM_DETAIL_PROCESSOR_H
#define KCOM_DETAIL_PROCESSOR_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/types.h>

#if KCOM_TARGET_NTKERNEL && defined(_MSC_VER)
#include <intrin.h>
#endif

#if KCOM_TARGET_NTKERNEL && !(defined(_M_X64) || defined(__x86_64__) || defined(_M_IX86) || defined(__i386__))
KCOM_BEGIN_DECLS
/* Another processor than x86's: KeGetCurrentProcessorNumberEx, which kcom looks up when it
 * initializes (src/platform/ntkernel/); 0 without it. */
ULONG kcom_rt_processor_number(void);
KCOM_END_DECLS
#endif

/* Per-processor state keeps this many entries (a power of two), picked by the hint modulo it:
 * processors whose numbers are that far apart share one. */
#define KCOM_RT_PROCESSOR_SLOTS 16

#if KCOM_TARGET_POSIX
KCOM_BEGIN_DECLS
/* The host has no processor number this cheap: each thread gets a number of its own instead
 * (src/platform/posix/), 0 until the library gives it one, the first time it needs one. The numbers
 * go 1 to KCOM_RT_PROCESSOR_SLOTS - 1 and round again, never to the entry of 0, so that the entry a
 * thread without a number starts in holds nothing of a numbered one's and the thread's first
 * need comes at once. */
extern __thread ULONG kcom_rt_thread_hint;
KCOM_END_DECLS
#endif

/* The caller's processor, or on the host its thread's number (0 while it has none). Any value may
 * come back: reduce it modulo KCOM_RT_PROCESSOR_SLOTS. IRQL: any. */
static KCOM_FORCEINLINE ULONG kcom_rt_processor_hint(void)
{
#if KCOM_TARGET_NTKERNEL && (defined(_M_X64) || defined(__x86_64__))
    /* KPCR.Prcb.Number, what the DDK's inline KeGetCurrentProcessorNumber reads (ntddk.h, which a
     * driver on wdm.h alone lacks): the processor's number within its group. gcc's is asm: its
     * -Warray-bounds takes mingw-w64's __readgsword for a read of address 0x184 */
#if defined(_MSC_VER)
    return (ULONG)__readgsword(0x184);
#else
    ULONG number;
    __asm__ __volatile__("movzwl %%gs:0x184, %0" : "=r"(number));
    return number;
#endif
#elif KCOM_TARGET_NTKERNEL && (defined(_M_IX86) || defined(__i386__))
#if defined(_MSC_VER)
    return (ULONG)__readfsbyte(0x51); /* KPCR.Number, as above */
#else
    ULONG number;
    __asm__ __volatile__("movzbl %%fs:0x51, %0" : "=r"(number));
    return number;
#endif
#elif KCOM_TARGET_NTKERNEL
    return kcom_rt_processor_number();
#elif KCOM_TARGET_WIN32 && defined(_WIN32_WINNT) && _WIN32_WINNT >= 0x0600
    return (ULONG)GetCurrentProcessorNumber();
#elif KCOM_TARGET_WIN32
    return 0; /* before Vista's SDK: one set for every processor */
#else
    return kcom_rt_thread_hint;
#endif
}

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DETAIL_PROCESSOR_H */
