/*
 * C++: the implementation of the RESULT method ITempSensor::Read writes a ULONG where the method's
 * result is a LONG. One error, naming the method and the expected out pointer: the shim's call
 * (a conversion C++ refuses) adds nothing.
 * outcome: error
 * first: ITempSensor::Read \(RESULT\) is implemented by Thermo_Read, which must be NTSTATUS Thermo_Read\(Thermo \*self, then LONG \*result\)
 * max-errors: 1
 * forbid: warning:
 */
#include "result_wrong_out_pointer.c" /* the same slip, compiled as C++ */
