/*
 * Macros a driver uses that the examples do not, compiled with a consumer's strict warnings as
 * errors (tests/CMakeLists.txt, KCOM_STRICT_C_FLAGS; as C++ through strict_consumer.cpp; as C once
 * more without optimization, as a driver's debug build compiles it): the string literal macros,
 * whose literal is const where Buffer is not, KCOM_IMPL_FROM from a const interface pointer, which
 * gives a const struct, and a task started by hand from an initial state smaller than what the
 * inline spawn functions could copy. Compile only.
 */
#include <kcom/kcom.h>

#define IStrict_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Touch, (ULONG, value))
KCOM_DECLARE_INTERFACE(IStrict, IUnknown,
                       0x5d1e9a20, 0x4c7b, 0x4e11, 0x9a, 0x0d, 0x2b, 0x63, 0x81, 0xf4, 0x7e, 0x15)

typedef struct Strict {
    IStrict IStrict_iface;
    ULONG touched;
} Strict;

static NTSTATUS Strict_Touch(Strict *self, ULONG value)
{
    self->touched += value;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Strict, IStrict, IStrict_iface)
KCOM_CLASS(Strict, NULL, (IStrict, IStrict_iface))

/* The downcast keeps the pointer's const: a const interface gives a const struct. */
#ifdef __cplusplus
template <typename A, typename B> struct strict_same_type { static const bool value = false; };
template <typename A> struct strict_same_type<A, A> { static const bool value = true; };
#define STRICT_HAS_TYPE(expr, T) strict_same_type<decltype(expr), T>::value
#elif defined(__GNUC__) || defined(__clang__)
#define STRICT_HAS_TYPE(expr, T) _Generic((expr), T: 1, default: 0)
#endif

ULONG strict_touched(const IStrict *iface);
ULONG strict_touched(const IStrict *iface)
{
    const Strict *self = KCOM_IMPL_FROM(Strict, IStrict_iface, iface);
#ifdef STRICT_HAS_TYPE
    KCOM_STATIC_ASSERT(STRICT_HAS_TYPE(KCOM_IMPL_FROM(Strict, IStrict_iface, iface), const Strict *),
                       "a const interface gives a const struct");
#endif
    return self->touched;
}

Strict *strict_impl(IStrict *iface);
Strict *strict_impl(IStrict *iface)
{
#ifdef STRICT_HAS_TYPE
    KCOM_STATIC_ASSERT(STRICT_HAS_TYPE(KCOM_IMPL_FROM(Strict, IStrict_iface, iface), Strict *),
                       "an interface gives the struct");
#endif
    return KCOM_IMPL_FROM(Strict, IStrict_iface, iface);
}

/* Constant strings at file scope and in a block. */
static const UNICODE_STRING strict_device_name = KCOM_UNICODE_STRING_LITERAL("\\Device\\KcomStrict");
static KCOM_DECLARE_CONST_UNICODE_STRING(strict_link_name, "\\DosDevices\\KcomStrict");

NTSTATUS strict_strings(UNICODE_STRING *out);
NTSTATUS strict_strings(UNICODE_STRING *out)
{
    UNICODE_STRING local = KCOM_UNICODE_STRING_LITERAL("local");
    KCOM_LOCAL_UNICODE_STRING(buffer, 64);
    NTSTATUS status = kcom_unicode_string_append(&buffer, &strict_device_name);
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append(&buffer, &strict_link_name);
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append(&buffer, &local);
#ifndef __cplusplus
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append(&buffer, KCOM_UNICODE_STRING_REF("ref"));
#endif
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append_wstr(&buffer, KCOM_WSTR("wstr"));
    if (out)
        *out = strict_device_name;
    return status;
}

#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
/* A task started by hand: its state's first contents in a local, copied in by the spawn functions
 * (whose inline code, not folded without optimization, must not read past it). */
KCOM_DECLARE_ASYNC_OPERATION(IStrictAsync, ULONG,
                             0x5d1e9a21, 0x4c7b, 0x4e11, 0x9a, 0x0d, 0x2b, 0x63, 0x81, 0xf4, 0x7e, 0x15)

typedef struct strict_task {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} strict_task;

#ifdef __cplusplus
#define STRICT_TASK(state) static_cast<strict_task *>(state)
#define STRICT_ALIGNAS(T) alignas(T)
#define STRICT_NULL nullptr
#else
#define STRICT_TASK(state) ((strict_task *)(state))
#define STRICT_ALIGNAS(T) _Alignas(T)
#define STRICT_NULL NULL
#endif

static kcom_poll_result strict_task_poll(void *state, kcom_task_context *cx)
{
    strict_task *s = STRICT_TASK(state);
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->value * 2);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc strict_task_desc =
    KCOM_ASYNC_TASK_DESC(IStrictAsync, ULONG, strict_task, strict_task_poll, NULL);

NTSTATUS strict_tasks(const kcom_executor *executor, IKcomAsyncOperation *out[3]);
NTSTATUS strict_tasks(const kcom_executor *executor, IKcomAsyncOperation *out[3])
{
    STRICT_ALIGNAS(void *) static unsigned char storage[KCOM_ASYNC_STORAGE_SIZE(sizeof(ULONG), sizeof(strict_task))];
    strict_task initial = {0, 21};
    NTSTATUS status = kcom_async_run_in(&strict_task_desc, executor, storage, sizeof(storage), &initial, &out[0]);
    if (NT_SUCCESS(status))
        status = kcom_async_run(&strict_task_desc, executor, STRICT_NULL, &initial, &out[1]);
    if (NT_SUCCESS(status))
        status = kcom_async_spawn(&strict_task_desc, executor, STRICT_NULL, &initial, &out[2]);
    return status;
}

/* The same task with the functions KCOM_ASYNC_TASK adds, for calls from other files. */
KCOM_ASYNC_TASK(strict_generated_desc, IStrictAsync, ULONG, strict_task, strict_task_poll, NULL)
const kcom_async_task_desc *strict_generated_task(void);
const kcom_async_task_desc *strict_generated_task(void)
{
    return &strict_generated_desc;
}
#endif
