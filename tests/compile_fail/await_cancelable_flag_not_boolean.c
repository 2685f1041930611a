/*
 * KCOM_AWAIT_CANCELABLE given an int as its flag: the macro sets it through a BOOLEAN pointer,
 * which would write one byte of the int. Its own check names the flag, and nothing else is
 * reported for the line.
 * outcome: error
 * first: KCOM_AWAIT_CANCELABLE\(s->canceled\): the flag must be a BOOLEAN
 * max-errors: 1
 * forbid: incompatible pointer
 */
#include <kcom/kcom.h>

typedef struct wait_state {
    KCOM_TASK_RESUME_POINT;
    int canceled;
    kcom_async_event_await ready;
} wait_state;

kcom_poll_result wait_poll(void *p, kcom_task_context *cx);

kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
{
    wait_state *s = (wait_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_event_await_poll(&s->ready, cx));
    KCOM_TASK_END(cx);
}
