/*
 * KCOM_ASYNC_SELF given a state that is not an ASYNC method's (a helper's void *, here): in C the
 * object's place would be computed from sizeof(void), and a wrong object read without a word. One
 * error, naming the resume point every method's state declares.
 * outcome: error
 * first: kcom_resume_point|not a structure or union
 * max-errors: 1
 */
#include "sampler.h"

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))

Sampler *compile_fail_self_of(void *state);
Sampler *compile_fail_self_of(void *state)
{
    return KCOM_ASYNC_SELF(Sampler, state);
}
