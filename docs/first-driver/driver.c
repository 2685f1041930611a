/*
 * hello.sys - a first WDM driver with kcom (docs/first-driver.md).
 *
 * One kcom class, Counter, implements ICounter: Add (sync) adds at once; AddLater (async) waits
 * on a kcom timer, then adds. \Device\KcomHello (\\.\KcomHello) maps IOCTL_HELLO_ADD to Add and
 * IOCTL_HELLO_ADD_LATER to AddLater: kcom_irp_pend (kcom/irp.h) pends that request until the
 * operation finishes and completes it with the result, and cancels the operation when the request
 * is canceled. The async work runs on a work-item executor whose tracker DriverUnload drains,
 * after the queue of pended requests.
 */
#include <ntddk.h>
#include <kcom/kcom.h>
#include <kcom/irp.h>

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
    ULONG value;
    BOOLEAN canceled;
    kcom_async_timer delay;
} Counter_AddLater_state;

/* Runs on the caller (the dispatch routine); a failure gives it an operation already in Error. */
static NTSTATUS Counter_AddLater(Counter *self, Counter_AddLater_state *state, ULONG value, ULONG delay_ms)
{
    if (delay_ms > HELLO_MAX_DELAY_MS)
        return STATUS_INVALID_PARAMETER;
    (void)self; /* the poll finds it as KCOM_ASYNC_SELF(Counter, state), valid until the drop */
    state->value = value;
    kcom_async_timer_init(&state->delay, delay_ms, 0);
    return STATUS_SUCCESS;
}

static kcom_poll_result Counter_AddLater_poll(Counter_AddLater_state *state, kcom_task_context *cx)
{
    ULONG total;
    KCOM_TASK_BEGIN(state);
    /* a cancel wakes the task: it ends without adding */
    KCOM_AWAIT_CANCELABLE(cx, state->canceled, kcom_async_timer_poll(&state->delay, cx));
    if (state->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    if (!NT_SUCCESS(state->delay.status))
        KCOM_TASK_RETURN(cx, state->delay.status);
    (void)Counter_Add(KCOM_ASYNC_SELF(Counter, state), state->value, &total);
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
static DRIVER_DISPATCH hello_cleanup;
static DRIVER_DISPATCH hello_device_control;

static struct {
    PDEVICE_OBJECT device;
    UNICODE_STRING link_name;
    kcom_tracker *tracker;
    kcom_work_item_executor *work;
    const kcom_executor *executor;
    ICounter *counter;
    kcom_irp_queue pending; /* AddLater's requests until their operations finish */
} hello;

static NTSTATUS complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/* The operation has completed: its result into the IRP's buffer. Runs once, on the executor's
 * work item, or in the dispatch routine when the operation had finished already. */
static NTSTATUS add_later_copy(IKcomAsyncOperation *operation, void *buffer, ULONG length, ULONG_PTR *information,
                               void *context)
{
    NTSTATUS status = kcom_irp_copy_result(operation, buffer, length, information, context);
    DbgPrint("hello: add-later completed: %s, total %lu\n", kcom_status_name(status),
             NT_SUCCESS(status) ? (unsigned long)*(ULONG *)buffer : 0ul);
    return status;
}

static NTSTATUS NTAPI hello_device_control(PDEVICE_OBJECT device, PIRP irp)
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
        /* Returns at once; the work runs on the default executor. The IRP is completed now if
         * the operation has already finished (refused by AddLater), else when it finishes. */
        operation = ICounter_AddLater(hello.counter, request.value, request.delay_ms);
        status = kcom_irp_pend(&hello.pending, irp, IAsyncULONG_generic(operation), add_later_copy,
                               KCOM_IRP_RESULT_SIZE(ULONG));
        IAsyncULONG_Release(operation); /* the pend holds its own reference */
        return status;
    default:
        return complete_irp(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static NTSTATUS NTAPI hello_create_close(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

/* The last handle of a file object is closed: its pending requests are canceled. */
static NTSTATUS NTAPI hello_cleanup(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    (void)kcom_irp_queue_cancel_file(&hello.pending, IoGetCurrentIrpStackLocation(irp)->FileObject, NULL);
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

static void NTAPI hello_unload(PDRIVER_OBJECT driver)
{
    NTSTATUS drain;
    (void)driver;
    /* pending requests canceled and completed; then every task of the executor canceled and ended.
     * DriverUnload cannot refuse: while something ignores its cancel, nothing it may use is freed
     * (the unload waits, visibly) */
    drain = kcom_irp_queue_drain(&hello.pending, 10000);
    while (drain == STATUS_TIMEOUT) {
        DbgPrint("hello: %ld requests ignore their cancel\n", (long)kcom_irp_queue_count(&hello.pending));
        drain = kcom_irp_queue_drain(&hello.pending, 10000);
    }
    drain = kcom_tracker_cancel_and_drain(hello.tracker, 10000);
    while (drain == STATUS_TIMEOUT) {
        DbgPrint("hello: %ld tasks ignore their cancel\n", (long)kcom_tracker_outstanding(hello.tracker));
        drain = kcom_tracker_drain(hello.tracker, 10000);
    }
    KCOM_RELEASE_AND_CLEAR(&hello.counter);
    (void)kcom_set_default_executor(NULL);
    kcom_work_item_executor_destroy(hello.work);
    kcom_tracker_destroy(hello.tracker);
    IoDeleteSymbolicLink(&hello.link_name);
    IoDeleteDevice(hello.device);
    kcom_uninitialize();
    DbgPrint("hello: unloaded, drain %s\n", kcom_status_name(drain));
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    kcom_work_item_executor_config config;
    UNICODE_STRING device_name;
    NTSTATUS status;
    (void)registry_path;
    status = kcom_initialize(); /* first, at PASSIVE_LEVEL */
    if (!NT_SUCCESS(status))
        return status;
    (void)kcom_irp_queue_init(&hello.pending);
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
    driver->MajorFunction[IRP_MJ_CLEANUP] = hello_cleanup;
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
