/*
 * KCOM_AWAIT given a bool that is true when the work is ready (await_truth_value.c in C): in C++
 * anything but a kcom_poll_result is refused, with one error naming the macros.
 * outcome: error
 * first: KCOM_AWAIT, KCOM_AWAIT_CANCELABLE: the expression must be a kcom_poll_result
 * max-errors: 1
 */
#include <kcom/kcom.h>

typedef struct wait_state {
    KCOM_TASK_RESUME_POINT;
    bool ready;
} wait_state;

extern "C" kcom_poll_result wait_poll(void *p, kcom_task_context *cx);

kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
{
    wait_state *s = static_cast<wait_state *>(p);
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(s->ready);
    KCOM_TASK_END(cx);
}
