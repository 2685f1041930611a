/*
 * cxx_shared.h - the interfaces the C++ test shares between its C and C++ translation units: kcom
 * declarations (C structs, valid C++ too) and the C factory of a kcom object.
 */
#ifndef KCOM_TEST_CXX_SHARED_H
#define KCOM_TEST_CXX_SHARED_H

#include <kcom/kcom.h>

/* ICxxCounter : IUnknown */
#define ICxxCounter_METHODS(M, I)                                                         \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Add, (ULONG, amount))                                          \
    M(I, RESULT, ULONG, GetTotal, )                                                       \
    M(I, METHOD, ULONG64, Mix, (ULONG, a)(ULONG64, b)(USHORT, c))

/* ICxxDerived : ICxxCounter */
#define ICxxDerived_METHODS(M, I)                                                         \
    ICxxCounter_METHODS(M, I)                                                             \
    M(I, METHOD, ULONG, Extra, )

/* ICxxNamed : IUnknown */
#define ICxxNamed_METHODS(M, I)                                                           \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, const char *, Name, )                                                    \
    M(I, METHOD, void, Rename, (const char *, name))

#ifndef __ICxxCounter_INTERFACE_DEFINED__
#define __ICxxCounter_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICxxCounter, IUnknown,
                       0x6b630041, 0x7e57, 0x4c41, 0x9e, 0x41, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x41)
#endif
#ifndef __ICxxDerived_INTERFACE_DEFINED__
#define __ICxxDerived_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICxxDerived, ICxxCounter,
                       0x6b630042, 0x7e57, 0x4c42, 0x9e, 0x42, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x42)
#endif
#ifndef __ICxxNamed_INTERFACE_DEFINED__
#define __ICxxNamed_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICxxNamed, IUnknown,
                       0x6b630043, 0x7e57, 0x4c43, 0x9e, 0x43, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x43)
#endif
/* an IID nobody implements */
#ifndef __ICxxNobody_INTERFACE_DEFINED__
#define __ICxxNobody_INTERFACE_DEFINED__
#define ICxxNobody_METHODS(M, I) IUnknown_METHODS(M, I)
KCOM_DECLARE_INTERFACE(ICxxNobody, IUnknown,
                       0x6b630044, 0x7e57, 0x4c44, 0x9e, 0x44, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x44)
#endif

KCOM_BEGIN_DECLS

/* Creates the kcom object (class CxxCounter, exposing ICxxDerived and ICxxNamed, written in C);
 * *out holds its only reference. */
NTSTATUS cxx_create_counter(ICxxDerived **out);

/* Its reference count, and how many such objects were destroyed. */
LONG cxx_counter_refcount(ICxxDerived *counter);
LONG cxx_counters_destroyed(void);

/* The same calls from C, for the C++ class: returns 0 when every check held, else the number of
 * the first one that failed. */
int cxx_drive_from_c(IUnknown *object);

KCOM_END_DECLS

#endif /* KCOM_TEST_CXX_SHARED_H */
