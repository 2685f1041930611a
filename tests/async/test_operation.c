/*
 * test_operation.c - the rules of an AsyncOperation (kcom/async.h) on operations finished by
 * their producer: status and result per state, bad pointers, the completion callback, cancel,
 * error operations, the static error operation and allocation failures.
 */
#include "async_test_common.h"

#include <string.h>

static const IID IID_ITestNothing = {0x11111111, 0x2222, 0x3333, {0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}};

static kcom_counting_allocator counter;

static IAsyncULONG *new_ulong_op(void)
{
    IKcomAsyncOperation *op = NULL;
    NTSTATUS status = kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG),
                                                  KCOM_ALIGNOF(ULONG), &op);
    ok(status == STATUS_SUCCESS, "create: %s\n", kcom_status_name(status));
    ok(op != NULL, "never NULL\n");
    return IAsyncULONG_from(op);
}

void kcom_test_async_operation_states(void)
{
    IAsyncULONG *op;
    kcom_async_status st = -1;
    ULONG value = 0xdead;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    kcom_counting_allocator_fail_nth(&counter, 0);
    op = new_ulong_op();
    ok(counter.attempts == 1 && kcom_counting_allocator_live(&counter) == 1, "one allocation\n");
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_STARTED, "started: %ld\n", (long)st);
    status = IAsyncULONG_get_result(op, &value);
    ok(status == STATUS_PENDING && value == 0xdead, "started: %s, value %lx\n", kcom_status_name(status),
       (unsigned long)value);
    ok(IAsyncULONG_get_status(op, NULL) == STATUS_INVALID_PARAMETER, "NULL status\n");
    ok(IAsyncULONG_get_result(op, NULL) == STATUS_INVALID_PARAMETER, "NULL result\n");
    ok(kcom_async_operation_complete(IAsyncULONG_generic(op), NULL) == STATUS_INVALID_PARAMETER, "NULL value\n");
    ok(kcom_async_operation_complete(NULL, &value) == STATUS_INVALID_PARAMETER, "NULL operation\n");

    value = 42;
    ok(kcom_async_operation_complete(IAsyncULONG_generic(op), &value) == STATUS_SUCCESS, "complete\n");
    value = 0;
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_COMPLETED, "completed\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 42, "value %lu\n", (unsigned long)value);
    value = 43;
    ok(kcom_async_operation_complete(IAsyncULONG_generic(op), &value) == STATUS_INVALID_DEVICE_STATE,
       "completed twice\n");
    ok(kcom_async_operation_fail(IAsyncULONG_generic(op), STATUS_UNSUCCESSFUL) == STATUS_INVALID_DEVICE_STATE,
       "failed after completion\n");
    ok(IAsyncULONG_cancel(op) == STATUS_INVALID_DEVICE_STATE, "cancel after completion\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 42, "unchanged: %lu\n",
       (unsigned long)value);
    ok(IAsyncULONG_Release(op) == 0, "last reference\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");

    /* Error: the stored status, nothing written; a success status is refused */
    op = new_ulong_op();
    ok(kcom_async_operation_fail(IAsyncULONG_generic(op), STATUS_SUCCESS) == STATUS_INVALID_PARAMETER,
       "fail with success\n");
    ok(kcom_async_operation_fail(IAsyncULONG_generic(op), STATUS_PENDING) == STATUS_INVALID_PARAMETER,
       "fail with STATUS_PENDING\n");
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_STARTED, "still started\n");
    ok(kcom_async_operation_fail(IAsyncULONG_generic(op), STATUS_ACCESS_DENIED) == STATUS_SUCCESS, "fail\n");
    value = 7;
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR, "error\n");
    status = IAsyncULONG_get_result(op, &value);
    ok(status == STATUS_ACCESS_DENIED && value == 7, "error: %s, value %lu\n", kcom_status_name(status),
       (unsigned long)value);
    ok(IAsyncULONG_cancel(op) == STATUS_INVALID_DEVICE_STATE, "cancel after error\n");
    IAsyncULONG_Release(op);

    /* failing with STATUS_CANCELLED is a cancellation */
    op = new_ulong_op();
    ok(kcom_async_operation_fail(IAsyncULONG_generic(op), STATUS_CANCELLED) == STATUS_SUCCESS, "fail canceled\n");
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_CANCELED, "canceled\n");
    IAsyncULONG_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

void kcom_test_async_operation_query_interface(void)
{
    IAsyncULONG *op;
    IKcomAsyncOperation *generic = NULL, *plain;
    IUnknown *unk = NULL;
    void *other = (void *)1;

    kcom_counting_allocator_init(&counter, NULL);
    op = new_ulong_op();
    ok(IAsyncULONG_QueryInterface(op, &IID_IUnknown, (void **)&unk) == STATUS_SUCCESS && (void *)unk == (void *)op,
       "IUnknown\n");
    ok(IAsyncULONG_QueryInterface(op, &IID_IKcomAsyncOperation, (void **)&generic) == STATUS_SUCCESS &&
           (void *)generic == (void *)op, "IKcomAsyncOperation\n");
    ok(IKcomAsyncOperation_QueryInterface(generic, &IID_IAsyncULONG, &other) == STATUS_SUCCESS && other == op,
       "typed\n");
    ok(IAsyncULONG_QueryInterface(op, &IID_ITestNothing, &other) == STATUS_NOINTERFACE && other == NULL,
       "unknown IID\n");
    ok(IAsyncULONG_QueryInterface(op, &IID_IUnknown, NULL) == STATUS_INVALID_PARAMETER, "NULL ppv\n");
    ok(IAsyncULONG_Release(op) == 3, "three references from QueryInterface\n");
    IUnknown_Release(unk);
    IKcomAsyncOperation_Release(generic);
    IAsyncULONG_Release(op);

    /* created without a typed IID: answers only the generic interfaces */
    ok(kcom_async_operation_create(&counter.allocator, NULL, 0, 1, &plain) == STATUS_SUCCESS, "untyped\n");
    ok(IKcomAsyncOperation_QueryInterface(plain, &IID_IAsyncULONG, &other) == STATUS_NOINTERFACE, "no typed\n");
    ok(kcom_async_operation_complete(plain, NULL) == STATUS_SUCCESS, "complete without a value\n");
    ok(IKcomAsyncOperation_get_result(plain, &other) == STATUS_SUCCESS, "no value to copy\n");
    IKcomAsyncOperation_Release(plain);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

KCOM_DECLARE_ASYNC_OPERATION(IAsyncTicks, ULONG64,
    0x2f6c0d83, 0x7b19, 0x4e52, 0xa4, 0x0e, 0x6d, 0x31, 0x8c, 0x25, 0xb7, 0x94)
/* pointer results written with '*' (the producer functions take a pointer to one) */
typedef struct node {
    ULONG id;
} node;
KCOM_DECLARE_ASYNC_OPERATION(IAsyncNode, node *,
    0x2f6c0d84, 0x7b19, 0x4e52, 0xa4, 0x0e, 0x6d, 0x31, 0x8c, 0x25, 0xb7, 0x94)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncName, const char *,
    0x2f6c0d85, 0x7b19, 0x4e52, 0xa4, 0x0e, 0x6d, 0x31, 0x8c, 0x25, 0xb7, 0x94)

/* The typed producer functions: the interface's IID, and its type's size both ways. */
void kcom_test_async_operation_typed_create(void)
{
    IKcomAsyncOperation *op = NULL, *narrow = NULL;
    void *typed = NULL;
    ULONG64 ticks = 0x0123456789abcdefull, read = 0;
    ULONG value = 0x5a5a5a5au;
    union {
        ULONG64 wide;
        ULONG half[2];
    } out;

    kcom_counting_allocator_init(&counter, NULL);
    ok(IAsyncTicks_create(&counter.allocator, &op) == STATUS_SUCCESS && op != NULL, "created\n");
    ok(kcom_counting_allocator_live(&counter) == 1, "from the allocator given\n");
    ok(IKcomAsyncOperation_QueryInterface(op, &IID_IAsyncTicks, &typed) == STATUS_SUCCESS && typed == (void *)op,
       "answers its interface\n");
    IAsyncTicks_Release((IAsyncTicks *)typed);
    ok(IAsyncTicks_complete(op, &ticks) == STATUS_SUCCESS, "completed\n");
    ok(IAsyncTicks_get_result(IAsyncTicks_from(op), &read) == STATUS_SUCCESS && read == ticks,
       "all 8 bytes back: %08lx%08lx\n", (unsigned long)(read >> 32), (unsigned long)read);
    IKcomAsyncOperation_Release(op);

    ok(IAsyncULONG_create(&counter.allocator, &narrow) == STATUS_SUCCESS, "a ULONG one\n");
    ok(IAsyncULONG_complete(narrow, &value) == STATUS_SUCCESS, "completed\n");
    out.half[0] = out.half[1] = 0xeeeeeeeeu;
    ok(IKcomAsyncOperation_get_result(narrow, &out) == STATUS_SUCCESS && out.half[0] == value &&
           out.half[1] == 0xeeeeeeeeu,
       "4 bytes copied, no more\n");
    IKcomAsyncOperation_Release(narrow);

    ok(IAsyncULONG_create(&counter.allocator, NULL) == STATUS_INVALID_PARAMETER, "NULL out pointer\n");

    {
        static node the_node = {7};
        node *node_value = &the_node, *node_read = NULL;
        const char *name = "probe", *name_read = NULL;
        ok(IAsyncNode_create(&counter.allocator, &op) == STATUS_SUCCESS && IAsyncNode_complete(op, &node_value) ==
               STATUS_SUCCESS, "a pointer result\n");
        ok(IAsyncNode_get_result(IAsyncNode_from(op), &node_read) == STATUS_SUCCESS && node_read == &the_node,
           "the pointer back\n");
        IKcomAsyncOperation_Release(op);
        ok(IAsyncName_create(&counter.allocator, &op) == STATUS_SUCCESS && IAsyncName_complete(op, &name) ==
               STATUS_SUCCESS, "a pointer-to-const result\n");
        ok(IAsyncName_get_result(IAsyncName_from(op), &name_read) == STATUS_SUCCESS && name_read == name,
           "that pointer back\n");
        IKcomAsyncOperation_Release(op);
    }
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

void kcom_test_async_operation_callbacks(void)
{
    IAsyncULONG *op;
    callback_record first, second, late;
    ULONG value = 5;

    kcom_counting_allocator_init(&counter, NULL);
    memset(&first, 0, sizeof(first));
    memset(&second, 0, sizeof(second));
    memset(&late, 0, sizeof(late));

    /* set before completion: fires once, at completion, with a reference held */
    op = new_ulong_op();
    ok(IAsyncULONG_set_completed(op, NULL, NULL) == STATUS_INVALID_PARAMETER, "NULL callback\n");
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &first) == STATUS_SUCCESS,
       "set\n");
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &second) ==
           STATUS_ALREADY_REGISTERED, "second set\n");
    ok(first.calls == 0, "not before completion\n");
    ok(kcom_async_operation_complete(IAsyncULONG_generic(op), &value) == STATUS_SUCCESS, "complete\n");
    ok(first.calls == 1 && first.status == KCOM_ASYNC_COMPLETED, "fired once: %ld, status %ld\n",
       (long)first.calls, (long)first.status);
    ok(first.refs_seen >= 3, "a reference held during the callback: AddRef gave %ld\n", (long)first.refs_seen);
    ok(first.mismatches == 0 && (void *)first.operation == (void *)op, "the operation\n");
    ok(second.calls == 0, "the refused callback never fires\n");

    /* set after completion: fires synchronously, once */
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &late) ==
           STATUS_ALREADY_REGISTERED, "still set once\n");
    IAsyncULONG_Release(op);

    op = new_ulong_op();
    ok(kcom_async_operation_complete(IAsyncULONG_generic(op), &value) == STATUS_SUCCESS, "complete\n");
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &late) == STATUS_SUCCESS,
       "late set\n");
    ok(late.calls == 1 && late.status == KCOM_ASYNC_COMPLETED, "fired synchronously: %ld\n", (long)late.calls);
    ok(late.refs_seen >= 3, "a reference held: %ld\n", (long)late.refs_seen);
    IAsyncULONG_Release(op);

    /* the callback releases the last outside reference: the operation lives until it returns */
    memset(&first, 0, sizeof(first));
    first.release_in_callback = 1;
    op = new_ulong_op();
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &first) == STATUS_SUCCESS, "set\n");
    IAsyncULONG_AddRef(op); /* the producer's own, given to the callback to release */
    ok(kcom_async_operation_complete(IAsyncULONG_generic(op), &value) == STATUS_SUCCESS, "complete\n");
    ok(first.calls == 1 && first.mismatches == 0, "fired\n");
    ok(IAsyncULONG_Release(op) == 0, "the callback released one\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

void kcom_test_async_operation_cancel(void)
{
    IAsyncULONG *op;
    callback_record record;
    kcom_async_status st = -1;
    ULONG value = 9;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    memset(&record, 0, sizeof(record));
    op = new_ulong_op();
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &record) == STATUS_SUCCESS, "set\n");
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel from Started\n");
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_CANCELED, "canceled\n");
    status = IAsyncULONG_get_result(op, &value);
    ok(status == STATUS_CANCELLED && value == 9, "result: %s\n", kcom_status_name(status));
    ok(IAsyncULONG_cancel(op) == STATUS_INVALID_DEVICE_STATE, "cancel twice\n");
    ok(record.calls == 1 && record.status == KCOM_ASYNC_CANCELED, "a cancel finishes a source at once: %ld %ld\n",
       (long)record.calls, (long)record.status);
    value = 10;
    status = kcom_async_operation_complete(IAsyncULONG_generic(op), &value);
    ok(status == STATUS_CANCELLED, "late completion dropped: %s\n", kcom_status_name(status));
    status = kcom_async_operation_fail(IAsyncULONG_generic(op), STATUS_UNSUCCESSFUL);
    ok(status == STATUS_CANCELLED, "late failure dropped: %s\n", kcom_status_name(status));
    value = 9;
    ok(IAsyncULONG_get_result(op, &value) == STATUS_CANCELLED && value == 9, "still canceled, nothing written\n");
    ok(record.calls == 1, "once\n");
    IAsyncULONG_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

void kcom_test_async_operation_errors(void)
{
    IKcomAsyncOperation *op = NULL, *stat;
    kcom_async_status st = -1;
    ULONG value = 3;
    callback_record record;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    ok(kcom_async_operation_create_error(&counter.allocator, &IID_IAsyncULONG, STATUS_ACCESS_DENIED, &op) ==
           STATUS_SUCCESS, "error operation\n");
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR, "Error\n");
    ok(IAsyncULONG_get_result(IAsyncULONG_from(op), &value) == STATUS_ACCESS_DENIED && value == 3, "its status\n");
    IKcomAsyncOperation_Release(op);

    /* a success status is no error: refused, and the operation does not claim a value */
    status = kcom_async_operation_create_error(&counter.allocator, &IID_IAsyncULONG, STATUS_SUCCESS, &op);
    ok(status == STATUS_INVALID_PARAMETER, "success refused: %s\n", kcom_status_name(status));
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR, "still an error\n");
    status = IAsyncULONG_get_result(IAsyncULONG_from(op), &value);
    ok(!NT_SUCCESS(status) && value == 3, "never success without a value: %s\n", kcom_status_name(status));
    IKcomAsyncOperation_Release(op);
    ok(kcom_async_operation_create_error(NULL, NULL, STATUS_ACCESS_DENIED, NULL) == STATUS_INVALID_PARAMETER,
       "NULL out\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");

    /* no memory even for the error: the static one */
    kcom_counting_allocator_fail_nth(&counter, 1);
    status = kcom_async_operation_create_error(&counter.allocator, NULL, STATUS_ACCESS_DENIED, &op);
    stat = kcom_async_static_error_operation();
    ok(status == STATUS_INSUFFICIENT_RESOURCES && op == stat, "static: %s\n", kcom_status_name(status));
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR, "Error\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_INSUFFICIENT_RESOURCES && value == 3, "its status\n");
    ok(IKcomAsyncOperation_AddRef(op) == 1 && IKcomAsyncOperation_Release(op) == 1 &&
           IKcomAsyncOperation_Release(op) == 1 && IKcomAsyncOperation_Release(op) == 1, "no-op counting\n");
    ok(IKcomAsyncOperation_cancel(op) == STATUS_INVALID_DEVICE_STATE, "cancel\n");
    memset(&record, 0, sizeof(record));
    ok(IKcomAsyncOperation_set_completed(op, record_callback, &record) == STATUS_SUCCESS && record.calls == 1 &&
           record.status == KCOM_ASYNC_ERROR, "calls back at once\n");
    ok(IKcomAsyncOperation_QueryInterface(op, &IID_IKcomAsyncOperation, (void **)&stat) == STATUS_SUCCESS &&
           stat == op, "QueryInterface\n");
    ok(kcom_async_operation_complete(op, &value) == STATUS_INVALID_DEVICE_STATE, "cannot be completed\n");
    ok(kcom_async_block_on(op, 0) == STATUS_SUCCESS, "finished\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing allocated\n");
}

void kcom_test_async_operation_alloc_failures(void)
{
    IKcomAsyncOperation *op;
    kcom_async_status st;
    ULONG value = 1;
    LONG n;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    /* each allocation in turn: the operation (1), then the error operation (2) */
    for (n = 1; n <= 3; n++) {
        op = NULL;
        kcom_counting_allocator_fail_nth(&counter, n);
        status = kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), 4, &op);
        ok(op != NULL, "n=%ld: never NULL\n", (long)n);
        if (n == 1) {
            ok(status == STATUS_INSUFFICIENT_RESOURCES, "n=1: %s\n", kcom_status_name(status));
            ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR, "error\n");
            ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_INSUFFICIENT_RESOURCES, "its status\n");
        } else {
            ok(status == STATUS_SUCCESS, "n=%ld: %s\n", (long)n, kcom_status_name(status));
        }
        IKcomAsyncOperation_Release(op);
        ok(kcom_counting_allocator_live(&counter) == 0, "n=%ld: nothing live\n", (long)n);
    }
    ok(kcom_async_operation_create(&counter.allocator, NULL, 4, 3, &op) == STATUS_INVALID_PARAMETER &&
           op != NULL, "bad alignment: an error operation\n");
    IKcomAsyncOperation_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing live\n");
}

/* An operation without a task (a completion source, an error operation) is allocated without the
 * task's own fields: a ULONG source fits a 128-byte block, and every field it uses is in it. */
/* A small task: a resume point and a ULONG, the state of a typical async method (whose shim adds
 * a pointer to the object). */
typedef struct small_task_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
    void *object;
} small_task_state;

static kcom_poll_result small_task_poll(void *p, kcom_task_context *cx)
{
    small_task_state *s = (small_task_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->value);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc small_task_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, small_task_state, small_task_poll, NULL);

static NTSTATUS refuse_schedule(void *context, kcom_task *task)
{
    (void)context;
    (void)task;
    return STATUS_INVALID_DEVICE_STATE;
}

void kcom_test_async_operation_size(void)
{
    static const kcom_executor refusing = {refuse_schedule, NULL, NULL};
    IKcomAsyncOperation *op = NULL;
    ULONG value = 0, seven = 7;
    LONG64 bytes;
    void *state = NULL;

    kcom_counting_allocator_init(&counter, NULL);
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), sizeof(ULONG), &op) ==
           STATUS_SUCCESS, "a ULONG completion source\n");
    bytes = counter.live_bytes;
    ok(bytes > 0 && bytes <= 128, "a ULONG completion source takes %ld bytes\n", (long)bytes);
    ok(kcom_async_operation_complete(op, &seven) == STATUS_SUCCESS, "completed\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 7, "its value %lu\n",
       (unsigned long)value);
    ok(IKcomAsyncOperation_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0, "freed\n");
    ok(kcom_async_operation_create_error(&counter.allocator, &IID_IAsyncULONG, STATUS_NOT_FOUND, &op) == STATUS_SUCCESS,
       "an error operation\n");
    ok(counter.live_bytes > 0 && counter.live_bytes <= bytes, "an error operation takes %ld bytes\n",
       (long)counter.live_bytes);
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_NOT_FOUND, "its status\n");
    ok(IKcomAsyncOperation_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0, "freed\n");

    /* an operation running a task with a ULONG result and a 16-byte state: within the operation
     * cache's 128-byte class (on 64-bit targets; smaller on 32-bit ones) */
    ok(kcom_async_spawn_begin(&small_task_desc, &refusing, &counter.allocator, &state, &op) == STATUS_SUCCESS,
       "a task's operation\n");
    ok(counter.live_bytes > 0 && counter.live_bytes <= 128, "a ULONG task with a 16-byte state takes %ld bytes\n",
       (long)counter.live_bytes);
    ok(kcom_async_spawn_abandon(op, STATUS_CANCELLED) == STATUS_SUCCESS, "abandoned\n");
    ok(IKcomAsyncOperation_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* A producer's result of any size and alignment: its value comes back whole, its storage aligned
 * (a value at the storage's first byte and past its end would show), and the block goes back to
 * its allocator with the size and alignment it was allocated with (the counting allocator fails
 * fast otherwise). */
void kcom_test_async_operation_result_layouts(void)
{
    static const struct {
        size_t size, alignment;
    } layouts[] = {{1, 1}, {3, 1}, {4, 1}, {4, 2}, {4, 4}, {4, 32}, {4, 64}, {4, 4096}, {8, 8}, {16, 16}, {24, 64}, {100, 4}, {0, 1}, {0, 64}};
    size_t i, k;

    kcom_counting_allocator_init(&counter, NULL);
    for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        IKcomAsyncOperation *op = NULL;
        unsigned char value[100], result[101];
        NTSTATUS status = kcom_async_operation_create(&counter.allocator, NULL, layouts[i].size, layouts[i].alignment,
                                                      &op);
        ok(status == STATUS_SUCCESS, "%lu bytes aligned to %lu: %s\n", (unsigned long)layouts[i].size,
           (unsigned long)layouts[i].alignment, kcom_status_name(status));
        for (k = 0; k < sizeof(value); k++)
            value[k] = (unsigned char)(0x40 + i + k);
        memset(result, 0xee, sizeof(result));
        ok(IKcomAsyncOperation_get_result(op, result) == STATUS_PENDING, "pending first\n");
        ok(kcom_async_operation_complete(op, layouts[i].size != 0 ? value : NULL) == STATUS_SUCCESS, "completed\n");
        ok(IKcomAsyncOperation_get_result(op, result) == STATUS_SUCCESS, "its result\n");
        ok(memcmp(result, value, layouts[i].size) == 0 && result[layouts[i].size] == 0xee,
           "%lu bytes aligned to %lu: the value, and nothing past it\n", (unsigned long)layouts[i].size,
           (unsigned long)layouts[i].alignment);
        ok(IKcomAsyncOperation_Release(op) == 0, "released\n");
    }
    ok(kcom_counting_allocator_live(&counter) == 0 && counter.live_bytes == 0, "every block back\n");
}

ASYNC_TEST_PROGRAM(KCOM_ASYNC_OPERATION_TESTS)
