/*
 * kernel_irp - pended IRPs completed by operations (kcom/irp.h), inside the driver.
 *
 * Two halves. The driver's side of the client's IRP tests (kcom_test_client.c): the IOCTLs of
 * kcom_test_ioctl.h that pend on operations run on the work-item executor, on timers, or
 * completion sources the client completes, and IRP_MJ_CLEANUP; all of them held in the driver's
 * queue, which DriverUnload drains. And the test kernel_irp: IRPs the test allocates itself and
 * hands to kcom_irp_pend directly: bad input, operations finished already, an IRP pended twice,
 * an IRP canceled before and after its pend, the queue's cancels and drain, and a completion
 * racing IoCancelIrp over many iterations.
 */
#include <kcom/kcom.h>

#include <kcom/atomic.h>
#include <kcom/irp.h>

#include "../harness/kcom_test.h"
#include "kcom_test_ioctl.h"
#include "kernel_test_driver.h"

#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS

#define WAIT_MS 10000u

KCOM_DECLARE_ASYNC_OPERATION(IIrpTestULONG, ULONG,
    0x8e3d7c21, 0x4a6b, 0x4d92, 0xb1, 0x0f, 0x5c, 0x7a, 0x2e, 0x93, 0x64, 0xc8)

static kcom_irp_queue queue;
static IKcomAsyncOperation *volatile slots[KCOM_TEST_IRP_SLOTS];
static LONG volatile producer_cancels;
static LONG volatile cleanups;        /* IRP_MJ_CLEANUP requests */
static LONG volatile cleanup_cancels; /* IRPs they canceled */

/* ---- the operations ------------------------------------------------------------------------------ */

typedef struct irp_task_state {
    KCOM_TASK_RESUME_POINT;
    ULONG kind;
    ULONG value;
    ULONG delay;
    BOOLEAN canceled;
    kcom_async_timer timer;
} irp_task_state;

static kcom_poll_result irp_task_poll(void *p, kcom_task_context *cx)
{
    irp_task_state *s = (irp_task_state *)p;
    KCOM_TASK_BEGIN(s);
    if (s->kind == KCOM_TEST_IRP_TIMER) {
        kcom_async_timer_init(&s->timer, s->delay, 0);
        KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_timer_poll(&s->timer, cx));
    } else {
        while (s->delay != 0 && !s->canceled) {
            s->delay--;
            s->canceled = kcom_task_take_cancellation_request(cx);
            KCOM_YIELD(cx);
        }
    }
    if (s->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->value);
    KCOM_TASK_END(cx);
}

static void irp_task_drop(void *p)
{
    irp_task_state *s = (irp_task_state *)p;
    if (s->kind == KCOM_TEST_IRP_TIMER)
        kcom_async_timer_clear(&s->timer);
}

static const kcom_async_task_desc irp_task_desc =
    KCOM_ASYNC_TASK_DESC(IIrpTestULONG, ULONG, irp_task_state, irp_task_poll, irp_task_drop);

static void producer_cancel(IKcomAsyncOperation *operation, void *context)
{
    (void)operation;
    (void)context;
    kcom_atomic_fetch_add(&producer_cancels, 1);
}

/* A completion source with a producer cancel routine. */
static IKcomAsyncOperation *new_source(void)
{
    IKcomAsyncOperation *op;
    if (NT_SUCCESS(kcom_async_operation_create(NULL, &IID_IIrpTestULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op)))
        (void)kcom_async_operation_set_cancel_routine(op, producer_cancel, NULL);
    return op;
}

/* ---- the client's requests ----------------------------------------------------------------------- */

static NTSTATUS pend_request(PIRP irp, const kcom_test_irp_request *request)
{
    IKcomAsyncOperation *op;
    NTSTATUS status;
    if (request->kind == KCOM_TEST_IRP_SOURCE) {
        if (request->slot >= KCOM_TEST_IRP_SLOTS || slots[request->slot] != NULL)
            op = NULL; /* refused by kcom_irp_pend */
        else
            op = slots[request->slot] = new_source(); /* the slot's reference */
        status = kcom_irp_pend(&queue, irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        return status;
    }
    if (request->kind == KCOM_TEST_IRP_WORK || request->kind == KCOM_TEST_IRP_TIMER) {
        irp_task_state initial;
        RtlZeroMemory(&initial, sizeof(initial));
        initial.kind = request->kind;
        initial.value = request->value;
        initial.delay = request->delay;
        (void)kcom_async_spawn(&irp_task_desc, kcom_test_executor(), NULL, &initial, &op);
        status = kcom_irp_pend(&queue, irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        op->lpVtbl->Release(op);
        return status;
    }
    return kcom_irp_pend(&queue, irp, NULL, NULL, NULL); /* STATUS_INVALID_PARAMETER */
}

/* Completes (or fails) the source in the request's slot and releases the slot's reference. */
static NTSTATUS complete_source(const kcom_test_irp_request *request, ULONG *result)
{
    IKcomAsyncOperation *op;
    if (request->slot >= KCOM_TEST_IRP_SLOTS)
        return STATUS_INVALID_PARAMETER;
    op = (IKcomAsyncOperation *)kcom_atomic_exchange_ptr((void *volatile *)&slots[request->slot], NULL);
    if (op == NULL)
        return STATUS_NOT_FOUND;
    /* taken back first, as the contract says; STATUS_CANCELLED when a cancel won */
    (void)kcom_async_operation_clear_cancel_routine(op);
    *result = (ULONG)(request->status == 0 ? kcom_async_operation_complete(op, &request->value)
                                           : kcom_async_operation_fail(op, request->status));
    op->lpVtbl->Release(op);
    return STATUS_SUCCESS;
}

static ULONG sources_held(void)
{
    ULONG i, held = 0;
    for (i = 0; i < KCOM_TEST_IRP_SLOTS; i++)
        held += slots[i] != NULL;
    return held;
}

NTSTATUS kcom_test_irp_dispatch(PIRP irp, LONG live_allocations)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG in_length = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out_length = stack->Parameters.DeviceIoControl.OutputBufferLength;
    void *buffer = irp->AssociatedIrp.SystemBuffer;
    kcom_test_irp_request request;
    ULONG_PTR information = 0;
    NTSTATUS status;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_KCOM_TEST_IRP_PEND:
    case IOCTL_KCOM_TEST_IRP_PEND_DIRECT:
        if (in_length < sizeof(request))
            return kcom_irp_pend(&queue, irp, NULL, NULL, NULL); /* STATUS_INVALID_PARAMETER */
        request = *(const kcom_test_irp_request *)buffer; /* METHOD_BUFFERED: the output overwrites it */
        return pend_request(irp, &request);
    case IOCTL_KCOM_TEST_IRP_COMPLETE:
        if (in_length < sizeof(request) || out_length < sizeof(ULONG)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        request = *(const kcom_test_irp_request *)buffer;
        status = complete_source(&request, (ULONG *)buffer);
        if (NT_SUCCESS(status))
            information = sizeof(ULONG);
        break;
    case IOCTL_KCOM_TEST_IRP_STATE:
        if (out_length < sizeof(kcom_test_irp_state)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        ((kcom_test_irp_state *)buffer)->queue_count = kcom_irp_queue_count(&queue);
        ((kcom_test_irp_state *)buffer)->live_allocations = live_allocations;
        ((kcom_test_irp_state *)buffer)->producer_cancels = (ULONG)kcom_atomic_load(&producer_cancels);
        ((kcom_test_irp_state *)buffer)->sources_held = sources_held();
        ((kcom_test_irp_state *)buffer)->cleanups = (ULONG)kcom_atomic_load(&cleanups);
        ((kcom_test_irp_state *)buffer)->cleanup_cancels = (ULONG)kcom_atomic_load(&cleanup_cancels);
        information = sizeof(kcom_test_irp_state);
        status = STATUS_SUCCESS;
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return kcom_test_complete_irp(irp, status, information);
}

void kcom_test_irp_cleanup(PFILE_OBJECT file)
{
    ULONG canceled = 0;
    (void)kcom_irp_queue_cancel_file(&queue, file, &canceled);
    kcom_atomic_fetch_add(&cleanups, 1);
    kcom_atomic_fetch_add(&cleanup_cancels, (LONG)canceled);
    DbgPrint("kcom_test: cleanup: %lu pended IRPs canceled\n", (unsigned long)canceled);
}

void kcom_test_irp_start(void)
{
    (void)kcom_irp_queue_init(&queue);
}

/* DriverUnload, before the executors stop: the unload recipe of docs/irp.md. */
void kcom_test_irp_stop(void)
{
    LONG pended = kcom_irp_queue_count(&queue);
    NTSTATUS status = kcom_irp_queue_drain(&queue, WAIT_MS);
    ULONG i;
    DbgPrint("kcom_test: irp drain: %s, %ld pended before, %ld left\n", kcom_status_name(status), (long)pended,
             (long)kcom_irp_queue_count(&queue));
    for (i = 0; i < KCOM_TEST_IRP_SLOTS; i++) {
        IKcomAsyncOperation *op = (IKcomAsyncOperation *)kcom_atomic_exchange_ptr((void *volatile *)&slots[i], NULL);
        if (op != NULL)
            op->lpVtbl->Release(op);
    }
}

/* ---- the test: IRPs of its own ------------------------------------------------------------------- */

typedef struct test_irp {
    PIRP irp;
    KEVENT done;
    LONG volatile completions;
    NTSTATUS status;
    ULONG_PTR information;
    BOOLEAN pending_returned; /* the IRP was marked pending */
    ULONG buffer[4];
} test_irp;

static NTSTATUS NTAPI test_irp_completed(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    test_irp *t = (test_irp *)context;
    (void)device;
    t->status = irp->IoStatus.Status;
    t->information = irp->IoStatus.Information;
    t->pending_returned = irp->PendingReturned;
    kcom_atomic_fetch_add(&t->completions, 1);
    KeSetEvent(&t->done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED; /* the IRP is the test's: freed by test_irp_free */
}

/* An IOCTL IRP as the test driver's dispatch routine would see it, with out_length bytes of
 * system buffer; its completion is recorded in *t. */
static BOOLEAN test_irp_init(test_irp *t, ULONG out_length)
{
    PIO_STACK_LOCATION stack;
    RtlZeroMemory(t, sizeof(*t));
    KeInitializeEvent(&t->done, NotificationEvent, FALSE);
    t->irp = IoAllocateIrp(1, FALSE);
    if (t->irp == NULL)
        return FALSE;
    IoSetCompletionRoutine(t->irp, test_irp_completed, t, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(t->irp); /* what IoCallDriver does: the location becomes ours */
    stack = IoGetCurrentIrpStackLocation(t->irp);
    stack->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    stack->DeviceObject = kcom_test_device();
    stack->Parameters.DeviceIoControl.IoControlCode = IOCTL_KCOM_TEST_IRP_PEND;
    stack->Parameters.DeviceIoControl.OutputBufferLength = out_length;
    t->irp->AssociatedIrp.SystemBuffer = t->buffer;
    return TRUE;
}

static BOOLEAN test_irp_wait(test_irp *t)
{
    LARGE_INTEGER timeout;
    timeout.QuadPart = -(LONGLONG)WAIT_MS * 10000;
    return (BOOLEAN)(KeWaitForSingleObject(&t->done, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS);
}

static void test_irp_free(test_irp *t)
{
    if (t->irp != NULL)
        IoFreeIrp(t->irp);
    t->irp = NULL;
}

static kcom_async_status status_of(IKcomAsyncOperation *op)
{
    kcom_async_status state = -1;
    (void)op->lpVtbl->get_status(op, &state);
    return state;
}

static void test_bad_input(kcom_irp_queue *q)
{
    IKcomAsyncOperation *op = new_source();
    test_irp t;
    NTSTATUS status;
    ULONG canceled = 7;

    ok(kcom_irp_pend(q, NULL, op, NULL, NULL) == STATUS_INVALID_PARAMETER, "a NULL IRP is refused\n");
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(NULL, t.irp, op, NULL, NULL);
        ok(status == STATUS_INVALID_PARAMETER && t.completions == 1 && t.status == STATUS_INVALID_PARAMETER,
           "a NULL queue: the IRP completed with STATUS_INVALID_PARAMETER (%s, %ld completions)\n",
           kcom_status_name(status), (long)t.completions);
        test_irp_free(&t);
    }
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, NULL, NULL, NULL);
        ok(status == STATUS_INVALID_PARAMETER && t.completions == 1 && t.status == STATUS_INVALID_PARAMETER,
           "a NULL operation: the IRP completed with STATUS_INVALID_PARAMETER (%s)\n", kcom_status_name(status));
        test_irp_free(&t);
    }
    ok(status_of(op) == KCOM_ASYNC_STARTED, "the operation was left alone\n");
    ok(kcom_irp_queue_cancel_file(q, NULL, &canceled) == STATUS_INVALID_PARAMETER && canceled == 0,
       "cancel_file refuses a NULL file object\n");
    ok(kcom_irp_queue_cancel_all(NULL, &canceled) == STATUS_INVALID_PARAMETER && canceled == 0,
       "cancel_all refuses a NULL queue\n");
    ok(kcom_irp_queue_init(NULL) == STATUS_INVALID_PARAMETER && kcom_irp_queue_drain(NULL, 0) == STATUS_INVALID_PARAMETER &&
           kcom_irp_queue_count(NULL) == 0,
       "NULL queues\n");
    op->lpVtbl->Release(op);
}

/* A copy that writes what fits of a ULONG and returns STATUS_BUFFER_OVERFLOW (a warning: the
 * caller gets the part, Information says how much) or, with context, that failure instead. */
static NTSTATUS copy_part(IKcomAsyncOperation *operation, void *buffer, ULONG length, ULONG_PTR *information,
                          void *context)
{
    ULONG value = 0;
    (void)operation->lpVtbl->get_result(operation, &value);
    if (length > sizeof(value))
        length = sizeof(value);
    RtlCopyMemory(buffer, &value, length);
    *information = length;
    return context != NULL ? (NTSTATUS)(ULONG_PTR)context : STATUS_BUFFER_OVERFLOW;
}

/* Operations finished already: the IRP is completed in the call, never pended. */
static void test_finished(kcom_irp_queue *q)
{
    IKcomAsyncOperation *op;
    ULONG value = 4242;
    test_irp t;
    NTSTATUS status;

    op = new_source();
    (void)kcom_async_operation_complete(op, &value);
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_SUCCESS && t.completions == 1 && t.status == STATUS_SUCCESS &&
               t.information == sizeof(ULONG) && t.buffer[0] == 4242,
           "completed already: the IRP completed in the call with the value (%s, %lu)\n", kcom_status_name(status),
           (unsigned long)t.buffer[0]);
        ok(!t.pending_returned, "not marked pending\n");
        test_irp_free(&t);
    }
    if (test_irp_init(&t, 2)) {
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_BUFFER_TOO_SMALL && t.status == STATUS_BUFFER_TOO_SMALL && t.information == 0,
           "a buffer too small: STATUS_BUFFER_TOO_SMALL (%s)\n", kcom_status_name(status));
        test_irp_free(&t);
    }
    /* a warning keeps the copy's Information, as the I/O manager expects of one; an error does not */
    if (test_irp_init(&t, 2)) {
        status = kcom_irp_pend(q, t.irp, op, copy_part, NULL);
        ok(status == STATUS_BUFFER_OVERFLOW && t.status == STATUS_BUFFER_OVERFLOW && t.information == 2,
           "a warning: its status and the part written (%s, %lu bytes)\n", kcom_status_name(status),
           (unsigned long)t.information);
        test_irp_free(&t);
    }
    if (test_irp_init(&t, 2)) {
        status = kcom_irp_pend(q, t.irp, op, copy_part, (void *)(ULONG_PTR)STATUS_NOT_FOUND);
        ok(status == STATUS_NOT_FOUND && t.status == STATUS_NOT_FOUND && t.information == 0,
           "an error: nothing written (%s, %lu bytes)\n", kcom_status_name(status), (unsigned long)t.information);
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);

    (void)kcom_async_operation_create_error(NULL, NULL, STATUS_NOT_FOUND, &op);
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_NOT_FOUND && t.status == STATUS_NOT_FOUND, "Error: its failure (%s)\n",
           kcom_status_name(status));
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);

    op = kcom_async_static_error_operation();
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, NULL, NULL);
        ok(status == STATUS_INSUFFICIENT_RESOURCES && t.status == STATUS_INSUFFICIENT_RESOURCES,
           "the static error operation: STATUS_INSUFFICIENT_RESOURCES (%s)\n", kcom_status_name(status));
        test_irp_free(&t);
    }
    ok(kcom_irp_queue_count(q) == 0, "nothing pended\n");
}

/* A copy that records the buffer it was given and returns what context says: Information past the
 * buffer with success (KCOM_TEST_COPY_PAST) or with STATUS_BUFFER_TOO_SMALL, the size it would
 * need (KCOM_TEST_COPY_NEEDS), or the status itself. */
#define KCOM_TEST_COPY_PAST ((NTSTATUS)1)
#define KCOM_TEST_COPY_NEEDS ((NTSTATUS)2)
static void *copied_buffer;
static ULONG copied_length;
static PIRP unassociate; /* an IRP the test marked associated: it is not, for IoCompleteRequest */
static NTSTATUS copy_contract(IKcomAsyncOperation *operation, void *buffer, ULONG length, ULONG_PTR *information,
                              void *context)
{
    NTSTATUS status = (NTSTATUS)(ULONG_PTR)context;
    (void)operation;
    copied_buffer = buffer;
    copied_length = length;
    if (unassociate != NULL)
        unassociate->Flags &= ~(ULONG)IRP_ASSOCIATED_IRP;
    if (status == KCOM_TEST_COPY_PAST || status == KCOM_TEST_COPY_NEEDS) {
        *information = (ULONG_PTR)length + 1;
        return status == KCOM_TEST_COPY_PAST ? STATUS_SUCCESS : STATUS_BUFFER_TOO_SMALL;
    }
    return status;
}

/* What the bridge makes of a copy function that breaks its contract, of a result type of the
 * wrong size, and which buffer each transfer type gets. */
static void test_copy_contract(kcom_irp_queue *q)
{
    static const NTSTATUS broken[] = {STATUS_PENDING, KCOM_TEST_COPY_PAST};
    IKcomAsyncOperation *op = new_source();
    ULONG value = 31, i;
    ULONG64 wide = 0x1122334455667788ull;
    test_irp t;
    NTSTATUS status;

    /* called by itself on an operation not finished, then canceled: nothing written, Information 0 */
    {
        ULONG out = 0xa5a5a5a5u;
        ULONG_PTR information = 99;
        status = kcom_irp_copy_result(op, &out, sizeof(out), &information, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_PENDING && information == 0 && out == 0xa5a5a5a5u,
           "kcom_irp_copy_result of a Started operation: STATUS_PENDING, Information 0, nothing written "
           "(%s, %lu, %08lx)\n", kcom_status_name(status), (unsigned long)information, (unsigned long)out);
    }
    (void)kcom_async_operation_clear_cancel_routine(op);
    (void)kcom_async_operation_complete(op, &value);
    for (i = 0; i < 2; i++) {
        if (test_irp_init(&t, sizeof(ULONG))) {
            status = kcom_irp_pend(q, t.irp, op, copy_contract, (void *)(ULONG_PTR)broken[i]);
            ok(status == STATUS_INTERNAL_ERROR && t.completions == 1 && t.status == STATUS_INTERNAL_ERROR &&
                   t.information == 0 && !t.pending_returned,
               "a copy returning %s: STATUS_INTERNAL_ERROR, nothing returned (%s, %lu bytes)\n",
               i == 0 ? "STATUS_PENDING" : "Information past the buffer", kcom_status_name(status),
               (unsigned long)t.information);
            test_irp_free(&t);
        }
    }
    /* an error may say in Information what it needs: the error stands, with Information 0 */
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, copy_contract, (void *)(ULONG_PTR)KCOM_TEST_COPY_NEEDS);
        ok(status == STATUS_BUFFER_TOO_SMALL && t.status == STATUS_BUFFER_TOO_SMALL && t.information == 0,
           "an error with the size it needs: that error, nothing returned (%s)\n", kcom_status_name(status));
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);

    /* the same when the operation finishes after the pend */
    op = new_source();
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, copy_contract, (void *)(ULONG_PTR)STATUS_PENDING);
        ok(status == STATUS_PENDING && t.completions == 0, "pended\n");
        (void)kcom_async_operation_clear_cancel_routine(op);
        (void)kcom_async_operation_complete(op, &value);
        ok(t.completions == 1 && t.status == STATUS_INTERNAL_ERROR && t.information == 0,
           "pended, then a copy returning STATUS_PENDING: STATUS_INTERNAL_ERROR (%s)\n", kcom_status_name(t.status));
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);

    /* kcom_irp_copy_result told a smaller type than the operation's result */
    if (NT_SUCCESS(kcom_async_operation_create(NULL, &IID_IIrpTestULONG, sizeof(ULONG64), KCOM_ALIGNOF(ULONG64), &op))) {
        (void)kcom_async_operation_complete(op, &wide);
        if (test_irp_init(&t, sizeof(ULONG))) {
            t.buffer[0] = t.buffer[1] = 0xa5a5a5a5u;
            status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
            ok(status == STATUS_INVALID_PARAMETER && t.status == STATUS_INVALID_PARAMETER && t.information == 0 &&
                   t.buffer[0] == 0xa5a5a5a5u && t.buffer[1] == 0xa5a5a5a5u,
               "a result type of the wrong size: STATUS_INVALID_PARAMETER, nothing written (%s, %08lx %08lx)\n",
               kcom_status_name(status), (unsigned long)t.buffer[0], (unsigned long)t.buffer[1]);
            test_irp_free(&t);
        }
        op->lpVtbl->Release(op);
    }

    /* direct I/O: METHOD_OUT_DIRECT writes through the MDL; METHOD_IN_DIRECT's MDL is input; an
     * MDL shorter than the stated output length (a kernel caller's IRP) bounds what is written */
    op = new_source();
    (void)kcom_async_operation_clear_cancel_routine(op);
    (void)kcom_async_operation_complete(op, &value);
    for (i = 0; i < 3; i++) {
        static ULONG data[2]; /* the driver image's: nonpaged, as MmBuildMdlForNonPagedPool wants */
        ULONG method = i == 1 ? METHOD_IN_DIRECT : METHOD_OUT_DIRECT;
        ULONG mapped = i == 2 ? (ULONG)sizeof(data[0]) : (ULONG)sizeof(data);
        PMDL mdl = IoAllocateMdl(data, mapped, FALSE, FALSE, NULL);
        data[0] = data[1] = 0xa5a5a5a5u;
        if (mdl == NULL || !test_irp_init(&t, sizeof(data))) {
            ok(FALSE, "an MDL and an IRP\n");
            if (mdl != NULL)
                IoFreeMdl(mdl);
            continue;
        }
        MmBuildMdlForNonPagedPool(mdl);
        if (!(mdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA))) {
            /* Wine's MmBuildMdlForNonPagedPool leaves the MDL as it was; Windows's sets these */
            mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
            mdl->MappedSystemVa = data;
        }
        IoGetCurrentIrpStackLocation(t.irp)->Parameters.DeviceIoControl.IoControlCode =
            CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x8f0, method, FILE_ANY_ACCESS);
        t.irp->AssociatedIrp.SystemBuffer = NULL;
        t.irp->MdlAddress = mdl;
        copied_buffer = t.buffer;
        copied_length = 99;
        (void)kcom_irp_pend(q, t.irp, op, copy_contract, (void *)(ULONG_PTR)STATUS_SUCCESS);
        if (method == METHOD_OUT_DIRECT)
            ok(copied_buffer != NULL && copied_length == mapped,
               "METHOD_OUT_DIRECT: the MDL's buffer, %lu bytes of %lu stated (%lu)\n", (unsigned long)mapped,
               (unsigned long)sizeof(data), (unsigned long)copied_length);
        else
            ok(copied_buffer == NULL && copied_length == 0, "METHOD_IN_DIRECT: no output buffer (%p, %lu)\n",
               copied_buffer, (unsigned long)copied_length);
        t.irp->MdlAddress = NULL; /* the test's: freed below */
        test_irp_free(&t);
        if (test_irp_init(&t, sizeof(data))) {
            IoGetCurrentIrpStackLocation(t.irp)->Parameters.DeviceIoControl.IoControlCode =
                CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x8f0, method, FILE_ANY_ACCESS);
            t.irp->AssociatedIrp.SystemBuffer = NULL;
            t.irp->MdlAddress = mdl;
            status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
            if (method == METHOD_OUT_DIRECT)
                ok(status == STATUS_SUCCESS && t.information == sizeof(ULONG) && data[0] == value &&
                       data[1] == 0xa5a5a5a5u,
                   "METHOD_OUT_DIRECT: the value written (%s, %08lx %08lx)\n", kcom_status_name(status),
                   (unsigned long)data[0], (unsigned long)data[1]);
            else
                ok(status == STATUS_BUFFER_TOO_SMALL && t.information == 0 && data[0] == 0xa5a5a5a5u,
                   "METHOD_IN_DIRECT: nothing written (%s, %08lx)\n", kcom_status_name(status),
                   (unsigned long)data[0]);
            t.irp->MdlAddress = NULL;
            test_irp_free(&t);
        }
        IoFreeMdl(mdl);
    }

    /* reads: the system buffer, unless the IRP is an associated one, whose AssociatedIrp field is
     * its master IRP (a file system's split request without an MDL) */
    for (i = 0; i < 2; i++) {
        if (!test_irp_init(&t, sizeof(ULONG)))
            continue;
        IoGetCurrentIrpStackLocation(t.irp)->MajorFunction = IRP_MJ_READ;
        IoGetCurrentIrpStackLocation(t.irp)->Parameters.Read.Length = sizeof(ULONG);
        if (i == 1)
            t.irp->Flags |= IRP_ASSOCIATED_IRP; /* t.buffer stands for the master IRP */
        copied_buffer = NULL;
        copied_length = 99;
        unassociate = t.irp;
        (void)kcom_irp_pend(q, t.irp, op, copy_contract, (void *)(ULONG_PTR)STATUS_SUCCESS);
        if (i == 0)
            ok(copied_buffer == t.buffer && copied_length == sizeof(ULONG), "a buffered read: the system buffer\n");
        else
            ok(copied_buffer == NULL && copied_length == 0,
               "an associated read without an MDL: no output buffer, not its master IRP (%p, %lu)\n", copied_buffer,
               (unsigned long)copied_length);
        unassociate = NULL;
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);
    ok(kcom_irp_queue_count(q) == 0, "nothing left pended\n");
}

static void test_pend_complete_cancel(kcom_irp_queue *q)
{
    IKcomAsyncOperation *op = new_source();
    LONG cancels = kcom_atomic_load(&producer_cancels);
    ULONG value = 77, canceled = 0;
    test_irp t, u;
    NTSTATUS status;

    /* pended, pended again, then completed */
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_PENDING && t.completions == 0 && kcom_irp_queue_count(q) == 1,
           "a Started operation: pended (%s)\n", kcom_status_name(status));
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_INVALID_DEVICE_STATE && t.completions == 0 && kcom_irp_queue_count(q) == 1,
           "pended twice: STATUS_INVALID_DEVICE_STATE, the first pend keeps it (%s)\n", kcom_status_name(status));
        /* its record holds the operation and its cancel routine is the driver's: an unload now
         * would leave both to a later cancel */
        status = kcom_uninitialize();
        ok(status == STATUS_INVALID_DEVICE_STATE && t.completions == 0 && kcom_irp_queue_count(q) == 1,
           "kcom_uninitialize with an IRP pended: refused, nothing done (%s)\n", kcom_status_name(status));
        (void)kcom_async_operation_clear_cancel_routine(op);
        ok(kcom_async_operation_complete(op, &value) == STATUS_SUCCESS, "complete\n");
        ok(t.completions == 1 && t.status == STATUS_SUCCESS && t.buffer[0] == 77 && t.information == sizeof(ULONG),
           "completed once with the value (%ld completions, %s, %lu)\n", (long)t.completions,
           kcom_status_name(t.status), (unsigned long)t.buffer[0]);
        ok(t.pending_returned, "marked pending\n");
        ok(kcom_irp_queue_count(q) == 0, "the record is gone\n");
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);

    /* canceled by IoCancelIrp while pended */
    op = new_source();
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_PENDING, "pended\n");
        ok(IoCancelIrp(t.irp), "IoCancelIrp found the cancel routine\n");
        ok(t.completions == 1 && t.status == STATUS_CANCELLED && t.information == 0,
           "IoCancelIrp: completed once with STATUS_CANCELLED (%ld, %s)\n", (long)t.completions,
           kcom_status_name(t.status));
        ok(status_of(op) == KCOM_ASYNC_CANCELED && kcom_atomic_load(&producer_cancels) == cancels + 1,
           "the operation canceled, through its producer's cancel routine\n");
        ok(kcom_async_operation_complete(op, &value) == STATUS_CANCELLED && t.completions == 1,
           "the producer's late completion: STATUS_CANCELLED, nothing more\n");
        ok(kcom_irp_queue_count(q) == 0, "the record is gone\n");
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);

    /* canceled before the pend (the Cancel flag set, no routine to call) */
    op = new_source();
    if (test_irp_init(&t, sizeof(ULONG))) {
        ok(!IoCancelIrp(t.irp), "IoCancelIrp without a routine\n");
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_PENDING && t.completions == 1 && t.status == STATUS_CANCELLED,
           "canceled before its pend: completed with STATUS_CANCELLED in the call (%s, %s)\n",
           kcom_status_name(status), kcom_status_name(t.status));
        ok(status_of(op) == KCOM_ASYNC_CANCELED, "the operation canceled\n");
        ok(kcom_irp_queue_count(q) == 0, "the record is gone\n");
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);

    /* a task's operation, canceled through the queue: the IRP at once, the record when the task ends */
    {
        irp_task_state initial;
        RtlZeroMemory(&initial, sizeof(initial));
        initial.kind = KCOM_TEST_IRP_TIMER;
        initial.value = 5;
        initial.delay = 60000;
        (void)kcom_async_spawn(&irp_task_desc, kcom_test_executor(), NULL, &initial, &op);
    }
    if (test_irp_init(&t, sizeof(ULONG)) && test_irp_init(&u, sizeof(ULONG))) {
        IKcomAsyncOperation *other = new_source();
        ok(kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG)) == STATUS_PENDING &&
               kcom_irp_pend(q, u.irp, other, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG)) == STATUS_PENDING &&
               kcom_irp_queue_count(q) == 2,
           "two pended\n");
        ok(kcom_irp_queue_cancel_all(q, &canceled) == STATUS_SUCCESS && canceled == 2, "cancel_all: %lu\n",
           (unsigned long)canceled);
        ok(t.completions == 1 && t.status == STATUS_CANCELLED && u.completions == 1 && u.status == STATUS_CANCELLED,
           "both completed once with STATUS_CANCELLED\n");
        ok(kcom_async_block_on(op, WAIT_MS) == STATUS_SUCCESS && status_of(op) == KCOM_ASYNC_CANCELED,
           "the task saw the cancel and ended\n");
        ok(kcom_irp_queue_count(q) == 0, "no record left (%ld)\n", (long)kcom_irp_queue_count(q));
        test_irp_free(&u);
        other->lpVtbl->Release(other);
    }
    test_irp_free(&t);
    op->lpVtbl->Release(op);
}

/* IRP_MJ_CLEANUP's cancel: the IRPs of one file object only. */
static void test_cancel_file(kcom_irp_queue *q)
{
    static FILE_OBJECT files[2]; /* told apart by address only */
    IKcomAsyncOperation *ops[3];
    test_irp t[3];
    ULONG i, canceled = 0, value = 9;
    for (i = 0; i < 3; i++) {
        ops[i] = new_source();
        if (!test_irp_init(&t[i], sizeof(ULONG)))
            return;
        IoGetCurrentIrpStackLocation(t[i].irp)->FileObject = &files[i == 2];
        ok(kcom_irp_pend(q, t[i].irp, ops[i], kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG)) == STATUS_PENDING,
           "pended %lu\n", (unsigned long)i);
    }
    ok(kcom_irp_queue_cancel_file(q, &files[0], &canceled) == STATUS_SUCCESS && canceled == 2,
       "cancel_file: the file's 2 IRPs (%lu)\n", (unsigned long)canceled);
    ok(t[0].completions == 1 && t[0].status == STATUS_CANCELLED && t[1].completions == 1 &&
           t[1].status == STATUS_CANCELLED && status_of(ops[0]) == KCOM_ASYNC_CANCELED &&
           status_of(ops[1]) == KCOM_ASYNC_CANCELED,
       "both canceled, and their operations\n");
    ok(t[2].completions == 0 && kcom_irp_queue_count(q) == 1, "the other file's IRP still pends\n");
    (void)kcom_async_operation_clear_cancel_routine(ops[2]);
    ok(kcom_async_operation_complete(ops[2], &value) == STATUS_SUCCESS && t[2].completions == 1 &&
           t[2].status == STATUS_SUCCESS && t[2].buffer[0] == 9,
       "and completes with its value\n");
    for (i = 0; i < 3; i++) {
        test_irp_free(&t[i]);
        ops[i]->lpVtbl->Release(ops[i]);
    }
}

/* The drain: refused above PASSIVE_LEVEL with the queue left open (where raising the IRQL takes
 * effect: not under Wine); closes the queue, cancels, waits; a pend afterwards is refused. */
static void test_drain(kcom_irp_queue *q)
{
    IKcomAsyncOperation *op = new_source();
    test_irp t;
    NTSTATUS status;
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    if (KeGetCurrentIrql() == APC_LEVEL) {
        status = kcom_irp_queue_drain(q, 0);
        KeLowerIrql(old);
        ok(status == STATUS_INVALID_DEVICE_STATE && !q->closed, "drain at APC_LEVEL: %s, the queue %s\n",
           kcom_status_name(status), q->closed ? "closed" : "open");
    } else {
        KeLowerIrql(old);
        skip("raising the IRQL has no effect under Wine's ntoskrnl: it is always 0 (docs/building.md)\n");
    }
    if (test_irp_init(&t, sizeof(ULONG))) {
        ok(kcom_irp_pend(q, t.irp, op, NULL, NULL) == STATUS_PENDING, "pended\n");
        status = kcom_irp_queue_drain(q, WAIT_MS);
        ok(status == STATUS_SUCCESS && t.completions == 1 && t.status == STATUS_CANCELLED &&
               kcom_irp_queue_count(q) == 0,
           "drain: %s, the IRP canceled\n", kcom_status_name(status));
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);
    op = new_source();
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, NULL, NULL);
        ok(status == STATUS_DELETE_PENDING && t.status == STATUS_DELETE_PENDING && status_of(op) == KCOM_ASYNC_CANCELED,
           "after the drain: STATUS_DELETE_PENDING, the operation canceled (%s)\n", kcom_status_name(status));
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);
    /* an operation already finished is refused too: its copy must not run after the drain */
    op = new_source();
    if (op != NULL) {
        ULONG value = 7;
        (void)kcom_async_operation_complete(op, &value);
    }
    if (op != NULL && test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_DELETE_PENDING && t.completions == 1 && t.status == STATUS_DELETE_PENDING &&
               t.information == 0,
           "a finished operation after the drain: %s, the IRP %s, %lu bytes\n", kcom_status_name(status),
           kcom_status_name(t.status), (unsigned long)t.information);
        test_irp_free(&t);
    }
    if (op != NULL)
        op->lpVtbl->Release(op);
}

/* ---- an operation implemented outside kcom --------------------------------------------------------- */

typedef struct foreign_op {
    IKcomAsyncOperation iface;
    LONG volatile refs;
    kcom_async_status status;
    ULONG value;
    ULONG cancels;
    kcom_async_completed_fn *callback;
    void *context;
    NTSTATUS status_failure; /* what get_status returns, if not STATUS_SUCCESS */
} foreign_op;

static foreign_op *foreign_from(IKcomAsyncOperation *This)
{
    return CONTAINING_RECORD(This, foreign_op, iface);
}

static NTSTATUS KCOM_STDCALL foreign_QueryInterface(IKcomAsyncOperation *This, REFIID riid, void **out)
{
    (void)riid;
    *out = This;
    kcom_atomic_fetch_add(&foreign_from(This)->refs, 1);
    return STATUS_SUCCESS;
}

static ULONG KCOM_STDCALL foreign_AddRef(IKcomAsyncOperation *This)
{
    return (ULONG)kcom_atomic_fetch_add(&foreign_from(This)->refs, 1) + 1;
}

static ULONG KCOM_STDCALL foreign_Release(IKcomAsyncOperation *This)
{
    return (ULONG)kcom_atomic_fetch_add(&foreign_from(This)->refs, -1) - 1; /* the test's storage */
}

static NTSTATUS KCOM_STDCALL foreign_get_status(IKcomAsyncOperation *This, kcom_async_status *status)
{
    foreign_op *op = foreign_from(This);
    if (op->status_failure != STATUS_SUCCESS)
        return op->status_failure;
    *status = op->status;
    return STATUS_SUCCESS;
}

static NTSTATUS KCOM_STDCALL foreign_get_result(IKcomAsyncOperation *This, void *result)
{
    foreign_op *op = foreign_from(This);
    if (op->status == KCOM_ASYNC_STARTED)
        return STATUS_PENDING;
    if (op->status == KCOM_ASYNC_CANCELED)
        return STATUS_CANCELLED;
    *(ULONG *)result = op->value;
    return STATUS_SUCCESS;
}

static NTSTATUS KCOM_STDCALL foreign_cancel(IKcomAsyncOperation *This)
{
    foreign_from(This)->cancels++; /* noted; the test finishes it later */
    return STATUS_SUCCESS;
}

static NTSTATUS KCOM_STDCALL foreign_set_completed(IKcomAsyncOperation *This, kcom_async_completed_fn *callback,
                                                        void *context)
{
    foreign_op *op = foreign_from(This);
    if (op->callback != NULL)
        return STATUS_ALREADY_REGISTERED;
    op->callback = callback;
    op->context = context;
    return STATUS_SUCCESS;
}

static const IKcomAsyncOperationVtbl foreign_vtbl = {foreign_QueryInterface, foreign_AddRef, foreign_Release,
                                                     foreign_get_status, foreign_get_result, foreign_cancel,
                                                     foreign_set_completed};

static void foreign_finish(foreign_op *op, kcom_async_status status, ULONG value)
{
    op->status = status;
    op->value = value;
    if (op->callback != NULL)
        op->callback(&op->iface, status, op->context);
}

static void foreign_ignore(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    (void)operation;
    (void)status;
    (void)context;
}

static void test_foreign(kcom_irp_queue *q)
{
    foreign_op op;
    test_irp t;
    NTSTATUS status;

    /* its completion callback tells of the finish */
    RtlZeroMemory(&op, sizeof(op));
    op.iface.lpVtbl = &foreign_vtbl;
    op.refs = 1;
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, &op.iface, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_PENDING && op.callback != NULL && op.refs == 2,
           "foreign: pended on its completion callback, a reference held (%s)\n", kcom_status_name(status));
        foreign_finish(&op, KCOM_ASYNC_COMPLETED, 123);
        ok(t.completions == 1 && t.status == STATUS_SUCCESS && t.buffer[0] == 123, "foreign: completed with 123\n");
        ok(op.refs == 1 && kcom_irp_queue_count(q) == 0, "foreign: the record and its reference are gone\n");
        test_irp_free(&t);
    }

    /* canceled: the IRP at once; the record until the operation calls back */
    RtlZeroMemory(&op, sizeof(op));
    op.iface.lpVtbl = &foreign_vtbl;
    op.refs = 1;
    if (test_irp_init(&t, sizeof(ULONG))) {
        ok(kcom_irp_pend(q, t.irp, &op.iface, NULL, NULL) == STATUS_PENDING, "foreign: pended\n");
        (void)IoCancelIrp(t.irp);
        ok(t.completions == 1 && t.status == STATUS_CANCELLED && op.cancels == 1,
           "foreign: IoCancelIrp canceled the operation and completed the IRP\n");
        ok(kcom_irp_queue_count(q) == 1, "foreign: the record waits for the callback\n");
        foreign_finish(&op, KCOM_ASYNC_CANCELED, 0);
        ok(t.completions == 1 && op.refs == 1 && kcom_irp_queue_count(q) == 0, "foreign: then it is gone\n");
        test_irp_free(&t);
    }

    /* its one callback is taken: refused */
    RtlZeroMemory(&op, sizeof(op));
    op.iface.lpVtbl = &foreign_vtbl;
    op.refs = 1;
    (void)foreign_set_completed(&op.iface, foreign_ignore, NULL);
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, &op.iface, NULL, NULL);
        ok(status == STATUS_INVALID_DEVICE_STATE && t.completions == 1 && t.status == STATUS_INVALID_DEVICE_STATE &&
               !t.pending_returned && op.refs == 1 && kcom_irp_queue_count(q) == 0,
           "foreign with its callback taken: the IRP completed with STATUS_INVALID_DEVICE_STATE (%s)\n",
           kcom_status_name(status));
        test_irp_free(&t);
    }

    /* its get_status fails: finished with that failure (as block_on and an await take it), never
     * pended on a callback that may not come */
    RtlZeroMemory(&op, sizeof(op));
    op.iface.lpVtbl = &foreign_vtbl;
    op.refs = 1;
    op.status_failure = STATUS_DEVICE_NOT_READY;
    if (test_irp_init(&t, sizeof(ULONG))) {
        status = kcom_irp_pend(q, t.irp, &op.iface, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        ok(status == STATUS_DEVICE_NOT_READY && t.completions == 1 && t.status == STATUS_DEVICE_NOT_READY &&
               t.information == 0 && !t.pending_returned && op.callback == NULL && op.refs == 1 &&
               kcom_irp_queue_count(q) == 0,
           "foreign whose get_status fails: the IRP completed with its failure (%s, IRP %s, %lu completions)\n",
           kcom_status_name(status), kcom_status_name(t.status), (unsigned long)t.completions);
        if (op.callback != NULL) /* pended: let it go */
            foreign_finish(&op, KCOM_ASYNC_ERROR, 0);
        test_irp_free(&t);
    }
}

/* ---- a completion racing IoCancelIrp --------------------------------------------------------------- */

typedef struct complete_state {
    IKcomAsyncOperation *source; /* a reference */
    ULONG value;
    ULONG spin;
    NTSTATUS completed; /* what complete returned */
} complete_state;

static kcom_poll_result complete_poll(void *p, kcom_task_context *cx)
{
    complete_state *s = (complete_state *)p;
    volatile ULONG i;
    for (i = 0; i < s->spin; i++) {
    }
    (void)kcom_async_operation_clear_cancel_routine(s->source);
    s->completed = kcom_async_operation_complete(s->source, &s->value);
    KCOM_TASK_RESULT(cx, ULONG) = (ULONG)s->completed;
    return KCOM_POLL_READY;
}

static void complete_drop(void *p)
{
    complete_state *s = (complete_state *)p;
    s->source->lpVtbl->Release(s->source);
}

static const kcom_async_task_desc complete_desc =
    KCOM_ASYNC_TASK_DESC(IIrpTestULONG, ULONG, complete_state, complete_poll, complete_drop);

#define RACE_ITERATIONS 300u

static void test_race(kcom_irp_queue *q)
{
    ULONG i, won_by_completion = 0, won_by_cancel = 0, wrong = 0, lost = 0;
    for (i = 0; i < RACE_ITERATIONS; i++) {
        IKcomAsyncOperation *source = new_source(), *completer = NULL;
        complete_state initial;
        ULONG completed = 0;
        volatile ULONG spin;
        test_irp t;
        if (!test_irp_init(&t, sizeof(ULONG))) {
            source->lpVtbl->Release(source);
            lost++;
            break;
        }
        (void)kcom_irp_pend(q, t.irp, source, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG));
        initial.source = source;
        source->lpVtbl->AddRef(source);
        initial.value = i;
        initial.spin = (i * 7919u) % 20000u;
        initial.completed = STATUS_PENDING;
        (void)kcom_async_spawn(&complete_desc, kcom_test_executor(), NULL, &initial, &completer);
        for (spin = 0; spin < (i * 104729u) % 400000u; spin++) {
        }
        (void)IoCancelIrp(t.irp);
        if (!test_irp_wait(&t) || kcom_async_block_on(completer, WAIT_MS) != STATUS_SUCCESS) {
            lost++;
            break; /* the IRP and the task may still be in use: leave them */
        }
        (void)completer->lpVtbl->get_result(completer, &completed);
        if (t.completions != 1)
            wrong++;
        else if (t.status == STATUS_SUCCESS && t.buffer[0] == i && (NTSTATUS)completed == STATUS_SUCCESS)
            won_by_completion++;
        else if (t.status == STATUS_CANCELLED && t.information == 0)
            won_by_cancel++;
        else
            wrong++;
        test_irp_free(&t);
        completer->lpVtbl->Release(completer);
        source->lpVtbl->Release(source);
    }
    ok(lost == 0 && wrong == 0 && won_by_completion + won_by_cancel == RACE_ITERATIONS,
       "%lu completions raced with IoCancelIrp: each IRP completed once, right status (%lu by the completion, "
       "%lu by the cancel, %lu wrong, %lu lost)\n",
       (unsigned long)RACE_ITERATIONS, (unsigned long)won_by_completion, (unsigned long)won_by_cancel,
       (unsigned long)wrong, (unsigned long)lost);
    ok(kcom_irp_queue_count(q) == 0, "no record left\n");
    kcom_test_print("kernel_irp: %lu completions raced with IoCancelIrp: %lu completed, %lu canceled\n",
                    (unsigned long)RACE_ITERATIONS, (unsigned long)won_by_completion, (unsigned long)won_by_cancel);
}

/* The record a pend allocates goes back to the allocator it came from: the default of the pend,
 * even when the default is another one by the time the IRP completes. */
static void test_record_allocator(kcom_irp_queue *q)
{
    kcom_counting_allocator counter;
    IKcomAsyncOperation *op = new_source();
    ULONG value = 5;
    test_irp t;
    kcom_counting_allocator_init(&counter, NULL);
    if (test_irp_init(&t, sizeof(ULONG))) {
        ok(kcom_set_default_allocator(&counter.allocator) == STATUS_SUCCESS, "a counting default\n");
        ok(kcom_irp_pend(q, t.irp, op, kcom_irp_copy_result, KCOM_IRP_RESULT_SIZE(ULONG)) == STATUS_PENDING,
           "pended\n");
        ok(kcom_counting_allocator_live(&counter) == 1, "its record from the default: %ld\n",
           (long)kcom_counting_allocator_live(&counter));
        ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "the platform's again\n");
        (void)kcom_async_operation_clear_cancel_routine(op);
        ok(kcom_async_operation_complete(op, &value) == STATUS_SUCCESS && t.completions == 1, "completed\n");
        ok(kcom_counting_allocator_live(&counter) == 0, "the record went back where it came from: %ld\n",
           (long)kcom_counting_allocator_live(&counter));
        test_irp_free(&t);
    }
    op->lpVtbl->Release(op);
}

void kcom_test_kernel_irp(void)
{
    kcom_irp_queue q;
    ok(kcom_irp_queue_init(&q) == STATUS_SUCCESS, "init\n");
    test_bad_input(&q);
    test_finished(&q);
    test_copy_contract(&q);
    test_pend_complete_cancel(&q);
    test_cancel_file(&q);
    test_foreign(&q);
    test_race(&q);
    test_record_allocator(&q);
    test_drain(&q);
}

#endif
