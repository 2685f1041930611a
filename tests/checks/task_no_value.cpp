/* A task without a value in C++: both descriptor macros' initializers compile there too. */
#include <kcom/kcom.h>

struct kcom_check_flush_state {
    KCOM_TASK_RESUME_POINT;
};

static kcom_poll_result kcom_check_flush_poll(void *state, kcom_task_context *cx)
{
    kcom_check_flush_state *s = static_cast<kcom_check_flush_state *>(state);
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN(cx, STATUS_SUCCESS);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc kcom_check_flush_desc =
    KCOM_ASYNC_TASK_DESC_NO_VALUE(kcom_check_flush_state, kcom_check_flush_poll, nullptr);
KCOM_ASYNC_TASK_NO_VALUE(kcom_check_flush_task, kcom_check_flush_state, kcom_check_flush_poll, nullptr)

const kcom_async_task_desc *kcom_check_flush_descs(int which);
const kcom_async_task_desc *kcom_check_flush_descs(int which)
{
    return which == 0 ? &kcom_check_flush_desc : &kcom_check_flush_task;
}
