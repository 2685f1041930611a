/*
 * KCOM_IMPLEMENT names the member of another interface: the shims would reach the struct at the
 * wrong offset. One error, naming the member and its expected type.
 * outcome: error
 * first: KCOM_IMPLEMENT\(Thermo, ICalibrate, ITempSensor_iface\): the member ITempSensor_iface of Thermo must have the type ICalibrate
 * max-errors: 1
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ITempSensor_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))
