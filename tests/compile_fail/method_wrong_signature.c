/*
 * The implementation of ICalibrate::SetOffset takes a ULONG where the method has a LONG (C would
 * convert silently). One error, naming the method and the function with its expected signature.
 * outcome: error
 * first: ICalibrate::SetOffset \(METHOD\) is implemented by Thermo_SetOffset, which must be NTSTATUS Thermo_SetOffset\(Thermo \*self
 * max-errors: 1
 */
#define THERMO_OWN_SET_OFFSET
#include "thermo.h"

static NTSTATUS Thermo_SetOffset(Thermo *self, ULONG offset)
{
    self->offset = (LONG)offset;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))
