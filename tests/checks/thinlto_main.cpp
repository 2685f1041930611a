// thinlto_main.cpp - the C++ half (thinlto_class.c): a kcom class of its own, created by IID
// through the library as the C half's is.
#include <kcom/kcom.h>

extern "C" NTSTATUS thinlto_ping(void);

#define IThinGet_METHODS(M, I) IUnknown_METHODS(M, I) M(I, RESULT, ULONG, Get, (ULONG, value))
KCOM_DECLARE_INTERFACE(IThinGet, IUnknown, 0x6b1d3f21, 0x4c7a, 0x4e19, 0x9d, 0x2e, 0x31, 0x5a, 0x8c, 0x07, 0xb4, 0x62)

struct ThinGet {
    IThinGet IThinGet_iface;
    ULONG base;
};

static NTSTATUS ThinGet_Get(ThinGet *self, ULONG value, ULONG *out)
{
    *out = self->base + value;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(ThinGet, IThinGet, IThinGet_iface)
KCOM_CLASS(ThinGet, nullptr, (IThinGet, IThinGet_iface))

int main()
{
    IThinGet *get = nullptr;
    ULONG out = 0;
    if (!NT_SUCCESS(kcom_initialize()) || !NT_SUCCESS(thinlto_ping()))
        return 1;
    NTSTATUS status = kcom_object_create(KCOM_CLASS_OF(ThinGet), nullptr, nullptr, nullptr, &IID_IThinGet,
                                         reinterpret_cast<void **>(&get));
    if (NT_SUCCESS(status)) {
        status = IThinGet_Get(get, 5, &out);
        IThinGet_Release(get);
    }
    kcom_uninitialize();
    return NT_SUCCESS(status) && out == 5 ? 0 : 2;
}
