/*
 * atomic_probe.c - each kcom atomic (kcom/atomic.h) in a function of its own, compiled for a
 * kernel target and disassembled by check-atomics.sh, which checks that each carries the ordering
 * atomic.h documents in the instructions the target executes (ARM64: ldar, stlr, dmb and the
 * exclusive pairs). Compiled, not linked.
 */
#include <kcom/atomic.h>

LONG kcom_probe_fetch_add(LONG volatile *target, LONG value);
LONG kcom_probe_load(LONG volatile *target);
void kcom_probe_store(LONG volatile *target, LONG value);
LONG kcom_probe_exchange(LONG volatile *target, LONG value);
LONG kcom_probe_compare_exchange(LONG volatile *target, LONG expected, LONG desired);
LONG kcom_probe_or(LONG volatile *target, LONG bits);
void *kcom_probe_load_ptr(void *volatile *target);
void kcom_probe_store_ptr(void *volatile *target, void *value);
void *kcom_probe_exchange_ptr(void *volatile *target, void *value);
void *kcom_probe_compare_exchange_ptr(void *volatile *target, void *expected, void *desired);
LONG64 kcom_probe_fetch_add64(LONG64 volatile *target, LONG64 value);
LONG64 kcom_probe_load64(LONG64 volatile *target);
void kcom_probe_acquire_fence(void);

LONG kcom_probe_fetch_add(LONG volatile *target, LONG value)
{
    return kcom_atomic_fetch_add(target, value);
}
LONG kcom_probe_load(LONG volatile *target)
{
    return kcom_atomic_load(target);
}
void kcom_probe_store(LONG volatile *target, LONG value)
{
    kcom_atomic_store(target, value);
}
LONG kcom_probe_exchange(LONG volatile *target, LONG value)
{
    return kcom_atomic_exchange(target, value);
}
LONG kcom_probe_compare_exchange(LONG volatile *target, LONG expected, LONG desired)
{
    return kcom_atomic_compare_exchange(target, expected, desired);
}
LONG kcom_probe_or(LONG volatile *target, LONG bits)
{
    return kcom_atomic_or(target, bits);
}
void *kcom_probe_load_ptr(void *volatile *target)
{
    return kcom_atomic_load_ptr(target);
}
void kcom_probe_store_ptr(void *volatile *target, void *value)
{
    kcom_atomic_store_ptr(target, value);
}
void *kcom_probe_exchange_ptr(void *volatile *target, void *value)
{
    return kcom_atomic_exchange_ptr(target, value);
}
void *kcom_probe_compare_exchange_ptr(void *volatile *target, void *expected, void *desired)
{
    return kcom_atomic_compare_exchange_ptr(target, expected, desired);
}
LONG64 kcom_probe_fetch_add64(LONG64 volatile *target, LONG64 value)
{
    return kcom_atomic_fetch_add64(target, value);
}
LONG64 kcom_probe_load64(LONG64 volatile *target)
{
    return kcom_atomic_load64(target);
}
void kcom_probe_acquire_fence(void)
{
    kcom_atomic_acquire_fence();
}
