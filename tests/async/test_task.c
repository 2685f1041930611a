/*
 * test_task.c - tasks on a hand-run executor: the protothread macros, the scheduling state
 * machine, cancellation, the one allocation (none with caller storage), awaiting another operation,
 * executor refusal, unfinished tasks and allocation failures.
 */
#include "async_test_common.h"

#include <string.h>

static kcom_counting_allocator counter;
static manual_executor manual;

/* ---- a task: yields, awaits a source operation, returns a sum -------------------------------------------- */

typedef struct sum_state {
    KCOM_TASK_RESUME_POINT;
    ULONG polls;
    ULONG yields;
    ULONG base;
    BOOLEAN cancel_seen;
    LONG *drops;
    kcom_async_await source;
} sum_state;

static void sum_drop(void *p)
{
    sum_state *s = (sum_state *)p;
    kcom_async_await_clear(&s->source);
    if (s->drops != NULL)
        (*s->drops)++;
}

static kcom_poll_result sum_poll(void *p, kcom_task_context *cx)
{
    sum_state *s = (sum_state *)p;
    ULONG value = 0;
    s->polls++;
    KCOM_TASK_BEGIN(s);
    if (kcom_task_take_cancellation_request(cx)) {
        s->cancel_seen = TRUE;
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    }
    while (s->yields < 3) {
        s->yields++;
        KCOM_YIELD(cx);
    }
    KCOM_AWAIT_CANCELABLE(cx, s->cancel_seen, kcom_async_await_poll(&s->source, cx));
    if (s->cancel_seen)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    if (s->source.operation != NULL &&
        !NT_SUCCESS(IKcomAsyncOperation_get_result(s->source.operation, &value)))
        KCOM_TASK_RETURN(cx, STATUS_UNSUCCESSFUL);
    kcom_async_await_clear(&s->source);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->base + value);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc sum_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, sum_state, sum_poll, sum_drop);

static IAsyncULONG *spawn_sum(IKcomAsyncOperation *source, ULONG base, LONG *drops)
{
    IKcomAsyncOperation *op = NULL;
    sum_state *s = NULL;
    NTSTATUS status = kcom_async_spawn_begin(&sum_desc, &manual.executor, &counter.allocator, (void **)&s, &op);
    ok(status == STATUS_SUCCESS && s != NULL && op != NULL, "spawn: %s\n", kcom_status_name(status));
    if (s != NULL) {
        ok(s->kcom_resume_point == 0 && s->polls == 0, "zero-filled state\n");
        s->base = base;
        s->drops = drops;
        kcom_async_await_init(&s->source, source);
    }
    return IAsyncULONG_from(op);
}

void kcom_test_async_task_runs(void)
{
    IKcomAsyncOperation *source;
    IAsyncULONG *op;
    callback_record record;
    kcom_async_status st = -1;
    ULONG value = 0, five = 5;
    LONG drops = 0;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    memset(&record, 0, sizeof(record));
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), 4, &source) ==
           STATUS_SUCCESS, "source\n");
    IKcomAsyncOperation_AddRef(source); /* ours; the task's await takes over the creation's */
    op = spawn_sum(source, 100, &drops);
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &record) == STATUS_SUCCESS, "set\n");
    ok(manual.scheduled == 0, "not scheduled before commit\n");
    ok(kcom_async_spawn_commit(IAsyncULONG_generic(op)) == STATUS_SUCCESS, "commit\n");
    ok(kcom_async_spawn_commit(IAsyncULONG_generic(op)) == STATUS_INVALID_DEVICE_STATE, "commit twice\n");
    ok(manual.scheduled == 1 && manual_queued(&manual) == 1, "queued once\n");
    /* three yields: each poll queues the task again; then it waits on the source */
    ok(manual_run(&manual) == 4, "four polls to reach the await\n");
    ok(manual_queued(&manual) == 0, "waiting, not queued\n");
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_STARTED, "started\n");
    ok(kcom_async_operation_complete(source, &five) == STATUS_SUCCESS, "source completed\n");
    ok(manual_queued(&manual) == 1, "the completion woke the task\n");
    ok(manual_run(&manual) == 1, "one more poll\n");
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_COMPLETED, "completed\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 105, "value %lu\n", (unsigned long)value);
    ok(record.calls == 1 && record.status == KCOM_ASYNC_COMPLETED, "callback once\n");
    ok(drops == 1, "drop ran once at the end: %ld\n", (long)drops);
    IKcomAsyncOperation_Release(source);
    ok(IAsyncULONG_Release(op) == 0, "last reference\n");
    ok(drops == 1, "not again at destruction\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- the cost: one allocation, or none with caller storage --------------------------------------------- */

typedef struct now_state {
    KCOM_TASK_RESUME_POINT;
    ULONG input;
} now_state;

static kcom_poll_result now_poll(void *p, kcom_task_context *cx)
{
    now_state *s = (now_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->input * 2);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc now_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, now_state, now_poll, NULL);

void kcom_test_async_task_allocations(void)
{
    static unsigned char storage[KCOM_ASYNC_STORAGE_SIZE(sizeof(ULONG), sizeof(now_state))]
        __attribute__((aligned(16)));
    const kcom_allocator *previous;
    IKcomAsyncOperation *op = NULL;
    now_state *s;
    ULONG value = 0;
    LONG n;
    LONG attempts;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    ok(kcom_async_spawn_begin(&now_desc, &manual.executor, &counter.allocator, (void **)&s, &op) == STATUS_SUCCESS,
       "spawn\n");
    s->input = 21;
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS && manual_run(&manual) == 1, "ran\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 42, "value\n");
    IKcomAsyncOperation_Release(op);
    ok(counter.attempts == 1, "exactly one allocation: %ld\n", (long)counter.attempts);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");

    /* the one-call form: the initial state copied in, scheduled at once */
    {
        now_state initial;
        memset(&initial, 0, sizeof(initial));
        initial.input = 50;
        ok(kcom_async_spawn(&now_desc, &manual.executor, &counter.allocator, &initial, &op) == STATUS_SUCCESS,
           "spawn in one call\n");
        ok(manual_queued(&manual) == 1 && manual_run(&manual) == 1, "scheduled\n");
        ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 100, "value %lu\n",
           (unsigned long)value);
        IKcomAsyncOperation_Release(op);
        ok(counter.attempts == 2 && kcom_counting_allocator_live(&counter) == 0, "one allocation each\n");
        manual.refuse = STATUS_INVALID_DEVICE_STATE;
        ok(kcom_async_spawn(&now_desc, &manual.executor, &counter.allocator, &initial, &op) ==
               STATUS_INVALID_DEVICE_STATE, "executor refuses\n");
        ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_INVALID_DEVICE_STATE, "Error with it\n");
        IKcomAsyncOperation_Release(op);
        manual.refuse = STATUS_SUCCESS;
        ok(kcom_async_spawn(NULL, &manual.executor, NULL, NULL, &op) == STATUS_INVALID_PARAMETER && op != NULL,
           "NULL desc: an error operation\n");
        IKcomAsyncOperation_Release(op);
        ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
    }

    /* caller storage: the default allocator is the counter, and nothing reaches it */
    previous = kcom_default_allocator();
    ok(kcom_set_default_allocator(&counter.allocator) == STATUS_SUCCESS, "counting default\n");
    kcom_counting_allocator_fail_nth(&counter, 0);
    ok(kcom_async_storage_size(&now_desc) <= sizeof(storage), "the constant bound holds: %lu\n",
       (unsigned long)kcom_async_storage_size(&now_desc));
    ok(kcom_async_spawn_begin_in(&now_desc, &manual.executor, storage, sizeof(storage), (void **)&s, &op) ==
           STATUS_SUCCESS, "spawn in storage\n");
    ok((unsigned char *)op >= storage && (unsigned char *)op < storage + sizeof(storage), "in the storage\n");
    ok(kcom_async_storage_in_use(storage), "in use\n");
    s->input = 4;
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS && manual_run(&manual) == 1, "ran\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 8, "value\n");
    IKcomAsyncOperation_Release(op);
    ok(!kcom_async_storage_in_use(storage), "released\n");
    ok(counter.attempts == 0, "no allocation: %ld\n", (long)counter.attempts);
    ok(kcom_async_spawn_begin_in(&now_desc, &manual.executor, storage, 16, (void **)&s, &op) ==
           STATUS_BUFFER_TOO_SMALL && s == NULL, "too small\n");
    ok(kcom_async_spawn_commit(op) == STATUS_BUFFER_TOO_SMALL, "commit reports the error\n");
    IKcomAsyncOperation_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "error operation freed\n");
    /* storage at any address: the operation starts at its first 16-byte boundary, which the 16
     * spare bytes of kcom_async_storage_size allow for */
    attempts = counter.attempts;
    ok(kcom_async_storage_size(&now_desc) + 3 <= sizeof(storage), "room for an odd start\n");
    ok(kcom_async_spawn_begin_in(&now_desc, &manual.executor, storage + 3, kcom_async_storage_size(&now_desc),
                                 (void **)&s, &op) == STATUS_SUCCESS,
       "storage at an odd address\n");
    ok((unsigned char *)op >= storage + 3 && ((ULONG_PTR)op % 16) == 0 && kcom_async_storage_in_use(storage + 3),
       "the operation at %p, in the storage at %p\n", (void *)op, (void *)(storage + 3));
    s->input = 5;
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS && manual_run(&manual) == 1, "ran\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 10, "value %lu\n",
       (unsigned long)value);
    ok(IKcomAsyncOperation_Release(op) == 0 && !kcom_async_storage_in_use(storage + 3), "released\n");
    ok(counter.attempts == attempts, "no allocation: %ld\n", (long)(counter.attempts - attempts));
    ok(kcom_set_default_allocator(previous) == STATUS_SUCCESS, "the default as it was\n");

    /* each allocation fails in turn: an error operation, nothing live */
    for (n = 1; n <= 3; n++) {
        NTSTATUS status;
        op = NULL;
        kcom_counting_allocator_fail_nth(&counter, n);
        status = kcom_async_spawn_begin(&now_desc, &manual.executor, &counter.allocator, (void **)&s, &op);
        ok(op != NULL, "never NULL\n");
        if (status == STATUS_SUCCESS) {
            s->input = 1;
            ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS && manual_run(&manual) == 1, "ran\n");
        } else {
            ok(n == 1 && status == STATUS_INSUFFICIENT_RESOURCES && s == NULL, "n=%ld: %s\n", (long)n,
               kcom_status_name(status));
            ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_INSUFFICIENT_RESOURCES, "error\n");
            ok(kcom_async_spawn_commit(op) == STATUS_INSUFFICIENT_RESOURCES, "commit\n");
        }
        IKcomAsyncOperation_Release(op);
        ok(kcom_counting_allocator_live(&counter) == 0, "n=%ld: nothing live\n", (long)n);
    }
    ok(kcom_async_spawn_begin(NULL, &manual.executor, NULL, (void **)&s, &op) == STATUS_INVALID_PARAMETER &&
           op != NULL, "NULL desc\n");
    IKcomAsyncOperation_Release(op);
}

/* ---- cancellation ---------------------------------------------------------------------------------------- */

void kcom_test_async_task_cancel(void)
{
    IKcomAsyncOperation *source;
    IAsyncULONG *op;
    callback_record record;
    kcom_async_status st = -1;
    LONG drops = 0;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    memset(&record, 0, sizeof(record));
    ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &source) == STATUS_SUCCESS, "source\n");
    IKcomAsyncOperation_AddRef(source); /* ours; the task's await holds the other */
    op = spawn_sum(source, 1, &drops);
    ok(IAsyncULONG_set_completed(op, (IAsyncULONG_completed_fn *)record_callback, &record) == STATUS_SUCCESS, "set\n");
    ok(kcom_async_spawn_commit(IAsyncULONG_generic(op)) == STATUS_SUCCESS, "commit\n");
    ok(manual_run(&manual) == 4, "waiting on the source\n");
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "cancel\n");
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_CANCELED, "Canceled at once\n");
    ok(record.calls == 0, "the work has not ended yet\n");
    ok(manual_queued(&manual) == 1, "the cancel woke the task\n");
    ok(manual_run(&manual) == 1, "one poll\n");
    ok(record.calls == 1 && record.status == KCOM_ASYNC_CANCELED, "called back once, Canceled\n");
    ok(drops == 1, "cleanup ran\n");
    ok(IAsyncULONG_cancel(op) == STATUS_INVALID_DEVICE_STATE, "no second cancel\n");
    /* the source finishing later does not touch the finished task */
    ok(kcom_async_operation_fail(source, STATUS_UNSUCCESSFUL) == STATUS_SUCCESS, "source fails\n");
    ok(manual_queued(&manual) == 0, "no wake left behind\n");
    IKcomAsyncOperation_Release(source);
    IAsyncULONG_Release(op);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- ends other than a value ------------------------------------------------------------------------------ */

typedef struct fail_state {
    KCOM_TASK_RESUME_POINT;
    NTSTATUS result;
    LONG *drops;
} fail_state;

static void fail_drop(void *p)
{
    (*((fail_state *)p)->drops)++;
}

static kcom_poll_result fail_poll(void *p, kcom_task_context *cx)
{
    fail_state *s = (fail_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN(cx, s->result);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc fail_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, fail_state, fail_poll,
                                                                   fail_drop);

static IKcomAsyncOperation *spawn_fail(NTSTATUS result, LONG *drops)
{
    IKcomAsyncOperation *op = NULL;
    fail_state *s = NULL;
    ok(kcom_async_spawn_begin(&fail_desc, &manual.executor, &counter.allocator, (void **)&s, &op) == STATUS_SUCCESS,
       "spawn\n");
    s->result = result;
    s->drops = drops;
    return op;
}

void kcom_test_async_task_other_ends(void)
{
    IKcomAsyncOperation *op;
    callback_record record;
    kcom_async_status st = -1;
    ULONG value = 77;
    LONG drops = 0;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);

    /* a failure status: Error with it, nothing written */
    op = spawn_fail(STATUS_ACCESS_DENIED, &drops);
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS && manual_run(&manual) == 1, "ran\n");
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR, "Error\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_ACCESS_DENIED && value == 77, "its status\n");
    ok(drops == 1, "drop\n");
    IKcomAsyncOperation_Release(op);

    /* canceled before its first poll: the first poll sees the request once */
    drops = 0;
    op = spawn_fail(STATUS_SUCCESS, &drops);
    manual.scheduled = 0;
    ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "cancel before commit\n");
    ok(manual.scheduled == 0 && manual_queued(&manual) == 0, "not queued by the cancel\n");
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS && manual_run(&manual) == 1, "ran once\n");
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_CANCELED,
       "stays Canceled although the task returned success\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_CANCELLED && value == 77, "nothing written\n");
    IKcomAsyncOperation_Release(op);

    /* the executor refuses: Error with its status, cleanup and callback */
    drops = 0;
    memset(&record, 0, sizeof(record));
    op = spawn_fail(STATUS_SUCCESS, &drops);
    ok(IKcomAsyncOperation_set_completed(op, record_callback, &record) == STATUS_SUCCESS, "set\n");
    manual.refuse = STATUS_INVALID_DEVICE_STATE;
    status = kcom_async_spawn_commit(op);
    ok(status == STATUS_INVALID_DEVICE_STATE, "commit: %s\n", kcom_status_name(status));
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_INVALID_DEVICE_STATE, "Error with its status\n");
    ok(drops == 1 && record.calls == 1 && record.status == KCOM_ASYNC_ERROR, "dropped and called back\n");
    IKcomAsyncOperation_Release(op);
    manual.refuse = STATUS_SUCCESS;

    /* a task's operation finishes itself: its producer API refuses */
    drops = 0;
    op = spawn_fail(STATUS_SUCCESS, &drops);
    ok(kcom_async_operation_complete(op, &value) == STATUS_INVALID_DEVICE_STATE, "complete refused\n");
    ok(kcom_async_operation_fail(op, STATUS_UNSUCCESSFUL) == STATUS_INVALID_DEVICE_STATE, "fail refused\n");
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS && manual_run(&manual) == 1, "ran\n");
    ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS, "its own result\n");
    IKcomAsyncOperation_Release(op);

    /* never committed and released: the unfinished task's cleanup still runs, once */
    drops = 0;
    op = spawn_fail(STATUS_SUCCESS, &drops);
    IKcomAsyncOperation_Release(op);
    ok(drops == 1, "cleanup of an unfinished task: %ld\n", (long)drops);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* Awaiting an operation that has already finished, or the static error operation. */
void kcom_test_async_task_await_finished(void)
{
    IKcomAsyncOperation *source;
    IAsyncULONG *op;
    ULONG value = 0, seven = 7;
    LONG drops = 0;

    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    ok(kcom_async_operation_create(&counter.allocator, NULL, sizeof(ULONG), 4, &source) == STATUS_SUCCESS, "source\n");
    ok(kcom_async_operation_complete(source, &seven) == STATUS_SUCCESS, "completed first\n");
    op = spawn_sum(source, 10, &drops); /* the await takes the reference */
    ok(kcom_async_spawn_commit(IAsyncULONG_generic(op)) == STATUS_SUCCESS, "commit\n");
    ok(manual_run(&manual) == 4, "no suspension at the await\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 17, "value %lu\n", (unsigned long)value);
    IAsyncULONG_Release(op);

    op = spawn_sum(kcom_async_static_error_operation(), 10, &drops);
    ok(kcom_async_spawn_commit(IAsyncULONG_generic(op)) == STATUS_SUCCESS, "commit\n");
    ok(manual_run(&manual) == 4, "the static operation is finished\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_UNSUCCESSFUL, "its failure seen by the task\n");
    IAsyncULONG_Release(op);
    ok(drops == 2, "cleanups: %ld\n", (long)drops);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

/* ---- KCOM_TASK_END's paths, polled by hand ------------------------------------------------------------ */

typedef struct end_state {
    KCOM_TASK_RESUME_POINT;
    ULONG yields;
} end_state;

/* Yields once, then falls off the end. */
static kcom_poll_result falls_off_poll(end_state *s, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT(s->yields++ == 0 ? KCOM_POLL_PENDING : KCOM_POLL_READY);
    KCOM_TASK_END(cx);
}

/* Ends in KCOM_TASK_RETURN_VALUE, END right after it (the usual last lines of a body). */
static kcom_poll_result returns_value_poll(end_state *s, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 41 + s->yields);
    KCOM_TASK_END(cx);
}

/* A driver's own macro with two suspension points: each expansion is one source line. */
#define AWAIT_TWO_YIELDS(s) KCOM_AWAIT((s)->yields++ % 2 == 0 ? KCOM_POLL_PENDING : KCOM_POLL_READY); \
                            KCOM_AWAIT((s)->yields++ % 2 == 0 ? KCOM_POLL_PENDING : KCOM_POLL_READY)

static kcom_poll_result two_on_a_line_poll(end_state *s, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(s);
    AWAIT_TWO_YIELDS(s); AWAIT_TWO_YIELDS(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->yields);
    KCOM_TASK_END(cx);
}

/* A suspension point inside a switch statement of the body (which task.h forbids): its case
 * label is the inner switch's, so the resumption finds no point of the body's. */
static kcom_poll_result await_in_switch_poll(end_state *s, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(s);
    switch (s->yields) {
    case 0:
        KCOM_AWAIT(s->yields++ == 0 ? KCOM_POLL_PENDING : KCOM_POLL_READY);
        break;
    default:
        break;
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 7);
    KCOM_TASK_END(cx);
}

/* Falling off the end completes with STATUS_SUCCESS; a finished task polled again (which kcom
 * never does) reports STATUS_INVALID_DEVICE_STATE, and so does one that returned a value. Several
 * suspension points on one source line (a macro's) each resume where they suspended. A task
 * resumed at a point its body does not have (a suspension point inside a switch, or a state whose
 * resume point was not 0 at its first poll) ends with STATUS_INTERNAL_ERROR, its body not run, its
 * result not written, and is finished. */
void kcom_test_async_task_end(void)
{
    end_state s;
    ULONG result = 0;
    kcom_task_context cx;
    kcom_async_task_desc desc;
    kcom_task task;
    memset(&s, 0, sizeof(s));
    memset(&cx, 0, sizeof(cx));
    /* what an executor's poll hands a task: its own kcom_task, whose descriptor gives the size of
     * its result (KCOM_TASK_RESULT checks it in a KCOM_DEBUG file) */
    memset(&desc, 0, sizeof(desc));
    desc.result_size = sizeof(ULONG);
    desc.result_alignment = KCOM_ALIGNOF(ULONG);
    memset(&task, 0, sizeof(task));
    task.desc = &desc;
    cx.task = &task;
    cx.result = &result;
    ok(falls_off_poll(&s, &cx) == KCOM_POLL_PENDING, "the first poll yields\n");
    cx.status = STATUS_UNSUCCESSFUL;
    ok(falls_off_poll(&s, &cx) == KCOM_POLL_READY && cx.status == STATUS_SUCCESS, "fell off the end: %s\n",
       kcom_status_name(cx.status));
    ok(falls_off_poll(&s, &cx) == KCOM_POLL_READY && cx.status == STATUS_INVALID_DEVICE_STATE,
       "polled again once finished: %s\n", kcom_status_name(cx.status));

    memset(&s, 0, sizeof(s));
    s.yields = 1;
    cx.status = STATUS_UNSUCCESSFUL;
    ok(returns_value_poll(&s, &cx) == KCOM_POLL_READY && cx.status == STATUS_SUCCESS && result == 42,
       "returned %lu: %s\n", (unsigned long)result, kcom_status_name(cx.status));
    ok(returns_value_poll(&s, &cx) == KCOM_POLL_READY && cx.status == STATUS_INVALID_DEVICE_STATE,
       "polled again once finished: %s\n", kcom_status_name(cx.status));

    {
        ULONG pending = 0;
        memset(&s, 0, sizeof(s));
        result = 0;
        while (two_on_a_line_poll(&s, &cx) == KCOM_POLL_PENDING && pending < 10)
            pending++;
        /* four awaits, each pending once and then ready: 4 pending polls, 8 evaluations */
        ok(pending == 4 && cx.status == STATUS_SUCCESS && result == 8, "four suspensions on two lines: %lu, %lu\n",
           (unsigned long)pending, (unsigned long)result);
    }

    memset(&s, 0, sizeof(s));
    result = 0;
    ok(await_in_switch_poll(&s, &cx) == KCOM_POLL_PENDING, "the switch's await is pending\n");
    ok(await_in_switch_poll(&s, &cx) == KCOM_POLL_READY && cx.status == STATUS_INTERNAL_ERROR && result == 0,
       "resumed at a point inside a switch: %s, result %lu\n", kcom_status_name(cx.status), (unsigned long)result);
    ok(await_in_switch_poll(&s, &cx) == KCOM_POLL_READY && cx.status == STATUS_INVALID_DEVICE_STATE,
       "then finished: %s\n", kcom_status_name(cx.status));

    memset(&s, 0, sizeof(s));
    s.kcom_resume_point = 12345; /* an initial state not zero-filled */
    ok(returns_value_poll(&s, &cx) == KCOM_POLL_READY && cx.status == STATUS_INTERNAL_ERROR && result == 0,
       "a first poll at an unknown point: %s, result %lu\n", kcom_status_name(cx.status), (unsigned long)result);
}

/* ---- a task without a value ---------------------------------------------------------------------------- */

typedef struct flush_state {
    KCOM_TASK_RESUME_POINT;
    NTSTATUS outcome;
    LONG *drops;
} flush_state;

static kcom_poll_result flush_poll(void *p, kcom_task_context *cx)
{
    flush_state *s = (flush_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_YIELD(cx);
    KCOM_TASK_RETURN(cx, s->outcome);
    KCOM_TASK_END(cx);
}

static void flush_drop(void *p)
{
    flush_state *s = (flush_state *)p;
    if (s->drops != NULL)
        (*s->drops)++;
}

static const kcom_async_task_desc flush_desc = KCOM_ASYNC_TASK_DESC_NO_VALUE(flush_state, flush_poll, flush_drop);
KCOM_ASYNC_TASK_NO_VALUE(flush_task, flush_state, flush_poll, flush_drop)

/* What another file sees: a pointer (the library then calls the descriptor's functions). */
static const kcom_async_task_desc *flush_task_elsewhere(void)
{
    const kcom_async_task_desc *volatile hidden = &flush_task;
    return hidden;
}

/* Runs one flush on the manual executor through desc: its status, its drop, nothing written by
 * get_result, IKcomAsyncOperation only; returns the block's size as the allocator saw it. */
static LONG64 run_flush(const kcom_async_task_desc *desc, NTSTATUS outcome, kcom_async_status expected)
{
    IKcomAsyncOperation *op = NULL;
    flush_state initial;
    LONG drops = 0;
    LONG64 bytes = counter.live_bytes;
    ULONG64 untouched = 0xa5a5a5a5a5a5a5a5ull;
    kcom_async_status st = KCOM_ASYNC_STARTED;
    void *typed_op = &drops; /* QueryInterface clears it on a miss */
    void **typed = &typed_op;
    NTSTATUS status;
    memset(&initial, 0, sizeof(initial));
    initial.outcome = outcome;
    initial.drops = &drops;
    status = kcom_async_run(desc, &manual.executor, &counter.allocator, &initial, &op);
    ok(status == STATUS_SUCCESS && op != NULL, "run: %s\n", kcom_status_name(status));
    if (op == NULL)
        return 0;
    bytes = counter.live_bytes - bytes;
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_STARTED, "pending after its yield\n");
    ok(manual_run(&manual) == 1, "one more poll\n");
    ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == expected, "status %d, expected %d\n", (int)st,
       (int)expected);
    status = IKcomAsyncOperation_get_result(op, &untouched);
    ok(status == (NT_SUCCESS(outcome) ? STATUS_SUCCESS : outcome) && untouched == 0xa5a5a5a5a5a5a5a5ull,
       "get_result: %s, nothing written\n", kcom_status_name(status));
    ok(IKcomAsyncOperation_QueryInterface(op, &IID_IAsyncULONG, typed) == STATUS_NOINTERFACE && typed_op == NULL,
       "no typed interface\n");
    ok(drops == 1, "the drop ran once: %ld\n", (long)drops);
    IKcomAsyncOperation_Release(op);
    return bytes;
}

/* A task that ends with a status alone (KCOM_ASYNC_TASK_DESC_NO_VALUE, KCOM_ASYNC_TASK_NO_VALUE):
 * the same block as the library's computed layout, at the call site, through the generated
 * functions and through the library's general way. */
void kcom_test_async_task_no_value(void)
{
    kcom_async_task_desc by_hand;
    LONG64 inline_bytes, generated_bytes, general_bytes;
    kcom_counting_allocator_init(&counter, NULL);
    manual_init(&manual);
    ok(flush_desc.result_size == 0 && flush_desc.iid == NULL && flush_desc.block_size != 0,
       "no result, no IID, a layout\n");
    inline_bytes = run_flush(&flush_desc, STATUS_SUCCESS, KCOM_ASYNC_COMPLETED);
    generated_bytes = run_flush(flush_task_elsewhere(), STATUS_SUCCESS, KCOM_ASYNC_COMPLETED);
    (void)run_flush(flush_task_elsewhere(), STATUS_UNSUCCESSFUL, KCOM_ASYNC_ERROR);
    by_hand = flush_desc; /* the library computes this one's layout */
    by_hand.result_offset = by_hand.state_offset = by_hand.block_size = by_hand.block_alignment = 0;
    general_bytes = run_flush(&by_hand, STATUS_SUCCESS, KCOM_ASYNC_COMPLETED);
    ok(inline_bytes == general_bytes && generated_bytes == general_bytes && general_bytes > 0,
       "one block size: %lld, %lld, %lld\n", (long long)inline_bytes, (long long)generated_bytes,
       (long long)general_bytes);
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

ASYNC_TEST_PROGRAM(KCOM_ASYNC_TASK_TESTS)
