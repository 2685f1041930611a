/*
 * sampler.h - what the compile-fail cases of ASYNC methods share: an operation type, an interface
 * with one ASYNC method, the struct of its class and the state of the method's task.
 */
#ifndef KCOM_TEST_COMPILE_FAIL_SAMPLER_H
#define KCOM_TEST_COMPILE_FAIL_SAMPLER_H

#include <kcom/kcom.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncLONG, LONG,
                             0x5c2e7a12, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x13)

#define ISampler_METHODS(M, I)                                                            \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncLONG, Sample, (ULONG, count))

#ifndef __ISampler_INTERFACE_DEFINED__
#define __ISampler_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ISampler, IUnknown,
                       0x5c2e7a14, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x14)
#endif

typedef struct Sampler {
    ISampler ISampler_iface;
} Sampler;

typedef struct {
    KCOM_TASK_RESUME_POINT;
    ULONG count;
} Sampler_Sample_state;

/* the three functions of the method, each case leaving one out: SAMPLER_NO_START, _POLL, _DROP */
#ifndef SAMPLER_NO_START
static NTSTATUS Sampler_Sample(Sampler *self, Sampler_Sample_state *state, ULONG count)
{
    (void)self;
    state->count = count;
    return STATUS_SUCCESS;
}
#endif
#ifndef SAMPLER_NO_POLL
static kcom_poll_result Sampler_Sample_poll(Sampler_Sample_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, LONG, (LONG)state->count);
    KCOM_TASK_END(cx);
}
#endif
#ifndef SAMPLER_NO_DROP
#define Sampler_Sample_drop NULL
#endif

#endif /* KCOM_TEST_COMPILE_FAIL_SAMPLER_H */
