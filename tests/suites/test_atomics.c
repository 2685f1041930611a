/*
 * kcom/atomic.h: what each operation returns and leaves behind, 64-bit values included across
 * their 32-bit halves (on x86 the 64-bit forms are compare-exchange loops). The ordering each one
 * documents is checked in the instructions compiled for ARM64 and x86 (tests/kernel/ordering).
 */
#include "../harness/kcom_test.h"
#include <kcom/atomic.h>

void kcom_test_atomics(void)
{
    LONG volatile word = 5;
    LONG64 volatile wide = 0;
    void *volatile pointer = NULL;
    int object;

    ok(kcom_atomic_fetch_add(&word, 3) == 5 && word == 8, "fetch_add returns the value before\n");
    ok(kcom_atomic_fetch_add(&word, -8) == 8 && kcom_atomic_load(&word) == 0, "a negative addend subtracts\n");
    kcom_atomic_store(&word, 0x40);
    ok(kcom_atomic_load(&word) == 0x40, "load reads what store wrote\n");
    ok(kcom_atomic_or(&word, 0x3) == 0x40 && word == 0x43, "or returns the value before and sets the bits\n");
    ok(kcom_atomic_exchange(&word, 7) == 0x43 && word == 7, "exchange returns the value it replaced\n");
    ok(kcom_atomic_compare_exchange(&word, 7, 9) == 7 && word == 9, "compare_exchange swaps on a match\n");
    ok(kcom_atomic_compare_exchange(&word, 7, 11) == 9 && word == 9,
       "compare_exchange returns what it found and leaves it on a mismatch\n");

    kcom_atomic_store_ptr(&pointer, &object);
    ok(kcom_atomic_load_ptr(&pointer) == &object, "load_ptr reads what store_ptr wrote\n");
    ok(kcom_atomic_exchange_ptr(&pointer, NULL) == &object && kcom_atomic_load_ptr(&pointer) == NULL,
       "exchange_ptr returns the pointer it replaced\n");

    ok(kcom_atomic_load64(&wide) == 0 && wide == 0, "load64 of 0 reads 0 and leaves it\n");
    ok(kcom_atomic_fetch_add64(&wide, 0xFFFFFFFF) == 0, "fetch_add64 returns the value before\n");
    ok(kcom_atomic_fetch_add64(&wide, 1) == 0xFFFFFFFF && kcom_atomic_load64(&wide) == 0x100000000LL,
       "fetch_add64 carries into the upper half: %lld\n", (long long)kcom_atomic_load64(&wide));
    ok(kcom_atomic_fetch_add64(&wide, -0x100000001LL) == 0x100000000LL && kcom_atomic_load64(&wide) == -1,
       "fetch_add64 borrows across both halves: %lld\n", (long long)kcom_atomic_load64(&wide));
    wide = 0x123456789ALL;
    ok(kcom_atomic_load64(&wide) == 0x123456789ALL && wide == 0x123456789ALL, "load64 reads both halves and leaves them\n");
}
