/*
 * The benchmark's kcom interfaces and the factories of its classes (kcom/classes.c).
 *
 *   IBenchPing : IUnknown   Ping(value) adds value to the object's total; GetTotal(&total)
 *   IBench1..IBench7        OpN(value), the same work, so any interface can be called
 *
 *   BenchOne    IBenchPing
 *   BenchFour   IBenchPing, IBench1, IBench2, IBench3
 *   BenchEight  IBenchPing, IBench1 ... IBench7
 *   BenchOneCached, BenchFourCached   BenchOne and BenchFour over a caching allocator each
 */
#ifndef KCOM_BENCH_KCOM_CLASSES_H
#define KCOM_BENCH_KCOM_CLASSES_H

#include <kcom/kcom.h>

#define IBenchPing_METHODS(M, I)                                                          \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Ping, (ULONG, value))                                          \
    M(I, RESULT, ULONG, GetTotal, )

#ifndef __IBenchPing_INTERFACE_DEFINED__
#define __IBenchPing_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBenchPing, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x01)
#endif

/* IBench1..IBench7: one method each, OpN(value). */
#define KCOM_BENCH_OP_METHODS_(M, I, n)                                                   \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Op##n, (ULONG, value))
#define IBench1_METHODS(M, I) KCOM_BENCH_OP_METHODS_(M, I, 1)
#define IBench2_METHODS(M, I) KCOM_BENCH_OP_METHODS_(M, I, 2)
#define IBench3_METHODS(M, I) KCOM_BENCH_OP_METHODS_(M, I, 3)
#define IBench4_METHODS(M, I) KCOM_BENCH_OP_METHODS_(M, I, 4)
#define IBench5_METHODS(M, I) KCOM_BENCH_OP_METHODS_(M, I, 5)
#define IBench6_METHODS(M, I) KCOM_BENCH_OP_METHODS_(M, I, 6)
#define IBench7_METHODS(M, I) KCOM_BENCH_OP_METHODS_(M, I, 7)

#ifndef __IBench1_INTERFACE_DEFINED__
#define __IBench1_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBench1, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x11)
#endif
#ifndef __IBench2_INTERFACE_DEFINED__
#define __IBench2_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBench2, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x12)
#endif
#ifndef __IBench3_INTERFACE_DEFINED__
#define __IBench3_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBench3, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x13)
#endif
#ifndef __IBench4_INTERFACE_DEFINED__
#define __IBench4_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBench4, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x14)
#endif
#ifndef __IBench5_INTERFACE_DEFINED__
#define __IBench5_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBench5, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x15)
#endif
#ifndef __IBench6_INTERFACE_DEFINED__
#define __IBench6_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBench6, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x16)
#endif
#ifndef __IBench7_INTERFACE_DEFINED__
#define __IBench7_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBench7, IUnknown,
                       0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x17)
#endif

/* An IID no benchmark class implements (the QueryInterface miss). */
#define KCOM_BENCH_IID_MISSING_INIT \
    KCOM_GUID_INIT(0x6b1e0c3a, 0x2f4d, 0x4c8e, 0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0xff)

/* Factories: a new object with one reference, owned by the returned interface pointer. */
NTSTATUS bench_kcom_new_one(IBenchPing **out);
NTSTATUS bench_kcom_new_four(IBenchPing **out);
NTSTATUS bench_kcom_new_eight(IBenchPing **out);
/* A BenchOne through kcom_object_create, for the interface riid names. */
NTSTATUS bench_kcom_create_one(const IID *riid, void **out);
/* BenchOne's descriptor, for kcom_object_create in another file. */
extern const kcom_class *const bench_kcom_one_class;

/* The same classes as BenchOne and BenchFour, declared with KCOM_CLASS_EX over a caching allocator
 * each (kcom/caching_allocator.h): BenchOneCached, BenchFourCached. */
NTSTATUS bench_kcom_new_one_cached(IBenchPing **out);
NTSTATUS bench_kcom_new_four_cached(IBenchPing **out);

#endif /* KCOM_BENCH_KCOM_CLASSES_H */
