/*
 * kcom's headers first, then <winerror.h>, as a driver may include them (the kernel builds, compile
 * only): the stand-in for the WDK's winerror.h (made from wdk_winerror.h.in) stops the build if
 * kcom defined one of its HRESULT macros before it.
 */
#include <kcom/kcom.h>

#include <winerror.h>

HRESULT kcom_test_wdk_winerror_order(NTSTATUS status);
HRESULT kcom_test_wdk_winerror_order(NTSTATUS status)
{
    HRESULT hr = kcom_hresult_from_ntstatus(status);
    if (SUCCEEDED(hr))
        return S_OK;
    return hr == E_OUTOFMEMORY || hr == E_INVALIDARG ? E_FAIL : hr;
}
