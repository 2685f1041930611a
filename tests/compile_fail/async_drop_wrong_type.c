/*
 * An ASYNC method's _drop typed on the class instead of the state: C only warned about the
 * conversion, and the drop then read the task's state as the object. One error, naming the
 * function and the signature it must have.
 * outcome: error
 * first: ISampler::Sample \(ASYNC\) is cleaned up by Sampler_Sample_drop, which must be void Sampler_Sample_drop\(Sampler_Sample_state \*state\), or NULL
 * max-errors: 1
 * forbid: warning:
 */
#define SAMPLER_NO_DROP
#include "sampler.h"

static void Sampler_Sample_drop(Sampler *self)
{
    (void)self;
}

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))
