/*
 * Every name kcom's macros declare in the file that expands them is kcom_-prefixed (or one the
 * driver gave, or This, the wrappers' first parameter as in MIDL's headers): a driver's own
 * file-scope names are never hidden. cl.exe applies no system-header rule to a macro's expansion,
 * and warns of a hidden global at /W4 (C4459), an error under /WX. Compiled with -Wshadow as
 * an error and KCOM_HEADER_WARNINGS (kcom's headers as a non-system header, as cl.exe sees them
 * expanded), in C and as C++ (hygiene.cpp), with file-scope variables named as the parameters
 * and locals those expansions declared before, over every macro a driver expands: interfaces
 * with each method kind, a derived interface, a typed operation, a class with both callbacks,
 * an aggregatable class, a task descriptor both ways, the task macros, and the calls that use
 * them.
 */
#include <kcom/kcom.h>

#include <string.h>

#ifdef __cplusplus
#define HYGIENE_ALIGNAS(n) alignas(n)
#else
#define HYGIENE_ALIGNAS(n) _Alignas(n)
#endif

/* used below, so that only hiding them is what the check can find */
static int allocator, callback, cls, context, cx, desc, executor, fallback_, impl, impl_, init, init_ctx,
    initial, operation, out, outer, outer_, ppv, ppvObject, result, riid, riid_, size, state, status,
    storage, value;
int hygiene_globals(void);
int hygiene_globals(void)
{
    return allocator + callback + cls + context + cx + desc + executor + fallback_ + impl + impl_ + init +
           init_ctx + initial + operation + out + outer + outer_ + ppv + ppvObject + result + riid + riid_ +
           size + state + status + storage + value;
}

KCOM_DECLARE_ASYNC_OPERATION(IAsyncHyg, ULONG,
                             0x5c2e7a22, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x23)

#define IHyg_METHODS(M, I)                                                                \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Set, (ULONG, v))                                               \
    M(I, RESULT, ULONG, Get, )                                                            \
    M(I, METHOD, void, Poke, )                                                            \
    M(I, ASYNC, IAsyncHyg, Later, (ULONG, v))                                             \
    M(I, ASYNC_IN, IAsyncHyg, LaterIn, (ULONG, v))
#define IHyg_LaterIn_STORAGE 512
KCOM_DECLARE_INTERFACE(IHyg, IUnknown,
                       0x5c2e7a20, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x21)

#define IHyg2_METHODS(M, I)                                                               \
    IHyg_METHODS(M, I)                                                                    \
    M(I, METHOD, NTSTATUS, More, (ULONG, a)(ULONG *, b))
#define IHyg2_LaterIn_STORAGE 512
KCOM_DECLARE_INTERFACE(IHyg2, IHyg,
                       0x5c2e7a21, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x22)

/* a class with a destroy callback and a query fallback, over the derived interface */
typedef struct Hyg {
    IHyg2 IHyg2_iface;
    ULONG v;
} Hyg;

typedef struct {
    KCOM_TASK_RESUME_POINT;
    ULONG v;
    BOOLEAN canceled;
    kcom_async_await other;
} Hyg_Later_state;
typedef Hyg_Later_state Hyg_LaterIn_state;

static NTSTATUS Hyg_Set(Hyg *self, ULONG v)
{
    self->v = v;
    return STATUS_SUCCESS;
}

static NTSTATUS Hyg_Get(Hyg *self, ULONG *v)
{
    *v = self->v;
    return STATUS_SUCCESS;
}

static void Hyg_Poke(Hyg *self)
{
    self->v++;
}

static NTSTATUS Hyg_More(Hyg *self, ULONG a, ULONG *b)
{
    *b = a + self->v;
    return STATUS_SUCCESS;
}

/* shared by both async methods of both classes (void *self) */
static NTSTATUS Hyg_Later(void *self, Hyg_Later_state *s, ULONG v)
{
    (void)self;
    s->v = v;
    return STATUS_SUCCESS;
}

static kcom_poll_result Hyg_Later_poll(Hyg_Later_state *s, kcom_task_context *c)
{
    KCOM_TASK_BEGIN(s);
    KCOM_YIELD(c);
    if (s->other.operation != NULL) {
        KCOM_AWAIT(kcom_async_await_poll(&s->other, c));
        KCOM_AWAIT_CANCELABLE(c, s->canceled, kcom_async_await_poll(&s->other, c));
    }
    KCOM_TASK_RETURN_VALUE(c, ULONG, s->v);
    KCOM_TASK_END(c);
}

static void Hyg_Later_drop(Hyg_Later_state *s)
{
    kcom_async_await_clear(&s->other);
}

#define Hyg_LaterIn Hyg_Later
#define Hyg_LaterIn_poll Hyg_Later_poll
#define Hyg_LaterIn_drop Hyg_Later_drop

static void Hyg_destroy(Hyg *self)
{
    (void)self;
}

static NTSTATUS Hyg_fallback(Hyg *self, const IID *iid, void **object)
{
    (void)self;
    (void)iid;
    *object = NULL;
    return STATUS_NOINTERFACE;
}

KCOM_IMPLEMENT(Hyg, IHyg2, IHyg2_iface)
KCOM_CLASS_EX(Hyg, NULL, Hyg_destroy, Hyg_fallback, (IHyg2, IHyg2_iface))

/* an aggregatable class sharing the functions through void *self */
typedef struct Agg {
    IHyg IHyg_iface;
    ULONG v;
} Agg;

static NTSTATUS Agg_Set(void *self, ULONG v)
{
    ((Agg *)self)->v = v;
    return STATUS_SUCCESS;
}

static NTSTATUS Agg_Get(void *self, ULONG *v)
{
    *v = ((Agg *)self)->v;
    return STATUS_SUCCESS;
}

static void Agg_Poke(void *self)
{
    ((Agg *)self)->v++;
}

#define Agg_Later Hyg_Later
#define Agg_Later_state Hyg_Later_state
#define Agg_Later_poll Hyg_Later_poll
#define Agg_Later_drop Hyg_Later_drop
#define Agg_LaterIn Hyg_Later
#define Agg_LaterIn_state Hyg_Later_state
#define Agg_LaterIn_poll Hyg_Later_poll
#define Agg_LaterIn_drop Hyg_Later_drop

KCOM_IMPLEMENT(Agg, IHyg, IHyg_iface)
KCOM_AGGREGATABLE_CLASS(Agg, NULL, (IHyg, IHyg_iface))

/* a task, with KCOM_ASYNC_TASK and with KCOM_ASYNC_TASK_DESC */
typedef struct {
    KCOM_TASK_RESUME_POINT;
    ULONG v;
} dbl_state;

static kcom_poll_result dbl_poll(void *raw, kcom_task_context *c)
{
    dbl_state *s = (dbl_state *)raw;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(c, ULONG, s->v * 2);
    KCOM_TASK_END(c);
}

KCOM_ASYNC_TASK(dbl_task, IAsyncHyg, ULONG, dbl_state, dbl_poll, NULL)
static const kcom_async_task_desc dbl_desc = KCOM_ASYNC_TASK_DESC(IAsyncHyg, ULONG, dbl_state, dbl_poll, NULL);

NTSTATUS hygiene_calls(void);
NTSTATUS hygiene_calls(void)
{
    HYGIENE_ALIGNAS(16) unsigned char block[KCOM_ASYNC_STORAGE_SIZE(sizeof(ULONG), sizeof(dbl_state))];
    dbl_state first = {0, 21};
    IHyg_LaterIn_storage in;
    Hyg *hyg = NULL;
    IHyg *i = NULL;
    IAsyncHyg *later = NULL;
    IKcomAsyncOperation *task = NULL;
    ULONG got = 0;
    NTSTATUS s = KCOM_NEW(Hyg, NULL, &hyg);
    KCOM_ENSURE(NT_SUCCESS(s), s);
    s = KCOM_QUERY_INTERFACE(&hyg->IHyg2_iface, IHyg, &i);
    if (NT_SUCCESS(s)) {
        (void)IHyg_Set(i, 3);
        (void)IHyg_Get(i, &got);
        IHyg_Poke(i);
        later = IHyg_Later(i, got);
        KCOM_RELEASE(later);
        memset(&in, 0, sizeof(in));
        later = IHyg_LaterIn(i, got, &in, sizeof(in));
        KCOM_RELEASE(later);
        KCOM_RELEASE(i);
    }
    memset(block, 0, sizeof(block));
    (void)kcom_async_run_in(&dbl_desc, kcom_default_executor(), block, sizeof(block), &first, &task);
    KCOM_RELEASE(task);
    (void)kcom_async_run(&dbl_task, kcom_default_executor(), NULL, &first, &task);
    KCOM_RELEASE(task);
    kcom_object_release(hyg);
    (void)kcom_object_create(&Hyg_kcom_class, NULL, NULL, NULL, &IID_IHyg, (void **)&i);
    KCOM_RELEASE(i);
    return s;
}
