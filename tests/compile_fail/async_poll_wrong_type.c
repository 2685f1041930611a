/*
 * An ASYNC method's _poll typed on the class instead of the state: one error, naming the function
 * and the signature it must have; the shim's calls of it add nothing.
 * outcome: error
 * first: ISampler::Sample \(ASYNC\) is polled by Sampler_Sample_poll, which must be kcom_poll_result Sampler_Sample_poll\(Sampler_Sample_state \*state, kcom_task_context \*cx\)
 * max-errors: 1
 * forbid: warning:
 * flags: -DSAMPLER_NO_POLL
 */
#include "sampler.h"

static kcom_poll_result Sampler_Sample_poll(Sampler *self, kcom_task_context *cx)
{
    (void)self;
    (void)cx;
    return KCOM_POLL_READY;
}

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))
