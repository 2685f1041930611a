/*
 * test_null_arguments.c - the async layer's void and BOOLEAN helpers given NULL (each ignores it:
 * nothing is touched, a BOOLEAN one answers FALSE), and kcom_async_operation_create_error checking
 * its arguments before it allocates (a success status is reported as STATUS_INVALID_PARAMETER even
 * when the allocator fails), and the functions that take an allocator refusing one without its
 * functions.
 *
 * Its own list (the kernel test driver names the same tests: tests/kernel/kernel_test_list.h).
 */
#include "async_test_common.h"

#include <kcom/awaitable.h>

#define KCOM_ASYNC_NULL_ARGUMENT_TESTS(X, H) \
    X(async_null_helpers)                   \
    X(async_create_error_checks_first)      \
    X(async_allocator_without_functions)

KCOM_ASYNC_NULL_ARGUMENT_TESTS(ASYNC_TEST_DECLARE_, ASYNC_TEST_DECLARE_)

static kcom_counting_allocator counter;

void kcom_test_async_null_helpers(void)
{
    kcom_async_event event = KCOM_ASYNC_EVENT_INIT;
    kcom_async_ready ready = {STATUS_SUCCESS, 0};
    kcom_waker empty = {NULL};
    kcom_debug_options options;
    IKcomAsyncOperation *op = NULL;

    /* events */
    kcom_async_event_init(NULL, TRUE);
    ok(kcom_async_event_set(NULL) == FALSE, "set(NULL): FALSE\n");
    ok(kcom_async_event_reset(NULL) == FALSE, "reset(NULL): FALSE\n");
    ok(kcom_async_event_is_set(NULL) == FALSE, "is_set(NULL): FALSE\n");
    kcom_async_event_await_init(NULL, &event);
    kcom_async_event_await_clear(NULL);
    ok(kcom_async_event_is_set(&event) == FALSE && event.head == NULL, "the event untouched\n");

#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
    /* timers */
    kcom_async_timer_init(NULL, 10, 0);
    kcom_async_timer_clear(NULL);
    kcom_async_timeout_init(NULL, kcom_async_ready_awaitable(&ready), 10);
    kcom_async_timeout_clear(NULL);
#endif

    /* combinators and ready values */
    kcom_async_ready_init(NULL, STATUS_SUCCESS, 1);
    kcom_async_ready_init(&ready, STATUS_SUCCESS, 1);
    kcom_async_select_init(NULL, kcom_async_ready_awaitable(&ready), kcom_async_ready_awaitable(&ready));
    kcom_async_select_clear(NULL);
    kcom_async_try_finally_init(NULL, kcom_async_ready_awaitable(&ready), kcom_async_ready_awaitable(&ready));
    kcom_async_try_finally_clear(NULL);
    {
        kcom_async_awaitable one = kcom_async_ready_awaitable(&ready);
        ok(kcom_async_first_of_init(NULL, &one, 1) == STATUS_INVALID_PARAMETER, "first_of_init(NULL)\n");
        ok(kcom_async_all_of_init(NULL, &one, 1) == STATUS_INVALID_PARAMETER, "all_of_init(NULL)\n");
        kcom_async_first_of_clear(NULL);
        kcom_async_all_of_clear(NULL);
    }

    /* awaits: a NULL await leaves the reference to the operation with the caller */
    kcom_counting_allocator_init(&counter, NULL);
    ok(kcom_async_operation_create(&counter.allocator, NULL, 0, 1, &op) == STATUS_SUCCESS, "create\n");
    kcom_async_await_init(NULL, op);
    kcom_async_await_clear(NULL);
    ok(IKcomAsyncOperation_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0,
       "the caller's reference was the last\n");

    /* the scheduler's entries */
    kcom_waker_wake(NULL);
    kcom_waker_drop(NULL);
    kcom_waker_wake(&empty);
    kcom_waker_drop(&empty);
    ok(empty.task == NULL, "an empty waker stays empty\n");
    kcom_task_run(NULL);
    kcom_task_drop_scheduled(NULL, STATUS_CANCELLED);

    /* the debug options (already ignored NULL) */
    kcom_get_debug_options(NULL);
    kcom_get_debug_options(&options);
    ok(kcom_set_debug_options(&options) == STATUS_SUCCESS, "options unchanged\n");
}

void kcom_test_async_create_error_checks_first(void)
{
    IKcomAsyncOperation *op = NULL;
    kcom_async_status st = KCOM_ASYNC_STARTED;
    ULONG value = 3;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    /* a success status with an allocator that fails: the argument is reported, not the memory */
    kcom_counting_allocator_fail_nth(&counter, 1);
    status = kcom_async_operation_create_error(&counter.allocator, &IID_IAsyncULONG, STATUS_SUCCESS, &op);
    ok(status == STATUS_INVALID_PARAMETER, "success refused first: %s\n", kcom_status_name(status));
    ok(op == kcom_async_static_error_operation(), "no memory for the error: the static one\n");
    kcom_counting_allocator_fail_nth(&counter, 0);

    /* with memory: an error operation carrying STATUS_INVALID_PARAMETER */
    op = NULL;
    status = kcom_async_operation_create_error(&counter.allocator, &IID_IAsyncULONG, STATUS_SUCCESS, &op);
    ok(status == STATUS_INVALID_PARAMETER && op != NULL, "success refused: %s\n", kcom_status_name(status));
    if (op != NULL) {
        ok(IKcomAsyncOperation_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_ERROR, "Error\n");
        ok(IAsyncULONG_get_result(IAsyncULONG_from(op), &value) == STATUS_INVALID_PARAMETER && value == 3,
           "carries STATUS_INVALID_PARAMETER\n");
        IKcomAsyncOperation_Release(op);
    }
    /* a NULL out pointer: nothing allocated */
    ok(kcom_async_operation_create_error(&counter.allocator, NULL, STATUS_SUCCESS, NULL) == STATUS_INVALID_PARAMETER,
       "NULL out\n");
    ok(kcom_counting_allocator_live(&counter) == 0 && counter.attempts == 1, "one allocation, freed: %ld\n",
       (long)counter.attempts);
}

/* An allocator whose allocate or free is NULL: STATUS_INVALID_PARAMETER from every async function
 * that takes an allocator, with an error operation carrying it (from the default allocator), not
 * a call through the NULL function. */
void kcom_test_async_allocator_without_functions(void)
{
    static const kcom_allocator no_functions = {NULL, NULL, NULL};
    IKcomAsyncOperation *op;
    void *state;
    ULONG value = 3;
    int i;

    for (i = 0; i < 4; i++) {
        NTSTATUS status = STATUS_SUCCESS;
        op = NULL;
        state = &value;
        switch (i) {
        case 0:
            status = kcom_async_operation_create(&no_functions, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op);
            break;
        case 1:
            status = kcom_async_operation_create_error(&no_functions, &IID_IAsyncULONG, STATUS_UNSUCCESSFUL, &op);
            break;
        case 2:
            status = kcom_async_spawn_begin(&ready_desc, kcom_default_executor(), &no_functions, &state, &op);
            break;
        default:
            status = kcom_async_spawn(&ready_desc, kcom_default_executor(), &no_functions, NULL, &op);
            break;
        }
        ok(status == STATUS_INVALID_PARAMETER, "%d: %s\n", i, kcom_status_name(status));
        ok(op != NULL && IAsyncULONG_get_result(IAsyncULONG_from(op), &value) == STATUS_INVALID_PARAMETER && value == 3,
           "%d: an error operation carrying it\n", i);
        if (i == 2)
            ok(state == NULL, "no state\n");
        if (op != NULL)
            IKcomAsyncOperation_Release(op);
    }
}

ASYNC_TEST_PROGRAM(KCOM_ASYNC_NULL_ARGUMENT_TESTS)
