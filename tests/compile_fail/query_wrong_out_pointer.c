/*
 * KCOM_QUERY_INTERFACE for ICalibrate into an ITempSensor pointer (C would only warn about the
 * pointer types). One error, naming the pointer's type.
 * outcome: error
 * first: ITempSensor \*\*
 * max-errors: 1
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))

NTSTATUS compile_fail_query(ITempSensor *sensor);
NTSTATUS compile_fail_query(ITempSensor *sensor)
{
    ITempSensor *calibrate = NULL;
    NTSTATUS status = KCOM_QUERY_INTERFACE(sensor, ICalibrate, &calibrate);
    KCOM_RELEASE_AND_CLEAR(&calibrate);
    return status;
}
