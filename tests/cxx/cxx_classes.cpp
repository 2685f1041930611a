/*
 * kcom classes declared and implemented in a C++17 translation unit, as a C++ driver writes them:
 * KCOM_IMPLEMENT, KCOM_CLASS, KCOM_AGGREGATABLE_CLASS, an ASYNC method (ready at once, and pending
 * on the class's executor), a task's descriptor from KCOM_ASYNC_TASK and the client helpers. The
 * source uses no C++ runtime: no exceptions, no RTTI (it is compiled with -fno-exceptions
 * -fno-rtti), no global constructors, no new/delete (placement new only), no standard library. A
 * member with a constructor and a destructor is built by its class's init and ended by its
 * destroy. The same test runs in kcom_cxx_test (the host, and Windows user mode under Wine) and in
 * the kernel test driver, built there with the kernel toolchain (kernel_test_list.h).
 */
#include <kcom/kcom.h>

#include <string.h>

#if __has_include(<new>)
#include <new> /* placement new: inline, nothing of a runtime */
#else
/* Wine's headers, which stand in for the WDK in the MSVC-dialect kernel build, have no C++
 * library; the WDK's <new> declares this. */
inline void *operator new(size_t, void *where) noexcept
{
    return where;
}
#endif

#include "../harness/kcom_test.h"

#if !(defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC)
#error "the C++ class test covers ASYNC methods: it is built with the async layer"
#endif

#if !KCOM_TARGET_POSIX
/* Windows: WCHAR is wchar_t, as the WDK and the SDK define it, so a C++ driver's wide literal is a
 * PCWSTR (RtlInitUnicodeString(&name, L"\\Device\\Foo")) */
extern const WCHAR kcom_cxx_wide_literal[];
const WCHAR kcom_cxx_wide_literal[] = L"kcom";
#endif

/* ---- interfaces ------------------------------------------------------------------------------------- */

KCOM_DECLARE_ASYNC_OPERATION(IAsyncCxxLONG, LONG,
                             0x6b630051, 0x7e57, 0x4c51, 0x9e, 0x51, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x51)
/* a pointer result written with '*', to const: the producer functions take a pointer to one */
KCOM_DECLARE_ASYNC_OPERATION(IAsyncCxxName, const char *,
                             0x6b630052, 0x7e57, 0x4c51, 0x9e, 0x51, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x51)

#define ICxxGauge_METHODS(M, I)                                                           \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, LONG, Level, )                                                           \
    M(I, METHOD, void, Adjust, (LONG, delta))

#define ICxxTagged_METHODS(M, I)                                                          \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, const char *, Tag, )

#define ICxxSampler_METHODS(M, I)                                                         \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncCxxLONG, Sample, (LONG, bias)(IKcomAsyncOperation *, source))       \
    M(I, ASYNC_IN, IAsyncCxxLONG, SampleIn, (LONG, bias)(IKcomAsyncOperation *, source))
#define ICxxSampler_SampleIn_STORAGE 320

#ifndef __ICxxGauge_INTERFACE_DEFINED__
#define __ICxxGauge_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICxxGauge, IUnknown,
                       0x6b630052, 0x7e57, 0x4c52, 0x9e, 0x52, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x52)
#endif
#ifndef __ICxxTagged_INTERFACE_DEFINED__
#define __ICxxTagged_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICxxTagged, IUnknown,
                       0x6b630053, 0x7e57, 0x4c53, 0x9e, 0x53, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x53)
#endif
#ifndef __ICxxSampler_INTERFACE_DEFINED__
#define __ICxxSampler_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ICxxSampler, IUnknown,
                       0x6b630054, 0x7e57, 0x4c54, 0x9e, 0x54, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x54)
#endif

/* ---- an ordinary class with three interfaces, one of them async ------------------------------------- */

struct CxxGauge {
    ICxxGauge ICxxGauge_iface;
    ICxxTagged ICxxTagged_iface;
    ICxxSampler ICxxSampler_iface;
    LONG level;
};

static LONG gauges_destroyed;
static LONG sample_drops;
static CxxGauge *sample_self; /* the object of the latest Sample or SampleIn call */

static void CxxGauge_destroy(CxxGauge *self)
{
    (void)self;
    gauges_destroyed++;
}

static NTSTATUS CxxGauge_Level(CxxGauge *self, LONG *level)
{
    if (self->level < 0)
        return STATUS_INVALID_DEVICE_STATE;
    *level = self->level;
    return STATUS_SUCCESS;
}

static void CxxGauge_Adjust(CxxGauge *self, LONG delta)
{
    self->level += delta;
}

static const char *CxxGauge_Tag(CxxGauge *self)
{
    (void)self;
    return "gauge";
}

/* Sample: the level plus bias, at once (through a ready awaitable); or, given a source operation,
 * once the source has finished (its value added). */
struct CxxGauge_Sample_state {
    KCOM_TASK_RESUME_POINT;
    LONG value;
    kcom_async_await source;
    kcom_async_ready ready;
};

static NTSTATUS CxxGauge_Sample(CxxGauge *self, CxxGauge_Sample_state *state, LONG bias,
                                IKcomAsyncOperation *source)
{
    sample_self = self;
    state->value = self->level + bias;
    if (KCOM_ASYNC_SELF(CxxGauge, state) != self)
        return STATUS_INTERNAL_ERROR;
    if (source != nullptr) {
        source->lpVtbl->AddRef(source);
        kcom_async_await_init(&state->source, source); /* takes that reference */
    } else {
        kcom_async_ready_init(&state->ready, STATUS_SUCCESS, static_cast<ULONG64>(state->value));
    }
    return STATUS_SUCCESS;
}

static kcom_poll_result CxxGauge_Sample_poll(CxxGauge_Sample_state *state, kcom_task_context *cx)
{
    LONG addend = 0;
    KCOM_TASK_BEGIN(state);
    if (state->source.operation != nullptr) {
        KCOM_AWAIT(kcom_async_await_poll(&state->source, cx));
        if (KCOM_ASYNC_SELF(CxxGauge, state) != sample_self) /* on the executor: the object still */
            KCOM_TASK_RETURN(cx, STATUS_INTERNAL_ERROR);
        if (!NT_SUCCESS(state->source.operation->lpVtbl->get_result(state->source.operation, &addend)))
            KCOM_TASK_RETURN(cx, STATUS_UNSUCCESSFUL);
        state->value += addend;
    } else {
        /* an awaited expression may hold a lambda (KCOM_AWAIT's type check leaves it evaluated) */
        KCOM_AWAIT([&] { return kcom_async_ready_poll(&state->ready, cx); }());
        if (!NT_SUCCESS(state->ready.status))
            KCOM_TASK_RETURN(cx, state->ready.status);
        state->value = static_cast<LONG>(state->ready.value);
    }
    KCOM_TASK_RETURN_VALUE(cx, LONG, state->value);
    KCOM_TASK_END(cx);
}

static void CxxGauge_Sample_drop(CxxGauge_Sample_state *state)
{
    sample_drops += KCOM_ASYNC_SELF(CxxGauge, state) == sample_self ? 1 : 100;
    kcom_async_await_clear(&state->source);
}

KCOM_IMPLEMENT(CxxGauge, ICxxGauge, ICxxGauge_iface)
KCOM_IMPLEMENT(CxxGauge, ICxxTagged, ICxxTagged_iface)
/* SampleIn: the same work in the caller's storage */
#define CxxGauge_SampleIn_state CxxGauge_Sample_state
#define CxxGauge_SampleIn CxxGauge_Sample
#define CxxGauge_SampleIn_poll CxxGauge_Sample_poll
#define CxxGauge_SampleIn_drop CxxGauge_Sample_drop

KCOM_IMPLEMENT(CxxGauge, ICxxSampler, ICxxSampler_iface)
KCOM_CLASS(CxxGauge, CxxGauge_destroy, (ICxxGauge, ICxxGauge_iface), (ICxxTagged, ICxxTagged_iface),
           (ICxxSampler, ICxxSampler_iface))

/* ---- an aggregatable class, its functions shared through void *self -------------------------------- */

struct CxxPart {
    ICxxTagged ICxxTagged_iface;
    ULONG tags;
};

static const char *CxxPart_Tag(void *self)
{
    static_cast<CxxPart *>(self)->tags++;
    return "part";
}

KCOM_IMPLEMENT(CxxPart, ICxxTagged, ICxxTagged_iface)
KCOM_AGGREGATABLE_CLASS(CxxPart, NULL, (ICxxTagged, ICxxTagged_iface))

/* An outer object aggregating a CxxPart: exposes ICxxGauge itself and forwards ICxxTagged. */
struct CxxOuter {
    ICxxGauge ICxxGauge_iface;
    IUnknown *inner;
    LONG level;
};

static NTSTATUS CxxOuter_Level(CxxOuter *self, LONG *level)
{
    *level = self->level;
    return STATUS_SUCCESS;
}

static void CxxOuter_Adjust(CxxOuter *self, LONG delta)
{
    self->level += delta;
}

static NTSTATUS CxxOuter_fallback(CxxOuter *self, const IID *riid, void **ppv)
{
    return kcom_query_interface(self->inner, riid, ppv);
}

static void CxxOuter_destroy(CxxOuter *self)
{
    kcom_release_and_clear(&self->inner);
}

KCOM_IMPLEMENT(CxxOuter, ICxxGauge, ICxxGauge_iface)
KCOM_CLASS_EX(CxxOuter, NULL, CxxOuter_destroy, CxxOuter_fallback, (ICxxGauge, ICxxGauge_iface))

/* ---- an executor the test runs by hand: one task at a time --------------------------------------------- */

struct one_task_executor {
    kcom_executor executor;
    kcom_task *task;
    LONG scheduled;
};

static NTSTATUS one_task_schedule(void *context, kcom_task *task)
{
    one_task_executor *self = static_cast<one_task_executor *>(context);
    self->scheduled++;
    if (self->task != nullptr)
        return STATUS_INVALID_DEVICE_STATE;
    self->task = task;
    return STATUS_SUCCESS;
}

static LONG one_task_run(one_task_executor *self)
{
    LONG runs = 0;
    while (self->task != nullptr) {
        kcom_task *task = self->task;
        self->task = nullptr;
        kcom_task_run(task);
        runs++;
    }
    return runs;
}

/* ---- the tests ----------------------------------------------------------------------------------------- */

static void cxx_class_methods(void)
{
    CxxGauge *gauge = nullptr;
    ICxxTagged *tagged = nullptr;
    ICxxGauge *again = nullptr;
    LONG level = -1;

    gauges_destroyed = 0;
    ok(KCOM_NEW(CxxGauge, NULL, &gauge) == STATUS_SUCCESS && gauge != nullptr, "KCOM_NEW(CxxGauge)\n");
    if (gauge == nullptr)
        return;
    ICxxGauge *iface = &gauge->ICxxGauge_iface;
    ICxxGauge_Adjust(iface, 41);
    ICxxGauge_Adjust(iface, 1);
    ok(ICxxGauge_Level(iface, &level) == STATUS_SUCCESS && level == 42, "Level %ld\n", static_cast<long>(level));
    ok(ICxxGauge_Level(iface, nullptr) == STATUS_INVALID_PARAMETER, "Level(NULL)\n");
    gauge->level = -5;
    level = 7;
    ok(ICxxGauge_Level(iface, &level) == STATUS_INVALID_DEVICE_STATE && level == 0,
       "a failing RESULT method zeroes its result (%ld)\n", static_cast<long>(level));
    gauge->level = 42;

    /* QueryInterface through the client macros, REFIID a reference or a pointer alike */
    ok(KCOM_QUERY_INTERFACE(iface, ICxxTagged, &tagged) == STATUS_SUCCESS && tagged == &gauge->ICxxTagged_iface,
       "QueryInterface(ICxxTagged)\n");
    ok(tagged != nullptr && ICxxTagged_Tag(tagged)[0] == 'g', "Tag\n");
    ok(KCOM_QUERY_INTERFACE(tagged, ICxxGauge, &again) == STATUS_SUCCESS && again == iface,
       "QueryInterface back to ICxxGauge\n");
    ok(kcom_object_refcount(gauge) == 3, "refs %ld\n", static_cast<long>(kcom_object_refcount(gauge)));
    KCOM_RELEASE(tagged);
    KCOM_RELEASE_AND_CLEAR(&again);
    ok(again == nullptr, "KCOM_RELEASE_AND_CLEAR clears\n");
    IUnknown *unknown = nullptr;
    ok(KCOM_QUERY_INTERFACE(iface, ICxxGauge, &again) == STATUS_SUCCESS, "QueryInterface(ICxxGauge)\n");
    ok(kcom_query_interface(KCOM_UNKNOWN(again), &IID_IUnknown, reinterpret_cast<void **>(&unknown)) ==
               STATUS_SUCCESS &&
           unknown == reinterpret_cast<IUnknown *>(iface),
       "IUnknown is the primary interface\n");
    kcom_release(unknown);
    KCOM_RELEASE(again);
    ok(kcom_object_refcount(gauge) == 1, "refs %ld\n", static_cast<long>(kcom_object_refcount(gauge)));
    ok(KCOM_RELEASE(iface) == 0 && gauges_destroyed == 1, "destroyed once (%ld)\n",
       static_cast<long>(gauges_destroyed));
}

static void cxx_class_async(void)
{
    CxxGauge *gauge = nullptr;
    one_task_executor manual = {{one_task_schedule, nullptr, nullptr}, nullptr, 0};
    IKcomAsyncOperation *source = nullptr;
    IAsyncCxxLONG *op;
    kcom_async_status status = KCOM_ASYNC_STARTED;
    LONG value = 0;

    manual.executor.context = &manual;
    gauges_destroyed = 0;
    sample_drops = 0;
    if (KCOM_NEW(CxxGauge, NULL, &gauge) != STATUS_SUCCESS || gauge == nullptr) {
        ok(0, "KCOM_NEW(CxxGauge)\n");
        return;
    }
    gauge->level = 10;
    KCOM_CLASS_SET_EXECUTOR(CxxGauge, &manual.executor);
    KCOM_CLASS_SET_OPERATION_ALLOCATOR(CxxGauge, kcom_default_allocator());

    /* ready at once: completes on the caller */
    op = ICxxSampler_Sample(&gauge->ICxxSampler_iface, 5, nullptr);
    ok(op != nullptr && IAsyncCxxLONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED,
       "ready at once: status %ld\n", static_cast<long>(status));
    ok(op != nullptr && IAsyncCxxLONG_get_result(op, &value) == STATUS_SUCCESS && value == 15, "value %ld\n",
       static_cast<long>(value));
    ok(manual.scheduled == 0 && sample_drops == 1, "not scheduled (%ld), dropped once (%ld)\n",
       static_cast<long>(manual.scheduled), static_cast<long>(sample_drops));
    KCOM_RELEASE(op);

    /* pending: awaits a completion source, holds the object, runs on the class's executor */
    ok(kcom_async_operation_create(nullptr, nullptr, sizeof(LONG), KCOM_ALIGNOF(LONG), &source) == STATUS_SUCCESS,
       "a completion source\n");
    op = ICxxSampler_Sample(&gauge->ICxxSampler_iface, 1, source);
    ok(op != nullptr && IAsyncCxxLONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_STARTED,
       "pending: status %ld\n", static_cast<long>(status));
    ok(kcom_object_refcount(gauge) == 2, "the pending work holds the object (%ld)\n",
       static_cast<long>(kcom_object_refcount(gauge)));
    value = 100;
    ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "complete the source\n");
    ok(manual.scheduled == 1 && one_task_run(&manual) == 1, "woken on the class's executor (%ld)\n",
       static_cast<long>(manual.scheduled));
    value = 0;
    ok(IAsyncCxxLONG_get_result(op, &value) == STATUS_SUCCESS && value == 111, "value %ld\n", static_cast<long>(value));
    ok(sample_drops == 2 && kcom_object_refcount(gauge) == 1, "dropped (%ld), object released (%ld)\n",
       static_cast<long>(sample_drops), static_cast<long>(kcom_object_refcount(gauge)));
    KCOM_RELEASE(op);
    KCOM_RELEASE(source);

    /* in the caller's storage */
    {
        ICxxSampler_SampleIn_storage storage;
        memset(&storage, 0, sizeof(storage));
        op = ICxxSampler_SampleIn(&gauge->ICxxSampler_iface, 7, nullptr, &storage, sizeof(storage));
        ok(op != nullptr && IAsyncCxxLONG_get_result(op, &value) == STATUS_SUCCESS && value == 17,
           "in caller storage: value %ld\n", static_cast<long>(value));
        ok(kcom_async_storage_in_use(&storage), "the storage holds the operation\n");
        KCOM_RELEASE(op);
        ok(!kcom_async_storage_in_use(&storage) && sample_drops == 3, "free again, dropped (%ld)\n",
           static_cast<long>(sample_drops));
    }

    KCOM_CLASS_SET_EXECUTOR(CxxGauge, NULL);
    KCOM_CLASS_SET_OPERATION_ALLOCATOR(CxxGauge, NULL);
    ok(kcom_object_release(gauge) == 0 && gauges_destroyed == 1, "destroyed\n");
}

static void cxx_class_aggregation(void)
{
    CxxOuter *outer = nullptr;
    ICxxTagged *tagged = nullptr;
    ICxxGauge *gauge = nullptr;

    if (KCOM_NEW(CxxOuter, NULL, &outer) != STATUS_SUCCESS || outer == nullptr) {
        ok(0, "KCOM_NEW(CxxOuter)\n");
        return;
    }
    IUnknown *controlling = reinterpret_cast<IUnknown *>(&outer->ICxxGauge_iface);
    ok(kcom_object_create(KCOM_CLASS_OF(CxxPart), controlling, nullptr, nullptr, &IID_IUnknown,
                          reinterpret_cast<void **>(&outer->inner)) == STATUS_SUCCESS &&
           outer->inner != nullptr,
       "the aggregated part\n");
    ok(KCOM_QUERY_INTERFACE(&outer->ICxxGauge_iface, ICxxTagged, &tagged) == STATUS_SUCCESS && tagged != nullptr,
       "the outer answers ICxxTagged through its part\n");
    ok(tagged != nullptr && ICxxTagged_Tag(tagged)[0] == 'p', "the part's Tag\n");
    ok(tagged != nullptr && KCOM_QUERY_INTERFACE(tagged, ICxxGauge, &gauge) == STATUS_SUCCESS &&
           gauge == &outer->ICxxGauge_iface,
       "the part's QueryInterface goes to the outer\n");
    ok(kcom_object_refcount(outer) == 3, "the outer holds the references (%ld)\n",
       static_cast<long>(kcom_object_refcount(outer)));
    KCOM_RELEASE_AND_CLEAR(&gauge);
    KCOM_RELEASE_AND_CLEAR(&tagged);
    ok(kcom_object_release(outer) == 0, "the outer and its part are released\n");
}

/* ---- a class with a member that has a constructor and a destructor ------------------------------- */

static LONG counters_built;
static LONG counters_ended;

/* A member kcom does not construct: the class's init builds it in place, its destroy ends it. */
class CxxCounter {
public:
    explicit CxxCounter(LONG start) : value_(start) { ++counters_built; }
    ~CxxCounter() { ++counters_ended; }
    CxxCounter(const CxxCounter &) = delete;
    CxxCounter &operator=(const CxxCounter &) = delete;
    LONG next() { return ++value_; }

private:
    LONG value_;
};

struct CxxTicker {
    ICxxGauge ICxxGauge_iface;
    BOOLEAN counter_built; /* destroy also runs after a failed init: ends only what was built */
    alignas(CxxCounter) unsigned char counter_storage[sizeof(CxxCounter)];
};

static CxxCounter *CxxTicker_counter(CxxTicker *self)
{
    return reinterpret_cast<CxxCounter *>(self->counter_storage);
}

static NTSTATUS CxxTicker_Level(CxxTicker *self, LONG *level)
{
    *level = CxxTicker_counter(self)->next();
    return STATUS_SUCCESS;
}

static void CxxTicker_Adjust(CxxTicker *self, LONG delta)
{
    (void)self;
    (void)delta;
}

static void CxxTicker_destroy(CxxTicker *self)
{
    if (self->counter_built)
        CxxTicker_counter(self)->~CxxCounter();
}

/* init: ctx points to the start value; a negative one builds the member and then fails, and a
 * start of -1000 fails before building anything. */
static NTSTATUS CxxTicker_init(void *impl, void *ctx)
{
    CxxTicker *self = static_cast<CxxTicker *>(impl);
    LONG start = *static_cast<const LONG *>(ctx);
    if (start == -1000)
        return STATUS_INVALID_DEVICE_STATE;
    new (self->counter_storage) CxxCounter(start);
    self->counter_built = TRUE;
    return start < 0 ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
}

KCOM_IMPLEMENT(CxxTicker, ICxxGauge, ICxxGauge_iface)
KCOM_CLASS(CxxTicker, CxxTicker_destroy, (ICxxGauge, ICxxGauge_iface))

static void cxx_class_member_lifetime(void)
{
    ICxxGauge *gauge = nullptr;
    LONG start = 41, level = 0;
    LONG built = counters_built, ended = counters_ended;

    ok(kcom_object_create(KCOM_CLASS_OF(CxxTicker), nullptr, CxxTicker_init, &start, &IID_ICxxGauge,
                          reinterpret_cast<void **>(&gauge)) == STATUS_SUCCESS && gauge != nullptr,
       "a class whose init builds a member in place\n");
    if (gauge == nullptr)
        return;
    ok(counters_built == built + 1 && counters_ended == ended, "the member built once\n");
    ok(ICxxGauge_Level(gauge, &level) == STATUS_SUCCESS && level == 42, "the member works (%ld)\n",
       static_cast<long>(level));
    ok(ICxxGauge_Release(gauge) == 0, "the last Release\n");
    ok(counters_ended == ended + 1, "destroy ended the member\n");

    start = -1; /* builds the member, then fails */
    ok(kcom_object_create(KCOM_CLASS_OF(CxxTicker), nullptr, CxxTicker_init, &start, &IID_ICxxGauge,
                          reinterpret_cast<void **>(&gauge)) == STATUS_UNSUCCESSFUL && gauge == nullptr,
       "init's failure is returned, the out pointer NULL\n");
    ok(counters_built == built + 2 && counters_ended == ended + 2, "destroy ended the member init had built\n");

    start = -1000; /* fails before building it */
    ok(kcom_object_create(KCOM_CLASS_OF(CxxTicker), nullptr, CxxTicker_init, &start, &IID_ICxxGauge,
                          reinterpret_cast<void **>(&gauge)) == STATUS_INVALID_DEVICE_STATE && gauge == nullptr,
       "an init that fails at once\n");
    ok(counters_built == built + 2 && counters_ended == ended + 2, "nothing was ended that was not built\n");
}

/* A typed operation whose result is a pointer to const, completed and read through its
 * interface's functions. */
static void cxx_pointer_result(void)
{
    IKcomAsyncOperation *op = nullptr;
    const char *name = "probe", *read = nullptr;
    ok(IAsyncCxxName_create(nullptr, &op) == STATUS_SUCCESS && IAsyncCxxName_complete(op, &name) == STATUS_SUCCESS,
       "a pointer result\n");
    ok(op != nullptr && IAsyncCxxName_get_result(IAsyncCxxName_from(op), &read) == STATUS_SUCCESS && read == name,
       "the pointer back\n");
    if (op != nullptr)
        IKcomAsyncOperation_Release(op);
}

/* ---- a task whose descriptor KCOM_ASYNC_TASK defines in C++ -------------------------------------------- */

struct cxx_triple_state {
    KCOM_TASK_RESUME_POINT;
    LONG value;
};

static LONG triple_drops;

static kcom_poll_result cxx_triple_poll(void *state, kcom_task_context *cx)
{
    cxx_triple_state *s = static_cast<cxx_triple_state *>(state);
    KCOM_TASK_BEGIN(s);
    KCOM_YIELD(cx); /* the second poll on the executor */
    KCOM_TASK_RETURN_VALUE(cx, LONG, s->value * 3);
    KCOM_TASK_END(cx);
}

static void cxx_triple_drop(void *)
{
    triple_drops++;
}

KCOM_ASYNC_TASK(cxx_triple_desc, IAsyncCxxLONG, LONG, cxx_triple_state, cxx_triple_poll, cxx_triple_drop)

/* The descriptor as another file sees it: a pointer, so that the calls go through the library,
 * which calls the descriptor's functions. */
static const kcom_async_task_desc *cxx_triple_elsewhere(void)
{
    const kcom_async_task_desc *volatile hidden = &cxx_triple_desc;
    return hidden;
}

static void cxx_task_generated(void)
{
    one_task_executor manual = {{one_task_schedule, nullptr, nullptr}, nullptr, 0};
    alignas(void *) unsigned char storage[KCOM_ASYNC_STORAGE_SIZE(sizeof(LONG), sizeof(cxx_triple_state))];
    cxx_triple_state initial = {0, 14};
    IKcomAsyncOperation *op = nullptr;
    LONG value = 0;
    int way;

    manual.executor.context = &manual;
    triple_drops = 0;
    ok(cxx_triple_desc.generated != nullptr, "KCOM_ASYNC_TASK's functions\n");
    memset(storage, 0, sizeof(storage));
    for (way = 0; way < 4; way++) {
        const kcom_async_task_desc *desc = way % 2 == 0 ? &cxx_triple_desc : cxx_triple_elsewhere();
        NTSTATUS status = way < 2 ? kcom_async_run(desc, &manual.executor, nullptr, &initial, &op)
                                  : kcom_async_run_in(desc, &manual.executor, storage, sizeof(storage), &initial, &op);
        ok(status == STATUS_SUCCESS && op != nullptr, "way %d: run %lx\n", way, static_cast<unsigned long>(status));
        ok(one_task_run(&manual) == 1, "way %d: the yield's poll\n", way);
        value = 0;
        ok(op != nullptr && IAsyncCxxLONG_get_result(IAsyncCxxLONG_from(op), &value) == STATUS_SUCCESS && value == 42,
           "way %d: value %ld\n", way, static_cast<long>(value));
        if (op != nullptr)
            ok(IKcomAsyncOperation_Release(op) == 0, "way %d: released\n", way);
        op = nullptr;
        ok(!kcom_async_storage_in_use(storage), "way %d: storage free\n", way);
    }
    ok(triple_drops == 4 && manual.scheduled == 4, "dropped %ld, scheduled %ld\n", static_cast<long>(triple_drops),
       static_cast<long>(manual.scheduled));
}

/* What the kernel test driver and kcom_cxx_test run. */
extern "C" void kcom_test_cxx_classes(void)
{
    cxx_class_methods();
    cxx_class_async();
    cxx_pointer_result();
    cxx_class_aggregation();
    cxx_class_member_lifetime();
    cxx_task_generated();
}
