/*
 * test_blocking_wait.c - kcom_async_block_on and kcom_async_try_block_on on the host's simulation
 * of the kernel: refused at DISPATCH_LEVEL (and failing fast there with the debug option on), the
 * debug watchdog reporting a long wait, and waits for operations implemented outside kcom (through
 * their completion callback, or by reading their status when the callback is taken).
 */
#include "executor_test_common.h"
#include "../host/child_process.h"

#include <kcom/debug.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- blocking waits at DISPATCH_LEVEL ------------------------------------------------------------------- */

static void block_on_at_dispatch_child(const void *context)
{
    IKcomAsyncOperation *op = (IKcomAsyncOperation *)(ULONG_PTR)context;
    UCHAR old;
    kcom_set_trace_hook(kcom_test_child_trace_hook, NULL);
    old = kcom_platform_raise_to_dispatch();
    if (kcom_async_try_block_on(op, 0) != STATUS_INVALID_DEVICE_STATE)
        _exit(2);
    (void)kcom_async_block_on(op, 0);
    kcom_platform_lower_irql(old);
    _exit(0);
}

static void blocking_wait_refused(void)
{
    IKcomAsyncOperation *op = NULL;
    kcom_debug_options options, saved;
    UCHAR irql;
    begin();
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op) == STATUS_SUCCESS,
       "create\n");
    kcom_get_debug_options(&saved);
    options = saved;
    options.assert_irql = FALSE;
    ok(kcom_set_debug_options(&options) == STATUS_SUCCESS, "options\n");
    irql = kcom_platform_raise_to_dispatch();
    ok(kcom_async_try_block_on(op, 0) == STATUS_INVALID_DEVICE_STATE, "try_block_on at DISPATCH_LEVEL\n");
    ok(kcom_async_block_on(op, 0) == STATUS_INVALID_DEVICE_STATE, "block_on at DISPATCH_LEVEL\n");
    kcom_platform_lower_irql(irql);
    ok(kcom_async_try_block_on(op, 0) == STATUS_TIMEOUT, "at PASSIVE_LEVEL it waits\n");

    /* with the assertion on, block_on stops the program; try_block_on still only refuses */
    options.assert_irql = TRUE;
    ok(kcom_set_debug_options(&options) == STATUS_SUCCESS, "options\n");
    /* the report names the call and the IRQL, besides the fail-fast's figures */
    kcom_test_child_fails_fast("block_on at DISPATCH_LEVEL", block_on_at_dispatch_child, op, "fail-fast 7",
                               "kcom_async_block_on at IRQL 2: a blocking wait needs IRQL <= 1");
    ok(kcom_set_debug_options(&saved) == STATUS_SUCCESS, "options restored\n");
    op->lpVtbl->Release(op);
    end();
}

/* ---- the watchdog --------------------------------------------------------------------------------------- */

static LONG volatile watchdog_reports;

static void watchdog_hook(void *context, kcom_trace_level level, const char *file, int line, const char *format,
                          va_list args)
{
    char text[256];
    (void)context;
    (void)file;
    (void)line;
    vsnprintf(text, sizeof(text), format, args);
    if (level == KCOM_TRACE_LEVEL_WARNING && strstr(text, "suspected deadlock") != NULL)
        kcom_atomic_fetch_add(&watchdog_reports, 1);
}

/* The watchdog on, every 20 ms, its reports counted (*saved: the options to restore). */
static void watchdog_on(kcom_debug_options *saved)
{
    kcom_debug_options options;
    kcom_get_debug_options(saved);
    options = *saved;
    options.wait_watchdog_ms = 20;
    ok(kcom_set_debug_options(&options) == STATUS_SUCCESS, "options\n");
    kcom_set_trace_hook(watchdog_hook, NULL);
    watchdog_reports = 0;
}

static void watchdog_off(const kcom_debug_options *saved)
{
    kcom_set_trace_hook(NULL, NULL);
    ok(kcom_set_debug_options(saved) == STATUS_SUCCESS, "options restored\n");
}

static void *complete_later(void *arg)
{
    ULONG value = 5;
    while (kcom_atomic_load(&watchdog_reports) < 2)
        test_sleep_ms(1);
    (void)kcom_async_operation_complete((IKcomAsyncOperation *)arg, &value);
    return NULL;
}

static void watchdog(void)
{
    IKcomAsyncOperation *op = NULL;
    kcom_debug_options saved;
    test_thread thread;
    begin();
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op) == STATUS_SUCCESS,
       "create\n");
    watchdog_on(&saved);
    test_thread_start(&thread, complete_later, op);
    ok(kcom_async_block_on(op, KCOM_ASYNC_INFINITE) == STATUS_SUCCESS, "the wait ends when the operation does\n");
    test_thread_join(&thread);
    ok(watchdog_reports >= 2, "%ld watchdog reports\n", (long)watchdog_reports);
    watchdog_off(&saved);
    op->lpVtbl->Release(op);
    end();
}

/* The watchdog's last report: the milliseconds it said the wait had lasted. */
static LONG volatile watchdog_last_ms;

static void watchdog_time_hook(void *context, kcom_trace_level level, const char *file, int line,
                               const char *format, va_list args)
{
    char text[256];
    const char *after;
    (void)context;
    (void)file;
    (void)line;
    vsnprintf(text, sizeof(text), format, args);
    if (level == KCOM_TRACE_LEVEL_WARNING && (after = strstr(text, "not finished after ")) != NULL)
        kcom_atomic_store(&watchdog_last_ms, (LONG)strtoul(after + strlen("not finished after "), NULL, 10));
}

/* A wait with a timeout under a short watchdog period lasts its timeout, as without the watchdog,
 * and each report says how long the wait has lasted: the periods are measured on the clock, not
 * added up (each wait of a period lasts a little longer than the period). */
static void watchdog_keeps_timeout(void)
{
    IKcomAsyncOperation *op = NULL;
    kcom_debug_options saved, options;
    ULONG64 start, elapsed;
    NTSTATUS status;
    begin();
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op) ==
           STATUS_SUCCESS,
       "create\n");
    kcom_get_debug_options(&saved);
    options = saved;
    options.wait_watchdog_ms = 1;
    ok(kcom_set_debug_options(&options) == STATUS_SUCCESS, "options\n");
    kcom_set_trace_hook(watchdog_time_hook, NULL);
    watchdog_last_ms = 0;
    start = kcom_platform_monotonic_ms();
    status = kcom_async_block_on(op, 300);
    elapsed = kcom_platform_monotonic_ms() - start;
    kcom_set_trace_hook(NULL, NULL);
    ok(kcom_set_debug_options(&saved) == STATUS_SUCCESS, "options restored\n");
    ok(status == STATUS_TIMEOUT, "a 300 ms wait times out: %s\n", kcom_status_name(status));
    ok(elapsed >= 300 && elapsed < 360, "a 300 ms wait under a 1 ms watchdog took %lu ms\n", (unsigned long)elapsed);
    ok(watchdog_last_ms > 0 && (ULONG64)watchdog_last_ms <= elapsed && (ULONG64)watchdog_last_ms + 30 >= elapsed,
       "the last report said %ld ms, of %lu\n", (long)watchdog_last_ms, (unsigned long)elapsed);
    op->lpVtbl->Release(op);
    end();
}

/* ---- operations implemented outside kcom ---------------------------------------------------------------- */

/* A minimal hand-written operation: completed by a thread after a delay, with a callback slot that
 * can be taken in advance. */
typedef struct foreign_op {
    IKcomAsyncOperation iface;
    LONG volatile refs;
    LONG volatile status;
    kcom_async_completed_fn *volatile callback;
    void *volatile callback_context;
    LONG volatile callback_taken;
    NTSTATUS fail_get_status; /* non-zero: get_status fails with it */
} foreign_op;

static foreign_op *foreign_from(IKcomAsyncOperation *This)
{
    return (foreign_op *)(void *)This;
}

static NTSTATUS KCOM_STDCALL foreign_QueryInterface(IKcomAsyncOperation *This, REFIID riid, void **ppv)
{
    if (ppv == NULL)
        return STATUS_INVALID_PARAMETER;
    *ppv = NULL;
    if (riid == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!kcom_guid_equal(riid, &IID_IUnknown) && !kcom_guid_equal(riid, &IID_IKcomAsyncOperation))
        return STATUS_NOINTERFACE;
    kcom_atomic_fetch_add(&foreign_from(This)->refs, 1);
    *ppv = This;
    return STATUS_SUCCESS;
}

static ULONG KCOM_STDCALL foreign_AddRef(IKcomAsyncOperation *This)
{
    return (ULONG)kcom_atomic_fetch_add(&foreign_from(This)->refs, 1) + 1u;
}

static ULONG KCOM_STDCALL foreign_Release(IKcomAsyncOperation *This)
{
    return (ULONG)kcom_atomic_fetch_add(&foreign_from(This)->refs, -1) - 1u; /* static storage */
}

static NTSTATUS KCOM_STDCALL foreign_get_status(IKcomAsyncOperation *This, kcom_async_status *status)
{
    if (status == NULL)
        return STATUS_INVALID_PARAMETER;
    if (foreign_from(This)->fail_get_status != 0)
        return foreign_from(This)->fail_get_status;
    *status = kcom_atomic_load(&foreign_from(This)->status);
    return STATUS_SUCCESS;
}

static NTSTATUS KCOM_STDCALL foreign_get_result(IKcomAsyncOperation *This, void *result)
{
    (void)result;
    return kcom_atomic_load(&foreign_from(This)->status) == KCOM_ASYNC_COMPLETED ? STATUS_SUCCESS : STATUS_PENDING;
}

static NTSTATUS KCOM_STDCALL foreign_cancel(IKcomAsyncOperation *This)
{
    (void)This;
    return STATUS_NOT_SUPPORTED;
}

static NTSTATUS KCOM_STDCALL foreign_set_completed(IKcomAsyncOperation *This, kcom_async_completed_fn *callback,
                                                   void *context)
{
    foreign_op *op = foreign_from(This);
    if (kcom_atomic_exchange(&op->callback_taken, 1) != 0)
        return STATUS_ALREADY_REGISTERED;
    op->callback_context = context;
    kcom_atomic_store_ptr((void *volatile *)&op->callback, (void *)(ULONG_PTR)callback);
    return STATUS_SUCCESS;
}

static const IKcomAsyncOperationVtbl foreign_vtbl = {foreign_QueryInterface, foreign_AddRef, foreign_Release,
                                                     foreign_get_status, foreign_get_result, foreign_cancel,
                                                     foreign_set_completed};

static void *foreign_complete_later(void *arg)
{
    foreign_op *op = (foreign_op *)arg;
    kcom_async_completed_fn *callback;
    test_sleep_ms(40);
    kcom_atomic_store(&op->status, KCOM_ASYNC_COMPLETED);
    callback = (kcom_async_completed_fn *)(ULONG_PTR)kcom_atomic_load_ptr((void *volatile *)&op->callback);
    if (callback != NULL)
        callback(&op->iface, KCOM_ASYNC_COMPLETED, op->callback_context);
    return NULL;
}

static void ignore_completion(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    (void)operation;
    (void)status;
    (void)context;
}

static void foreign_operations(void)
{
    static foreign_op op;
    test_thread thread;
    int round;
    begin();
    for (round = 0; round < 2; round++) {
        kcom_async_status status = KCOM_ASYNC_STARTED;
        memset(&op, 0, sizeof(op));
        op.iface.lpVtbl = &foreign_vtbl;
        op.refs = 1;
        if (round == 1)
            ok(foreign_set_completed(&op.iface, ignore_completion, NULL) == STATUS_SUCCESS, "callback taken\n");
        test_thread_start(&thread, foreign_complete_later, &op);
        ok(kcom_async_block_on(&op.iface, 20000) == STATUS_SUCCESS, "round %d: waited\n", round);
        ok(foreign_get_status(&op.iface, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED,
           "round %d: completed when the wait ended (%ld)\n", round, (long)status);
        test_thread_join(&thread);
        ok(op.refs == 1, "round %d: references balanced (%ld)\n", round, (long)op.refs);
    }
    /* a timeout on a foreign operation nobody completes */
    memset(&op, 0, sizeof(op));
    op.iface.lpVtbl = &foreign_vtbl;
    op.refs = 1;
    ok(kcom_async_block_on(&op.iface, 30) == STATUS_TIMEOUT, "timeout\n");
    /* nothing left behind on it: its owner still has its one completion slot */
    ok(op.callback == NULL, "the wait left a callback registered\n");
    ok(foreign_set_completed(&op.iface, ignore_completion, NULL) == STATUS_SUCCESS, "the owner's callback\n");
    ok(op.refs == 1, "references balanced (%ld)\n", (long)op.refs);
    /* a failing get_status is the answer, not a finish */
    op.fail_get_status = STATUS_ACCESS_DENIED;
    ok(kcom_async_block_on(&op.iface, 1000) == STATUS_ACCESS_DENIED, "get_status failure returned\n");
    end();
}

/* The watchdog reports a long wait on a foreign operation too (its status is read at intervals). */
static void *foreign_complete_after_reports(void *arg)
{
    while (kcom_atomic_load(&watchdog_reports) < 2)
        test_sleep_ms(1);
    kcom_atomic_store(&((foreign_op *)arg)->status, KCOM_ASYNC_COMPLETED);
    return NULL;
}

static void watchdog_foreign(void)
{
    static foreign_op op;
    kcom_debug_options saved;
    test_thread thread;
    begin();
    memset(&op, 0, sizeof(op));
    op.iface.lpVtbl = &foreign_vtbl;
    op.refs = 1;
    watchdog_on(&saved);
    test_thread_start(&thread, foreign_complete_after_reports, &op);
    ok(kcom_async_block_on(&op.iface, 20000) == STATUS_SUCCESS, "the wait ends when the operation does\n");
    test_thread_join(&thread);
    ok(watchdog_reports >= 2, "%ld watchdog reports\n", (long)watchdog_reports);
    /* a timeout shorter than the period reports nothing */
    watchdog_reports = 0;
    op.status = KCOM_ASYNC_STARTED;
    ok(kcom_async_block_on(&op.iface, 10) == STATUS_TIMEOUT, "timeout\n");
    ok(watchdog_reports == 0, "%ld watchdog reports within one period\n", (long)watchdog_reports);
    watchdog_off(&saved);
    end();
}

int main(void)
{
    static const char *const names[] = {"blocking_wait_refused", "wait_watchdog", "wait_watchdog_keeps_timeout",
                                        "wait_foreign_operations", "wait_watchdog_foreign"};
    static void (*const tests[])(void) = {blocking_wait_refused, watchdog, watchdog_keeps_timeout, foreign_operations,
                                          watchdog_foreign};
    return async_test_main(names, tests, 5);
}
