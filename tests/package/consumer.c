/*
 * Builds against an installed kcom: declares, implements, creates and calls one interface, and
 * declares an async operation where kcom has its async layer (KCOM_PACKAGE_EXPECT_ASYNC: 1 or 0,
 * what the build under test was configured with).
 */
#include <kcom/kcom.h>

#include <stdio.h>

#define IPackaged_METHODS(M, I)                                                           \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, ULONG, Twice, (ULONG, value))

KCOM_DECLARE_INTERFACE(IPackaged, IUnknown,
                       0x6b630901, 0x7e57, 0x4c91, 0x9a, 0x91, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x91)

/* The async layer's declarations, which need the build's definitions (kcom/config.h brings them
 * to a compile that has only the installed include directory). */
#ifndef KCOM_PACKAGE_EXPECT_ASYNC
#define KCOM_PACKAGE_EXPECT_ASYNC 1
#endif
#if !defined(KCOM_ENABLE_ASYNC) || KCOM_ENABLE_ASYNC != KCOM_PACKAGE_EXPECT_ASYNC
#error "kcom/config.h did not bring the build's KCOM_ENABLE_ASYNC"
#endif
#if KCOM_ENABLE_ASYNC
KCOM_DECLARE_ASYNC_OPERATION(IAsyncPackaged, ULONG,
                             0x6b630902, 0x7e57, 0x4c91, 0x9a, 0x91, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x92)
#endif

typedef struct Packaged {
    IPackaged IPackaged_iface;
} Packaged;

static NTSTATUS Packaged_Twice(Packaged *self, ULONG value, ULONG *result)
{
    (void)self;
    *result = value * 2;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Packaged, IPackaged, IPackaged_iface)
KCOM_CLASS(Packaged, NULL, (IPackaged, IPackaged_iface))

int main(void)
{
    IPackaged *packaged = NULL;
    ULONG result = 0;
    NTSTATUS status = kcom_object_create(KCOM_CLASS_OF(Packaged), NULL, NULL, NULL, &IID_IPackaged,
                                         (void **)&packaged);
    if (!NT_SUCCESS(status))
        return 1;
    status = IPackaged_Twice(packaged, 21, &result);
    printf("IPackaged_Twice(21) -> %s, %u\n", kcom_status_name(status), (unsigned)result);
    return IPackaged_Release(packaged) == 0 && status == STATUS_SUCCESS && result == 42 ? 0 : 1;
}
