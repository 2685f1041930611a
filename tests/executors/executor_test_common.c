/*
 * executor_test_common.c - see executor_test_common.h.
 */
#include "executor_test_common.h"

#include <string.h>

kcom_counting_allocator counter;

void begin(void)
{
    ok(kcom_initialize() == STATUS_SUCCESS, "initialize\n");
    kcom_counting_allocator_init(&counter, NULL);
}

void end(void)
{
    ok(kcom_counting_allocator_live(&counter) == 0, "%ld blocks still allocated\n",
       (long)kcom_counting_allocator_live(&counter));
    ok(kcom_uninitialize() == STATUS_SUCCESS, "kcom_uninitialize: nothing armed\n");
}

IAsyncULONG *spawn_on(const kcom_async_task_desc *desc, const kcom_executor *executor, const void *initial)
{
    IKcomAsyncOperation *op = NULL;
    NTSTATUS status = kcom_async_spawn(desc, executor, &counter.allocator, initial, &op);
    ok(status == STATUS_SUCCESS && op != NULL, "spawn: %s\n", kcom_status_name(status));
    return IAsyncULONG_from(op);
}

void expect(IAsyncULONG *op, NTSTATUS expected)
{
    ULONG value = 0;
    NTSTATUS status = IAsyncULONG_get_result(op, &value);
    ok(status == expected, "result %s, expected %s\n", kcom_status_name(status), kcom_status_name(expected));
    IAsyncULONG_Release(op);
}

ULONG finish(IAsyncULONG *op, NTSTATUS expected)
{
    ULONG value = 0;
    NTSTATUS status = kcom_async_block_on(IAsyncULONG_generic(op), 20000);
    ok(status == STATUS_SUCCESS, "block_on: %s\n", kcom_status_name(status));
    status = IAsyncULONG_get_result(op, &value);
    ok(status == expected, "result %s, expected %s\n", kcom_status_name(status), kcom_status_name(expected));
    IAsyncULONG_Release(op);
    return value;
}

/* ---- a woken task is not starved by one that keeps yielding ---------------------------------------------- */

typedef struct starve_state {
    kcom_task *volatile *slot; /* the parked task leaves its waker here at its first poll */
    LONG volatile *stop;       /* the parked task's second poll sets it; the yielder yields until then */
    BOOLEAN parked;            /* which of the two tasks this is */
    ULONG polls;
} starve_state;

static kcom_poll_result starve_poll(void *p, kcom_task_context *cx)
{
    starve_state *s = (starve_state *)p;
    if (s->parked && s->polls++ == 0) {
        kcom_waker w = kcom_task_waker(cx);
        kcom_atomic_store_ptr((void *volatile *)s->slot, w.task);
        return KCOM_POLL_PENDING;
    }
    if (s->parked)
        kcom_atomic_store(s->stop, 1);
    else if (kcom_atomic_load(s->stop) == 0) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc starve_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, starve_state, starve_poll, NULL);

void check_woken_task_not_starved(const kcom_executor *executor)
{
    LONG volatile stop = 0;
    kcom_task *volatile slot = NULL;
    starve_state parked, yielder;
    IAsyncULONG *waiting, *yielding;
    ULONG64 deadline = test_now_ms() + 20000;
    kcom_waker w;
    memset(&parked, 0, sizeof(parked));
    parked.slot = &slot;
    parked.stop = &stop;
    parked.parked = TRUE;
    yielder = parked;
    yielder.parked = FALSE;
    waiting = spawn_on(&starve_desc, executor, &parked);
    while ((w.task = (kcom_task *)kcom_atomic_load_ptr((void *volatile *)&slot)) == NULL && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(w.task != NULL, "the first task parked\n");
    yielding = spawn_on(&starve_desc, executor, &yielder);
    test_sleep_ms(5); /* the yielder has the processor's queue to itself for a while */
    if (w.task != NULL)
        kcom_waker_wake(&w); /* from this thread: through the executor's shared queue */
    (void)finish(waiting, STATUS_SUCCESS);
    ok(kcom_atomic_load(&stop) == 1, "the woken task was polled while the other one kept yielding\n");
    kcom_atomic_store(&stop, 1); /* (if it never was) */
    (void)finish(yielding, STATUS_SUCCESS);
}
