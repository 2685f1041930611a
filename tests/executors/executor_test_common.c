/*
 * executor_test_common.c - see executor_test_common.h.
 */
#include "executor_test_common.h"

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
