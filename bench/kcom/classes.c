/*
 * The benchmark's kcom classes: 1, 4 and 8 interfaces, a ULONG of state, no destroy callback
 * (the C++ classes have trivial destructors). The loops that use them live in cases.c and see only
 * the interfaces and the factories below.
 */
#include "classes.h"

#include "../bench.h"

typedef struct BenchOne {
    IBenchPing IBenchPing_iface;
    ULONG total;
} BenchOne;

typedef struct BenchFour {
    IBenchPing IBenchPing_iface;
    IBench1 IBench1_iface;
    IBench2 IBench2_iface;
    IBench3 IBench3_iface;
    ULONG total;
} BenchFour;

typedef struct BenchEight {
    IBenchPing IBenchPing_iface;
    IBench1 IBench1_iface;
    IBench2 IBench2_iface;
    IBench3 IBench3_iface;
    IBench4 IBench4_iface;
    IBench5 IBench5_iface;
    IBench6 IBench6_iface;
    IBench7 IBench7_iface;
    ULONG total;
} BenchEight;

/* The work every method does: a tiny update of the object's state. */
#define BENCH_METHOD_BODY_(self, value) \
    do {                                \
        (self)->total += (value);       \
        return STATUS_SUCCESS;          \
    } while (0)
#define BENCH_GET_TOTAL_BODY_(self, result) \
    do {                                    \
        *(result) = (self)->total;          \
        return STATUS_SUCCESS;              \
    } while (0)

/* ---- BenchOne ------------------------------------------------------------------------------------ */

static NTSTATUS BenchOne_Ping(BenchOne *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchOne_GetTotal(BenchOne *self, ULONG *result) { BENCH_GET_TOTAL_BODY_(self, result); }

KCOM_IMPLEMENT(BenchOne, IBenchPing, IBenchPing_iface)
KCOM_CLASS(BenchOne, NULL, (IBenchPing, IBenchPing_iface))

/* ---- BenchFour ----------------------------------------------------------------------------------- */

static NTSTATUS BenchFour_Ping(BenchFour *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchFour_GetTotal(BenchFour *self, ULONG *result) { BENCH_GET_TOTAL_BODY_(self, result); }
static NTSTATUS BenchFour_Op1(BenchFour *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchFour_Op2(BenchFour *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchFour_Op3(BenchFour *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }

KCOM_IMPLEMENT(BenchFour, IBenchPing, IBenchPing_iface)
KCOM_IMPLEMENT(BenchFour, IBench1, IBench1_iface)
KCOM_IMPLEMENT(BenchFour, IBench2, IBench2_iface)
KCOM_IMPLEMENT(BenchFour, IBench3, IBench3_iface)
KCOM_CLASS(BenchFour, NULL, (IBenchPing, IBenchPing_iface), (IBench1, IBench1_iface),
           (IBench2, IBench2_iface), (IBench3, IBench3_iface))

/* ---- BenchEight ---------------------------------------------------------------------------------- */

static NTSTATUS BenchEight_Ping(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchEight_GetTotal(BenchEight *self, ULONG *result) { BENCH_GET_TOTAL_BODY_(self, result); }
static NTSTATUS BenchEight_Op1(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchEight_Op2(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchEight_Op3(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchEight_Op4(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchEight_Op5(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchEight_Op6(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchEight_Op7(BenchEight *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }

KCOM_IMPLEMENT(BenchEight, IBenchPing, IBenchPing_iface)
KCOM_IMPLEMENT(BenchEight, IBench1, IBench1_iface)
KCOM_IMPLEMENT(BenchEight, IBench2, IBench2_iface)
KCOM_IMPLEMENT(BenchEight, IBench3, IBench3_iface)
KCOM_IMPLEMENT(BenchEight, IBench4, IBench4_iface)
KCOM_IMPLEMENT(BenchEight, IBench5, IBench5_iface)
KCOM_IMPLEMENT(BenchEight, IBench6, IBench6_iface)
KCOM_IMPLEMENT(BenchEight, IBench7, IBench7_iface)
KCOM_CLASS(BenchEight, NULL, (IBenchPing, IBenchPing_iface), (IBench1, IBench1_iface),
           (IBench2, IBench2_iface), (IBench3, IBench3_iface), (IBench4, IBench4_iface),
           (IBench5, IBench5_iface), (IBench6, IBench6_iface), (IBench7, IBench7_iface))

/* ---- BenchOneCached, BenchFourCached: the same classes over a caching allocator -------------------
 * KCOM_CLASS_EX names the class's allocator: a file-scope cache, statically initialized, which keeps
 * up to 16 freed blocks of the class's size; the first allocation fixes that size. */

typedef BenchOne BenchOneCached;
typedef BenchFour BenchFourCached;

static kcom_caching_allocator bench_one_cache = KCOM_CACHING_ALLOCATOR_INIT(bench_one_cache, 16);
static kcom_caching_allocator bench_four_cache = KCOM_CACHING_ALLOCATOR_INIT(bench_four_cache, 16);

static NTSTATUS BenchOneCached_Ping(BenchOneCached *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchOneCached_GetTotal(BenchOneCached *self, ULONG *result) { BENCH_GET_TOTAL_BODY_(self, result); }

KCOM_IMPLEMENT(BenchOneCached, IBenchPing, IBenchPing_iface)
KCOM_CLASS_EX(BenchOneCached, &bench_one_cache.allocator, NULL, NULL, (IBenchPing, IBenchPing_iface))

static NTSTATUS BenchFourCached_Ping(BenchFourCached *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchFourCached_GetTotal(BenchFourCached *self, ULONG *result) { BENCH_GET_TOTAL_BODY_(self, result); }
static NTSTATUS BenchFourCached_Op1(BenchFourCached *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchFourCached_Op2(BenchFourCached *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }
static NTSTATUS BenchFourCached_Op3(BenchFourCached *self, ULONG value) { BENCH_METHOD_BODY_(self, value); }

KCOM_IMPLEMENT(BenchFourCached, IBenchPing, IBenchPing_iface)
KCOM_IMPLEMENT(BenchFourCached, IBench1, IBench1_iface)
KCOM_IMPLEMENT(BenchFourCached, IBench2, IBench2_iface)
KCOM_IMPLEMENT(BenchFourCached, IBench3, IBench3_iface)
KCOM_CLASS_EX(BenchFourCached, &bench_four_cache.allocator, NULL, NULL, (IBenchPing, IBenchPing_iface),
              (IBench1, IBench1_iface), (IBench2, IBench2_iface), (IBench3, IBench3_iface))

/* ---- factories ------------------------------------------------------------------------------------ */

/* KCOM_NEW zero-fills the struct (total = 0), installs the vtables and sets the count to 1. */
#define BENCH_FACTORY_(Class)                                 \
    Class *impl;                                              \
    NTSTATUS status = KCOM_NEW(Class, NULL, &impl);           \
    *out = NT_SUCCESS(status) ? &impl->IBenchPing_iface : NULL; \
    return status

NTSTATUS bench_kcom_new_one(IBenchPing **out) { BENCH_FACTORY_(BenchOne); }
NTSTATUS bench_kcom_new_four(IBenchPing **out) { BENCH_FACTORY_(BenchFour); }
NTSTATUS bench_kcom_new_eight(IBenchPing **out) { BENCH_FACTORY_(BenchEight); }
NTSTATUS bench_kcom_new_one_cached(IBenchPing **out) { BENCH_FACTORY_(BenchOneCached); }

NTSTATUS bench_kcom_create_one(const IID *riid, void **out)
{
    return kcom_object_create(KCOM_CLASS_OF(BenchOne), NULL, NULL, NULL, riid, out);
}
const kcom_class *const bench_kcom_one_class = KCOM_CLASS_OF(BenchOne);
NTSTATUS bench_kcom_new_four_cached(IBenchPing **out) { BENCH_FACTORY_(BenchFourCached); }

uint64_t bench_kcom_cache_backing_allocs(void)
{
    kcom_caching_allocator_stats one, four;
    if (!NT_SUCCESS(kcom_caching_allocator_query_stats(&bench_one_cache, &one)) ||
        !NT_SUCCESS(kcom_caching_allocator_query_stats(&bench_four_cache, &four)))
        return 0;
#if BENCH_ASYNC
    return (uint64_t)one.misses + one.bypassed + four.misses + four.bypassed + bench_kcom_async_cache_backing_allocs();
#else
    return (uint64_t)one.misses + one.bypassed + four.misses + four.bypassed;
#endif
}

void bench_kcom_drain_caches(void)
{
    kcom_caching_allocator_drain(&bench_one_cache);
    kcom_caching_allocator_drain(&bench_four_cache);
#if BENCH_ASYNC
    bench_kcom_async_drain_cache();
#endif
}

uint64_t bench_kcom_object_bytes(int interfaces)
{
    size_t impl = interfaces == 1 ? sizeof(BenchOne) : interfaces == 4 ? sizeof(BenchFour) : sizeof(BenchEight);
    return sizeof(kcom_object_header) + impl;
}

void *bench_kcom_create_object(int interfaces)
{
    IBenchPing *object = NULL;
    NTSTATUS status = interfaces == 1   ? bench_kcom_new_one(&object)
                      : interfaces == 4 ? bench_kcom_new_four(&object)
                                        : bench_kcom_new_eight(&object);
    return NT_SUCCESS(status) ? object : NULL;
}

uint32_t bench_kcom_release_object(void *object)
{
    return IBenchPing_Release((IBenchPing *)object);
}
