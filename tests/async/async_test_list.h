/*
 * async_test_list.h - every async test, per source file, in the order its program runs them. Each
 * name N is a function `void kcom_test_N(void)` in tests/async/test_<file>.c.
 *
 * Each list takes two macros: X for the tests that run everywhere the async layer is built (the
 * Linux host, Windows user mode and the kernel test driver), H for those that run in user mode
 * only (the host and Windows user mode: kcom's thread pool is what they test). A host program runs
 * its file's list with both (async_test_common.h: ASYNC_TEST_PROGRAM); the kernel test driver
 * runs KCOM_ASYNC_KERNEL_TEST_LIST (tests/kernel/kernel_test_list.h), which keeps X and drops H.
 *
 * The tests' threads and their pool of threads running tasks are async_test_common.h's: POSIX or
 * Win32 threads and kcom's thread pool in user mode; in the kernel, system threads and a work-item
 * executor on the driver's device. What the kernel (or Wine hosting it) cannot do is reported
 * skipped there, with the reason, never passed over silently.
 */
#ifndef KCOM_ASYNC_TEST_LIST_H
#define KCOM_ASYNC_TEST_LIST_H

/* test_operation.c: operations finished by their producer */
#define KCOM_ASYNC_OPERATION_TESTS(X, H) \
    X(async_operation_states)            \
    X(async_operation_query_interface)   \
    X(async_operation_typed_create)      \
    X(async_operation_callbacks)         \
    X(async_operation_cancel)            \
    X(async_operation_errors)            \
    X(async_operation_alloc_failures)    \
    X(async_operation_size)              \
    X(async_operation_result_layouts)

/* test_task.c: tasks on a hand-run executor */
#define KCOM_ASYNC_TASK_TESTS(X, H) \
    X(async_task_runs)              \
    X(async_task_allocations)       \
    X(async_task_cancel)            \
    X(async_task_other_ends)        \
    X(async_task_await_finished)    \
    X(async_task_end)               \
    X(async_task_no_value)

/* test_methods.c: ASYNC methods */
#define KCOM_ASYNC_METHOD_TESTS(X, H)     \
    X(async_method_ready_at_once)         \
    X(async_method_object_outlives_caller) \
    X(async_method_canceled)              \
    X(async_method_setup_failures)        \
    X(async_method_out_of_memory)         \
    X(async_method_no_executor)           \
    X(async_method_result_starts_zeroed)  \
    X(async_method_in_caller_storage)     \
    X(async_method_finished_is_kcoms)     \
    X(async_method_in_caller_storage_pending) \
    X(async_method_in_bad_storage)        \
    X(async_method_in_any_alignment)      \
    X(async_method_self)

/* test_method_paths.c: the paths of the ASYNC method shim */
#define KCOM_ASYNC_METHOD_PATH_TESTS(X, H)    \
    X(async_paths_layout)                     \
    X(async_paths_constant_layouts)           \
    X(async_paths_constant_sources)           \
    X(async_paths_result_sizes)               \
    X(async_paths_cache_reuses_blocks)        \
    X(async_paths_cache_per_processor)        \
    X(async_paths_cache_not_in_front_of_others) \
    X(async_paths_class_allocators)           \
    X(async_paths_operation_allocator)        \
    X(async_paths_first_poll_outcomes)        \
    X(async_paths_woken_during_first_poll)    \
    X(async_paths_first_poll_races_a_wake)    \
    X(async_paths_run_outcomes)               \
    X(async_paths_begun_tracked)              \
    X(async_paths_allocator_copies)           \
    X(async_paths_run_races)                  \
    X(async_paths_run_in_one_call)            \
    X(async_paths_run_in_one_call_races)      \
    X(async_paths_generated_functions)        \
    X(async_paths_waker_outlives_first_poll)

/* test_awaitables.c: events, timers, select, timeout, try_finally. The timer tests exist where the
 * platform has a timer (KCOM_HAS_ASYNC_TIMER: every target but a kernel built without one). */
#if defined(KCOM_HAS_ASYNC_TIMER) && KCOM_HAS_ASYNC_TIMER
#define KCOM_ASYNC_AWAITABLE_TIMER_TESTS(X, H) \
    X(async_timer_fires)                       \
    X(async_timer_teardown)                    \
    X(async_timer_uninitialize)                \
    X(async_timeout)
#else
#define KCOM_ASYNC_AWAITABLE_TIMER_TESTS(X, H)
#endif
#define KCOM_ASYNC_AWAITABLE_TESTS(X, H) \
    X(async_event_set)                   \
    X(async_event_several)               \
    X(async_event_dropped)               \
    X(async_event_freed_by_wake)         \
    X(async_event_threads)               \
    X(async_try_finally)                 \
    X(async_select)                      \
    X(async_first_of)                    \
    X(async_all_of)                      \
    X(async_all_of_each)                 \
    X(async_ready)                       \
    KCOM_ASYNC_AWAITABLE_TIMER_TESTS(X, H)

/* test_concurrency.c: threads against the same operations and tasks */
#define KCOM_ASYNC_CONCURRENCY_TESTS(X, H) \
    X(async_concurrency_racing_rules)      \
    X(async_concurrency_woken_while_polled) \
    H(async_concurrency_thread_pool)       \
    H(async_concurrency_pool_freed_after_wake) \
    X(async_concurrency_await)             \
    X(async_concurrency_block_on)          \
    H(async_concurrency_cache_binding)

/* test_contracts.c: the edges of the async contracts */
#define KCOM_ASYNC_CONTRACT_TESTS(X, H)            \
    X(async_contract_callback_releases)            \
    X(async_contract_callback_releases_task)       \
    X(async_contract_run_refused)                  \
    X(async_contract_refused_chain)                \
    X(async_contract_callback_before_waiters)      \
    X(async_contract_callback_before_awaiters)     \
    X(async_contract_many_waiters)                 \
    X(async_contract_shared_waiter_lists)          \
    X(async_contract_waiter_timeout)               \
    X(async_contract_cancel_routine)               \
    X(async_contract_cancel_wakes_waiters)         \
    X(async_contract_cancel_routine_before_waiters) \
    X(async_contract_block_on_foreign)             \
    X(async_contract_relay)                        \
    X(async_contract_uninitialize_relay)           \
    X(async_contract_argument_checks)              \
    X(async_contract_waits_allocate_nothing)       \
    X(async_contract_tracker_on_any_executor)      \
    H(async_contract_pool_allocates_through_kcom)  \
    H(async_contract_pool_shutdown_from_own_task)

/* Every list, for declarations. */
#define KCOM_ASYNC_TEST_LIST(X, H)          \
    KCOM_ASYNC_OPERATION_TESTS(X, H)        \
    KCOM_ASYNC_TASK_TESTS(X, H)             \
    KCOM_ASYNC_METHOD_TESTS(X, H)           \
    KCOM_ASYNC_METHOD_PATH_TESTS(X, H)      \
    KCOM_ASYNC_AWAITABLE_TESTS(X, H)        \
    KCOM_ASYNC_CONCURRENCY_TESTS(X, H)      \
    KCOM_ASYNC_CONTRACT_TESTS(X, H)

/* What the kernel test driver runs (X only). */
#define KCOM_ASYNC_NOT_IN_KERNEL_(name)
#define KCOM_ASYNC_KERNEL_TEST_LIST(X) KCOM_ASYNC_TEST_LIST(X, KCOM_ASYNC_NOT_IN_KERNEL_)

#endif /* KCOM_ASYNC_TEST_LIST_H */
