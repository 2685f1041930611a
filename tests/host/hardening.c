/*
 * Reference count hardening, host only: this file is compiled three times, with
 * KCOM_TEST_REFCOUNT_MODE 0 (OFF), 1 (FAILFAST) and 2 (LEAKY), into three executables.
 *
 * It runs the portable reference count laws (suites/test_refcount_body.h) in its mode, then each
 * misuse scenario in a forked child process:
 *   - AddRef and QueryInterface at INT32_MAX, Release at 0, a reference escaping the destroy callback (resurrection),
 *     AddRef on an object with no references, one Release too many inside the destroy callback:
 *     FAILFAST: the child must die of SIGABRT after tracing the right fail-fast reason;
 *     OFF and LEAKY: the child checks the documented behaviour (plain, saturated, traced and leaked)
 *     and exits normally;
 *   - freeing a counting-allocator block with the wrong size, or twice: SIGABRT in every mode;
 *   - a task writing its result as a type of another size (KCOM_TASK_RESULT, checked in this
 *     file, which is built with KCOM_DEBUG): SIGABRT in every mode.
 * Children leave with _exit (no atexit handlers, no leak checks of a half-torn process); what they
 * trace comes back to the parent through a pipe. The parent itself stays clean under valgrind, ASan
 * and TSan.
 */
#define _POSIX_C_SOURCE 200809L

#ifndef KCOM_TEST_REFCOUNT_MODE
#error "compile with -DKCOM_TEST_REFCOUNT_MODE=0, 1 or 2"
#endif
#undef KCOM_REFCOUNT_HARDENING
#define KCOM_REFCOUNT_HARDENING KCOM_TEST_REFCOUNT_MODE
#undef KCOM_DEBUG
#define KCOM_DEBUG 1 /* KCOM_TASK_RESULT's check, in Release builds too */

#define REFCOUNT_TEST_NAME refcount_laws
#include "../suites/test_refcount_body.h"

#include "child_process.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_OFF
#define MODE_NAME "OFF"
#elif KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_FAILFAST
#define MODE_NAME "FAILFAST"
#else
#define MODE_NAME "LEAKY"
#endif

void kcom_test_vprint(const char *format, va_list args)
{
    vprintf(format, args);
    fflush(stdout);
}

/* ---- in the child ------------------------------------------------------------------------------- */

static LONG child_errors; /* ERROR-level messages the child traced */

/* The child's trace hook: counts errors, writes every message to stderr (the parent's pipe). */
static void counting_hook(void *context, kcom_trace_level level, const char *file, int line, const char *format,
                          va_list args)
{
    if (level == KCOM_TRACE_LEVEL_ERROR)
        child_errors++;
    kcom_test_child_trace_hook(context, level, file, line, format, args);
}

/* Child exit codes: 0 all expectations held; 10 + n expectation n failed; 99 the scenario returned
 * where it should have stopped. */
#define CHILD_EXPECT(n, condition)                                                        \
    do {                                                                                  \
        if (!(condition))                                                                 \
            _exit(10 + (n));                                                              \
    } while (0)

static void scenario_addref_overflow(void)
{
    Counted *counted;
    ULONG result;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    CHILD_EXPECT(0, counted != NULL);
    kcom_rt_header(counted)->refs = 0x7FFFFFFF;
    result = IOther1_AddRef(&counted->IOther1_iface);
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_LEAKY
    CHILD_EXPECT(1, result == 0x7FFFFFFFu && kcom_object_refcount(counted) == 0x7FFFFFFF);
#else
    CHILD_EXPECT(1, result == 0x80000000u); /* OFF: plain arithmetic */
#endif
    CHILD_EXPECT(2, rc_destroyed == 0);
}

/* QueryInterface's reference at INT32_MAX, through the interface whose shim holds the class's
 * lookup inline (the first member) or through one that reaches the shared one: the result and
 * the count as AddRef's. */
static void query_at_max(BOOLEAN through_second)
{
    Counted *counted;
    IUnknown *through;
    void *found = NULL;
    NTSTATUS status;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    CHILD_EXPECT(0, counted != NULL);
    through = through_second ? (IUnknown *)&counted->IOther2_iface : (IUnknown *)&counted->IOther1_iface;
    kcom_rt_header(counted)->refs = 0x7FFFFFFF;
    status = through->lpVtbl->QueryInterface(through, through_second ? &IID_IUnknown : &IID_IOther2, &found);
    CHILD_EXPECT(1, status == STATUS_SUCCESS &&
                        found == (through_second ? (void *)&counted->IOther1_iface : (void *)&counted->IOther2_iface));
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_LEAKY
    CHILD_EXPECT(2, kcom_object_refcount(counted) == 0x7FFFFFFF);
#else
    CHILD_EXPECT(2, kcom_object_refcount(counted) == (LONG)0x80000000u); /* OFF: plain arithmetic */
#endif
    CHILD_EXPECT(3, rc_destroyed == 0);
}

static void scenario_query_overflow_first(void)
{
    query_at_max(FALSE);
}

static void scenario_query_overflow_second(void)
{
    query_at_max(TRUE);
}

static void scenario_release_underflow(void)
{
    Counted *counted;
    ULONG result;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    CHILD_EXPECT(0, counted != NULL);
    kcom_rt_header(counted)->refs = 0;
    result = IOther2_Release(&counted->IOther2_iface);
    CHILD_EXPECT(1, result == 0);
    CHILD_EXPECT(2, rc_destroyed == 0 && kcom_counting_allocator_live(&rc_counter) == 1);
    CHILD_EXPECT(3, child_errors >= 1);
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_LEAKY
    CHILD_EXPECT(4, kcom_object_refcount(counted) == 0); /* does not go negative */
#endif
}

static void scenario_resurrection(void)
{
    Counted *counted;
    rc_reset(PLAY_RESURRECT);
    counted = rc_new();
    CHILD_EXPECT(0, counted != NULL);
    CHILD_EXPECT(1, kcom_object_release(counted) == 0);
    CHILD_EXPECT(2, rc_destroyed == 1 && rc_escaped == counted);
    CHILD_EXPECT(3, child_errors >= 1);
    CHILD_EXPECT(4, kcom_counting_allocator_live(&rc_counter) == 1 && rc_arena.frees == 0); /* leaked, not freed */
}

static void scenario_addref_on_dead(void)
{
    Counted *counted;
    ULONG result;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    CHILD_EXPECT(0, counted != NULL);
    kcom_rt_header(counted)->refs = 0;
    result = IOther1_AddRef(&counted->IOther1_iface);
    CHILD_EXPECT(1, result == 1);
    CHILD_EXPECT(2, child_errors >= 1);
}

/* One Release too many inside the destroy callback. */
static LONG over_release_destroyed;
typedef struct OverReleased {
    IOther3 IOther3_iface;
    ULONG value;
} OverReleased;
static ULONG OverReleased_Tag(OverReleased *self)
{
    return self->value;
}
static NTSTATUS OverReleased_Store(OverReleased *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS OverReleased_Load(OverReleased *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static void OverReleased_destroy(OverReleased *self)
{
    over_release_destroyed++;
    IOther3_Release(&self->IOther3_iface);
}
KCOM_IMPLEMENT(OverReleased, IOther3, IOther3_iface)
KCOM_CLASS_EX(OverReleased, &rc_counter.allocator, OverReleased_destroy, NULL, (IOther3, IOther3_iface))

static void scenario_release_in_destroy(void)
{
    OverReleased *object = NULL;
    rc_reset(PLAY_NOTHING);
    CHILD_EXPECT(0, KCOM_NEW(OverReleased, NULL, &object) == STATUS_SUCCESS);
    CHILD_EXPECT(1, kcom_object_release(object) == 0);
    CHILD_EXPECT(2, over_release_destroyed == 1);
    CHILD_EXPECT(3, child_errors >= 1);
    CHILD_EXPECT(4, kcom_counting_allocator_live(&rc_counter) == 1); /* leaked rather than freed */
}

static void scenario_free_wrong_size(void)
{
    kcom_counting_allocator counter;
    void *block;
    kcom_counting_allocator_init(&counter, NULL);
    block = kcom_allocate(&counter.allocator, 32, 8);
    CHILD_EXPECT(0, block != NULL);
    kcom_free(&counter.allocator, block, 16, 8);
}

/* The misuse's line comes whatever the level filter says, as the fail-fast's own report does. */
static void scenario_free_wrong_size_quiet(void)
{
    (void)kcom_set_trace_level(KCOM_TRACE_LEVEL_NONE);
    scenario_free_wrong_size();
}

static void scenario_free_other_counter(void)
{
    kcom_counting_allocator mine, other;
    void *block;
    kcom_counting_allocator_init(&mine, NULL);
    kcom_counting_allocator_init(&other, NULL);
    block = kcom_allocate(&other.allocator, 32, 8);
    CHILD_EXPECT(0, block != NULL);
    kcom_free(&mine.allocator, block, 32, 8);
}

static void scenario_free_wrong_alignment(void)
{
    kcom_counting_allocator counter;
    void *block;
    kcom_counting_allocator_init(&counter, NULL);
    block = kcom_allocate(&counter.allocator, 32, 16);
    CHILD_EXPECT(0, block != NULL);
    kcom_free(&counter.allocator, block, 32, 8);
}

static void scenario_double_free(void)
{
    /* the backing is the static arena, so the second free reads memory that is still there */
    kcom_counting_allocator counter;
    void *block;
    test_arena_init(&rc_arena, rc_arena_buffer, sizeof(rc_arena_buffer));
    kcom_counting_allocator_init(&counter, &rc_arena.allocator);
    block = kcom_allocate(&counter.allocator, 32, 8);
    CHILD_EXPECT(0, block != NULL);
    kcom_free(&counter.allocator, block, 32, 8);
    CHILD_EXPECT(1, counter.live == 0);
    kcom_free(&counter.allocator, block, 32, 8);
}

#if KCOM_ENABLE_ASYNC
KCOM_DECLARE_ASYNC_OPERATION(IHardenedULONG, ULONG,
    0x41a7c2e9, 0x5d03, 0x4b8e, 0x9a, 0x6f, 0x12, 0x3c, 0x4d, 0x5e, 0x6f, 0x70)

typedef struct narrow_task {
    KCOM_TASK_RESUME_POINT;
} narrow_task;

/* Writes a USHORT where the operation holds a ULONG (smaller, so nothing is overrun if the check
 * did not fire: the child would then exit, and fail the scenario). */
static kcom_poll_result narrow_poll(void *state, kcom_task_context *cx)
{
    narrow_task *s = (narrow_task *)state;
    KCOM_TASK_BEGIN(s);
    KCOM_TASK_RETURN_VALUE(cx, USHORT, 7);
    KCOM_TASK_END(cx);
}

static const kcom_async_task_desc narrow_desc =
    KCOM_ASYNC_TASK_DESC(IHardenedULONG, ULONG, narrow_task, narrow_poll, NULL);

static void scenario_result_type(void)
{
    IKcomAsyncOperation *op = NULL;
    void *state = NULL;
    CHILD_EXPECT(0, kcom_async_spawn_begin(&narrow_desc, kcom_default_executor(), NULL, &state, &op) == STATUS_SUCCESS);
    (void)kcom_async_spawn_run(op); /* the first poll writes the result */
}

/* An operation's count at INT32_MAX (kcom's own field, set as a caller 2^31 AddRefs on would):
 * one more reference, by AddRef or by QueryInterface, fails fast as an overflow in every mode;
 * wrapped to INT32_MIN, the next rightful Release would fail fast as an underflow instead. */
static IKcomAsyncOperation *operation_at_max(void)
{
    IKcomAsyncOperation *op = NULL;
    CHILD_EXPECT(0, IHardenedULONG_create(NULL, &op) == STATUS_SUCCESS);
    ((kcom_async_op *)(void *)op)->refs = 0x7FFFFFFF;
    return op;
}

static void scenario_operation_addref_overflow(void)
{
    IKcomAsyncOperation *op = operation_at_max();
    (void)IKcomAsyncOperation_AddRef(op);
    (void)IKcomAsyncOperation_Release(op);
}

static void scenario_operation_query_overflow(void)
{
    IKcomAsyncOperation *op = operation_at_max();
    void *found = NULL;
    (void)IKcomAsyncOperation_QueryInterface(op, &IID_IUnknown, &found);
    (void)IKcomAsyncOperation_Release(op);
}
#endif

/* ---- in the parent ------------------------------------------------------------------------------- */

typedef struct scenario {
    const char *name;
    void (*run)(void);
    int aborts;              /* the child must die of SIGABRT */
    const char *reason_text; /* ... having traced this (a reason name, or the line before the fail-fast) */
    const char *cause_text;  /* ... and this, from the line before the fail-fast that names the class, or NULL */
} scenario;

#define FAILFAST_ONLY (KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_FAILFAST)

static const scenario scenarios[] = {
    /* in FAILFAST mode a line before the fail-fast names the class, as OFF's and LEAKY's traces do */
    {"AddRef at INT32_MAX", scenario_addref_overflow, FAILFAST_ONLY, "reference count overflow",
     "reference count of Counted object"},
    {"QueryInterface at INT32_MAX, first interface", scenario_query_overflow_first, FAILFAST_ONLY,
     "reference count overflow", "reference count of Counted object"},
    {"QueryInterface at INT32_MAX, second interface", scenario_query_overflow_second, FAILFAST_ONLY,
     "reference count overflow", "reference count of Counted object"},
    {"Release at 0", scenario_release_underflow, FAILFAST_ONLY, "reference count underflow",
     "Release on Counted object"},
    {"resurrection", scenario_resurrection, FAILFAST_ONLY, "object resurrected by its destroy callback",
     "destroy callback of Counted object"},
    {"AddRef on a dead object", scenario_addref_on_dead, FAILFAST_ONLY, "AddRef on an object with no references",
     "AddRef on Counted object"},
    {"Release too many in destroy", scenario_release_in_destroy, FAILFAST_ONLY, "reference count underflow",
     "destroy callback of OverReleased object"},
    /* the allocator's own line says which misuse it was, with the figures that differ */
    {"counting allocator: free with the wrong size", scenario_free_wrong_size, 1,
     "freed as 16 bytes aligned to 8, allocated as 32 bytes aligned to 8", NULL},
    {"counting allocator: free with the wrong size, trace level NONE", scenario_free_wrong_size_quiet, 1,
     "freed as 16 bytes aligned to 8, allocated as 32 bytes aligned to 8", NULL},
    {"counting allocator: free with the wrong alignment", scenario_free_wrong_alignment, 1,
     "freed as 32 bytes aligned to 8, allocated as 32 bytes aligned to 16", NULL},
    {"counting allocator: double free", scenario_double_free, 1, "freed twice, or not allocated by a counting allocator",
     NULL},
    {"counting allocator: a block of another counter freed", scenario_free_other_counter, 1,
     "freed through another counting allocator", NULL},
#if KCOM_ENABLE_ASYNC
    {"a task's result of the wrong size", scenario_result_type, 1, "task result of the wrong size",
     "a task's result written as a 2-byte type; its operation's result has 4 bytes"},
    /* an operation's count has no hardening mode: both of its misuses fail fast */
    {"an operation's AddRef at INT32_MAX", scenario_operation_addref_overflow, 1, "reference count overflow",
     NULL},
    {"an operation's QueryInterface at INT32_MAX", scenario_operation_query_overflow, 1, "reference count overflow",
     NULL},
#endif
};

static void run_in_child(const void *context)
{
    const scenario *s = (const scenario *)context;
    child_errors = 0;
    kcom_set_trace_hook(counting_hook, NULL);
    s->run();
    _exit(s->aborts ? 99 : 0);
}

static void run_scenario(const scenario *s)
{
    char output[4096];
    int status;

    if (!kcom_test_run_child(s->name, run_in_child, s, output, sizeof(output), &status))
        return;
    if (s->aborts) {
        ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
           "%s (" MODE_NAME "): the child %s %d, expected to die of SIGABRT\nits trace: %s\n", s->name,
           kcom_test_child_end(status), kcom_test_child_code(status), output);
        ok(strstr(output, "fail-fast") != NULL && strstr(output, s->reason_text) != NULL,
           "%s (" MODE_NAME "): the child did not trace \"%s\"; it traced: %s\n", s->name, s->reason_text, output);
        ok(s->cause_text == NULL || strstr(output, s->cause_text) != NULL,
           "%s (" MODE_NAME "): the child did not trace \"%s\"; it traced: %s\n", s->name, s->cause_text, output);
    } else {
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "%s (" MODE_NAME "): the child %s %d, expected a clean exit (10 + n: expectation n failed)\nits trace: %s\n",
           s->name, kcom_test_child_end(status), kcom_test_child_code(status), output);
        ok(strstr(output, "fail-fast") == NULL, "%s (" MODE_NAME "): fail-fast traced: %s\n", s->name, output);
    }
}

static void hardening_children(void)
{
    size_t i;
    for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        run_scenario(&scenarios[i]);
}

static void mode_selected(void)
{
    ok(KCOM_REFCOUNT_HARDENING == KCOM_TEST_REFCOUNT_MODE, "KCOM_REFCOUNT_HARDENING is %d\n", KCOM_REFCOUNT_HARDENING);
}

int main(void)
{
    const kcom_test_totals *totals;
    NTSTATUS status = kcom_initialize();
    printf("refcount hardening mode " MODE_NAME "\n");
    if (!NT_SUCCESS(status)) {
        printf("kcom_initialize failed: %s\n", kcom_status_name(status));
        return 1;
    }
    kcom_test_run("hardening_mode", mode_selected);
    kcom_test_run("hardening_laws", refcount_laws);
    kcom_test_run("hardening_children", hardening_children);
    kcom_uninitialize();
    totals = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed, (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
