/*
 * An ASYNC method without its _poll. The first error names it.
 * outcome: error
 * first: Sampler_Sample_poll
 * flags: -DSAMPLER_NO_POLL
 */
#include "sampler.h"

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))
