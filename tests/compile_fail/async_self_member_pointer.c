/*
 * KCOM_ASYNC_SELF given a pointer into the state instead of the state (&state->count): one error,
 * naming the resume point the method's state declares and the count does not.
 * outcome: error
 * first: kcom_resume_point|not a structure or union
 * max-errors: 1
 */
#include "sampler.h"

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))

Sampler *compile_fail_self_of(Sampler_Sample_state *state);
Sampler *compile_fail_self_of(Sampler_Sample_state *state)
{
    return KCOM_ASYNC_SELF(Sampler, &state->count);
}
