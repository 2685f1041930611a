/*
 * C++: an ASYNC method's state with a member whose destructor does something. kcom never runs the
 * state's destructor, so it would silently never run. One error, naming the state and the reason.
 * outcome: error
 * first: ISampler::Sample: Primed_Sample_state must be trivially destructible
 * max-errors: 1
 */
#include "sampler.h"

struct Primed {
    ISampler ISampler_iface;
};

struct Holder {
    ULONG value;
    ~Holder() { value = 0; }
};

struct Primed_Sample_state {
    KCOM_TASK_RESUME_POINT;
    ULONG count;
    Holder retries;
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
    KCOM_TASK_RETURN_VALUE(cx, LONG, (LONG)(state->count + state->retries.value));
    KCOM_TASK_END(cx);
}

#define Primed_Sample_drop NULL

KCOM_IMPLEMENT(Primed, ISampler, ISampler_iface)
KCOM_CLASS(Primed, NULL, (ISampler, ISampler_iface))
