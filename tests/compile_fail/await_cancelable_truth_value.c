/*
 * KCOM_AWAIT_CANCELABLE given a BOOLEAN that is TRUE when the work is ready (see
 * await_truth_value.c): its own check names it, before the conditional it hands KCOM_AWAIT.
 * outcome: error
 * first: KCOM_AWAIT_CANCELABLE\(s->ready\): the expression must be a kcom_poll_result
 * max-errors: 1
 */
#include <kcom/kcom.h>

typedef struct wait_state {
    KCOM_TASK_RESUME_POINT;
    BOOLEAN ready;
    BOOLEAN canceled;
} wait_state;

kcom_poll_result wait_poll(void *p, kcom_task_context *cx);

kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
{
    wait_state *s = (wait_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, s->ready);
    KCOM_TASK_END(cx);
}
