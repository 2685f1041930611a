/*
 * Builds against an installed kcom with its kernel simulation (kcom::kernel_sim), as a driver's
 * host tests would: one simulated processor, a DPC executor, a task whose DPC is held back and
 * then let run, a blocking wait refused at DISPATCH_LEVEL, the simulation's threads gone after
 * kcom_uninitialize.
 */
#include <kcom/kcom.h>
#include <kcom/dpc_executor.h>
#include <kcom/kernel_sim.h>

#include <stdio.h>

typedef struct yields {
    ULONG left;
} yields;

static kcom_poll_result yield_poll(void *state, kcom_task_context *cx)
{
    yields *s = (yields *)state;
    if (s->left-- != 0) {
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

static const kcom_async_task_desc yield_desc = {yield_poll, NULL, sizeof(yields), KCOM_ALIGNOF(yields), 0, 1, NULL,
                                                0, 0, 0, 0};

#define CHECK(what)                                                                       \
    do {                                                                                  \
        if (!(what)) {                                                                    \
            printf("failed: %s\n", #what);                                                \
            return 1;                                                                     \
        }                                                                                 \
    } while (0)

int main(void)
{
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *op = NULL;
    yields initial = {10};
    kcom_async_status status = KCOM_ASYNC_STARTED;
    UCHAR irql;

    CHECK(kcom_initialize() == STATUS_SUCCESS);
    CHECK(kcom_sim_set_processor_count(1) == STATUS_SUCCESS);
    CHECK(kcom_dpc_executor_create(NULL, &dpc, &executor) == STATUS_SUCCESS);
    kcom_sim_hold_dpcs(TRUE);
    CHECK(kcom_async_spawn(&yield_desc, executor, NULL, &initial, &op) == STATUS_SUCCESS);
    CHECK(kcom_sim_dpcs_queued() == 1);
    irql = kcom_sim_raise_irql(DISPATCH_LEVEL);
    CHECK(kcom_async_try_block_on(op, 0) == STATUS_INVALID_DEVICE_STATE);
    kcom_sim_lower_irql(irql);
    kcom_sim_hold_dpcs(FALSE);
    CHECK(kcom_async_block_on(op, 20000) == STATUS_SUCCESS);
    CHECK(IKcomAsyncOperation_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED);
    CHECK(kcom_sim_dpc_runs() >= 1);
    IKcomAsyncOperation_Release(op);
    kcom_dpc_executor_destroy(dpc);
    CHECK(kcom_uninitialize() == STATUS_SUCCESS);
    CHECK(kcom_sim_thread_count() == 0);
    printf("a task on one simulated processor: completed after %llu DPC runs\n",
           (unsigned long long)kcom_sim_dpc_runs());
    return 0;
}
