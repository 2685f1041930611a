/*
 * irp_ntkernel.c - pended IRPs completed by async operations (kcom/irp.h).
 *
 * One record per pend, from kcom's default allocator, holds a reference on the operation, its
 * waiter node and the IRP. Three sides may reach it: the finish (the operation's waiter fires, or
 * a foreign operation's completion callback), the cancel (the IRP's cancel routine, or the queue's
 * cancel functions) and the pend itself while it sets up. Each holds a reference on the record.
 *
 * Who completes the IRP: whoever takes its cancel routine back. IoCancelIrp takes it and calls the
 * routine; the finish and the queue's cancel functions take it with IoSetCancelRoutine(irp, NULL)
 * under the queue's lock, and only while record->irp is set. The winner clears record->irp and
 * unlinks the record under the same lock, so the IRP is touched by one side only, and never
 * after it is completed. The pend registers for the finish (the waiter, or a foreign operation's
 * callback) before it lists the IRP: a finish that comes before the listing marks the record
 * finished, and the pend completes the IRP itself, unpended; and the cancel side, which can only
 * reach a listed record, never takes the waiter out while it is being added.
 */
#include <kcom/irp.h>
#include <kcom/trace.h>

#include "async/async_internal.h"
#include "platform/platform.h"

/* A data buffer is mapped no-execute (Windows 8 and later; mingw-w64's DDK headers lack the
 * name): an executable mapping fails the kernel's code integrity checks (Driver Verifier, HVCI). */
#ifndef MdlMappingNoExecute
#define MdlMappingNoExecute 0x40000000
#endif

typedef struct irp_record {
    kcom_async_waiter waiter;   /* first: the fire's argument */
    LIST_ENTRY entry;           /* in queue->pended while record->irp is set */
    kcom_irp_queue *queue;
    PIRP irp;                   /* NULL once a side has taken the IRP; under queue->lock */
    PIRP taken;                 /* the IRP a queue cancel took, for its own use */
    IKcomAsyncOperation *operation; /* a reference */
    kcom_irp_copy_fn *copy;
    void *context;
    const kcom_allocator *allocator; /* the default one at the pend, which frees the record too */
    LONG volatile refs;
    BOOLEAN finished;           /* the finish came before the IRP was listed; under queue->lock */
    BOOLEAN kcom_operation;     /* its waiter was added (else a foreign operation's callback) */
} irp_record;

static VOID NTAPI irp_cancel_routine(PDEVICE_OBJECT device, PIRP irp);

/* The records counted in their queues, all queues together: kcom_uninitialize refuses while any
 * is left (a drain brings its queue's to 0 before it returns). */
static LONG volatile irp_records;

LONG kcom_platform_irps_held(void)
{
    return kcom_atomic_load(&irp_records);
}

NTSTATUS kcom_irp_queue_init(kcom_irp_queue *queue)
{
    if (queue == NULL)
        return STATUS_INVALID_PARAMETER;
    KeInitializeSpinLock(&queue->lock);
    InitializeListHead(&queue->pended);
    queue->count = 0;
    queue->closed = FALSE;
    KeInitializeEvent(&queue->idle, NotificationEvent, TRUE);
    return STATUS_SUCCESS;
}

/* The IRP's output buffer: *length bytes at the result, or NULL (and *length 0) when it has none;
 * *mapped FALSE when an MDL could not be mapped. */
static void *irp_output(PIRP irp, ULONG *length, BOOLEAN *mapped)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    void *buffer = NULL;
    BOOLEAN direct;
    *length = 0;
    *mapped = TRUE;
    switch (stack->MajorFunction) {
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        switch (stack->Parameters.DeviceIoControl.IoControlCode & 3) {
        case METHOD_BUFFERED:
            direct = FALSE;
            break;
        case METHOD_OUT_DIRECT:
            direct = TRUE;
            break;
        default:
            /* METHOD_IN_DIRECT: the MDL is data for the driver, its pages locked for read access
             * only (a write could reach a read-only or copy-on-write page of the caller's);
             * METHOD_NEITHER: a user address, valid only in the caller's context */
            return NULL;
        }
        *length = stack->Parameters.DeviceIoControl.OutputBufferLength;
        break;
    case IRP_MJ_READ:
        direct = (BOOLEAN)(irp->MdlAddress != NULL);
        /* an associated IRP (a file system's part of a split request) has no system buffer: its
         * AssociatedIrp field is its master IRP */
        if (!direct && (irp->Flags & IRP_ASSOCIATED_IRP) != 0)
            return NULL;
        *length = stack->Parameters.Read.Length;
        break;
    default:
        return NULL;
    }
    if (*length == 0)
        return NULL;
    if (direct) {
        if (irp->MdlAddress != NULL) {
            buffer = MmGetSystemAddressForMdlSafe(irp->MdlAddress,
                                                  (MM_PAGE_PRIORITY)(NormalPagePriority | MdlMappingNoExecute));
            /* the first MDL is what is mapped: a kernel caller's IRP may describe less than the
             * length it states, or chain further MDLs */
            if (*length > MmGetMdlByteCount(irp->MdlAddress))
                *length = MmGetMdlByteCount(irp->MdlAddress);
        }
        *mapped = (BOOLEAN)(buffer != NULL);
    } else {
        buffer = irp->AssociatedIrp.SystemBuffer;
    }
    if (buffer == NULL)
        *length = 0;
    return buffer;
}

/* Completes irp with the outcome of operation, which has finished. */
static NTSTATUS irp_complete_from(PIRP irp, IKcomAsyncOperation *operation, kcom_irp_copy_fn *copy, void *context)
{
    kcom_async_status state = KCOM_ASYNC_ERROR;
    ULONG_PTR information = 0;
    NTSTATUS status = operation->lpVtbl->get_status(operation, &state);
    if (NT_SUCCESS(status)) {
        if (state == KCOM_ASYNC_COMPLETED) {
            ULONG length;
            BOOLEAN mapped;
            void *buffer = irp_output(irp, &length, &mapped);
            if (!mapped) {
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else if (copy != NULL) {
                status = copy(operation, buffer, length, &information, context);
                if (KCOM_UNLIKELY(status == STATUS_PENDING || (!NT_ERROR(status) && information > length))) {
                    /* completing with STATUS_PENDING would complete the IRP twice in the I/O
                     * manager's eyes; an Information past the buffer would copy back (buffered
                     * I/O) what lies beyond it. An error's Information (the size the caller
                     * needs, say) is dropped below: nothing is copied back. */
                    KCOM_TRACE(ERROR, "kcom_irp_pend: the copy function returned %s (0x%08x), Information %lu, "
                                      "for a buffer of %lu bytes",
                               kcom_status_name(status), (unsigned)status, (unsigned long)information,
                               (unsigned long)length);
                    status = STATUS_INTERNAL_ERROR;
                }
            }
        } else if (state == KCOM_ASYNC_CANCELED) {
            status = STATUS_CANCELLED;
        } else {
            ULONG64 unused; /* an operation in Error writes nothing */
            status = operation->lpVtbl->get_result(operation, &unused);
            if (NT_SUCCESS(status) || status == STATUS_PENDING)
                status = STATUS_UNSUCCESSFUL; /* a foreign operation that says Error without one */
        }
    }
    /* a warning (STATUS_BUFFER_OVERFLOW: part of the data) keeps the copy's Information, which the
     * I/O manager then copies back; an error returns no data */
    if (NT_ERROR(status))
        information = 0;
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS irp_complete(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static void record_release(irp_record *record)
{
    kcom_irp_queue *queue = record->queue;
    KIRQL irql;
    if (kcom_atomic_fetch_add(&record->refs, -1) != 1)
        return;
    record->operation->lpVtbl->Release(record->operation);
    kcom_free(record->allocator, record, sizeof(*record), KCOM_ALIGNOF(irp_record));
    /* the last touch of the queue: the drain acquires the lock once after its wait */
    KeAcquireSpinLock(&queue->lock, &irql);
    kcom_atomic_fetch_add(&irp_records, -1);
    if (--queue->count == 0)
        KeSetEvent(&queue->idle, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&queue->lock, irql);
}

/* Under queue->lock: takes record's IRP if its cancel routine can still be taken back (NULL if a
 * cancel or another side has it). */
static PIRP record_take_irp_locked(irp_record *record)
{
    PIRP irp = record->irp;
    if (irp == NULL || IoSetCancelRoutine(irp, NULL) == NULL)
        return NULL; /* IoCancelIrp took the routine: the routine completes it */
    RemoveEntryList(&record->entry);
    record->irp = NULL;
    return irp;
}

/* The operation has finished: complete the IRP unless a cancel took it; drop the finish's
 * reference. IRQL: <= DISPATCH_LEVEL. */
static void record_finished(irp_record *record)
{
    kcom_irp_queue *queue = record->queue;
    PIRP irp;
    KIRQL irql;
    KeAcquireSpinLock(&queue->lock, &irql);
    irp = record_take_irp_locked(record);
    record->finished = TRUE; /* for a pend that has not listed the IRP yet */
    KeReleaseSpinLock(&queue->lock, irql);
    if (irp != NULL) {
        (void)irp_complete_from(irp, record->operation, record->copy, record->context);
        record_release(record); /* the IRP's */
    }
    record_release(record); /* the finish's */
}

/* A side took the IRP to cancel it (record->irp is NULL and the record unlinked): cancel the
 * operation, complete the IRP (NULL: completed already), take the waiter out if it will not fire,
 * drop the IRP's reference. */
static void record_cancel(irp_record *record, PIRP irp)
{
    IKcomAsyncOperation *operation = record->operation;
    (void)operation->lpVtbl->cancel(operation); /* a completion source finishes here: its waiter fires */
    if (irp != NULL)
        (void)irp_complete(irp, STATUS_CANCELLED);
    if (record->kcom_operation &&
        kcom_async_op_remove_waiter((kcom_async_op *)(void *)operation, &record->waiter))
        record_release(record); /* the finish's: it will never fire */
    record_release(record);     /* the IRP's */
}

static VOID NTAPI irp_cancel_routine(PDEVICE_OBJECT device, PIRP irp)
{
    irp_record *record = (irp_record *)irp->Tail.Overlay.DriverContext[0];
    kcom_irp_queue *queue = record->queue;
    KIRQL irql;
    (void)device;
    IoReleaseCancelSpinLock(irp->CancelIrql);
    KeAcquireSpinLock(&queue->lock, &irql);
    RemoveEntryList(&record->entry);
    record->irp = NULL;
    KeReleaseSpinLock(&queue->lock, irql);
    record_cancel(record, irp);
}

/* The waiter's fire, at DISPATCH_LEVEL once the operation has finished (its finisher holds a
 * reference on the operation meanwhile). */
static kcom_waker record_fire(kcom_async_waiter *waiter)
{
    kcom_waker none = {NULL};
    record_finished((irp_record *)(void *)waiter);
    return none;
}

/* A foreign operation's completion callback. */
static void record_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    (void)operation;
    (void)status;
    record_finished((irp_record *)context);
}

/* Whether operation has an outcome to complete the IRP with now. A foreign one whose get_status
 * fails has one, that failure (irp_complete_from), as block_on and an await take it: its
 * completion callback may never come. */
static BOOLEAN operation_finished(IKcomAsyncOperation *operation, BOOLEAN kcom_operation)
{
    kcom_async_status state = KCOM_ASYNC_STARTED;
    if (kcom_operation)
        return (BOOLEAN)((kcom_atomic_load(&((kcom_async_op *)(void *)operation)->word) & OP_FINISHED) != 0);
    return (BOOLEAN)(!NT_SUCCESS(operation->lpVtbl->get_status(operation, &state)) || state != KCOM_ASYNC_STARTED);
}

NTSTATUS kcom_irp_pend(kcom_irp_queue *queue, PIRP irp, IKcomAsyncOperation *operation, kcom_irp_copy_fn *copy,
                       void *context)
{
    const kcom_allocator *allocator;
    irp_record *record;
    BOOLEAN kcom_operation, canceled, closed;
    NTSTATUS status;
    KIRQL irql;

    if (irp == NULL)
        return STATUS_INVALID_PARAMETER;
    if (irp->CancelRoutine == irp_cancel_routine)
        return STATUS_INVALID_DEVICE_STATE; /* pended here already: the first pend owns it */
    if (queue == NULL || operation == NULL)
        return irp_complete(irp, STATUS_INVALID_PARAMETER);
    kcom_operation = kcom_rt_async_op_is_kcom(operation);
    if (operation_finished(operation, kcom_operation)) {
        /* a drained queue refuses this one too: its copy and context must not run after the drain */
        KeAcquireSpinLock(&queue->lock, &irql);
        closed = queue->closed;
        KeReleaseSpinLock(&queue->lock, irql);
        return closed ? irp_complete(irp, STATUS_DELETE_PENDING) : irp_complete_from(irp, operation, copy, context);
    }

    allocator = kcom_default_allocator();
    record = (irp_record *)kcom_allocate(allocator, sizeof(*record), KCOM_ALIGNOF(irp_record));
    if (record == NULL) {
        (void)operation->lpVtbl->cancel(operation); /* nobody will wait for it */
        return irp_complete(irp, STATUS_INSUFFICIENT_RESOURCES);
    }
    RtlZeroMemory(record, sizeof(*record));
    record->waiter.fire = record_fire;
    record->queue = queue;
    record->operation = operation;
    record->copy = copy;
    record->context = context;
    record->allocator = allocator;
    record->kcom_operation = kcom_operation;
    record->refs = 3; /* the IRP's, the finish's, and this call's until it returns */
    irp->Tail.Overlay.DriverContext[0] = record;

    /* counted from here: a drain waits for the record, whatever becomes of the IRP */
    KeAcquireSpinLock(&queue->lock, &irql);
    status = queue->closed ? STATUS_DELETE_PENDING : STATUS_SUCCESS;
    if (NT_SUCCESS(status)) {
        kcom_atomic_fetch_add(&irp_records, 1);
        if (queue->count++ == 0)
            KeClearEvent(&queue->idle);
    }
    KeReleaseSpinLock(&queue->lock, irql);
    if (!NT_SUCCESS(status)) {
        kcom_free(allocator, record, sizeof(*record), KCOM_ALIGNOF(irp_record));
        (void)operation->lpVtbl->cancel(operation); /* nobody will wait for it */
        return irp_complete(irp, status);
    }
    operation->lpVtbl->AddRef(operation);

    /* the finish before the listing: one that comes first only marks the record finished */
    if (kcom_operation) {
        if (!kcom_async_op_add_waiter((kcom_async_op *)(void *)operation, &record->waiter))
            record_finished(record); /* finished meanwhile: no fire will come */
    } else if (!NT_SUCCESS(operation->lpVtbl->set_completed(operation, record_callback, record))) {
        /* its one callback is someone else's: nothing would tell of the finish */
        record->finished = TRUE;
        record_release(record); /* the finish's */
        status = STATUS_INVALID_DEVICE_STATE;
    }

    KeAcquireSpinLock(&queue->lock, &irql);
    if (record->finished)
        status = NT_SUCCESS(status) ? STATUS_SUCCESS : status;
    else if (queue->closed)
        status = STATUS_DELETE_PENDING;
    else
        status = STATUS_PENDING;
    canceled = FALSE;
    if (status == STATUS_PENDING) {
        IoMarkIrpPending(irp); /* before any other side can see the IRP */
        record->irp = irp;
        InsertTailList(&queue->pended, &record->entry);
        IoSetCancelRoutine(irp, irp_cancel_routine);
        /* canceled before the routine was set: IoCancelIrp found none, so its work is done here */
        canceled = (BOOLEAN)(irp->Cancel && record_take_irp_locked(record) != NULL);
    }
    KeReleaseSpinLock(&queue->lock, irql);

    if (status == STATUS_PENDING) {
        if (canceled)
            record_cancel(record, irp);
    } else if (status == STATUS_SUCCESS) { /* finished before the listing: completed unpended */
        status = irp_complete_from(irp, operation, copy, context);
        record_release(record); /* the IRP's */
    } else if (status == STATUS_DELETE_PENDING) { /* closed meanwhile: never listed */
        (void)irp_complete(irp, STATUS_DELETE_PENDING);
        record_cancel(record, NULL); /* the operation canceled, the waiter taken out */
    } else {
        (void)irp_complete(irp, status);
        record_release(record); /* the IRP's */
    }
    record_release(record);
    return status;
}

NTSTATUS kcom_irp_copy_result(IKcomAsyncOperation *operation, void *buffer, ULONG length, ULONG_PTR *information,
                              void *context)
{
    ULONG size = (ULONG)(ULONG_PTR)context;
    NTSTATUS status;
    if (information == NULL)
        return STATUS_INVALID_PARAMETER;
    *information = 0;
    if (operation == NULL || size == 0)
        return STATUS_INVALID_PARAMETER;
    if (kcom_rt_async_op_is_kcom(operation)) {
        /* get_result writes the operation's size, which the buffer check must be made with */
        ULONG result_size = kcom_async_op_result_size((kcom_async_op *)(void *)operation);
        if (result_size != size) {
            KCOM_TRACE(ERROR, "kcom_irp_copy_result: a %lu-byte result type for an operation whose result has %lu bytes",
                       (unsigned long)size, (unsigned long)result_size);
            return STATUS_INVALID_PARAMETER;
        }
    }
    if (buffer == NULL || length < size)
        return STATUS_BUFFER_TOO_SMALL;
    status = operation->lpVtbl->get_result(operation, buffer);
    /* STATUS_PENDING is a success code too, but nothing was written then */
    if (status == STATUS_SUCCESS)
        *information = size;
    return status;
}

/* Cancels the queue's IRPs of file (NULL: all). */
static ULONG queue_cancel(kcom_irp_queue *queue, PFILE_OBJECT file)
{
    LIST_ENTRY taken;
    PLIST_ENTRY entry, next;
    ULONG count = 0;
    KIRQL irql;
    InitializeListHead(&taken);
    KeAcquireSpinLock(&queue->lock, &irql);
    for (entry = queue->pended.Flink; entry != &queue->pended; entry = next) {
        irp_record *record = CONTAINING_RECORD(entry, irp_record, entry);
        next = entry->Flink;
        if (file != NULL && IoGetCurrentIrpStackLocation(record->irp)->FileObject != file)
            continue;
        /* taken: unlisted, so the entry is free; the IRP's reference keeps the record */
        record->taken = record_take_irp_locked(record);
        if (record->taken != NULL) /* else IoCancelIrp has it */
            InsertTailList(&taken, &record->entry);
    }
    KeReleaseSpinLock(&queue->lock, irql);
    while (!IsListEmpty(&taken)) {
        irp_record *record = CONTAINING_RECORD(RemoveHeadList(&taken), irp_record, entry);
        record_cancel(record, record->taken);
        count++;
    }
    return count;
}

NTSTATUS kcom_irp_queue_cancel_file(kcom_irp_queue *queue, PFILE_OBJECT file, ULONG *canceled)
{
    ULONG count = 0;
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    if (queue != NULL && file != NULL) {
        count = queue_cancel(queue, file);
        status = STATUS_SUCCESS;
    }
    if (canceled != NULL)
        *canceled = count;
    return status;
}

NTSTATUS kcom_irp_queue_cancel_all(kcom_irp_queue *queue, ULONG *canceled)
{
    ULONG count = 0;
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    if (queue != NULL) {
        count = queue_cancel(queue, NULL);
        status = STATUS_SUCCESS;
    }
    if (canceled != NULL)
        *canceled = count;
    return status;
}

LONG kcom_irp_queue_count(kcom_irp_queue *queue)
{
    LONG count;
    KIRQL irql;
    if (queue == NULL)
        return 0;
    KeAcquireSpinLock(&queue->lock, &irql);
    count = queue->count;
    KeReleaseSpinLock(&queue->lock, irql);
    return count;
}

NTSTATUS kcom_irp_queue_drain(kcom_irp_queue *queue, ULONG timeout_ms)
{
    LARGE_INTEGER timeout;
    NTSTATUS status;
    KIRQL irql;
    if (queue == NULL)
        return STATUS_INVALID_PARAMETER;
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) /* irp.h: PASSIVE_LEVEL only, as an unload runs it */
        return STATUS_INVALID_DEVICE_STATE;
    KeAcquireSpinLock(&queue->lock, &irql);
    queue->closed = TRUE;
    KeReleaseSpinLock(&queue->lock, irql);
    (void)queue_cancel(queue, NULL);
    timeout.QuadPart = -(LONGLONG)timeout_ms * 10000; /* relative, 100 ns units */
    status = KeWaitForSingleObject(&queue->idle, Executive, KernelMode, FALSE,
                                   timeout_ms == KCOM_ASYNC_INFINITE ? NULL : &timeout);
    /* the side that set the event may still hold the lock: wait for it to let go */
    KeAcquireSpinLock(&queue->lock, &irql);
    KeReleaseSpinLock(&queue->lock, irql);
    return status == STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_TIMEOUT;
}
