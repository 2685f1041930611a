/*
 * An ASYNC method without its _drop (a function, or #define Sampler_Sample_drop NULL). The first
 * error names it.
 * outcome: error
 * first: Sampler_Sample_drop
 * flags: -DSAMPLER_NO_DROP
 */
#include "sampler.h"

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))
