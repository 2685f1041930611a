/*
 * kcom/atomic.h - the interlocked operations kcom needs, on 32-bit LONGs and pointers.
 *
 * gcc and clang (all targets, kernel included) use the __atomic builtins, which compile to the
 * same lock-prefixed instructions as the Interlocked* intrinsics; MSVC uses those intrinsics.
 * IRQL: any (on non-paged data when above APC_LEVEL). None of them can fail.
 */
#ifndef KCOM_ATOMIC_H
#define KCOM_ATOMIC_H

#include <kcom/types.h>

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>

/* Returns the value before the addition. Full barrier. */
static KCOM_FORCEINLINE LONG kcom_atomic_fetch_add(LONG volatile *target, LONG value)
{
    return _InterlockedExchangeAdd((long volatile *)target, value);
}
static KCOM_FORCEINLINE LONG kcom_atomic_load(LONG volatile *target)
{
    return _InterlockedOr((long volatile *)target, 0);
}
static KCOM_FORCEINLINE void kcom_atomic_store(LONG volatile *target, LONG value)
{
    (void)_InterlockedExchange((long volatile *)target, value);
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
    return _InterlockedCompareExchangePointer(target, NULL, NULL);
}
static KCOM_FORCEINLINE void kcom_atomic_store_ptr(void *volatile *target, void *value)
{
    (void)_InterlockedExchangePointer(target, value);
}
static KCOM_FORCEINLINE void kcom_atomic_acquire_fence(void)
{
    _ReadWriteBarrier();
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
static KCOM_FORCEINLINE void kcom_atomic_acquire_fence(void)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

#endif

#endif /* KCOM_ATOMIC_H */
