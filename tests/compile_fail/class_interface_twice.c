/*
 * KCOM_CLASS lists ICalibrate twice. The compiler names the class and the interface listed again.
 * outcome: error
 * first: (redeclaration|redefinition) of enumerator .Thermo_ICalibrate_kcom_entry.
 * max-errors: 1
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

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface), (ICalibrate, ICalibrate_iface))
