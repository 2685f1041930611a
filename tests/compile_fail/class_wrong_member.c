/*
 * KCOM_CLASS pairs ICalibrate with the ITempSensor member: the class table would send
 * QueryInterface(ICalibrate) to the wrong member. One error, naming the entry.
 * outcome: error
 * first: KCOM_CLASS\(Thermo, \.\.\.\): the entry \(ICalibrate, ITempSensor_iface\)
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
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ITempSensor_iface))
