/*
 * multiple - one object, three interfaces, one of them inherited from a fourth:
 *
 *     ISensor : IUnknown                  GetId
 *     ITemperatureSensor : ISensor        ReadMilliCelsius
 *     ICalibration : IUnknown             SetOffset, GetOffset
 *     INamed : IUnknown                   GetName
 *
 * Shows RESULT methods (value through an out pointer, NTSTATUS returned), QueryInterface between
 * the interfaces and to an ancestor, COM identity through IID_IUnknown, reference counts, and,
 * with the counting allocator, that the object is exactly one allocation.
 */
#include <kcom/kcom.h>

#include <stdio.h>
#include <string.h>

/* ---- interfaces ----------------------------------------------------------------------------------- */

#define ISensor_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, ULONG, GetId, )

/* A child's list starts with its parent's: the vtable is ISensor's slots, then its own. */
#define ITemperatureSensor_METHODS(M, I)                                                  \
    ISensor_METHODS(M, I)                                                                 \
    M(I, RESULT, LONG, ReadMilliCelsius, )

#define ICalibration_METHODS(M, I)                                                        \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, SetOffset, (LONG, milli_celsius))                              \
    M(I, RESULT, LONG, GetOffset, )

/* GetName(This, buffer, capacity, &length): the RESULT value comes after the parameters. */
#define INamed_METHODS(M, I)                                                              \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, ULONG, GetName, (char *, buffer)(ULONG, capacity))

#ifndef __ISensor_INTERFACE_DEFINED__
#define __ISensor_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ISensor, IUnknown,
                       0x6b1e0c20, 0x27a4, 0x4f61, 0x8a, 0x0d, 0x3c, 0x55, 0x91, 0x2e, 0x74, 0x01)
#endif
#ifndef __ITemperatureSensor_INTERFACE_DEFINED__
#define __ITemperatureSensor_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ITemperatureSensor, ISensor,
                       0x6b1e0c21, 0x27a4, 0x4f61, 0x8a, 0x0d, 0x3c, 0x55, 0x91, 0x2e, 0x74, 0x01)
#endif
#ifndef __ICalibration_INTERFACE_DEFINED__
#define __ICalibration_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICalibration, IUnknown,
                       0x6b1e0c22, 0x27a4, 0x4f61, 0x8a, 0x0d, 0x3c, 0x55, 0x91, 0x2e, 0x74, 0x01)
#endif
#ifndef __INamed_INTERFACE_DEFINED__
#define __INamed_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(INamed, IUnknown,
                       0x6b1e0c23, 0x27a4, 0x4f61, 0x8a, 0x0d, 0x3c, 0x55, 0x91, 0x2e, 0x74, 0x01)
#endif

/* ---- the class -------------------------------------------------------------------------------------- */

typedef struct Thermometer {
    ITemperatureSensor ITemperatureSensor_iface; /* listed first in KCOM_CLASS: the identity */
    ICalibration ICalibration_iface;
    INamed INamed_iface;
    ULONG id;
    LONG raw_milli_celsius; /* what the "hardware" reads */
    LONG offset_milli_celsius;
    BOOLEAN online;
    char name[16];
} Thermometer;

/* ISensor's method is implemented once; KCOM_IMPLEMENT(..., ITemperatureSensor, ...) wires it into
 * the inherited slot. RESULT implementations write *result and return a status. */
static NTSTATUS Thermometer_GetId(Thermometer *self, ULONG *id)
{
    *id = self->id;
    return STATUS_SUCCESS;
}

static NTSTATUS Thermometer_ReadMilliCelsius(Thermometer *self, LONG *value)
{
    if (!self->online)
        return STATUS_INVALID_DEVICE_STATE; /* the shim zeroes *value for the caller */
    *value = self->raw_milli_celsius + self->offset_milli_celsius;
    return STATUS_SUCCESS;
}

static NTSTATUS Thermometer_SetOffset(Thermometer *self, LONG milli_celsius)
{
    KCOM_ENSURE(milli_celsius >= -5000 && milli_celsius <= 5000, STATUS_INVALID_PARAMETER);
    self->offset_milli_celsius = milli_celsius;
    return STATUS_SUCCESS;
}

static NTSTATUS Thermometer_GetOffset(Thermometer *self, LONG *milli_celsius)
{
    *milli_celsius = self->offset_milli_celsius;
    return STATUS_SUCCESS;
}

static NTSTATUS Thermometer_GetName(Thermometer *self, char *buffer, ULONG capacity, ULONG *length)
{
    size_t needed = strlen(self->name);
    if (buffer == NULL || capacity <= needed)
        return STATUS_BUFFER_TOO_SMALL;
    memcpy(buffer, self->name, needed + 1);
    *length = (ULONG)needed;
    return STATUS_SUCCESS;
}

static void Thermometer_destroy(Thermometer *self)
{
    printf("  Thermometer %lu (\"%s\") destroyed\n", (unsigned long)self->id, self->name);
}

KCOM_IMPLEMENT(Thermometer, ITemperatureSensor, ITemperatureSensor_iface)
KCOM_IMPLEMENT(Thermometer, ICalibration, ICalibration_iface)
KCOM_IMPLEMENT(Thermometer, INamed, INamed_iface)
KCOM_CLASS(Thermometer, Thermometer_destroy,
           (ITemperatureSensor, ITemperatureSensor_iface),
           (ICalibration, ICalibration_iface),
           (INamed, INamed_iface))

/* kcom_object_create calls this on the zero-filled struct before handing out an interface. */
static NTSTATUS Thermometer_init(void *impl, void *ctx)
{
    Thermometer *self = (Thermometer *)impl;
    self->id = *(const ULONG *)ctx;
    self->raw_milli_celsius = 21500;
    self->online = TRUE;
    memcpy(self->name, "probe-A", sizeof("probe-A"));
    return STATUS_SUCCESS;
}

/* ---- the client ----------------------------------------------------------------------------------- */

static int failures;

/* kcom reports through one hook; this one puts its messages in line with the narrative. Its
 * format is printf's (KCOM_PRINTF_FORMAT lets the compiler check the forwarding). */
static KCOM_PRINTF_FORMAT(5, 0) void print_trace(void *context, kcom_trace_level level, const char *file, int line,
                        const char *format, va_list args)
{
    (void)context;
    (void)file;
    (void)line;
    printf("  [kcom trace, level %d] ", (int)level);
    vprintf(format, args);
    printf("\n");
}

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

/* The identity of any interface pointer: QueryInterface(IID_IUnknown), reference dropped again
 * (only the address is compared). */
static IUnknown *identity_of(IUnknown *iface)
{
    IUnknown *unknown = NULL;
    if (NT_SUCCESS(kcom_query_interface(iface, &IID_IUnknown, (void **)&unknown)))
        kcom_release(unknown);
    return unknown;
}

int main(void)
{
    kcom_counting_allocator counter;
    ITemperatureSensor *sensor = NULL;
    ICalibration *calibration = NULL;
    INamed *named = NULL;
    ISensor *base = NULL;
    ULONG id = 7, length;
    LONG value;
    char name[16];
    NTSTATUS status;

    if (!NT_SUCCESS(kcom_initialize()))
        return 1;

    /* Route kcom's allocations through a counter, to see how many the object takes. */
    kcom_counting_allocator_init(&counter, NULL);
    kcom_set_default_allocator(&counter.allocator);
    kcom_set_trace_hook(print_trace, NULL);

    status = kcom_object_create(KCOM_CLASS_OF(Thermometer), NULL, Thermometer_init, &id,
                                &IID_ITemperatureSensor, (void **)&sensor);
    CHECK(status == STATUS_SUCCESS);
    if (!NT_SUCCESS(status))
        return 1;
    printf("created a Thermometer: %ld allocation(s), %ld live, %ld bytes (header + %zu-byte struct)\n",
           (long)counter.attempts, (long)kcom_counting_allocator_live(&counter), (long)counter.live_bytes,
           sizeof(Thermometer));
    CHECK(counter.attempts == 1 && kcom_counting_allocator_live(&counter) == 1);
    CHECK(counter.live_bytes == (LONG)(sizeof(kcom_object_header) + sizeof(Thermometer)));

    /* RESULT methods: the value comes back through the last argument. */
    CHECK(ITemperatureSensor_ReadMilliCelsius(sensor, &value) == STATUS_SUCCESS && value == 21500);
    printf("ITemperatureSensor_ReadMilliCelsius -> %ld millidegrees C\n", (long)value);
    /* A NULL out pointer is refused by the generated shim before the implementation runs. */
    status = ITemperatureSensor_ReadMilliCelsius(sensor, NULL);
    printf("ITemperatureSensor_ReadMilliCelsius(NULL) -> %s\n", kcom_status_name(status));
    CHECK(status == STATUS_INVALID_PARAMETER);

    /* QueryInterface across interfaces; each hit adds a reference. */
    CHECK(KCOM_QUERY_INTERFACE(sensor, ICalibration, &calibration) == STATUS_SUCCESS);
    CHECK(KCOM_QUERY_INTERFACE(sensor, INamed, &named) == STATUS_SUCCESS);
    printf("QueryInterface for ICalibration and INamed: reference count %ld\n",
           (long)kcom_object_refcount(KCOM_IMPL_FROM(Thermometer, ITemperatureSensor_iface, sensor)));

    CHECK(ICalibration_SetOffset(calibration, -300) == STATUS_SUCCESS);
    CHECK(ICalibration_GetOffset(calibration, &value) == STATUS_SUCCESS && value == -300);
    CHECK(ITemperatureSensor_ReadMilliCelsius(sensor, &value) == STATUS_SUCCESS && value == 21200);
    printf("after ICalibration_SetOffset(-300): %ld millidegrees C\n", (long)value);
    /* The implementation's KCOM_ENSURE refuses the value (and traces why, at ERROR level). */
    status = ICalibration_SetOffset(calibration, 90000);
    printf("ICalibration_SetOffset(90000) -> %s\n", kcom_status_name(status));
    CHECK(status == STATUS_INVALID_PARAMETER);

    CHECK(INamed_GetName(named, name, sizeof(name), &length) == STATUS_SUCCESS && length == 7);
    printf("INamed_GetName -> \"%s\" (%lu characters)\n", name, (unsigned long)length);
    /* On failure the shim leaves the out value zeroed, whatever the caller had there. */
    length = 12345;
    status = INamed_GetName(named, name, 4, &length);
    printf("INamed_GetName with 4 bytes -> %s, length %lu\n", kcom_status_name(status), (unsigned long)length);
    CHECK(status == STATUS_BUFFER_TOO_SMALL && length == 0);

    /* ITemperatureSensor answers for its ancestor ISensor: same pointer, the vtable's prefix. */
    CHECK(KCOM_QUERY_INTERFACE(named, ISensor, &base) == STATUS_SUCCESS);
    CHECK((void *)base == (void *)sensor);
    CHECK(ISensor_GetId(base, &id) == STATUS_SUCCESS && id == 7);
    printf("QueryInterface(INamed -> ISensor) = the ITemperatureSensor pointer; ISensor_GetId -> %lu\n",
           (unsigned long)id);

    /* Identity: IID_IUnknown from every interface gives one pointer, the first interface listed. */
    CHECK(identity_of(KCOM_UNKNOWN(sensor)) == KCOM_UNKNOWN(sensor));
    CHECK(identity_of(KCOM_UNKNOWN(calibration)) == KCOM_UNKNOWN(sensor));
    CHECK(identity_of(KCOM_UNKNOWN(named)) == KCOM_UNKNOWN(sensor));
    printf("identity: QueryInterface(IID_IUnknown) from all three interfaces returns the\n"
           "          ITemperatureSensor pointer (interface offsets in the struct: %zu, %zu, %zu)\n",
           offsetof(Thermometer, ITemperatureSensor_iface), offsetof(Thermometer, ICalibration_iface),
           offsetof(Thermometer, INamed_iface));

    /* Every interface shares the object's one count: releasing through any of them works. */
    printf("releasing: ISensor -> %lu, ", (unsigned long)KCOM_RELEASE_AND_CLEAR(&base));
    printf("INamed -> %lu, ", (unsigned long)KCOM_RELEASE_AND_CLEAR(&named));
    printf("ICalibration -> %lu\n", (unsigned long)KCOM_RELEASE_AND_CLEAR(&calibration));
    CHECK(base == NULL && named == NULL && calibration == NULL);
    printf("last release, through ITemperatureSensor:\n");
    CHECK(KCOM_RELEASE_AND_CLEAR(&sensor) == 0);

    printf("live allocations at exit: %ld\n", (long)kcom_counting_allocator_live(&counter));
    CHECK(kcom_counting_allocator_live(&counter) == 0);
    kcom_set_default_allocator(NULL);
    kcom_set_trace_hook(NULL, NULL);

    kcom_uninitialize();

    if (failures != 0) {
        printf("multiple: %d check(s) FAILED\n", failures);
        return 1;
    }
    printf("multiple: OK\n");
    return 0;
}
