/*
 * KCOM_CLASS lists ICalibrate twice. The compiler names the class and the interface listed again.
 * outcome: error
 * first: (redeclaration|redefinition) of enumerator .Thermo_ICalibrate_kcom_entry.
 * max-errors: 1
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface), (ICalibrate, ICalibrate_iface))
