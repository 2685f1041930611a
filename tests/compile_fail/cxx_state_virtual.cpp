/*
 * C++: an ASYNC method's state with a virtual function. kcom zero-fills the state, so its vtable
 * pointer would be null. One error, naming the state and the reason.
 * outcome: error
 * first: ISampler::Sample: Primed_Sample_state must have no virtual functions
 * max-errors: 1
 */
#include "sampler.h"

struct Primed {
    ISampler ISampler_iface;
};

struct Primed_Sample_state {
    KCOM_TASK_RESUME_POINT;
    ULONG count;
    ULONG retries;
    virtual ULONG extra() { return retries; }
};

static NTSTATUS Primed_Sample(Primed *self, Primed_Sample_state *state, ULONG count)
{
    (void)self;
    state->count = count;
    return STATUS_SUCCESS;
}

static kcom_poll_result Primed_Sample_poll(Primed_Sample_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, LONG, (LONG)(state->count + state->extra()));
    KCOM_TASK_END(cx);
}

#define Primed_Sample_drop NULL

KCOM_IMPLEMENT(Primed, ISampler, ISampler_iface)
KCOM_CLASS(Primed, NULL, (ISampler, ISampler_iface))
