/*
 * KCOM_AWAIT_CANCELABLE given a bool as its flag (await_cancelable_flag_not_boolean.c in C): one
 * error naming the macro and the flag's type, not a failed overload of a kcom function.
 * outcome: error
 * first: KCOM_AWAIT_CANCELABLE: the flag must be a BOOLEAN
 * max-errors: 1
 */
#include <kcom/kcom.h>

typedef struct wait_state {
    KCOM_TASK_RESUME_POINT;
    bool canceled;
    kcom_async_event_await ready;
} wait_state;

extern "C" kcom_poll_result wait_poll(void *p, kcom_task_context *cx);

kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
{
    wait_state *s = static_cast<wait_state *>(p);
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_event_await_poll(&s->ready, cx));
    KCOM_TASK_END(cx);
}
