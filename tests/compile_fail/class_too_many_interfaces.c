/*
 * A class listing 65 interfaces, one more than KCOM_CLASS takes: one error naming the limit.
 * outcome: error
 * first: KCOM_CLASS\(Many, \.\.\.\): a class implements at most 64 interfaces
 * max-errors: 1
 */
#include <kcom/kcom.h>

/* 65 interfaces of one method each, I0 to I64 */
#define I0_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get0, )
KCOM_DECLARE_INTERFACE(I0, IUnknown, 0x7a000000, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I1_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get1, )
KCOM_DECLARE_INTERFACE(I1, IUnknown, 0x7a000001, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I2_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get2, )
KCOM_DECLARE_INTERFACE(I2, IUnknown, 0x7a000002, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I3_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get3, )
KCOM_DECLARE_INTERFACE(I3, IUnknown, 0x7a000003, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I4_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get4, )
KCOM_DECLARE_INTERFACE(I4, IUnknown, 0x7a000004, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I5_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get5, )
KCOM_DECLARE_INTERFACE(I5, IUnknown, 0x7a000005, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I6_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get6, )
KCOM_DECLARE_INTERFACE(I6, IUnknown, 0x7a000006, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I7_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get7, )
KCOM_DECLARE_INTERFACE(I7, IUnknown, 0x7a000007, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I8_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get8, )
KCOM_DECLARE_INTERFACE(I8, IUnknown, 0x7a000008, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I9_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get9, )
KCOM_DECLARE_INTERFACE(I9, IUnknown, 0x7a000009, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I10_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get10, )
KCOM_DECLARE_INTERFACE(I10, IUnknown, 0x7a00000a, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I11_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get11, )
KCOM_DECLARE_INTERFACE(I11, IUnknown, 0x7a00000b, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I12_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get12, )
KCOM_DECLARE_INTERFACE(I12, IUnknown, 0x7a00000c, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I13_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get13, )
KCOM_DECLARE_INTERFACE(I13, IUnknown, 0x7a00000d, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I14_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get14, )
KCOM_DECLARE_INTERFACE(I14, IUnknown, 0x7a00000e, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I15_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get15, )
KCOM_DECLARE_INTERFACE(I15, IUnknown, 0x7a00000f, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I16_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get16, )
KCOM_DECLARE_INTERFACE(I16, IUnknown, 0x7a000010, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I17_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get17, )
KCOM_DECLARE_INTERFACE(I17, IUnknown, 0x7a000011, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I18_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get18, )
KCOM_DECLARE_INTERFACE(I18, IUnknown, 0x7a000012, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I19_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get19, )
KCOM_DECLARE_INTERFACE(I19, IUnknown, 0x7a000013, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I20_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get20, )
KCOM_DECLARE_INTERFACE(I20, IUnknown, 0x7a000014, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I21_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get21, )
KCOM_DECLARE_INTERFACE(I21, IUnknown, 0x7a000015, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I22_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get22, )
KCOM_DECLARE_INTERFACE(I22, IUnknown, 0x7a000016, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I23_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get23, )
KCOM_DECLARE_INTERFACE(I23, IUnknown, 0x7a000017, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I24_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get24, )
KCOM_DECLARE_INTERFACE(I24, IUnknown, 0x7a000018, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I25_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get25, )
KCOM_DECLARE_INTERFACE(I25, IUnknown, 0x7a000019, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I26_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get26, )
KCOM_DECLARE_INTERFACE(I26, IUnknown, 0x7a00001a, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I27_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get27, )
KCOM_DECLARE_INTERFACE(I27, IUnknown, 0x7a00001b, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I28_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get28, )
KCOM_DECLARE_INTERFACE(I28, IUnknown, 0x7a00001c, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I29_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get29, )
KCOM_DECLARE_INTERFACE(I29, IUnknown, 0x7a00001d, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I30_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get30, )
KCOM_DECLARE_INTERFACE(I30, IUnknown, 0x7a00001e, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I31_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get31, )
KCOM_DECLARE_INTERFACE(I31, IUnknown, 0x7a00001f, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I32_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get32, )
KCOM_DECLARE_INTERFACE(I32, IUnknown, 0x7a000020, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I33_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get33, )
KCOM_DECLARE_INTERFACE(I33, IUnknown, 0x7a000021, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I34_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get34, )
KCOM_DECLARE_INTERFACE(I34, IUnknown, 0x7a000022, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I35_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get35, )
KCOM_DECLARE_INTERFACE(I35, IUnknown, 0x7a000023, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I36_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get36, )
KCOM_DECLARE_INTERFACE(I36, IUnknown, 0x7a000024, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I37_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get37, )
KCOM_DECLARE_INTERFACE(I37, IUnknown, 0x7a000025, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I38_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get38, )
KCOM_DECLARE_INTERFACE(I38, IUnknown, 0x7a000026, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I39_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get39, )
KCOM_DECLARE_INTERFACE(I39, IUnknown, 0x7a000027, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I40_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get40, )
KCOM_DECLARE_INTERFACE(I40, IUnknown, 0x7a000028, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I41_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get41, )
KCOM_DECLARE_INTERFACE(I41, IUnknown, 0x7a000029, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I42_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get42, )
KCOM_DECLARE_INTERFACE(I42, IUnknown, 0x7a00002a, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I43_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get43, )
KCOM_DECLARE_INTERFACE(I43, IUnknown, 0x7a00002b, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I44_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get44, )
KCOM_DECLARE_INTERFACE(I44, IUnknown, 0x7a00002c, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I45_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get45, )
KCOM_DECLARE_INTERFACE(I45, IUnknown, 0x7a00002d, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I46_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get46, )
KCOM_DECLARE_INTERFACE(I46, IUnknown, 0x7a00002e, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I47_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get47, )
KCOM_DECLARE_INTERFACE(I47, IUnknown, 0x7a00002f, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I48_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get48, )
KCOM_DECLARE_INTERFACE(I48, IUnknown, 0x7a000030, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I49_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get49, )
KCOM_DECLARE_INTERFACE(I49, IUnknown, 0x7a000031, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I50_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get50, )
KCOM_DECLARE_INTERFACE(I50, IUnknown, 0x7a000032, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I51_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get51, )
KCOM_DECLARE_INTERFACE(I51, IUnknown, 0x7a000033, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I52_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get52, )
KCOM_DECLARE_INTERFACE(I52, IUnknown, 0x7a000034, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I53_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get53, )
KCOM_DECLARE_INTERFACE(I53, IUnknown, 0x7a000035, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I54_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get54, )
KCOM_DECLARE_INTERFACE(I54, IUnknown, 0x7a000036, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I55_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get55, )
KCOM_DECLARE_INTERFACE(I55, IUnknown, 0x7a000037, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I56_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get56, )
KCOM_DECLARE_INTERFACE(I56, IUnknown, 0x7a000038, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I57_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get57, )
KCOM_DECLARE_INTERFACE(I57, IUnknown, 0x7a000039, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I58_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get58, )
KCOM_DECLARE_INTERFACE(I58, IUnknown, 0x7a00003a, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I59_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get59, )
KCOM_DECLARE_INTERFACE(I59, IUnknown, 0x7a00003b, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I60_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get60, )
KCOM_DECLARE_INTERFACE(I60, IUnknown, 0x7a00003c, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I61_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get61, )
KCOM_DECLARE_INTERFACE(I61, IUnknown, 0x7a00003d, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I62_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get62, )
KCOM_DECLARE_INTERFACE(I62, IUnknown, 0x7a00003e, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I63_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get63, )
KCOM_DECLARE_INTERFACE(I63, IUnknown, 0x7a00003f, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)
#define I64_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, ULONG, Get64, )
KCOM_DECLARE_INTERFACE(I64, IUnknown, 0x7a000040, 0x6d1a, 0x4c2b, 0x9e, 0x3f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5)

typedef struct Many {
    I0 I0_iface;
    I1 I1_iface;
    I2 I2_iface;
    I3 I3_iface;
    I4 I4_iface;
    I5 I5_iface;
    I6 I6_iface;
    I7 I7_iface;
    I8 I8_iface;
    I9 I9_iface;
    I10 I10_iface;
    I11 I11_iface;
    I12 I12_iface;
    I13 I13_iface;
    I14 I14_iface;
    I15 I15_iface;
    I16 I16_iface;
    I17 I17_iface;
    I18 I18_iface;
    I19 I19_iface;
    I20 I20_iface;
    I21 I21_iface;
    I22 I22_iface;
    I23 I23_iface;
    I24 I24_iface;
    I25 I25_iface;
    I26 I26_iface;
    I27 I27_iface;
    I28 I28_iface;
    I29 I29_iface;
    I30 I30_iface;
    I31 I31_iface;
    I32 I32_iface;
    I33 I33_iface;
    I34 I34_iface;
    I35 I35_iface;
    I36 I36_iface;
    I37 I37_iface;
    I38 I38_iface;
    I39 I39_iface;
    I40 I40_iface;
    I41 I41_iface;
    I42 I42_iface;
    I43 I43_iface;
    I44 I44_iface;
    I45 I45_iface;
    I46 I46_iface;
    I47 I47_iface;
    I48 I48_iface;
    I49 I49_iface;
    I50 I50_iface;
    I51 I51_iface;
    I52 I52_iface;
    I53 I53_iface;
    I54 I54_iface;
    I55 I55_iface;
    I56 I56_iface;
    I57 I57_iface;
    I58 I58_iface;
    I59 I59_iface;
    I60 I60_iface;
    I61 I61_iface;
    I62 I62_iface;
    I63 I63_iface;
    I64 I64_iface;
} Many;

static ULONG Many_Get0(Many *self) { (void)self; return 0; }
static ULONG Many_Get1(Many *self) { (void)self; return 1; }
static ULONG Many_Get2(Many *self) { (void)self; return 2; }
static ULONG Many_Get3(Many *self) { (void)self; return 3; }
static ULONG Many_Get4(Many *self) { (void)self; return 4; }
static ULONG Many_Get5(Many *self) { (void)self; return 5; }
static ULONG Many_Get6(Many *self) { (void)self; return 6; }
static ULONG Many_Get7(Many *self) { (void)self; return 7; }
static ULONG Many_Get8(Many *self) { (void)self; return 8; }
static ULONG Many_Get9(Many *self) { (void)self; return 9; }
static ULONG Many_Get10(Many *self) { (void)self; return 10; }
static ULONG Many_Get11(Many *self) { (void)self; return 11; }
static ULONG Many_Get12(Many *self) { (void)self; return 12; }
static ULONG Many_Get13(Many *self) { (void)self; return 13; }
static ULONG Many_Get14(Many *self) { (void)self; return 14; }
static ULONG Many_Get15(Many *self) { (void)self; return 15; }
static ULONG Many_Get16(Many *self) { (void)self; return 16; }
static ULONG Many_Get17(Many *self) { (void)self; return 17; }
static ULONG Many_Get18(Many *self) { (void)self; return 18; }
static ULONG Many_Get19(Many *self) { (void)self; return 19; }
static ULONG Many_Get20(Many *self) { (void)self; return 20; }
static ULONG Many_Get21(Many *self) { (void)self; return 21; }
static ULONG Many_Get22(Many *self) { (void)self; return 22; }
static ULONG Many_Get23(Many *self) { (void)self; return 23; }
static ULONG Many_Get24(Many *self) { (void)self; return 24; }
static ULONG Many_Get25(Many *self) { (void)self; return 25; }
static ULONG Many_Get26(Many *self) { (void)self; return 26; }
static ULONG Many_Get27(Many *self) { (void)self; return 27; }
static ULONG Many_Get28(Many *self) { (void)self; return 28; }
static ULONG Many_Get29(Many *self) { (void)self; return 29; }
static ULONG Many_Get30(Many *self) { (void)self; return 30; }
static ULONG Many_Get31(Many *self) { (void)self; return 31; }
static ULONG Many_Get32(Many *self) { (void)self; return 32; }
static ULONG Many_Get33(Many *self) { (void)self; return 33; }
static ULONG Many_Get34(Many *self) { (void)self; return 34; }
static ULONG Many_Get35(Many *self) { (void)self; return 35; }
static ULONG Many_Get36(Many *self) { (void)self; return 36; }
static ULONG Many_Get37(Many *self) { (void)self; return 37; }
static ULONG Many_Get38(Many *self) { (void)self; return 38; }
static ULONG Many_Get39(Many *self) { (void)self; return 39; }
static ULONG Many_Get40(Many *self) { (void)self; return 40; }
static ULONG Many_Get41(Many *self) { (void)self; return 41; }
static ULONG Many_Get42(Many *self) { (void)self; return 42; }
static ULONG Many_Get43(Many *self) { (void)self; return 43; }
static ULONG Many_Get44(Many *self) { (void)self; return 44; }
static ULONG Many_Get45(Many *self) { (void)self; return 45; }
static ULONG Many_Get46(Many *self) { (void)self; return 46; }
static ULONG Many_Get47(Many *self) { (void)self; return 47; }
static ULONG Many_Get48(Many *self) { (void)self; return 48; }
static ULONG Many_Get49(Many *self) { (void)self; return 49; }
static ULONG Many_Get50(Many *self) { (void)self; return 50; }
static ULONG Many_Get51(Many *self) { (void)self; return 51; }
static ULONG Many_Get52(Many *self) { (void)self; return 52; }
static ULONG Many_Get53(Many *self) { (void)self; return 53; }
static ULONG Many_Get54(Many *self) { (void)self; return 54; }
static ULONG Many_Get55(Many *self) { (void)self; return 55; }
static ULONG Many_Get56(Many *self) { (void)self; return 56; }
static ULONG Many_Get57(Many *self) { (void)self; return 57; }
static ULONG Many_Get58(Many *self) { (void)self; return 58; }
static ULONG Many_Get59(Many *self) { (void)self; return 59; }
static ULONG Many_Get60(Many *self) { (void)self; return 60; }
static ULONG Many_Get61(Many *self) { (void)self; return 61; }
static ULONG Many_Get62(Many *self) { (void)self; return 62; }
static ULONG Many_Get63(Many *self) { (void)self; return 63; }
static ULONG Many_Get64(Many *self) { (void)self; return 64; }

KCOM_IMPLEMENT(Many, I0, I0_iface)
KCOM_IMPLEMENT(Many, I1, I1_iface)
KCOM_IMPLEMENT(Many, I2, I2_iface)
KCOM_IMPLEMENT(Many, I3, I3_iface)
KCOM_IMPLEMENT(Many, I4, I4_iface)
KCOM_IMPLEMENT(Many, I5, I5_iface)
KCOM_IMPLEMENT(Many, I6, I6_iface)
KCOM_IMPLEMENT(Many, I7, I7_iface)
KCOM_IMPLEMENT(Many, I8, I8_iface)
KCOM_IMPLEMENT(Many, I9, I9_iface)
KCOM_IMPLEMENT(Many, I10, I10_iface)
KCOM_IMPLEMENT(Many, I11, I11_iface)
KCOM_IMPLEMENT(Many, I12, I12_iface)
KCOM_IMPLEMENT(Many, I13, I13_iface)
KCOM_IMPLEMENT(Many, I14, I14_iface)
KCOM_IMPLEMENT(Many, I15, I15_iface)
KCOM_IMPLEMENT(Many, I16, I16_iface)
KCOM_IMPLEMENT(Many, I17, I17_iface)
KCOM_IMPLEMENT(Many, I18, I18_iface)
KCOM_IMPLEMENT(Many, I19, I19_iface)
KCOM_IMPLEMENT(Many, I20, I20_iface)
KCOM_IMPLEMENT(Many, I21, I21_iface)
KCOM_IMPLEMENT(Many, I22, I22_iface)
KCOM_IMPLEMENT(Many, I23, I23_iface)
KCOM_IMPLEMENT(Many, I24, I24_iface)
KCOM_IMPLEMENT(Many, I25, I25_iface)
KCOM_IMPLEMENT(Many, I26, I26_iface)
KCOM_IMPLEMENT(Many, I27, I27_iface)
KCOM_IMPLEMENT(Many, I28, I28_iface)
KCOM_IMPLEMENT(Many, I29, I29_iface)
KCOM_IMPLEMENT(Many, I30, I30_iface)
KCOM_IMPLEMENT(Many, I31, I31_iface)
KCOM_IMPLEMENT(Many, I32, I32_iface)
KCOM_IMPLEMENT(Many, I33, I33_iface)
KCOM_IMPLEMENT(Many, I34, I34_iface)
KCOM_IMPLEMENT(Many, I35, I35_iface)
KCOM_IMPLEMENT(Many, I36, I36_iface)
KCOM_IMPLEMENT(Many, I37, I37_iface)
KCOM_IMPLEMENT(Many, I38, I38_iface)
KCOM_IMPLEMENT(Many, I39, I39_iface)
KCOM_IMPLEMENT(Many, I40, I40_iface)
KCOM_IMPLEMENT(Many, I41, I41_iface)
KCOM_IMPLEMENT(Many, I42, I42_iface)
KCOM_IMPLEMENT(Many, I43, I43_iface)
KCOM_IMPLEMENT(Many, I44, I44_iface)
KCOM_IMPLEMENT(Many, I45, I45_iface)
KCOM_IMPLEMENT(Many, I46, I46_iface)
KCOM_IMPLEMENT(Many, I47, I47_iface)
KCOM_IMPLEMENT(Many, I48, I48_iface)
KCOM_IMPLEMENT(Many, I49, I49_iface)
KCOM_IMPLEMENT(Many, I50, I50_iface)
KCOM_IMPLEMENT(Many, I51, I51_iface)
KCOM_IMPLEMENT(Many, I52, I52_iface)
KCOM_IMPLEMENT(Many, I53, I53_iface)
KCOM_IMPLEMENT(Many, I54, I54_iface)
KCOM_IMPLEMENT(Many, I55, I55_iface)
KCOM_IMPLEMENT(Many, I56, I56_iface)
KCOM_IMPLEMENT(Many, I57, I57_iface)
KCOM_IMPLEMENT(Many, I58, I58_iface)
KCOM_IMPLEMENT(Many, I59, I59_iface)
KCOM_IMPLEMENT(Many, I60, I60_iface)
KCOM_IMPLEMENT(Many, I61, I61_iface)
KCOM_IMPLEMENT(Many, I62, I62_iface)
KCOM_IMPLEMENT(Many, I63, I63_iface)
KCOM_IMPLEMENT(Many, I64, I64_iface)

KCOM_CLASS(Many, NULL, (I0, I0_iface), (I1, I1_iface), (I2, I2_iface), (I3, I3_iface),
           (I4, I4_iface), (I5, I5_iface), (I6, I6_iface), (I7, I7_iface), (I8, I8_iface),
           (I9, I9_iface), (I10, I10_iface), (I11, I11_iface), (I12, I12_iface), (I13, I13_iface),
           (I14, I14_iface), (I15, I15_iface), (I16, I16_iface), (I17, I17_iface), (I18, I18_iface),
           (I19, I19_iface), (I20, I20_iface), (I21, I21_iface), (I22, I22_iface), (I23, I23_iface),
           (I24, I24_iface), (I25, I25_iface), (I26, I26_iface), (I27, I27_iface), (I28, I28_iface),
           (I29, I29_iface), (I30, I30_iface), (I31, I31_iface), (I32, I32_iface), (I33, I33_iface),
           (I34, I34_iface), (I35, I35_iface), (I36, I36_iface), (I37, I37_iface), (I38, I38_iface),
           (I39, I39_iface), (I40, I40_iface), (I41, I41_iface), (I42, I42_iface), (I43, I43_iface),
           (I44, I44_iface), (I45, I45_iface), (I46, I46_iface), (I47, I47_iface), (I48, I48_iface),
           (I49, I49_iface), (I50, I50_iface), (I51, I51_iface), (I52, I52_iface), (I53, I53_iface),
           (I54, I54_iface), (I55, I55_iface), (I56, I56_iface), (I57, I57_iface), (I58, I58_iface),
           (I59, I59_iface), (I60, I60_iface), (I61, I61_iface), (I62, I62_iface), (I63, I63_iface),
           (I64, I64_iface))
