/*
 * Client helpers: the plain-function forms of kcom/client.h's macros.
 */
#include <kcom/client.h>

NTSTATUS kcom_query_interface(IUnknown *unknown, const IID *riid, void **ppv)
{
    if (ppv == NULL)
        return STATUS_INVALID_PARAMETER;
    if (unknown == NULL || riid == NULL) {
        *ppv = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    return unknown->lpVtbl->QueryInterface(unknown, riid, ppv);
}

ULONG kcom_addref(IUnknown *unknown)
{
    return unknown != NULL ? unknown->lpVtbl->AddRef(unknown) : 0;
}

ULONG kcom_release(IUnknown *unknown)
{
    return unknown != NULL ? unknown->lpVtbl->Release(unknown) : 0;
}

ULONG kcom_release_and_clear(void *slot)
{
    IUnknown **pointer = (IUnknown **)slot;
    IUnknown *unknown;
    if (pointer == NULL || *pointer == NULL)
        return 0;
    unknown = *pointer;
    *pointer = NULL;
    return unknown->lpVtbl->Release(unknown);
}

void kcom_scoped_release(void *slot)
{
    (void)kcom_release_and_clear(slot);
}
