/*
 * minimal - one interface, one class: declare IFoo, implement it with a struct, create an object,
 * call it through its vtable, QueryInterface, Release.
 */
#include <kcom/kcom.h>

#include <stdio.h>

/* ---- the interface: IFoo : IUnknown, one method ------------------------------------------------ */

/* The method list starts with the parent's; each parameter is written once, as (type, name). */
#define IFoo_METHODS(M, I)                                                                \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Ping, (ULONG, value))

/* The guard is the MIDL convention, so a generated header declaring IFoo can coexist with this. */
#ifndef __IFoo_INTERFACE_DEFINED__
#define __IFoo_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IFoo, IUnknown,
                       0x3f0c6a51, 0x8d2e, 0x4b7a, 0x9c, 0x41, 0x5e, 0x2d, 0x7b, 0x90, 0x13, 0xa6)
#endif

/* ---- the implementation: a plain struct ------------------------------------------------------ */

typedef struct Foo {
    IFoo IFoo_iface; /* the interface pointer clients get is the address of this member */
    ULONG pings;     /* state lives in the same allocation as the vtable pointer and refcount */
    ULONG last_value;
} Foo;

/* Implementation functions receive the struct, not the interface pointer. */
static NTSTATUS Foo_Ping(Foo *self, ULONG value)
{
    self->pings++;
    self->last_value = value;
    printf("  Foo_Ping(%lu): ping #%lu\n", (unsigned long)value, (unsigned long)self->pings);
    return STATUS_SUCCESS;
}

static void Foo_destroy(Foo *self)
{
    printf("  Foo destroyed after %lu ping(s)\n", (unsigned long)self->pings);
}

KCOM_IMPLEMENT(Foo, IFoo, IFoo_iface)            /* shims and a static const IFooVtbl */
KCOM_CLASS(Foo, Foo_destroy, (IFoo, IFoo_iface)) /* QueryInterface/AddRef/Release, class descriptor */

/* ---- using it ------------------------------------------------------------------------------------ */

static int failures;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

int main(void)
{
    Foo *foo;
    IFoo *ifoo;
    IUnknown *unknown = NULL;
    NTSTATUS status;

    /* Once, before any other kcom call (a driver does this in DriverEntry). */
    if (!NT_SUCCESS(kcom_initialize()))
        return 1;

    /* One allocation: header + Foo, zero-filled, vtable installed, reference count 1. */
    status = KCOM_NEW(Foo, NULL, &foo);
    CHECK(status == STATUS_SUCCESS);
    if (!NT_SUCCESS(status))
        return 1;
    ifoo = &foo->IFoo_iface; /* the creation reference now travels with ifoo */
    printf("created a Foo: count %ld, IFoo pointer = the struct + %zu bytes\n", (long)kcom_object_refcount(foo),
           offsetof(Foo, IFoo_iface));

    /* A call through the vtable: IFoo_Ping(p, v) is p->lpVtbl->Ping(p, v). */
    status = IFoo_Ping(ifoo, 42);
    CHECK(status == STATUS_SUCCESS);
    status = ifoo->lpVtbl->Ping(ifoo, 7); /* the same call, spelled out */
    CHECK(status == STATUS_SUCCESS && foo->pings == 2 && foo->last_value == 7);

    /* QueryInterface for IUnknown gives the object's identity: here, the IFoo pointer itself. */
    status = IFoo_QueryInterface(ifoo, &IID_IUnknown, (void **)&unknown);
    printf("QueryInterface(IID_IUnknown) -> %s, %s\n", kcom_status_name(status),
           unknown == (IUnknown *)(void *)ifoo ? "the IFoo pointer itself" : "a DIFFERENT pointer");
    CHECK(status == STATUS_SUCCESS && unknown == (IUnknown *)(void *)ifoo);
    printf("reference count after QueryInterface: %ld\n", (long)kcom_object_refcount(foo));
    CHECK(kcom_object_refcount(foo) == 2);
    CHECK(IUnknown_Release(unknown) == 1);

    /* An IID the object does not implement: STATUS_NOINTERFACE and a NULL out pointer. */
    {
        static const IID IID_INotThere =
            KCOM_GUID_INIT(0x3f0c6a52, 0x8d2e, 0x4b7a, 0x9c, 0x41, 0x5e, 0x2d, 0x7b, 0x90, 0x13, 0xa6);
        void *nothing = &nothing;
        status = IFoo_QueryInterface(ifoo, &IID_INotThere, &nothing);
        printf("QueryInterface(IID_INotThere) -> %s, out pointer %s\n", kcom_status_name(status),
               nothing == NULL ? "NULL" : "NOT cleared");
        CHECK(status == STATUS_NOINTERFACE && nothing == NULL);
    }

    /* The last Release runs Foo_destroy and frees the single allocation. */
    printf("final Release:\n");
    CHECK(IFoo_Release(ifoo) == 0);

    kcom_uninitialize();

    if (failures != 0) {
        printf("minimal: %d check(s) FAILED\n", failures);
        return 1;
    }
    printf("minimal: OK\n");
    return 0;
}
