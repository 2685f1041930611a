/*
 * kcom_uninitialize while one of kcom's executors still runs a task (one that yields until it is
 * canceled): refused with STATUS_INVALID_DEVICE_STATE once the runs under way had their time to
 * end, nothing stopped (the task still runs); once the task is canceled and the executor destroyed,
 * it succeeds. It used to wait forever on the host's simulation (for DPC queues that never went
 * quiet); on Windows, the executor's DPC or work item would have run after the driver's unload.
 * An executor that is idle does not stand in the way, nor does one whose last task has just
 * finished. A poll under way that arms a timer before it ends does.
 */
#include "executor_test_common.h"

#include <kcom/dpc_executor.h>
#include <kcom/work_item_executor.h>


/* Yields until canceled. */
typedef struct spin_state {
    LONG volatile *polls;
} spin_state;

static kcom_poll_result spin_poll(void *p, kcom_task_context *cx)
{
    spin_state *s = (spin_state *)p;
    kcom_atomic_fetch_add(s->polls, 1);
    if (kcom_task_take_cancellation_request(cx)) {
        cx->status = STATUS_CANCELLED;
        return KCOM_POLL_READY;
    }
    kcom_task_wake_self(cx);
    return KCOM_POLL_PENDING;
}

static const kcom_async_task_desc spin_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, spin_state, spin_poll, NULL);

/* Polled once, then done. */
static kcom_poll_result once_poll(void *p, kcom_task_context *cx)
{
    (void)p;
    KCOM_TASK_RESULT(cx, ULONG) = 1;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc once_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, spin_state, once_poll, NULL);

/* With a task that keeps executor busy, kcom_uninitialize is refused and stops nothing; canceled,
 * the task ends. The caller destroys the executor and calls end(), whose kcom_uninitialize must
 * succeed. */
static void check_refused_while_busy(const kcom_executor *executor, const char *what)
{
    LONG volatile polls = 0;
    spin_state initial;
    kcom_async_status status = KCOM_ASYNC_CANCELED;
    IAsyncULONG *op;
    initial.polls = &polls;
    /* idle, or just done with its last task: no refusal */
    ok(finish(spawn_on(&once_desc, executor, &initial), STATUS_SUCCESS) == 1, "%s: a task ran\n", what);
    ok(kcom_uninitialize() == STATUS_SUCCESS, "%s: kcom_uninitialize with the executor idle\n", what);
    ok(kcom_initialize() == STATUS_SUCCESS, "%s: initialize again\n", what);

    op = spawn_on(&spin_desc, executor, &initial);
    ok(kcom_uninitialize() == STATUS_INVALID_DEVICE_STATE, "%s: kcom_uninitialize refused while a task runs\n",
       what);
    ok(IAsyncULONG_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_STARTED,
       "%s: the task still runs (status %ld)\n", what, (long)status);
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "%s: canceled\n", what);
    finish(op, STATUS_CANCELLED);
    ok(kcom_atomic_load(&polls) >= 2, "%s: the task was polled %ld times\n", what, (long)kcom_atomic_load(&polls));
}

static void dpc_executor(void)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    begin();
    ok(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS, "create\n");
    if (dpc == NULL)
        return;
    check_refused_while_busy(executor, "DPC executor");
    kcom_dpc_executor_destroy(dpc);
    end();
}

static int device_object; /* the simulation needs only a non-NULL pointer */

static void work_item_executor(void)
{
    kcom_work_item_executor *work = NULL;
    const kcom_executor *executor = NULL;
    begin();
    ok(kcom_work_item_executor_create(&device_object, NULL, &work, &executor) == STATUS_SUCCESS, "create\n");
    if (work == NULL)
        return;
    check_refused_while_busy(executor, "work-item executor");
    kcom_work_item_executor_destroy(work);
    end();
}

static void thread_pool(void)
{
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    begin();
    ok(kcom_thread_pool_create(2, &pool, &executor) == STATUS_SUCCESS, "create\n");
    if (pool == NULL)
        return;
    check_refused_while_busy(executor, "thread pool");
    ok(kcom_thread_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shut down\n");
    end();
}

/* A poll under way when kcom_uninitialize is called arms a timer before it ends: the timers are
 * counted again once the executors are quiet, and the call is refused (it used to go on and stop
 * the platform with the timer armed: on Windows, a KTIMER and its DPC in an unloaded image). */
typedef struct arming_state {
    KCOM_TASK_RESUME_POINT;
    LONG volatile *started;
    kcom_async_timer timer;
    BOOLEAN canceled;
} arming_state;

static kcom_poll_result arming_poll(void *p, kcom_task_context *cx)
{
    arming_state *s = (arming_state *)p;
    KCOM_TASK_BEGIN(s);
    kcom_atomic_store(s->started, 1);
    test_sleep_ms(300); /* kcom_uninitialize is called meanwhile */
    kcom_async_timer_init(&s->timer, 400, 0);
    KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_timer_poll(&s->timer, cx));
    kcom_async_timer_clear(&s->timer);
    KCOM_TASK_RETURN(cx, s->canceled ? STATUS_CANCELLED : STATUS_SUCCESS);
    KCOM_TASK_END(cx);
}

static void arming_drop(void *p)
{
    kcom_async_timer_clear(&((arming_state *)p)->timer);
}

static const kcom_async_task_desc arming_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, arming_state, arming_poll, arming_drop);

static void check_refused_when_a_poll_arms(const kcom_executor *executor, const char *what)
{
    LONG volatile started = 0;
    arming_state initial;
    IAsyncULONG *op;
    ULONG64 deadline = test_now_ms() + 20000;
    memset(&initial, 0, sizeof(initial));
    initial.started = &started;
    op = spawn_on(&arming_desc, executor, &initial);
    while (kcom_atomic_load(&started) == 0 && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(kcom_uninitialize() == STATUS_INVALID_DEVICE_STATE,
       "%s: kcom_uninitialize refused: the poll under way armed a timer\n", what);
    ok(IAsyncULONG_cancel(op) == STATUS_SUCCESS, "%s: canceled\n", what);
    finish(op, STATUS_CANCELLED);
}

static void poll_arms_timer(void)
{
    kcom_work_item_executor *work = NULL;
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    begin();
    ok(kcom_work_item_executor_create(&device_object, NULL, &work, &executor) == STATUS_SUCCESS, "create\n");
    if (work != NULL) {
        check_refused_when_a_poll_arms(executor, "work-item executor");
        kcom_work_item_executor_destroy(work);
    }
    ok(kcom_thread_pool_create(1, &pool, &executor) == STATUS_SUCCESS, "create\n");
    if (pool != NULL) {
        check_refused_when_a_poll_arms(executor, "thread pool");
        ok(kcom_thread_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "shut down\n");
    }
    end();
}

static LONG volatile error_traces;

static void counting_hook(void *context, kcom_trace_level level, const char *file, int line, const char *format,
                          va_list args)
{
    (void)context;
    (void)file;
    (void)line;
    (void)format;
    (void)args;
    if (level == KCOM_TRACE_LEVEL_ERROR)
        kcom_atomic_fetch_add(&error_traces, 1);
}

/* Above PASSIVE_LEVEL kcom_uninitialize is refused before it waits or stops anything: its waits for
 * timer callbacks and executors, and its DPC flush, are for PASSIVE_LEVEL. Traced, as its other
 * refusals are. */
static void above_passive(void)
{
    static const UCHAR levels[] = {KCOM_PLATFORM_APC_LEVEL, KCOM_PLATFORM_DISPATCH_LEVEL};
    size_t i;
    begin();
    kcom_set_trace_hook(counting_hook, NULL);
    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        UCHAR old = kcom_sim_raise_irql(levels[i]);
        error_traces = 0;
        ok(kcom_uninitialize() == STATUS_INVALID_DEVICE_STATE, "kcom_uninitialize at IRQL %u\n", (unsigned)levels[i]);
        kcom_sim_lower_irql(old);
        ok(error_traces == 1, "the refusal at IRQL %u traced: %ld\n", (unsigned)levels[i], (long)error_traces);
    }
    kcom_set_trace_hook(NULL, NULL);
    end();
}

int main(void)
{
    static const char *const names[] = {"uninitialize_busy_dpc_executor", "uninitialize_busy_work_item_executor",
                                        "uninitialize_busy_thread_pool", "uninitialize_above_passive",
                                        "uninitialize_poll_arms_timer"};
    static void (*const tests[])(void) = {dpc_executor, work_item_executor, thread_pool, above_passive,
                                          poll_arms_timer};
    return async_test_main(names, tests, 5);
}
