/*
 * C++: a destroy callback typed on an interface (ICalibrate) instead of the class. The conversion is the error
 * (C++ has no implicit one between these function pointers), once: the class uses one constant
 * of the callback.
 * outcome: error
 * first: ICalibrate ?\*.*Thermo ?\*|Thermo ?\*.*ICalibrate ?\*
 * max-errors: 1
 * forbid: warning:
 */
#include "class_destroy_wrong_type.c" /* the same slip, compiled as C++ */
