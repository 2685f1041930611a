/*
 * kcom/failfast.h - stopping at once when kcom detects corrupted state.
 *
 * Kernel: KeBugCheckEx(KCOM_BUGCHECK_CODE, reason, object, detail1, detail2).
 * Windows user mode: __fastfail(FAST_FAIL_INVALID_REFERENCE_COUNT) after tracing.
 * Host: traces, then abort().
 */
#ifndef KCOM_FAILFAST_H
#define KCOM_FAILFAST_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/types.h>

/* kcom's bugcheck code ("KCOM"); parameter 1 is one of the reasons below. */
#define KCOM_BUGCHECK_CODE 0x4B434F4DUL

typedef enum kcom_failfast_reason {
    KCOM_FAILFAST_REFCOUNT_OVERFLOW = 1,   /* AddRef at INT32_MAX; object, count */
    KCOM_FAILFAST_REFCOUNT_UNDERFLOW = 2,  /* Release at 0; object, count (a poisoned object's
                                              Release, KCOM_POISON_RELEASED: the interface,
                                              KCOM_POISONED_CALL) */
    KCOM_FAILFAST_RESURRECTION = 3,        /* a reference escaped the destroy callback; object, count */
    KCOM_FAILFAST_ADDREF_ON_DEAD = 4,      /* AddRef of an object whose count is 0; object (a
                                              poisoned object's AddRef: the interface,
                                              KCOM_POISONED_CALL) */
    KCOM_FAILFAST_ALLOCATOR_MISUSE = 5,    /* a counting allocator's free of a block not live (a
                                              double free, a foreign pointer): block, the prefix's
                                              magic; through another counter: block, this counter,
                                              the block's; with another size or alignment: block,
                                              the size and alignment passed. An ERROR line before
                                              it says which, with what was allocated */
    KCOM_FAILFAST_INVARIANT = 6,           /* an internal invariant does not hold; address, detail
                                              (a poisoned object's QueryInterface or method: the
                                              interface, KCOM_POISONED_CALL; the host simulation's
                                              misuse checks: object, IRQL, processor) */
    KCOM_FAILFAST_IRQL = 7,                /* called at an IRQL it does not allow (debug checks,
                                              kcom/debug.h); object, the IRQL, the highest allowed */
    KCOM_FAILFAST_RESULT_TYPE = 8,         /* a task's result written as a type of another size than
                                              its operation's (KCOM_TASK_RESULT in a KCOM_DEBUG
                                              file); operation, the type's size, the result's */
    KCOM_FAILFAST_SELF_WAIT = 9            /* a thread that waits for itself: an executor destroyed
                                              from one of its own tasks; the executor */
} kcom_failfast_reason;

KCOM_BEGIN_DECLS

/*
 * kcom_fail_fast - traces the reason at ERROR level (whatever the trace level filter says) and
 * stops: never returns. When kcom itself fails fast, an ERROR line before that one says what went
 * wrong in words (the call and the IRQL, the object's class, the sizes that differ).
 * IRQL: any (the kernel bugchecks). object and the details appear in the bugcheck parameters.
 * Above DISPATCH_LEVEL the kernel's trace of the reason (the default sink: _vsnprintf and
 * vDbgPrintExWithPrefix, documented up to DIRQL) runs outside those functions' range: at
 * HIGH_LEVEL the bugcheck's parameters are what to rely on.
 */
_IRQL_requires_max_(HIGH_LEVEL)
KCOM_NORETURN void kcom_fail_fast(_In_ kcom_failfast_reason reason, _In_opt_ const void *object,
                                  _In_ ULONG_PTR detail1, _In_ ULONG_PTR detail2);

/* kcom_failfast_reason_name - "reference count overflow" etc., for messages; "unknown reason" for a
 * value outside the enumeration. IRQL: any. Never NULL. */
_IRQL_requires_max_(HIGH_LEVEL)
_Ret_z_ const char *kcom_failfast_reason_name(_In_ kcom_failfast_reason reason);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_FAILFAST_H */
