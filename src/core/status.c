/*
 * NTSTATUS <-> HRESULT and status names.
 */
#include <kcom/status.h>

#define KCOM_HR_(value) ((HRESULT)(value))

/* The COM equivalents of the statuses COM clients most often see, and (after the first entry of
 * a status, so one way only) COM's other names for them. */
static const struct {
    NTSTATUS status;
    HRESULT hr;
} status_map[] = {
    {STATUS_NOINTERFACE, KCOM_HR_(0x80004002L)},            /* E_NOINTERFACE */
    {STATUS_INVALID_PARAMETER, KCOM_HR_(0x80070057L)},      /* E_INVALIDARG */
    {STATUS_INSUFFICIENT_RESOURCES, KCOM_HR_(0x8007000EL)}, /* E_OUTOFMEMORY */
    {STATUS_NO_MEMORY, KCOM_HR_(0x8007000EL)},              /* E_OUTOFMEMORY (first wins back) */
    {STATUS_NOT_IMPLEMENTED, KCOM_HR_(0x80004001L)},        /* E_NOTIMPL */
    {STATUS_ACCESS_DENIED, KCOM_HR_(0x80070005L)},          /* E_ACCESSDENIED */
    {STATUS_PENDING, KCOM_HR_(0x8000000AL)},                /* E_PENDING */
    {STATUS_CANCELLED, KCOM_HR_(0x800704C7L)},              /* HRESULT_FROM_WIN32(ERROR_CANCELLED) */
    {STATUS_UNSUCCESSFUL, KCOM_HR_(0x80004005L)},           /* E_FAIL */
    {STATUS_INVALID_PARAMETER, KCOM_HR_(0x80004003L)},      /* E_POINTER */
    {STATUS_CANCELLED, KCOM_HR_(0x80004004L)},              /* E_ABORT */
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

HRESULT kcom_hresult_from_ntstatus(NTSTATUS status)
{
    size_t i;
    if (NT_SUCCESS(status) && status != STATUS_PENDING)
        return KCOM_HR_(0);
    for (i = 0; i < COUNT_OF(status_map); i++)
        if (status_map[i].status == status)
            return status_map[i].hr;
    return (HRESULT)((ULONG)status | (ULONG)KCOM_FACILITY_NT_BIT);
}

NTSTATUS kcom_ntstatus_from_hresult(HRESULT hr)
{
    size_t i;
    if (hr >= 0)
        return STATUS_SUCCESS;
    for (i = 0; i < COUNT_OF(status_map); i++)
        if (status_map[i].hr == hr)
            return status_map[i].status;
    if ((ULONG)hr & (ULONG)KCOM_FACILITY_NT_BIT)
        return (NTSTATUS)((ULONG)hr & ~(ULONG)KCOM_FACILITY_NT_BIT);
    return STATUS_UNSUCCESSFUL;
}

#define NAME_(s) {s, #s}
static const struct {
    NTSTATUS status;
    const char *name;
} status_names[] = {
    NAME_(STATUS_SUCCESS),
    NAME_(STATUS_TIMEOUT),
    NAME_(STATUS_PENDING),
    NAME_(STATUS_BUFFER_OVERFLOW),
    NAME_(STATUS_UNSUCCESSFUL),
    NAME_(STATUS_NOT_IMPLEMENTED),
    NAME_(STATUS_INVALID_PARAMETER),
    NAME_(STATUS_INVALID_DEVICE_REQUEST),
    NAME_(STATUS_NO_MEMORY),
    NAME_(STATUS_ACCESS_DENIED),
    NAME_(STATUS_BUFFER_TOO_SMALL),
    NAME_(STATUS_DELETE_PENDING),
    NAME_(STATUS_INTEGER_OVERFLOW),
    NAME_(STATUS_IO_TIMEOUT),
    NAME_(STATUS_INTERNAL_ERROR),
    NAME_(STATUS_INSUFFICIENT_RESOURCES),
    NAME_(STATUS_NOT_SUPPORTED),
    NAME_(STATUS_NAME_TOO_LONG),
    NAME_(STATUS_CANCELLED),
    NAME_(STATUS_INVALID_DEVICE_STATE),
    NAME_(STATUS_NOT_FOUND),
    NAME_(STATUS_NOINTERFACE),
    NAME_(STATUS_ALREADY_REGISTERED),
};

const char *kcom_status_name(NTSTATUS status)
{
    size_t i;
    for (i = 0; i < COUNT_OF(status_names); i++)
        if (status_names[i].status == status)
            return status_names[i].name;
    return "STATUS_<unknown>";
}
