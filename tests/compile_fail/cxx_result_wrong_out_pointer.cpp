/*
 * C++: the implementation of the RESULT method ITempSensor::Read writes a ULONG where the method's
 * result is a LONG. One error, naming the method and the expected out pointer: the shim's call
 * (a conversion C++ refuses) adds nothing.
 * outcome: error
 * first: ITempSensor::Read \(RESULT\) is implemented by Thermo_Read, which must be NTSTATUS Thermo_Read\(Thermo \*self, then LONG \*result\)
 * max-errors: 1
 * forbid: warning:
 */
#include "thermo.h"

static NTSTATUS Thermo_Read(Thermo *self, ULONG *value)
{
    *value = static_cast<ULONG>(20 + self->offset);
    return STATUS_SUCCESS;
}

static NTSTATUS Thermo_SetOffset(Thermo *self, LONG offset)
{
    self->offset = offset;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))
