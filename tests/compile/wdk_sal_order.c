/*
 * kcom's headers first, as a driver may include them, with stand-ins for the WDK's sal.h and
 * driverspecs.h ahead of the toolset's on the include path (made from wdk_sal.h.in): they stop the
 * build if an annotation was defined before them. Compile only (the kernel builds and the Windows
 * user-mode build).
 */
#include <kcom/kcom.h>

_IRQL_requires_max_(DISPATCH_LEVEL) NTSTATUS kcom_test_wdk_sal_order(_In_ const IID *riid, _Out_ ULONG *out);
_IRQL_requires_max_(DISPATCH_LEVEL) NTSTATUS kcom_test_wdk_sal_order(_In_ const IID *riid, _Out_ ULONG *out)
{
    *out = riid->Data1;
    return STATUS_SUCCESS;
}
