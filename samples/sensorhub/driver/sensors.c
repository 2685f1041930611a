/*
 * sensors.c - the Sensor class (ISensor, IThresholdSensor, ISensorCalibration) and the hub's
 * sampler task.
 *
 * The "hardware" is simulated: each sample moves a sensor along a sawtooth between its base and
 * base + span. Read returns the latest sample; Sample waits a settle time on a one-shot kcom
 * timer (a KTIMER in the kernel), then converts; WaitAbove waits on the hub's event until a sample
 * is above its threshold. Async work runs on the default executor (the driver makes it a
 * work-item executor), at PASSIVE_LEVEL.
 */
#include "sensorhub.h"

typedef struct sensor_spec {
    const char *name;
    LONG base;
    LONG step; /* per sample */
    LONG span;
} sensor_spec;

static const sensor_spec sensor_specs[SENSORHUB_SENSOR_COUNT] = {
    {"cpu-temp, milli-degC", 40000, 250, 6000},
    {"board-temp, milli-degC", 31000, 50, 2000},
    {"fan, rpm", 1200, 20, 800},
    {"supply, mV", 11900, 10, 200},
};

typedef struct Sensor {
    IThresholdSensor IThresholdSensor_iface; /* the identity; answers ISensor too */
    ISensorCalibration ISensorCalibration_iface;
    sensorhub *hub;
    const sensor_spec *spec;
    LONG volatile raw;    /* written by the sampler, read by any request */
    LONG volatile offset; /* calibration */
} Sensor;

static LONG sensor_value(Sensor *self)
{
    return kcom_atomic_load(&self->raw) + kcom_atomic_load(&self->offset);
}

/* ---- ISensor ------------------------------------------------------------------------------------ */

static NTSTATUS Sensor_Read(Sensor *self, LONG *value)
{
    *value = sensor_value(self);
    return STATUS_SUCCESS;
}

typedef struct Sensor_Sample_state {
    KCOM_TASK_RESUME_POINT;
    BOOLEAN canceled;
    kcom_async_timer settle;
} Sensor_Sample_state;

/* The start function runs on the caller (the IOCTL's dispatch routine): a failure here gives the
 * caller an operation already in Error, so the request fails without being pended. */
static NTSTATUS Sensor_Sample(Sensor *self, Sensor_Sample_state *state, ULONG settle_ms)
{
    if (settle_ms > SENSORHUB_MAX_SETTLE_MS)
        return STATUS_INVALID_PARAMETER;
    (void)self; /* the poll finds it as KCOM_ASYNC_SELF(Sensor, state), valid until the drop */
    kcom_async_timer_init(&state->settle, settle_ms, 0);
    return STATUS_SUCCESS;
}

static kcom_poll_result Sensor_Sample_poll(Sensor_Sample_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    /* A cancel wakes the task here: the drop then cancels the KTIMER. */
    KCOM_AWAIT_CANCELABLE(cx, state->canceled, kcom_async_timer_poll(&state->settle, cx));
    if (state->canceled) {
        kcom_atomic_fetch_add(&KCOM_ASYNC_SELF(Sensor, state)->hub->canceled, 1);
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    }
    if (!NT_SUCCESS(state->settle.status))
        KCOM_TASK_RETURN(cx, state->settle.status);
    KCOM_TASK_RETURN_VALUE(cx, LONG, sensor_value(KCOM_ASYNC_SELF(Sensor, state)));
    KCOM_TASK_END(cx);
}

/* Runs once however the work ended (completed, canceled, or dropped at unload). */
static void Sensor_Sample_drop(Sensor_Sample_state *state)
{
    kcom_async_timer_clear(&state->settle);
}

/* ---- IThresholdSensor --------------------------------------------------------------------------- */

typedef struct Sensor_WaitAbove_state {
    KCOM_TASK_RESUME_POINT;
    LONG threshold;
    LONG value;
    BOOLEAN canceled;
    kcom_async_event_await sampled;
} Sensor_WaitAbove_state;

static NTSTATUS Sensor_WaitAbove(Sensor *self, Sensor_WaitAbove_state *state, LONG threshold)
{
    state->threshold = threshold;
    kcom_async_event_await_init(&state->sampled, &self->hub->sampled);
    return STATUS_SUCCESS;
}

static kcom_poll_result Sensor_WaitAbove_poll(Sensor_WaitAbove_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    /* Already above: ready at the first poll, on the caller; the request never pends. */
    while ((state->value = sensor_value(KCOM_ASYNC_SELF(Sensor, state))) <= state->threshold) {
        KCOM_AWAIT_CANCELABLE(cx, state->canceled, kcom_async_event_await_poll(&state->sampled, cx));
        if (state->canceled) {
            kcom_atomic_fetch_add(&KCOM_ASYNC_SELF(Sensor, state)->hub->canceled, 1);
            KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
        }
    }
    KCOM_TASK_RETURN_VALUE(cx, LONG, state->value);
    KCOM_TASK_END(cx);
}

static void Sensor_WaitAbove_drop(Sensor_WaitAbove_state *state)
{
    kcom_async_event_await_clear(&state->sampled);
}

/* ---- ISensorCalibration ------------------------------------------------------------------------- */

static NTSTATUS Sensor_SetOffset(Sensor *self, LONG offset)
{
    if (offset < -SENSORHUB_MAX_OFFSET || offset > SENSORHUB_MAX_OFFSET)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_store(&self->offset, offset);
    return STATUS_SUCCESS;
}

static NTSTATUS Sensor_GetOffset(Sensor *self, LONG *offset)
{
    *offset = kcom_atomic_load(&self->offset);
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Sensor, IThresholdSensor, IThresholdSensor_iface)
KCOM_IMPLEMENT(Sensor, ISensorCalibration, ISensorCalibration_iface)
KCOM_CLASS(Sensor, NULL, (IThresholdSensor, IThresholdSensor_iface), (ISensorCalibration, ISensorCalibration_iface))

static void sensor_take_sample(Sensor *self, LONG n)
{
    const sensor_spec *spec = self->spec;
    kcom_atomic_store(&self->raw, spec->base + (LONG)(((ULONG)n * (ULONG)spec->step) % (ULONG)spec->span));
}

/* ---- the sampler --------------------------------------------------------------------------------- */

typedef struct sampler_state {
    KCOM_TASK_RESUME_POINT;
    sensorhub *hub;
    BOOLEAN canceled;
    kcom_async_timer tick; /* periodic: one KTIMER re-armed from its previous deadline */
} sampler_state;

static kcom_poll_result sampler_poll(void *p, kcom_task_context *cx)
{
    sampler_state *s = (sampler_state *)p;
    ULONG i;
    LONG n;
    KCOM_TASK_BEGIN(s);
    kcom_async_timer_init(&s->tick, s->hub->period_ms, s->hub->period_ms);
    for (;;) {
        KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_timer_poll(&s->tick, cx));
        if (s->canceled) {
            DbgPrint("sensorhub: sampler: canceled after %ld samples\n", (long)kcom_atomic_load(&s->hub->samples));
            KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
        }
        if (!NT_SUCCESS(s->tick.status))
            KCOM_TASK_RETURN(cx, s->tick.status);
        n = kcom_atomic_fetch_add(&s->hub->samples, 1) + 1;
        for (i = 0; i < SENSORHUB_SENSOR_COUNT; i++)
            sensor_take_sample(s->hub->impl[i], n);
        /* a pulse: every task waiting now is woken; later waits wait for the next sample */
        (void)kcom_async_event_set(&s->hub->sampled);
        (void)kcom_async_event_reset(&s->hub->sampled);
    }
    KCOM_TASK_END(cx);
}

static void sampler_drop(void *p)
{
    kcom_async_timer_clear(&((sampler_state *)p)->tick);
}

static const kcom_async_task_desc sampler_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncLONG, LONG, sampler_state, sampler_poll, sampler_drop);

/* ---- the hub -------------------------------------------------------------------------------------- */

NTSTATUS sensorhub_start(sensorhub *hub, const kcom_executor *executor, ULONG period_ms)
{
    sampler_state initial;
    NTSTATUS status;
    ULONG i;
    RtlZeroMemory(hub, sizeof(*hub));
    hub->period_ms = period_ms;
    kcom_async_event_init(&hub->sampled, FALSE);
    for (i = 0; i < SENSORHUB_SENSOR_COUNT; i++) {
        Sensor *sensor;
        status = KCOM_NEW(Sensor, NULL, &sensor);
        if (!NT_SUCCESS(status))
            goto fail;
        sensor->hub = hub;
        sensor->spec = &sensor_specs[i];
        sensor_take_sample(sensor, 0);
        hub->impl[i] = sensor;
        /* An IThresholdSensor pointer is an ISensor one (its vtable starts with ISensor's); the
         * driver asks QueryInterface for the interface each request needs. */
        hub->sensors[i] = (ISensor *)(void *)&sensor->IThresholdSensor_iface;
        DbgPrint("sensorhub: sensor %lu: %s\n", (unsigned long)i, sensor_specs[i].name);
    }
    RtlZeroMemory(&initial, sizeof(initial));
    initial.hub = hub;
    status = kcom_async_spawn(&sampler_desc, executor, NULL, &initial, &hub->sampler);
    if (NT_SUCCESS(status))
        return STATUS_SUCCESS;
fail:
    sensorhub_release(hub);
    return status;
}

void sensorhub_release(sensorhub *hub)
{
    ULONG i;
    KCOM_RELEASE_AND_CLEAR(&hub->sampler);
    for (i = 0; i < SENSORHUB_SENSOR_COUNT; i++) {
        KCOM_RELEASE_AND_CLEAR(&hub->sensors[i]);
        hub->impl[i] = NULL;
    }
}
