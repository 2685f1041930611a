/* kcom/task.h alone is enough to write a task's poll function, in a file built with KCOM_DEBUG
 * too, where KCOM_TASK_RESULT checks the result's size through a function task.h must declare. */
#undef KCOM_DEBUG
#define KCOM_DEBUG 1
#include <kcom/task.h>

struct kcom_task_alone_state {
    KCOM_TASK_RESUME_POINT;
};

kcom_poll_result kcom_task_alone_poll(void *state, kcom_task_context *cx);
kcom_poll_result kcom_task_alone_poll(void *state, kcom_task_context *cx)
{
    kcom_task_alone_state *s = static_cast<kcom_task_alone_state *>(state);
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 1);
    KCOM_TASK_END(cx);
}
