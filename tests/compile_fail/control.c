/*
 * The positive control: the cases' class written right (an ordinary and an aggregatable class,
 * RESULT, METHOD and ASYNC methods, the client macros) compiles without a single diagnostic, so
 * that every other case fails for its own slip only.
 * outcome: success
 * flags: -Wpedantic
 */
#include "sampler.h"
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))

/* the same interfaces in an aggregatable class, sharing the functions through void *self */
typedef struct Probe {
    ITempSensor ITempSensor_iface;
    LONG offset;
} Probe;
static NTSTATUS Probe_Read(void *self, LONG *value)
{
    *value = ((Probe *)self)->offset;
    return STATUS_SUCCESS;
}
KCOM_IMPLEMENT(Probe, ITempSensor, ITempSensor_iface)
KCOM_AGGREGATABLE_CLASS(Probe, NULL, (ITempSensor, ITempSensor_iface))

/* an ASYNC method */
KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))

NTSTATUS compile_fail_control(void);
NTSTATUS compile_fail_control(void)
{
    Thermo *thermo = NULL;
    ICalibrate *calibrate = NULL;
    NTSTATUS status = KCOM_NEW(Thermo, NULL, &thermo);
    if (!NT_SUCCESS(status))
        return status;
    status = KCOM_QUERY_INTERFACE(&thermo->ITempSensor_iface, ICalibrate, &calibrate);
    if (NT_SUCCESS(status))
        KCOM_RELEASE(calibrate);
    kcom_object_release(thermo);
    return status;
}
