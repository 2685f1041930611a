/*
 * KCOM_AWAIT given a BOOLEAN that is TRUE when the work is ready: KCOM_POLL_READY is 0, so it
 * would read as PENDING and the task would never resume. One error, naming the expression.
 * outcome: error
 * first: KCOM_AWAIT\(s->ready\): the expression must be a kcom_poll_result
 * max-errors: 1
 */
#include <kcom/kcom.h>

typedef struct wait_state {
    KCOM_TASK_RESUME_POINT;
    BOOLEAN ready;
} wait_state;

kcom_poll_result wait_poll(void *p, kcom_task_context *cx);

kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
{
    wait_state *s = (wait_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(s->ready);
    KCOM_TASK_END(cx);
}
