/*
 * A C++ interface derived from kcom's IUnknown, as the DDK's C++ COM headers (punknown.h,
 * portcls.h, ks.h) declare theirs with DECLARE_INTERFACE_ when kcom came first: kcom's IUnknown is
 * a C struct, so the class's own vtable pointer would come first and its IUnknown base after it,
 * every conversion to IUnknown * one pointer off. kcom's interfaces are final in C++: one error,
 * naming the base.
 * outcome: error
 * first: (cannot derive from .final. base .IUnknown.|base .IUnknown. is marked .final.)
 * max-errors: 1
 */
#include <kcom/kcom.h>

struct IMiniportLike : IUnknown {
    virtual NTSTATUS Init(void *context) = 0;
};

unsigned long kcom_check_miniport_size(void);
unsigned long kcom_check_miniport_size(void)
{
    return sizeof(IMiniportLike);
}
