/*
 * The kcom side of each benchmark case: n iterations of one operation, through interface pointers
 * whose class this translation unit cannot see (the objects come from the factories in classes.c).
 * Everything a call returns is added to a checksum, which is written to the volatile sink and
 * returned; the harness checks it.
 */
#include "classes.h"

#include "../bench.h"

#include <stdlib.h>

static const IID IID_BenchMissing = KCOM_BENCH_IID_MISSING_INIT;

/* Setup and teardown failures abort: they are outside the measured loops and never expected. */
static void bench_require(int condition)
{
    if (!condition)
        abort();
}

static IBenchPing *new_object(NTSTATUS (*factory)(IBenchPing **))
{
    IBenchPing *object = NULL;
    bench_require(NT_SUCCESS(factory(&object)));
    BENCH_OPAQUE(object);
    return object;
}

static uint64_t finish(IBenchPing *object, uint64_t acc)
{
    bench_require(IBenchPing_Release(object) == 0);
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_kcom_create_release_1(uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        IBenchPing *object;
        NTSTATUS status = bench_kcom_new_one(&object);
        if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
            abort();
        acc += IBenchPing_Release(object); /* the final Release: destroy + free */
    }
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_kcom_create_release_4(uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        IBenchPing *object;
        NTSTATUS status = bench_kcom_new_four(&object);
        if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
            abort();
        acc += IBenchPing_Release(object);
    }
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_kcom_create_by_iid(uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        IBenchPing *object;
        NTSTATUS status = bench_kcom_create_one(&IID_IBenchPing, (void **)&object);
        if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
            abort();
        acc += IBenchPing_Release(object);
    }
    bench_sink = acc;
    return acc;
}

/* The same, called here: the class's descriptor is another file's (what the compiler sees of it
 * here is a pointer). */
BENCH_CASE uint64_t bench_kcom_create_by_iid_other(uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        IBenchPing *object;
        NTSTATUS status = kcom_object_create(bench_kcom_one_class, NULL, NULL, NULL, &IID_IBenchPing, (void **)&object);
        if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
            abort();
        acc += IBenchPing_Release(object);
    }
    bench_sink = acc;
    return acc;
}

/* The same two loops with the classes that use a caching allocator (KCOM_CLASS_EX). */
BENCH_CASE uint64_t bench_kcom_cached_create_release_1(uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        IBenchPing *object;
        NTSTATUS status = bench_kcom_new_one_cached(&object);
        if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
            abort();
        acc += IBenchPing_Release(object); /* the final Release: back into the cache */
    }
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_kcom_cached_create_release_4(uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        IBenchPing *object;
        NTSTATUS status = bench_kcom_new_four_cached(&object);
        if (KCOM_UNLIKELY(!NT_SUCCESS(status)))
            abort();
        acc += IBenchPing_Release(object);
    }
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_kcom_addref_release(uint64_t n)
{
    IBenchPing *object = new_object(bench_kcom_new_one);
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        acc += IBenchPing_AddRef(object);  /* 2 */
        acc += IBenchPing_Release(object); /* 1 */
    }
    return finish(object, acc);
}

BENCH_CASE uint64_t bench_kcom_call(uint64_t n)
{
    IBenchPing *object = new_object(bench_kcom_new_one);
    uint64_t acc = 0;
    ULONG total = 0;
    uint64_t i;
    for (i = 0; i < n; i++)
        acc += (ULONG)IBenchPing_Ping(object, (ULONG)i);
    bench_require(NT_SUCCESS(IBenchPing_GetTotal(object, &total)));
    return finish(object, acc + total);
}

BENCH_CASE uint64_t bench_kcom_call_4th(uint64_t n)
{
    IBenchPing *object = new_object(bench_kcom_new_four);
    void *found = NULL;
    IBench3 *fourth;
    uint64_t acc = 0;
    ULONG total = 0;
    uint64_t i;
    bench_require(NT_SUCCESS(IBenchPing_QueryInterface(object, &IID_IBench3, &found)));
    fourth = (IBench3 *)found; /* a local whose address was never taken: kept in a register */
    BENCH_OPAQUE(fourth);
    for (i = 0; i < n; i++)
        acc += (ULONG)IBench3_Op3(fourth, (ULONG)i);
    bench_require(IBench3_Release(fourth) == 1);
    bench_require(NT_SUCCESS(IBenchPing_GetTotal(object, &total)));
    return finish(object, acc + total);
}

/* QueryInterface for *iid on an 8-interface object, n times; a hit is released again. */
static KCOM_FORCEINLINE uint64_t query_loop(uint64_t n, const IID *iid)
{
    IBenchPing *object = new_object(bench_kcom_new_eight);
    uint64_t acc = 0;
    uint64_t i;
    BENCH_OPAQUE(iid);
    for (i = 0; i < n; i++) {
        IUnknown *found;
        NTSTATUS status = IBenchPing_QueryInterface(object, iid, (void **)&found);
        acc += (ULONG)status;
        if (NT_SUCCESS(status))
            acc += IUnknown_Release(found); /* 1: the caller's reference remains */
        else
            acc += found == NULL;
    }
    return finish(object, acc);
}

BENCH_CASE uint64_t bench_kcom_qi_first(uint64_t n)
{
    return query_loop(n, &IID_IBenchPing);
}

BENCH_CASE uint64_t bench_kcom_qi_last(uint64_t n)
{
    return query_loop(n, &IID_IBench7);
}

BENCH_CASE uint64_t bench_kcom_qi_miss(uint64_t n)
{
    return query_loop(n, &IID_BenchMissing);
}
