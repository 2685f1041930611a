/*
 * punknown.h - the kernel's IUnknown, as the WDK's <punknown.h> declares it (Wine's DDK has none):
 * QueryInterface returns NTSTATUS; the three slots are those of COM's IUnknown. Part of
 * kcom_wine_ddk.h's set (clang-cl-x86_64-kernel.cmake); with the WDK, its own header is used.
 */
#ifndef _UNKNOWN_H_
#define _UNKNOWN_H_

#include <wdm.h>
#include <windef.h>
#define COM_NO_WINDOWS_H
#include <basetyps.h>
#if !defined(__cplusplus) && !defined(interface)
#define interface struct
#endif
#ifdef PUT_GUIDS_HERE
#include <initguid.h>
#endif

#ifndef __IUnknown_INTERFACE_DEFINED__
#define __IUnknown_INTERFACE_DEFINED__
DEFINE_GUID(IID_IUnknown, 0x00000000, 0x0000, 0x0000, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);

#undef INTERFACE
#define INTERFACE IUnknown
DECLARE_INTERFACE(IUnknown)
{
    STDMETHOD_(NTSTATUS, QueryInterface)(THIS_ REFIID riid, PVOID *object) PURE;
    STDMETHOD_(ULONG, AddRef)(THIS) PURE;
    STDMETHOD_(ULONG, Release)(THIS) PURE;
};
#undef INTERFACE
#endif

typedef IUnknown *PUNKNOWN;

/* The three methods at the head of an interface derived from IUnknown. */
#define DEFINE_ABSTRACT_UNKNOWN()                                               \
    STDMETHOD_(NTSTATUS, QueryInterface)(THIS_ REFIID riid, PVOID *object) PURE; \
    STDMETHOD_(ULONG, AddRef)(THIS) PURE;                                      \
    STDMETHOD_(ULONG, Release)(THIS) PURE;

#endif /* _UNKNOWN_H_ */
