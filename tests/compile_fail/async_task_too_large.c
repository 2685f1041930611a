/*
 * A KCOM_ASYNC_TASK whose state would make a block over 2 GB: every spawn would refuse it, so the
 * build stops at the macro, naming the task and the types.
 * outcome: error
 * first: KCOM_ASYNC_TASK\(huge_desc, \.\.\.\): ULONG and huge_state must fit a block of at most 2 GB, each aligned to at most 4096
 * max-errors: 1
 */
#include <kcom/kcom.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncHuge, ULONG,
                             0x6d3f8b2a, 0x4c2e, 0x4f70, 0x9b, 0xa2, 0x3d, 0x5e, 0x7f, 0x80, 0x91, 0x2a)

typedef struct huge_state {
    KCOM_TASK_RESUME_POINT;
    unsigned char bytes[0x80000000UL];
} huge_state;

static kcom_poll_result huge_poll(void *p, kcom_task_context *cx)
{
    huge_state *state = (huge_state *)p;
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 1);
    KCOM_TASK_END(cx);
}

KCOM_ASYNC_TASK(huge_desc, IAsyncHuge, ULONG, huge_state, huge_poll, NULL)

const kcom_async_task_desc *huge_task(void);
const kcom_async_task_desc *huge_task(void)
{
    return &huge_desc;
}
