/*
 * kcom/interface.h alone declares an interface as its header comment shows: the method list
 * starts with IUnknown_METHODS, which kcom/unknown.h defines (interface.h includes it).
 * outcome: success
 */
#include <kcom/interface.h>

#define IFoo_METHODS(M, I)                                                                \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Ping, (ULONG, value))                                          \
    M(I, RESULT, ULONG, GetCount, )

#ifndef __IFoo_INTERFACE_DEFINED__
#define __IFoo_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IFoo, IUnknown, 0x9a1c2f3e, 0x41d7, 0x4b8e, 0x9d, 0x52, 0x61, 0x0e, 0x3a, 0x7c, 0x11, 0x08)
#endif

NTSTATUS interface_alone_ping(IFoo *foo);
NTSTATUS interface_alone_ping(IFoo *foo)
{
    ULONG count = 0;
    NTSTATUS status = IFoo_GetCount(foo, &count);
    return NT_SUCCESS(status) ? IFoo_Ping(foo, count) : status;
}
