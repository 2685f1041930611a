/*
 * Async methods in interface declarations (the ASYNC method kind): the vtable slot returns a typed
 * operation and never NULL; the object stays alive until the work is finished; the work's state is
 * built inside the operation's single allocation and polled once on the caller, so work that is
 * ready completes without scheduling; everything else runs on the default executor. The ASYNC_IN
 * kind does the same in the caller's storage, allocating nothing.
 */
#include "async_test_common.h"

#include <kcom/kcom.h>

#include <string.h>

#define IReader_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncULONG, ReadNow, (ULONG, value))                                     \
    M(I, ASYNC, IAsyncULONG, ReadLater, (IKcomAsyncOperation *, source))                  \
    M(I, ASYNC, IAsyncULONG, ReadFail, (NTSTATUS, status))                                \
    M(I, METHOD, ULONG, Calls, )                                                          \
    M(I, ASYNC_IN, IAsyncULONG, ReadNowIn, (ULONG, value))                                \
    M(I, ASYNC_IN, IAsyncULONG, ReadLaterIn, (IKcomAsyncOperation *, source))            \
    M(I, ASYNC_IN, IAsyncULONG, ReadFailIn, (NTSTATUS, status))

/* What callers of the ASYNC_IN methods provide (every implementation must fit it). */
#define IReader_ReadNowIn_STORAGE 384
#define IReader_ReadLaterIn_STORAGE 384
#define IReader_ReadFailIn_STORAGE 384

KCOM_DECLARE_INTERFACE(IReader, IUnknown,
                       0x6b630a01, 0x7e57, 0x4ca1, 0x9a, 0xa1, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0xa1)

typedef struct Reader {
    IReader IReader_iface;
    ULONG calls;
} Reader;

static LONG readers_destroyed;
static LONG drops;

static void Reader_destroy(Reader *self)
{
    (void)self;
    readers_destroyed++;
}

static ULONG Reader_Calls(Reader *self)
{
    return self->calls;
}

/* ReadNow: ready at the first poll. */
typedef struct Reader_ReadNow_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} Reader_ReadNow_state;

static NTSTATUS Reader_ReadNow(Reader *self, Reader_ReadNow_state *state, ULONG value)
{
    self->calls++;
    state->value = value;
    return STATUS_SUCCESS;
}

static kcom_poll_result Reader_ReadNow_poll(Reader_ReadNow_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->value * 2);
    KCOM_TASK_END(cx);
}

#define Reader_ReadNow_drop NULL

/* ReadLater: waits for another operation (a completion source), honours cancellation. */
typedef struct Reader_ReadLater_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
    int canceled;
} Reader_ReadLater_state;

static NTSTATUS Reader_ReadLater(Reader *self, Reader_ReadLater_state *state, IKcomAsyncOperation *source)
{
    self->calls++;
    source->lpVtbl->AddRef(source);
    kcom_async_await_init(&state->source, source); /* takes that reference */
    return STATUS_SUCCESS;
}

static kcom_poll_result Reader_ReadLater_poll(Reader_ReadLater_state *state, kcom_task_context *cx)
{
    ULONG value = 0;
    NTSTATUS status;
    KCOM_TASK_BEGIN(state);
    KCOM_AWAIT(kcom_task_take_cancellation_request(cx) ? (state->canceled = 1, KCOM_POLL_READY)
                                                       : kcom_async_await_poll(&state->source, cx));
    if (state->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    status = state->source.operation->lpVtbl->get_result(state->source.operation, &value);
    if (!NT_SUCCESS(status))
        KCOM_TASK_RETURN(cx, status);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, value + 1);
    KCOM_TASK_END(cx);
}

static void Reader_ReadLater_drop(Reader_ReadLater_state *state)
{
    drops++;
    kcom_async_await_clear(&state->source);
}

/* ReadFail: the start function refuses. */
typedef struct Reader_ReadFail_state {
    KCOM_TASK_RESUME_POINT;
} Reader_ReadFail_state;

static NTSTATUS Reader_ReadFail(Reader *self, Reader_ReadFail_state *state, NTSTATUS status)
{
    (void)state;
    self->calls++;
    return status;
}

static kcom_poll_result Reader_ReadFail_poll(Reader_ReadFail_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_END(cx);
}

static void Reader_ReadFail_drop(Reader_ReadFail_state *state)
{
    (void)state;
    drops++;
}

/* The ASYNC_IN methods run the same work in the caller's storage. */
#define Reader_ReadNowIn_state Reader_ReadNow_state
#define Reader_ReadNowIn Reader_ReadNow
#define Reader_ReadNowIn_poll Reader_ReadNow_poll
#define Reader_ReadNowIn_drop Reader_ReadNow_drop
#define Reader_ReadLaterIn_state Reader_ReadLater_state
#define Reader_ReadLaterIn Reader_ReadLater
#define Reader_ReadLaterIn_poll Reader_ReadLater_poll
#define Reader_ReadLaterIn_drop Reader_ReadLater_drop
#define Reader_ReadFailIn_state Reader_ReadFail_state
#define Reader_ReadFailIn Reader_ReadFail
#define Reader_ReadFailIn_poll Reader_ReadFail_poll
#define Reader_ReadFailIn_drop Reader_ReadFail_drop

KCOM_IMPLEMENT(Reader, IReader, IReader_iface)
KCOM_CLASS(Reader, Reader_destroy, (IReader, IReader_iface))

static kcom_counting_allocator counter;
static manual_executor manual;

static IReader *new_reader(void)
{
    Reader *reader = NULL;
    ok(KCOM_NEW(Reader, NULL, &reader) == STATUS_SUCCESS && reader != NULL, "KCOM_NEW(Reader)\n");
    return reader != NULL ? &reader->IReader_iface : NULL;
}

/* The defaults before setup, which teardown puts back (the platform's in a host program; in the
 * kernel test driver, its counting allocator). */
static const kcom_allocator *previous_allocator;
static const kcom_executor *previous_executor;

static void setup(void)
{
    previous_allocator = kcom_default_allocator();
    previous_executor = kcom_default_executor();
    kcom_counting_allocator_init(&counter, NULL);
    kcom_set_default_allocator(&counter.allocator);
    manual_init(&manual);
    kcom_set_default_executor(&manual.executor);
    readers_destroyed = 0;
    drops = 0;
}

static void teardown(void)
{
    ok(kcom_counting_allocator_live(&counter) == 0, "%ld blocks left\n", (long)kcom_counting_allocator_live(&counter));
    kcom_set_default_executor(previous_executor);
    kcom_set_default_allocator(previous_allocator);
}

void kcom_test_async_method_ready_at_once(void)
{
    IReader *reader;
    IAsyncULONG *op;
    ULONG value = 0;
    LONG before;
    kcom_async_status status = KCOM_ASYNC_STARTED;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    before = counter.attempts;
    op = IReader_ReadNow(reader, 21);
    ok(op != NULL, "an operation\n");
    ok(counter.attempts - before == 1, "%ld allocations for a call that completes at once\n",
       (long)(counter.attempts - before));
    ok(IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED, "status %ld\n",
       (long)status);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 42, "value %lu\n", (unsigned long)value);
    ok(manual.scheduled == 0, "scheduled %ld times\n", (long)manual.scheduled);
    ok(IReader_Calls(reader) == 1, "the start function ran\n");
    ok(kcom_object_refcount(KCOM_IMPL_FROM(Reader, IReader_iface, reader)) == 1,
       "the object's reference was returned with the work\n");
    ok(IAsyncULONG_Release(op) == 0, "the caller held the only reference\n");
    ok(IReader_Release(reader) == 0 && readers_destroyed == 1, "reader destroyed once\n");
    teardown();
}

void kcom_test_async_method_object_outlives_caller(void)
{
    IReader *reader;
    IAsyncULONG *op;
    IKcomAsyncOperation *source = NULL;
    callback_record record = {0};
    ULONG value = 0, nine = 9;
    kcom_async_status status = KCOM_ASYNC_COMPLETED;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    ok(kcom_async_operation_create(NULL, NULL, sizeof(ULONG), sizeof(ULONG), &source) == STATUS_SUCCESS, "source\n");
    op = IReader_ReadLater(reader, source);
    ok(IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_STARTED, "started\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_PENDING, "pending\n");
    ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(op), record_callback, &record) == STATUS_SUCCESS,
       "callback set\n");
    ok(manual.scheduled == 0, "waiting, not scheduled\n");
    /* the caller lets go of the object while its work runs */
    ok(IReader_Release(reader) == 1, "the work holds the object\n");
    ok(readers_destroyed == 0, "destroyed while its work runs\n");
    ok(kcom_async_operation_complete(source, &nine) == STATUS_SUCCESS, "source completed\n");
    ok(manual.scheduled == 1, "woken onto the executor: %ld\n", (long)manual.scheduled);
    ok(manual_run(&manual) == 1, "one poll\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 10, "value %lu\n", (unsigned long)value);
    ok(record.calls == 1 && record.status == KCOM_ASYNC_COMPLETED, "callback %ld\n", (long)record.calls);
    ok(drops == 1, "the task's cleanup ran once\n");
    ok(readers_destroyed == 1, "the object went with its work\n");
    ok(IAsyncULONG_Release(op) == 0, "operation released\n");
    source->lpVtbl->Release(source);
    teardown();
}

void kcom_test_async_method_canceled(void)
{
    IReader *reader;
    IAsyncULONG *op;
    IKcomAsyncOperation *source = NULL;
    ULONG value = 0;
    kcom_async_status status = KCOM_ASYNC_STARTED;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    ok(kcom_async_operation_create(NULL, NULL, sizeof(ULONG), sizeof(ULONG), &source) == STATUS_SUCCESS, "source\n");
    op = IReader_ReadLater(reader, source);
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_CANCELED, "canceled\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_CANCELLED && value == 0, "STATUS_CANCELLED, nothing written\n");
    manual_run(&manual);
    ok(drops == 1, "the task saw the request and ended: %ld\n", (long)drops);
    ok(kcom_object_refcount(KCOM_IMPL_FROM(Reader, IReader_iface, reader)) == 1, "object reference returned\n");
    IAsyncULONG_Release(op);
    IReader_Release(reader);
    ok(readers_destroyed == 1, "destroyed\n");
    ok(kcom_async_operation_fail(source, STATUS_UNSUCCESSFUL) == STATUS_SUCCESS, "source ended\n");
    source->lpVtbl->Release(source);
    teardown();
}

void kcom_test_async_method_setup_failures(void)
{
    IReader *reader;
    IAsyncULONG *op;
    ULONG value = 7;
    kcom_async_status status = KCOM_ASYNC_STARTED;
    LONG n;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;

    /* the start function fails: an operation already in Error with its status */
    op = IReader_ReadFail(reader, STATUS_NOT_FOUND);
    ok(op != NULL && IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_ERROR,
       "start failure: status %ld\n", (long)status);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_NOT_FOUND && value == 7, "its status, nothing written\n");
    ok(drops == 1, "cleanup ran over the refused state\n");
    ok(kcom_object_refcount(KCOM_IMPL_FROM(Reader, IReader_iface, reader)) == 1, "object reference returned\n");
    IAsyncULONG_Release(op);

    /* each allocation of the call fails in turn: an error operation, nothing left behind */
    for (n = 1;; n++) {
        LONG live_before = kcom_counting_allocator_live(&counter);
        kcom_counting_allocator_fail_nth(&counter, n);
        op = IReader_ReadNow(reader, 1);
        ok(op != NULL, "never NULL\n");
        if (counter.failures == 0) {
            ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 2, "succeeds past the last allocation\n");
            IAsyncULONG_Release(op);
            break;
        }
        ok(IAsyncULONG_get_result(op, &value) == STATUS_INSUFFICIENT_RESOURCES,
           "allocation %ld failed: STATUS_INSUFFICIENT_RESOURCES\n", (long)n);
        IAsyncULONG_Release(op);
        ok(kcom_counting_allocator_live(&counter) == live_before, "allocation %ld failed: leak\n", (long)n);
        ok(kcom_object_refcount(KCOM_IMPL_FROM(Reader, IReader_iface, reader)) == 1, "object count kept\n");
    }
    kcom_counting_allocator_fail_nth(&counter, 0);
    ok(n == 2, "one allocation per call (%ld tried)\n", (long)n);

    ok(IReader_Release(reader) == 0 && readers_destroyed == 1, "destroyed once\n");
    teardown();
}

/* An allocator that refuses everything. */
static void *refuse_allocate(void *context, size_t size, size_t alignment)
{
    (void)context;
    (void)size;
    (void)alignment;
    return NULL;
}

static void refuse_free(void *context, void *block, size_t size, size_t alignment)
{
    (void)context;
    (void)block;
    (void)size;
    (void)alignment;
}

void kcom_test_async_method_out_of_memory(void)
{
    static const kcom_allocator refusing = {refuse_allocate, refuse_free, NULL};
    IReader *reader;
    IAsyncULONG *op;
    ULONG value = 3;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    kcom_set_default_allocator(&refusing);
    op = IReader_ReadNow(reader, 1);
    kcom_set_default_allocator(&counter.allocator);
    ok((void *)op == (void *)kcom_async_static_error_operation(), "the static error operation: %p\n", (void *)op);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_INSUFFICIENT_RESOURCES && value == 3, "its status\n");
    IAsyncULONG_Release(op);
    ok(kcom_object_refcount(KCOM_IMPL_FROM(Reader, IReader_iface, reader)) == 1, "object count kept\n");
    ok(IReader_Release(reader) == 0, "released\n");
    teardown();
}

void kcom_test_async_method_no_executor(void)
{
    IReader *reader;
    IAsyncULONG *op;
    IKcomAsyncOperation *source = NULL;
    ULONG value = 0, one = 1;

    setup();
    kcom_set_default_executor(NULL);
    reader = new_reader();
    if (reader == NULL)
        return;
    /* ready work needs no executor */
    op = IReader_ReadNow(reader, 5);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 10, "ready work without an executor\n");
    IAsyncULONG_Release(op);
    /* waiting work fails when it is woken and finds none */
    ok(kcom_async_operation_create(NULL, NULL, sizeof(ULONG), sizeof(ULONG), &source) == STATUS_SUCCESS, "source\n");
    op = IReader_ReadLater(reader, source);
    ok(kcom_async_operation_complete(source, &one) == STATUS_SUCCESS, "source completed\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_INVALID_DEVICE_STATE, "no executor: %s\n",
       kcom_status_name(IAsyncULONG_get_result(op, &value)));
    ok(drops == 1, "cleanup ran\n");
    IAsyncULONG_Release(op);
    source->lpVtbl->Release(source);
    ok(IReader_Release(reader) == 0, "object released with the work\n");
    teardown();
}

/* A task that succeeds without writing its value: the operation's result starts zero-filled, also
 * in caller storage that held something else before. */
typedef struct silent_state {
    KCOM_TASK_RESUME_POINT;
} silent_state;

static kcom_poll_result silent_poll(void *p, kcom_task_context *cx)
{
    silent_state *state = (silent_state *)p;
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc silent_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, silent_state, silent_poll, NULL);

void kcom_test_async_method_result_starts_zeroed(void)
{
    static void *storage[KCOM_ASYNC_STORAGE_SIZE(sizeof(ULONG), sizeof(silent_state)) / sizeof(void *) + 1];
    IKcomAsyncOperation *op = NULL;
    void *state = NULL;
    ULONG value = 5;

    setup();
    memset(storage, 0xA5, sizeof(storage));
    ok(kcom_async_spawn_begin_in(&silent_desc, kcom_default_executor(), storage, sizeof(storage), &state, &op) ==
           STATUS_SUCCESS,
       "begun in caller storage\n");
    ok(kcom_async_spawn_run(op) == STATUS_SUCCESS, "run\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 0, "value %lx\n", (unsigned long)value);
    ok(manual.scheduled == 0 && counter.attempts == 0, "no scheduling, no allocation\n");
    IKcomAsyncOperation_Release(op);
    ok(!kcom_async_storage_in_use(storage), "storage free again\n");
    teardown();
}

ASYNC_TEST_PROGRAM(KCOM_ASYNC_METHOD_TESTS)

/* ---- ASYNC_IN: the operation in the caller's storage ----------------------------------------------------- */

static BOOLEAN inside(const void *p, const void *storage, size_t size)
{
    return (const char *)p >= (const char *)storage && (const char *)p < (const char *)storage + size;
}

void kcom_test_async_method_in_caller_storage(void)
{
    IReader_ReadNowIn_storage storage;
    IReader *reader;
    IAsyncULONG *op;
    ULONG value = 0;
    LONG before;
    kcom_async_status status = KCOM_ASYNC_STARTED;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    memset(&storage, 0, sizeof(storage));
    ok(sizeof(storage) == IReader_ReadNowIn_STORAGE, "the storage type holds %lu bytes\n", (unsigned long)sizeof(storage));
    before = counter.attempts;
    op = IReader_ReadNowIn(reader, 21, &storage, sizeof(storage));
    ok(counter.attempts == before, "%ld allocations\n", (long)(counter.attempts - before));
    ok(inside(op, &storage, sizeof(storage)), "the operation is in the storage\n");
    ok(kcom_async_storage_in_use(&storage), "in use while referenced\n");
    ok(IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED, "status %ld\n",
       (long)status);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 42, "value %lu\n", (unsigned long)value);
    ok(manual.scheduled == 0 && IReader_Calls(reader) == 1, "ran on the caller, once\n");
    ok(IAsyncULONG_AddRef(op) == 2 && IAsyncULONG_Release(op) == 1, "reference counted\n");
    ok(IAsyncULONG_Release(op) == 0, "the caller held the only reference\n");
    ok(!kcom_async_storage_in_use(&storage), "free again after the final Release\n");
    /* the same storage, used again */
    op = IReader_ReadNowIn(reader, 5, &storage, sizeof(storage));
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 10, "reused: value %lu\n", (unsigned long)value);
    ok(IAsyncULONG_Release(op) == 0 && !kcom_async_storage_in_use(&storage), "reused and freed\n");
    ok(counter.attempts == before, "nothing allocated\n");
    ok(IReader_Release(reader) == 0 && readers_destroyed == 1, "reader destroyed once\n");
    teardown();
}

/* An operation whose work ended at its first poll is still one of kcom's own to everything that
 * looks at it (its Release is a shorter one of its own): QueryInterface, the producer's and the
 * spawn functions (it is neither), block_on, and a task awaiting it, which finds it finished. It
 * holds status and, Completed, value; then it is released to 0. */
static void check_finished(IReader *reader, IAsyncULONG *op, kcom_async_status status, ULONG value, NTSTATUS error,
                           const char *what)
{
    IKcomAsyncOperation *generic = IAsyncULONG_generic(op);
    IReader_ReadLaterIn_storage storage;
    void *out = NULL;
    ULONG read = 0, before = value + 1;
    kcom_async_status state = KCOM_ASYNC_STARTED;
    IAsyncULONG *later;

    ok(IAsyncULONG_get_status(op, &state) == STATUS_SUCCESS && state == status, "%s: status %ld\n", what, (long)state);
    ok(IAsyncULONG_get_result(op, &read) == error && (error != STATUS_SUCCESS || read == value),
       "%s: result %lu\n", what, (unsigned long)read);
    ok(IAsyncULONG_QueryInterface(op, &IID_IKcomAsyncOperation, &out) == STATUS_SUCCESS && out == (void *)op,
       "%s: QueryInterface(IKcomAsyncOperation)\n", what);
    ok(IAsyncULONG_QueryInterface(op, &IID_IAsyncULONG, &out) == STATUS_SUCCESS && out == (void *)op,
       "%s: QueryInterface(IAsyncULONG)\n", what);
    ok(IAsyncULONG_Release(op) == 2 && IAsyncULONG_Release(op) == 1, "%s: the two references back\n", what);
    ok(kcom_async_operation_complete(generic, &before) == STATUS_INVALID_DEVICE_STATE &&
           kcom_async_operation_fail(generic, STATUS_UNSUCCESSFUL) == STATUS_INVALID_DEVICE_STATE,
       "%s: not a producer's\n", what);
    ok(kcom_async_spawn_run(generic) == STATUS_INVALID_DEVICE_STATE &&
           kcom_async_spawn_commit(generic) == STATUS_INVALID_DEVICE_STATE &&
           kcom_async_spawn_abandon(generic, STATUS_CANCELLED) == STATUS_INVALID_DEVICE_STATE,
       "%s: not a begun task\n", what);
    ok(kcom_async_block_on(generic, 0) == STATUS_SUCCESS, "%s: block_on returns at once\n", what);
    /* awaited in caller storage: finished at the awaiting task's first poll, on the caller */
    later = IReader_ReadLaterIn(reader, generic, &storage, sizeof(storage));
    read = 0;
    ok(IAsyncULONG_get_result(later, &read) == error && (error != STATUS_SUCCESS || read == value + 1),
       "%s: awaited: result %lu\n", what, (unsigned long)read);
    ok(manual.scheduled == 0, "%s: nothing scheduled\n", what);
    ok(IAsyncULONG_Release(later) == 0 && !kcom_async_storage_in_use(&storage), "%s: the awaiting task is gone\n",
       what);
    ok(IAsyncULONG_AddRef(op) == 2 && IAsyncULONG_Release(op) == 1, "%s: the await gave its reference back\n", what);
    ok(IAsyncULONG_Release(op) == 0, "%s: final Release\n", what);
}

void kcom_test_async_method_finished_is_kcoms(void)
{
    IReader_ReadNowIn_storage now_storage;
    IReader_ReadFailIn_storage fail_storage;
    IReader *reader;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    check_finished(reader, IReader_ReadNow(reader, 21), KCOM_ASYNC_COMPLETED, 42, STATUS_SUCCESS, "allocated");
    check_finished(reader, IReader_ReadFail(reader, STATUS_ACCESS_DENIED), KCOM_ASYNC_ERROR, 0, STATUS_ACCESS_DENIED,
                   "allocated, failed");
    check_finished(reader, IReader_ReadNowIn(reader, 5, &now_storage, sizeof(now_storage)), KCOM_ASYNC_COMPLETED,
                   10, STATUS_SUCCESS, "in caller storage");
    ok(!kcom_async_storage_in_use(&now_storage), "the storage is free again\n");
    check_finished(reader, IReader_ReadFailIn(reader, STATUS_IO_TIMEOUT, &fail_storage, sizeof(fail_storage)),
                   KCOM_ASYNC_ERROR, 0, STATUS_IO_TIMEOUT, "in caller storage, failed");
    ok(!kcom_async_storage_in_use(&fail_storage), "the storage is free again\n");
    ok(drops == 6, "every state dropped once (two failed starts, four awaits): %ld\n", (long)drops);
    ok(IReader_Release(reader) == 0 && readers_destroyed == 1, "reader destroyed once\n");
    teardown();
}

void kcom_test_async_method_in_caller_storage_pending(void)
{
    IReader_ReadLaterIn_storage storage;
    IReader *reader;
    IAsyncULONG *op;
    IKcomAsyncOperation *source = NULL;
    callback_record record = {0};
    ULONG value = 0, nine = 9;
    LONG before;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    memset(&storage, 0, sizeof(storage));
    ok(kcom_async_operation_create(NULL, NULL, sizeof(ULONG), sizeof(ULONG), &source) == STATUS_SUCCESS, "source\n");
    before = counter.attempts;
    op = IReader_ReadLaterIn(reader, source, &storage, sizeof(storage));
    ok(counter.attempts == before, "%ld allocations\n", (long)(counter.attempts - before));
    ok(IAsyncULONG_get_result(op, &value) == STATUS_PENDING, "pending\n");
    ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(op), record_callback, &record) == STATUS_SUCCESS,
       "callback set\n");
    ok(IReader_Release(reader) == 1 && readers_destroyed == 0, "the pending work holds the object\n");
    ok(kcom_async_operation_complete(source, &nine) == STATUS_SUCCESS, "source completed\n");
    ok(manual_run(&manual) == 1, "one poll on the executor\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 10, "value %lu\n", (unsigned long)value);
    ok(record.calls == 1 && record.status == KCOM_ASYNC_COMPLETED, "callback %ld\n", (long)record.calls);
    ok(drops == 1 && readers_destroyed == 1, "the drop ran and the object went with the work\n");
    ok(kcom_async_storage_in_use(&storage), "in use until the final Release\n");
    ok(IAsyncULONG_Release(op) == 0 && !kcom_async_storage_in_use(&storage), "free after the final Release\n");
    ok(counter.attempts == before, "nothing allocated\n");
    source->lpVtbl->Release(source);
    teardown();
}

/* Storage the shim refuses: an error operation with the status, the start function never run. */
static void check_refused(IReader *reader, void *storage, size_t size, NTSTATUS expected, const char *what)
{
    ULONG value = 7;
    ULONG calls = IReader_Calls(reader);
    IAsyncULONG *op = IReader_ReadNowIn(reader, 1, storage, size);
    kcom_async_status status = KCOM_ASYNC_STARTED;
    ok(op != NULL, "%s: an operation\n", what);
    if (op == NULL)
        return;
    ok(IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_ERROR, "%s: status %ld\n", what,
       (long)status);
    ok(IAsyncULONG_get_result(op, &value) == expected, "%s: the operation's status\n", what);
    ok(IReader_Calls(reader) == calls, "%s: the start function did not run\n", what);
    IAsyncULONG_Release(op);
}

void kcom_test_async_method_in_bad_storage(void)
{
    IReader_ReadNowIn_storage storage;
    IReader *reader;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    memset(&storage, 0, sizeof(storage));
    check_refused(reader, NULL, sizeof(storage), STATUS_INVALID_PARAMETER, "NULL storage");
    check_refused(reader, &storage, 64, STATUS_BUFFER_TOO_SMALL, "64 bytes");
    check_refused(reader, &storage, 0, STATUS_BUFFER_TOO_SMALL, "no bytes");
    ok(!kcom_async_storage_in_use(&storage), "the storage was not touched\n");
    ok(IReader_Release(reader) == 0, "released\n");
    teardown();
}

/* Storage of any alignment takes the operation at its first 16-byte boundary: the 16 bytes the
 * interface's size keeps spare allow for it. */
void kcom_test_async_method_in_any_alignment(void)
{
    static union {
        IReader_ReadNowIn_storage aligned;
        unsigned char bytes[sizeof(IReader_ReadNowIn_storage) + 16];
    } storage;
    IReader *reader;
    size_t offset;

    setup();
    reader = new_reader();
    if (reader == NULL)
        return;
    for (offset = 0; offset < 16; offset++) {
        ULONG value = 0;
        IAsyncULONG *op = IReader_ReadNowIn(reader, (ULONG)offset, storage.bytes + offset,
                                            sizeof(IReader_ReadNowIn_storage));
        kcom_async_status status = KCOM_ASYNC_ERROR;
        ok(op != NULL && IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED,
           "offset %lu: status %ld\n", (unsigned long)offset, (long)status);
        if (op == NULL)
            continue;
        ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == (ULONG)offset * 2u,
           "offset %lu: value %lu\n", (unsigned long)offset, (unsigned long)value);
        ok((unsigned char *)op >= storage.bytes + offset && ((ULONG_PTR)op % 16) == 0 &&
               kcom_async_storage_in_use(storage.bytes + offset),
           "offset %lu: the operation at %p, in the storage\n", (unsigned long)offset, (void *)op);
        ok(IAsyncULONG_Release(op) == 0 && !kcom_async_storage_in_use(storage.bytes + offset),
           "offset %lu: released, the storage free\n", (unsigned long)offset);
    }
    ok(IReader_Release(reader) == 0, "released\n");
    teardown();
}

/* ---- KCOM_ASYNC_SELF: the object from the state, without a copy of its own ---------------------------
 * Three state shapes put the object's pointer at three places: right after a state of a pointer's
 * size multiple, after padding (a 12-byte state), after a state of a larger alignment. Each method
 * checks KCOM_ASYNC_SELF in its start function, at every poll and in its drop; Tiny and Odd finish
 * at once or wait for a source, Wide in caller storage. */
#define ISelfish_METHODS(M, I)                                                            \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncULONG, Tiny, (IKcomAsyncOperation *, source))                        \
    M(I, ASYNC, IAsyncULONG, Odd, (IKcomAsyncOperation *, source))                         \
    M(I, ASYNC_IN, IAsyncULONG, Wide, (IKcomAsyncOperation *, source))

#define ISelfish_Wide_STORAGE 384

KCOM_DECLARE_INTERFACE(ISelfish, IUnknown,
                       0x6b630a02, 0x7e57, 0x4ca1, 0x9a, 0xa1, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0xa2)

typedef struct Selfish {
    ULONG before; /* the interface is not at the start of the object */
    ISelfish ISelfish_iface;
    LONG seen;    /* each start, poll and drop that found its object */
    LONG wrong;   /* and each that did not */
} Selfish;

static void selfish_saw(Selfish *expected, Selfish *self)
{
    if (self == expected)
        self->seen++;
    else
        expected->wrong++;
}

typedef struct Selfish_Tiny_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source; /* pointer-sized multiple: the object right after it */
} Selfish_Tiny_state;

typedef struct Selfish_Odd_state {
    KCOM_TASK_RESUME_POINT;
    ULONG values[2];      /* 12 bytes of 4-byte alignment */
} Selfish_Odd_state;

typedef struct Selfish_Wide_state {
    KCOM_TASK_RESUME_POINT;
    ULONG64 wide;         /* 8-byte alignment */
    IKcomAsyncOperation *source;
} Selfish_Wide_state;

static Selfish *selfish_expected;

static NTSTATUS Selfish_Tiny(Selfish *self, Selfish_Tiny_state *state, IKcomAsyncOperation *source)
{
    selfish_saw(self, KCOM_ASYNC_SELF(Selfish, state));
    if (source != NULL)
        source->lpVtbl->AddRef(source);
    kcom_async_await_init(&state->source, source);
    return STATUS_SUCCESS;
}

static kcom_poll_result Selfish_Tiny_poll(Selfish_Tiny_state *state, kcom_task_context *cx)
{
    selfish_saw(selfish_expected, KCOM_ASYNC_SELF(Selfish, state));
    KCOM_TASK_BEGIN(state);
    KCOM_AWAIT(kcom_async_await_poll(&state->source, cx));
    KCOM_TASK_RETURN_VALUE(cx, ULONG, (ULONG)KCOM_ASYNC_SELF(Selfish, state)->seen);
    KCOM_TASK_END(cx);
}

static void Selfish_Tiny_drop(Selfish_Tiny_state *state)
{
    selfish_saw(selfish_expected, KCOM_ASYNC_SELF(Selfish, state));
    kcom_async_await_clear(&state->source);
}

static NTSTATUS Selfish_Odd(Selfish *self, Selfish_Odd_state *state, IKcomAsyncOperation *source)
{
    selfish_saw(self, KCOM_ASYNC_SELF(Selfish, state));
    state->values[0] = 1;
    state->values[1] = source != NULL ? 1u : 0u; /* 1: wait for one more poll */
    return STATUS_SUCCESS;
}

static kcom_poll_result Selfish_Odd_poll(Selfish_Odd_state *state, kcom_task_context *cx)
{
    selfish_saw(selfish_expected, KCOM_ASYNC_SELF(Selfish, state));
    KCOM_TASK_BEGIN(state);
    if (state->values[1] != 0) {
        state->values[1] = 0;
        KCOM_YIELD(cx);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->values[0]);
    KCOM_TASK_END(cx);
}

static void Selfish_Odd_drop(Selfish_Odd_state *state)
{
    selfish_saw(selfish_expected, KCOM_ASYNC_SELF(Selfish, state));
}

static NTSTATUS Selfish_Wide(Selfish *self, Selfish_Wide_state *state, IKcomAsyncOperation *source)
{
    selfish_saw(self, KCOM_ASYNC_SELF(Selfish, state));
    state->wide = 0x0123456789abcdefULL;
    state->source = source;
    return STATUS_SUCCESS;
}

static kcom_poll_result Selfish_Wide_poll(Selfish_Wide_state *state, kcom_task_context *cx)
{
    selfish_saw(selfish_expected, KCOM_ASYNC_SELF(Selfish, state));
    KCOM_TASK_BEGIN(state);
    if (state->source != NULL) {
        state->source = NULL;
        KCOM_YIELD(cx);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->wide == 0x0123456789abcdefULL ? 5u : 0u);
    KCOM_TASK_END(cx);
}

#define Selfish_Wide_drop NULL

KCOM_IMPLEMENT(Selfish, ISelfish, ISelfish_iface)
KCOM_CLASS(Selfish, NULL, (ISelfish, ISelfish_iface))

void kcom_test_async_method_self(void)
{
    Selfish *impl = NULL;
    ISelfish *selfish;
    IKcomAsyncOperation *source = NULL;
    IAsyncULONG *op;
    ULONG value = 0, nine = 9;
    ISelfish_Wide_storage storage;

    setup();
    ok(KCOM_NEW(Selfish, NULL, &impl) == STATUS_SUCCESS && impl != NULL, "KCOM_NEW(Selfish)\n");
    if (impl == NULL)
        return;
    selfish = &impl->ISelfish_iface;
    selfish_expected = impl;

    /* ready at once: start, one poll, drop (the object's count untouched) */
    op = ISelfish_Tiny(selfish, NULL);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 2, "Tiny ready: %lu\n", (unsigned long)value);
    ok(impl->seen == 3 && impl->wrong == 0, "Tiny ready: seen %ld, wrong %ld\n", (long)impl->seen, (long)impl->wrong);
    ok(kcom_object_refcount(impl) == 1, "no reference kept: %ld\n", (long)kcom_object_refcount(impl));
    IAsyncULONG_Release(op);

    /* pending on a source: the start, two polls (one on the executor) and the drop */
    impl->seen = 0;
    ok(kcom_async_operation_create(NULL, NULL, sizeof(ULONG), sizeof(ULONG), &source) == STATUS_SUCCESS, "source\n");
    op = ISelfish_Tiny(selfish, source);
    ok(kcom_object_refcount(impl) == 2, "the pending work's reference: %ld\n", (long)kcom_object_refcount(impl));
    ok(kcom_async_operation_complete(source, &nine) == STATUS_SUCCESS, "source completed\n");
    ok(manual_run(&manual) == 1, "one poll\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 3, "Tiny later: %lu\n", (unsigned long)value);
    ok(impl->seen == 4 && impl->wrong == 0, "Tiny later: seen %ld, wrong %ld\n", (long)impl->seen, (long)impl->wrong);
    ok(kcom_object_refcount(impl) == 1, "its reference returned: %ld\n", (long)kcom_object_refcount(impl));
    IAsyncULONG_Release(op);

    /* a 12-byte state: the pointer after 4 bytes of padding */
    impl->seen = 0;
    op = ISelfish_Odd(selfish, source);
    ok(manual_run(&manual) == 1, "one more poll\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 1, "Odd: %lu\n", (unsigned long)value);
    ok(impl->seen == 4 && impl->wrong == 0, "Odd: seen %ld, wrong %ld\n", (long)impl->seen, (long)impl->wrong);
    IAsyncULONG_Release(op);

    /* caller storage, a state of 8-byte alignment */
    impl->seen = 0;
    op = ISelfish_Wide(selfish, source, &storage, sizeof(storage));
    ok(manual_run(&manual) == 1, "one more poll\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 5, "Wide: %lu\n", (unsigned long)value);
    ok(impl->seen == 3 && impl->wrong == 0, "Wide: seen %ld, wrong %ld\n", (long)impl->seen, (long)impl->wrong);
    IAsyncULONG_Release(op);

    ok(kcom_object_refcount(impl) == 1, "every reference returned: %ld\n", (long)kcom_object_refcount(impl));
    source->lpVtbl->Release(source);
    ok(ISelfish_Release(selfish) == 0, "released\n");
    teardown();
}
