/*
 * kernel_punknown_first - a driver that includes the DDK's <punknown.h> before kcom: kcom takes
 * that IUnknown declaration (QueryInterface returning NTSTATUS, the same three slots) and its
 * IID_IUnknown declaration, whose storage the kcom library provides. Compiling this file is half
 * of the test; the other half runs a kcom object through the DDK's IUnknown.
 */
#include <punknown.h>

#include <kcom/kcom.h>

#define IPunkFirst_METHODS(M, I) \
    IUnknown_METHODS(M, I)       \
    M(I, METHOD, ULONG, Value, )

#ifndef __IPunkFirst_INTERFACE_DEFINED__
#define __IPunkFirst_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IPunkFirst, IUnknown,
                       0x0d6f3b52, 0x8a1e, 0x4f0c, 0xa4, 0x3b, 0x1e, 0x77, 0x92, 0x0c, 0x5d, 0x01)
#endif

/* punknown.h came first: IUnknown is the DDK's, and kcom did not declare its own. */
KCOM_STATIC_ASSERT(sizeof(PUNKNOWN) == sizeof(IUnknown *), "punknown.h's PUNKNOWN is kcom's IUnknown *");

#define SUFFIX First
#include "punknown_body.h"

void kcom_test_kernel_punknown_first(void)
{
    run_First();
}
