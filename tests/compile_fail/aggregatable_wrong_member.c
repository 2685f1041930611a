/*
 * The same slip in KCOM_AGGREGATABLE_CLASS. One error, naming the macro and the entry.
 * outcome: error
 * first: KCOM_AGGREGATABLE_CLASS\(Thermo, \.\.\.\): the entry \(ICalibrate, ITempSensor_iface\)
 * max-errors: 1
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_AGGREGATABLE_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ITempSensor_iface))
