/*
 * C++: a C++ class IUnknown declared before kcom, as the SDK's <unknwn.h> (also through <windows.h>
 * without WIN32_LEAN_AND_MEAN) and the DDK's <punknown.h> declare it. kcom's objects are built on
 * the C struct with an lpVtbl; the first error says to include kcom first, not an error deep in
 * kcom's headers.
 * outcome: error
 * first: kcom/object.h: IUnknown is a C\+\+ class here
 */
#include <kcom/guid.h>

#define __IUnknown_INTERFACE_DEFINED__
struct IUnknown {
    virtual NTSTATUS QueryInterface(REFIID riid, void **ppvObject) = 0;
    virtual ULONG AddRef() = 0;
    virtual ULONG Release() = 0;
};
extern "C" const IID IID_IUnknown;

#include <kcom/kcom.h>
