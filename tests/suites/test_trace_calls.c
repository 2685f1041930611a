/*
 * Call tracing (KCOM_TRACE_CALLS, kcom/trace.h): this file is compiled with it on, so the shims of
 * its class trace each call at VERBOSE level: entry (interface, method, This), then the status of
 * QueryInterface, of a RESULT method and of a METHOD returning NTSTATUS, or the new count of AddRef
 * and Release, with the file and line of the KCOM_IMPLEMENT, for a plain class and an aggregatable
 * one created without an outer. Below VERBOSE nothing reaches the hook.
 * (That the shims of every other file contain no trace is what the benchmark's unchanged rows and
 * identical object code show, docs/performance.md.)
 */
#define KCOM_TRACE_CALLS 1
#include "test_common.h"

#define ITraced_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Set, (LONG, value))                                            \
    M(I, RESULT, LONG, Get, )                                                             \
    M(I, METHOD, void, Touch, )

#ifndef __ITraced_INTERFACE_DEFINED__
#define __ITraced_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ITraced, IUnknown,
                       0x6b630061, 0x7e57, 0x4c61, 0x9e, 0x61, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x61)
#endif

typedef struct Traced {
    ITraced ITraced_iface;
    LONG value;
} Traced;

static NTSTATUS Traced_Set(Traced *self, LONG value)
{
    if (value < 0)
        return STATUS_INVALID_PARAMETER;
    self->value = value;
    return STATUS_SUCCESS;
}

static NTSTATUS Traced_Get(Traced *self, LONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}

static void Traced_Touch(Traced *self)
{
    self->value++;
}

static const int traced_line = __LINE__ + 1;
KCOM_IMPLEMENT(Traced, ITraced, ITraced_iface)
KCOM_CLASS(Traced, NULL, (ITraced, ITraced_iface))

/* The same as an aggregatable class: its IUnknown shims forward to the outer (its own inner
 * IUnknown when it has none), traced as any other call through its vtable. */
typedef struct TracedAgg {
    ITraced ITraced_iface;
    LONG value;
} TracedAgg;

static NTSTATUS TracedAgg_Set(TracedAgg *self, LONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}

static NTSTATUS TracedAgg_Get(TracedAgg *self, LONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}

static void TracedAgg_Touch(TracedAgg *self)
{
    self->value++;
}

static const int traced_agg_line = __LINE__ + 1;
KCOM_IMPLEMENT(TracedAgg, ITraced, ITraced_iface)
KCOM_AGGREGATABLE_CLASS(TracedAgg, NULL, (ITraced, ITraced_iface))

/* The last call trace the hook saw, decoded. */
enum { CALL_ENTRY, CALL_STATUS, CALL_COUNT };
typedef struct call_record {
    LONG calls;
    kcom_trace_level level;
    const char *file;
    int line;
    int kind;
    const char *iface;
    const char *method;
    const void *This;
    const char *status_name;
    unsigned status;
    unsigned long count;
} call_record;

static void call_hook(void *context, kcom_trace_level level, const char *file, int line, const char *format,
                      va_list args)
{
    call_record *record = (call_record *)context;
    va_list copy;
    record->calls++;
    record->level = level;
    record->file = file;
    record->line = line;
    if (test_text_equal(format, KCOM_TRACE_CALL_STATUS_FORMAT))
        record->kind = CALL_STATUS;
    else if (test_text_equal(format, KCOM_TRACE_CALL_COUNT_FORMAT))
        record->kind = CALL_COUNT;
    else if (test_text_equal(format, KCOM_TRACE_CALL_FORMAT))
        record->kind = CALL_ENTRY;
    else
        return;
    va_copy(copy, args);
    record->iface = va_arg(copy, const char *);
    record->method = va_arg(copy, const char *);
    record->This = va_arg(copy, const void *);
    if (record->kind == CALL_STATUS) {
        record->status_name = va_arg(copy, const char *);
        record->status = va_arg(copy, unsigned);
    } else if (record->kind == CALL_COUNT) {
        record->count = va_arg(copy, unsigned long);
    }
    va_end(copy);
}

static void check_call_at_(const char *file, int line, const call_record *record, LONG calls, int kind,
                           const char *method, const void *This, int implement_line)
{
    ok_(file, line)(record->calls == calls, "%ld traces, expected %ld\n", (long)record->calls, (long)calls);
    ok_(file, line)(record->kind == kind && record->level == KCOM_TRACE_LEVEL_VERBOSE, "kind %d level %d\n",
                    record->kind, (int)record->level);
    ok_(file, line)(test_text_equal(record->iface, "ITraced") && test_text_equal(record->method, method),
                    "traced %s::%s, expected ITraced::%s\n", record->iface, record->method, method);
    ok_(file, line)(record->This == This, "This %p, expected %p\n", record->This, This);
    ok_(file, line)(record->line == implement_line && record->file != NULL, "at line %d, expected %d\n",
                    record->line, implement_line);
}
#define check_call(...) check_call_at_(__FILE__, __LINE__, __VA_ARGS__, traced_line)
#define check_agg_call(...) check_call_at_(__FILE__, __LINE__, __VA_ARGS__, traced_agg_line)

/* An aggregatable object created without an outer: QueryInterface, AddRef and Release trace as a
 * plain object's do. */
static void trace_aggregatable(call_record *record)
{
    TracedAgg *traced = NULL;
    ITraced *iface, *again = NULL;
    if (KCOM_NEW(TracedAgg, NULL, &traced) != STATUS_SUCCESS || traced == NULL) {
        ok(0, "KCOM_NEW(TracedAgg)\n");
        return;
    }
    iface = &traced->ITraced_iface;
    memset(record, 0, sizeof(*record));
    ok(KCOM_QUERY_INTERFACE(iface, ITraced, &again) == STATUS_SUCCESS && again == iface, "QueryInterface\n");
    /* its entry, the reference it takes on the interface it found (that AddRef is the outer's,
     * through the interface's vtable), its status */
    check_agg_call(record, 3, CALL_STATUS, "QueryInterface", iface);
    ok(ITraced_AddRef(iface) == 3, "AddRef\n");
    check_agg_call(record, 4, CALL_COUNT, "AddRef", iface);
    ok(record->count == 3, "count %lu\n", record->count);
    ok(ITraced_Release(iface) == 2, "Release\n");
    check_agg_call(record, 5, CALL_COUNT, "Release", iface);
    KCOM_RELEASE(again);
    ok(ITraced_Release(iface) == 0, "the last Release\n");
    check_agg_call(record, 7, CALL_COUNT, "Release", iface);
    ok(record->count == 0, "count %lu\n", record->count);
}

void kcom_test_trace_calls(void)
{
    call_record record;
    Traced *traced = NULL;
    ITraced *iface;
    ITraced *again = NULL;
    LONG value = 0;
    kcom_trace_level previous;

    if (KCOM_NEW(Traced, NULL, &traced) != STATUS_SUCCESS || traced == NULL) {
        ok(0, "KCOM_NEW(Traced)\n");
        return;
    }
    iface = &traced->ITraced_iface;
    memset(&record, 0, sizeof(record));
    kcom_set_trace_hook(call_hook, &record);

    /* below VERBOSE (the default level is WARNING): nothing reaches the hook */
    previous = kcom_set_trace_level(KCOM_TRACE_LEVEL_INFO);
    ok(ITraced_Set(iface, 3) == STATUS_SUCCESS && record.calls == 0, "%ld traces at INFO\n", (long)record.calls);

    kcom_set_trace_level(KCOM_TRACE_LEVEL_VERBOSE);
    ok(ITraced_Set(iface, 4) == STATUS_SUCCESS, "Set\n");
    check_call(&record, 2, CALL_STATUS, "Set", iface);
    ok(test_text_equal(record.status_name, "STATUS_SUCCESS") && record.status == 0, "status %s 0x%08x\n",
       record.status_name, record.status);
    ok(ITraced_Set(iface, -1) == STATUS_INVALID_PARAMETER, "Set(-1)\n");
    check_call(&record, 4, CALL_STATUS, "Set", iface);
    ok(record.status == (unsigned)STATUS_INVALID_PARAMETER, "status 0x%08x\n", record.status);

    ok(ITraced_Get(iface, &value) == STATUS_SUCCESS && value == 4, "Get\n");
    check_call(&record, 6, CALL_STATUS, "Get", iface);
    ok(ITraced_Get(iface, NULL) == STATUS_INVALID_PARAMETER, "Get(NULL)\n");
    check_call(&record, 8, CALL_STATUS, "Get", iface);

    /* a METHOD of another type: its entry only */
    ITraced_Touch(iface);
    check_call(&record, 9, CALL_ENTRY, "Touch", iface);

    ok(KCOM_QUERY_INTERFACE(iface, ITraced, &again) == STATUS_SUCCESS && again == iface, "QueryInterface\n");
    check_call(&record, 11, CALL_STATUS, "QueryInterface", iface);
    ok(ITraced_AddRef(iface) == 3, "AddRef\n");
    check_call(&record, 12, CALL_COUNT, "AddRef", iface);
    ok(record.count == 3, "count %lu\n", record.count);
    ok(ITraced_Release(iface) == 2, "Release\n");
    check_call(&record, 13, CALL_COUNT, "Release", iface);
    ok(record.count == 2, "count %lu\n", record.count);
    KCOM_RELEASE(again);
    ok(ITraced_Release(iface) == 0, "the last Release\n");
    check_call(&record, 15, CALL_COUNT, "Release", iface);
    ok(record.count == 0, "count %lu\n", record.count);

    trace_aggregatable(&record);

    kcom_set_trace_level(previous);
    kcom_set_trace_hook(NULL, NULL);
}
