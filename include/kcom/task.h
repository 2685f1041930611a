/*
 * kcom/task.h - poll-based tasks (the C analogue of a future) and the macros that let a task be
 * written top to bottom.
 *
 * A task is a poll function over a state struct:
 *
 *     typedef struct {
 *         KCOM_TASK_RESUME_POINT;
 *         kcom_async_await other;
 *         BOOLEAN canceled;
 *         ULONG sum;
 *     } add_state;
 *
 *     static kcom_poll_result add_poll(void *p, kcom_task_context *cx)
 *     {
 *         add_state *s = p;
 *         KCOM_TASK_BEGIN(s);
 *         // suspends until ready, or until the task's operation is canceled
 *         KCOM_AWAIT_CANCELABLE(cx, s->canceled, kcom_async_await_poll(&s->other, cx));
 *         if (s->canceled)
 *             KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
 *         KCOM_YIELD(cx);                                        // lets other tasks run
 *         KCOM_TASK_RETURN_VALUE(cx, ULONG, s->sum + 1);
 *         KCOM_TASK_END(cx);
 *     }
 *
 * A plain KCOM_AWAIT does not end on a cancel: the cancel's wake polls the awaitable again, which
 * is still PENDING, so a task suspended in one keeps its operation Canceled but unfinished (and a
 * tracker's drain waiting) until what it awaits is ready. Use KCOM_AWAIT_CANCELABLE where a
 * cancel must end the wait (docs/async.md, "Cancellation").
 *
 * The macros are protothreads: the resume point is a number, one per suspension point, kept in
 * the state struct, and KCOM_TASK_BEGIN switches on it, so local variables do not survive a
 * suspension (keep what must survive in the state) and a task body cannot itself contain a switch
 * statement around a suspension point (the inner switch takes its case label: resumed there, the
 * task ends in Error, STATUS_INTERNAL_ERROR, see KCOM_TASK_END).
 *
 * Scheduling state of each task (one atomic word):
 *
 *     IDLE --wake--> SCHEDULED --executor runs it--> RUNNING --poll PENDING--> IDLE
 *                                                       |  \--wake--> NOTIFIED --poll PENDING--> SCHEDULED
 *                                                       \--poll READY--> DONE (wakes are ignored)
 *
 * Only the IDLE -> SCHEDULED transition hands the task to its executor, so a task is never queued
 * twice nor polled on two threads at once; a wake while RUNNING is recorded (NOTIFIED) and the task
 * is queued again after the poll, so it is never lost.
 */
#ifndef KCOM_TASK_H
#define KCOM_TASK_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/atomic.h>
#include <kcom/debug.h>
#include <kcom/executor.h>

typedef enum kcom_poll_result {
    KCOM_POLL_READY = 0,  /* finished: the task's status (and result) are set */
    KCOM_POLL_PENDING = 1 /* not finished: something holds a waker and will wake the task */
} kcom_poll_result;

/* Scheduling states (kcom_task.sched). */
#define KCOM_TASK_IDLE 0
#define KCOM_TASK_SCHEDULED 1
#define KCOM_TASK_RUNNING 2
#define KCOM_TASK_NOTIFIED 3 /* running, and woken during the poll */
#define KCOM_TASK_DONE 4

typedef struct kcom_task_context kcom_task_context;

/* Polls the task once; must not block. Returns READY (after setting the status through
 * KCOM_TASK_RETURN) or PENDING (after handing a waker to whatever will make progress possible). */
typedef kcom_poll_result kcom_task_poll_fn(void *state, kcom_task_context *cx);

struct kcom_async_task_desc;

/* A task. Lives inside its AsyncOperation (kcom/async.h), which owns it; its fields other than
 * link are kcom's. The task refers to its descriptor (poll function, cleanup, the layout of its
 * state and result) and to its executor; both must outlive it (kcom_async_spawn_begin). An
 * operation its producer completes has no task (desc NULL): the fields from link on exist only in
 * operations that run one, and the others keep fields of their own there. */
typedef struct kcom_task {
    LONG volatile sched;              /* KCOM_TASK_IDLE ... KCOM_TASK_DONE */
    NTSTATUS error;                   /* its operation's Error status (written before it is published) */
    const struct kcom_async_task_desc *desc; /* NULL: an operation without a task */
    /* a task's own, from here */
    kcom_task_link link;              /* the executor's (KCOM_TASK_FROM_LINK): kcom sets link.next to
                                       * NULL at spawn, and uses it again only for a task whose
                                       * schedule the executor refused */
    const struct kcom_executor *executor;
    kcom_task_link tracked;           /* in executor->tracker's list of live tasks, while it counts it */
} kcom_task;

/* What a poll sees. Built on the poller's stack for one poll; do not keep it. */
struct kcom_task_context {
    kcom_task *task;
    void *result;    /* the operation's result storage */
    NTSTATUS status; /* set by KCOM_TASK_RETURN */
};

/* A reference to a task that can wake it; holds a reference to the task's owner (its operation). */
typedef struct kcom_waker {
    kcom_task *task;
} kcom_waker;

KCOM_BEGIN_DECLS

/*
 * kcom_task_run - polls a task that its executor dequeued; for executors only, exactly once per
 * schedule call. Afterwards the task is IDLE, queued again (schedule called from here), or DONE
 * with its operation finished and its drop run. Consumes the reference the queue held. NULL is
 * ignored.
 * IRQL: <= DISPATCH_LEVEL: the executor's (a DPC executor's DISPATCH_LEVEL, a work item's or a
 * thread's PASSIVE_LEVEL), which the task's poll function must allow. Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_task_run(_Inout_opt_ kcom_task *task);

/*
 * kcom_task_drop_scheduled - for executors that give up a task they were handed (shutdown): the
 * task's operation finishes as failed with status (STATUS_CANCELLED: Canceled, another failure:
 * Error; a success status is no failure and is taken as STATUS_UNSUCCESSFUL, the operation ending
 * in Error with it; an operation already canceled stays canceled), its drop runs, the callback
 * fires, the queue's reference is released. A NULL task is ignored. IRQL: <= DISPATCH_LEVEL.
 * Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_task_drop_scheduled(_Inout_opt_ kcom_task *task, _In_ NTSTATUS status);

/*
 * kcom_task_waker - a new waker for the polled task (adds a reference to its operation).
 * IRQL: <= DISPATCH_LEVEL, at or below the executor's (from the task's poll, or from what it
 * calls). Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
kcom_waker kcom_task_waker(_In_ kcom_task_context *cx);

/*
 * kcom_waker_wake - schedules the task unless it is already scheduled, running (then it is polled
 * again afterwards) or done, and releases the waker (w->task becomes NULL). A NULL w is ignored,
 * and so is a waker whose task is NULL (empty, or woken or dropped before).
 * IRQL: <= DISPATCH_LEVEL (it may release the last reference). Never fails; if the executor
 * refuses the task, its operation finishes with the executor's status.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_waker_wake(_Inout_opt_ kcom_waker *w);

/* kcom_waker_drop - releases the waker without waking (w->task becomes NULL). A NULL w is ignored,
 * and so is a waker whose task is NULL. IRQL: <= DISPATCH_LEVEL. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_waker_drop(_Inout_opt_ kcom_waker *w);

/*
 * kcom_task_take_cancellation_request - TRUE exactly once after the task's operation was canceled
 * (the cancel wakes the task, so its next poll sees it); FALSE otherwise. The operation is already
 * Canceled: whatever the task returns afterwards is dropped.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN kcom_task_take_cancellation_request(_In_ kcom_task_context *cx);

/* KCOM_AWAIT_CANCELABLE's answer once the request is taken: READY, the flag set (in a function,
 * so that both sides of the macro's conditional have the enum's type). IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
static KCOM_FORCEINLINE kcom_poll_result kcom_rt_task_canceled(_Out_ BOOLEAN *canceled)
{
    *canceled = TRUE;
    return KCOM_POLL_READY;
}

/* kcom_task_wake_self - asks for another poll after this one (what KCOM_YIELD does).
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL). Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_task_wake_self(_In_ kcom_task_context *cx);

/* KCOM_TASK_RESULT's check in a KCOM_DEBUG file: cx->result, once the operation's result is found to
 * have size bytes (else kcom_fail_fast(KCOM_FAILFAST_RESULT_TYPE)). Not for direct use.
 * IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL). */
_IRQL_requires_max_(DISPATCH_LEVEL)
void *kcom_rt_task_result_checked(_In_ kcom_task_context *cx, _In_ size_t size);

/* KCOM_TASK_END's answer, in a KCOM_DEBUG file, to a resume point the body does not have: traces it
 * at ERROR level and returns STATUS_INTERNAL_ERROR, the status the task ends with (elsewhere the
 * status alone: a call there would cost every poll that inlines the body a frame). Not for direct
 * use. IRQL: <= DISPATCH_LEVEL (from the task's poll, at its executor's IRQL). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_rt_task_lost(_In_ const kcom_task_context *cx, _In_ int point);

KCOM_END_DECLS

/* ---- writing a task top to bottom ------------------------------------------------------------------ */

/* The member every task state struct declares: the resume point (0 before the first poll). */
#define KCOM_TASK_RESUME_POINT int kcom_resume_point

/* The task's result storage as an lvalue of type T (T must be the operation's result type). In a
 * file built with KCOM_DEBUG (kcom/debug.h) a T of another size than the operation's result fails
 * fast (KCOM_FAILFAST_RESULT_TYPE) instead of writing past it or leaving part of it unwritten. */
#if KCOM_DEBUG
#define KCOM_TASK_RESULT(cx, T) (*(T *)kcom_rt_task_result_checked((cx), sizeof(T)))
#else
#define KCOM_TASK_RESULT(cx, T) (*(T *)(cx)->result)
#endif

#define KCOM_TASK_BEGIN(s)                                                               \
    {                                                                                    \
        enum { kcom_resume_base_ = __COUNTER__ };                                        \
        int *kcom_resume_ = &(s)->kcom_resume_point;                                     \
        NTSTATUS kcom_end_ = STATUS_SUCCESS; /* KCOM_TASK_END's fall-off status */       \
        switch (*kcom_resume_) {                                                         \
        case 0:

/* Suspends until poll_expr (an awaitable's poll, re-evaluated at each resumption) is READY. The
 * case label sits in a dead block so that no statement falls through into it. poll_expr is a
 * kcom_poll_result: KCOM_POLL_READY is 0, so a truth value that is TRUE when ready would read as
 * PENDING, and the task would wait for a wake nothing sends. The build refuses one: in C++ anything
 * but a kcom_poll_result; in C, where the enumeration's constants are ints, a bool, a character
 * type (BOOLEAN, UCHAR), a short, a long (NTSTATUS and LONG in Windows builds, 32-bit ints on the
 * Linux host), a floating type or a pointer (an operation, where its await's poll was meant), but
 * not an int (a comparison, NT_SUCCESS). */
#define KCOM_AWAIT(poll_expr)                                                            \
    KCOM_RT_AWAIT_AT_(KCOM_RT_RESUME_POINT_, KCOM_RT_CHECK_POLL_("KCOM_AWAIT(" #poll_expr ")", poll_expr), \
                      KCOM_RT_AWAITED_(poll_expr))

/* The check of an awaited expression. C++: the expression passes through a function that takes a
 * kcom_poll_result and nothing else (the template's assertion stops anything else), evaluated
 * where it was (an unevaluated operand would refuse a lambda in it). C: a static assertion over
 * its type, which names the expression as written: not one of the narrow, wide or floating types,
 * and an int once promoted (`+ 0` leaves a pointer a pointer: an operation awaited as itself,
 * never READY once set, would leave the task asleep for good). */
#if defined(__cplusplus)
extern "C++" { /* also where a driver includes kcom inside extern "C" */
struct kcom_rt_poll_result_check_ {
    static KCOM_FORCEINLINE kcom_poll_result pass(kcom_poll_result result)
    {
        return result;
    }
    template <typename T>
    static kcom_poll_result pass(T)
    {
        static_assert(sizeof(T) == 0, "KCOM_AWAIT, KCOM_AWAIT_CANCELABLE: the expression must be a kcom_poll_result, "
                                      "such as the poll of an awaitable (KCOM_POLL_READY is 0: a truth value that "
                                      "is TRUE when ready would read as PENDING)");
        return KCOM_POLL_PENDING;
    }
};
/* KCOM_AWAIT_CANCELABLE's flag of another type than BOOLEAN: this overload, not a failed call. */
template <typename T>
static kcom_poll_result kcom_rt_task_canceled(T *)
{
    static_assert(sizeof(T) == 0, "KCOM_AWAIT_CANCELABLE: the flag must be a BOOLEAN lvalue (it is set through a "
                                  "BOOLEAN pointer)");
    return KCOM_POLL_READY;
}
}
#define KCOM_RT_AWAITED_(poll_expr) kcom_rt_poll_result_check_::pass(poll_expr)
#define KCOM_RT_CHECK_POLL_(text, poll_expr)
#define KCOM_RT_CHECK_FLAG_(text, canceled)
#define KCOM_RT_FLAG_(canceled) (&(canceled))
#else
#define KCOM_RT_AWAITED_(poll_expr) (poll_expr)
#define KCOM_RT_CHECK_POLL_(text, poll_expr)                                             \
    KCOM_STATIC_ASSERT(_Generic((poll_expr), _Bool: 0, char: 0, signed char: 0, unsigned char: 0, \
                                short: 0, unsigned short: 0, long: 0, unsigned long: 0,  \
                                long long: 0, unsigned long long: 0, float: 0, double: 0, \
                                long double: 0, default: 1) &&                           \
                           _Generic((poll_expr) + 0, int: 1, unsigned int: 1, default: 0), \
                       text ": the expression must be a kcom_poll_result, such as the poll of an " \
                       "awaitable (KCOM_POLL_READY is 0: a truth value that is TRUE when ready " \
                       "would read as PENDING)");
#define KCOM_RT_CHECK_FLAG_(text, canceled)                                              \
    KCOM_STATIC_ASSERT(_Generic(&(canceled), BOOLEAN *: 1, default: 0),                   \
                       text ": the flag must be a BOOLEAN lvalue (it is set through a BOOLEAN pointer)");
/* the check above stops any other type: the cast only keeps a second diagnostic off the line */
#define KCOM_RT_FLAG_(canceled) ((BOOLEAN *)&(canceled))
#endif

/* A suspension point's number: __COUNTER__ (every supported compiler has it) less its value at
 * KCOM_TASK_BEGIN, expanded once per point as the argument of the macro that uses it twice. So
 * it is unique in the body even for several points on one line (a macro's), never 0 (the first
 * poll) or -1 (finished), and the same in every translation unit that compiles the body (an
 * inline function's in a header). Not __LINE__, which several points on one line would share,
 * and which cl.exe's /ZI makes a non-constant. */
#define KCOM_RT_RESUME_POINT_ (__COUNTER__ - kcom_resume_base_)

#define KCOM_RT_AWAIT_AT_(point, check, poll_expr)                                       \
    do {                                                                                 \
        check *kcom_resume_ = (point);                                                   \
        if (0) {                                                                         \
        case (point):;                                                                   \
        }                                                                                \
        if ((poll_expr) == KCOM_POLL_PENDING)                                            \
            return KCOM_POLL_PENDING;                                                    \
    } while (0)

/* KCOM_AWAIT that also ends when the task's operation is canceled: the cancel's wake resumes the
 * task at this suspension point, where the request is taken (kcom_task_take_cancellation_request)
 * and canceled, a BOOLEAN lvalue, set TRUE; otherwise canceled is left as it is (a flag of another
 * type stops the build). poll_expr is not evaluated once the request is taken. */
#define KCOM_AWAIT_CANCELABLE(cx, canceled, poll_expr)                                    \
    KCOM_RT_AWAIT_AT_(KCOM_RT_RESUME_POINT_,                                              \
                      KCOM_RT_CHECK_POLL_("KCOM_AWAIT_CANCELABLE(" #poll_expr ")", poll_expr) \
                          KCOM_RT_CHECK_FLAG_("KCOM_AWAIT_CANCELABLE(" #canceled ")", canceled), \
                      kcom_task_take_cancellation_request(cx)                             \
                          ? kcom_rt_task_canceled(KCOM_RT_FLAG_(canceled))                      \
                          : KCOM_RT_AWAITED_(poll_expr))

/* Gives the executor a chance to run other tasks; the task is queued again at once. */
#define KCOM_YIELD(cx) KCOM_RT_YIELD_AT_(KCOM_RT_RESUME_POINT_, cx)

#define KCOM_RT_YIELD_AT_(point, cx)                                                     \
    do {                                                                                 \
        *kcom_resume_ = (point);                                                         \
        kcom_task_wake_self(cx);                                                         \
        return KCOM_POLL_PENDING;                                                        \
        case (point):;                                                                   \
    } while (0)

/* Finishes the task: a success status completes the operation with the result written so far; a
 * failure fails it (STATUS_CANCELLED: Canceled, anything else: Error). Success is NT_SUCCESS:
 * STATUS_TIMEOUT and STATUS_PENDING are success codes and complete it too; report a timeout with
 * a failure such as STATUS_IO_TIMEOUT. */
#define KCOM_TASK_RETURN(cx, status_)                                                    \
    do {                                                                                 \
        *kcom_resume_ = -1;                                                              \
        (cx)->status = (status_);                                                        \
        return KCOM_POLL_READY;                                                          \
    } while (0)

#define KCOM_TASK_RETURN_VALUE(cx, T, value_)                                            \
    do {                                                                                 \
        KCOM_TASK_RESULT(cx, T) = (value_);                                              \
        KCOM_TASK_RETURN(cx, STATUS_SUCCESS);                                            \
    } while (0)

/* Ends the body: falling off the end finishes with STATUS_SUCCESS; polling a finished task
 * (which kcom never does) reports STATUS_INVALID_DEVICE_STATE. A resume point the body does not
 * have (a suspension point inside a switch statement of the body, whose case label the inner
 * switch took; a state whose resume point was not 0 at its first poll) finishes it with
 * STATUS_INTERNAL_ERROR, the body not run (traced in a KCOM_DEBUG file). The fall-off return is a
 * jump target (from the switch's default, for a resume point the body does not have), so that
 * after a body that ends in KCOM_TASK_RETURN_VALUE it is not code after a return, which cl.exe
 * reports as unreachable at /W4 (C4702, an error under /WX); its label is not a case label, so
 * that a body falling into it is not a switch's fallthrough either (gcc's -Wextra). The macro ends
 * in the default's return, which the caller's semicolon completes: no empty statement follows it
 * (clang's -Wextra-semi-stmt). */
#if KCOM_DEBUG
#define KCOM_RT_TASK_LOST_(cx, point) kcom_rt_task_lost((cx), (point))
#else
#define KCOM_RT_TASK_LOST_(cx, point) STATUS_INTERNAL_ERROR
#endif
#define KCOM_TASK_END(cx)                                                                \
        kcom_task_fell_off_:                                                             \
            KCOM_TASK_RETURN(cx, kcom_end_);                                             \
        default:                                                                         \
            if (*kcom_resume_ != -1) {                                                   \
                kcom_end_ = KCOM_RT_TASK_LOST_(cx, *kcom_resume_);                       \
                goto kcom_task_fell_off_;                                                \
            }                                                                            \
            (cx)->status = STATUS_INVALID_DEVICE_STATE;                                  \
            break;                                                                       \
        }                                                                                \
    }                                                                                    \
    return KCOM_POLL_READY

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_TASK_H */
