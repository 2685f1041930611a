/*
 * kcom/unknown.h - IUnknown.
 *
 * QueryInterface returns NTSTATUS, as the DDK's punknown.h IUnknown does (same ABI as HRESULT).
 * When a platform header has already declared IUnknown (__IUnknown_INTERFACE_DEFINED__), kcom
 * uses that declaration and adds only what it needs: the method list and the interface descriptor.
 *
 * The IUnknown methods of kcom objects (the generated shims behind IFoo_QueryInterface,
 * IFoo_AddRef, IFoo_Release and the IUnknown_* wrappers):
 *   QueryInterface  IRQL: <= DISPATCH_LEVEL. Returns STATUS_SUCCESS (*ppv AddRef'd);
 *                   STATUS_INVALID_PARAMETER for a NULL ppv (nothing written) or a NULL riid
 *                   (*ppv = NULL); STATUS_NOINTERFACE (*ppv = NULL), or the status of the class's
 *                   query fallback (*ppv = NULL on failure).
 *   AddRef          IRQL: any (<= DISPATCH_LEVEL for a kcom class built with KCOM_TRACE_CALLS,
 *                   whose trace runs there). Returns the new count; never fails.
 *   Release         IRQL: <= DISPATCH_LEVEL. Returns the new count; the last one runs the class's
 *                   destroy callback and frees the object, at the caller's IRQL.
 * An aggregated object's interfaces forward all three to the controlling outer, whose rules apply.
 */
#ifndef KCOM_UNKNOWN_H
#define KCOM_UNKNOWN_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/interface.h>

/* IUnknown's methods, which every interface's method list starts with. */
#define IUnknown_METHODS(M, I)                                                           \
    M(I, UNKNOWN, NTSTATUS, QueryInterface, (REFIID, kcom_riid_)(void **, kcom_ppvObject_)) \
    M(I, UNKNOWN, ULONG, AddRef, )                                                       \
    M(I, UNKNOWN, ULONG, Release, )

#ifndef __IUnknown_INTERFACE_DEFINED__
#define __IUnknown_INTERFACE_DEFINED__
#define KCOM_OWN_IUNKNOWN_ 1
KCOM_DECLARE_INTERFACE_TYPES(IUnknown)
KCOM_DEFINE_IID(IUnknown, 0x00000000, 0x0000, 0x0000, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46)
KCOM_DECLARE_INTERFACE_WRAPPERS(IUnknown)
/* Windows user mode, C: the SDK declares LPUNKNOWN inside its __IUnknown_INTERFACE_DEFINED__
 * guard, which kcom's IUnknown has taken, so an <unknwn.h>, <objbase.h> or <ole2.h> included
 * after kcom would lack it; kcom declares it with its IUnknown. (In C++ the SDK's headers and kcom
 * meet only in a source that calls interfaces, which includes the SDK's first; see building.md.) */
#if KCOM_TARGET_WIN32 && !defined(__cplusplus)
typedef IUnknown *LPUNKNOWN;
#endif
#else
/*
 * IUnknown came from a platform header: the DDK's punknown.h (QueryInterface returns NTSTATUS) or
 * the SDK's unknwn.h (HRESULT, the same 32-bit ABI). Both declare the vtable slots QueryInterface,
 * AddRef and Release in this order with these names, which IUnknown_METHODS relies on.
 *
 * Their DEFINE_GUID declares IID_IUnknown without storage unless INITGUID is defined. kcom does
 * not define it again here: gcc drops selectany from a definition that follows a plain
 * declaration, which would make it a duplicate symbol; the kcom library's objects (which see
 * kcom's own declaration) supply the one definition instead. With INITGUID, mingw-w64's
 * punknown.h defines it itself with Data4's bytes misplaced ({00000000-0000-0000-0000-
 * c00000000046}), and the linker could keep that copy: every QueryInterface for IUnknown would
 * fail, so that combination is refused.
 */
#if defined(INITGUID) && defined(_UNKNOWN_H_) && defined(__MINGW32__)
#error "mingw-w64's punknown.h defines a wrong IID_IUnknown under INITGUID/PUT_GUIDS_HERE: include kcom before punknown.h, or define INITGUID after both"
#endif
/* Typed wrappers, unless the header made COBJMACROS macros of the same names. C++ declarations
 * of IUnknown are classes with virtual methods and no lpVtbl: C++ calls them directly. */
#if !defined(__cplusplus) && !defined(IUnknown_QueryInterface)
KCOM_DECLARE_INTERFACE_WRAPPERS(IUnknown)
#endif
#endif

#if defined(__cplusplus) && !defined(KCOM_OWN_IUNKNOWN_)
/* A C++ IUnknown (the SDK's unknwn.h, widl/MIDL C++ headers) is a class: no IUnknownVtbl to
 * measure, but the same three slots. */
KCOM_EXTERN_C KCOM_SELECTANY const kcom_interface_info kcom_iface_info_IUnknown = {&IID_IUnknown, NULL,
                                                                                   "IUnknown", 3};
#else
KCOM_DEFINE_INTERFACE_INFO(IUnknown, NULL)
#endif

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_UNKNOWN_H */
