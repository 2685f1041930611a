/*
 * Windows user mode: kcom and the SDK's COM headers in either order (this file: sdk first).
 * Built by the Windows configuration (kcom_win32_include_order): compiling it is the test; LPUNKNOWN
 * and IUnknown must both be declared, and be the same type.
 */
#include <ole2.h>
#include <objbase.h>
#include <unknwn.h>
#include <kcom/kcom.h>

int kcom_test_win32_include_sdk_first(void);
int kcom_test_win32_include_sdk_first(void)
{
    LPUNKNOWN unknown = NULL;
    IUnknown *same = unknown;
    KCOM_STATIC_ASSERT(sizeof(IUnknownVtbl) == 3 * sizeof(void *), "IUnknown has three slots");
    return same == NULL && kcom_status_name(STATUS_SUCCESS) != NULL ? 0 : 1;
}
