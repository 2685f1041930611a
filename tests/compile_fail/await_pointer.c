/*
 * KCOM_AWAIT given the operation to wait for instead of its await's poll: a pointer is never
 * KCOM_POLL_READY (0) once set, so the task would never resume, woken by nothing. One error,
 * naming the expression.
 * outcome: error
 * first: KCOM_AWAIT\(s->source\): the expression must be a kcom_poll_result
 * max-errors: 1
 */
#include <kcom/kcom.h>

typedef struct wait_state {
    KCOM_TASK_RESUME_POINT;
    IKcomAsyncOperation *source;
} wait_state;

kcom_poll_result wait_poll(void *p, kcom_task_context *cx);

kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
{
    wait_state *s = (wait_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(s->source);
    KCOM_TASK_END(cx);
}
