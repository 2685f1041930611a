/*
 * A method list with its parent's list after its own methods: the inherited slots would move.
 * One error, saying where the parent's list goes.
 * outcome: error
 * first: IGauge_METHODS\(M, I\) must begin with IUnknown_METHODS\(M, I\)
 * max-errors: 1
 */
#include <kcom/kcom.h>

#define IGauge_METHODS(M, I)                                                              \
    M(I, RESULT, LONG, Level, )                                                           \
    IUnknown_METHODS(M, I)

KCOM_DECLARE_INTERFACE(IGauge, IUnknown,
                       0x5c2e7a15, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x15)
