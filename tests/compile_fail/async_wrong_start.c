/*
 * The start function of an ASYNC method without its state parameter. The first error names the
 * method and the expected signature; the shim's call of it adds nothing.
 * outcome: error
 * first: ISampler::Sample \(ASYNC\) is started by Sampler_Sample, which must be NTSTATUS Sampler_Sample\(Sampler \*self, Sampler_Sample_state \*state
 * max-errors: 1
 * forbid: warning:
 * flags: -DSAMPLER_NO_START
 */
#include "sampler.h"

static NTSTATUS Sampler_Sample(Sampler *self, ULONG count)
{
    (void)self;
    (void)count;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))
