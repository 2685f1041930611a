/*
 * sensorhub.sys - a WDM driver built from kcom components.
 *
 * \Device\SensorHub (\\.\SensorHub) exposes a hub of simulated sensors (sensors.c) through the
 * IOCTLs of sensorhub_ioctl.h. Sync IOCTLs call sync methods in the dispatch routine. Async IOCTLs
 * call an async method, which returns an operation at once:
 *
 *   - finished already (refused by its start function, or ready at its first poll): the IRP is
 *     completed in the dispatch routine;
 *   - otherwise the IRP is pended (IoMarkIrpPending, STATUS_PENDING) and the operation's
 *     completion callback completes it with the result;
 *   - the IRP's cancel routine cancels the operation: the task sees the cancel and ends, the
 *     operation ends Canceled and the callback completes the IRP with STATUS_CANCELLED.
 *
 * Exactly one side completes an IRP: always the callback. The cancel routine only cancels the
 * operation; the callback, when IoSetCancelRoutine(irp, NULL) says the cancel routine owns the
 * IRP, waits on the cancel spin lock until that routine has let go of the request.
 *
 * DriverUnload cancels what would run forever (the sampler, pending requests) and drains, in one
 * call to the tracker that counts every task of the work-item executor; it then waits on the
 * remove lock for IRPs still in the driver, frees everything and reports in the line the test
 * checks:
 *
 *     sensorhub: unload: drained, 0 outstanding, 0 live kcom allocations
 *
 * (Windows defers DriverUnload while a handle is open; Wine calls it at once, so a request can
 * still be pending then. The driver handles both.)
 */
#include "sensorhub.h"

#define SAMPLE_PERIOD_MS 20u
#define DRAIN_TIMEOUT_MS 10000u
#define SENSORHUB_POOL_TAG 0x62756873UL /* "shub" in memory, as pool tools show it */

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD sensorhub_unload;
static DRIVER_DISPATCH sensorhub_create_close;
static DRIVER_DISPATCH sensorhub_device_control;
static DRIVER_CANCEL sensorhub_cancel;

/* An async request: the IRP and the operation that will complete it. */
typedef struct request {
    LIST_ENTRY link;        /* in driver_state.pending, under driver_state.lock */
    PIRP irp;
    IAsyncLONG *operation;  /* one reference, released when the IRP is completed */
    const char *what;       /* for the log: "sample", "wait-above" */
    ULONG sensor;
} request;

static struct {
    PDEVICE_OBJECT device;
    UNICODE_STRING link_name;
    /* kcom's default allocator: unload reports what is still allocated */
    kcom_counting_allocator counter;
    kcom_tracker *tracker;
    kcom_work_item_executor *work;
    const kcom_executor *executor;
    /* Held by every IRP in the driver (dispatch, pending, cancel routine): unload waits on it. */
    IO_REMOVE_LOCK remove_lock;
    KSPIN_LOCK lock;
    LIST_ENTRY pending;
    BOOLEAN stopping;
    LONG volatile completed;
    LONG volatile canceled;
    sensorhub hub;
} driver_state;

static NTSTATUS complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/* The operation's outcome as the IRP's: the value in the system buffer, or the failure. */
static NTSTATUS take_result(IAsyncLONG *operation, PIRP irp, ULONG_PTR *information)
{
    LONG value;
    NTSTATUS status = IAsyncLONG_get_result(operation, &value);
    *information = 0;
    if (NT_SUCCESS(status)) {
        *(LONG *)irp->AssociatedIrp.SystemBuffer = value;
        *information = sizeof(LONG);
        kcom_atomic_fetch_add(&driver_state.completed, 1);
    } else if (status == STATUS_CANCELLED) {
        kcom_atomic_fetch_add(&driver_state.canceled, 1);
    }
    return status;
}

/* ---- the pended IRP's two ends: the completion callback and the cancel routine -------------------- */

/* The operation has finished (completed, failed, or canceled and its task ended). Runs once, on
 * the thread that finished it: a work item of the executor, or the dispatch routine through
 * set_completed when it had already finished. */
static void request_completed(IAsyncLONG *operation, kcom_async_status state, void *context)
{
    request *r = (request *)context;
    PIRP irp = r->irp;
    ULONG_PTR information;
    NTSTATUS status;
    KIRQL irql;
    (void)state;

    if (IoSetCancelRoutine(irp, NULL) == NULL) {
        /* IoCancelIrp took the routine: it is running, or about to, with the cancel spin lock
         * held until it has let go of r. Once the lock is free, r and the IRP are ours. */
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
    }
    KeAcquireSpinLock(&driver_state.lock, &irql);
    RemoveEntryList(&r->link);
    KeReleaseSpinLock(&driver_state.lock, irql);

    status = take_result(operation, irp, &information);
    if (NT_SUCCESS(status))
        DbgPrint("sensorhub: %s sensor %lu: completed, %ld\n", r->what, (unsigned long)r->sensor,
                 (long)*(LONG *)irp->AssociatedIrp.SystemBuffer);
    else
        DbgPrint("sensorhub: %s sensor %lu: IRP completed with %s\n", r->what, (unsigned long)r->sensor,
                 kcom_status_name(status));
    IAsyncLONG_Release(r->operation); /* the callback holds its own reference until it returns */
    kcom_free(NULL, r, sizeof(*r), KCOM_ALIGNOF(request));
    complete_irp(irp, status, information);
    IoReleaseRemoveLock(&driver_state.remove_lock, irp);
}

/* Called by IoCancelIrp (the client's CancelIoEx, or its thread ending) with the cancel spin lock
 * held. It does not complete the IRP: it cancels the operation, whose callback will. */
static void sensorhub_cancel(PDEVICE_OBJECT device, PIRP irp)
{
    request *r = (request *)irp->Tail.Overlay.DriverContext[0];
    IAsyncLONG *operation = r->operation;
    const char *what = r->what;
    ULONG sensor = r->sensor;
    (void)device;
    /* The IRP holds the remove lock, so this succeeds unless unload is already waiting, and
     * unload has canceled every request by then. Held, it keeps unload waiting for this routine. */
    if (!NT_SUCCESS(IoAcquireRemoveLock(&driver_state.remove_lock, operation))) {
        IoReleaseCancelSpinLock(irp->CancelIrql);
        return;
    }
    IAsyncLONG_AddRef(operation); /* r may be freed once the lock is released */
    IoReleaseCancelSpinLock(irp->CancelIrql);

    DbgPrint("sensorhub: %s sensor %lu: cancel routine: canceling the operation\n", what, (unsigned long)sensor);
    (void)IAsyncLONG_cancel(operation); /* STATUS_INVALID_DEVICE_STATE if it just finished: fine */
    IAsyncLONG_Release(operation);
    IoReleaseRemoveLock(&driver_state.remove_lock, operation);
}

/* Pends irp on operation (one reference, handed over), or completes it now if the operation has
 * already finished. Releases the IRP's remove lock when the IRP is completed. */
static NTSTATUS pend_on(PIRP irp, IAsyncLONG *operation, const char *what, const sensorhub_input *input)
{
    kcom_async_status state = KCOM_ASYNC_STARTED;
    ULONG_PTR information;
    NTSTATUS status;
    BOOLEAN stopping;
    request *r;
    KIRQL irql;

    (void)IAsyncLONG_get_status(operation, &state);
    if (state != KCOM_ASYNC_STARTED) {
        /* refused by the method's start function, or ready at the first poll: no pending */
        status = take_result(operation, irp, &information);
        if (NT_SUCCESS(status))
            DbgPrint("sensorhub: %s sensor %lu (%ld): ready at once, %ld: not pended\n", what,
                     (unsigned long)input->sensor, (long)input->value, (long)*(LONG *)irp->AssociatedIrp.SystemBuffer);
        else
            DbgPrint("sensorhub: %s sensor %lu (%ld): refused, %s: not pended\n", what, (unsigned long)input->sensor,
                     (long)input->value, kcom_status_name(status));
        IAsyncLONG_Release(operation);
        complete_irp(irp, status, information);
        IoReleaseRemoveLock(&driver_state.remove_lock, irp);
        return status;
    }

    r = (request *)kcom_allocate(NULL, sizeof(*r), KCOM_ALIGNOF(request));
    if (r == NULL) {
        (void)IAsyncLONG_cancel(operation); /* its task ends at its next poll, counted by the tracker */
        IAsyncLONG_Release(operation);
        complete_irp(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        IoReleaseRemoveLock(&driver_state.remove_lock, irp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(r, sizeof(*r));
    r->irp = irp;
    r->operation = operation;
    r->what = what;
    r->sensor = input->sensor;
    irp->Tail.Overlay.DriverContext[0] = r;
    IoMarkIrpPending(irp);

    /* Listed for unload, which cancels every listed request; once it has started, cancel here. */
    KeAcquireSpinLock(&driver_state.lock, &irql);
    stopping = driver_state.stopping;
    if (stopping)
        InitializeListHead(&r->link);
    else
        InsertTailList(&driver_state.pending, &r->link);
    KeReleaseSpinLock(&driver_state.lock, irql);
    if (stopping)
        (void)IAsyncLONG_cancel(operation);

    IoSetCancelRoutine(irp, sensorhub_cancel);
    if (irp->Cancel && IoSetCancelRoutine(irp, NULL) != NULL) {
        /* canceled before the routine was set: IoCancelIrp found none, so do its work here */
        (void)IAsyncLONG_cancel(operation);
    }
    DbgPrint("sensorhub: %s sensor %lu (%ld): pending\n", what, (unsigned long)input->sensor, (long)input->value);
    /* From here r belongs to the callback, which may run before this returns. */
    (void)IAsyncLONG_set_completed(operation, request_completed, r);
    return STATUS_PENDING;
}

/* ---- requests ------------------------------------------------------------------------------------ */

/* A copy of the input (METHOD_BUFFERED: the output overwrites it in the system buffer) and its
 * sensor, AddRef'd; or the documented failure. */
static NTSTATUS input_sensor(PIRP irp, ULONG out_needed, sensorhub_input *input, ISensor **sensor)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    *sensor = NULL;
    if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(sensorhub_input))
        return STATUS_INVALID_PARAMETER;
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < out_needed)
        return STATUS_BUFFER_TOO_SMALL;
    *input = *(const sensorhub_input *)irp->AssociatedIrp.SystemBuffer;
    if (input->sensor >= SENSORHUB_SENSOR_COUNT)
        return STATUS_NOT_FOUND;
    *sensor = driver_state.hub.sensors[input->sensor];
    ISensor_AddRef(*sensor);
    return STATUS_SUCCESS;
}

static NTSTATUS get_info(PIRP irp, ULONG_PTR *information)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    sensorhub_info *info = (sensorhub_info *)irp->AssociatedIrp.SystemBuffer;
    ULONG pending = 0;
    PLIST_ENTRY entry;
    KIRQL irql;
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(*info))
        return STATUS_BUFFER_TOO_SMALL;
    KeAcquireSpinLock(&driver_state.lock, &irql);
    for (entry = driver_state.pending.Flink; entry != &driver_state.pending; entry = entry->Flink)
        pending++;
    KeReleaseSpinLock(&driver_state.lock, irql);
    info->sensor_count = SENSORHUB_SENSOR_COUNT;
    info->sample_period_ms = driver_state.hub.period_ms;
    info->samples = (ULONG)kcom_atomic_load(&driver_state.hub.samples);
    info->requests_pending = pending;
    info->requests_completed = (ULONG)kcom_atomic_load(&driver_state.completed);
    info->requests_canceled = (ULONG)kcom_atomic_load(&driver_state.canceled);
    *information = sizeof(*info);
    return STATUS_SUCCESS;
}

/* Sync: ISensor::Read. */
static NTSTATUS read_sensor(PIRP irp, ULONG_PTR *information)
{
    sensorhub_input input;
    ISensor *sensor;
    LONG value;
    NTSTATUS status = input_sensor(irp, sizeof(LONG), &input, &sensor);
    if (!NT_SUCCESS(status))
        return status;
    status = ISensor_Read(sensor, &value);
    ISensor_Release(sensor);
    if (NT_SUCCESS(status)) {
        *(LONG *)irp->AssociatedIrp.SystemBuffer = value;
        *information = sizeof(LONG);
    }
    return status;
}

/* Sync: ISensorCalibration::SetOffset, on the sensor's secondary interface. */
static NTSTATUS calibrate(PIRP irp)
{
    sensorhub_input input;
    ISensorCalibration *calibration;
    ISensor *sensor;
    NTSTATUS status = input_sensor(irp, 0, &input, &sensor);
    if (!NT_SUCCESS(status))
        return status;
    status = KCOM_QUERY_INTERFACE(sensor, ISensorCalibration, &calibration);
    ISensor_Release(sensor);
    if (!NT_SUCCESS(status))
        return status;
    status = ISensorCalibration_SetOffset(calibration, input.value);
    ISensorCalibration_Release(calibration);
    return status;
}

/* Async: ISensor::Sample or IThresholdSensor::WaitAbove. Completes the IRP, or pends it. */
static NTSTATUS start_async(PIRP irp, ULONG code)
{
    sensorhub_input input;
    IThresholdSensor *threshold;
    IAsyncLONG *operation;
    ISensor *sensor;
    NTSTATUS status = input_sensor(irp, sizeof(LONG), &input, &sensor);
    if (!NT_SUCCESS(status)) {
        complete_irp(irp, status, 0);
        IoReleaseRemoveLock(&driver_state.remove_lock, irp);
        return status;
    }
    if (code == IOCTL_SENSORHUB_SAMPLE) {
        /* a negative settle time becomes a huge one, which the method refuses */
        operation = ISensor_Sample(sensor, (ULONG)input.value);
        ISensor_Release(sensor); /* the operation's work holds its own reference */
        return pend_on(irp, operation, "sample", &input);
    }
    status = KCOM_QUERY_INTERFACE(sensor, IThresholdSensor, &threshold);
    ISensor_Release(sensor);
    if (!NT_SUCCESS(status)) {
        complete_irp(irp, status, 0);
        IoReleaseRemoveLock(&driver_state.remove_lock, irp);
        return status;
    }
    operation = IThresholdSensor_WaitAbove(threshold, input.value);
    IThresholdSensor_Release(threshold);
    return pend_on(irp, operation, "wait-above", &input);
}

static NTSTATUS sensorhub_device_control(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG_PTR information = 0;
    NTSTATUS status;
    (void)device;

    status = IoAcquireRemoveLock(&driver_state.remove_lock, irp);
    if (!NT_SUCCESS(status))
        return complete_irp(irp, status, 0);
    switch (code) {
    case IOCTL_SENSORHUB_INFO:
        status = get_info(irp, &information);
        break;
    case IOCTL_SENSORHUB_READ:
        status = read_sensor(irp, &information);
        break;
    case IOCTL_SENSORHUB_CALIBRATE:
        status = calibrate(irp);
        break;
    case IOCTL_SENSORHUB_SAMPLE:
    case IOCTL_SENSORHUB_WAIT_ABOVE:
        return start_async(irp, code); /* it completes or pends the IRP, and releases the lock */
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    complete_irp(irp, status, information);
    IoReleaseRemoveLock(&driver_state.remove_lock, irp);
    return status;
}

static NTSTATUS sensorhub_create_close(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

/* ---- load and unload ------------------------------------------------------------------------------- */

static void sensorhub_unload(PDRIVER_OBJECT driver)
{
    NTSTATUS drain;
    LONG outstanding, live;
    ULONG pending = 0;
    PLIST_ENTRY entry;
    KIRQL irql;

    /* 1. no new pending requests (pend_on cancels them from now on); the sampler and the
     *    requests still pending would run forever: the tracker cancels every task it counts */
    KeAcquireSpinLock(&driver_state.lock, &irql);
    driver_state.stopping = TRUE;
    for (entry = driver_state.pending.Flink; entry != &driver_state.pending; entry = entry->Flink)
        pending++;
    KeReleaseSpinLock(&driver_state.lock, irql);
    DbgPrint("sensorhub: unload: canceling the sampler and %lu pending request%s\n", (unsigned long)pending,
             pending == 1 ? "" : "s");
    /* 2. cancel every task of the executor and wait for them (their callbacks have completed the
     *    IRPs by then) */
    drain = kcom_tracker_cancel_and_drain(driver_state.tracker, DRAIN_TIMEOUT_MS);
    outstanding = kcom_tracker_outstanding(driver_state.tracker);

    /* 3. IRPs still in the driver: a dispatch routine, a cancel routine letting go */
    (void)IoAcquireRemoveLock(&driver_state.remove_lock, driver);
    IoReleaseRemoveLockAndWait(&driver_state.remove_lock, driver);

    /* 4. free; after a failed drain, leave alone what tasks may still use */
    if (drain == STATUS_SUCCESS) {
        sensorhub_release(&driver_state.hub);
        (void)kcom_set_default_executor(NULL);
        kcom_work_item_executor_destroy(driver_state.work);
        kcom_tracker_destroy(driver_state.tracker);
    }
    IoDeleteSymbolicLink(&driver_state.link_name);
    IoDeleteDevice(driver_state.device);
    live = kcom_counting_allocator_live(&driver_state.counter);
    if (drain == STATUS_SUCCESS) {
        (void)kcom_set_default_allocator(NULL);
        kcom_uninitialize();
        DbgPrint("sensorhub: unload: drained, %ld outstanding, %ld live kcom allocations\n", (long)outstanding,
                 (long)live);
    } else {
        DbgPrint("sensorhub: unload: drain %s, %ld outstanding, %ld live kcom allocations\n",
                 kcom_status_name(drain), (long)outstanding, (long)live);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    kcom_work_item_executor_config config;
    UNICODE_STRING device_name;
    NTSTATUS status;
    (void)registry_path;

    (void)kcom_set_pool_tag(SENSORHUB_POOL_TAG); /* kcom's pool blocks carry the driver's tag */
    status = kcom_initialize();
    if (!NT_SUCCESS(status))
        return status;
    kcom_counting_allocator_init(&driver_state.counter, kcom_platform_allocator());
    kcom_set_default_allocator(&driver_state.counter.allocator);
    KeInitializeSpinLock(&driver_state.lock);
    InitializeListHead(&driver_state.pending);
    IoInitializeRemoveLock(&driver_state.remove_lock, SENSORHUB_POOL_TAG, 0, 0);

    RtlInitUnicodeString(&device_name, SENSORHUB_DEVICE_NAME);
    RtlInitUnicodeString(&driver_state.link_name, SENSORHUB_LINK_NAME);
    status = IoCreateDevice(driver, 0, &device_name, SENSORHUB_DEVICE_TYPE, FILE_DEVICE_SECURE_OPEN, FALSE,
                            &driver_state.device);
    if (!NT_SUCCESS(status))
        goto fail;
    status = IoCreateSymbolicLink(&driver_state.link_name, &device_name);
    if (!NT_SUCCESS(status))
        goto fail_device;

    /* Work items, not DPCs: the tasks run at PASSIVE_LEVEL (and queued DPCs never run under Wine).
     * The tracker counts every task spawned on the executor, for the drain at unload. */
    status = kcom_tracker_create(&driver_state.tracker);
    if (!NT_SUCCESS(status))
        goto fail_link;
    RtlZeroMemory(&config, sizeof(config));
    config.tracker = driver_state.tracker;
    status = kcom_work_item_executor_create(driver_state.device, &config, &driver_state.work, &driver_state.executor);
    if (!NT_SUCCESS(status))
        goto fail_tracker;
    status = kcom_set_default_executor(driver_state.executor); /* async methods run their work there */
    if (!NT_SUCCESS(status))
        goto fail_executor;
    status = sensorhub_start(&driver_state.hub, driver_state.executor, SAMPLE_PERIOD_MS);
    if (!NT_SUCCESS(status))
        goto fail_executor;

    driver->MajorFunction[IRP_MJ_CREATE] = sensorhub_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = sensorhub_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = sensorhub_create_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = sensorhub_device_control;
    driver->DriverUnload = sensorhub_unload;
    DbgPrint("sensorhub: loaded: %lu sensors sampled every %lu ms on a work-item executor\n",
             (unsigned long)SENSORHUB_SENSOR_COUNT, (unsigned long)SAMPLE_PERIOD_MS);
    return STATUS_SUCCESS;

fail_executor:
    (void)kcom_set_default_executor(NULL);
    kcom_work_item_executor_destroy(driver_state.work);
fail_tracker:
    kcom_tracker_destroy(driver_state.tracker);
fail_link:
    IoDeleteSymbolicLink(&driver_state.link_name);
fail_device:
    IoDeleteDevice(driver_state.device);
fail:
    DbgPrint("sensorhub: DriverEntry failed: %s (0x%08lx)\n", kcom_status_name(status), (unsigned long)status);
    (void)kcom_set_default_allocator(NULL);
    kcom_uninitialize();
    return status;
}
