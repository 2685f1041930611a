/*
 * kcom/unknown.h - IUnknown.
 *
 * QueryInterface returns NTSTATUS, as the DDK's punknown.h IUnknown does (same ABI as HRESULT).
 * When a platform header has already declared IUnknown (__IUnknown_INTERFACE_DEFINED__), kcom
 * uses that declaration and adds only what it needs: the method list and the interface descriptor.
 */
#ifndef KCOM_UNKNOWN_H
#define KCOM_UNKNOWN_H

#include <kcom/interface.h>

/* IUnknown's methods, which every interface's method list starts with. */
#define IUnknown_METHODS(M, I)                                                           \
    M(I, UNKNOWN, NTSTATUS, QueryInterface, (REFIID, riid)(void **, ppvObject))          \
    M(I, UNKNOWN, ULONG, AddRef, )                                                       \
    M(I, UNKNOWN, ULONG, Release, )

#ifndef __IUnknown_INTERFACE_DEFINED__
#define __IUnknown_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE_TYPES(IUnknown)
KCOM_DEFINE_IID(IUnknown, 0x00000000, 0x0000, 0x0000, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46)
KCOM_DECLARE_INTERFACE_WRAPPERS(IUnknown)
#endif

KCOM_DEFINE_INTERFACE_INFO(IUnknown, NULL)

#endif /* KCOM_UNKNOWN_H */
