/*
 * test_tracker_windows.c - a tracker's races held open. This file compiles src/sched/tracker.c
 * itself, with KCOM_TRACKER_WINDOW_ defined to hold a thread at one of the points where another
 * thread's step may fall, so that each interleaving below runs every time, not once in thousands
 * of rounds (the program's copy of the tracker's functions is the one the library's calls reach).
 */
#include "executor_test_common.h"

#include <kcom/tracker.h>

#include <string.h>

static void wait_for(LONG volatile *flag, LONG value)
{
    while (kcom_atomic_load(flag) != value)
        test_yield();
}

/* Window 2, in a cancel-all after its last walk of the list (which found it empty), before it
 * advances the generation again and stops counting itself as under way: armed, the cancel-all
 * stops there until go. Window 1, in a listing between its two reads (is a cancel-all under way,
 * has the generation moved): armed, the listing lets the held cancel-all go and waits for its
 * end there. */
static LONG volatile armed1, armed2, held2, go2, cancel_done;

static void tracker_window(int where)
{
    if (where == 2 && kcom_atomic_compare_exchange(&armed2, 1, 0) == 1) {
        kcom_atomic_store(&held2, 1);
        wait_for(&go2, 1);
    } else if (where == 1 && kcom_atomic_compare_exchange(&armed1, 1, 0) == 1) {
        kcom_atomic_store(&go2, 1);
        wait_for(&cancel_done, 1);
    }
}

#define KCOM_TRACKER_WINDOW_(tracker, where) tracker_window(where)
#include "sched/tracker.c"

/* Ready at its first poll unless told to wait (a waker left in *waker). */
typedef struct window_task {
    KCOM_TASK_RESUME_POINT;
    kcom_waker *waker;
} window_task;

static kcom_poll_result window_poll(void *p, kcom_task_context *cx)
{
    window_task *s = (window_task *)p;
    KCOM_TASK_BEGIN(s);
    if (s->waker != NULL) {
        *s->waker = kcom_task_waker(cx);
        KCOM_AWAIT(kcom_task_take_cancellation_request(cx) ? KCOM_POLL_READY : KCOM_POLL_PENDING);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, 1);
    KCOM_TASK_END(cx);
}

static void window_drop(void *p)
{
    window_task *s = (window_task *)p;
    if (s->waker != NULL)
        kcom_waker_drop(s->waker);
}

static const kcom_async_task_desc window_desc =
    KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, window_task, window_poll, window_drop);

/* An executor whose queue this thread runs (queued: a stack, enough for one task at a time). */
static kcom_task_link *queued;

static NTSTATUS queue_schedule(void *context, kcom_task *task)
{
    (void)context;
    task->link.next = queued;
    queued = &task->link;
    return STATUS_SUCCESS;
}

static void queue_run(void)
{
    while (queued != NULL) {
        kcom_task_link *link = queued;
        queued = link->next;
        kcom_task_run(KCOM_TASK_FROM_LINK(link));
    }
}

static kcom_executor tracked;

/* A cancel-all held at window 2 until go2. */
static void *cancel_all_held(void *arg)
{
    (void)arg;
    ok(kcom_tracker_cancel_all(tracked.tracker) == STATUS_SUCCESS, "cancel all\n");
    kcom_atomic_store(&cancel_done, 1);
    return NULL;
}

/* A tracker on that executor, and a cancel-all on another thread held at window 2. */
static kcom_tracker *start(test_thread *thread)
{
    kcom_tracker *tracker = NULL;
    begin();
    ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "tracker\n");
    tracked.schedule = queue_schedule;
    tracked.context = NULL;
    tracked.tracker = tracker;
    kcom_atomic_store(&held2, 0);
    kcom_atomic_store(&go2, 0);
    kcom_atomic_store(&cancel_done, 0);
    kcom_atomic_store(&armed2, 1);
    test_thread_start(thread, cancel_all_held, NULL);
    wait_for(&held2, 1);
    return tracker;
}

/* The task's end (the cancel's wake polls it again), the drain. */
static void stop(test_thread *thread, kcom_tracker *tracker, IKcomAsyncOperation *op)
{
    kcom_atomic_store(&go2, 1);
    test_thread_join(thread);
    queue_run();
    ok(op->lpVtbl->Release(op) == 0 && kcom_tracker_outstanding(tracker) == 0, "ended, no longer counted\n");
    ok(kcom_tracker_drain(tracker, 1000) == STATUS_SUCCESS, "drained\n");
    kcom_tracker_destroy(tracker);
    end();
}

static kcom_async_status status_of(IKcomAsyncOperation *op)
{
    kcom_async_status status = KCOM_ASYNC_ERROR;
    (void)op->lpVtbl->get_status(op, &status);
    return status;
}

/* A task counted (begun) while a cancel-all is under way, and listed (committed) after that
 * cancel-all's last walk: held between its two reads while the cancel-all ends, the listing must
 * see the one or the other (reading the generation first, it found it unmoved, then no cancel-all
 * under way, and left the task uncanceled). */
static void listed_after_the_walk(void)
{
    test_thread thread;
    kcom_waker waker = {NULL};
    IKcomAsyncOperation *op = NULL;
    window_task *state = NULL;
    kcom_tracker *tracker = start(&thread);
    ok(kcom_async_spawn_begin(&window_desc, &tracked, &counter.allocator, (void **)&state, &op) == STATUS_SUCCESS &&
           state != NULL,
       "begun while the cancel-all is under way\n");
    if (state != NULL)
        state->waker = &waker;
    kcom_atomic_store(&armed1, 1);
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS, "committed\n");
    ok(kcom_atomic_load(&cancel_done) == 1 && status_of(op) == KCOM_ASYNC_CANCELED,
       "canceled as it was listed: status %d\n", (int)status_of(op));
    stop(&thread, tracker, op);
}

/* A one-call run (kcom_async_run) whose first poll leaves it pending, counted and listed in one
 * step while a cancel-all is under way but past its last walk: canceled there. */
static void entered_after_the_walk(void)
{
    test_thread thread;
    kcom_waker waker = {NULL};
    IKcomAsyncOperation *op = NULL;
    window_task initial;
    kcom_tracker *tracker = start(&thread);
    memset(&initial, 0, sizeof(initial));
    initial.waker = &waker;
    ok(kcom_async_run(&window_desc, &tracked, &counter.allocator, &initial, &op) == STATUS_SUCCESS,
       "run while the cancel-all is under way\n");
    ok(status_of(op) == KCOM_ASYNC_CANCELED, "canceled as it was listed: status %d\n", (int)status_of(op));
    stop(&thread, tracker, op);
}

int main(void)
{
    static const char *const names[] = {"tracker_window_listed_after_the_walk", "tracker_window_entered_after_the_walk"};
    static void (*const tests[])(void) = {listed_after_the_walk, entered_after_the_walk};
    return async_test_main(names, tests, 2);
}
