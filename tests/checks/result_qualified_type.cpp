/* A RESULT method's value type may be any C++ type name, a qualified one starting with :: too:
 * the declaration's test that it is not void works on the type, not on its first token. */
#include <kcom/kcom.h>

namespace kcom_check_ns {
struct Value {
    LONG amount;
};
} // namespace kcom_check_ns

#define IKcomCheckQualified_METHODS(M, I)                                                  \
    IUnknown_METHODS(M, I)                                                                 \
    M(I, RESULT, ::kcom_check_ns::Value, GetValue, )

KCOM_DECLARE_INTERFACE(IKcomCheckQualified, IUnknown, 0x4b434f4d, 0x7e57, 0x0002, 0x80, 0x00, 0x00, 0x00, 0x00,
                       0x00, 0x00, 0x02)
