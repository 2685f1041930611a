/*
 * The implementation of the RESULT method ITempSensor::Read writes a ULONG where the method's
 * result is a LONG. One error, naming the method and the expected out pointer, and no diagnostic
 * of the shim's call (a warning of the pointer's conversion in C, an error in C++ and newer C).
 * outcome: error
 * first: ITempSensor::Read \(RESULT\) is implemented by Thermo_Read, which must be NTSTATUS Thermo_Read\(Thermo \*self, then LONG \*result\)
 * max-errors: 1
 * forbid: warning:
 */
#define THERMO_OWN_READ
#include "thermo.h"

static NTSTATUS Thermo_Read(Thermo *self, ULONG *value)
{
    *value = (ULONG)(20 + self->offset);
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Thermo, ITempSensor, ITempSensor_iface)
KCOM_IMPLEMENT(Thermo, ICalibrate, ICalibrate_iface)
KCOM_CLASS(Thermo, NULL, (ITempSensor, ITempSensor_iface), (ICalibrate, ICalibrate_iface))
