/*
 * kcom/irp.h - pended IRPs completed by async operations (kernel target only).
 *
 * A dispatch routine that starts an async operation hands the IRP and the operation to
 * kcom_irp_pend. If the operation has already finished, the IRP is completed there and then;
 * otherwise it is marked pending and held in a kcom_irp_queue until the operation finishes (the
 * IRP is then completed with its outcome) or the IRP is canceled (the operation is canceled, the
 * IRP completed with STATUS_CANCELLED). Exactly one side completes each IRP, whichever wins.
 *
 *     status = kcom_irp_pend(&queue, irp, IAsyncLONG_generic(op), kcom_irp_copy_result,
 *                            KCOM_IRP_RESULT_SIZE(LONG));
 *     IAsyncLONG_Release(op);        // the pend holds its own reference
 *     return status;                 // STATUS_PENDING, or the status the IRP was completed with
 *
 * The IRP's outcome: Completed, the copy function's status and Information (it writes the result
 * into the IRP's output buffer); Canceled, STATUS_CANCELLED; Error, the operation's failure.
 * Information is 0 unless the copy function sets it, and 0 with an error status (NT_ERROR); a
 * warning keeps it (STATUS_BUFFER_OVERFLOW with the part of the data that fits).
 *
 * While kcom holds an IRP it uses the IRP's CancelRoutine and Tail.Overlay.DriverContext[0]; the
 * rest of the IRP is the driver's. Each pend allocates one small record from kcom's default
 * allocator (freed when both the IRP and the operation are done with it). Cancellation follows the
 * documented cancel-routine protocol (IoSetCancelRoutine, the IRP's Cancel flag, the cancel spin
 * lock released at once, a private spin lock over the queue), not cancel-safe queues (IoCsq).
 *
 * Operations implemented by kcom are waited for through their list of waiters: the completion
 * callback stays the driver's. An IKcomAsyncOperation implemented outside kcom has no such list:
 * kcom_irp_pend registers its completion callback (set_completed) instead, and refuses an operation
 * whose callback is already taken. See docs/irp.md.
 */
#ifndef KCOM_IRP_H
#define KCOM_IRP_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/async.h>

#if !defined(KCOM_KERNEL)
#error "kcom/irp.h is for the Windows kernel target only (KCOM_KERNEL): it pends and completes IRPs"
#endif

/* The queue of pended IRPs: one per device, or per file object. Embed it (in the device extension,
 * or the driver's state); its fields are kcom's. */
typedef struct kcom_irp_queue {
    KSPIN_LOCK lock;
    LIST_ENTRY pended;   /* the records of pended IRPs, under lock */
    LONG count;          /* records alive (pended IRPs, and those completing), under lock */
    BOOLEAN closed;      /* kcom_irp_queue_drain has begun: no new pends */
    KEVENT idle;         /* set while count is 0 */
} kcom_irp_queue;

/*
 * kcom_irp_copy_fn - writes the result of a Completed operation into the IRP's output buffer and
 * returns the IRP's status. buffer: the IRP's output buffer, mapped into system space (NULL when
 * the request has none; length 0 then); length: its size in bytes; *information starts at 0 and,
 * with a success or warning status, may not exceed length (an error completes with Information
 * 0 whatever it says). It may not return STATUS_PENDING. (Either mistake fails the IRP with
 * STATUS_INTERNAL_ERROR, Information 0, traced: the I/O manager would otherwise see the IRP
 * completed twice, or copy back what lies past the buffer.)
 * Runs once per IRP, on the thread that finishes the operation (or in kcom_irp_pend when it had
 * finished already), at <= DISPATCH_LEVEL: it may not block or touch paged memory.
 */
typedef NTSTATUS kcom_irp_copy_fn(IKcomAsyncOperation *operation, void *buffer, ULONG length,
                                  ULONG_PTR *information, void *context);

/* The context kcom_irp_copy_result takes: the size of the operation's result type. */
#define KCOM_IRP_RESULT_SIZE(Type) ((void *)(ULONG_PTR)sizeof(Type))

KCOM_BEGIN_DECLS

/*
 * kcom_irp_queue_init - prepares an empty, open queue. Call before the first pend (DriverEntry,
 * AddDevice), or again after a drain has emptied it.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL queue.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_irp_queue_init(_Out_ kcom_irp_queue *queue);

/*
 * kcom_irp_pend - completes irp with operation's outcome once the operation has finished; or now,
 * if it has already. Call from the dispatch routine and return what it returns. It takes a
 * reference of its own on the operation (the caller keeps and releases its own) and owns the IRP
 * from the call on, unless irp is NULL or pended here already.
 *   - finished already: the IRP is completed here, no pending; returns its status.
 *   - otherwise: IoMarkIrpPending, the IRP is held in queue; returns STATUS_PENDING. When the
 *     operation finishes, copy(operation, buffer, length, &information, context) (if copy is not
 *     NULL) fills the IRP and the IRP is completed with its status, on the finishing thread: at
 *     DISPATCH_LEVEL for an operation implemented by kcom (its waiters run raised, whatever the
 *     finisher's IRQL), at its completion callback's IRQL for one implemented outside kcom. When
 *     the IRP is canceled (IoCancelIrp: CancelIoEx, the thread's end, the I/O manager;
 *     also an IRP whose Cancel flag is set already), or through kcom_irp_queue_cancel_file /
 *     _cancel_all / _drain, the operation is canceled (a completion source's cancel routine runs)
 *     and the IRP is completed with STATUS_CANCELLED, Information 0, at once.
 * The output buffer, by the control code's method for device control and internal device control
 * alike: METHOD_BUFFERED and buffered reads (not an associated IRP's, whose
 * AssociatedIrp is its master IRP), AssociatedIrp.SystemBuffer;
 * METHOD_OUT_DIRECT and reads of a DO_DIRECT_IO device, the MDL's system address
 * (MmGetSystemAddressForMdlSafe; if it cannot be mapped, the IRP fails with
 * STATUS_INSUFFICIENT_RESOURCES), its length at most the MDL's byte count; METHOD_IN_DIRECT (its
 * MDL is the caller's data for the driver, locked for read access only), METHOD_NEITHER and other
 * major functions: none (NULL, 0).
 * context must stay valid until the IRP is completed.
 * The copy, IoCompleteRequest (with the completion routines of the drivers above) and the
 * operation's cancel (a completion source's cancel routine) run on the thread that finishes or
 * cancels: a producer's kcom_async_operation_complete, IoCancelIrp, kcom_irp_queue_cancel_file,
 * _cancel_all and _drain, and this call when it completes the IRP itself. None of these may be
 * called holding a lock that one of them takes.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_PENDING, or the status the IRP was completed with:
 *   - STATUS_INVALID_PARAMETER: irp NULL (nothing happens); queue or operation NULL (irp completed
 *     with it);
 *   - STATUS_INVALID_DEVICE_STATE: irp is pended here already (its cancel routine is kcom's): the
 *     IRP is left to its first pend, which has marked it pending: return STATUS_PENDING for it;
 *     also (the IRP completed with it) an operation implemented outside kcom whose completion
 *     callback is taken;
 *   - STATUS_DELETE_PENDING: the queue is draining or drained (the operation is canceled, the IRP
 *     completed; also for an operation already finished, whose copy is not called);
 *   - STATUS_INSUFFICIENT_RESOURCES: no memory for the record (the operation is canceled, the IRP
 *     completed);
 *   - STATUS_INTERNAL_ERROR: copy returned STATUS_PENDING, or a success or warning with an
 *     Information past the buffer (the IRP completed with it, Information 0);
 *   - for an operation implemented outside kcom (the IRP completed with it): the failure its
 *     get_status returned, or STATUS_UNSUCCESSFUL when it says Error but its get_result returns
 *     no failure (a success, or STATUS_PENDING).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_irp_pend(_In_opt_ kcom_irp_queue *queue, _In_opt_ PIRP irp, _In_opt_ IKcomAsyncOperation *operation,
                       _In_opt_ kcom_irp_copy_fn *copy, _In_opt_ void *context);

/*
 * kcom_irp_copy_result - a kcom_irp_copy_fn for a result copied as it is: context is
 * KCOM_IRP_RESULT_SIZE(the result type). Writes the result at the start of the buffer, sets
 * Information to its size and returns STATUS_SUCCESS; STATUS_BUFFER_TOO_SMALL (nothing written)
 * when the buffer is smaller; STATUS_INVALID_PARAMETER (nothing written, *information 0 if it
 * can be written) for a NULL operation or information, a context of 0, or, for an operation
 * implemented by kcom, a context that is not its result's size (traced: get_result writes the
 * operation's size, so a smaller type would let it write past the buffer); otherwise what
 * get_result returned, with Information 0 (its failure, or STATUS_PENDING for an operation not
 * finished). An operation implemented outside kcom must write exactly the context's size.
 * IRQL: <= DISPATCH_LEVEL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_irp_copy_result(_In_ IKcomAsyncOperation *operation, _In_opt_ void *buffer, _In_ ULONG length,
                              _Out_ ULONG_PTR *information, _In_opt_ void *context);

/*
 * kcom_irp_queue_cancel_file - cancels every IRP of queue whose file object is file, as IoCancelIrp
 * would: their operations are canceled, the IRPs completed with STATUS_CANCELLED. Call it from
 * IRP_MJ_CLEANUP with the cleanup IRP's file object. *canceled (optional): how many.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL queue or file (*canceled 0).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_irp_queue_cancel_file(_In_opt_ kcom_irp_queue *queue, _In_opt_ PFILE_OBJECT file,
                                    _Out_opt_ ULONG *canceled);

/*
 * kcom_irp_queue_cancel_all - the same for every IRP of queue (unload, surprise removal). New
 * pends are still accepted. IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL queue (*canceled 0).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_irp_queue_cancel_all(_In_opt_ kcom_irp_queue *queue, _Out_opt_ ULONG *canceled);

/*
 * kcom_irp_queue_count - the queue's records alive: IRPs pended, and those whose completion is
 * under way (their IRP completed, their operation not finished yet). 0 for a NULL queue.
 * IRQL: <= DISPATCH_LEVEL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
LONG kcom_irp_queue_count(_In_opt_ kcom_irp_queue *queue);

/*
 * kcom_irp_queue_drain - closes the queue (kcom_irp_pend then refuses with STATUS_DELETE_PENDING),
 * cancels every IRP it holds, and waits until no record is left: every IRP has been completed,
 * every operation it waited on has finished or let go of it, and nothing of kcom touches the
 * queue any more; then the queue's memory may be freed. Part of the unload recipe (docs/irp.md).
 * IRQL: PASSIVE_LEVEL.
 * A record lets go of an operation implemented by kcom when its IRP is canceled: this drain does
 * not wait for those operations (their tasks are the tracker's drain's to wait for).
 * Returns STATUS_SUCCESS; STATUS_TIMEOUT (records remain after timeout_ms: an operation
 * implemented outside kcom has not finished since its cancel; KCOM_ASYNC_INFINITE waits for
 * ever); STATUS_INVALID_PARAMETER (NULL);
 * STATUS_INVALID_DEVICE_STATE (above PASSIVE_LEVEL: nothing is done).
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_irp_queue_drain(_In_opt_ kcom_irp_queue *queue, _In_ ULONG timeout_ms);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_IRP_H */
