/*
 * A RESULT method declared with a void value: the shim's zero-fill would take sizeof(void) (1, in
 * GNU C alone) and the caller would get no value. One error, naming the method.
 * outcome: error
 * first: IProbe::Reset \(RESULT\): its value has the type void
 * max-errors: 1
 */
#include <kcom/kcom.h>

#define IProbe_METHODS(M, I) \
    IUnknown_METHODS(M, I)   \
    M(I, RESULT, void, Reset, )
KCOM_DECLARE_INTERFACE(IProbe, IUnknown, 0x4b434f4d, 0x7e57, 0x0001, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01)
