/*
 * async_internal.h - the AsyncOperation object's protocol, shared by the async layer's sources only.
 * The object itself (kcom_async_op) is declared in kcom/detail/async.h, for the async method shims.
 */
#ifndef KCOM_SRC_ASYNC_INTERNAL_H
#define KCOM_SRC_ASYNC_INTERNAL_H

#include <kcom/async.h>

#include "internal.h"
#include "platform/platform.h"
#include "sched/task_internal.h"

/* A spin lock on kcom's atomics (a LONG, 0 when free), taken at DISPATCH_LEVEL: a holder at
 * PASSIVE_LEVEL interrupted by a DPC that wants it on the same processor would otherwise make that
 * DPC spin forever. Returns the IRQL to go back to. The event awaitable's and the shared waiter
 * lists' (operation.c). IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE UCHAR kcom_async_spin_lock(LONG volatile *lock)
{
    UCHAR irql = kcom_platform_raise_to_dispatch();
    while (kcom_atomic_compare_exchange(lock, 0, 1) != 0) {
        ULONG spins = 0;
        while (kcom_atomic_load(lock) != 0)
            kcom_platform_spin_pause(&spins);
    }
    return irql;
}

/* Lets go of it; the IRQL stays raised, for work that must still run at DISPATCH_LEVEL. */
static KCOM_FORCEINLINE void kcom_async_spin_unlock_raised(LONG volatile *lock)
{
    kcom_atomic_store(lock, 0);
}

/* Lets go of it and goes back to irql. */
static KCOM_FORCEINLINE void kcom_async_spin_unlock(LONG volatile *lock, UCHAR irql)
{
    kcom_async_spin_unlock_raised(lock);
    kcom_platform_lower_irql(irql);
}

/* Bits of kcom_async_op.word; status and every claim live in one word so that one compare-exchange
 * decides each race (cancel vs complete, callback registration vs completion). */
#define OP_STATUS_MASK 0x3
#define OP_FINISHED KCOM_RT_ASYNC_FINISHED /* the work has ended; set once, with the final status */
#define OP_CB_REGISTERING 0x8  /* set_completed was called (first caller owns the fields) */
#define OP_CB_SET 0x10         /* callback fields written */
#define OP_CB_CLAIMED 0x20     /* someone is invoking the callback */
#define OP_RESULT_INLINE KCOM_RT_ASYNC_RESULT_INLINE /* the size of a result right after the */
                               /* operation's own fields (a task's header, a producer's), from the start */
#define OP_RESULT_WORD KCOM_RT_ASYNC_RESULT_WORD   /* its value for 4 bytes */
#define OP_RESULT_QWORD KCOM_RT_ASYNC_RESULT_QWORD /* for 8 */
#define OP_RESULT_BYTE ((LONG)1 << KCOM_RT_ASYNC_RESULT_SHIFT) /* for 1 */
#define OP_RESULT_HALF ((LONG)2 << KCOM_RT_ASYNC_RESULT_SHIFT) /* for 2 */
#define OP_WAITERS 0x80        /* waiters beyond the slot's may be listed in the shared table */
#define OP_CANCEL_REGISTERING 0x100 /* a producer's cancel routine was registered (once) */
#define OP_COMMITTED KCOM_RT_ASYNC_COMMITTED /* the task's first poll was scheduled (or run) */
#define OP_CANCEL_SET 0x400    /* its fields are written, and it was not taken back */
#define OP_CANCEL_CLAIMED 0x800 /* the cancel that finished the operation calls it */
#define OP_SLOT_CLAIM 0x1000   /* a waiter owns the slot op->waiter */
#define OP_SLOT_SET 0x2000     /* the slot's field is written */
#define OP_SLOT_FIRED 0x4000   /* a finisher owns the slot's waiter: it fires it */
#define OP_NO_TASK KCOM_RT_ASYNC_NO_TASK /* a producer's or an error operation: no task, ever */
#define OP_CANCEL_TAKEN 0x10000 /* the task took the cancel request (Canceled while it runs) */
#define OP_CALLING 0x20000     /* finished with a callback registered, which has not returned yet: */
                               /* waiters still register, and are fired once it has returned */
#define OP_TRACKED KCOM_RT_ASYNC_TRACKED /* the task is counted by its executor's tracker (set */
                               /* before it is listed, cleared if refused): an unfinished task */
                               /* destroyed leaves it */
#define OP_COMPUTED KCOM_RT_ASYNC_COMPUTED /* its task's descriptor has no layout: its result and */
                               /* state are where kcom_task_computed finds them */
#define OP_ROUTINE_RUNNING 0x100000 /* finished by a cancel whose producer's cancel routine has not */
                               /* returned yet: waiters still register, and a callback registered */
                               /* meanwhile is left to the canceler, which calls it after the routine */

/* Whether a word is that of an operation a waiter is released from at once: finished, the
 * producer's cancel routine (when a cancel finished it) and the completion callback registered
 * before the finish, if any, returned. */
static KCOM_FORCEINLINE BOOLEAN kcom_async_op_released(LONG word)
{
    return (BOOLEAN)((word & (OP_FINISHED | OP_CALLING | OP_ROUTINE_RUNNING)) == OP_FINISHED);
}

/* Whether op runs a task (a constant bit of the word, read atomically as the word changes). */
static KCOM_FORCEINLINE BOOLEAN kcom_async_op_has_task(kcom_async_op *op)
{
    return (BOOLEAN)!(kcom_atomic_load(&op->word) & OP_NO_TASK);
}

#define KCOM_OP_FROM_TASK(t) ((kcom_async_op *)(void *)((char *)(t) - offsetof(kcom_async_op, task)))

void kcom_async_op_addref(kcom_async_op *op);
void kcom_async_op_release(kcom_async_op *op);
/* Adds w to op's waiters: TRUE, and w->fire runs once when op finishes (unless removed first);
 * FALSE when op has already finished (w is not added). IRQL: <= DISPATCH_LEVEL. */
BOOLEAN kcom_async_op_add_waiter(kcom_async_op *op, kcom_async_waiter *w);
/* Takes w out: TRUE if it will never fire; FALSE if the finisher took it (its fire has run or is
 * running: wait for what the fire marks). O(1). IRQL: <= DISPATCH_LEVEL. */
BOOLEAN kcom_async_op_remove_waiter(kcom_async_op *op, kcom_async_waiter *w);

/* The timers of the timer awaitable armed now (awaitable_timer.c), once no timer callback is under
 * way (it waits for those: a callback that has woken its task is returning). kcom_uninitialize
 * refuses while the answer is not 0. IRQL: PASSIVE_LEVEL. */
LONG kcom_async_timers_settle(void);

/* The relays (kcom_async_operation_relay) whose callback, this image's code, another image's
 * operation may still call (awaitable.c). */
LONG kcom_async_relays_registered(void);

/* The largest operation block (its size is kept in a ULONG). */
#define KCOM_RT_ASYNC_MAX_BLOCK ((size_t)0x7FFFFFFF)

/* Where result and state sit in an operation block, and its size and alignment. */
typedef struct kcom_async_op_layout_info {
    size_t result_offset;
    size_t state_offset;
    size_t total;
    size_t alignment;
} kcom_async_op_layout_info;

/* An operation without a task keeps its type and its producer's cancel routine where a task's own
 * fields begin (kcom_async_producer, kcom/detail/async.h). */
#define KCOM_ASYNC_PRODUCER(op) KCOM_RT_ASYNC_PRODUCER(op)
#define KCOM_ASYNC_PRODUCER_OP_SIZE KCOM_RT_ASYNC_PRODUCER_SIZE
KCOM_STATIC_ASSERT(KCOM_ASYNC_PRODUCER_OP_SIZE <= sizeof(kcom_async_op),
                   "an operation without a task is no larger than one with a task");

/* The layout of an operation that runs a task: the result and the state after its own fields,
 * each at a multiple of its alignment. FALSE for bad sizes or alignments. KCOM_ASYNC_TASK_DESC
 * computes the same at compile time; an operation without a task is laid out by
 * kcom_async_producer_layout_of. Inline: the constant arguments of a caller fold away. */
static KCOM_FORCEINLINE BOOLEAN kcom_async_op_layout(size_t result_size, size_t result_alignment, size_t state_size,
                                                    size_t state_alignment, kcom_async_op_layout_info *layout)
{
    const size_t header = sizeof(kcom_async_op);
    size_t align = KCOM_ALIGNOF(kcom_async_op);
    if (result_size == 0)
        result_alignment = 1;
    if (state_size == 0)
        state_alignment = 1;
    if (!kcom_is_power_of_two(result_alignment) || !kcom_is_power_of_two(state_alignment) ||
        result_size > 0x7FFFFFFF || state_size > ((size_t)-1) / 4 || result_alignment > 4096 ||
        state_alignment > 4096)
        return FALSE;
    if (result_alignment > align)
        align = result_alignment;
    if (state_alignment > align)
        align = state_alignment;
    layout->result_offset = (header + result_alignment - 1) & ~(result_alignment - 1);
    layout->state_offset = (layout->result_offset + result_size + state_alignment - 1) & ~(state_alignment - 1);
    layout->total = layout->state_offset + state_size;
    layout->alignment = align;
    return (BOOLEAN)(layout->total <= KCOM_RT_ASYNC_MAX_BLOCK); /* the operation records it in a ULONG */
}
/* desc's layout: the one KCOM_ASYNC_TASK_DESC computed, or computed now for a descriptor written
 * by hand. FALSE for bad sizes or alignments. */
static KCOM_FORCEINLINE BOOLEAN kcom_async_desc_layout(const kcom_async_task_desc *desc,
                                                      kcom_async_op_layout_info *layout)
{
    if (KCOM_LIKELY(desc->block_size != 0)) {
        layout->result_offset = desc->result_offset;
        layout->state_offset = desc->state_offset;
        layout->total = desc->block_size;
        layout->alignment = desc->block_alignment;
        return (BOOLEAN)(desc->block_size <= KCOM_RT_ASYNC_MAX_BLOCK);
    }
    return kcom_async_op_layout(desc->result_size, desc->result_alignment, desc->state_size, desc->state_alignment,
                                layout);
}

/* The layout of a spawned operation's descriptor, which spawn checked (a descriptor written by
 * hand has it computed again: the operation refers to the descriptor, not to a copy). Zeroed
 * first: the check's FALSE, which spawn made unreachable, writes nothing. */
static KCOM_FORCEINLINE kcom_async_op_layout_info kcom_async_op_desc_layout(const kcom_async_task_desc *desc)
{
    kcom_async_op_layout_info layout = {0, 0, 0, 0};
    (void)kcom_async_desc_layout(desc, &layout);
    return layout;
}

/* The layout of an operation without a task whose result has result_size bytes aligned to
 * result_alignment (a power of two; 1 without a result): the result right after its own fields,
 * at a multiple of its alignment. */
static KCOM_FORCEINLINE kcom_async_op_layout_info kcom_async_producer_layout_of(size_t result_size,
                                                                               size_t result_alignment)
{
    kcom_async_op_layout_info layout;
    layout.result_offset = KCOM_RT_ASYNC_PRODUCER_RESULT_OFFSET_(result_alignment);
    layout.state_offset = layout.total = layout.result_offset + result_size;
    layout.alignment =
        result_alignment > KCOM_ALIGNOF(kcom_async_op) ? result_alignment : KCOM_ALIGNOF(kcom_async_op);
    return layout;
}

/* The same, of an operation without a task, from its own fields. */
static KCOM_FORCEINLINE kcom_async_op_layout_info kcom_async_producer_layout(kcom_async_op *op)
{
    return kcom_async_producer_layout_of(KCOM_ASYNC_PRODUCER(op)->result_size,
                                         KCOM_ASYNC_PRODUCER(op)->result_alignment);
}

/* The result storage of op (NULL: none) and its size, from its descriptor or its own fields. */
static KCOM_FORCEINLINE ULONG kcom_async_op_result_size(kcom_async_op *op)
{
    const kcom_async_task_desc *desc = op->task.desc;
    return desc != NULL ? (ULONG)desc->result_size : KCOM_ASYNC_PRODUCER(op)->result_size;
}

static KCOM_FORCEINLINE void *kcom_async_op_result(kcom_async_op *op)
{
    if (op->task.desc != NULL)
        return kcom_task_result(&op->task);
    if (KCOM_ASYNC_PRODUCER(op)->result_size == 0)
        return NULL;
    return (char *)op + kcom_async_producer_layout(op).result_offset;
}

/* The typed interface op answers besides IKcomAsyncOperation, or NULL. */
static KCOM_FORCEINLINE const IID *kcom_async_op_iid(kcom_async_op *op)
{
    const kcom_async_task_desc *desc = op->task.desc;
    return desc != NULL ? desc->iid : KCOM_ASYNC_PRODUCER(op)->iid;
}

/* A block of size bytes for an operation from allocator (see kcom_rt_async_op_allocate), with its
 * allocator recorded in it (the operation's descriptor or own fields give size and alignment back
 * when it is freed); NULL when out of memory. */
kcom_async_op *kcom_async_op_allocate_block(const kcom_allocator *allocator, size_t size, size_t alignment);
/* The usual case of kcom_async_op_allocate_block, inline: the hot block of the operation cache's
 * class for size (kcom_rt_async_op_cached, as the shims take it) when allocator is the default
 * one; NULL otherwise, for the caller's out-of-line path. */
static KCOM_FORCEINLINE kcom_async_op *kcom_async_op_hot(const kcom_allocator *allocator, size_t size,
                                                        size_t alignment)
{
    return allocator == NULL ? kcom_rt_async_op_cached(size, alignment) : NULL;
}
/* kcom_async_op_allocate_block with its usual case inline. */
static KCOM_FORCEINLINE kcom_async_op *kcom_async_op_allocate(const kcom_allocator *allocator, size_t size,
                                                             size_t alignment)
{
    kcom_async_op *op = kcom_async_op_hot(allocator, size, alignment);
    return KCOM_LIKELY(op != NULL) ? op : kcom_async_op_allocate_block(allocator, size, alignment);
}
/* Gives back a block from kcom_async_op_allocate_block that never became an operation. */
void kcom_async_op_free_block(kcom_async_op *op);

#endif /* KCOM_SRC_ASYNC_INTERNAL_H */
