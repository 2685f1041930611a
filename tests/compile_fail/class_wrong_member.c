/*
 * KCOM_CLASS pairs ICalibrate with the ITempSensor member: the class table would send
 * QueryInterface(ICalibrate) to the wrong member. One error, naming the entry.
 * outcome: error
 * first: KCOM_CLASS\(Thermo, \.\.\.\): the entry \(ICalibrate, ITempSensor_iface\)
 * max-errors: 1
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ITempSensor_iface))
