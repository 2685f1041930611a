/*
 * kcom/client.h - using COM objects: typed QueryInterface, AddRef/Release, release-and-clear and
 * scoped pointers. Works on any COM object with the standard layout (kcom, MIDL/WIDL, C++) reached
 * through a C-layout interface pointer (an lpVtbl member); a C++ interface pointer (a class with
 * virtual functions, the DDK's PUNKNOWN) goes to the function forms, cast to IUnknown *.
 * Every macro has a plain-function form for code that cannot use macros (bindings).
 */
#ifndef KCOM_CLIENT_H
#define KCOM_CLIENT_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/unknown.h>

KCOM_BEGIN_DECLS

/*
 * kcom_query_interface - unknown->QueryInterface(riid, ppv).
 * IRQL: that of the object's QueryInterface (<= DISPATCH_LEVEL for kcom objects).
 * Returns the object's status (kcom objects: STATUS_SUCCESS, STATUS_NOINTERFACE, or their query
 * fallback's status); STATUS_INVALID_PARAMETER without calling the object when unknown, riid or
 * ppv is NULL (*ppv is then set to NULL if ppv is not NULL). On failure the object sets *ppv to
 * NULL, as COM requires and kcom objects do.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_query_interface(_In_ IUnknown *unknown, _In_ const IID *riid, _COM_Outptr_ void **ppv);

/* kcom_addref - unknown->AddRef(); returns the new count, 0 for NULL. Never fails.
 * IRQL: that of the object's AddRef: any for kcom objects (<= DISPATCH_LEVEL for a class built
 * with KCOM_TRACE_CALLS, kcom/unknown.h). */
_IRQL_requires_max_(HIGH_LEVEL)
ULONG kcom_addref(_In_opt_ IUnknown *unknown);

/* kcom_release - unknown->Release(); returns the new count, 0 for NULL. Never fails.
 * IRQL: that of the object's Release (<= DISPATCH_LEVEL for kcom objects: the last Release runs
 * the destroy callback and frees the object on the calling thread). */
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG kcom_release(_In_opt_ IUnknown *unknown);

/*
 * kcom_release_and_clear - releases *slot (an interface pointer variable of any interface type,
 * passed by address) if it is not NULL and sets it to NULL. Returns the new count (0 when nothing
 * was released). A NULL slot is ignored. Never fails. IRQL: that of the object's Release.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG kcom_release_and_clear(_Inout_opt_ void *slot);

/* kcom_scoped_release - cleanup function behind KCOM_SCOPED: kcom_release_and_clear(slot).
 * IRQL: that of the object's Release. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_scoped_release(_Inout_opt_ void *slot);

KCOM_END_DECLS

/* Any interface pointer as IUnknown*; fails to compile for pointers without an lpVtbl. */
#define KCOM_UNKNOWN(iface_ptr) ((void)sizeof((iface_ptr)->lpVtbl), (IUnknown *)(void *)(iface_ptr))

/* KCOM_QUERY_INTERFACE(obj, IFoo, &foo): foo must be an IFoo*; a mismatch does not compile. */
#define KCOM_QUERY_INTERFACE(obj, I, out)                                                  \
    kcom_query_interface(KCOM_UNKNOWN(obj), &IID_##I, KCOM_TYPED_OUT_(I, out))

#define KCOM_ADDREF(obj) kcom_addref(KCOM_UNKNOWN(obj))
#define KCOM_RELEASE(obj) kcom_release(KCOM_UNKNOWN(obj))

/* KCOM_RELEASE_AND_CLEAR(&foo): releases foo if set, and clears it. */
#define KCOM_RELEASE_AND_CLEAR(slot) kcom_release_and_clear(((void)sizeof((*(slot))->lpVtbl), (slot)))

/* KCOM_SCOPED(IFoo) foo = NULL; - released when foo goes out of scope (gcc and clang). */
#if KCOM_HAVE_CLEANUP
#define KCOM_SCOPED(I) __attribute__((cleanup(kcom_scoped_release))) I *
#endif

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_CLIENT_H */
