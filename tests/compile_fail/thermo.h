/*
 * thermo.h - what the compile-fail cases share: two interfaces and the struct of a class that
 * implements both, written as a driver would. Each case adds one slip.
 */
#ifndef KCOM_TEST_COMPILE_FAIL_THERMO_H
#define KCOM_TEST_COMPILE_FAIL_THERMO_H

#include <kcom/kcom.h>

#define ITempSensor_METHODS(M, I)                                                         \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, LONG, Read, )

#define ICalibrate_METHODS(M, I)                                                          \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, SetOffset, (LONG, offset))

#ifndef __ITempSensor_INTERFACE_DEFINED__
#define __ITempSensor_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ITempSensor, IUnknown,
                       0x5c2e7a10, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x11)
#endif
#ifndef __ICalibrate_INTERFACE_DEFINED__
#define __ICalibrate_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICalibrate, IUnknown,
                       0x5c2e7a11, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x12)
#endif

typedef struct Thermo {
    ITempSensor ITempSensor_iface;
    ICalibrate ICalibrate_iface;
    LONG offset;
} Thermo;

/* The two methods, written right; a case whose slip is in one of them writes that one itself,
 * defining THERMO_OWN_READ or THERMO_OWN_SET_OFFSET first, and a case that implements nothing
 * defines THERMO_NO_METHODS. */
#if !defined(THERMO_OWN_READ) && !defined(THERMO_NO_METHODS)
static NTSTATUS Thermo_Read(Thermo *self, LONG *value)
{
    *value = 20 + self->offset;
    return STATUS_SUCCESS;
}
#endif
#if !defined(THERMO_OWN_SET_OFFSET) && !defined(THERMO_NO_METHODS)
static NTSTATUS Thermo_SetOffset(Thermo *self, LONG offset)
{
    self->offset = offset;
    return STATUS_SUCCESS;
}
#endif

#endif /* KCOM_TEST_COMPILE_FAIL_THERMO_H */
