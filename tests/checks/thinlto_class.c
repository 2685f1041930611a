/*
 * thinlto_class.c - the C half of a program whose C and C++ files both include kcom, built with
 * clang's ThinLTO over a library built without it: a kcom class, created by IID through the
 * library, which reads IID_IUnknown, an IID both halves define in the headers and neither uses.
 */
#include <kcom/kcom.h>

#define IThinPing_METHODS(M, I) IUnknown_METHODS(M, I) M(I, METHOD, NTSTATUS, Ping, (ULONG, value))
KCOM_DECLARE_INTERFACE(IThinPing, IUnknown, 0x6b1d3f20, 0x4c7a, 0x4e19, 0x9d, 0x2e, 0x31, 0x5a, 0x8c, 0x07, 0xb4, 0x61)

typedef struct ThinPing {
    IThinPing IThinPing_iface;
    ULONG pings;
} ThinPing;

static NTSTATUS ThinPing_Ping(ThinPing *self, ULONG value)
{
    self->pings += value;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(ThinPing, IThinPing, IThinPing_iface)
KCOM_CLASS(ThinPing, NULL, (IThinPing, IThinPing_iface))

NTSTATUS thinlto_ping(void);
NTSTATUS thinlto_ping(void)
{
    IThinPing *ping = NULL;
    NTSTATUS status = kcom_object_create(KCOM_CLASS_OF(ThinPing), NULL, NULL, NULL, &IID_IThinPing, (void **)&ping);
    if (!NT_SUCCESS(status))
        return status;
    status = IThinPing_Ping(ping, 1);
    IThinPing_Release(ping);
    return status;
}
