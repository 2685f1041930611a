/*
 * KCOM_NEW(Thermo, ...) into an interface pointer instead of a Thermo pointer. One error, naming
 * the pointer's type.
 * outcome: error
 * first: ITempSensor \*\*
 * max-errors: 1
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))

NTSTATUS compile_fail_new(void);
NTSTATUS compile_fail_new(void)
{
    ITempSensor *sensor = NULL;
    NTSTATUS status = KCOM_NEW(Thermo, NULL, &sensor);
    KCOM_RELEASE_AND_CLEAR(&sensor);
    return status;
}
