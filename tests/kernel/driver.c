/*
 * kcom_test.sys - runs kcom's portable test suites inside a kernel driver.
 *
 * The same sources as the host runner (tests/harness, every .c file of tests/suites) plus a few
 * kernel-only tests, compiled for the kernel. The driver creates \Device\KcomTest and lists and
 * runs its tests on request (kcom_test_ioctl.h); kcom_test_client.exe drives it from user mode.
 * Every kcom allocation goes through a counting allocator set as kcom's default: each test is
 * checked for leaks, and DriverUnload reports what is still allocated in a line the runner checks:
 *
 *     kcom_test: unload: 0 live kcom allocations
 *
 * With the kernel executors, the driver has a tracker and a work-item executor counted by it;
 * DriverUnload sets the unload event (a test leaves a task waiting on it), drains the tracker and
 * reports that in a line the runner checks too:
 *
 *     kcom_test: drain: STATUS_SUCCESS, 0 tasks outstanding
 *
 * It also pends IRPs on operations for the client's IRP tests (kernel_irp.c, kcom/irp.h) and
 * drains their queue first at unload, reporting it in a line the runner checks when present:
 *
 *     kcom_test: irp drain: STATUS_SUCCESS, 2 pended before, 0 left
 *
 * Test output is kept per test for the client and echoed line by line to the debug log, so a
 * test that crashes the driver can be seen in the log up to its last line.
 */
#include <kcom/kcom.h>

#include "../harness/kcom_test.h"
#include "../suites/test_list.h"
#include "kcom_test_ioctl.h"
#include "kernel_test_driver.h"
#include "kernel_test_list.h"

/* ntoskrnl's formatter (Microsoft semantics: -1 and no terminator when the text does not fit). */
int __cdecl _vsnprintf(char *buffer, size_t count, const char *format, va_list args);

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD driver_unload;
static DRIVER_DISPATCH dispatch_create_close;
static DRIVER_DISPATCH dispatch_device_control;
static DRIVER_DISPATCH dispatch_cleanup;

#define DECLARE_TEST_(name) void kcom_test_##name(void);
KCOM_TEST_LIST(DECLARE_TEST_)
KCOM_KERNEL_TEST_LIST(DECLARE_TEST_)

static const struct {
    const char *name;
    void (*run)(void);
} tests[] = {
#define TEST_ENTRY_(name) {#name, kcom_test_##name},
    KCOM_TEST_LIST(TEST_ENTRY_) KCOM_KERNEL_TEST_LIST(TEST_ENTRY_)
};
#define TEST_COUNT ((ULONG)(sizeof(tests) / sizeof(tests[0])))

static kcom_counting_allocator counter;
/* What the driver itself keeps from DriverEntry to DriverUnload (its tracker and executor). */
static LONG resident_allocations;
static PDEVICE_OBJECT device;
static UNICODE_STRING link_name;

PDEVICE_OBJECT kcom_test_device(void)
{
    return device;
}

NTSTATUS kcom_test_complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS
static kcom_tracker *tracker;
static kcom_work_item_executor *work_executor;
static const kcom_executor *executor;
static kcom_async_event unload_event;
static kcom_counting_allocator unload_counter;

kcom_tracker *kcom_test_tracker(void)
{
    return tracker;
}

const kcom_executor *kcom_test_executor(void)
{
    return executor;
}

kcom_async_event *kcom_test_unload_event(void)
{
    return &unload_event;
}

const kcom_allocator *kcom_test_unload_allocator(void)
{
    return &unload_counter.allocator;
}

/* DriverEntry, after the device exists. */
static NTSTATUS start_executors(void)
{
    kcom_work_item_executor_config config;
    NTSTATUS status;
    kcom_async_event_init(&unload_event, FALSE);
    kcom_counting_allocator_init(&unload_counter, kcom_platform_allocator());
    status = kcom_tracker_create(&tracker);
    if (!NT_SUCCESS(status))
        return status;
    RtlZeroMemory(&config, sizeof(config));
    config.tracker = tracker;
    status = kcom_work_item_executor_create(device, &config, &work_executor, &executor);
    if (!NT_SUCCESS(status)) {
        kcom_tracker_destroy(tracker);
        tracker = NULL;
    }
    kcom_test_irp_start();
    return status;
}

/* DriverUnload, first: what tests left running ends (woken, or canceled), and the drain waits for
 * it: the unload recipe of docs/executors.md. */
static void stop_executors(void)
{
    NTSTATUS status;
    kcom_test_irp_stop(); /* IRPs still pended: canceled and completed, their records gone */
    (void)kcom_async_event_set(&unload_event);
    status = kcom_tracker_cancel_and_drain(tracker, 10000);
    DbgPrint("kcom_test: drain: %s, %ld tasks outstanding\n", kcom_status_name(status),
             (long)kcom_tracker_outstanding(tracker));
    kcom_work_item_executor_destroy(work_executor);
    kcom_tracker_destroy(tracker);
}

static LONG unload_live(void)
{
    return kcom_counting_allocator_live(&unload_counter);
}

static NTSTATUS irp_dispatch(PIRP irp)
{
    return kcom_test_irp_dispatch(irp, kcom_counting_allocator_live(&counter) - resident_allocations);
}

static NTSTATUS NTAPI dispatch_cleanup(PDEVICE_OBJECT device_object, PIRP irp)
{
    (void)device_object;
    kcom_test_irp_cleanup(IoGetCurrentIrpStackLocation(irp)->FileObject);
    return kcom_test_complete_irp(irp, STATUS_SUCCESS, 0);
}
#else
static NTSTATUS start_executors(void)
{
    return STATUS_SUCCESS;
}

static void stop_executors(void)
{
}

static LONG unload_live(void)
{
    return 0;
}

static NTSTATUS irp_dispatch(PIRP irp)
{
    return kcom_test_complete_irp(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static NTSTATUS NTAPI dispatch_cleanup(PDEVICE_OBJECT device_object, PIRP irp)
{
    return dispatch_create_close(device_object, irp);
}
#endif

/* ---- test output ------------------------------------------------------------------------------ */

/* The running test's output (NULL between tests), and the line being assembled for the log. */
static char *output;
static ULONG output_used;
static BOOLEAN output_truncated;
static char log_line[256];
static ULONG log_used;

static void log_flush(void)
{
    if (log_used == 0)
        return;
    log_line[log_used] = '\0';
    DbgPrint("kcom_test: %s\n", log_line);
    log_used = 0;
}

static void emit(const char *text, size_t length)
{
    size_t i;
    if (output != NULL) {
        size_t room = KCOM_TEST_OUTPUT_SIZE - output_used;
        size_t take = length < room ? length : room;
        RtlCopyMemory(output + output_used, text, take);
        output_used += (ULONG)take;
        if (take < length)
            output_truncated = TRUE;
    }
    for (i = 0; i < length; i++) {
        if (text[i] == '\n' || log_used == sizeof(log_line) - 1)
            log_flush();
        if (text[i] != '\n')
            log_line[log_used++] = text[i];
    }
}

/* The harness's output hook (declared in kcom_test.h): host runners print to stdout. */
void kcom_test_vprint(const char *format, va_list args)
{
    char chunk[512];
    int length = _vsnprintf(chunk, sizeof(chunk) - 1, format, args);
    chunk[sizeof(chunk) - 1] = '\0';
    if (length < 0 || (size_t)length >= sizeof(chunk))
        length = (int)strlen(chunk);
    emit(chunk, (size_t)length);
}

/* ---- requests --------------------------------------------------------------------------------- */

static BOOLEAN allocate_pool2_exported(void)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"ExAllocatePool2");
    return MmGetSystemRoutineAddress(&name) != NULL;
}

static NTSTATUS get_info(void *buffer, ULONG out_length, ULONG_PTR *information)
{
    kcom_test_info *info = (kcom_test_info *)buffer;
    if (out_length < sizeof(*info))
        return STATUS_BUFFER_TOO_SMALL;
    info->test_count = TEST_COUNT;
    info->live_allocations = kcom_counting_allocator_live(&counter) - resident_allocations;
    info->allocate_pool2 = allocate_pool2_exported() ? 1u : 0u;
    info->pool_tag = kcom_pool_tag();
    *information = sizeof(*info);
    return STATUS_SUCCESS;
}

static NTSTATUS get_name(void *buffer, ULONG in_length, ULONG out_length, ULONG_PTR *information)
{
    ULONG index;
    const char *name;
    ULONG length;
    if (in_length < sizeof(ULONG))
        return STATUS_INVALID_PARAMETER;
    index = *(const ULONG *)buffer;
    if (index >= TEST_COUNT)
        return STATUS_NOT_FOUND;
    name = tests[index].name;
    length = (ULONG)strlen(name) + 1;
    if (out_length < length)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(buffer, name, length);
    *information = length;
    return STATUS_SUCCESS;
}

static NTSTATUS run_test(void *buffer, ULONG in_length, ULONG out_length, ULONG_PTR *information)
{
    kcom_test_result *result = (kcom_test_result *)buffer;
    kcom_test_totals before;
    const kcom_test_totals *after;
    LONG live_before;
    ULONG index;
    if (in_length < sizeof(ULONG))
        return STATUS_INVALID_PARAMETER;
    index = *(const ULONG *)buffer;
    if (index >= TEST_COUNT)
        return STATUS_NOT_FOUND;
    if (out_length < sizeof(*result) + KCOM_TEST_OUTPUT_SIZE)
        return STATUS_BUFFER_TOO_SMALL;

    /* The output goes straight into the request's buffer, after the result header. */
    output = (char *)buffer + sizeof(*result);
    output_used = 0;
    output_truncated = FALSE;
    DbgPrint("kcom_test: running %s\n", tests[index].name);

    /* A test may replace the default allocator; each starts with the counting one. */
    kcom_set_default_allocator(&counter.allocator);
    live_before = kcom_counting_allocator_live(&counter);
    before = *kcom_test_get_totals();
    kcom_test_run(tests[index].name, tests[index].run);
    after = kcom_test_get_totals();
    if (kcom_default_allocator() != &counter.allocator) {
        /* tests that restore "the" default with kcom_set_default_allocator(NULL) land here */
        DbgPrint("kcom_test: %s changed the default allocator; the counting one is back\n", tests[index].name);
        kcom_set_default_allocator(&counter.allocator);
    }
    log_flush();

    result->passed = after->passed - before.passed;
    result->failed = after->failed - before.failed;
    result->skipped = after->skipped - before.skipped;
    result->leaked = kcom_counting_allocator_live(&counter) - live_before;
    result->output_length = output_used;
    result->output_truncated = output_truncated ? 1u : 0u;
    output = NULL;
    if (result->leaked != 0)
        DbgPrint("kcom_test: %s left %ld kcom allocations behind\n", tests[index].name, (long)result->leaked);
    *information = sizeof(*result) + result->output_length;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI dispatch_device_control(PDEVICE_OBJECT device_object, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    void *buffer = irp->AssociatedIrp.SystemBuffer;
    ULONG in_length = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out_length = stack->Parameters.DeviceIoControl.OutputBufferLength;
    ULONG_PTR information = 0;
    NTSTATUS status;
    (void)device_object;
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_KCOM_TEST_INFO:
        status = get_info(buffer, out_length, &information);
        break;
    case IOCTL_KCOM_TEST_NAME:
        status = get_name(buffer, in_length, out_length, &information);
        break;
    case IOCTL_KCOM_TEST_RUN:
        status = run_test(buffer, in_length, out_length, &information);
        break;
    case IOCTL_KCOM_TEST_IRP_PEND:
    case IOCTL_KCOM_TEST_IRP_PEND_DIRECT:
    case IOCTL_KCOM_TEST_IRP_COMPLETE:
    case IOCTL_KCOM_TEST_IRP_STATE:
        return irp_dispatch(irp); /* it completes or pends the IRP */
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return kcom_test_complete_irp(irp, status, information);
}

static NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT device_object, PIRP irp)
{
    (void)device_object;
    return kcom_test_complete_irp(irp, STATUS_SUCCESS, 0);
}

/* ---- load and unload -------------------------------------------------------------------------- */

static void NTAPI driver_unload(PDRIVER_OBJECT driver)
{
    LONG live;
    (void)driver;
    stop_executors();
    live = kcom_counting_allocator_live(&counter) + unload_live();
    IoDeleteSymbolicLink(&link_name);
    IoDeleteDevice(device);
    kcom_set_default_allocator(NULL);
    kcom_uninitialize();
    DbgPrint("kcom_test: unload: %ld live kcom allocations\n", (long)live);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    UNICODE_STRING device_name;
    NTSTATUS status;
    (void)registry_path;

    status = kcom_initialize();
    if (!NT_SUCCESS(status)) {
        DbgPrint("kcom_test: kcom_initialize failed: 0x%08lx\n", (unsigned long)status);
        return status;
    }
    kcom_counting_allocator_init(&counter, kcom_platform_allocator());
    kcom_set_default_allocator(&counter.allocator);

    RtlInitUnicodeString(&device_name, KCOM_TEST_DEVICE_NAME);
    RtlInitUnicodeString(&link_name, KCOM_TEST_LINK_NAME);
    status = IoCreateDevice(driver, 0, &device_name, KCOM_TEST_DEVICE_TYPE, FILE_DEVICE_SECURE_OPEN, FALSE,
                            &device);
    if (!NT_SUCCESS(status)) {
        DbgPrint("kcom_test: IoCreateDevice failed: 0x%08lx\n", (unsigned long)status);
        goto fail;
    }
    status = IoCreateSymbolicLink(&link_name, &device_name);
    if (!NT_SUCCESS(status)) {
        DbgPrint("kcom_test: IoCreateSymbolicLink failed: 0x%08lx\n", (unsigned long)status);
        IoDeleteDevice(device);
        goto fail;
    }
    status = start_executors();
    if (!NT_SUCCESS(status)) {
        DbgPrint("kcom_test: the driver's executor failed: 0x%08lx\n", (unsigned long)status);
        IoDeleteSymbolicLink(&link_name);
        IoDeleteDevice(device);
        goto fail;
    }
    resident_allocations = kcom_counting_allocator_live(&counter);
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_cleanup;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch_device_control;
    driver->DriverUnload = driver_unload;
    DbgPrint("kcom_test: loaded, %lu tests, ExAllocatePool2 %s\n", (unsigned long)TEST_COUNT,
             allocate_pool2_exported() ? "exported" : "not exported (ExAllocatePoolWithTag fallback)");
    return STATUS_SUCCESS;

fail:
    kcom_set_default_allocator(NULL);
    kcom_uninitialize();
    return status;
}
