/*
 * A method list without its parent's list: the vtable would lack QueryInterface, AddRef and
 * Release. The first error names the missing method and the rule.
 * outcome: error
 * first: IGauge_METHODS_must_begin_with_IUnknown_METHODS.*QueryInterface|QueryInterface.*IGauge_METHODS_must_begin_with_IUnknown_METHODS
 */
#include <kcom/kcom.h>

#define IGauge_METHODS(M, I) M(I, RESULT, LONG, Level, )

KCOM_DECLARE_INTERFACE(IGauge, IUnknown,
                       0x5c2e7a15, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x15)
