/*
 * The async tests' helpers for every target (async_test_common.h): the manual executor and the
 * callback recorder. Portable C11, built into each host test program and into the kernel test
 * driver alike.
 */
#include "async_test_common.h"

static NTSTATUS manual_schedule(void *context, kcom_task *task)
{
    manual_executor *m = (manual_executor *)context;
    m->scheduled++;
    if (!NT_SUCCESS(m->refuse))
        return m->refuse;
    task->link.next = &m->queue;
    task->link.prev = m->queue.prev;
    m->queue.prev->next = &task->link;
    m->queue.prev = &task->link;
    return STATUS_SUCCESS;
}

void manual_init(manual_executor *m)
{
    m->executor.schedule = manual_schedule;
    m->executor.context = m;
    m->executor.tracker = NULL;
    m->queue.next = m->queue.prev = &m->queue;
    m->scheduled = 0;
    m->refuse = STATUS_SUCCESS;
}

LONG manual_run(manual_executor *m)
{
    return manual_run_some(m, 0);
}

LONG manual_run_some(manual_executor *m, LONG max_runs)
{
    LONG runs = 0;
    while (m->queue.next != &m->queue && (max_runs == 0 || runs < max_runs)) {
        kcom_task_link *entry = m->queue.next;
        m->queue.next = entry->next;
        entry->next->prev = &m->queue;
        kcom_task_run(KCOM_TASK_FROM_LINK(entry));
        runs++;
    }
    return runs;
}

LONG manual_queued(const manual_executor *m)
{
    LONG n = 0;
    const kcom_task_link *entry;
    for (entry = m->queue.next; entry != &m->queue; entry = entry->next)
        n++;
    return n;
}

void record_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    callback_record *r = (callback_record *)context;
    kcom_async_status now = -1;
    kcom_atomic_fetch_add(&r->calls, 1);
    kcom_atomic_store(&r->status, status);
    r->operation = operation;
    if (r->release_in_callback)
        IKcomAsyncOperation_Release(operation); /* the caller's last one: ours must keep it alive */
    r->refs_seen = (LONG)IKcomAsyncOperation_AddRef(operation);
    IKcomAsyncOperation_Release(operation);
    /* still usable: a reference is held for the callback (ASan reports a use after free otherwise);
     * checked by the test thread afterwards: the harness counts are not thread-safe */
    (void)IKcomAsyncOperation_get_status(operation, &now);
    if (now != status)
        kcom_atomic_fetch_add(&r->mismatches, 1);
}

static kcom_poll_result ready_poll(void *state, kcom_task_context *cx)
{
    ready_task *s = (ready_task *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 7);
    KCOM_TASK_END(cx);
}

const kcom_async_task_desc ready_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, ready_task, ready_poll, NULL);
