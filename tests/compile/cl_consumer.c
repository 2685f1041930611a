/*
 * cl_consumer.c - a consumer's file as cl.exe compiles it (_MSC_VER without __clang__), at /W4 /WX,
 * without kcom's own KCOM_HEADER_WARNINGS: every public header, and a class declared with the
 * macros. The headers' warning-level pragmas (cl.exe's stand-in for a system header) are then
 * compiled, balanced, around the inline code of every header.
 */
#include <kcom/kcom.h>
#if KCOM_TARGET_NTKERNEL
#include <kcom/irp.h>
#endif

#define ICounter_METHODS(M, I)                                                           \
    IUnknown_METHODS(M, I)                                                               \
    M(I, METHOD, NTSTATUS, Add, (ULONG, value))                                          \
    M(I, RESULT, ULONG, Total, )

KCOM_DECLARE_INTERFACE(ICounter, IUnknown, 0x5d0f1c2a, 0x3b4e, 0x4f60, 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8)

typedef struct Counter {
    ICounter ICounter_iface;
    ULONG total;
} Counter;

static NTSTATUS Counter_Add(Counter *self, ULONG value)
{
    self->total += value;
    return STATUS_SUCCESS;
}

static NTSTATUS Counter_Total(Counter *self, ULONG *total)
{
    *total = self->total;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Counter, ICounter, ICounter_iface)
KCOM_CLASS(Counter, NULL, (ICounter, ICounter_iface))

NTSTATUS cl_consumer_create(ICounter **out);
NTSTATUS cl_consumer_create(ICounter **out)
{
    return kcom_object_create(KCOM_CLASS_OF(Counter), NULL, NULL, NULL, &IID_ICounter, (void **)out);
}

#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
/* A task and its descriptor with the functions KCOM_ASYNC_TASK adds: the result's check is the
 * negative-size array's there. */
KCOM_DECLARE_ASYNC_OPERATION(IClAsync, ULONG, 0x6e1f2d3b, 0x4c5f, 0x4071, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09)

typedef struct cl_task {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} cl_task;

static kcom_poll_result cl_task_poll(void *state, kcom_task_context *cx)
{
    cl_task *s = (cl_task *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->value + 1);
    KCOM_TASK_END(cx);
}

KCOM_ASYNC_TASK(cl_task_desc, IClAsync, ULONG, cl_task, cl_task_poll, NULL)

NTSTATUS cl_consumer_run(const kcom_executor *executor, IKcomAsyncOperation **out);
NTSTATUS cl_consumer_run(const kcom_executor *executor, IKcomAsyncOperation **out)
{
    cl_task initial = {0, 41};
    return kcom_async_run(&cl_task_desc, executor, NULL, &initial, out);
}
#endif
