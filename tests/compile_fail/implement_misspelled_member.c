/*
 * A misspelled member in KCOM_IMPLEMENT: at most three errors, the first naming the member, and
 * no warning about the generated functions.
 * outcome: error
 * first: no member named 'ITempSensor_ifac'
 * max-errors: 3
 * forbid: control reaches end|warning:
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_ifac)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))
