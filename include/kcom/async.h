/*
 * kcom/async.h - AsyncOperation objects: the result of an async call.
 *
 * An operation is a COM object (IKcomAsyncOperation : IUnknown) in one of WinRT's four states:
 * Started, then exactly one of Completed (a value), Canceled or Error (a failure status). It
 * finishes once: its work completes or fails, or is dropped after a cancel; the completion
 * callback fires then. Rules:
 *   get_status   IRQL: any. RESULT kind: writes the status; STATUS_INVALID_PARAMETER for NULL.
 *   get_result   IRQL: any. Started: STATUS_PENDING; Completed: copies the value, STATUS_SUCCESS;
 *                Canceled: STATUS_CANCELLED; Error: the stored failure. Writes nothing unless it
 *                returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL result pointer.
 *   cancel       IRQL: <= DISPATCH_LEVEL. Started -> Canceled and STATUS_SUCCESS: the result will
 *                never be set. An operation its producer finishes (kcom_async_operation_create)
 *                finishes at once: the producer's cancel routine runs (if one is registered),
 *                then the callback, then every waiter wakes, all on the canceling thread; a later
 *                complete or fail returns STATUS_CANCELLED. An operation run by a task: the task
 *                sees the request once at its next poll, and the operation finishes and calls
 *                back when its work ends or is dropped; the cancel wakes the task, and if its
 *                executor refuses it (shut down) the work is dropped right there. Either way the
 *                drop and the callback may run on the thread calling cancel: do not call it
 *                holding a lock the callback takes. In any other state:
 *                STATUS_INVALID_DEVICE_STATE, nothing changes.
 *   set_completed  IRQL: <= DISPATCH_LEVEL. Registers callback(operation, status, context), which
 *                fires exactly once, when the operation finishes, or synchronously from this call
 *                when it has already finished, except while the producer's cancel routine of the
 *                cancel that finished it still runs: then on the canceling thread once the routine
 *                has returned (one destroyed unfinished, released before its
 *                commit or with its task beyond any wake, never finishes: no callback); it runs
 *                outside any lock with a reference held on the operation (it may Release the
 *                caller's own). A callback registered before
 *                the operation finishes has returned before any waiter (kcom_async_block_on, an
 *                awaiting task) is released, one that began waiting while it ran included (so
 *                the callback must not wait for its own operation). STATUS_SUCCESS;
 *                STATUS_ALREADY_REGISTERED for a second call (the first one stays);
 *                STATUS_INVALID_PARAMETER for a NULL callback.
 *   QueryInterface/AddRef/Release as every kcom object; QueryInterface answers IUnknown,
 *                IKcomAsyncOperation and the typed interface the operation was created for.
 *                An operation's count has no hardening mode: an AddRef (or a QueryInterface
 *                hit) at INT32_MAX and a Release too many fail fast (docs/safety.md).
 *
 * Typed interfaces have the same vtable with a typed get_result and callback; declare one per
 * result type:
 *
 *     KCOM_DECLARE_ASYNC_OPERATION(IAsyncULONG, ULONG,
 *         0x2b8f0c1e, 0x5a4d, 0x4e21, 0x8b, 0x3c, 0x11, 0x9d, 0x7e, 0x60, 0x25, 0xf4)
 *     ULONG value; NTSTATUS s = IAsyncULONG_get_result(op, &value);   // type-checked
 *
 * and create operations with &IID_IAsyncULONG; IAsyncULONG_from(generic) converts.
 *
 * Cost: one allocation per operation, holding the operation, its task state and its result
 * storage (or none, with caller-provided storage). When not even an error operation can be
 * allocated, a static one is returned (Error, STATUS_INSUFFICIENT_RESOURCES; its AddRef and
 * Release do nothing; it answers IUnknown and IKcomAsyncOperation only; its set_completed calls
 * back at once every time). Functions that return an operation never return NULL.
 */
#ifndef KCOM_ASYNC_H
#define KCOM_ASYNC_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/allocator.h>
#include <kcom/caching_allocator.h>
#include <kcom/task.h>
#include <kcom/unknown.h>

typedef LONG kcom_async_status;
#define KCOM_ASYNC_STARTED 0
#define KCOM_ASYNC_COMPLETED 1
#define KCOM_ASYNC_CANCELED 2
#define KCOM_ASYNC_ERROR 3

struct IKcomAsyncOperation;
typedef void kcom_async_completed_fn(struct IKcomAsyncOperation *operation, kcom_async_status status,
                                     void *context);

/* The method list of an operation with result type T, for interface I. */
#define KCOM_ASYNC_OPERATION_METHODS_(M, I, T, callback_type)                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, kcom_async_status, get_status, )                                         \
    M(I, METHOD, NTSTATUS, get_result, (T *, kcom_result_))                               \
    M(I, METHOD, NTSTATUS, cancel, )                                                      \
    M(I, METHOD, NTSTATUS, set_completed, (callback_type *, kcom_callback_)(void *, kcom_context_))

#define IKcomAsyncOperation_METHODS(M, I) KCOM_ASYNC_OPERATION_METHODS_(M, I, void, kcom_async_completed_fn)

#ifndef __IKcomAsyncOperation_INTERFACE_DEFINED__
#define __IKcomAsyncOperation_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IKcomAsyncOperation, IUnknown,
    0x6c1a7f52, 0x3e0b, 0x4d8a, 0x9f, 0x21, 0x4b, 0x7c, 0x05, 0xe3, 0x9a, 0x18)
#endif

/* A typed operation interface I with result type T: the same vtable as IKcomAsyncOperation,
 * get_result(This, T *) and a callback taking I *. Also I##_from(IKcomAsyncOperation *) and
 * I##_generic(I *), conversions without a reference change (check the IID with QueryInterface
 * when the operation's type is not known); and, for a producer, I##_create(allocator, &operation)
 * (kcom_async_operation_create with I's IID and T's size and alignment) and
 * I##_complete(operation, const I##_result *) (kcom_async_operation_complete with a value of type
 * T; I##_result is T, so that T may be any type, a pointer written with '*' included), so that
 * the size the operation copies is T's by construction; each has the IRQL and statuses of the
 * function it calls. The result is copied as bytes: in C++, T must be trivially copyable (a
 * static assertion says so). */
#ifdef __cplusplus
#define KCOM_RT_ASYNC_RESULT_COPYABLE_(I, T)                                              \
    static_assert(__is_trivially_copyable(T), "KCOM_DECLARE_ASYNC_OPERATION(" #I ", " #T \
                  ", ...): the result type must be trivially copyable: kcom copies results as bytes");
#else
#define KCOM_RT_ASYNC_RESULT_COPYABLE_(I, T)
#endif
#undef KCOM_DECLARE_ASYNC_OPERATION /* kcom/interface.h's stand-in where KCOM_ENABLE_ASYNC is off */
#define KCOM_DECLARE_ASYNC_OPERATION(I, T, d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)      \
    KCOM_RT_ASYNC_RESULT_COPYABLE_(I, T)                                                   \
    typedef struct I I;                                                                    \
    typedef T I##_result; /* what async methods returning I * produce */                  \
    typedef void I##_completed_fn(I *kcom_operation_, kcom_async_status kcom_status_,      \
                                  void *kcom_context_);                                    \
    typedef struct I##Vtbl {                                                               \
        KCOM_ASYNC_OPERATION_METHODS_(KCOM_VTBL_SLOT_, I, T, I##_completed_fn)            \
    } I##Vtbl;                                                                             \
    struct I KCOM_RT_INTERFACE_FINAL_ {                                                    \
        const struct I##Vtbl *lpVtbl;                                                      \
    };                                                                                     \
    KCOM_STATIC_ASSERT(sizeof(I##Vtbl) == sizeof(IKcomAsyncOperationVtbl),                \
                       #I " must have the layout of IKcomAsyncOperation");                 \
    KCOM_DEFINE_IID(I, d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)                         \
    KCOM_DEFINE_INTERFACE_INFO(I, KCOM_INTERFACE_INFO(IKcomAsyncOperation))                \
    KCOM_ASYNC_OPERATION_METHODS_(KCOM_WRAPPER_, I, T, I##_completed_fn)                  \
    KCOM_UNUSED static KCOM_FORCEINLINE I *I##_from(IKcomAsyncOperation *kcom_operation_)  \
    {                                                                                      \
        return (I *)(void *)kcom_operation_;                                               \
    }                                                                                      \
    KCOM_UNUSED static KCOM_FORCEINLINE IKcomAsyncOperation *I##_generic(I *kcom_operation_) \
    {                                                                                      \
        return (IKcomAsyncOperation *)(void *)kcom_operation_;                             \
    }                                                                                      \
    KCOM_UNUSED static KCOM_FORCEINLINE NTSTATUS I##_create(const kcom_allocator *kcom_allocator_, \
                                                           IKcomAsyncOperation **kcom_operation_) \
    {                                                                                      \
        return kcom_async_operation_create(kcom_allocator_, &IID_##I, sizeof(T), KCOM_ALIGNOF(T), \
                                           kcom_operation_);                               \
    }                                                                                      \
    KCOM_UNUSED static KCOM_FORCEINLINE NTSTATUS I##_complete(IKcomAsyncOperation *kcom_operation_, \
                                                             const I##_result *kcom_value_) \
    {                                                                                      \
        return kcom_async_operation_complete(kcom_operation_, kcom_value_);               \
    }

/* Describes a task type: spawn functions take a pointer to a constant one, which every operation
 * spawned with it refers to until its final Release (kcom_async_spawn_begin). */
typedef struct kcom_async_task_desc {
    kcom_task_poll_fn *poll;
    void (*drop)(void *state); /* NULL: nothing to clean up */
    size_t state_size;         /* 0: no state */
    size_t state_alignment;
    size_t result_size; /* 0: no result value (get_result copies nothing) */
    size_t result_alignment;
    const IID *iid; /* the typed interface (static storage); NULL: IKcomAsyncOperation only */
    /* The operation block's layout, computed at compile time by KCOM_ASYNC_TASK_DESC (the
     * generated shims use it as it is). A descriptor written by hand leaves them 0 (block_size 0:
     * the library computes the layout). A spawn function refuses a layout that does not hold the
     * result and the state inside the block, in that order, after the operation, each at a
     * multiple of its alignment (a power of two, no greater than block_alignment) (a copy of a
     * KCOM_ASYNC_TASK_DESC descriptor edited afterwards: set these to 0 with the edit). */
    size_t result_offset; /* from the start of the block */
    size_t state_offset;
    size_t block_size; /* the operation, its result and its state */
    size_t block_alignment;
    /* KCOM_ASYNC_TASK's functions for this descriptor, built in its file over its constants as the
     * inline spawn functions build operations where the call site sees the descriptor: the
     * library's spawn and run functions call them for one it does not (a descriptor from another
     * file, or any with a compiler that cannot tell a constant, cl.exe). Given another descriptor
     * (a copy of this one) they leave the work to the library's general way. NULL in
     * KCOM_ASYNC_TASK_DESC's descriptors and in one written by hand (a descriptor filled in field
     * by field rather than initialized must set it NULL). kcom's. */
    const struct kcom_rt_async_task_fns *generated;
} kcom_async_task_desc;

/* A descriptor for poll over State, producing Result, exposed as typed interface I (declared with
 * KCOM_DECLARE_ASYNC_OPERATION; Result must have the size and alignment of its result type, or
 * the build stops: I's get_result copies the size the descriptor gives). */
#define KCOM_ASYNC_TASK_DESC(I, Result, State, poll, drop)                                  \
    {KCOM_RT_ASYNC_TASK_FIELDS_(I, Result, State, poll, drop), NULL}

/* KCOM_ASYNC_TASK(name, I, Result, State, poll, drop) - at file scope: defines name, a static
 * const descriptor as KCOM_ASYNC_TASK_DESC(I, Result, State, poll, drop) makes it, and the
 * functions the library's spawn and run functions call for it where the call site does not see
 * it: from another file (through a pointer the descriptor's file exports) each spawn function
 * then costs about what it costs in the descriptor's own file, and with cl.exe everywhere. The
 * build stops when State and Result do not fit a block (over 2 GB, or aligned above 4096).
 * No semicolon follows it. */
#define KCOM_ASYNC_TASK(name, I, Result, State, poll, drop)                                  \
    KCOM_STATIC_ASSERT(KCOM_RT_ASYNC_BLOCK_SIZE_(Result, State) <= 0x7FFFFFFF &&            \
                           KCOM_ALIGNOF(Result) <= 4096 && KCOM_ALIGNOF(State) <= 4096,     \
                       "KCOM_ASYNC_TASK(" #name ", ...): " #Result " and " #State           \
                       " must fit a block of at most 2 GB, each aligned to at most 4096"); \
    KCOM_RT_ASYNC_TASK_DEFINE_(name, KCOM_RT_ASYNC_TASK_FIELDS_(I, Result, State, poll, drop))

/* KCOM_ASYNC_TASK_DESC_NO_VALUE(State, poll, drop) and KCOM_ASYNC_TASK_NO_VALUE(name, State, poll,
 * drop) - the same for a task that ends with a status alone: no result (get_result copies
 * nothing), no typed interface (IKcomAsyncOperation only), its layout computed at compile time as
 * the others'. */
#define KCOM_ASYNC_TASK_DESC_NO_VALUE(State, poll, drop)                                    \
    {KCOM_RT_ASYNC_TASK_FIELDS_NO_VALUE_(State, poll, drop), NULL}
#define KCOM_ASYNC_TASK_NO_VALUE(name, State, poll, drop)                                   \
    KCOM_STATIC_ASSERT(KCOM_RT_ASYNC_BLOCK_AT_(0, 1, State) <= 0x7FFFFFFF && KCOM_ALIGNOF(State) <= 4096, \
                       "KCOM_ASYNC_TASK_NO_VALUE(" #name ", ...): " #State                  \
                       " must fit a block of at most 2 GB, aligned to at most 4096");      \
    KCOM_RT_ASYNC_TASK_DEFINE_(name, KCOM_RT_ASYNC_TASK_FIELDS_NO_VALUE_(State, poll, drop))

/* KCOM_ASYNC_TASK's and KCOM_ASYNC_TASK_NO_VALUE's descriptor name over the fields given (all but
 * the last), and the functions the library calls for it. */
#define KCOM_RT_ASYNC_TASK_DEFINE_(name, ...)                                                \
    KCOM_RT_ASYNC_TASK_FNS_DECL_(name)                                                      \
    static const kcom_async_task_desc name = {__VA_ARGS__, &name##_kcom_fns};               \
    KCOM_RT_ASYNC_TASK_FNS_(name)

/* The fields of a descriptor but the last, its layout computed. */
#define KCOM_RT_ASYNC_TASK_FIELDS_(I, Result, State, poll, drop)                            \
    (poll), (drop), sizeof(State), KCOM_ALIGNOF(State), KCOM_RT_ASYNC_RESULT_SIZE_(I, Result), \
        KCOM_ALIGNOF(Result), &IID_##I, KCOM_RT_ASYNC_RESULT_OFFSET_(Result),               \
        KCOM_RT_ASYNC_STATE_OFFSET_(Result, State), KCOM_RT_ASYNC_BLOCK_SIZE_(Result, State), \
        KCOM_RT_ASYNC_MAX_(KCOM_ALIGNOF(kcom_async_op), KCOM_RT_ASYNC_MAX_(KCOM_ALIGNOF(Result), KCOM_ALIGNOF(State)))

/* The same without a result: 0 bytes aligned to 1, at the end of the operation. */
#define KCOM_RT_ASYNC_TASK_FIELDS_NO_VALUE_(State, poll, drop)                              \
    (poll), (drop), sizeof(State), KCOM_ALIGNOF(State), 0, 1, NULL, KCOM_RT_ASYNC_RESULT_AT_(1), \
        KCOM_RT_ASYNC_STATE_AT_(0, 1, State), KCOM_RT_ASYNC_BLOCK_AT_(0, 1, State),         \
        KCOM_RT_ASYNC_MAX_(KCOM_ALIGNOF(kcom_async_op), KCOM_ALIGNOF(State))

/* sizeof(Result), once a static assertion has found it to be I's result type's size and
 * alignment: an expression (a lambda in C++, a structure's member in C) so that it fits in the
 * descriptor's initializer. cl.exe's C reports a type defined inside sizeof (C4116, level 1): there
 * an array of negative size stops the build instead (C2118 at the descriptor). */
#ifdef __cplusplus
#define KCOM_RT_ASYNC_RESULT_SIZE_(I, Result)                                               \
    ([]() constexpr -> size_t {                                                             \
        KCOM_RT_ASYNC_RESULT_CHECK_(I, Result);                                             \
        return sizeof(Result);                                                              \
    }())
#elif defined(_MSC_VER) && !defined(__clang__)
#define KCOM_RT_ASYNC_RESULT_SIZE_(I, Result)                                               \
    (sizeof(Result) + 0 * sizeof(char[KCOM_RT_ASYNC_RESULT_MATCHES_(I, Result) ? 1 : -1]))
#else
#define KCOM_RT_ASYNC_RESULT_SIZE_(I, Result)                                               \
    (sizeof(Result) + 0 * sizeof(struct {                                                   \
         KCOM_RT_ASYNC_RESULT_CHECK_(I, Result);                                            \
         char kcom_checked_;                                                                \
     }))
#endif
#define KCOM_RT_ASYNC_RESULT_MATCHES_(I, Result)                                            \
    (sizeof(Result) == sizeof(I##_result) && KCOM_ALIGNOF(Result) == KCOM_ALIGNOF(I##_result))
#define KCOM_RT_ASYNC_RESULT_CHECK_(I, Result)                                              \
    KCOM_STATIC_ASSERT(KCOM_RT_ASYNC_RESULT_MATCHES_(I, Result),                            \
                       "KCOM_ASYNC_TASK_DESC(" #I ", " #Result ", ...): the result type must have the size and " \
                       "alignment of " #I "_result, the result type of " #I)

/* Largest alignment of result and state in caller-provided storage. */
#define KCOM_ASYNC_STORAGE_MAX_ALIGNMENT 16
/* Upper bound of the operation's own bytes (checked by the library). */
#define KCOM_ASYNC_OPERATION_HEADER_SIZE 192
/* Bytes of caller storage enough for any operation with these sizes (alignments up to
 * KCOM_ASYNC_STORAGE_MAX_ALIGNMENT, storage at any address). */
#define KCOM_ASYNC_STORAGE_SIZE(result_size, state_size)                                   \
    (KCOM_ASYNC_OPERATION_HEADER_SIZE + (size_t)(result_size) + (size_t)(state_size) +     \
     3 * KCOM_ASYNC_STORAGE_MAX_ALIGNMENT)

/* One of the waiters of an operation: an awaiting task (kcom_async_await) or a blocked thread
 * (kcom_async_block_on). The node lives in the waiter's own storage (the task's state, the
 * blocked thread's frame): any number of them wait on one operation with no allocation, and a
 * waiter that stops waiting takes its node out in O(1). kcom's; not for direct use. */
typedef struct kcom_async_waiter {
    /* Called once, at DISPATCH_LEVEL, when the operation finishes, after its completion callback
     * has returned. It must do only what a spin lock holder may: mark the waiter woken (after
     * which the finisher never touches the node) and return a waker, which the finisher wakes
     * once it is back at its own IRQL. */
    kcom_waker (*fire)(struct kcom_async_waiter *self);
    struct kcom_async_waiter *next;
    struct kcom_async_waiter **pprev; /* NULL: not in an operation's slot or list */
    void *op;                         /* the operation a listed waiter waits on */
} kcom_async_waiter;

/* An awaitable on another operation (kcom_async_await_*); embed it in a task's state. */
typedef struct kcom_async_await {
    kcom_async_waiter waiter;        /* kcom's */
    IKcomAsyncOperation *operation;  /* the awaited operation (a reference) */
    kcom_waker waker;
    LONG registered;      /* touched by the awaiting task only */
    LONG volatile fired;  /* set by the finisher once it no longer reads this struct */
} kcom_async_await;

/* A producer's cancel routine (kcom_async_operation_set_cancel_routine). */
typedef void kcom_async_cancel_fn(IKcomAsyncOperation *operation, void *context);

KCOM_BEGIN_DECLS

/* ---- operations completed by their producer (a completion source) -------------------------------- */

/*
 * kcom_async_operation_create - a Started operation without a task, finished later by
 * kcom_async_operation_complete or kcom_async_operation_fail (from any thread or a callback), or
 * by a cancel. iid: the typed interface it answers (NULL: IKcomAsyncOperation only);
 * result_size 0: no value (result_alignment still a power of two, 1 will do). allocator NULL: the default. One
 * allocation.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL operation; a result alignment of 0, not
 * a power of two or above 4096; a result size that makes the operation 2 GB or more; an
 * allocator whose allocate or free is NULL); STATUS_INSUFFICIENT_RESOURCES. On failure *operation
 * is an error operation carrying that status (never NULL; the static error operation, which
 * carries STATUS_INSUFFICIENT_RESOURCES, when not even that can be allocated).
 * Inline: with the default allocator (NULL), a result size and alignment the compiler knows
 * (sizeof, KCOM_ALIGNOF) and a block in the operation cache's hot slot, the operation is built at
 * the call site; anything else calls the library. The outcome is the same either way.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_async_operation_create(_In_opt_ const kcom_allocator *allocator,
                                                             _In_opt_ const IID *iid, _In_ size_t result_size,
                                                             _In_ size_t result_alignment,
                                                             _Outptr_ IKcomAsyncOperation **operation);

/*
 * kcom_async_operation_complete - finishes a Started operation with a copy of result_size bytes
 * of *value. Runs the completion callback, then wakes every waiter. The caller must hold a
 * reference, which the callback may release: the call does not touch the operation after the
 * callback unless it holds a reference of its own. One producer per operation: two concurrent
 * completions of the same operation are a bug, not a race kcom resolves.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS (Completed); STATUS_CANCELLED (it was canceled, which finished it: the
 * value is dropped); STATUS_INVALID_DEVICE_STATE (already completed or failed; the static error
 * operation; an operation run by a task, which finishes itself; an operation implemented outside
 * kcom, which kcom cannot finish); STATUS_INVALID_PARAMETER (NULL operation, or NULL value with a
 * non-zero result size).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_operation_complete(_In_ IKcomAsyncOperation *operation, _In_opt_ const void *value);

/*
 * kcom_async_operation_fail - finishes a Started operation as Error with status (STATUS_CANCELLED:
 * as Canceled), or finishes a canceled one. The rules of _complete (the callback, then the
 * waiters; the callback may release the caller's reference; one producer). A failure is what
 * NT_SUCCESS calls one: warning codes (0x8...., STATUS_BUFFER_OVERFLOW) make an Error too.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS (Error, or Canceled for STATUS_CANCELLED); STATUS_CANCELLED (it was
 * canceled, which finished it); STATUS_INVALID_DEVICE_STATE (already completed or failed; the
 * static error operation; an operation run by a task or implemented outside kcom);
 * STATUS_INVALID_PARAMETER (a success status, checked first: nothing changes; NULL operation).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_operation_fail(_In_ IKcomAsyncOperation *operation, _In_ NTSTATUS status);

/*
 * kcom_async_operation_set_cancel_routine - tells the producer of operation (one from
 * kcom_async_operation_create) when a cancel wins: routine(operation, context) is called exactly
 * once, outside any lock, on the thread whose cancel finished the operation as Canceled, before
 * the completion callback and the waiters; or never, if kcom_async_operation_clear_cancel_routine
 * took it back first. IoSetCancelRoutine's contract: register once when the request is handed
 * to the hardware or queued, clear before completing it. The routine may call
 * kcom_async_operation_complete/_fail (they return STATUS_CANCELLED) and Release the producer's
 * reference; context must stay valid until the routine has returned or the clear succeeded. The
 * operation's waiters and callback wait for the routine, so it must not wait for its own
 * operation (kcom_async_block_on would wait for its own return).
 * IRQL: <= DISPATCH_LEVEL (the routine runs at the canceler's IRQL, <= DISPATCH_LEVEL).
 * Returns STATUS_SUCCESS (registered); STATUS_CANCELLED (the operation was canceled before the
 * registration took effect: the routine is not registered and is never called, abort now);
 * STATUS_ALREADY_REGISTERED (a routine was registered before, even if cleared since);
 * STATUS_INVALID_DEVICE_STATE (finished otherwise; an operation run by a task, which sees cancels
 * at its polls; the static error operation; an operation implemented outside kcom);
 * STATUS_INVALID_PARAMETER (NULL operation or routine). Where several apply, the first of
 * STATUS_INVALID_PARAMETER, STATUS_INVALID_DEVICE_STATE for an operation that is not a completion
 * source's, STATUS_ALREADY_REGISTERED, STATUS_CANCELLED, STATUS_INVALID_DEVICE_STATE.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_operation_set_cancel_routine(_In_ IKcomAsyncOperation *operation,
                                                 _In_ kcom_async_cancel_fn *routine, _In_opt_ void *context);

/*
 * kcom_async_operation_clear_cancel_routine - takes back the routine registered by
 * kcom_async_operation_set_cancel_routine. IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS (taken back: it is never called); STATUS_CANCELLED (a cancel won: the
 * routine has been called, or is being called on another thread: it owns the request now);
 * STATUS_NOT_FOUND (none registered, or taken back before); STATUS_INVALID_DEVICE_STATE (not a
 * producer's operation); STATUS_INVALID_PARAMETER (NULL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_operation_clear_cancel_routine(_In_ IKcomAsyncOperation *operation);

/* The largest result kcom_async_operation_relay copies, in bytes. */
#define KCOM_ASYNC_RELAY_MAX_RESULT 64

/*
 * kcom_async_operation_relay - an operation of this image's kcom that finishes as foreign does,
 * for foreign implemented outside it (another driver's or DLL's copy of kcom, or any other
 * implementation of IKcomAsyncOperation). An await of such an operation has no waiter list to
 * join and reads its status at every poll, keeping its task cycling through its executor; the relay
 * learns of foreign's finish from foreign's one completion callback instead, so tasks and
 * kcom_async_block_on wait for the relay asleep. The relay is a completion source: Completed with
 * a copy of foreign's result (result_size bytes, read with foreign's get_result), Error with the
 * failure foreign's get_result returns, Canceled when foreign was. A cancel of the relay calls
 * foreign's cancel() (the relay is Canceled at once, whatever foreign then does). The relay holds a
 * reference on foreign, and foreign its callback, this image's code, until foreign has called
 * back: an unload waits for that with kcom_async_relays_drain (below). The relay and a small
 * record for the callback come from the default allocator. iid, result_size and result_alignment
 * describe foreign's result type, as for kcom_async_operation_create. One of this image's own
 * operations needs no relay: *relay is foreign itself, with a reference of the caller's.
 * IRQL: <= DISPATCH_LEVEL (foreign's callback may run the relay's finish at its own IRQL, which
 * must be <= DISPATCH_LEVEL too).
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL foreign or relay; result_size above
 * KCOM_ASYNC_RELAY_MAX_RESULT, result_alignment 0, above 8 or not a power of two);
 * STATUS_ALREADY_REGISTERED, or whatever else foreign's set_completed returned (its completion
 * callback is taken: await foreign itself); STATUS_INSUFFICIENT_RESOURCES. On failure *relay is
 * an operation in Error with that status (never NULL), and foreign is as it was.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_operation_relay(_In_ IKcomAsyncOperation *foreign, _In_opt_ const IID *iid,
                                    _In_ size_t result_size, _In_ size_t result_alignment,
                                    _Outptr_ IKcomAsyncOperation **relay);

#define KCOM_ASYNC_RELAYS_INFINITE 0xFFFFFFFFUL

/*
 * kcom_async_relays_drain - waits until no relay's callback is registered in a foreign operation
 * any more: each foreign operation a relay was made for has called back (a relay that is finished,
 * Canceled by its own cancel among them, stays registered until then), so that no foreign
 * operation calls into this image's code through a relay any more (a cancel of a relay that
 * another thread is making meanwhile still runs the relay's cancel routine there: cancels of
 * relays end before the unload too). For the unload: cancel the relays, or the foreign work, first; the
 * foreign side decides when it calls back. kcom_uninitialize refuses while one is registered.
 * timeout_ms KCOM_ASYNC_RELAYS_INFINITE: no limit. IRQL: < DISPATCH_LEVEL (it sleeps).
 * Returns STATUS_SUCCESS; STATUS_TIMEOUT (relays still registered); STATUS_INVALID_DEVICE_STATE
 * (called at DISPATCH_LEVEL or above).
 */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS kcom_async_relays_drain(_In_ ULONG timeout_ms);

/*
 * kcom_async_operation_create_error - an operation already in Error with error (the typed iid as
 * above), STATUS_CANCELLED included: an operation is Canceled only by a cancel (or by
 * kcom_async_operation_fail with STATUS_CANCELLED). IRQL: <= DISPATCH_LEVEL.
 * The arguments are checked before anything is allocated, and an invalid one is what it returns,
 * whatever the allocator does.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL operation pointer (nothing is
 * allocated), for a success error (a success is not an error), or for an allocator whose allocate
 * or free is NULL (the default allocator serves instead): *operation then carries
 * STATUS_INVALID_PARAMETER, or is the static error operation if even that cannot be allocated;
 * STATUS_INSUFFICIENT_RESOURCES (a failure error that cannot be allocated: *operation is the
 * static error operation). Never leaves NULL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_operation_create_error(_In_opt_ const kcom_allocator *allocator, _In_opt_ const IID *iid,
                                           _In_ NTSTATUS error, _Outptr_ IKcomAsyncOperation **operation);

/* kcom_async_static_error_operation - the preallocated operation (Error,
 * STATUS_INSUFFICIENT_RESOURCES). IRQL: any. Never NULL. */
_IRQL_requires_max_(HIGH_LEVEL)
_Ret_notnull_ IKcomAsyncOperation *kcom_async_static_error_operation(void);

/* ---- operations run by a task ----------------------------------------------------------------------- */

/*
 * kcom_async_spawn_begin - creates an operation running a task of type desc on executor: one
 * allocation holding the operation, the zero-filled state and the result. The task is not
 * scheduled yet: initialize *state, then call kcom_async_spawn_commit. The operation refers to
 * desc and executor, not to copies: desc must stay valid until the operation's final Release
 * (static storage, as KCOM_ASYNC_TASK_DESC's descriptors usually are), executor until the task's
 * work has ended (kcom/executor.h). Every spawn function has these rules.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL desc, poll, executor, executor->schedule,
 * state or operation; a bad size or alignment, or a layout that does not hold the result and the
 * state inside the block; an allocator whose allocate or free is NULL);
 * STATUS_INSUFFICIENT_RESOURCES; STATUS_DELETE_PENDING (the executor's tracker is draining:
 * kcom/tracker.h). When several apply, the first in that order is returned: the arguments are
 * checked before the block is allocated, and the tracker counts the task once it has its block
 * (from there a drain waits for it; a cancel-all reaches it at its commit or run: kcom/tracker.h).
 * On failure *state is NULL and *operation is an error operation carrying the
 * status (never NULL; the static error operation, which carries STATUS_INSUFFICIENT_RESOURCES,
 * when not even that can be allocated).
 * Inline, as _begin_in and kcom_async_spawn are: over a descriptor whose layout the compiler sees
 * (a KCOM_ASYNC_TASK_DESC descriptor in static storage of the calling file), with a block at hand,
 * the operation is built at the call site with the layout's checks and fills decided at compile
 * time (an executor's tracker counts it out of line, without a lock); anything else calls the
 * library, which calls a KCOM_ASYNC_TASK descriptor's own functions (built the same way in the
 * descriptor's file) and checks any other descriptor at run time. The outcome is the same either
 * way.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_async_spawn_begin(_In_ const kcom_async_task_desc *desc,
                                                        _In_ const kcom_executor *executor,
                                                        _In_opt_ const kcom_allocator *allocator,
                                                        _Outptr_result_maybenull_ void **state,
                                                        _Outptr_ IKcomAsyncOperation **operation);

/*
 * kcom_async_spawn_begin_in - the same in caller-provided storage (no allocation): storage of
 * size bytes at any address, at least kcom_async_storage_size(desc) (KCOM_ASYNC_STORAGE_SIZE
 * gives a constant bound; either keeps room to start the operation at the storage's first
 * KCOM_ASYNC_STORAGE_MAX_ALIGNMENT boundary); state and result alignments at most
 * KCOM_ASYNC_STORAGE_MAX_ALIGNMENT.
 * The final Release frees nothing: the storage may be reused once kcom_async_storage_in_use
 * returns FALSE. IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (as above, or storage NULL, or an alignment
 * above KCOM_ASYNC_STORAGE_MAX_ALIGNMENT); STATUS_BUFFER_TOO_SMALL;
 * STATUS_DELETE_PENDING (the executor's tracker is draining). On failure *state is NULL and
 * *operation is an error operation from the default allocator (or the static one).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_async_spawn_begin_in(_In_ const kcom_async_task_desc *desc,
                                                           _In_ const kcom_executor *executor, _Inout_ void *storage,
                                                           _In_ size_t size, _Outptr_result_maybenull_ void **state,
                                                           _Outptr_ IKcomAsyncOperation **operation);

/* kcom_async_storage_size - bytes kcom_async_spawn_begin_in needs for desc (0 for a desc it
 * refuses: NULL, no poll function, a bad layout, an alignment above
 * KCOM_ASYNC_STORAGE_MAX_ALIGNMENT). IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
size_t kcom_async_storage_size(_In_opt_ const kcom_async_task_desc *desc);

/* kcom_async_storage_in_use - FALSE once the operation made in storage has been released for the
 * last time, and for NULL. The caller's Release is not always the last: an executor that ran the
 * work lets go of its reference a moment after the operation finished, also after
 * kcom_async_block_on returned. Storage that never held an operation must be zero-filled for the
 * answer to mean anything. IRQL: any. Never fails. */
_IRQL_requires_max_(HIGH_LEVEL)
BOOLEAN kcom_async_storage_in_use(_In_opt_ const void *storage);

/*
 * kcom_async_spawn_commit - schedules the first poll of an operation from kcom_async_spawn_begin*.
 * Call once. An error operation is accepted and left as it is, and so is any operation that runs
 * no task (its result is never read).
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; the error operation's status (an operation that runs no task and failed
 * or was canceled: its failure, STATUS_CANCELLED); the executor's failure (the operation is then
 * finished as Error with it, and the task's drop has run); STATUS_INVALID_PARAMETER (NULL);
 * STATUS_INVALID_DEVICE_STATE (committed or abandoned before, or an operation that runs no task
 * and has not failed).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_spawn_commit(_In_ IKcomAsyncOperation *operation);

/*
 * kcom_async_spawn_run - kcom_async_spawn_commit, except that the first poll runs here, on the
 * caller: work that is ready at once completes with no scheduling at all; work that yielded goes
 * to the executor; work that waits is woken later by whatever it waits on. What the async method
 * shims of kcom/implement.h do. IRQL: <= DISPATCH_LEVEL; the first poll runs at the caller's IRQL,
 * which the task's poll must allow.
 * Returns as kcom_async_spawn_commit, the executor's failure being its refusal of the task after
 * the first poll (a yield, or a wake during the poll: the operation is then finished as Error with
 * it, and the drop has run); the poll's own outcome is the operation's status, not this.
 * Inline, on any compiler: an operation begun for a task, not committed and with nothing
 * registered on it yet, is committed and polled here, and finished here when its work is ready
 * and nothing was registered meanwhile. Anything else calls the library, and so do a tracker's
 * steps for a task it counts (kcom/tracker.h). The outcome is the same either way.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_async_spawn_run(_In_ IKcomAsyncOperation *operation);

/*
 * kcom_async_spawn_abandon - finishes an operation from kcom_async_spawn_begin* that was never
 * committed, as failed with status (STATUS_CANCELLED: Canceled; anything else: Error), without a
 * poll: the task's drop runs, then the callback. For setup that fails after begin.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL, or a success status);
 * STATUS_INVALID_DEVICE_STATE (committed before, or not an operation run by a task).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_spawn_abandon(_In_ IKcomAsyncOperation *operation, _In_ NTSTATUS status);

/*
 * kcom_set_default_executor - the executor async methods schedule their work on (NULL: none, the
 * initial state; a task that then needs scheduling fails with STATUS_INVALID_DEVICE_STATE).
 * The executor (this struct, which pending work refers to) must stay valid until the work of
 * every task that took it has ended.
 * IRQL: PASSIVE_LEVEL, at driver initialization or unload.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for an executor without a schedule function.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS kcom_set_default_executor(_In_opt_ const kcom_executor *executor);

/* kcom_default_executor - the current default executor (never NULL: a refusing stand-in when
 * none is set). IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
static KCOM_FORCEINLINE const kcom_executor *kcom_default_executor(void);

/*
 * kcom_async_spawn - kcom_async_spawn_begin, a copy of desc->state_size bytes of *initial into the
 * state (NULL: left zero-filled; the copy's resume point must be 0), and kcom_async_spawn_commit,
 * in one call. Callable from a task's poll: the new task runs on executor independently.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS (scheduled); from kcom_async_spawn_begin, STATUS_INVALID_PARAMETER (NULL
 * desc, poll, executor, its schedule or operation; a bad size or alignment),
 * STATUS_INSUFFICIENT_RESOURCES or STATUS_DELETE_PENDING (the executor's tracker is draining);
 * from the commit, the executor's refusal of the task (kcom's executors: STATUS_INVALID_DEVICE_STATE
 * once shut down, and the stand-in of kcom_default_executor when none is set; an executor of the
 * caller's: whatever failure its schedule returns). *operation is never NULL (on failure an
 * operation in Error with that status). Whether the task's drop ran tells the two apart: when
 * kcom_async_spawn_begin fails, *initial was not copied and no drop runs, so what it owns is still
 * the caller's; when the commit fails (the executor refused the task), the state was copied and
 * the drop has run over it.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_async_spawn(_In_ const kcom_async_task_desc *desc,
                                                  _In_ const kcom_executor *executor,
                                                  _In_opt_ const kcom_allocator *allocator, _In_opt_ const void *initial,
                                                  _Outptr_ IKcomAsyncOperation **operation);

/*
 * kcom_async_run - kcom_async_spawn, except that the first poll runs here, on the caller, as
 * kcom_async_spawn_run runs it: work that is ready at once completes with no scheduling at all.
 * The way to start a task by hand at the cost of an async method: nobody but the caller can know
 * of the operation before its first poll, so, unlike kcom_async_spawn_begin + _run, it is set up
 * and, when ready, finished without an interlocked instruction. initial as kcom_async_spawn's
 * (desc->state_size bytes, the state's first contents, its resume point 0; NULL: zero-filled).
 * IRQL: <= DISPATCH_LEVEL; the first poll runs at the caller's IRQL, which the task's poll must
 * allow.
 * An executor's tracker (kcom/tracker.h) counts the task once its first poll leaves it pending,
 * as it counts an async method's call: work ready at its first poll is never counted, also while
 * the tracker drains, and a draining tracker refuses only work that would be left pending.
 * Returns STATUS_SUCCESS (the poll's own outcome is the operation's status, not this); from the
 * begin, before anything is copied, STATUS_INVALID_PARAMETER or STATUS_INSUFFICIENT_RESOURCES as
 * kcom_async_spawn_begin returns them (*initial not copied, no drop run: what it holds is still
 * the caller's); after the copy and the first poll, STATUS_DELETE_PENDING when that poll left the
 * work pending and the tracker is draining, or, when it yielded or was woken during the poll, the
 * executor's refusal of the task: the operation is then finished as Error with that status, and
 * the drop has run over the copied state (what *initial held is released). Unlike
 * kcom_async_spawn's, this STATUS_DELETE_PENDING comes after the copy (docs/async.md has the
 * table). *operation is never NULL (on failure an operation in Error with that status).
 * Inline: over a descriptor whose layout the compiler sees, with a block at hand in the operation
 * cache or allocator's hot slot, at the call site; anything else calls the library (which, given
 * a descriptor from another file, calls its functions if KCOM_ASYNC_TASK made it, else checks its
 * layout, or computes it for a descriptor written by hand, at run time, and takes a block from the
 * allocator when there is none at hand). The outcome is the same either way.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_async_run(_In_ const kcom_async_task_desc *desc,
                                                _In_ const kcom_executor *executor,
                                                _In_opt_ const kcom_allocator *allocator, _In_opt_ const void *initial,
                                                _Outptr_ IKcomAsyncOperation **operation);

/*
 * kcom_async_run_in - kcom_async_run in caller-provided storage, as kcom_async_spawn_begin_in
 * takes it (size bytes at any address, at least kcom_async_storage_size(desc); free again once
 * kcom_async_storage_in_use returns FALSE). The cost of an ASYNC_IN method's call.
 * IRQL: <= DISPATCH_LEVEL; the first poll runs at the caller's IRQL.
 * Returns as kcom_async_run, the begin's failures those of kcom_async_spawn_begin_in
 * (STATUS_BUFFER_TOO_SMALL among them). *operation is never NULL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE NTSTATUS kcom_async_run_in(_In_ const kcom_async_task_desc *desc,
                                                   _In_ const kcom_executor *executor, _Inout_ void *storage,
                                                   _In_ size_t size, _In_opt_ const void *initial,
                                                   _Outptr_ IKcomAsyncOperation **operation);

/*
 * kcom_async_block_on - waits until operation has finished (completed, failed, or canceled and
 * its work ended) or timeout_ms has passed (KCOM_ASYNC_INFINITE: no limit). Any number of threads
 * and tasks may wait on one kcom operation. Nothing is allocated: the waiter's node and its event
 * live in this call's frame, and a completion racing a timeout never touches them once the call
 * returns. A completion callback registered before the operation finished has returned by the
 * time this returns STATUS_SUCCESS, also when the wait began while it ran: so the callback itself
 * must not wait for its own operation (that wait would be for its own return: it never ends). An
 * operation implemented elsewhere is waited for by reading its status at growing intervals (1 to
 * 16 ms), registering nothing on it. With the debug watchdog on (kcom/debug.h), each watchdog
 * period without completion traces a suspected deadlock.
 * IRQL: PASSIVE_LEVEL or APC_LEVEL. At DISPATCH_LEVEL or above it cannot wait: it returns
 * STATUS_INVALID_DEVICE_STATE, or stops with kcom_fail_fast(KCOM_FAILFAST_IRQL) when the debug
 * option assert_irql is on (kcom_async_try_block_on never stops).
 * Returns STATUS_SUCCESS (finished: read it with get_status/get_result); STATUS_TIMEOUT;
 * STATUS_INVALID_PARAMETER (NULL); STATUS_INSUFFICIENT_RESOURCES (no event: Windows user mode's
 * event object, or a POSIX host's other than Linux); STATUS_INVALID_DEVICE_STATE (IRQL too
 * high); for an operation implemented elsewhere, the failure its get_status returned.
 */
#define KCOM_ASYNC_INFINITE 0xFFFFFFFFUL
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS kcom_async_block_on(_In_ IKcomAsyncOperation *operation, _In_ ULONG timeout_ms);

/* kcom_async_try_block_on - kcom_async_block_on for callers that may be at any IRQL: above
 * APC_LEVEL it returns STATUS_INVALID_DEVICE_STATE whatever the debug options say.
 * IRQL: any. Returns what kcom_async_block_on returns. */
_IRQL_requires_max_(HIGH_LEVEL)
NTSTATUS kcom_async_try_block_on(_In_ IKcomAsyncOperation *operation, _In_ ULONG timeout_ms);

/* ---- the operation cache --------------------------------------------------------------------------------
 * Operation blocks from the platform allocator (kcom_platform_allocator(), the default allocator
 * unless replaced) are kept for reuse when released, per size class of 64 bytes up to 1024 bytes,
 * so an async call that follows another of about the same size reuses a block instead of going
 * through the general allocator. Each processor has a slot of two blocks per class (16 slots,
 * which processors share by their number, within their group in the kernel, modulo 16; on the
 * Linux host each thread counts as a processor), in front of a cache of up to 16 blocks per class
 * that all share: a block goes back to the slot it was taken from, whichever processor releases
 * it, so calls made on several processors at once do not take turns on one cache line; a processor
 * whose slot is empty takes a block from the shared cache, else from another processor's slot,
 * before the platform allocates one. Blocks of any other allocator (a default replaced by
 * kcom_set_default_allocator, a class's own from KCOM_CLASS_EX) are never cached: such an
 * allocator sees exactly the allocations and frees the operations make. (A class whose allocator
 * is a kcom_caching_allocator, which keeps blocks of the class's own size, has its operations
 * allocated from the allocator behind that cache; a class can give its operations a caching
 * allocator of their own, KCOM_CLASS_SET_OPERATION_ALLOCATOR in kcom/implement.h.) The block
 * released last to a slot is reused first, inline in the async method shims. A block aligned above
 * 16 bytes (a result or state aligned further) or over 1024 bytes goes to the platform allocator
 * directly, and counts in none of the statistics below (whose bypassed is always 0). */

/*
 * kcom_async_operation_cache_drain - frees every cached operation block to the platform allocator.
 * The cache stays usable. Call it at unload, after the last operation is released (blocks freed
 * while it runs may stay cached). IRQL: PASSIVE_LEVEL. Never fails.
 */
_IRQL_requires_(PASSIVE_LEVEL)
void kcom_async_operation_cache_drain(void);

/*
 * kcom_async_operation_cache_query_stats - the cache's counters summed over its size classes and
 * slots (hits: blocks reused; misses: blocks allocated from the platform for the cache; overflows:
 * blocks freed to the platform because their class was full; cached: blocks held now; depth: 48,
 * the most a class holds: 16 shared and 2 in each of the 16 slots (on the Linux host, whose set of
 * thread number 0 holds nothing, a class holds 46 at most); 0 when the library was built without
 * the cache (KCOM_ASYNC_OPERATION_CACHE=0, and under AddressSanitizer); block_size and
 * block_alignment: 0, they differ per class). A hit or a miss is one operation block handed out.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a NULL stats.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_async_operation_cache_query_stats(_Out_ kcom_caching_allocator_stats *stats);

/* ---- awaiting another operation from a task --------------------------------------------------------- */

/*
 * kcom_async_await_init - prepares *aw to await operation, taking over the caller's reference to
 * it (released by kcom_async_await_clear); a NULL operation is ready at once. A NULL aw is
 * ignored: nothing is taken over, the reference stays the caller's. IRQL: any. Never fails.
 */
_IRQL_requires_max_(HIGH_LEVEL)
static KCOM_FORCEINLINE void kcom_async_await_init(_Out_opt_ kcom_async_await *aw,
                                                   _In_opt_ IKcomAsyncOperation *operation);

/*
 * kcom_async_await_poll - READY once the awaited operation has finished (read its status and
 * result through aw->operation), else PENDING with the task registered to be woken, exactly once,
 * when it finishes (any number of tasks may await one operation; nothing is allocated). An
 * operation implemented elsewhere is polled: the task is queued again at each poll until it has
 * finished, or until its get_status fails, which is READY too (the task then reads the failure
 * through get_status or get_result). A NULL operation is READY at once.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE kcom_poll_result kcom_async_await_poll(_Inout_ kcom_async_await *aw,
                                                               _In_ kcom_task_context *cx);

/* kcom_async_await_clear - takes the task's node out of the operation's waiters (O(1)) and
 * releases the awaited operation (call from the task before it returns, and from its drop);
 * afterwards *aw may be reused. If the awaited operation is finishing at that very moment, it
 * waits (spins) the few instructions until the finisher's fire, which runs at DISPATCH_LEVEL, is
 * done with *aw. Safe on a zero-filled await and to call twice; NULL is ignored.
 * IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
static KCOM_FORCEINLINE void kcom_async_await_clear(_Inout_opt_ kcom_async_await *aw);

KCOM_END_DECLS

/* The operation object and the inline runtime of the async method shims (not for direct use). */
#include <kcom/detail/async.h>

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_ASYNC_H */
