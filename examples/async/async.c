/*
 * async - an interface with an async method, implemented by a task that waits for the device:
 *
 *     IDeviceReader : IUnknown      GetBytesRead (RESULT)      Read (ASYNC, returns IAsyncULONG *)
 *
 * Read(length) sends a request to a simulated lower device and returns at once with an operation;
 * its work waits for the request's completion (the stand-in for an IRP completion routine) or a
 * deadline timer, whichever comes first, and honours cancellation. Shown: a call ready at once (one
 * allocation, never scheduled), waiting with kcom_async_block_on, a completion callback, a
 * cancellation, a read that times out, and the object released by its caller while its work still
 * runs. The work runs on a host thread pool set as the default executor.
 */
#include "host_threads.h" /* the simulated device's threads, POSIX or Win32 (first: it sets feature macros) */

#include <kcom/kcom.h>

#include <stdio.h>

/* ---- the interface ------------------------------------------------------------------------------- */

/* The operation type Read returns: get_result(This, ULONG *) and a typed completion callback. */
KCOM_DECLARE_ASYNC_OPERATION(IAsyncULONG, ULONG,
                             0x2b8f0c1e, 0x5a4d, 0x4e21, 0x8b, 0x3c, 0x11, 0x9d, 0x7e, 0x60, 0x25, 0xf4)

#define IDeviceReader_METHODS(M, I)                                                       \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, ULONG, GetBytesRead, )                                                   \
    M(I, ASYNC, IAsyncULONG, Read, (ULONG, length))

KCOM_DECLARE_INTERFACE(IDeviceReader, IUnknown,
                       0x5d2f9a40, 0x1c3b, 0x4e6d, 0x8f, 0x70, 0x2a, 0x91, 0xb4, 0xc5, 0xd6, 0x01)

/* ---- the lower device: a thread per request completes it later ------------------------------------ */

/* A driver would send an IRP down and complete the operation from its completion routine. Here each
 * request is a thread that waits 20 ms plus 1 ms per 16 bytes, then completes the operation. */
#define MAX_REQUESTS 8
static struct request {
    host_thread thread;
    IKcomAsyncOperation *irp;
    ULONG bytes;
    NTSTATUS completion; /* what kcom_async_operation_complete answered the device */
} requests[MAX_REQUESTS];
static int request_count;

static void device_thread(void *context)
{
    struct request *r = (struct request *)context;
    host_sleep_ms(20 + r->bytes / 16);
    /* STATUS_CANCELLED if the request was canceled meanwhile: the value is dropped */
    r->completion = kcom_async_operation_complete(r->irp, &r->bytes);
    IKcomAsyncOperation_Release(r->irp);
}

static NTSTATUS device_submit(IKcomAsyncOperation *irp, ULONG bytes)
{
    struct request *r;
    if (request_count == MAX_REQUESTS)
        return STATUS_INSUFFICIENT_RESOURCES;
    r = &requests[request_count];
    r->irp = irp;
    r->bytes = bytes;
    IKcomAsyncOperation_AddRef(irp); /* the device's own reference, released once it has completed */
    if (!host_thread_start(&r->thread, device_thread, r)) {
        IKcomAsyncOperation_Release(irp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    request_count++;
    return STATUS_SUCCESS;
}

/* ---- the class ------------------------------------------------------------------------------------ */

#define DIRECT_READ_MAX 64 /* small reads come straight from the device's registers: no request */
#define READ_TIMEOUT_MS 1000 /* a request that takes longer is canceled and the read fails */

typedef struct DeviceReader {
    IDeviceReader IDeviceReader_iface;
    LONG volatile bytes_read; /* added to by reads finishing on pool threads */
} DeviceReader;

static LONG volatile readers_destroyed;

static NTSTATUS DeviceReader_GetBytesRead(DeviceReader *self, ULONG *bytes)
{
    *bytes = (ULONG)kcom_atomic_load(&self->bytes_read);
    return STATUS_SUCCESS;
}

/* Read's work. The state lives in the operation's allocation; what must survive a suspension is
 * kept here, since the poll function's locals do not. */
typedef struct DeviceReader_Read_state {
    KCOM_TASK_RESUME_POINT;
    ULONG length;
    BOOLEAN canceled;
    kcom_async_await irp;   /* the request to the device; no operation for a direct read */
    kcom_async_timeout deadline; /* the request, or READ_TIMEOUT_MS, whichever comes first */
} DeviceReader_Read_state;

/* The start function runs on the caller, before the first poll: fill the state, start the I/O. */
static NTSTATUS DeviceReader_Read(DeviceReader *self, DeviceReader_Read_state *state, ULONG length)
{
    IKcomAsyncOperation *irp;
    NTSTATUS status;
    (void)self; /* the poll finds it as KCOM_ASYNC_SELF(DeviceReader, state) */
    state->length = length;
    kcom_async_await_init(&state->irp, NULL); /* awaiting nothing is ready at once */
    /* the request's await, with a timer; the loser is cleared, a losing request canceled too */
    kcom_async_timeout_init(&state->deadline, kcom_async_operation_awaitable(&state->irp, TRUE), READ_TIMEOUT_MS);
    if (length <= DIRECT_READ_MAX)
        return STATUS_SUCCESS;
    status = kcom_async_operation_create(NULL, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &irp);
    kcom_async_await_init(&state->irp, irp); /* owned by the state now (even an error operation) */
    if (NT_SUCCESS(status))
        status = device_submit(irp, length);
    return status; /* a failure: the caller gets an operation in Error with it, and the drop runs */
}

static kcom_poll_result DeviceReader_Read_poll(DeviceReader_Read_state *state, kcom_task_context *cx)
{
    ULONG bytes = state->length;
    NTSTATUS status = STATUS_SUCCESS;
    KCOM_TASK_BEGIN(state);
    /* Suspends until the request completes, the deadline passes, or the caller cancels (cancel()
     * wakes the task). A direct read has no request: its await is ready at once, no timer runs. */
    KCOM_AWAIT_CANCELABLE(cx, state->canceled, kcom_async_timeout_poll(&state->deadline, cx));
    if (state->canceled) {
        /* Pass the cancel down, as IoCancelIrp would. The operation is already Canceled. */
        if (state->irp.operation != NULL)
            (void)IKcomAsyncOperation_cancel(state->irp.operation);
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    }
    if (state->deadline.timed_out)
        KCOM_TASK_RETURN(cx, STATUS_IO_TIMEOUT); /* the request was canceled as the loser */
    if (state->irp.operation != NULL)
        status = IKcomAsyncOperation_get_result(state->irp.operation, &bytes);
    if (!NT_SUCCESS(status))
        KCOM_TASK_RETURN(cx, status); /* the device's failure is the read's */
    /* the object: valid until the drop (the shim holds a reference while the read is pending) */
    kcom_atomic_fetch_add(&KCOM_ASYNC_SELF(DeviceReader, state)->bytes_read, (LONG)bytes);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, bytes);
    KCOM_TASK_END(cx);
}

/* Runs exactly once, however the work ended (also after a failed start), before the shim releases
 * its reference on the object. */
static void DeviceReader_Read_drop(DeviceReader_Read_state *state)
{
    kcom_async_timeout_clear(&state->deadline); /* the timer and the request's await */
}

static void DeviceReader_destroy(DeviceReader *self)
{
    printf("  DeviceReader destroyed (%ld bytes read)\n", (long)kcom_atomic_load(&self->bytes_read));
    kcom_atomic_fetch_add(&readers_destroyed, 1);
}

KCOM_IMPLEMENT(DeviceReader, IDeviceReader, IDeviceReader_iface)
KCOM_CLASS(DeviceReader, DeviceReader_destroy, (IDeviceReader, IDeviceReader_iface))

/* ---- the executor: the thread pool, counting how often work is scheduled ------------------------- */

static const kcom_executor *pool_executor;
static LONG volatile schedules;

static NTSTATUS counting_schedule(void *context, struct kcom_task *task)
{
    (void)context;
    kcom_atomic_fetch_add(&schedules, 1);
    return pool_executor->schedule(pool_executor->context, task);
}

static const kcom_executor counting_executor = {counting_schedule, NULL, NULL};

/* ---- the client ----------------------------------------------------------------------------------- */

static int failures;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

static const char *const status_names[] = {"Started", "Completed", "Canceled", "Error"};

/* The completion callback: once, on the thread that finishes the operation (a pool thread here),
 * outside any lock, with a reference held on the operation. */
static struct {
    host_signal signal;
    kcom_async_status status;
    ULONG bytes;
} done;

static void on_read_done(IAsyncULONG *op, kcom_async_status status, void *context)
{
    (void)context;
    done.status = status;
    (void)IAsyncULONG_get_result(op, &done.bytes);
    host_signal_post(&done.signal);
}

/* Waits for op with kcom_async_block_on and prints how it ended. */
static kcom_async_status wait_for(const char *what, IAsyncULONG *op, ULONG *bytes)
{
    kcom_async_status st = KCOM_ASYNC_STARTED;
    NTSTATUS status;
    CHECK(kcom_async_block_on(IAsyncULONG_generic(op), KCOM_ASYNC_INFINITE) == STATUS_SUCCESS);
    CHECK(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS);
    status = IAsyncULONG_get_result(op, bytes);
    printf("%s: %s, get_result -> %s, %lu bytes\n", what, status_names[st & 3], kcom_status_name(status),
           (unsigned long)*bytes);
    return st;
}

int main(void)
{
    kcom_counting_allocator counter;
    kcom_thread_pool *pool = NULL;
    DeviceReader *impl = NULL;
    IDeviceReader *reader;
    IAsyncULONG *op;
    kcom_async_status st = KCOM_ASYNC_STARTED;
    ULONG bytes = 0, total = 0;
    LONG allocations;
    int i, dropped = 0;

    if (!NT_SUCCESS(kcom_initialize()) || !host_signal_init(&done.signal))
        return 1;
    /* Every kcom allocation goes through a counter: the cost of a call, and leaks at the end. */
    kcom_counting_allocator_init(&counter, NULL);
    kcom_set_default_allocator(&counter.allocator);
    /* Async methods run their work on the default executor (a driver's would be a DPC or work item). */
    if (!NT_SUCCESS(kcom_thread_pool_create(2, &pool, &pool_executor)))
        return 1;
    kcom_set_default_executor(&counting_executor);

    CHECK(KCOM_NEW(DeviceReader, NULL, &impl) == STATUS_SUCCESS);
    if (impl == NULL)
        return 1;
    reader = &impl->IDeviceReader_iface;

    /* 1. Ready at once: the shim polls the work once on the caller, and it finishes there. */
    allocations = kcom_atomic_load(&counter.attempts);
    op = IDeviceReader_Read(reader, 32);
    allocations = kcom_atomic_load(&counter.attempts) - allocations;
    CHECK(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_COMPLETED);
    CHECK(IAsyncULONG_get_result(op, &bytes) == STATUS_SUCCESS && bytes == 32);
    printf("Read(32): %s on return, %lu bytes; %ld allocation, scheduled %ld times\n", status_names[st & 3],
           (unsigned long)bytes, (long)allocations, (long)kcom_atomic_load(&schedules));
    CHECK(allocations == 1 && kcom_atomic_load(&schedules) == 0);
    IAsyncULONG_Release(op);

    /* 2. Waits for the device: Started on return; the completion wakes the work onto the pool. */
    op = IDeviceReader_Read(reader, 512);
    CHECK(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == KCOM_ASYNC_STARTED);
    CHECK(IAsyncULONG_get_result(op, &bytes) == STATUS_PENDING);
    printf("Read(512): %s on return, get_result -> STATUS_PENDING\n", status_names[st & 3]);
    CHECK(wait_for("  after kcom_async_block_on", op, &bytes) == KCOM_ASYNC_COMPLETED && bytes == 512);
    IAsyncULONG_Release(op);

    /* 3. A completion callback instead of a wait. */
    op = IDeviceReader_Read(reader, 256);
    CHECK(IAsyncULONG_set_completed(op, on_read_done, NULL) == STATUS_SUCCESS);
    CHECK(IAsyncULONG_set_completed(op, on_read_done, NULL) == STATUS_ALREADY_REGISTERED); /* once only */
    host_signal_wait(&done.signal);
    printf("Read(256): the callback saw %s, %lu bytes\n", status_names[done.status & 3], (unsigned long)done.bytes);
    CHECK(done.status == KCOM_ASYNC_COMPLETED && done.bytes == 256);
    IAsyncULONG_Release(op);

    /* 4. Cancellation: Canceled at once; the work sees the request at its next poll and cancels the
     * device request; block_on returns when the work has ended, without waiting for the device. */
    op = IDeviceReader_Read(reader, 4096);
    CHECK(IAsyncULONG_cancel(op) == STATUS_SUCCESS);
    CHECK(IAsyncULONG_cancel(op) == STATUS_INVALID_DEVICE_STATE); /* only from Started */
    bytes = 0;
    CHECK(wait_for("Read(4096), canceled", op, &bytes) == KCOM_ASYNC_CANCELED && bytes == 0);
    CHECK(IAsyncULONG_get_result(op, &bytes) == STATUS_CANCELLED);
    IAsyncULONG_Release(op);

    /* 5. A deadline: 24576 bytes take the device longer than READ_TIMEOUT_MS. The timer wins, the
     * request is canceled, the read fails. */
    op = IDeviceReader_Read(reader, 24576);
    CHECK(wait_for("Read(24576), deadline", op, &bytes) == KCOM_ASYNC_ERROR);
    CHECK(IAsyncULONG_get_result(op, &bytes) == STATUS_IO_TIMEOUT);
    IAsyncULONG_Release(op);

    /* The sync method: only completed reads count. */
    CHECK(IDeviceReader_GetBytesRead(reader, &total) == STATUS_SUCCESS && total == 32 + 512 + 256);
    printf("GetBytesRead: %lu\n", (unsigned long)total);

    /* 6. The caller lets go of the object while its work runs: the work's reference keeps it alive. */
    op = IDeviceReader_Read(reader, 2048);
    i = (int)IDeviceReader_Release(reader);
    printf("Read(2048), then Release -> %d: the object stays until its work is finished\n", i);
    CHECK(i == 1 && kcom_atomic_load(&readers_destroyed) == 0);
    CHECK(wait_for("  after kcom_async_block_on", op, &bytes) == KCOM_ASYNC_COMPLETED && bytes == 2048);
    CHECK(kcom_atomic_load(&readers_destroyed) == 1);
    IAsyncULONG_Release(op);

    /* Shutdown: the device's requests, the pool (drained: no work is left), then the defaults. */
    for (i = 0; i < request_count; i++) {
        host_thread_join(&requests[i].thread);
        dropped += requests[i].completion == STATUS_CANCELLED;
    }
    printf("device: %d requests completed, %d of them after a cancel (value dropped)\n", request_count, dropped);
    CHECK(request_count == 5 && dropped == 2);
    CHECK(kcom_thread_pool_shutdown(pool, 1000) == STATUS_SUCCESS);
    kcom_set_default_executor(NULL);
    printf("live allocations at exit: %ld\n", (long)kcom_counting_allocator_live(&counter));
    CHECK(kcom_counting_allocator_live(&counter) == 0);
    kcom_set_default_allocator(NULL);
    host_signal_destroy(&done.signal);
    kcom_uninitialize();

    if (failures != 0) {
        printf("async: %d check(s) FAILED\n", failures);
        return 1;
    }
    printf("async: OK\n");
    return 0;
}
