/*
 * kernel_punknown_last - a driver that includes kcom before the DDK's <punknown.h>: punknown.h
 * sees kcom's IUnknown (__IUnknown_INTERFACE_DEFINED__) and keeps only its PUNKNOWN typedef and
 * helper macros; the status codes keep their NTSTATUS type although punknown.h includes winnt.h.
 */
#include <kcom/kcom.h>

#include <punknown.h>

#define IPunkLast_METHODS(M, I) \
    IUnknown_METHODS(M, I)      \
    M(I, METHOD, ULONG, Value, )

#ifndef __IPunkLast_INTERFACE_DEFINED__
#define __IPunkLast_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IPunkLast, IUnknown,
                       0x0d6f3b52, 0x8a1e, 0x4f0c, 0xa4, 0x3b, 0x1e, 0x77, 0x92, 0x0c, 0x5d, 0x02)
#endif

KCOM_STATIC_ASSERT(STATUS_INVALID_PARAMETER < 0 && STATUS_PENDING == 0x103,
                   "STATUS_* stay NTSTATUS after punknown.h (winnt.h)");
KCOM_STATIC_ASSERT(sizeof(PUNKNOWN) == sizeof(IUnknown *), "PUNKNOWN is kcom's IUnknown *");

#define SUFFIX Last
#include "punknown_body.h"

void kcom_test_kernel_punknown_last(void)
{
    run_Last();
}
