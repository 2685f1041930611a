/*
 * async_internal.h - the AsyncOperation object, shared by async.c and task.c only.
 */
#ifndef KCOM_SRC_ASYNC_INTERNAL_H
#define KCOM_SRC_ASYNC_INTERNAL_H

#include <kcom/async.h>

/* Bits of kcom_async_op.word; status and every claim live in one word so that one compare-exchange
 * decides each race (cancel vs complete, callback registration vs completion). */
#define OP_STATUS_MASK 0x3
#define OP_FINISHED 0x4        /* the work has ended; set once, with the final status */
#define OP_CB_REGISTERING 0x8  /* set_completed was called (first caller owns the fields) */
#define OP_CB_SET 0x10         /* callback fields written */
#define OP_CB_CLAIMED 0x20     /* someone is invoking the callback */
#define OP_WAITER_CLAIM 0x40   /* a waiter (block_on, await) owns the waiter field */
#define OP_WAITER_SET 0x80     /* waiter field written */
#define OP_WAITER_FIRED 0x100  /* the finisher owns the waiter: it will fire it */
#define OP_COMMITTED 0x200     /* the task's first poll was scheduled */

typedef struct kcom_async_op {
    IKcomAsyncOperation iface;
    LONG volatile refs;
    LONG volatile word;
    LONG volatile in_use; /* caller storage: cleared last, at the final release */
    NTSTATUS error;       /* Error's status; written before OP_FINISHED is published */
    const IID *iid;       /* typed interface answered by QueryInterface, or NULL */
    kcom_async_completed_fn *callback;
    void *callback_context;
    kcom_async_waiter *waiter;
    void *result;
    size_t result_size;
    const kcom_allocator *allocator; /* NULL: caller storage */
    size_t block_size;
    size_t block_alignment;
    BOOLEAN has_task;
    kcom_task task;
} kcom_async_op;

#define KCOM_OP_FROM_TASK(t) ((kcom_async_op *)(void *)((char *)(t) - offsetof(kcom_async_op, task)))

void kcom_async_op_addref(kcom_async_op *op);
void kcom_async_op_release(kcom_async_op *op);
/* Finishes op with status (success: Completed with the stored result; STATUS_CANCELLED: Canceled;
 * other failures: Error), unless it was canceled; then fires the waiter and the callback. The
 * caller holds a reference. Returns FALSE when op had already finished. */
BOOLEAN kcom_async_op_finish(kcom_async_op *op, NTSTATUS status);

NTSTATUS kcom_async_op_register_waiter(kcom_async_op *op, kcom_async_waiter *w, BOOLEAN *finished);
BOOLEAN kcom_async_op_unregister_waiter(kcom_async_op *op);
/* The vtable of allocated and caller-storage operations (not the static one's). */
extern const IKcomAsyncOperationVtbl kcom_async_op_vtbl;
/* Prepares an operation at op (Started, refs 1, no task, no allocator). */
void kcom_async_op_init(kcom_async_op *op, const IID *iid, void *result, size_t result_size);
BOOLEAN kcom_async_op_layout(size_t result_size, size_t result_alignment, size_t state_size,
                             size_t state_alignment, size_t *result_offset, size_t *state_offset, size_t *total,
                             size_t *alignment);

#endif /* KCOM_SRC_ASYNC_INTERNAL_H */
