/*
 * alloc_sweep.c - allocation failure, swept over whole scenarios.
 *
 * Each scenario is a sequence of kcom calls that a driver makes (creating objects of several
 * classes, QueryInterface, async method calls that complete at once, wait and complete, or are
 * canceled, completion sources, spawn and block_on, a tracker with DPC and work-item executors
 * and a drain). It runs again and again with rel_alloc (rel_common.h: the default allocator and
 * the classes' own allocator, a kcom_counting_allocator underneath) refusing the N-th allocation,
 * N = 1, 2, ..., until a run makes no failing request; then the same with every allocation from
 * the N-th on refused (memory that stays exhausted, which reaches the static error operation and
 * the cleanup paths that run after a failure). Every run checks:
 *   - each step returns its documented status: STATUS_SUCCESS when none of its allocations was
 *     refused, STATUS_INSUFFICIENT_RESOURCES (with the out pointers NULL) when one was; an async
 *     call returns an operation in Error with STATUS_INSUFFICIENT_RESOURCES whose callback fires at
 *     once (the static error operation when not even that could be allocated);
 *   - what did get created behaves (QueryInterface answers, results, callbacks exactly once);
 *   - no crash (the sanitizer configurations run this too), every task state dropped once, and
 *     zero live allocations at the end;
 *   - the run without a failure succeeds throughout and makes exactly N - 1 requests (the
 *     sequence is deterministic, so each N reaches a new allocation).
 * At the end it prints the number of scenarios, runs and distinct allocation sites reached: call
 * paths, the innermost REL_SITE_FRAMES return addresses above the allocator, and how many distinct
 * instructions among them call an allocator (`kcom_alloc_sweep --sites` lists the paths as offsets
 * in the executable, for addr2line -f -i -e).
 *
 * Host only: the tracker scenario runs on the kernel simulation (kcom/kernel_sim.h).
 * The thread pool's memory and kcom_async_block_on's events come from the platform heap, not from
 * kcom's allocators, so no sweep reaches them (docs/safety.md).
 */
#define _POSIX_C_SOURCE 200809L

#include "rel_common.h"

#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS
#include "platform/platform.h"
#include <kcom/kernel_sim.h>
#endif

#include <stdio.h>
#include <string.h>

#define MAX_RUNS 200

static int sweep_mode;        /* REL_FAIL_NTH or REL_FAIL_FROM */
static LONG sweep_n;          /* the run's N */
static const char *sweep_name; /* the scenario's */
static manual_executor manual;

static const char *mode_name(void)
{
    return sweep_mode == REL_FAIL_NTH ? "fail_nth" : "fail_from";
}

/* ---- step checks ------------------------------------------------------------------------------------------ */

/* A step that returns a status: STATUS_SUCCESS when no allocation failed during it,
 * STATUS_INSUFFICIENT_RESOURCES when one did. Returns whether it succeeded. */
#define step(status, before, what) step_((status), (before), (what), __FILE__, __LINE__)
static BOOLEAN step_(NTSTATUS status, LONG failures_before, const char *what, const char *file, int line)
{
    BOOLEAN refused = (BOOLEAN)(rel_alloc_failures() != failures_before);
    NTSTATUS expected = refused ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
    ok_(file, line)(status == expected, "%s, %s %ld: %s returned %s, expected %s\n", sweep_name, mode_name(),
                    (long)sweep_n, what, kcom_status_name(status), kcom_status_name(expected));
    return (BOOLEAN)NT_SUCCESS(status);
}

/* An operation returned by a call that may have failed to allocate: never NULL; when an
 * allocation failed during the call, in Error with STATUS_INSUFFICIENT_RESOURCES, calling back
 * at once, and the static error operation once refused_to_static requests were refused (2 for a
 * call whose own operation failed and then its error operation; 1 for
 * kcom_async_operation_create_error). Returns TRUE for the call's own operation. */
#define call_op(op, before, what) call_op_((op), (before), 2, (what), __FILE__, __LINE__)
#define error_op(op, before, what) call_op_((op), (before), 1, (what), __FILE__, __LINE__)
static BOOLEAN call_op_(IKcomAsyncOperation *op, LONG failures_before, LONG refused_to_static, const char *what,
                        const char *file, int line)
{
    LONG refused = rel_alloc_failures() - failures_before;
    callback_record record;
    kcom_async_status status = -1;
    ULONG value = 0x5A5A5A5Au;
    NTSTATUS result;
    if (!ok_(file, line)(op != NULL, "%s, %s %ld: %s returned NULL\n", sweep_name, mode_name(), (long)sweep_n, what))
        return FALSE;
    if (refused == 0)
        return TRUE;
    (void)IKcomAsyncOperation_get_status(op, &status);
    result = IKcomAsyncOperation_get_result(op, &value);
    ok_(file, line)(status == KCOM_ASYNC_ERROR && result == STATUS_INSUFFICIENT_RESOURCES && value == 0x5A5A5A5Au,
                    "%s, %s %ld: %s after a refused allocation: status %ld, result %s\n", sweep_name, mode_name(),
                    (long)sweep_n, what, (long)status, kcom_status_name(result));
    memset(&record, 0, sizeof(record));
    ok_(file, line)(IKcomAsyncOperation_set_completed(op, record_callback, &record) == STATUS_SUCCESS &&
                        record.calls == 1 && record.status == KCOM_ASYNC_ERROR,
                    "%s, %s %ld: %s: the error operation's callback: %ld calls, status %ld\n", sweep_name,
                    mode_name(), (long)sweep_n, what, (long)record.calls, (long)record.status);
    ok_(file, line)((op == kcom_async_static_error_operation()) == (refused >= refused_to_static),
                    "%s, %s %ld: %s: %ld refused requests, %s static error operation\n", sweep_name, mode_name(),
                    (long)sweep_n, what, (long)refused, op == kcom_async_static_error_operation() ? "the" : "not the");
    return FALSE;
}

/* The outcome of a finished operation. */
#define outcome(op, st, result, value) outcome_((op), (st), (result), (value), __FILE__, __LINE__)
static void outcome_(IKcomAsyncOperation *op, kcom_async_status expected_status, NTSTATUS expected_result,
                     ULONG expected_value, const char *file, int line)
{
    kcom_async_status status = -1;
    ULONG value = 0;
    NTSTATUS result;
    (void)IKcomAsyncOperation_get_status(op, &status);
    result = IKcomAsyncOperation_get_result(op, &value);
    ok_(file, line)(status == expected_status && result == expected_result &&
                        (result != STATUS_SUCCESS || value == expected_value),
                    "%s, %s %ld: status %ld result %s value %lu, expected %ld %s %lu\n", sweep_name, mode_name(),
                    (long)sweep_n, (long)status, kcom_status_name(result), (unsigned long)value,
                    (long)expected_status, kcom_status_name(expected_result), (unsigned long)expected_value);
}

#define callback_once(record, st) callback_once_((record), (st), __FILE__, __LINE__)
static void callback_once_(const callback_record *record, kcom_async_status expected, const char *file, int line)
{
    ok_(file, line)(record->calls == 1 && record->status == expected && record->mismatches == 0,
                    "%s, %s %ld: callback: %ld calls, status %ld, expected one with %ld\n", sweep_name, mode_name(),
                    (long)sweep_n, (long)record->calls, (long)record->status, (long)expected);
}

static void release_op(IKcomAsyncOperation *op)
{
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
}

/* QueryInterface for every IID on every interface pointer of obj: the documented answer, the
 * object's identity, and the count back where it was. */
static void qi_matrix(const rel_object *obj)
{
    int i, k;
    for (i = 0; i < obj->interface_count; i++) {
        IUnknown *p = obj->interfaces[i];
        ULONG before = p->lpVtbl->AddRef(p) - 1;
        p->lpVtbl->Release(p);
        for (k = 0; k < REL_IID_COUNT; k++) {
            int expected = rel_expected_interface(obj->kind, k);
            void *out = TEST_POISON_PTR;
            NTSTATUS status = p->lpVtbl->QueryInterface(p, rel_iid(k), &out);
            if (expected < 0) {
                ok(status == STATUS_NOINTERFACE && out == NULL, "%s: %s QI %d on interface %d: %s %p\n", sweep_name,
                   rel_class_name(obj->kind), k, i, kcom_status_name(status), out);
            } else {
                ok(status == STATUS_SUCCESS && out == rel_object_interface(obj, expected),
                   "%s: %s QI %d on interface %d: %s %p, expected %p\n", sweep_name, rel_class_name(obj->kind), k, i,
                   kcom_status_name(status), out, (void *)rel_object_interface(obj, expected));
                if (NT_SUCCESS(status) && out != NULL)
                    ((IUnknown *)out)->lpVtbl->Release((IUnknown *)out);
            }
        }
        ok(p->lpVtbl->AddRef(p) == before + 1 && p->lpVtbl->Release(p) == before,
           "%s: %s interface %d: the count moved\n", sweep_name, rel_class_name(obj->kind), i);
    }
}

/* Releases the creation reference: the last one, unless pending work holds the object. */
static void release_object_with(rel_object *obj, ULONG work_references)
{
    if (obj->identity != NULL) {
        ULONG left = obj->identity->lpVtbl->Release(obj->identity);
        ok(left == work_references, "%s: %s has %lu references left, expected %lu\n", sweep_name,
           rel_class_name(obj->kind), (unsigned long)left, (unsigned long)work_references);
        obj->identity = NULL;
    }
}
#define release_object(obj) release_object_with((obj), 0)

/* ---- scenarios --------------------------------------------------------------------------------------------- */

/* Objects of every class, both ways of creating them, one, four and aggregated interfaces. */
static void scenario_create(void)
{
    rel_object objects[8];
    int i;
    for (i = 0; i < 8; i++) {
        LONG before = rel_alloc_failures();
        NTSTATUS status = rel_create(i % REL_CLASS_COUNT, i / REL_CLASS_COUNT, &objects[i]);
        if (step(status, before, rel_class_name(i % REL_CLASS_COUNT)))
            ok(objects[i].identity != NULL, "created\n");
        else
            ok(objects[i].identity == NULL, "nothing handed out\n");
    }
    for (i = 0; i < 8; i++)
        release_object(&objects[i]);
}

/* QueryInterface on what could be created (QueryInterface itself never allocates). */
static void scenario_query_interface(void)
{
    rel_object objects[REL_CLASS_COUNT];
    int i;
    for (i = 0; i < REL_CLASS_COUNT; i++) {
        LONG before = rel_alloc_failures();
        if (step(rel_create(i, 1, &objects[i]), before, rel_class_name(i)))
            qi_matrix(&objects[i]);
    }
    /* an object's interface pointers stay valid while another reference holds it */
    if (objects[REL_AGGREGATE].identity != NULL) {
        IUnknown *inner_iface = objects[REL_AGGREGATE].interfaces[2];
        inner_iface->lpVtbl->AddRef(inner_iface); /* the outer's count */
        release_object_with(&objects[REL_AGGREGATE], 1);
        ok(rel_alloc_live() > 0, "the aggregate outlives its creation reference\n");
        objects[REL_AGGREGATE].identity = NULL;
        ok(inner_iface->lpVtbl->Release(inner_iface) == 0, "the last reference, through the inner\n");
    }
    for (i = 0; i < REL_CLASS_COUNT; i++)
        release_object(&objects[i]);
}

static IRelReader *new_reader(rel_object *obj)
{
    LONG before = rel_alloc_failures();
    if (!step(rel_create(REL_READER, 0, obj), before, "Reader"))
        return NULL;
    return (IRelReader *)(void *)obj->identity;
}

/* Async method calls whose work is ready at the first poll, and a start function that fails. */
static void scenario_async_ready(void)
{
    rel_object obj;
    IRelReader *reader = new_reader(&obj);
    IAsyncULONG *op;
    LONG before;
    callback_record record;
    ULONG i;
    if (reader == NULL)
        return;
    for (i = 0; i < 3; i++) {
        before = rel_alloc_failures();
        op = IRelReader_ReadNow(reader, i);
        if (call_op(IAsyncULONG_generic(op), before, "ReadNow")) {
            outcome(IAsyncULONG_generic(op), KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, REL_READ_NOW_VALUE(i));
            memset(&record, 0, sizeof(record));
            ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(op), record_callback, &record) ==
                   STATUS_SUCCESS,
               "set_completed\n");
            callback_once(&record, KCOM_ASYNC_COMPLETED);
        }
        IAsyncULONG_Release(op);
    }
    before = rel_alloc_failures();
    op = IRelReader_ReadFail(reader, STATUS_ACCESS_DENIED);
    if (call_op(IAsyncULONG_generic(op), before, "ReadFail"))
        outcome(IAsyncULONG_generic(op), KCOM_ASYNC_ERROR, STATUS_ACCESS_DENIED, 0);
    IAsyncULONG_Release(op);
    ok(manual.scheduled == 0, "ready work is never scheduled\n");
    release_object(&obj);
}

/* A completion source; on failure the error operation it returns. */
static IKcomAsyncOperation *new_source(BOOLEAN *real)
{
    IKcomAsyncOperation *source = NULL;
    LONG before = rel_alloc_failures();
    NTSTATUS status = kcom_async_operation_create(&rel_alloc.allocator, &IID_IAsyncULONG, sizeof(ULONG),
                                                  KCOM_ALIGNOF(ULONG), &source);
    step(status, before, "kcom_async_operation_create");
    *real = call_op(source, before, "kcom_async_operation_create");
    return source;
}

/* Async method calls that wait (for a completion source, or for their own yields), then complete. */
static void scenario_async_pending(void)
{
    rel_object obj;
    IRelReader *reader = new_reader(&obj);
    IKcomAsyncOperation *source;
    IAsyncULONG *later, *yielding;
    callback_record later_record, yield_record;
    BOOLEAN real_source, later_real, yield_real;
    ULONG value = 41;
    LONG before;
    if (reader == NULL)
        return;
    source = new_source(&real_source);
    memset(&later_record, 0, sizeof(later_record));
    memset(&yield_record, 0, sizeof(yield_record));

    before = rel_alloc_failures();
    later = IRelReader_ReadLater(reader, source);
    later_real = call_op(IAsyncULONG_generic(later), before, "ReadLater");
    if (later_real) {
        if (real_source) {
            outcome(IAsyncULONG_generic(later), KCOM_ASYNC_STARTED, STATUS_PENDING, 0);
            ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(later), record_callback, &later_record) ==
                   STATUS_SUCCESS,
               "set_completed\n");
            ok(later_record.calls == 0, "not finished yet\n");
        } else {
            /* the source is an error operation: the read fails at its first poll, with its status */
            outcome(IAsyncULONG_generic(later), KCOM_ASYNC_ERROR, STATUS_INSUFFICIENT_RESOURCES, 0);
        }
    }
    before = rel_alloc_failures();
    yielding = IRelReader_ReadYield(reader, 3);
    yield_real = call_op(IAsyncULONG_generic(yielding), before, "ReadYield");
    if (yield_real) {
        outcome(IAsyncULONG_generic(yielding), KCOM_ASYNC_STARTED, STATUS_PENDING, 0);
        ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(yielding), record_callback, &yield_record) ==
               STATUS_SUCCESS,
           "set_completed\n");
    }
    /* the caller lets go of the object: the pending work keeps it */
    release_object_with(&obj, (ULONG)((later_real && real_source) + yield_real));
    if (real_source)
        ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "source completed\n");
    manual_run(&manual);
    if (later_real && real_source) {
        outcome(IAsyncULONG_generic(later), KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 42);
        callback_once(&later_record, KCOM_ASYNC_COMPLETED);
    }
    if (yield_real) {
        outcome(IAsyncULONG_generic(yielding), KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 3);
        callback_once(&yield_record, KCOM_ASYNC_COMPLETED);
    }
    ok(manual_queued(&manual) == 0, "nothing left queued\n");
    IAsyncULONG_Release(later);
    IAsyncULONG_Release(yielding);
    release_op(source);
}

/* Async method calls canceled while they wait; the source is failed afterwards. */
static void scenario_async_canceled(void)
{
    rel_object obj;
    IRelReader *reader = new_reader(&obj);
    IKcomAsyncOperation *source;
    IAsyncULONG *later, *yielding;
    callback_record later_record, yield_record;
    BOOLEAN real_source, later_pending = FALSE, yield_pending = FALSE;
    LONG before;
    if (reader == NULL)
        return;
    source = new_source(&real_source);
    memset(&later_record, 0, sizeof(later_record));
    memset(&yield_record, 0, sizeof(yield_record));
    before = rel_alloc_failures();
    later = IRelReader_ReadLater(reader, source);
    if (call_op(IAsyncULONG_generic(later), before, "ReadLater") && real_source) {
        later_pending = TRUE;
        ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(later), record_callback, &later_record) ==
               STATUS_SUCCESS,
           "set_completed\n");
        ok(IAsyncULONG_cancel(later) == STATUS_SUCCESS, "cancel\n");
        outcome(IAsyncULONG_generic(later), KCOM_ASYNC_CANCELED, STATUS_CANCELLED, 0);
        ok(IAsyncULONG_cancel(later) == STATUS_INVALID_DEVICE_STATE, "a second cancel\n");
        ok(later_record.calls == 0, "the callback waits for the work to end\n");
    } else {
        /* finished already (an error source, or an error operation): nothing to cancel */
        ok(IAsyncULONG_cancel(later) == STATUS_INVALID_DEVICE_STATE, "cancel of a finished operation\n");
    }
    before = rel_alloc_failures();
    yielding = IRelReader_ReadYield(reader, 1000);
    if (call_op(IAsyncULONG_generic(yielding), before, "ReadYield")) {
        yield_pending = TRUE;
        ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(yielding), record_callback, &yield_record) ==
               STATUS_SUCCESS,
           "set_completed\n");
        ok(IAsyncULONG_cancel(yielding) == STATUS_SUCCESS, "cancel\n");
    }
    release_object_with(&obj, (ULONG)(later_pending + yield_pending));
    manual_run(&manual);
    if (later_pending)
        callback_once(&later_record, KCOM_ASYNC_CANCELED);
    if (yield_pending) {
        callback_once(&yield_record, KCOM_ASYNC_CANCELED);
        outcome(IAsyncULONG_generic(yielding), KCOM_ASYNC_CANCELED, STATUS_CANCELLED, 0);
    }
    if (real_source) {
        ok(kcom_async_operation_fail(source, STATUS_IO_TIMEOUT) == STATUS_SUCCESS, "the source still ends\n");
        outcome(source, KCOM_ASYNC_ERROR, STATUS_IO_TIMEOUT, 0);
    }
    IAsyncULONG_Release(later);
    IAsyncULONG_Release(yielding);
    release_op(source);
}

/* Completion sources: completed, failed, canceled then completed, error operations. */
static void scenario_completion_sources(void)
{
    IKcomAsyncOperation *ops[3], *failed = NULL, *no_value = NULL;
    callback_record records[3];
    BOOLEAN real[3];
    ULONG value = 7;
    LONG before;
    NTSTATUS status;
    int i;
    memset(records, 0, sizeof(records));
    for (i = 0; i < 3; i++) {
        ops[i] = new_source(&real[i]);
        if (real[i])
            ok(IKcomAsyncOperation_set_completed(ops[i], record_callback, &records[i]) == STATUS_SUCCESS,
               "set_completed\n");
    }
    if (real[0]) {
        ok(kcom_async_operation_complete(ops[0], &value) == STATUS_SUCCESS, "complete\n");
        outcome(ops[0], KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 7);
        callback_once(&records[0], KCOM_ASYNC_COMPLETED);
        ok(kcom_async_operation_complete(ops[0], &value) == STATUS_INVALID_DEVICE_STATE, "complete twice\n");
    }
    if (real[1]) {
        ok(kcom_async_operation_fail(ops[1], STATUS_NOT_SUPPORTED) == STATUS_SUCCESS, "fail\n");
        outcome(ops[1], KCOM_ASYNC_ERROR, STATUS_NOT_SUPPORTED, 0);
        callback_once(&records[1], KCOM_ASYNC_ERROR);
    }
    if (real[2]) {
        ok(IKcomAsyncOperation_cancel(ops[2]) == STATUS_SUCCESS, "cancel\n");
        ok(records[2].calls == 1, "a cancel finishes a source at once\n");
        ok(kcom_async_operation_complete(ops[2], &value) == STATUS_CANCELLED, "completed after a cancel\n");
        outcome(ops[2], KCOM_ASYNC_CANCELED, STATUS_CANCELLED, 0);
        callback_once(&records[2], KCOM_ASYNC_CANCELED);
    }
    for (i = 0; i < 3; i++)
        release_op(ops[i]);

    before = rel_alloc_failures();
    status = kcom_async_operation_create_error(&rel_alloc.allocator, &IID_IAsyncULONG, STATUS_DELETE_PENDING, &failed);
    step(status, before, "kcom_async_operation_create_error");
    if (error_op(failed, before, "kcom_async_operation_create_error"))
        outcome(failed, KCOM_ASYNC_ERROR, STATUS_DELETE_PENDING, 0);
    release_op(failed);

    /* no value, the default allocator (rel_alloc too) */
    before = rel_alloc_failures();
    status = kcom_async_operation_create(NULL, NULL, 0, 1, &no_value);
    step(status, before, "kcom_async_operation_create without a value");
    if (call_op(no_value, before, "kcom_async_operation_create without a value")) {
        ok(kcom_async_operation_complete(no_value, NULL) == STATUS_SUCCESS, "complete without a value\n");
        ok(IKcomAsyncOperation_get_result(no_value, &value) == STATUS_SUCCESS, "get_result\n");
    }
    release_op(no_value);
}

/* Tasks spawned directly: on a thread pool and waited for with block_on; begun and abandoned;
 * in caller storage (no allocation, but its error operations are allocated). */
typedef struct count_state {
    KCOM_TASK_RESUME_POINT;
    ULONG target;
    ULONG polls;
} count_state;

static LONG volatile count_drops;

static kcom_poll_result count_poll(void *p, kcom_task_context *cx)
{
    count_state *s = (count_state *)p;
    KCOM_TASK_BEGIN(s);
    while (s->polls < s->target) {
        s->polls++;
        KCOM_YIELD(cx);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->polls);
    KCOM_TASK_END(cx);
}

static void count_drop(void *p)
{
    (void)p;
    kcom_atomic_fetch_add(&count_drops, 1);
}

static const kcom_async_task_desc count_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, count_state, count_poll, count_drop);

static void scenario_spawn_block_on(void)
{
    static _Alignas(void *) unsigned char storage[KCOM_ASYNC_STORAGE_SIZE(sizeof(ULONG), sizeof(count_state))];
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *ops[3] = {NULL, NULL, NULL}, *abandoned = NULL, *in_storage = NULL;
    BOOLEAN real[3] = {FALSE, FALSE, FALSE};
    count_state initial, *state = NULL;
    LONG before, drops_before = kcom_atomic_load(&count_drops), expected_drops = 0;
    NTSTATUS status;
    int i;

    before = rel_alloc_failures();
    status = kcom_thread_pool_create(2, &pool, &executor); /* its block from the default allocator */
    if (!step(status, before, "kcom_thread_pool_create")) {
        ok(pool == NULL, "no pool on failure\n");
        return;
    }
    memset(&initial, 0, sizeof(initial));
    for (i = 0; i < 3; i++) {
        initial.target = (ULONG)i * 2;
        before = rel_alloc_failures();
        status = kcom_async_spawn(&count_desc, executor, i == 2 ? NULL : &rel_alloc.allocator, &initial, &ops[i]);
        step(status, before, "kcom_async_spawn");
        real[i] = call_op(ops[i], before, "kcom_async_spawn");
        if (real[i])
            expected_drops++;
    }
    for (i = 0; i < 3; i++) {
        status = kcom_async_block_on(ops[i], 20000);
        ok(status == STATUS_SUCCESS, "block_on: %s\n", kcom_status_name(status));
        if (real[i])
            outcome(ops[i], KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, (ULONG)i * 2);
    }

    /* begun, then abandoned: the drop runs, the operation fails with the status given */
    before = rel_alloc_failures();
    status = kcom_async_spawn_begin(&count_desc, executor, &rel_alloc.allocator, (void **)&state, &abandoned);
    step(status, before, "kcom_async_spawn_begin");
    if (call_op(abandoned, before, "kcom_async_spawn_begin")) {
        ok(state != NULL, "a state\n");
        ok(kcom_async_spawn_abandon(abandoned, STATUS_NOT_FOUND) == STATUS_SUCCESS, "abandon\n");
        outcome(abandoned, KCOM_ASYNC_ERROR, STATUS_NOT_FOUND, 0);
        expected_drops++;
    } else {
        ok(state == NULL, "no state\n");
        ok(kcom_async_spawn_commit(abandoned) == STATUS_INSUFFICIENT_RESOURCES, "commit of the error operation\n");
    }

    /* caller storage: no allocation; a storage too small gets an error operation from the default */
    if (!kcom_async_storage_in_use(storage)) {
        before = rel_alloc_failures();
        status = kcom_async_spawn_begin_in(&count_desc, executor, storage, sizeof(storage), (void **)&state, &in_storage);
        ok(status == STATUS_SUCCESS && rel_alloc_failures() == before, "spawn in storage: %s\n",
           kcom_status_name(status));
        if (NT_SUCCESS(status)) {
            state->target = 1;
            ok(kcom_async_spawn_commit(in_storage) == STATUS_SUCCESS, "commit\n");
            ok(kcom_async_block_on(in_storage, 20000) == STATUS_SUCCESS, "block_on\n");
            outcome(in_storage, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 1);
            expected_drops++;
        }
        release_op(in_storage);
    }
    in_storage = NULL;
    before = rel_alloc_failures();
    status = kcom_async_spawn_begin_in(&count_desc, executor, storage, 16, (void **)&state, &in_storage);
    ok(status == STATUS_BUFFER_TOO_SMALL && in_storage != NULL, "storage too small: %s\n", kcom_status_name(status));
    if (in_storage != NULL) {
        NTSTATUS result = IKcomAsyncOperation_get_result(in_storage, &initial.polls);
        ok(result == (rel_alloc_failures() != before ? STATUS_INSUFFICIENT_RESOURCES : STATUS_BUFFER_TOO_SMALL),
           "its error operation carries %s\n", kcom_status_name(result));
    }
    release_op(in_storage);

    for (i = 0; i < 3; i++)
        release_op(ops[i]);
    release_op(abandoned);
    ok(kcom_thread_pool_shutdown(pool, 20000) == STATUS_SUCCESS, "pool drained\n");
    /* the pool's last reference went with its last poll */
    ok(!kcom_async_storage_in_use(storage), "storage free again\n");
    ok(kcom_atomic_load(&count_drops) - drops_before == expected_drops, "%ld drops, expected %ld\n",
       (long)(kcom_atomic_load(&count_drops) - drops_before), (long)expected_drops);
}

#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS

typedef struct wait_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
} wait_state;

static kcom_poll_result wait_poll(void *p, kcom_task_context *cx)
{
    wait_state *s = (wait_state *)p;
    ULONG value = 0;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(kcom_async_await_poll(&s->source, cx));
    if (!NT_SUCCESS(IKcomAsyncOperation_get_result(s->source.operation, &value)))
        KCOM_TASK_RETURN(cx, STATUS_UNSUCCESSFUL);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, value + 1);
    KCOM_TASK_END(cx);
}

static void wait_drop(void *p)
{
    kcom_async_await_clear(&((wait_state *)p)->source);
    kcom_atomic_fetch_add(&count_drops, 1);
}

static const kcom_async_task_desc wait_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, wait_state, wait_poll, wait_drop);

static int device_object;

/* A tracker, a DPC and a work-item executor counted by it, tasks on both (one yielding at
 * DISPATCH_LEVEL while the DPCs are held, one waiting for a source completed later), a drain,
 * then destroy. What could not be created is left out of the rest. */
static void scenario_tracker_drain(void)
{
    kcom_tracker *tracker = (kcom_tracker *)&device_object;
    kcom_dpc_executor *dpc = (kcom_dpc_executor *)&device_object;
    kcom_work_item_executor *work = (kcom_work_item_executor *)&device_object;
    const kcom_executor *on_dpc = (const kcom_executor *)&device_object, *on_work = on_dpc;
    kcom_dpc_executor_config dpc_config;
    kcom_work_item_executor_config work_config;
    IKcomAsyncOperation *yielding = NULL, *waiting = NULL, *source = NULL;
    BOOLEAN real_source, yield_real = FALSE, wait_real = FALSE;
    LONG before, drops_before = kcom_atomic_load(&count_drops), expected_drops = 0;
    ULONG value = 99;
    NTSTATUS status;

    before = rel_alloc_failures();
    status = kcom_tracker_create(&tracker);
    if (!step(status, before, "kcom_tracker_create"))
        ok(tracker == NULL, "tracker NULL on failure\n");
    memset(&dpc_config, 0, sizeof(dpc_config));
    dpc_config.tracker = tracker;
    dpc_config.poll_budget = 2;
    before = rel_alloc_failures();
    status = kcom_dpc_executor_create(&dpc_config, &dpc, &on_dpc);
    if (!step(status, before, "kcom_dpc_executor_create"))
        ok(dpc == NULL && on_dpc == NULL, "outputs NULL on failure\n");
    memset(&work_config, 0, sizeof(work_config));
    work_config.tracker = tracker;
    before = rel_alloc_failures();
    status = kcom_work_item_executor_create(&device_object, &work_config, &work, &on_work);
    if (!step(status, before, "kcom_work_item_executor_create"))
        ok(work == NULL && on_work == NULL, "outputs NULL on failure\n");

    if (on_dpc != NULL) {
        count_state initial;
        memset(&initial, 0, sizeof(initial));
        initial.target = 5;
        kcom_sim_hold_dpcs(TRUE);
        before = rel_alloc_failures();
        status = kcom_async_spawn(&count_desc, on_dpc, NULL, &initial, &yielding);
        step(status, before, "kcom_async_spawn on the DPC executor");
        yield_real = call_op(yielding, before, "kcom_async_spawn on the DPC executor");
        if (yield_real)
            expected_drops++;
        if (tracker != NULL)
            ok(kcom_tracker_outstanding(tracker) == (yield_real ? 1 : 0), "counted: %ld\n",
               (long)kcom_tracker_outstanding(tracker));
        kcom_sim_hold_dpcs(FALSE);
    }
    source = new_source(&real_source);
    if (on_work != NULL) {
        wait_state *state = NULL;
        before = rel_alloc_failures();
        status = kcom_async_spawn_begin(&wait_desc, on_work, NULL, (void **)&state, &waiting);
        step(status, before, "kcom_async_spawn_begin on the work-item executor");
        wait_real = call_op(waiting, before, "kcom_async_spawn_begin on the work-item executor");
        if (wait_real) {
            source->lpVtbl->AddRef(source);
            kcom_async_await_init(&state->source, source);
            ok(kcom_async_spawn_commit(waiting) == STATUS_SUCCESS, "commit\n");
            expected_drops++;
        }
    }
    if (real_source)
        ok(kcom_async_operation_complete(source, &value) == STATUS_SUCCESS, "source completed\n");

    if (tracker != NULL) {
        ok(kcom_tracker_drain(tracker, 20000) == STATUS_SUCCESS, "drained\n");
        ok(kcom_tracker_outstanding(tracker) == 0, "nothing outstanding\n");
    } else {
        if (yielding != NULL)
            ok(kcom_async_block_on(yielding, 20000) == STATUS_SUCCESS, "block_on\n");
        if (waiting != NULL)
            ok(kcom_async_block_on(waiting, 20000) == STATUS_SUCCESS, "block_on\n");
    }
    if (yield_real)
        outcome(yielding, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 5);
    if (wait_real)
        outcome(waiting, real_source ? KCOM_ASYNC_COMPLETED : KCOM_ASYNC_ERROR,
                real_source ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL, 100);
    release_op(yielding);
    release_op(waiting);
    release_op(source);
    kcom_work_item_executor_destroy(work);
    kcom_dpc_executor_destroy(dpc);
    kcom_tracker_destroy(tracker);
    ok(kcom_atomic_load(&count_drops) - drops_before == expected_drops, "%ld drops, expected %ld\n",
       (long)(kcom_atomic_load(&count_drops) - drops_before), (long)expected_drops);
}

#endif

/* ---- the sweep ------------------------------------------------------------------------------------------- */

typedef struct scenario {
    const char *name;
    void (*run)(void);
} scenario;

static const scenario scenarios[] = {
    {"object creation (1, 4 and aggregated interfaces)", scenario_create},
    {"QueryInterface", scenario_query_interface},
    {"async methods ready at once", scenario_async_ready},
    {"async methods pending, then completed", scenario_async_pending},
    {"async methods canceled", scenario_async_canceled},
    {"completion sources", scenario_completion_sources},
    {"spawn and block_on", scenario_spawn_block_on},
#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS
    {"tracker, DPC and work-item executors, drain", scenario_tracker_drain},
#endif
};
#define SCENARIO_COUNT ((int)(sizeof(scenarios) / sizeof(scenarios[0])))

static LONG total_runs, total_failing_runs;

static void sweep(const scenario *s, int mode)
{
    LONG n, failing = 0, clean_requests = -1;
    LONG destroyed_before[REL_CLASS_COUNT], created_before[REL_CLASS_COUNT];
    int k;
    sweep_mode = mode;
    sweep_name = s->name;
    for (n = 1; n <= MAX_RUNS; n++) {
        LONG starts, drops, failures, requests;
        for (k = 0; k < REL_CLASS_COUNT; k++) {
            destroyed_before[k] = kcom_atomic_load(&rel_destroyed[k]);
            created_before[k] = kcom_atomic_load(&rel_created[k]);
        }
        starts = kcom_atomic_load(&rel_reader_starts);
        drops = kcom_atomic_load(&rel_reader_drops);
        sweep_n = n;
        manual_init(&manual);
        rel_alloc_reset(mode, n);
        s->run();
        failures = rel_alloc_failures();
        requests = rel_alloc_requests();
        rel_alloc_reset(REL_FAIL_NONE, 0);
        total_runs++;
        ok(manual_queued(&manual) == 0, "%s, %s %ld: tasks left queued\n", s->name, mode_name(), (long)n);
        ok(rel_alloc_live() == 0, "%s, %s %ld: %ld blocks live at the end\n", s->name, mode_name(), (long)n,
           (long)rel_alloc_live());
        ok(kcom_atomic_load(&rel_reader_starts) - starts == kcom_atomic_load(&rel_reader_drops) - drops,
           "%s, %s %ld: %ld task states started, %ld dropped\n", s->name, mode_name(), (long)n,
           (long)(kcom_atomic_load(&rel_reader_starts) - starts), (long)(kcom_atomic_load(&rel_reader_drops) - drops));
        for (k = 0; k < REL_CLASS_COUNT; k++)
            ok(kcom_atomic_load(&rel_destroyed[k]) - destroyed_before[k] ==
                   kcom_atomic_load(&rel_created[k]) - created_before[k],
               "%s, %s %ld: %s: %ld created, %ld destroyed\n", s->name, mode_name(), (long)n, rel_class_name(k),
               (long)(kcom_atomic_load(&rel_created[k]) - created_before[k]),
               (long)(kcom_atomic_load(&rel_destroyed[k]) - destroyed_before[k]));
        if (failures == 0) {
            clean_requests = requests;
            break;
        }
        failing++;
    }
    total_failing_runs += failing;
    ok(clean_requests >= 0, "%s, %s: still failing after %d runs\n", s->name, mode_name(), MAX_RUNS);
    if (mode == REL_FAIL_NTH)
        ok(clean_requests == failing, "%s: the run without a failure made %ld requests after %ld failing runs\n",
           s->name, (long)clean_requests, (long)failing);
    kcom_test_print("  %-52s %-9s %3ld failing runs, %3ld allocations when none fails\n", s->name, mode_name(),
                    (long)failing, (long)clean_requests);
}

static void sweep_all(void)
{
    int i;
    for (i = 0; i < SCENARIO_COUNT; i++) {
        sweep(&scenarios[i], REL_FAIL_NTH);
        sweep(&scenarios[i], REL_FAIL_FROM);
    }
}

int main(int argc, char **argv)
{
    const kcom_test_totals *totals;
    const rel_site *sites;
    LONG site_count, i;
    if (!NT_SUCCESS(kcom_initialize())) {
        printf("kcom_initialize failed\n");
        return 1;
    }
    rel_alloc_init();
    kcom_set_default_allocator(&rel_alloc.allocator);
    manual_init(&manual);
    kcom_set_default_executor(&manual.executor);
    kcom_test_run("alloc_sweep", sweep_all);
    kcom_set_default_executor(NULL);
    kcom_set_default_allocator(NULL);
    site_count = rel_alloc_sites(&sites);
    {
        /* the requests themselves (the instruction calling the allocator), and the call paths */
        LONG instructions = 0, j;
        for (i = 0; i < site_count; i++) {
            for (j = 0; j < i && sites[j].frames[0] != sites[i].frames[0]; j++)
                ;
            instructions += j == i;
        }
        printf("alloc_sweep: %d scenarios, %ld runs (%ld with a refused allocation), %ld allocation sites reached "
               "(call paths %d frames deep) at %ld calls of an allocator\n",
               SCENARIO_COUNT, (long)total_runs, (long)total_failing_runs, (long)site_count, REL_SITE_FRAMES,
               (long)instructions);
    }
    if (argc > 1 && strcmp(argv[1], "--sites") == 0)
        for (i = 0; i < site_count; i++) {
            int f;
            printf("site");
            for (f = 0; f < REL_SITE_FRAMES; f++)
                printf(" 0x%lx", (unsigned long)rel_code_offset(sites[i].frames[f]));
            printf("\n");
        }
    kcom_uninitialize();
    totals = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed, (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
