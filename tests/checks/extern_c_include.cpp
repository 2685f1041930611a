/* kcom's headers included inside extern "C" { }, as C++ drivers often wrap C headers: the C++
 * parts of the headers (templates) keep C++ linkage of their own. */
extern "C" {
#include <kcom/kcom.h>
}

#define IKcomCheckExternC_METHODS(M, I)                                                    \
    IUnknown_METHODS(M, I)                                                                 \
    M(I, RESULT, ULONG, GetCount, )

KCOM_DECLARE_INTERFACE(IKcomCheckExternC, IUnknown, 0x4b434f4d, 0x7e57, 0x0003, 0x80, 0x00, 0x00, 0x00, 0x00,
                       0x00, 0x00, 0x03)
