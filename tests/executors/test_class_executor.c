/*
 * test_class_executor.c - the executor a class chooses for its async methods
 * (KCOM_CLASS_SET_EXECUTOR): pending work runs there, not on the default executor; work ready at
 * the first poll runs on neither; NULL goes back to the default; a class executor with a tracker
 * counts the class's pending calls and, once drained, ends new pending calls with
 * STATUS_DELETE_PENDING.
 */
#include "../async/async_test_common.h"

#include <kcom/dpc_executor.h>

#include "platform/platform.h"
#include <kcom/kernel_sim.h>

#include <string.h>

#define ISampler_METHODS(M, I)                                                            \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncULONG, Sample, (ULONG, yields))

KCOM_DECLARE_INTERFACE(ISampler, IUnknown,
                       0x7a1e3c52, 0x0d4f, 0x4b6a, 0x9e, 0x21, 0x5c, 0x33, 0x80, 0x1f, 0x6d, 0xa9)

typedef struct Sampler {
    ISampler ISampler_iface;
} Sampler;

typedef struct Sampler_Sample_state {
    ULONG yields;
    UCHAR irql; /* at the last poll */
} Sampler_Sample_state;

static NTSTATUS Sampler_Sample(Sampler *self, Sampler_Sample_state *state, ULONG yields)
{
    (void)self;
    state->yields = yields;
    return STATUS_SUCCESS;
}

/* Yields `yields` times, then returns the IRQL it last ran at. */
static kcom_poll_result Sampler_Sample_poll(Sampler_Sample_state *state, kcom_task_context *cx)
{
    state->irql = kcom_platform_irql();
    if (state->yields != 0) {
        state->yields--;
        kcom_task_wake_self(cx);
        return KCOM_POLL_PENDING;
    }
    KCOM_TASK_RESULT(cx, ULONG) = state->irql;
    cx->status = STATUS_SUCCESS;
    return KCOM_POLL_READY;
}

#define Sampler_Sample_drop NULL

KCOM_IMPLEMENT(Sampler, ISampler, ISampler_iface)
KCOM_CLASS(Sampler, NULL, (ISampler, ISampler_iface))

/* The default executor: counts what reaches it, refuses it. */
static LONG volatile default_schedules;

static NTSTATUS default_schedule(void *context, struct kcom_task *task)
{
    (void)context;
    (void)task;
    kcom_atomic_fetch_add(&default_schedules, 1);
    return STATUS_NOT_SUPPORTED;
}

static const kcom_executor refusing_default = {default_schedule, NULL, NULL};

static ULONG finish(IAsyncULONG *op, NTSTATUS expected)
{
    ULONG value = 0xFFFFFFFFu;
    NTSTATUS status = kcom_async_block_on(IAsyncULONG_generic(op), 20000);
    ok(status == STATUS_SUCCESS, "block_on: %s\n", kcom_status_name(status));
    status = IAsyncULONG_get_result(op, &value);
    ok(status == expected, "result %s, expected %s\n", kcom_status_name(status), kcom_status_name(expected));
    IAsyncULONG_Release(op);
    return value;
}

static void class_executor(void)
{
    kcom_counting_allocator counter;
    kcom_tracker *tracker = NULL;
    kcom_dpc_executor_config config;
    kcom_dpc_executor *dpc = NULL;
    const kcom_executor *on_dpc = NULL;
    Sampler *impl = NULL;
    ISampler *sampler;
    ULONG value;

    ok(kcom_initialize() == STATUS_SUCCESS, "initialize\n");
    kcom_counting_allocator_init(&counter, NULL);
    kcom_set_default_allocator(&counter.allocator);
    ok(kcom_set_default_executor(&refusing_default) == STATUS_SUCCESS, "default executor\n");
    ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "tracker\n");
    memset(&config, 0, sizeof(config));
    config.tracker = tracker;
    ok(kcom_dpc_executor_create(&config, &dpc, &on_dpc) == STATUS_SUCCESS, "DPC executor\n");
    ok(KCOM_NEW(Sampler, NULL, &impl) == STATUS_SUCCESS && impl != NULL, "object\n");
    if (impl == NULL || dpc == NULL)
        return;
    sampler = &impl->ISampler_iface;

    /* no class executor: pending work goes to the default one, which refuses it */
    default_schedules = 0;
    finish(ISampler_Sample(sampler, 2), STATUS_NOT_SUPPORTED);
    ok(default_schedules == 1, "the default executor got the work: %ld\n", (long)default_schedules);

    /* the class's executor: the work runs in its DPCs */
    KCOM_CLASS_SET_EXECUTOR(Sampler, on_dpc);
    default_schedules = 0;
    value = finish(ISampler_Sample(sampler, 3), STATUS_SUCCESS);
    ok(value == KCOM_PLATFORM_DISPATCH_LEVEL, "polled at IRQL %lu on the class's DPC executor\n",
       (unsigned long)value);
    ok(default_schedules == 0, "the default executor saw nothing\n");
    /* ready at the first poll: on the caller, no executor */
    value = finish(ISampler_Sample(sampler, 0), STATUS_SUCCESS);
    ok(value == KCOM_PLATFORM_PASSIVE_LEVEL, "a ready call completes on the caller (IRQL %lu)\n",
       (unsigned long)value);

    /* the class executor's tracker counts pending calls; after a drain they end at once */
    ok(kcom_tracker_drain(tracker, 20000) == STATUS_SUCCESS, "drain\n");
    finish(ISampler_Sample(sampler, 1), STATUS_DELETE_PENDING);
    ok(kcom_tracker_outstanding(tracker) == 0, "nothing outstanding\n");
    value = finish(ISampler_Sample(sampler, 0), STATUS_SUCCESS);
    ok(value == KCOM_PLATFORM_PASSIVE_LEVEL, "ready calls still complete\n");

    /* NULL: the default executor again */
    KCOM_CLASS_SET_EXECUTOR(Sampler, NULL);
    finish(ISampler_Sample(sampler, 1), STATUS_NOT_SUPPORTED);
    ok(default_schedules == 1, "back on the default executor: %ld\n", (long)default_schedules);

    ISampler_Release(sampler);
    kcom_dpc_executor_destroy(dpc);
    kcom_tracker_destroy(tracker);
    kcom_set_default_executor(NULL);
    ok(kcom_counting_allocator_live(&counter) == 0, "%ld blocks still allocated\n",
       (long)kcom_counting_allocator_live(&counter));
    kcom_set_default_allocator(NULL);
    kcom_uninitialize();
}

int main(void)
{
    static const char *const names[] = {"class_executor"};
    static void (*const tests[])(void) = {class_executor};
    return async_test_main(names, tests, 1);
}
