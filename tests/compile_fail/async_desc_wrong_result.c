/*
 * A task descriptor whose result type is not its interface's: the interface's get_result would
 * copy the descriptor's size into the caller's ULONG. The first error names the descriptor's
 * arguments and the interface's result type.
 * outcome: error
 * first: KCOM_ASYNC_TASK_DESC\(IAsyncCount, ULONG64, \.\.\.\): the result type must have the size and alignment of IAsyncCount_result, the result type of IAsyncCount
 * max-errors: 1
 */
#include <kcom/kcom.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncCount, ULONG,
                             0x5c2e7a19, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x19)

typedef struct count_state {
    KCOM_TASK_RESUME_POINT;
} count_state;

static kcom_poll_result count_poll(void *p, kcom_task_context *cx)
{
    count_state *state = (count_state *)p;
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG64, 1);
    KCOM_TASK_END(cx);
}

const kcom_async_task_desc *count_desc(void);
const kcom_async_task_desc *count_desc(void)
{
    static const kcom_async_task_desc desc = KCOM_ASYNC_TASK_DESC(IAsyncCount, ULONG64, count_state, count_poll, NULL);
    return &desc;
}
