/*
 * KCOM_IMPL_FROM from a pointer to another interface than the member's (C would only warn about
 * the pointer types): one error, naming the pointer's type.
 * outcome: error
 * first: ICalibrate \*
 * max-errors: 1
 */
#define THERMO_NO_METHODS
#include "thermo.h"

Thermo *compile_fail_impl_from(ICalibrate *calibrate);
Thermo *compile_fail_impl_from(ICalibrate *calibrate)
{
    return KCOM_IMPL_FROM(Thermo, ITempSensor_iface, calibrate);
}
