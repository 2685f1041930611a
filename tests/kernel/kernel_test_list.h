/*
 * kernel_test_list.h - what the kernel test driver runs after the portable suites
 * (suites/test_list.h): tests that exist only in the driver (each name N a function
 * `void kcom_test_N(void)` in tests/kernel/), then the async layer's tests (tests/async/).
 */
#ifndef KCOM_KERNEL_TEST_LIST_H
#define KCOM_KERNEL_TEST_LIST_H

/* The kernel platform layer's async primitives (src/platform/ntkernel/ beyond platform_ntkernel.c),
 * built with the async layer. */
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#define KCOM_KERNEL_ASYNC_TEST_LIST(X) \
    X(kernel_async_platform)           \
    X(kernel_scheduling)
#else
#define KCOM_KERNEL_ASYNC_TEST_LIST(X)
#endif
/* The kernel executors, trackers and blocking waits in the kernel (after kernel_scheduling, which
 * finds out whether DPCs run), and pended IRPs completed by operations (kcom/irp.h). */
#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS
#define KCOM_KERNEL_EXECUTOR_TEST_LIST(X) X(kernel_executors) X(kernel_irp)
#else
#define KCOM_KERNEL_EXECUTOR_TEST_LIST(X)
#endif

/* The async layer's own tests, the host programs' sources (tests/async/async_test_list.h: those
 * that run in the kernel; each name N is a function `void kcom_test_N(void)` in tests/async/). */
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#include "../async/async_test_list.h"
#define KCOM_KERNEL_ASYNC_LAYER_TEST_LIST(X) KCOM_ASYNC_KERNEL_TEST_LIST(X)
#else
#define KCOM_KERNEL_ASYNC_LAYER_TEST_LIST(X)
#endif
/* tests/async/test_null_arguments.c, which keeps its own list (KCOM_ASYNC_NULL_ARGUMENT_TESTS). */
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#define KCOM_KERNEL_ASYNC_NULL_ARGUMENT_TEST_LIST(X) X(async_null_helpers) X(async_create_error_checks_first) \
    X(async_allocator_without_functions)
#else
#define KCOM_KERNEL_ASYNC_NULL_ARGUMENT_TEST_LIST(X)
#endif

/* kcom classes implemented in C++ (tests/cxx/cxx_classes.cpp, which uses an ASYNC method), where
 * the kernel toolchain compiles C++ (tests/kernel/CMakeLists.txt: KCOM_TEST_KERNEL_CXX). */
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC && defined(KCOM_TEST_KERNEL_CXX)
#define KCOM_KERNEL_CXX_TEST_LIST(X) X(cxx_classes)
#else
#define KCOM_KERNEL_CXX_TEST_LIST(X)
#endif

#define KCOM_KERNEL_TEST_LIST(X)          \
    X(kernel_platform)                    \
    X(kernel_punknown_first)              \
    X(kernel_punknown_last)               \
    KCOM_KERNEL_CXX_TEST_LIST(X)          \
    KCOM_KERNEL_ASYNC_TEST_LIST(X)        \
    KCOM_KERNEL_EXECUTOR_TEST_LIST(X)     \
    KCOM_KERNEL_ASYNC_LAYER_TEST_LIST(X)  \
    KCOM_KERNEL_ASYNC_NULL_ARGUMENT_TEST_LIST(X)

#endif /* KCOM_KERNEL_TEST_LIST_H */
