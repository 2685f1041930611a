/*
 * test_list.h - every portable test, in the order runners call them. Each name N is a function
 * `void kcom_test_N(void)` in suites/. The host runner and the kernel test driver both use this.
 */
#ifndef KCOM_TEST_LIST_H
#define KCOM_TEST_LIST_H

#define KCOM_TEST_LIST(X) \
    X(guid)               \
    X(atomics)            \
    X(status)             \
    X(layout)             \
    X(query_interface)    \
    X(state_offsets)      \
    X(refcount_off)       \
    X(refcount_failfast)  \
    X(refcount_leaky)     \
    X(method_kinds)       \
    X(aggregation)        \
    X(alloc_failure)      \
    X(invalid_args)       \
    X(class_create)       \
    X(allocators)         \
    X(caching_allocator)  \
    X(client)             \
    X(trace)              \
    X(trace_calls)        \
    X(unicode_string)

#endif /* KCOM_TEST_LIST_H */
