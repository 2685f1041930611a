/*
 * hello.sys - a first WDM driver with kcom (docs/first-driver.md).
 *
 * One kcom class, Counter, implements ICounter: Add (sync) adds at once; AddLater (async) waits
 * on a kcom timer, then adds. \Device\KcomHello (\\.\KcomHello) maps IOCTL_HELLO_ADD to Add and
 * IOCTL_HELLO_ADD_LATER to AddLater: that request is pended and completed from the operation's
 * completion callback. The async work runs on a work-item executor whose tracker DriverUnload
 * drains. (The client waits for each answer, so no request is pending at unload; a driver whose
 * requests may be canceled or outlive a handle does what samples/sensorhub does.)
 */
#include <ntddk.h>
#include <kcom/kcom.h>

#include "hello_ioctl.h"

/* ---- the interface and the class ------------------------------------------------------------- */

KCOM_DECLARE_ASYNC_OPERATION(IAsyncULONG, ULONG,
    0x1f0e4a60, 0x2b7c, 0x4d11, 0x8e, 0x35, 0x5a, 0x0c, 0x77, 0x21, 0x9b, 0x01)

#define ICounter_METHODS(M, I)                                                            \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, ULONG, Add, (ULONG, value))                                              \
    M(I, ASYNC, IAsyncULONG, AddLater, (ULONG, value)(ULONG, delay_ms))

KCOM_DECLARE_INTERFACE(ICounter, IUnknown,
    0x1f0e4a61, 0x2b7c, 0x4d11, 0x8e, 0x35, 0x5a, 0x0c, 0x77, 0x21, 0x9b, 0x01)

typedef struct Counter {
    ICounter ICounter_iface;
    LONG volatile total;
} Counter;

static NTSTATUS Counter_Add(Counter *self, ULONG value, ULONG *total)
{
    *total = (ULONG)kcom_atomic_fetch_add(&self->total, (LONG)value) + value;
    return STATUS_SUCCESS;
}

/* AddLater's task: its state lives in the operation's one allocation. */
typedef struct Counter_AddLater_state {
    KCOM_TASK_RESUME_POINT;
    Counter *self; /* the method's reference keeps the object alive until the drop */
    ULONG value;
    kcom_async_timer delay;
} Counter_AddLater_state;

/* Runs on the caller (the dispatch routine); a failure gives it an operation already in Error. */
static NTSTATUS Counter_AddLater(Counter *self, Counter_AddLater_state *state, ULONG value, ULONG delay_ms)
{
    if (delay_ms > HELLO_MAX_DELAY_MS)
        return STATUS_INVALID_PARAMETER;
    state->self = self;
    state->value = value;
    kcom_async_timer_init(&state->delay, delay_ms, 0);
    return STATUS_SUCCESS;
}

static kcom_poll_result Counter_AddLater_poll(Counter_AddLater_state *state, kcom_task_context *cx)
{
    ULONG total;
    KCOM_TASK_BEGIN(state);
    KCOM_AWAIT(kcom_async_timer_poll(&state->delay, cx));
    if (!NT_SUCCESS(state->delay.status))
        KCOM_TASK_RETURN(cx, state->delay.status);
    (void)Counter_Add(state->self, state->value, &total);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, total);
    KCOM_TASK_END(cx);
}

static void Counter_AddLater_drop(Counter_AddLater_state *state)
{
    kcom_async_timer_clear(&state->delay);
}

KCOM_IMPLEMENT(Counter, ICounter, ICounter_iface)
KCOM_CLASS(Counter, NULL, (ICounter, ICounter_iface))

/* ---- the driver -------------------------------------------------------------------------------- */

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD hello_unload;
static DRIVER_DISPATCH hello_create_close;
static DRIVER_DISPATCH hello_device_control;

static struct {
    PDEVICE_OBJECT device;
    UNICODE_STRING link_name;
    kcom_tracker *tracker;
    kcom_work_item_executor *work;
    const kcom_executor *executor;
    ICounter *counter;
} hello;

static NTSTATUS complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/* The operation has finished: its result becomes the IRP's. Runs once, on the executor's work
 * item, or in the dispatch routine when the operation had finished before set_completed. */
static void add_later_completed(IAsyncULONG *operation, kcom_async_status state, void *context)
{
    PIRP irp = (PIRP)context;
    ULONG total = 0;
    NTSTATUS status = IAsyncULONG_get_result(operation, &total);
    (void)state;
    if (NT_SUCCESS(status))
        *(ULONG *)irp->AssociatedIrp.SystemBuffer = total;
    DbgPrint("hello: add-later completed: %s, total %lu\n", kcom_status_name(status), (unsigned long)total);
    complete_irp(irp, status, NT_SUCCESS(status) ? sizeof(ULONG) : 0);
}

static NTSTATUS hello_device_control(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    hello_request request;
    IAsyncULONG *operation;
    ULONG total = 0;
    NTSTATUS status;
    (void)device;
    if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(request) ||
        stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG))
        return complete_irp(irp, STATUS_INVALID_PARAMETER, 0);
    request = *(const hello_request *)irp->AssociatedIrp.SystemBuffer;
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_HELLO_ADD:
        status = ICounter_Add(hello.counter, request.value, &total);
        if (NT_SUCCESS(status))
            *(ULONG *)irp->AssociatedIrp.SystemBuffer = total;
        return complete_irp(irp, status, NT_SUCCESS(status) ? sizeof(ULONG) : 0);
    case IOCTL_HELLO_ADD_LATER:
        /* Returns at once; the work runs on the default executor. The callback completes the
         * IRP, now if the operation has already finished (refused by AddLater), else later. */
        operation = ICounter_AddLater(hello.counter, request.value, request.delay_ms);
        IoMarkIrpPending(irp);
        (void)IAsyncULONG_set_completed(operation, add_later_completed, irp);
        IAsyncULONG_Release(operation); /* the callback holds its own reference while it runs */
        return STATUS_PENDING;
    default:
        return complete_irp(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static NTSTATUS hello_create_close(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

static void hello_unload(PDRIVER_OBJECT driver)
{
    NTSTATUS drain;
    (void)driver;
    drain = kcom_tracker_drain(hello.tracker, 10000); /* every task of the executor has ended */
    KCOM_RELEASE_AND_CLEAR(&hello.counter);
    (void)kcom_set_default_executor(NULL);
    kcom_work_item_executor_destroy(hello.work);
    kcom_tracker_destroy(hello.tracker);
    IoDeleteSymbolicLink(&hello.link_name);
    IoDeleteDevice(hello.device);
    kcom_uninitialize();
    DbgPrint("hello: unloaded, drain %s\n", kcom_status_name(drain));
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
    RtlInitUnicodeString(&device_name, HELLO_DEVICE_NAME);
    RtlInitUnicodeString(&hello.link_name, HELLO_LINK_NAME);
    status = IoCreateDevice(driver, 0, &device_name, HELLO_DEVICE_TYPE, FILE_DEVICE_SECURE_OPEN, FALSE, &hello.device);
    if (!NT_SUCCESS(status))
        goto fail;
    status = IoCreateSymbolicLink(&hello.link_name, &device_name);
    if (!NT_SUCCESS(status))
        goto fail_device;
    /* The async work runs on work items (PASSIVE_LEVEL); the tracker counts its tasks. */
    status = kcom_tracker_create(&hello.tracker);
    if (!NT_SUCCESS(status))
        goto fail_link;
    RtlZeroMemory(&config, sizeof(config));
    config.tracker = hello.tracker;
    status = kcom_work_item_executor_create(hello.device, &config, &hello.work, &hello.executor);
    if (!NT_SUCCESS(status))
        goto fail_tracker;
    status = kcom_set_default_executor(hello.executor);
    if (NT_SUCCESS(status))
        status = kcom_object_create(KCOM_CLASS_OF(Counter), NULL, NULL, NULL, &IID_ICounter, (void **)&hello.counter);
    if (!NT_SUCCESS(status))
        goto fail_executor;
    driver->MajorFunction[IRP_MJ_CREATE] = hello_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = hello_create_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = hello_device_control;
    driver->DriverUnload = hello_unload;
    DbgPrint("hello: loaded\n");
    return STATUS_SUCCESS;

fail_executor:
    (void)kcom_set_default_executor(NULL);
    kcom_work_item_executor_destroy(hello.work);
fail_tracker:
    kcom_tracker_destroy(hello.tracker);
fail_link:
    IoDeleteSymbolicLink(&hello.link_name);
fail_device:
    IoDeleteDevice(hello.device);
fail:
    kcom_uninitialize();
    return status;
}
