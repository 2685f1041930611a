/*
 * fuzz_api.c - the API fuzzer: LLVMFuzzerTestOneInput reads its input as a sequence of kcom calls
 * and checks every answer against a model of what the answer must be.
 *
 * Calls: create objects of the classes of rel_common.h (one interface, four, an aggregate, async
 * methods), QueryInterface with known IIDs and with IIDs taken from the input, AddRef, Release
 * and Tag through any interface pointer; async method calls (ready at once, waiting for another
 * operation, yielding, failing at start), completion sources (create, complete, fail), spawned
 * tasks, error operations, cancel, set_completed, get_status, get_result, QueryInterface, AddRef
 * and Release on operations, kcom_async_block_on with no wait; steps of a manual executor (the
 * default executor: every task runs on the fuzzer's thread, so each run is deterministic); and
 * allocation failures (rel_alloc: the N-th request from now, or every request from the N-th on).
 *
 * The model predicts: QueryInterface's status and pointer (rel_expected_interface), the count
 * AddRef and Release return on objects (the fuzzer's references plus one per pending async call
 * on the object), when each object is destroyed, each operation's status and result, which
 * cancel and completion wins, when each callback fires (exactly once; the static error
 * operation's at every registration), which task the executor polls next, how many task states
 * are live. An allocation refused during a call must make it fail with
 * STATUS_INSUFFICIENT_RESOURCES (an error operation for calls that return one; the static one when
 * that could not be allocated either). At the end of the input every operation is ended, the
 * executor runs dry, every reference is released, and nothing may be left allocated.
 *
 * A wrong answer prints what differed and aborts, so libFuzzer keeps the input as a crash;
 * fuzz_replay.c runs the same function over tests/reliability/corpus/ in every configuration.
 * Rules a caller must follow are followed, not fuzzed (the misuse tests cover breaking them): no
 * Release without a reference, one waiter per operation, and a completion source is completed or
 * failed before its last reference goes (the producer must end it).
 */
#include "rel_common.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OBJECTS 6
#define MAX_OPS 24
#define CLEANUP_STEPS 10000

static void fuzz_fail(int line, const char *format, ...) KCOM_PRINTF_FORMAT(2, 3);
static void fuzz_fail(int line, const char *format, ...)
{
    va_list args;
    fprintf(stderr, "fuzz_api.c:%d: ", line);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}
#define CHECK(condition, ...)                                                             \
    do {                                                                                  \
        if (!(condition))                                                                 \
            fuzz_fail(__LINE__, __VA_ARGS__);                                             \
    } while (0)

/* ---- the model ---------------------------------------------------------------------------------------------- */

typedef struct m_object {
    BOOLEAN used;
    rel_object obj;
    LONG held; /* references the fuzzer holds */
    LONG work; /* pending async calls on it (each holds one until its drop) */
} m_object;

enum op_kind { OPK_SOURCE, OPK_NOW, OPK_LATER, OPK_YIELD, OPK_FAIL, OPK_SPAWN, OPK_EWAIT, OPK_ERROR };

#define EVENTS 2

typedef struct m_op {
    BOOLEAN used;
    int kind;
    IKcomAsyncOperation *op;
    BOOLEAN is_static;
    BOOLEAN typed; /* answers IID_IAsyncULONG */
    LONG held;
    /* outcome */
    LONG status;
    BOOLEAN finished;
    NTSTATUS error;
    ULONG value;
    /* callback */
    BOOLEAN callback_set;
    LONG expected_calls;
    LONG volatile calls;
    LONG volatile callback_status;
    LONG volatile mismatches;
    /* task */
    BOOLEAN queued;
    BOOLEAN cancel_requested;
    LONG polls_left;
    ULONG target;
    int object;   /* method calls still pending: the object they hold; -1 */
    int source;   /* LATER: the operation awaited while it is unfinished; -1 */
    ULONG awaited_at; /* LATER: when it began awaiting source */
    BOOLEAN in_slot;  /* LATER: its node took the source's slot (the first waiter, woken first) */
    int slot_holder;  /* the LATER whose node is in this operation's slot; -1 */
    /* SOURCE: its cancel routine */
    BOOLEAN routine_registered; /* ever: a second registration is refused */
    BOOLEAN routine_set;        /* registered and not taken back */
    BOOLEAN routine_claimed;    /* a cancel called it */
    LONG volatile routine_calls;
    BOOLEAN committed;   /* SPAWN, EWAIT: the first poll was scheduled (else begun only) */
    int event;           /* EWAIT: the event it waits for */
    BOOLEAN registered;  /* EWAIT: on the event's list */
    BOOLEAN woken;       /* EWAIT: taken off the list by a set */
    BOOLEAN source_done; /* LATER: the source's outcome below is known */
    LONG source_status;
    NTSTATUS source_error;
    ULONG source_value;
} m_op;

static struct model {
    m_object objects[MAX_OBJECTS];
    m_op ops[MAX_OPS];
    int queue[MAX_OPS];
    int queue_length;
    LONG destroyed_expected[REL_CLASS_COUNT];
    LONG destroyed_base[REL_CLASS_COUNT];
    LONG starts_base, drops_base;
    LONG spawn_states; /* spawned states not yet dropped */
    struct {
        BOOLEAN set;
        int waiters[MAX_OPS]; /* registered EWAIT tasks, in registration order */
        int count;
    } events[EVENTS];
    LONG spawned, spawn_drops_base;
    ULONG awaits; /* LATER registrations so far */
} M;

static manual_executor manual;
static kcom_async_event events[EVENTS];
static LONG volatile spawn_drops;
static BOOLEAN initialized;

/* ---- input ------------------------------------------------------------------------------------------------ */

typedef struct input {
    const uint8_t *data;
    size_t size;
    size_t position;
} input;

static ULONG take(input *in)
{
    return in->position < in->size ? in->data[in->position++] : 0;
}

static ULONG take32(input *in)
{
    ULONG value = take(in);
    value |= take(in) << 8;
    value |= take(in) << 16;
    return value | take(in) << 24;
}

/* An object index with a reference held (kind REL_CLASS_COUNT: any class), or -1. */
static int pick_object(input *in, int kind)
{
    int candidates[MAX_OBJECTS], count = 0, i;
    ULONG choice = take(in);
    for (i = 0; i < MAX_OBJECTS; i++)
        if (M.objects[i].used && M.objects[i].held > 0 && (kind == REL_CLASS_COUNT || M.objects[i].obj.kind == kind))
            candidates[count++] = i;
    return count == 0 ? -1 : candidates[choice % (ULONG)count];
}

/* An operation index with a reference held, or -1. */
static int pick_op(input *in)
{
    int candidates[MAX_OPS], count = 0, i;
    ULONG choice = take(in);
    for (i = 0; i < MAX_OPS; i++)
        if (M.ops[i].used && M.ops[i].held > 0)
            candidates[count++] = i;
    return count == 0 ? -1 : candidates[choice % (ULONG)count];
}

static int free_object(void)
{
    int i;
    for (i = 0; i < MAX_OBJECTS; i++)
        if (!M.objects[i].used)
            return i;
    return -1;
}

static int free_op(void)
{
    int i;
    for (i = 0; i < MAX_OPS; i++)
        if (!M.ops[i].used)
            return i;
    return -1;
}

static const NTSTATUS failures[] = {STATUS_UNSUCCESSFUL, STATUS_ACCESS_DENIED, STATUS_IO_TIMEOUT,
                                    STATUS_NOT_SUPPORTED, STATUS_CANCELLED, STATUS_INVALID_DEVICE_REQUEST};
#define FAILURE_COUNT ((ULONG)(sizeof(failures) / sizeof(failures[0])))

/* ---- model transitions ------------------------------------------------------------------------------------- */

static kcom_async_op *op_struct(IKcomAsyncOperation *op)
{
    return (kcom_async_op *)(void *)op;
}

static void queue_push(int i)
{
    CHECK(!M.ops[i].queued && M.queue_length < MAX_OPS, "model: op %d queued twice", i);
    M.ops[i].queued = TRUE;
    M.queue[M.queue_length++] = i;
}

static int queue_pop(void)
{
    int i = M.queue[0];
    memmove(M.queue, M.queue + 1, sizeof(int) * (size_t)(M.queue_length - 1));
    M.queue_length--;
    M.ops[i].queued = FALSE;
    return i;
}

static void object_release_work(int o)
{
    m_object *obj = &M.objects[o];
    obj->work--;
    if (obj->held + obj->work == 0) {
        M.destroyed_expected[obj->obj.kind]++;
        obj->used = FALSE;
    }
}

static void op_forget_if_done(int i)
{
    m_op *m = &M.ops[i];
    if (m->used && m->held == 0 && m->finished && !m->queued)
        m->used = FALSE;
}

static void op_finish(int i, LONG status, NTSTATUS error, ULONG value);
static BOOLEAN committed(const m_op *m);

static void event_unregister(int i)
{
    int e = M.ops[i].event, k;
    for (k = 0; k < M.events[e].count; k++)
        if (M.events[e].waiters[k] == i)
            break;
    CHECK(k < M.events[e].count, "model: op %d not on event %d", i, e);
    memmove(M.events[e].waiters + k, M.events[e].waiters + k + 1, sizeof(int) * (size_t)(M.events[e].count - k - 1));
    M.events[e].count--;
    M.ops[i].registered = FALSE;
}

/* An operation that finishes wakes every LATER awaiting it: the one in its slot first, then the
 * list's, the latest registered first (the list is pushed at its head). */
static void wake_awaiters(int i)
{
    m_op *m = &M.ops[i];
    for (;;) {
        int k, w = m->slot_holder;
        if (w < 0)
            for (k = 0; k < MAX_OPS; k++)
                if (M.ops[k].used && M.ops[k].kind == OPK_LATER && M.ops[k].source == i &&
                    (w < 0 || M.ops[k].awaited_at > M.ops[w].awaited_at))
                    w = k;
        if (w < 0)
            return;
        if (w == m->slot_holder) {
            m->slot_holder = -1;
            M.ops[w].in_slot = FALSE;
        }
        M.ops[w].source = -1;
        M.ops[w].source_done = TRUE;
        M.ops[w].source_status = m->status;
        M.ops[w].source_error = m->error;
        M.ops[w].source_value = m->value;
        if (!M.ops[w].queued)
            queue_push(w);
    }
}

/* The work ends (the drop ran, the object's reference went), then the operation finishes: its
 * status is final (a Canceled one stays Canceled), its waiter is woken, its callback fires. */
static void op_finish(int i, LONG status, NTSTATUS error, ULONG value)
{
    m_op *m = &M.ops[i];
    CHECK(!m->finished, "model: op %d finished twice", i);
    if (m->kind == OPK_LATER || m->kind == OPK_YIELD) {
        /* the LATER's drop gives up its wait on a source that has not finished */
        if (m->kind == OPK_LATER && m->source >= 0) {
            if (m->in_slot)
                M.ops[m->source].slot_holder = -1;
            m->in_slot = FALSE;
            m->source = -1;
        }
        if (m->object >= 0) {
            int o = m->object;
            m->object = -1;
            object_release_work(o);
        }
    }
    if (m->kind == OPK_EWAIT && m->registered)
        event_unregister(i);
    if (m->kind == OPK_SPAWN || m->kind == OPK_EWAIT)
        M.spawn_states--;
    m->finished = TRUE;
    if (m->status == KCOM_ASYNC_STARTED) {
        m->status = status;
        m->error = error;
        m->value = value;
    }
    wake_awaiters(i);
    if (m->callback_set)
        m->expected_calls++;
}

/* What ReadLater fails with when its source did not complete: the source's get_result
 * (STATUS_CANCELLED for a canceled source, else its error, which may itself be STATUS_CANCELLED:
 * kcom_async_operation_create_error stores any failure), STATUS_CANCELLED becoming
 * STATUS_NOT_FOUND (rel_common.h). */
static NTSTATUS read_later_error(LONG source_status, NTSTATUS source_error)
{
    NTSTATUS result = source_status == KCOM_ASYNC_CANCELED ? STATUS_CANCELLED : source_error;
    return result == STATUS_CANCELLED ? STATUS_NOT_FOUND : result;
}

/* A step of the executor: the task at the head of the queue is polled once. */
static void model_step(void)
{
    int i = queue_pop();
    m_op *m = &M.ops[i];
    switch (m->kind) {
    case OPK_LATER:
        if (m->cancel_requested) {
            m->cancel_requested = FALSE;
            op_finish(i, KCOM_ASYNC_CANCELED, STATUS_SUCCESS, 0);
        } else {
            CHECK(m->source_done, "model: LATER %d polled before its source finished", i);
            if (m->source_status == KCOM_ASYNC_COMPLETED)
                op_finish(i, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, m->source_value + 1);
            else
                op_finish(i, KCOM_ASYNC_ERROR, read_later_error(m->source_status, m->source_error), 0);
        }
        break;
    case OPK_YIELD:
        if (m->polls_left >= 2 && m->cancel_requested) {
            m->cancel_requested = FALSE;
            op_finish(i, KCOM_ASYNC_CANCELED, STATUS_SUCCESS, 0);
        } else if (--m->polls_left == 0) {
            op_finish(i, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, m->target);
        } else {
            queue_push(i);
        }
        break;
    case OPK_EWAIT:
        if (m->cancel_requested) {
            m->cancel_requested = FALSE;
            op_finish(i, KCOM_ASYNC_CANCELED, STATUS_SUCCESS, 0);
        } else if (m->woken || M.events[m->event].set) {
            m->woken = FALSE;
            if (m->registered)
                event_unregister(i);
            op_finish(i, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, (ULONG)m->event + 100u);
        } else {
            CHECK(!m->registered, "model: EWAIT %d polled while registered", i);
            M.events[m->event].waiters[M.events[m->event].count++] = i;
            m->registered = TRUE;
        }
        break;
    case OPK_SPAWN:
        if (--m->polls_left == 0)
            op_finish(i, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, m->target);
        else
            queue_push(i);
        break;
    default:
        CHECK(0, "model: op %d of kind %d queued", i, m->kind);
    }
    op_forget_if_done(i);
}

/* ---- checks ------------------------------------------------------------------------------------------------- */

static void fuzz_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    m_op *m = (m_op *)context;
    kcom_async_status now = -1;
    (void)IKcomAsyncOperation_get_status(operation, &now);
    if (now != status)
        m->mismatches++;
    m->callback_status = status;
    m->calls++;
}

static void check_outcome(int i)
{
    m_op *m = &M.ops[i];
    kcom_async_status status = -1;
    ULONG value = 0xA5A5A5A5u;
    NTSTATUS result, expected;
    CHECK(IKcomAsyncOperation_get_status(m->op, &status) == STATUS_SUCCESS && status == m->status,
          "op %d (kind %d): status %ld, model %ld", i, m->kind, (long)status, (long)m->status);
    result = IKcomAsyncOperation_get_result(m->op, &value);
    expected = m->status == KCOM_ASYNC_STARTED     ? STATUS_PENDING
               : m->status == KCOM_ASYNC_COMPLETED ? STATUS_SUCCESS
               : m->status == KCOM_ASYNC_CANCELED  ? STATUS_CANCELLED
                                                   : m->error;
    CHECK(result == expected, "op %d (kind %d): get_result %s, model %s", i, m->kind, kcom_status_name(result),
          kcom_status_name(expected));
    CHECK(result == STATUS_SUCCESS ? value == m->value : value == 0xA5A5A5A5u,
          "op %d: value %lu, model %lu (result %s)", i, (unsigned long)value, (unsigned long)m->value,
          kcom_status_name(result));
}

static void verify(void)
{
    int i;
    LONG pending_states = 0;
    CHECK(manual_queued(&manual) == M.queue_length, "%ld tasks queued, model %d", (long)manual_queued(&manual),
          M.queue_length);
    if (M.queue_length > 0)
        CHECK(manual.queue.next == &op_struct(M.ops[M.queue[0]].op)->task.link, "the queue's head is not op %d",
              M.queue[0]);
    for (i = 0; i < MAX_OPS; i++) {
        m_op *m = &M.ops[i];
        if (!m->used)
            continue;
        CHECK(m->calls == m->expected_calls && m->mismatches == 0, "op %d (kind %d): %ld callbacks, model %ld", i,
              m->kind, (long)m->calls, (long)m->expected_calls);
        CHECK(m->routine_calls == (m->routine_claimed ? 1 : 0), "op %d: %ld cancel routine calls, model %d", i,
              (long)m->routine_calls, m->routine_claimed ? 1 : 0);
        if (m->calls > 0)
            CHECK(m->callback_status == m->status, "op %d: callback with %ld, model %ld", i, (long)m->callback_status,
                  (long)m->status);
        if (m->held > 0)
            check_outcome(i);
        if (!m->finished && (m->kind == OPK_LATER || m->kind == OPK_YIELD))
            pending_states++;
    }
    for (i = 0; i < EVENTS; i++)
        CHECK(kcom_async_event_is_set(&events[i]) == M.events[i].set, "event %d: %d, model %d", i,
              (int)kcom_async_event_is_set(&events[i]), (int)M.events[i].set);
    for (i = 0; i < REL_CLASS_COUNT; i++)
        CHECK(rel_destroyed[i] - M.destroyed_base[i] == M.destroyed_expected[i], "%s: %ld destroyed, model %ld",
              rel_class_name(i), (long)(rel_destroyed[i] - M.destroyed_base[i]), (long)M.destroyed_expected[i]);
    CHECK((rel_reader_starts - M.starts_base) - (rel_reader_drops - M.drops_base) == pending_states,
          "%ld async call states live, model %ld",
          (long)((rel_reader_starts - M.starts_base) - (rel_reader_drops - M.drops_base)), (long)pending_states);
}

/* An operation returned by a call: a new model entry. refused: allocations refused during the
 * call; static_after: how many refusals lead to the static error operation. Returns the entry, or
 * -1 when the call's own operation could not be made (the entry then holds its error operation). */
static int adopt(int i, int kind, IKcomAsyncOperation *op, LONG refused, LONG static_after, BOOLEAN typed)
{
    m_op *m = &M.ops[i];
    memset(m, 0, sizeof(*m));
    m->used = TRUE;
    m->op = op;
    m->held = 1;
    m->object = m->source = m->slot_holder = -1;
    m->typed = typed;
    CHECK(op != NULL, "a call returned a NULL operation");
    if (refused == 0) {
        m->kind = kind;
        return i;
    }
    m->kind = OPK_ERROR;
    m->is_static = (BOOLEAN)(op == kcom_async_static_error_operation());
    CHECK(m->is_static == (refused >= static_after), "%ld refused requests, %s the static error operation",
          (long)refused, m->is_static ? "" : "not");
    if (m->is_static)
        m->typed = FALSE;
    m->status = KCOM_ASYNC_ERROR;
    m->finished = TRUE;
    m->error = STATUS_INSUFFICIENT_RESOURCES;
    return -1;
}

/* The spawned task: yields target times, then returns target. */
typedef struct fuzz_spawn_state {
    KCOM_TASK_RESUME_POINT;
    ULONG target;
    ULONG polls;
} fuzz_spawn_state;

static kcom_poll_result fuzz_spawn_poll(void *p, kcom_task_context *cx)
{
    fuzz_spawn_state *s = (fuzz_spawn_state *)p;
    KCOM_TASK_BEGIN(s);
    while (s->polls < s->target) {
        s->polls++;
        KCOM_YIELD(cx);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->target);
    KCOM_TASK_END(cx);
}

static void fuzz_spawn_drop(void *p)
{
    (void)p;
    kcom_atomic_fetch_add(&spawn_drops, 1);
}

static const kcom_async_task_desc fuzz_spawn_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, fuzz_spawn_state, fuzz_spawn_poll, fuzz_spawn_drop);

/* The event task: waits for events[index] (or a cancel), then returns index + 100. */

typedef struct fuzz_event_state {
    KCOM_TASK_RESUME_POINT;
    ULONG index;
    BOOLEAN canceled;
    kcom_async_event_await wait;
} fuzz_event_state;

static kcom_poll_result fuzz_event_poll(void *p, kcom_task_context *cx)
{
    fuzz_event_state *s = (fuzz_event_state *)p;
    KCOM_TASK_BEGIN(s);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_event_await_poll(&s->wait, cx));
    if (s->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->index + 100u);
    KCOM_TASK_END(cx);
}

static void fuzz_event_drop(void *p)
{
    kcom_async_event_await_clear(&((fuzz_event_state *)p)->wait);
    kcom_atomic_fetch_add(&spawn_drops, 1);
}

static const kcom_async_task_desc fuzz_event_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, fuzz_event_state, fuzz_event_poll, fuzz_event_drop);

/* ---- actions ----------------------------------------------------------------------------------------------- */

enum action {
    A_CREATE,
    A_QI,
    A_QI_RANDOM,
    A_ADDREF,
    A_RELEASE,
    A_TAG,
    A_READ_NOW,
    A_READ_LATER,
    A_READ_YIELD,
    A_READ_FAIL,
    A_SOURCE,
    A_COMPLETE,
    A_FAIL,
    A_CANCEL,
    A_SET_CALLBACK,
    A_QUERY,
    A_OP_QI,
    A_OP_ADDREF,
    A_OP_RELEASE,
    A_STEP,
    A_FAIL_NTH,
    A_FAIL_FROM,
    A_FAIL_NONE,
    A_SPAWN,
    A_CREATE_ERROR,
    A_BLOCK_ON,
    A_EVENT_SET,
    A_EVENT_RESET,
    A_BEGIN,
    A_COMMIT,
    A_ABANDON,
    A_CANCEL_ROUTINE,
    A_COUNT
};

static void do_create(input *in)
{
    int o = free_object();
    ULONG choice = take(in);
    int kind = (int)(choice % REL_CLASS_COUNT);
    rel_object obj;
    LONG before = rel_alloc_failures();
    NTSTATUS status;
    if (o < 0)
        return;
    status = rel_create(kind, (int)((choice >> 4) & 1), &obj);
    if (rel_alloc_failures() != before) {
        CHECK(status == STATUS_INSUFFICIENT_RESOURCES && obj.identity == NULL,
              "create %s with a refused allocation: %s", rel_class_name(kind), kcom_status_name(status));
        return;
    }
    CHECK(status == STATUS_SUCCESS, "create %s: %s", rel_class_name(kind), kcom_status_name(status));
    M.objects[o].used = TRUE;
    M.objects[o].obj = obj;
    M.objects[o].held = 1;
    M.objects[o].work = 0;
}

static IUnknown *pick_interface(input *in, const m_object *obj)
{
    return obj->obj.interfaces[take(in) % (ULONG)obj->obj.interface_count];
}

static void query(int o, IUnknown *p, const IID *iid, int expected)
{
    m_object *obj = &M.objects[o];
    void *out = TEST_POISON_PTR;
    NTSTATUS status = p->lpVtbl->QueryInterface(p, iid, &out);
    if (expected < 0) {
        CHECK(status == STATUS_NOINTERFACE && out == NULL, "%s: QueryInterface gave %s %p, model none",
              rel_class_name(obj->obj.kind), kcom_status_name(status), out);
        return;
    }
    CHECK(status == STATUS_SUCCESS && out == rel_object_interface(&obj->obj, expected),
          "%s: QueryInterface gave %s %p, model interface %d", rel_class_name(obj->obj.kind), kcom_status_name(status),
          out, expected);
    obj->held++;
}

static void do_qi(input *in, BOOLEAN random_iid)
{
    int o = pick_object(in, REL_CLASS_COUNT), k, expected = -1;
    IUnknown *p;
    IID iid;
    if (o < 0)
        return;
    p = pick_interface(in, &M.objects[o]);
    if (!random_iid) {
        k = (int)(take(in) % REL_IID_COUNT);
        query(o, p, rel_iid(k), rel_expected_interface(M.objects[o].obj.kind, k));
        return;
    }
    iid.Data1 = take32(in);
    iid.Data2 = (USHORT)take32(in);
    iid.Data3 = (USHORT)take32(in);
    for (k = 0; k < 8; k++)
        iid.Data4[k] = (UCHAR)take(in);
    for (k = 0; k < REL_IID_COUNT; k++)
        if (kcom_guid_equal(&iid, rel_iid(k)))
            expected = rel_expected_interface(M.objects[o].obj.kind, k);
    query(o, p, &iid, expected);
}

static void do_addref(input *in)
{
    int o = pick_object(in, REL_CLASS_COUNT);
    m_object *obj;
    IUnknown *p;
    ULONG count;
    if (o < 0)
        return;
    obj = &M.objects[o];
    p = pick_interface(in, obj);
    count = p->lpVtbl->AddRef(p);
    obj->held++;
    CHECK(count == (ULONG)(obj->held + obj->work), "%s: AddRef returned %lu, model %ld", rel_class_name(obj->obj.kind),
          (unsigned long)count, (long)(obj->held + obj->work));
}

static void do_release(input *in)
{
    int o = pick_object(in, REL_CLASS_COUNT);
    m_object *obj;
    IUnknown *p;
    ULONG count;
    if (o < 0)
        return;
    obj = &M.objects[o];
    p = pick_interface(in, obj);
    obj->held--;
    count = p->lpVtbl->Release(p);
    CHECK(count == (ULONG)(obj->held + obj->work), "%s: Release returned %lu, model %ld", rel_class_name(obj->obj.kind),
          (unsigned long)count, (long)(obj->held + obj->work));
    if (obj->held + obj->work == 0) {
        M.destroyed_expected[obj->obj.kind]++;
        obj->used = FALSE;
    }
}

static void do_tag(input *in)
{
    int o = pick_object(in, REL_CLASS_COUNT);
    ULONG tag = 0, expected = 0;
    if (o < 0)
        return;
    if (rel_call_tag(&M.objects[o].obj, (int)(take(in) % (ULONG)M.objects[o].obj.interface_count), &tag, &expected))
        CHECK(tag == expected, "Tag returned %08lx, model %08lx", (unsigned long)tag, (unsigned long)expected);
}

/* An async call on a Reader. */
static void do_read(input *in, int which)
{
    int o = pick_object(in, REL_READER), i = free_op(), source = -1;
    IRelReader *reader;
    IAsyncULONG *op = NULL;
    ULONG parameter = take(in);
    LONG before;
    m_op *m;
    if (o < 0 || i < 0)
        return;
    reader = (IRelReader *)(void *)M.objects[o].obj.identity;
    if (which == A_READ_LATER) {
        source = pick_op(in);
        /* any number of waiters per operation; but not one that was begun and not committed (the
         * wait's reference would keep it from being destroyed when the fuzzer lets go of it, and
         * it would never finish) */
        if (source < 0 || !committed(&M.ops[source]))
            return;
    }
    before = rel_alloc_failures();
    switch (which) {
    case A_READ_NOW:
        op = IRelReader_ReadNow(reader, parameter);
        break;
    case A_READ_LATER:
        op = IRelReader_ReadLater(reader, M.ops[source].op);
        break;
    case A_READ_YIELD:
        parameter %= 4;
        op = IRelReader_ReadYield(reader, parameter);
        break;
    default:
        parameter = (ULONG)failures[parameter % FAILURE_COUNT];
        op = IRelReader_ReadFail(reader, (NTSTATUS)parameter);
        break;
    }
    if (adopt(i, which == A_READ_NOW    ? OPK_NOW
                 : which == A_READ_LATER ? OPK_LATER
                 : which == A_READ_YIELD ? OPK_YIELD
                                         : OPK_FAIL,
              IAsyncULONG_generic(op), rel_alloc_failures() - before, 2, TRUE) < 0)
        return;
    m = &M.ops[i];
    switch (which) {
    case A_READ_NOW:
        m->status = KCOM_ASYNC_COMPLETED;
        m->value = REL_READ_NOW_VALUE(parameter);
        m->finished = TRUE;
        break;
    case A_READ_LATER: {
        m_op *s = &M.ops[source];
        if (s->finished) {
            m->finished = TRUE;
            if (s->status == KCOM_ASYNC_COMPLETED) {
                m->status = KCOM_ASYNC_COMPLETED;
                m->value = s->value + 1;
            } else {
                m->status = KCOM_ASYNC_ERROR;
                m->error = read_later_error(s->status, s->error);
            }
        } else {
            m->source = source;
            m->awaited_at = ++M.awaits;
            if (s->slot_holder < 0) {
                s->slot_holder = i;
                m->in_slot = TRUE;
            }
            m->object = o;
            M.objects[o].work++;
        }
        break;
    }
    case A_READ_YIELD:
        m->target = parameter;
        if (parameter == 0) {
            m->status = KCOM_ASYNC_COMPLETED;
            m->finished = TRUE;
        } else {
            m->polls_left = (LONG)parameter;
            m->object = o;
            M.objects[o].work++;
            queue_push(i); /* it yielded in its first poll */
        }
        break;
    default:
        /* a start function failing with STATUS_CANCELLED makes the operation Canceled */
        m->status = (NTSTATUS)parameter == STATUS_CANCELLED ? KCOM_ASYNC_CANCELED : KCOM_ASYNC_ERROR;
        m->error = (NTSTATUS)parameter;
        m->finished = TRUE;
        break;
    }
}

static void do_source(input *in)
{
    int i = free_op();
    ULONG choice = take(in);
    BOOLEAN typed = (BOOLEAN)(choice & 1);
    IKcomAsyncOperation *op = NULL;
    LONG before = rel_alloc_failures();
    NTSTATUS status;
    if (i < 0)
        return;
    status = kcom_async_operation_create(choice & 2 ? &rel_alloc.allocator : NULL, typed ? &IID_IAsyncULONG : NULL,
                                         sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op);
    CHECK(status == (rel_alloc_failures() != before ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS),
          "kcom_async_operation_create: %s", kcom_status_name(status));
    if (adopt(i, OPK_SOURCE, op, rel_alloc_failures() - before, 2, typed) >= 0)
        M.ops[i].status = KCOM_ASYNC_STARTED;
}

/* complete (fail_status 0) or fail a source; any operation, the model says what must happen. */
static void producer_end(int i, NTSTATUS fail_status, ULONG value)
{
    m_op *m = &M.ops[i];
    NTSTATUS status, expected;
    status = fail_status == 0 ? kcom_async_operation_complete(m->op, &value)
                              : kcom_async_operation_fail(m->op, fail_status);
    if (fail_status != 0 && NT_SUCCESS(fail_status))
        expected = STATUS_INVALID_PARAMETER;
    else if (m->kind != OPK_SOURCE)
        expected = STATUS_INVALID_DEVICE_STATE;
    else if (m->finished) /* a cancel finishes a source at once; its producer learns it here */
        expected = m->status == KCOM_ASYNC_CANCELED ? STATUS_CANCELLED : STATUS_INVALID_DEVICE_STATE;
    else
        expected = STATUS_SUCCESS;
    CHECK(status == expected, "%s of op %d (kind %d): %s, model %s", fail_status == 0 ? "complete" : "fail", i, m->kind,
          kcom_status_name(status), kcom_status_name(expected));
    if (expected != STATUS_SUCCESS)
        return;
    if (fail_status == 0)
        op_finish(i, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, value);
    else
        op_finish(i, fail_status == STATUS_CANCELLED ? KCOM_ASYNC_CANCELED : KCOM_ASYNC_ERROR, fail_status, 0);
}

static void do_cancel(input *in)
{
    int i = pick_op(in);
    m_op *m;
    NTSTATUS status;
    if (i < 0)
        return;
    m = &M.ops[i];
    status = IKcomAsyncOperation_cancel(m->op);
    if (m->status != KCOM_ASYNC_STARTED) {
        CHECK(status == STATUS_INVALID_DEVICE_STATE, "cancel of op %d in %ld: %s", i, (long)m->status,
              kcom_status_name(status));
        return;
    }
    CHECK(status == STATUS_SUCCESS, "cancel of op %d: %s", i, kcom_status_name(status));
    if (m->kind == OPK_SOURCE) {
        /* finished at once: its cancel routine, then the callback, then its waiters */
        if (m->routine_set) {
            m->routine_set = FALSE;
            m->routine_claimed = TRUE;
        }
        op_finish(i, KCOM_ASYNC_CANCELED, STATUS_SUCCESS, 0);
        return;
    }
    m->status = KCOM_ASYNC_CANCELED;
    if (m->kind == OPK_LATER || m->kind == OPK_YIELD || m->kind == OPK_SPAWN || m->kind == OPK_EWAIT) {
        m->cancel_requested = TRUE;
        /* the cancel wakes it; a task not committed yet is not queued (its first poll sees it) */
        if (!m->queued && (m->committed || (m->kind != OPK_SPAWN && m->kind != OPK_EWAIT)))
            queue_push(i);
    }
}

static void do_set_callback(input *in)
{
    int i = pick_op(in);
    m_op *m;
    NTSTATUS status;
    if (i < 0)
        return;
    m = &M.ops[i];
    status = IKcomAsyncOperation_set_completed(m->op, fuzz_callback, m);
    if (m->is_static) {
        CHECK(status == STATUS_SUCCESS, "set_completed on the static operation: %s", kcom_status_name(status));
        m->callback_set = TRUE;
        m->expected_calls++;
        return;
    }
    if (m->callback_set) {
        CHECK(status == STATUS_ALREADY_REGISTERED, "a second set_completed: %s", kcom_status_name(status));
        return;
    }
    CHECK(status == STATUS_SUCCESS, "set_completed: %s", kcom_status_name(status));
    m->callback_set = TRUE;
    if (m->finished)
        m->expected_calls++;
}

static void do_op_qi(input *in)
{
    int i = pick_op(in), k;
    m_op *m;
    void *out = TEST_POISON_PTR;
    const IID *iid;
    BOOLEAN answers;
    NTSTATUS status;
    if (i < 0)
        return;
    m = &M.ops[i];
    k = (int)(take(in) % 4);
    iid = k == 0 ? &IID_IUnknown : k == 1 ? &IID_IKcomAsyncOperation : k == 2 ? &IID_IAsyncULONG : &IID_IOther1;
    answers = (BOOLEAN)(k < 2 || (k == 2 && m->typed));
    status = IKcomAsyncOperation_QueryInterface(m->op, iid, &out);
    if (!answers) {
        CHECK(status == STATUS_NOINTERFACE && out == NULL, "op %d QueryInterface(%d): %s", i, k, kcom_status_name(status));
        return;
    }
    CHECK(status == STATUS_SUCCESS && out == (void *)m->op, "op %d QueryInterface(%d): %s %p", i, k,
          kcom_status_name(status), out);
    m->held++;
}

static void do_op_release(int i, ULONG complete_value)
{
    m_op *m = &M.ops[i];
    ULONG count;
    /* the producer ends a source before it lets go of it */
    if (m->held == 1 && m->kind == OPK_SOURCE && !m->finished)
        producer_end(i, 0, complete_value);
    m->held--;
    count = IKcomAsyncOperation_Release(m->op);
    if (m->is_static)
        CHECK(count == 1, "the static operation's Release returned %lu", (unsigned long)count);
    if (m->held == 0 && (m->kind == OPK_SPAWN || m->kind == OPK_EWAIT) && !m->committed) {
        /* released before it was committed: destroyed, its drop ran, it never finishes */
        CHECK(count == 0, "an uncommitted operation's last Release returned %lu", (unsigned long)count);
        M.spawn_states--;
        m->used = FALSE;
        return;
    }
    op_forget_if_done(i);
}

static void do_spawn(input *in)
{
    int i = free_op();
    ULONG choice = take(in);
    fuzz_spawn_state initial;
    IKcomAsyncOperation *op = NULL;
    LONG before = rel_alloc_failures();
    NTSTATUS status;
    if (i < 0)
        return;
    memset(&initial, 0, sizeof(initial));
    initial.target = choice % 8;
    status = kcom_async_spawn(&fuzz_spawn_desc, &manual.executor, choice & 8 ? &rel_alloc.allocator : NULL, &initial,
                              &op);
    CHECK(status == (rel_alloc_failures() != before ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS),
          "kcom_async_spawn: %s", kcom_status_name(status));
    if (adopt(i, OPK_SPAWN, op, rel_alloc_failures() - before, 2, TRUE) < 0)
        return;
    M.ops[i].target = initial.target;
    M.ops[i].polls_left = (LONG)initial.target + 1;
    M.ops[i].committed = TRUE;
    M.spawn_states++;
    M.spawned++;
    queue_push(i);
}

static void do_create_error(input *in)
{
    int i = free_op();
    ULONG choice = take(in);
    NTSTATUS error = choice & 1 ? STATUS_SUCCESS : failures[(choice >> 1) % FAILURE_COUNT];
    IKcomAsyncOperation *op = NULL;
    LONG before = rel_alloc_failures();
    NTSTATUS status;
    if (i < 0)
        return;
    status = kcom_async_operation_create_error(&rel_alloc.allocator, choice & 2 ? &IID_IAsyncULONG : NULL, error, &op);
    if (rel_alloc_failures() != before) {
        /* the static error operation; a success error is still reported as the invalid argument */
        CHECK(status == (NT_SUCCESS(error) ? STATUS_INVALID_PARAMETER : STATUS_INSUFFICIENT_RESOURCES),
              "create_error: %s", kcom_status_name(status));
        (void)adopt(i, OPK_ERROR, op, rel_alloc_failures() - before, 1, FALSE);
        return;
    }
    CHECK(status == (NT_SUCCESS(error) ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS), "create_error: %s",
          kcom_status_name(status));
    (void)adopt(i, OPK_ERROR, op, 0, 1, (BOOLEAN)((choice & 2) != 0));
    M.ops[i].status = KCOM_ASYNC_ERROR;
    M.ops[i].error = NT_SUCCESS(error) ? STATUS_INVALID_PARAMETER : error;
    M.ops[i].finished = TRUE;
}

static void do_block_on(input *in)
{
    int i = pick_op(in);
    m_op *m;
    NTSTATUS status, expected;
    if (i < 0)
        return;
    m = &M.ops[i];
    status = kcom_async_block_on(m->op, 0);
    expected = m->finished ? STATUS_SUCCESS : STATUS_TIMEOUT; /* any number of waiters */
    CHECK(status == expected, "block_on(0) of op %d: %s, model %s", i, kcom_status_name(status),
          kcom_status_name(expected));
}

static void fuzz_cancel_routine(IKcomAsyncOperation *operation, void *context)
{
    m_op *m = (m_op *)context;
    kcom_async_status now = -1;
    (void)IKcomAsyncOperation_get_status(operation, &now);
    if (now != KCOM_ASYNC_CANCELED)
        m->mismatches++;
    m->routine_calls++;
}

/* A producer's cancel routine: registered (even choice) or taken back (odd). */
static void do_cancel_routine(input *in)
{
    int i = pick_op(in);
    ULONG choice = take(in);
    m_op *m;
    NTSTATUS status, expected;
    if (i < 0)
        return;
    m = &M.ops[i];
    if (choice % 2 == 0) {
        status = kcom_async_operation_set_cancel_routine(m->op, fuzz_cancel_routine, m);
        if (m->kind != OPK_SOURCE)
            expected = STATUS_INVALID_DEVICE_STATE;
        else if (m->routine_registered)
            expected = STATUS_ALREADY_REGISTERED;
        else if (m->finished)
            expected = m->status == KCOM_ASYNC_CANCELED ? STATUS_CANCELLED : STATUS_INVALID_DEVICE_STATE;
        else
            expected = STATUS_SUCCESS;
        CHECK(status == expected, "set_cancel_routine of op %d (kind %d): %s, model %s", i, m->kind,
              kcom_status_name(status), kcom_status_name(expected));
        if (expected == STATUS_SUCCESS)
            m->routine_registered = m->routine_set = TRUE;
        return;
    }
    status = kcom_async_operation_clear_cancel_routine(m->op);
    if (m->kind == OPK_ERROR && !m->is_static)
        expected = STATUS_NOT_FOUND; /* a producer's operation, finished from the start */
    else if (m->kind != OPK_SOURCE)
        expected = STATUS_INVALID_DEVICE_STATE;
    else if (m->routine_claimed)
        expected = STATUS_CANCELLED;
    else if (!m->routine_set)
        expected = STATUS_NOT_FOUND;
    else
        expected = STATUS_SUCCESS;
    CHECK(status == expected, "clear_cancel_routine of op %d (kind %d): %s, model %s", i, m->kind,
          kcom_status_name(status), kcom_status_name(expected));
    if (expected == STATUS_SUCCESS)
        m->routine_set = FALSE;
}

static const char *const action_names[A_COUNT] = {
    "create", "qi", "qi_random", "addref", "release", "tag", "read_now", "read_later", "read_yield", "read_fail",
    "source", "complete", "fail", "cancel", "set_callback", "query", "op_qi", "op_addref", "op_release", "step",
    "fail_nth", "fail_from", "fail_none", "spawn", "create_error", "block_on", "event_set", "event_reset",
    "begin", "commit", "abandon", "cancel_routine"};

/* KCOM_FUZZ_TRACE=1 in the environment: each action, and the model's operations after it. */
static int trace_actions = -1;

static void trace_model(ULONG action, size_t at)
{
    int i;
    fprintf(stderr, "@%zu %s:", at, action_names[action]);
    for (i = 0; i < MAX_OPS; i++)
        if (M.ops[i].used)
            fprintf(stderr, " op%d(k%d h%ld s%ld%s%s)", i, M.ops[i].kind, (long)M.ops[i].held, (long)M.ops[i].status,
                    M.ops[i].finished ? " fin" : "", M.ops[i].queued ? " q" : "");
    for (i = 0; i < MAX_OBJECTS; i++)
        if (M.objects[i].used)
            fprintf(stderr, " obj%d(%s h%ld w%ld)", i, rel_class_name(M.objects[i].obj.kind), (long)M.objects[i].held,
                    (long)M.objects[i].work);
    fputc('\n', stderr);
}

static BOOLEAN runs_task(const m_op *m)
{
    return (BOOLEAN)(m->kind != OPK_SOURCE && m->kind != OPK_ERROR);
}

/* Committed: async method calls always; spawned tasks once committed (or abandoned). */
static BOOLEAN committed(const m_op *m)
{
    return (BOOLEAN)(m->kind != OPK_SPAWN && m->kind != OPK_EWAIT ? TRUE : m->committed);
}

static void do_event(input *in, BOOLEAN set)
{
    int e = (int)(take(in) % EVENTS), k;
    BOOLEAN was = set ? kcom_async_event_set(&events[e]) : kcom_async_event_reset(&events[e]);
    CHECK(was == M.events[e].set, "event %d was %d, model %d", e, (int)was, (int)M.events[e].set);
    M.events[e].set = set;
    if (!set)
        return;
    /* every task registered is woken, in the order they registered */
    for (k = 0; k < M.events[e].count; k++) {
        m_op *m = &M.ops[M.events[e].waiters[k]];
        m->registered = FALSE;
        m->woken = TRUE;
        if (!m->queued)
            queue_push(M.events[e].waiters[k]);
    }
    M.events[e].count = 0;
}

/* kcom_async_spawn_begin: a counting task or an event task, not committed yet. */
static void do_begin(input *in)
{
    int i = free_op();
    ULONG choice = take(in);
    BOOLEAN event_task = (BOOLEAN)(choice & 1);
    void *state = NULL;
    IKcomAsyncOperation *op = NULL;
    LONG before = rel_alloc_failures();
    NTSTATUS status;
    if (i < 0)
        return;
    status = kcom_async_spawn_begin(event_task ? &fuzz_event_desc : &fuzz_spawn_desc, &manual.executor,
                                    choice & 2 ? &rel_alloc.allocator : NULL, &state, &op);
    CHECK(status == (rel_alloc_failures() != before ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS),
          "kcom_async_spawn_begin: %s", kcom_status_name(status));
    if (adopt(i, event_task ? OPK_EWAIT : OPK_SPAWN, op, rel_alloc_failures() - before, 2, TRUE) < 0) {
        CHECK(state == NULL, "a state with an error operation");
        return;
    }
    CHECK(state != NULL, "no state");
    if (event_task) {
        fuzz_event_state *s = (fuzz_event_state *)state;
        s->index = (choice >> 2) % EVENTS;
        kcom_async_event_await_init(&s->wait, &events[s->index]);
        M.ops[i].event = (int)s->index;
    } else {
        fuzz_spawn_state *s = (fuzz_spawn_state *)state;
        s->target = (choice >> 2) % 8;
        M.ops[i].target = s->target;
        M.ops[i].polls_left = (LONG)s->target + 1;
    }
    M.spawn_states++;
    M.spawned++;
}

static void do_commit(input *in)
{
    int i = pick_op(in);
    m_op *m;
    NTSTATUS status, expected;
    if (i < 0)
        return;
    m = &M.ops[i];
    status = kcom_async_spawn_commit(m->op);
    if (runs_task(m))
        expected = committed(m) ? STATUS_INVALID_DEVICE_STATE : STATUS_SUCCESS;
    else {
        /* not an operation run by a task: its result's status, a success refused */
        expected = m->status == KCOM_ASYNC_STARTED     ? STATUS_PENDING
                   : m->status == KCOM_ASYNC_COMPLETED ? STATUS_SUCCESS
                   : m->status == KCOM_ASYNC_CANCELED  ? STATUS_CANCELLED
                                                       : m->error;
        if (NT_SUCCESS(expected))
            expected = STATUS_INVALID_DEVICE_STATE;
    }
    CHECK(status == expected, "commit of op %d (kind %d): %s, model %s", i, m->kind, kcom_status_name(status),
          kcom_status_name(expected));
    if (status == STATUS_SUCCESS) {
        m->committed = TRUE;
        queue_push(i);
    }
}

static void do_abandon(input *in)
{
    int i = pick_op(in);
    ULONG choice = take(in);
    NTSTATUS with = choice & 1 ? STATUS_PENDING : failures[(choice >> 1) % FAILURE_COUNT], status, expected;
    m_op *m;
    if (i < 0)
        return;
    m = &M.ops[i];
    status = kcom_async_spawn_abandon(m->op, with);
    expected = NT_SUCCESS(with) ? STATUS_INVALID_PARAMETER
               : !runs_task(m) || committed(m) ? STATUS_INVALID_DEVICE_STATE
                                               : STATUS_SUCCESS;
    CHECK(status == expected, "abandon of op %d (kind %d): %s, model %s", i, m->kind, kcom_status_name(status),
          kcom_status_name(expected));
    if (status == STATUS_SUCCESS) {
        m->committed = TRUE;
        op_finish(i, with == STATUS_CANCELLED ? KCOM_ASYNC_CANCELED : KCOM_ASYNC_ERROR, with, 0);
    }
}

static void act(input *in)
{
    size_t at = in->position;
    ULONG action = take(in) % A_COUNT;
    int i;
    if (trace_actions < 0)
        trace_actions = getenv("KCOM_FUZZ_TRACE") != NULL;
    switch (action) {
    case A_CREATE:
        do_create(in);
        break;
    case A_QI:
        do_qi(in, FALSE);
        break;
    case A_QI_RANDOM:
        do_qi(in, TRUE);
        break;
    case A_ADDREF:
        do_addref(in);
        break;
    case A_RELEASE:
        do_release(in);
        break;
    case A_TAG:
        do_tag(in);
        break;
    case A_READ_NOW:
    case A_READ_LATER:
    case A_READ_YIELD:
    case A_READ_FAIL:
        do_read(in, (int)action);
        break;
    case A_SOURCE:
        do_source(in);
        break;
    case A_COMPLETE:
        if ((i = pick_op(in)) >= 0)
            producer_end(i, 0, take32(in));
        break;
    case A_FAIL:
        if ((i = pick_op(in)) >= 0) {
            ULONG choice = take(in);
            producer_end(i, choice & 1 ? STATUS_PENDING : failures[(choice >> 1) % FAILURE_COUNT], 0);
        }
        break;
    case A_CANCEL:
        do_cancel(in);
        break;
    case A_SET_CALLBACK:
        do_set_callback(in);
        break;
    case A_QUERY:
        if ((i = pick_op(in)) >= 0)
            check_outcome(i);
        break;
    case A_OP_QI:
        do_op_qi(in);
        break;
    case A_OP_ADDREF:
        if ((i = pick_op(in)) >= 0) {
            (void)IKcomAsyncOperation_AddRef(M.ops[i].op);
            M.ops[i].held++;
        }
        break;
    case A_OP_RELEASE:
        if ((i = pick_op(in)) >= 0)
            do_op_release(i, take32(in));
        break;
    case A_STEP: {
        ULONG steps = 1 + take(in) % 4;
        while (steps-- > 0 && M.queue_length > 0) {
            model_step();
            CHECK(manual_run_some(&manual, 1) == 1, "the executor had nothing to run");
            verify();
        }
        break;
    }
    case A_FAIL_NTH:
        rel_alloc_reset(REL_FAIL_NTH, 1 + (LONG)(take(in) % 8));
        break;
    case A_FAIL_FROM:
        rel_alloc_reset(REL_FAIL_FROM, 1 + (LONG)(take(in) % 8));
        break;
    case A_FAIL_NONE:
        rel_alloc_reset(REL_FAIL_NONE, 0);
        break;
    case A_SPAWN:
        do_spawn(in);
        break;
    case A_CREATE_ERROR:
        do_create_error(in);
        break;
    case A_BLOCK_ON:
        do_block_on(in);
        break;
    case A_CANCEL_ROUTINE:
        do_cancel_routine(in);
        break;
    case A_EVENT_SET:
    case A_EVENT_RESET:
        do_event(in, (BOOLEAN)(action == A_EVENT_SET));
        break;
    case A_BEGIN:
        do_begin(in);
        break;
    case A_COMMIT:
        do_commit(in);
        break;
    default:
        do_abandon(in);
        break;
    }
    if (trace_actions)
        trace_model(action, at);
    verify();
}

/* ---- one input ------------------------------------------------------------------------------------------- */

static void cleanup(void)
{
    int i, steps = 0;
    rel_alloc_reset(REL_FAIL_NONE, 0);
    /* end every source still running, then let every task finish */
    for (i = 0; i < MAX_OPS; i++)
        if (M.ops[i].used && M.ops[i].held > 0 && M.ops[i].kind == OPK_SOURCE && !M.ops[i].finished) {
            producer_end(i, 0, (ULONG)i);
            verify();
        }
    for (i = 0; i < EVENTS; i++) {
        input set;
        unsigned char index = (unsigned char)i;
        set.data = &index;
        set.size = 1;
        set.position = 0;
        do_event(&set, TRUE);
    }
    verify();
    while (M.queue_length > 0) {
        CHECK(++steps < CLEANUP_STEPS, "the executor never runs dry");
        model_step();
        CHECK(manual_run_some(&manual, 1) == 1, "the executor had nothing to run");
        verify();
    }
    for (i = 0; i < MAX_OPS; i++) {
        if (!M.ops[i].used)
            continue;
        CHECK(M.ops[i].finished || !committed(&M.ops[i]), "op %d (kind %d) never finished", i, M.ops[i].kind);
        while (M.ops[i].used && M.ops[i].held > 0)
            do_op_release(i, 0);
        CHECK(!M.ops[i].used, "op %d still in the model", i);
    }
    for (i = 0; i < MAX_OBJECTS; i++) {
        m_object *obj = &M.objects[i];
        if (!obj->used)
            continue;
        CHECK(obj->work == 0, "an object still held by %ld calls", (long)obj->work);
        while (obj->used) {
            ULONG count;
            obj->held--;
            count = obj->obj.identity->lpVtbl->Release(obj->obj.identity);
            CHECK(count == (ULONG)obj->held, "Release returned %lu, model %ld", (unsigned long)count, (long)obj->held);
            if (obj->held == 0) {
                M.destroyed_expected[obj->obj.kind]++;
                obj->used = FALSE;
            }
        }
    }
    verify();
    CHECK(M.spawn_states == 0, "spawned states left in the model");
    CHECK(spawn_drops - M.spawn_drops_base == M.spawned, "%ld spawned states dropped, %ld spawned",
          (long)(spawn_drops - M.spawn_drops_base), (long)M.spawned);
    CHECK(rel_reader_starts - M.starts_base == rel_reader_drops - M.drops_base, "async call states not dropped");
    CHECK(rel_alloc_live() == 0, "%ld blocks left allocated", (long)rel_alloc_live());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in;
    int i;
    if (!initialized) {
        if (!NT_SUCCESS(kcom_initialize()))
            abort();
        rel_alloc_init();
        kcom_atomic_store(&rel_alloc.record_sites, 0);
        kcom_set_default_allocator(&rel_alloc.allocator);
        manual_init(&manual);
        kcom_set_default_executor(&manual.executor);
        initialized = TRUE;
    }
    memset(&M, 0, sizeof(M));
    for (i = 0; i < EVENTS; i++)
        kcom_async_event_init(&events[i], FALSE);
    for (i = 0; i < REL_CLASS_COUNT; i++)
        M.destroyed_base[i] = rel_destroyed[i];
    M.starts_base = rel_reader_starts;
    M.spawn_drops_base = spawn_drops;
    M.drops_base = rel_reader_drops;
    rel_alloc_reset(REL_FAIL_NONE, 0);
    in.data = data;
    in.size = size;
    in.position = 0;
    while (in.position < in.size)
        act(&in);
    cleanup();
    return 0;
}
