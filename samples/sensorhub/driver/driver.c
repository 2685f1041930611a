/*
 * sensorhub.sys - a WDM driver built from kcom components.
 *
 * \Device\SensorHub (\\.\SensorHub) exposes a hub of simulated sensors (sensors.c) through the
 * IOCTLs of sensorhub_ioctl.h. Sync IOCTLs call sync methods in the dispatch routine. Async IOCTLs
 * call an async method, which returns an operation at once, and hand the IRP and the operation to
 * kcom_irp_pend (kcom/irp.h, docs/irp.md):
 *
 *   - finished already (refused by its start function, or ready at its first poll): the IRP is
 *     completed in the dispatch routine;
 *   - otherwise the IRP is pended in the driver's queue and completed with the result when the
 *     operation finishes;
 *   - a cancel of the IRP (CancelIoEx, the thread's end, IRP_MJ_CLEANUP, unload) cancels the
 *     operation, whose task sees the cancel and ends, and completes the IRP with STATUS_CANCELLED.
 *
 * DriverUnload drains the queue (the pending requests canceled, their operations let go of), then
 * cancels what would run forever (the sampler) and drains the tracker that counts every task of
 * the work-item executor; it then waits on the remove lock for dispatch routines still running,
 * frees everything and reports in the line the test checks:
 *
 *     sensorhub: unload: drained, 0 outstanding, 0 live kcom allocations
 *
 * (Windows defers DriverUnload while a handle is open; Wine calls it at once, so a request can
 * still be pending then, and the handle's close can come after the drains: DriverUnload waits for
 * it, so that no IRP_MJ_CLOSE is dispatched into an unloaded image. The driver handles both.)
 */
#include "sensorhub.h"

#include <kcom/irp.h>

#define SAMPLE_PERIOD_MS 20u
#define DRAIN_TIMEOUT_MS 10000u
#define HANDLE_WAIT_MS 5000u /* for the last handle's close at unload (Wine: see the top) */
#define SENSORHUB_POOL_TAG 0x62756873UL /* "shub" in memory, as pool tools show it */

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD sensorhub_unload;
static DRIVER_DISPATCH sensorhub_create;
static DRIVER_DISPATCH sensorhub_close;
static DRIVER_DISPATCH sensorhub_cleanup;
static DRIVER_DISPATCH sensorhub_device_control;

static struct {
    PDEVICE_OBJECT device;
    UNICODE_STRING link_name;
    /* kcom's default allocator: unload reports what is still allocated */
    kcom_counting_allocator counter;
    kcom_tracker *tracker;
    kcom_work_item_executor *work;
    const kcom_executor *executor;
    /* Held by each dispatch routine while it runs: unload waits on it. */
    IO_REMOVE_LOCK remove_lock;
    LONG volatile handles;   /* file objects open (creates less closes) */
    LONG volatile unloading; /* set first by DriverUnload: creates are refused from then on */
    kcom_irp_queue pending; /* the async requests' IRPs, pended until their operations finish */
    LONG volatile completed;
    sensorhub hub;
} driver_state;

static NTSTATUS complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/* The result of a completed operation into the IRP's buffer (kcom_irp_copy_fn): in the dispatch
 * routine when it was ready at once, else on the executor's work item that finished it. */
static NTSTATUS copy_value(IKcomAsyncOperation *operation, void *buffer, ULONG length, ULONG_PTR *information,
                           void *what)
{
    NTSTATUS status = kcom_irp_copy_result(operation, buffer, length, information, KCOM_IRP_RESULT_SIZE(LONG));
    if (NT_SUCCESS(status)) {
        kcom_atomic_fetch_add(&driver_state.completed, 1);
        DbgPrint("sensorhub: %s: completed, %ld\n", (const char *)what, (long)*(LONG *)buffer);
    }
    return status;
}

/* Completes the IRP with the operation's outcome, now if it has finished (refused by the method's
 * start function, or ready at its first poll), else when it finishes; a cancel of the IRP
 * cancels the operation. */
static NTSTATUS pend_on(PIRP irp, IAsyncLONG *operation, const char *what)
{
    NTSTATUS status = kcom_irp_pend(&driver_state.pending, irp, IAsyncLONG_generic(operation), copy_value,
                                    (void *)what);
    IAsyncLONG_Release(operation); /* the pend holds its own reference */
    DbgPrint("sensorhub: %s: %s\n", what, status == STATUS_PENDING ? "pending" : kcom_status_name(status));
    return status;
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
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(*info))
        return STATUS_BUFFER_TOO_SMALL;
    info->sensor_count = SENSORHUB_SENSOR_COUNT;
    info->sample_period_ms = driver_state.hub.period_ms;
    info->samples = (ULONG)kcom_atomic_load(&driver_state.hub.samples);
    info->requests_pending = (ULONG)kcom_irp_queue_count(&driver_state.pending);
    info->requests_completed = (ULONG)kcom_atomic_load(&driver_state.completed);
    info->requests_canceled = (ULONG)kcom_atomic_load(&driver_state.hub.canceled);
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
    ISensor *sensor;
    NTSTATUS status = input_sensor(irp, sizeof(LONG), &input, &sensor);
    if (NT_SUCCESS(status) && code == IOCTL_SENSORHUB_SAMPLE) {
        /* a negative settle time becomes a huge one, which the method refuses */
        IAsyncLONG *operation = ISensor_Sample(sensor, (ULONG)input.value);
        ISensor_Release(sensor); /* the operation's work holds its own reference */
        return pend_on(irp, operation, "sample");
    }
    if (NT_SUCCESS(status)) {
        status = KCOM_QUERY_INTERFACE(sensor, IThresholdSensor, &threshold);
        ISensor_Release(sensor);
    }
    if (NT_SUCCESS(status)) {
        IAsyncLONG *operation = IThresholdSensor_WaitAbove(threshold, input.value);
        IThresholdSensor_Release(threshold);
        return pend_on(irp, operation, "wait-above");
    }
    return complete_irp(irp, status, 0);
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
        status = start_async(irp, code); /* it completes or pends the IRP */
        IoReleaseRemoveLock(&driver_state.remove_lock, irp);
        return status;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    complete_irp(irp, status, information);
    IoReleaseRemoveLock(&driver_state.remove_lock, irp);
    return status;
}

/* A create counts the file object it opens, unless the driver is unloading: the count goes up
 * before the flag is read, and DriverUnload sets the flag before it reads the count, so one of
 * the two sees the other. */
static NTSTATUS sensorhub_create(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    kcom_atomic_fetch_add(&driver_state.handles, 1);
    if (kcom_atomic_load(&driver_state.unloading)) {
        kcom_atomic_fetch_add(&driver_state.handles, -1);
        return complete_irp(irp, STATUS_DELETE_PENDING, 0);
    }
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

/* The count goes down under the remove lock, so that DriverUnload, which waits for the count and
 * then for the lock, does not return while this routine still runs. */
static NTSTATUS sensorhub_close(PDEVICE_OBJECT device, PIRP irp)
{
    NTSTATUS lock = IoAcquireRemoveLock(&driver_state.remove_lock, irp);
    (void)device;
    DbgPrint("sensorhub: handle closed\n");
    (void)complete_irp(irp, STATUS_SUCCESS, 0);
    kcom_atomic_fetch_add(&driver_state.handles, -1);
    if (NT_SUCCESS(lock))
        IoReleaseRemoveLock(&driver_state.remove_lock, irp);
    return STATUS_SUCCESS;
}

/* The last handle of a file object is closed: its pending requests are canceled. */
static NTSTATUS sensorhub_cleanup(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    (void)kcom_irp_queue_cancel_file(&driver_state.pending, IoGetCurrentIrpStackLocation(irp)->FileObject, NULL);
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

/* ---- load and unload ------------------------------------------------------------------------------- */

static void sensorhub_unload(PDRIVER_OBJECT driver)
{
    NTSTATUS drain, stopped;
    LONG outstanding, live;
    ULONG waited;

    kcom_atomic_store(&driver_state.unloading, 1);
    /* DriverUnload cannot refuse, and once it returns the driver's code is gone: while something
     * ignores its cancel, the unload waits (and says so) rather than return with it running */
    DbgPrint("sensorhub: unload: canceling the sampler and %ld pending request%s\n",
             (long)kcom_irp_queue_count(&driver_state.pending),
             kcom_irp_queue_count(&driver_state.pending) == 1 ? "" : "s");
    /* 1. no new pending requests; those pending are canceled (their operations too) and
     *    completed, and the queue waits until no operation refers to it */
    while ((drain = kcom_irp_queue_drain(&driver_state.pending, DRAIN_TIMEOUT_MS)) == STATUS_TIMEOUT)
        DbgPrint("sensorhub: unload: %ld requests ignore their cancel\n",
                 (long)kcom_irp_queue_count(&driver_state.pending));
    /* 2. the sampler would run forever: cancel every task of the executor and wait for them */
    drain = kcom_tracker_cancel_and_drain(driver_state.tracker, DRAIN_TIMEOUT_MS);
    while (drain == STATUS_TIMEOUT) {
        DbgPrint("sensorhub: unload: %ld tasks ignore their cancel\n",
                 (long)kcom_tracker_outstanding(driver_state.tracker));
        drain = kcom_tracker_drain(driver_state.tracker, DRAIN_TIMEOUT_MS);
    }
    outstanding = kcom_tracker_outstanding(driver_state.tracker);

    /* 3. handles still open (only under Wine, which unloads with them: their requests have just
     *    ended, and their closes are on the way), then dispatch routines still running */
    for (waited = 0; kcom_atomic_load(&driver_state.handles) != 0 && waited < HANDLE_WAIT_MS; waited += 10) {
        LARGE_INTEGER ten_ms;
        ten_ms.QuadPart = -10 * 1000 * 10; /* relative, in 100 ns units */
        (void)KeDelayExecutionThread(KernelMode, FALSE, &ten_ms);
    }
    if (kcom_atomic_load(&driver_state.handles) != 0)
        DbgPrint("sensorhub: unload: %ld handles still open\n", (long)kcom_atomic_load(&driver_state.handles));
    (void)IoAcquireRemoveLock(&driver_state.remove_lock, driver);
    IoReleaseRemoveLockAndWait(&driver_state.remove_lock, driver);

    /* 4. free */
    sensorhub_release(&driver_state.hub);
    (void)kcom_set_default_executor(NULL);
    kcom_work_item_executor_destroy(driver_state.work);
    kcom_tracker_destroy(driver_state.tracker);
    IoDeleteSymbolicLink(&driver_state.link_name);
    IoDeleteDevice(driver_state.device);
    live = kcom_counting_allocator_live(&driver_state.counter);
    (void)kcom_set_default_allocator(NULL);
    stopped = kcom_uninitialize();
    if (drain == STATUS_SUCCESS && stopped == STATUS_SUCCESS)
        DbgPrint("sensorhub: unload: drained, %ld outstanding, %ld live kcom allocations\n", (long)outstanding,
                 (long)live);
    else
        DbgPrint("sensorhub: unload: drain %s, kcom_uninitialize %s, %ld outstanding, %ld live kcom allocations\n",
                 kcom_status_name(drain), kcom_status_name(stopped), (long)outstanding, (long)live);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    kcom_work_item_executor_config config;
    UNICODE_STRING device_name;
    NTSTATUS status;
    (void)registry_path;

    status = kcom_initialize(); /* first, at PASSIVE_LEVEL */
    if (!NT_SUCCESS(status))
        return status;
    (void)kcom_set_pool_tag(SENSORHUB_POOL_TAG); /* kcom's pool blocks carry the driver's tag */
    kcom_counting_allocator_init(&driver_state.counter, kcom_platform_allocator());
    kcom_set_default_allocator(&driver_state.counter.allocator);
    (void)kcom_irp_queue_init(&driver_state.pending);
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

    driver->MajorFunction[IRP_MJ_CREATE] = sensorhub_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = sensorhub_cleanup;
    driver->MajorFunction[IRP_MJ_CLOSE] = sensorhub_close;
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
