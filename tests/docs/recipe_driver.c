/*
 * The driver docs/building.md's no-CMake recipe compiles and links (tests/docs/run-recipe.sh):
 * a WDM driver with one kcom class and the async layer's declarations, built with nothing but
 * the installed include directory and library. Its definitions (KCOM_KERNEL, KCOM_ENABLE_ASYNC,
 * the kernel executors, the hardening mode) come from the installed kcom/config.h.
 */
#include <ntddk.h>
#include <kcom/kcom.h>

#if !KCOM_TARGET_NTKERNEL || !KCOM_ENABLE_ASYNC || !KCOM_ENABLE_KERNEL_EXECUTORS
#error "kcom/config.h did not bring the kernel build's definitions"
#endif

KCOM_DECLARE_ASYNC_OPERATION(IAsyncRecipe, ULONG,
                             0x6b630a01, 0x7e57, 0x4c91, 0x9a, 0x91, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0xa1)

#define IRecipe_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, ULONG, Twice, (ULONG, value))

KCOM_DECLARE_INTERFACE(IRecipe, IUnknown,
                       0x6b630a02, 0x7e57, 0x4c91, 0x9a, 0x91, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0xa2)

typedef struct Recipe {
    IRecipe IRecipe_iface;
} Recipe;

static NTSTATUS Recipe_Twice(Recipe *self, ULONG value, ULONG *result)
{
    (void)self;
    *result = value * 2;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Recipe, IRecipe, IRecipe_iface)
KCOM_CLASS(Recipe, NULL, (IRecipe, IRecipe_iface))

static DRIVER_UNLOAD driver_unload;

static void driver_unload(PDRIVER_OBJECT driver)
{
    (void)driver;
    kcom_uninitialize();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    IRecipe *recipe = NULL;
    ULONG result = 0;
    NTSTATUS status;
    (void)registry_path;
    status = kcom_initialize();
    if (!NT_SUCCESS(status))
        return status;
    status = kcom_object_create(KCOM_CLASS_OF(Recipe), NULL, NULL, NULL, &IID_IRecipe, (void **)&recipe);
    if (NT_SUCCESS(status)) {
        status = IRecipe_Twice(recipe, 21, &result);
        IRecipe_Release(recipe);
    }
    if (!NT_SUCCESS(status) || result != 42) {
        kcom_uninitialize();
        return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
    }
    driver->DriverUnload = driver_unload;
    return STATUS_SUCCESS;
}
