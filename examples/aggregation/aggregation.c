/*
 * aggregation - a Device object reuses a Counter component by COM aggregation: clients see one
 * object exposing IDevice and ICounter, with one identity and one reference count.
 *
 *  - Counter is a KCOM_AGGREGATABLE_CLASS. The Device creates it with itself as the controlling
 *    outer and keeps the Counter's non-delegating inner IUnknown, which nobody else ever sees.
 *  - Device's QueryInterface answers IUnknown and IDevice from its table and, through its query
 *    fallback, forwards every other IID to the inner.
 *  - The ICounter pointer a client receives delegates QueryInterface/AddRef/Release to the Device.
 */
#include <kcom/kcom.h>

#include <stdio.h>

/* ---- interfaces ----------------------------------------------------------------------------------- */

#define ICounter_METHODS(M, I)                                                            \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, void, Add, (ULONG, amount))                                              \
    M(I, RESULT, ULONG, GetTotal, )

#define IDevice_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Start, )

#ifndef __ICounter_INTERFACE_DEFINED__
#define __ICounter_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICounter, IUnknown,
                       0x0d3b7e61, 0x5c2a, 0x4e90, 0xb1, 0x7f, 0x28, 0x6a, 0x4d, 0x03, 0xe5, 0x9c)
#endif
#ifndef __IDevice_INTERFACE_DEFINED__
#define __IDevice_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IDevice, IUnknown,
                       0x0d3b7e62, 0x5c2a, 0x4e90, 0xb1, 0x7f, 0x28, 0x6a, 0x4d, 0x03, 0xe5, 0x9c)
#endif

/* ---- the inner object: an aggregatable counter ------------------------------------------------------ */

typedef struct Counter {
    ICounter ICounter_iface;
    ULONG total;
} Counter;

static void Counter_Add(Counter *self, ULONG amount)
{
    self->total += amount;
}

static NTSTATUS Counter_GetTotal(Counter *self, ULONG *total)
{
    *total = self->total;
    return STATUS_SUCCESS;
}

static void Counter_destroy(Counter *self)
{
    printf("  Counter destroyed (total %lu)\n", (unsigned long)self->total);
}

KCOM_IMPLEMENT(Counter, ICounter, ICounter_iface)
/* Aggregatable: ICounter's IUnknown methods go to the controlling outer, and the object gets a
 * separate non-delegating IUnknown (a 32-byte header on x64 instead of 16). */
KCOM_AGGREGATABLE_CLASS(Counter, Counter_destroy, (ICounter, ICounter_iface))

/* ---- the outer object -------------------------------------------------------------------------------- */

/* An ordinary kcom class; its query fallback hands the IIDs its own table lacks to the inner. */
typedef struct Device {
    IDevice IDevice_iface;
    IUnknown *counter_inner; /* the Counter's non-delegating IUnknown: we hold its only reference */
    BOOLEAN started;
} Device;

static NTSTATUS Device_Start(Device *self)
{
    self->started = TRUE;
    return STATUS_SUCCESS;
}

/* ICounter: the inner hands out its delegating interface, AddRef'd through us. */
static NTSTATUS Device_query_inner(Device *self, const IID *riid, void **ppv)
{
    return IUnknown_QueryInterface(self->counter_inner, riid, ppv);
}

static void Device_destroy(Device *self)
{
    printf("  Device destroyed; releasing the inner Counter\n");
    if (self->counter_inner != NULL) /* NULL when Device_init failed */
        IUnknown_Release(self->counter_inner);
}

KCOM_IMPLEMENT(Device, IDevice, IDevice_iface)
KCOM_CLASS_EX(Device, NULL, Device_destroy, Device_query_inner, (IDevice, IDevice_iface))

/* Creates the inner Counter with our IDevice as its controlling IUnknown. The Counter does not
 * AddRef the outer (that would be a cycle); it only keeps the pointer. */
static NTSTATUS Device_init(void *impl, void *ctx)
{
    Device *self = (Device *)impl;
    (void)ctx;
    return kcom_object_create(KCOM_CLASS_OF(Counter), (IUnknown *)(void *)&self->IDevice_iface, NULL, NULL,
                              &IID_IUnknown, (void **)&self->counter_inner);
}

/* ---- the client ----------------------------------------------------------------------------------- */

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
    kcom_counting_allocator counter_allocator;
    IDevice *device = NULL, *device_again = NULL;
    ICounter *counter = NULL, *counter_again = NULL, *solo = NULL;
    IUnknown *unknown = NULL;
    Device *device_impl;
    Counter *counter_impl;
    ULONG total;
    NTSTATUS status;

    if (!NT_SUCCESS(kcom_initialize()))
        return 1;

    kcom_counting_allocator_init(&counter_allocator, NULL);
    kcom_set_default_allocator(&counter_allocator.allocator);

    status = kcom_object_create(KCOM_CLASS_OF(Device), NULL, Device_init, NULL, &IID_IDevice, (void **)&device);
    CHECK(status == STATUS_SUCCESS);
    if (!NT_SUCCESS(status))
        return 1;
    device_impl = KCOM_IMPL_FROM(Device, IDevice_iface, device);
    printf("created a Device aggregating a Counter: %ld allocations live, %ld bytes\n",
           (long)kcom_counting_allocator_live(&counter_allocator), (long)counter_allocator.live_bytes);
    CHECK(kcom_counting_allocator_live(&counter_allocator) == 2);
    CHECK(counter_allocator.live_bytes ==
          (LONG)(sizeof(kcom_object_header) + sizeof(Device) + sizeof(kcom_aggregate_header) + sizeof(Counter)));
    CHECK(IDevice_Start(device) == STATUS_SUCCESS && device_impl->started);

    /* The Device forwards ICounter to the inner object. */
    status = IDevice_QueryInterface(device, &IID_ICounter, (void **)&counter);
    printf("IDevice -> QueryInterface(ICounter): %s\n", kcom_status_name(status));
    CHECK(status == STATUS_SUCCESS && counter != NULL);
    if (!NT_SUCCESS(status))
        return 1;
    counter_impl = KCOM_IMPL_FROM(Counter, ICounter_iface, counter);
    printf("  counts: Device %ld, Counter %ld (the client's reference is on the Device)\n",
           (long)kcom_object_refcount(device_impl), (long)kcom_object_refcount(counter_impl));
    CHECK(kcom_object_refcount(device_impl) == 2 && kcom_object_refcount(counter_impl) == 1);

    ICounter_Add(counter, 40);
    ICounter_Add(counter, 2);
    CHECK(ICounter_GetTotal(counter, &total) == STATUS_SUCCESS && total == 42);
    printf("ICounter_Add(40), ICounter_Add(2), ICounter_GetTotal -> %lu\n", (unsigned long)total);

    /* Delegation: IUnknown methods on ICounter act on the Device. */
    printf("ICounter_AddRef -> %lu (the Device's count)\n", (unsigned long)ICounter_AddRef(counter));
    CHECK(kcom_object_refcount(device_impl) == 3 && kcom_object_refcount(counter_impl) == 1);
    CHECK(ICounter_Release(counter) == 2);

    /* Identity: IUnknown from either interface is the Device's IDevice pointer. */
    CHECK(ICounter_QueryInterface(counter, &IID_IUnknown, (void **)&unknown) == STATUS_SUCCESS);
    CHECK(unknown == (IUnknown *)(void *)device);
    printf("ICounter -> QueryInterface(IUnknown) is the Device: %s\n",
           unknown == (IUnknown *)(void *)device ? "yes" : "NO");
    KCOM_RELEASE_AND_CLEAR(&unknown);
    /* and the round trips agree: ICounter -> IDevice -> ICounter */
    CHECK(KCOM_QUERY_INTERFACE(counter, IDevice, &device_again) == STATUS_SUCCESS && device_again == device);
    CHECK(KCOM_QUERY_INTERFACE(device_again, ICounter, &counter_again) == STATUS_SUCCESS &&
          counter_again == counter);
    printf("ICounter -> IDevice -> ICounter returns the same pointers\n");
    KCOM_RELEASE_AND_CLEAR(&counter_again);
    KCOM_RELEASE_AND_CLEAR(&device_again);
    CHECK(kcom_object_refcount(device_impl) == 2 && kcom_object_refcount(counter_impl) == 1);

    /* Releasing ICounter releases the Device; the last Device reference takes both objects. */
    printf("ICounter_Release -> %lu\n", (unsigned long)KCOM_RELEASE_AND_CLEAR(&counter));
    printf("IDevice_Release:\n");
    CHECK(KCOM_RELEASE_AND_CLEAR(&device) == 0);
    CHECK(kcom_counting_allocator_live(&counter_allocator) == 0);

    /* An aggregatable class works on its own as well: it is then its own controlling IUnknown. */
    status = kcom_object_create(KCOM_CLASS_OF(Counter), NULL, NULL, NULL, &IID_ICounter, (void **)&solo);
    CHECK(status == STATUS_SUCCESS);
    if (NT_SUCCESS(status)) {
        ICounter_Add(solo, 1);
        printf("a Counter on its own: created, ICounter_Add(1), released:\n");
        CHECK(KCOM_RELEASE_AND_CLEAR(&solo) == 0);
    }

    printf("live allocations at exit: %ld\n", (long)kcom_counting_allocator_live(&counter_allocator));
    CHECK(kcom_counting_allocator_live(&counter_allocator) == 0);
    kcom_set_default_allocator(NULL);

    kcom_uninitialize();

    if (failures != 0) {
        printf("aggregation: %d check(s) FAILED\n", failures);
        return 1;
    }
    printf("aggregation: OK\n");
    return 0;
}
