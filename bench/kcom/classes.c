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
