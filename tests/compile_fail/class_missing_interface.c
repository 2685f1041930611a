/*
 * ICalibrate is implemented but left out of the class: QueryInterface would never answer it.
 * -Wall reports its vtable unused, naming the class and the interface.
 * outcome: warning
 * first: Thermo_ICalibrate_kcom_vtbl
 */
#include "thermo.h"

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface))
