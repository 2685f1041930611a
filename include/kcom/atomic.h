/*
 * kcom/atomic.h - the interlocked operations kcom needs, on 32-bit LONGs, pointers and (for
 * counters) 64-bit LONG64s.
 *
 * The ordering each one gives, on every target:
 *   - the read-modify-writes (fetch_add, exchange, compare_exchange, or, and their _ptr and 64
 *     forms) are full barriers (sequentially consistent);
 *   - the loads are acquires: no later load or store of the caller moves before them;
 *   - the stores are releases: no earlier load or store of the caller moves after them;
 *   - kcom_atomic_acquire_fence orders every earlier load before every later load and store
 *     (kcom calls it only after a read-modify-write, so a gcc ThreadSanitizer build, where gcc has
 *     no fence, makes it a compiler barrier).
 * gcc and clang (all targets, kernel included) use the __atomic builtins with those orders (x86
 * and x64: lock-prefixed instructions and plain moves; ARM64: ldaxr/stlxr pairs, ldar, stlr and
 * dmb ishld). MSVC uses the Interlocked intrinsics for the read-modify-writes (full barriers on
 * every machine) and plain accesses for the loads and stores, which write nothing, so that
 * threads reading one word (an operation's status) share its cache line: __iso_volatile_load and
 * _store (volatile accesses whatever /volatile says) with a compiler barrier on x86 and x64, whose
 * loads are acquires and stores releases already, and on ARM64 a dmb ishld after the load and a
 * dmb ish before the store (a compiler barrier orders nothing there, nor does a volatile access
 * under ARM64's default /volatile:iso), as the acquire fence is a dmb ishld. On x86 MSVC has no
 * 64-bit Interlocked intrinsics but the compare-exchange (the WDK's other 64-bit ones are inline
 * functions over it): the 64-bit forms use it there, and so does kcom_atomic_load64 with gcc and
 * clang, which would otherwise load through the x87 unit.
 * What they return: each read-modify-write the value the target held before it (compare_exchange:
 * the value found, so the exchange happened when it equals expected); each load the value read.
 * IRQL: any (on non-paged data when above APC_LEVEL). None of them can fail.
 */
#ifndef KCOM_ATOMIC_H
#define KCOM_ATOMIC_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/types.h>

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>

/* The orders of a plain load and store (kcom_atomic_load and _store, below). */
#if defined(_M_ARM64)
#define KCOM_ATOMIC_AFTER_LOAD_() __dmb(_ARM64_BARRIER_ISHLD)
#define KCOM_ATOMIC_BEFORE_STORE_() __dmb(_ARM64_BARRIER_ISH)
#else
#define KCOM_ATOMIC_AFTER_LOAD_() _ReadWriteBarrier()
#define KCOM_ATOMIC_BEFORE_STORE_() _ReadWriteBarrier()
#endif

/* Returns the value before the addition. */
static KCOM_FORCEINLINE LONG kcom_atomic_fetch_add(LONG volatile *target, LONG value)
{
    return _InterlockedExchangeAdd((long volatile *)target, value);
}
static KCOM_FORCEINLINE LONG kcom_atomic_load(LONG volatile *target)
{
    LONG value = (LONG)__iso_volatile_load32((const volatile __int32 *)target);
    KCOM_ATOMIC_AFTER_LOAD_();
    return value;
}
static KCOM_FORCEINLINE void kcom_atomic_store(LONG volatile *target, LONG value)
{
    KCOM_ATOMIC_BEFORE_STORE_();
    __iso_volatile_store32((volatile __int32 *)target, (__int32)value);
}
static KCOM_FORCEINLINE LONG kcom_atomic_exchange(LONG volatile *target, LONG value)
{
    return _InterlockedExchange((long volatile *)target, value);
}
/* Returns the value found; the exchange happened when it equals expected. */
static KCOM_FORCEINLINE LONG kcom_atomic_compare_exchange(LONG volatile *target, LONG expected, LONG desired)
{
    return _InterlockedCompareExchange((long volatile *)target, desired, expected);
}
static KCOM_FORCEINLINE LONG kcom_atomic_or(LONG volatile *target, LONG bits)
{
    return _InterlockedOr((long volatile *)target, bits);
}
static KCOM_FORCEINLINE void *kcom_atomic_load_ptr(void *volatile *target)
{
#if defined(_M_IX86)
    void *value = (void *)(ULONG_PTR)__iso_volatile_load32((const volatile __int32 *)(void *)target);
#else
    void *value = (void *)(ULONG_PTR)__iso_volatile_load64((const volatile __int64 *)(void *)target);
#endif
    KCOM_ATOMIC_AFTER_LOAD_();
    return value;
}
static KCOM_FORCEINLINE void kcom_atomic_store_ptr(void *volatile *target, void *value)
{
    KCOM_ATOMIC_BEFORE_STORE_();
#if defined(_M_IX86)
    __iso_volatile_store32((volatile __int32 *)(void *)target, (__int32)(ULONG_PTR)value);
#else
    __iso_volatile_store64((volatile __int64 *)(void *)target, (__int64)(ULONG_PTR)value);
#endif
}
static KCOM_FORCEINLINE void *kcom_atomic_exchange_ptr(void *volatile *target, void *value)
{
    return _InterlockedExchangePointer(target, value);
}
/* Returns the pointer found; the exchange happened when it equals expected. */
static KCOM_FORCEINLINE void *kcom_atomic_compare_exchange_ptr(void *volatile *target, void *expected, void *desired)
{
    return _InterlockedCompareExchangePointer(target, desired, expected);
}
#if defined(_M_IX86)
static KCOM_FORCEINLINE LONG64 kcom_atomic_load64(LONG64 volatile *target)
{
    return _InterlockedCompareExchange64((__int64 volatile *)target, 0, 0);
}
static KCOM_FORCEINLINE LONG64 kcom_atomic_fetch_add64(LONG64 volatile *target, LONG64 value)
{
    LONG64 seen = kcom_atomic_load64(target), found; /* not *target: no torn or x87/SSE read */
    while ((found = _InterlockedCompareExchange64((__int64 volatile *)target, seen + value, seen)) != seen)
        seen = found;
    return seen;
}
#else
static KCOM_FORCEINLINE LONG64 kcom_atomic_fetch_add64(LONG64 volatile *target, LONG64 value)
{
    return _InterlockedExchangeAdd64((__int64 volatile *)target, value);
}
static KCOM_FORCEINLINE LONG64 kcom_atomic_load64(LONG64 volatile *target)
{
    LONG64 value = __iso_volatile_load64((const volatile __int64 *)target);
    KCOM_ATOMIC_AFTER_LOAD_();
    return value;
}
#endif
static KCOM_FORCEINLINE void kcom_atomic_acquire_fence(void)
{
#if defined(_M_ARM64)
    __dmb(_ARM64_BARRIER_ISHLD);
#else
    _ReadWriteBarrier(); /* x86 and x64 order loads with later loads and stores themselves */
#endif
}
/* The body of a spin-wait loop: tells the processor (and a sibling hyperthread) it is waiting. */
static KCOM_FORCEINLINE void kcom_cpu_relax(void)
{
#if defined(_M_X64) || defined(_M_IX86)
    _mm_pause();
#elif defined(_M_ARM64)
    __yield();
#endif
}

#else

static KCOM_FORCEINLINE LONG kcom_atomic_fetch_add(LONG volatile *target, LONG value)
{
    return __atomic_fetch_add(target, value, __ATOMIC_SEQ_CST);
}
static KCOM_FORCEINLINE LONG kcom_atomic_load(LONG volatile *target)
{
    return __atomic_load_n(target, __ATOMIC_ACQUIRE);
}
static KCOM_FORCEINLINE void kcom_atomic_store(LONG volatile *target, LONG value)
{
    __atomic_store_n(target, value, __ATOMIC_RELEASE);
}
static KCOM_FORCEINLINE LONG kcom_atomic_exchange(LONG volatile *target, LONG value)
{
    return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}
static KCOM_FORCEINLINE LONG kcom_atomic_compare_exchange(LONG volatile *target, LONG expected, LONG desired)
{
    __atomic_compare_exchange_n(target, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}
static KCOM_FORCEINLINE LONG kcom_atomic_or(LONG volatile *target, LONG bits)
{
    return __atomic_fetch_or(target, bits, __ATOMIC_SEQ_CST);
}
static KCOM_FORCEINLINE void *kcom_atomic_load_ptr(void *volatile *target)
{
    return __atomic_load_n(target, __ATOMIC_ACQUIRE);
}
static KCOM_FORCEINLINE void kcom_atomic_store_ptr(void *volatile *target, void *value)
{
    __atomic_store_n(target, value, __ATOMIC_RELEASE);
}
static KCOM_FORCEINLINE void *kcom_atomic_exchange_ptr(void *volatile *target, void *value)
{
    return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}
static KCOM_FORCEINLINE void *kcom_atomic_compare_exchange_ptr(void *volatile *target, void *expected, void *desired)
{
    __atomic_compare_exchange_n(target, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}
static KCOM_FORCEINLINE LONG64 kcom_atomic_fetch_add64(LONG64 volatile *target, LONG64 value)
{
    return __atomic_fetch_add(target, value, __ATOMIC_SEQ_CST);
}
static KCOM_FORCEINLINE LONG64 kcom_atomic_load64(LONG64 volatile *target)
{
#if defined(__i386__)
    /* x86 loads 8 bytes at once only through the x87 unit or SSE (fild/fistp, movq), which kernel
     * code may not touch without saving their state: a lock cmpxchg8b that writes back what it
     * found instead. */
    LONG64 found = 0;
    __atomic_compare_exchange_n(target, &found, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return found;
#else
    return __atomic_load_n(target, __ATOMIC_ACQUIRE);
#endif
}
static KCOM_FORCEINLINE void kcom_atomic_acquire_fence(void)
{
#if defined(__SANITIZE_THREAD__)
    /* gcc's ThreadSanitizer models no fence and warns at each one (-Wtsan). Every caller follows
     * a sequentially consistent read-modify-write, which acquires already: what remains of the
     * fence is keeping the compiler from moving accesses above it. */
    __atomic_signal_fence(__ATOMIC_ACQUIRE);
#else
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
#endif
}
static KCOM_FORCEINLINE void kcom_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_ATOMIC_H */
