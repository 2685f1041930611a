/*
 * executor_test_common.h - what the executor tests on the host's simulation of the kernel share:
 * a counting allocator for their operations, set-up and leak check, spawning and finishing.
 */
#ifndef KCOM_EXECUTOR_TEST_COMMON_H
#define KCOM_EXECUTOR_TEST_COMMON_H

#include "../async/async_test_common.h"

#include "platform/platform.h"
#include <kcom/kernel_sim.h>

/* The allocator the tests' operations come from (and, where a test says so, the default one). */
extern kcom_counting_allocator counter;

/* kcom_initialize and a fresh counter; end checks that nothing the counter gave is still
 * allocated, then kcom_uninitialize (which stops the simulation's threads). */
void begin(void);
void end(void);

/* kcom_async_spawn on executor from counter (a failure is a failed check). */
IAsyncULONG *spawn_on(const kcom_async_task_desc *desc, const kcom_executor *executor, const void *initial);

/* Waits up to 20 s for op, checks get_result's status against expected, releases op; returns
 * the value get_result wrote (0 if none). */
ULONG finish(IAsyncULONG *op, NTSTATUS expected);

/* get_result's status against expected, without waiting; releases op. */
void expect(IAsyncULONG *op, NTSTATUS expected);

/* A task woken from another thread is polled while a task of the same processor keeps yielding
 * (call it with one simulated processor): the executor takes what other threads scheduled at least
 * once per round of its own queue, however many of its tasks reschedule themselves. */
void check_woken_task_not_starved(const kcom_executor *executor);

#endif /* KCOM_EXECUTOR_TEST_COMMON_H */
