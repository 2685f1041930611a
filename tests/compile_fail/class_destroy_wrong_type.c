/*
 * A destroy callback typed on an interface instead of the class: C only warned about the
 * conversion, and the callback then read the object as that interface. One error, naming the
 * callback and the signature it must have.
 * outcome: error
 * first: the destroy callback of Thermo, Thermo_destroy, must be void Thermo_destroy\(Thermo \*self\), or NULL
 * max-errors: 1
 * forbid: warning:
 */
#include "thermo.h"

static void Thermo_destroy(ICalibrate *calibrate)
{
    (void)calibrate;
}

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, Thermo_destroy, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))
