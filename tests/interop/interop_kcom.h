/*
 * interop_kcom.h - kcom's declarations of the interfaces of kcom_interop.idl, under other names
 * (IKcomCalc, IKcomNamed) so that they can sit next to widl's in one translation unit, with the
 * same IIDs. Add and Mix are RESULT methods: kcom's "value through an out pointer" shape is
 * MIDL's [out] parameter.
 */
#ifndef KCOM_INTEROP_KCOM_H
#define KCOM_INTEROP_KCOM_H

#include <kcom/kcom.h>

#define IKcomCalc_METHODS(M, I)                                     \
    IUnknown_METHODS(M, I)                                          \
    M(I, RESULT, ULONG, Add, (ULONG, a)(ULONG, b))                  \
    M(I, METHOD, ULONG, GetCount, )                                 \
    M(I, RESULT, ULONG64, Mix, (ULONG, a)(ULONG64, b)(USHORT, c))   \
    M(I, METHOD, void, Reset, )

#define IKcomNamed_METHODS(M, I)                                    \
    IKcomCalc_METHODS(M, I)                                         \
    M(I, METHOD, const char *, Name, )                              \
    M(I, METHOD, NTSTATUS, Rename, (const char *, name))

#ifndef __IKcomCalc_INTERFACE_DEFINED__
#define __IKcomCalc_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IKcomCalc, IUnknown,
                       0x5b0d2c1e, 0x7a43, 0x4f6e, 0x9c, 0x21, 0x3d, 0x8e, 0x4f, 0x5a, 0x6b, 0x70)
#endif

#ifndef __IKcomNamed_INTERFACE_DEFINED__
#define __IKcomNamed_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IKcomNamed, IKcomCalc,
                       0x5b0d2c1e, 0x7a43, 0x4f6e, 0x9c, 0x21, 0x3d, 0x8e, 0x4f, 0x5a, 0x6b, 0x71)
#endif

#endif /* KCOM_INTEROP_KCOM_H */
