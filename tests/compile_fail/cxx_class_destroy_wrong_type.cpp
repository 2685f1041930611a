/*
 * C++: a destroy callback typed on an interface instead of the class. The conversion is the error
 * (C++ has no implicit one between these function pointers), once: the class uses one constant
 * of the callback.
 * outcome: error
 * first: Thermo_destroy|void \(\*\)\(ITempSensor ?\*\)|ITempSensor \*
 * max-errors: 1
 * forbid: warning:
 */
#include "thermo.h"

static NTSTATUS Thermo_Read(Thermo *self, LONG *value)
{
    *value = 20 + self->offset;
    return STATUS_SUCCESS;
}

static NTSTATUS Thermo_SetOffset(Thermo *self, LONG offset)
{
    self->offset = offset;
    return STATUS_SUCCESS;
}

static void Thermo_destroy(ITempSensor *sensor)
{
    (void)sensor;
}

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, Thermo_destroy, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))
