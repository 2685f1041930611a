/*
 * punknown_body.h - the body of the kernel_punknown_first/last tests, included by each after its
 * headers: a kcom class driven through whichever IUnknown the translation unit sees.
 * Expects SUFFIX (a token), the test function's name, and an IID for the interface.
 */
#include "../harness/kcom_test.h"

#define PK_CAT_(a, b) a##b
#define PK_CAT(a, b) PK_CAT_(a, b)
#define PK_I PK_CAT(IPunk, SUFFIX)
#define PK_C PK_CAT(PunkObject, SUFFIX)

typedef struct PK_C {
    PK_I PK_CAT(PK_I, _iface);
    ULONG value;
} PK_C;

static ULONG PK_CAT(PK_C, _Value)(PK_C *self)
{
    return self->value;
}

/* One more expansion, so kcom's macros, which paste their arguments, see the final names. */
#define PK_IMPLEMENT(C, I, member) KCOM_IMPLEMENT(C, I, member)
#define PK_CLASS(C, I, member) KCOM_CLASS(C, NULL, (I, member))
#define PK_CLASS_OF(C) KCOM_CLASS_OF(C)
PK_IMPLEMENT(PK_C, PK_I, PK_CAT(PK_I, _iface))
PK_CLASS(PK_C, PK_I, PK_CAT(PK_I, _iface))

/* The slots, whoever declared IUnknown: QueryInterface, AddRef, Release, then the interface's. */
KCOM_STATIC_ASSERT(offsetof(struct IUnknownVtbl, QueryInterface) == 0, "QueryInterface is slot 0");
KCOM_STATIC_ASSERT(offsetof(struct IUnknownVtbl, AddRef) == sizeof(void *), "AddRef is slot 1");
KCOM_STATIC_ASSERT(offsetof(struct IUnknownVtbl, Release) == 2 * sizeof(void *), "Release is slot 2");
KCOM_STATIC_ASSERT(sizeof(struct IUnknownVtbl) == 3 * sizeof(void *), "IUnknown has three slots");
KCOM_STATIC_ASSERT(offsetof(struct PK_CAT(PK_I, Vtbl), Value) == 3 * sizeof(void *), "Value is slot 3");

static NTSTATUS PK_CAT(PK_C, _init)(void *impl, void *context)
{
    ((PK_C *)impl)->value = *(const ULONG *)context;
    return STATUS_SUCCESS;
}

static void PK_CAT(run_, SUFFIX)(void)
{
    static const GUID iid_iunknown = KCOM_GUID_INIT(0x00000000, 0x0000, 0x0000, 0xC0, 0x00, 0x00, 0x00, 0x00,
                                                    0x00, 0x00, 0x46);
    static const GUID unknown_iid = KCOM_GUID_INIT(0x6b1d0c8e, 0x2f4a, 0x4c11, 0x9e, 0x07, 0x3a, 0x55, 0x10,
                                                   0x8b, 0xc2, 0x71);
    char text[KCOM_GUID_STRING_SIZE];
    ULONG value = 0x5EED;
    IUnknown *unknown = NULL, *again = NULL;
    PK_I *iface = NULL;
    void *none = (void *)&value;
    NTSTATUS status;

    ok(kcom_guid_equal(&IID_IUnknown, &iid_iunknown), "IID_IUnknown is %s\n",
       kcom_guid_to_string(&IID_IUnknown, text));

    status = kcom_object_create(PK_CLASS_OF(PK_C), NULL, PK_CAT(PK_C, _init), &value, &IID_IUnknown,
                                (void **)&unknown);
    ok(status == STATUS_SUCCESS && unknown != NULL, "create: %s\n", kcom_status_name(status));
    if (unknown == NULL)
        return;
    /* through the IUnknown type of this translation unit's headers */
    status = unknown->lpVtbl->QueryInterface(unknown, &PK_CAT(IID_, PK_I), (void **)&iface);
    ok(status == STATUS_SUCCESS && iface != NULL, "QueryInterface: %s\n", kcom_status_name(status));
    if (iface != NULL) {
        ok(iface->lpVtbl->Value(iface) == 0x5EED, "Value returned 0x%lx\n", (unsigned long)iface->lpVtbl->Value(iface));
        ok((void *)iface == (void *)unknown, "the only interface is the identity\n");
        ok(iface->lpVtbl->Release(iface) == 1, "Release after QueryInterface\n");
    }
    status = unknown->lpVtbl->QueryInterface(unknown, &IID_IUnknown, (void **)&again);
    ok(status == STATUS_SUCCESS && again == unknown, "QueryInterface(IUnknown): %s\n", kcom_status_name(status));
    if (again != NULL)
        ok(again->lpVtbl->Release(again) == 1, "Release after QueryInterface(IUnknown)\n");
    status = unknown->lpVtbl->QueryInterface(unknown, &unknown_iid, &none);
    ok(status == STATUS_NOINTERFACE && none == NULL, "QueryInterface(unknown IID): %s\n", kcom_status_name(status));
    ok(unknown->lpVtbl->AddRef(unknown) == 2, "AddRef\n");
    ok(KCOM_RELEASE(unknown) == 1, "KCOM_RELEASE\n");
    ok(kcom_release_and_clear(&unknown) == 0 && unknown == NULL, "final release\n");
}
