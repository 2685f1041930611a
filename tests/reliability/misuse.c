/*
 * misuse.c - misuse that kcom detects, as death tests in forked children (as tests/host/hardening.c
 * does), in the FAILFAST hardening mode. Built twice: kcom_misuse_poison with
 * KCOM_POISON_RELEASED=1 (the debug option, kcom/refcount.h) and kcom_misuse without it, so each
 * expectation is checked where it holds and the difference is visible:
 *   - a Release too many, an AddRef, a QueryInterface or a method call after the final Release,
 *     through a plain or an aggregated object, or kcom_object_release on a released object:
 *     with KCOM_POISON_RELEASED the child dies of SIGABRT after tracing the fail-fast reason and
 *     "after its final Release"; without it, only what the count itself shows is detected (an
 *     object without a destroy callback leaves a count of 0 behind: a Release or AddRef on it
 *     fails fast), the rest is undefined and not run;
 *   - a completion callback set twice: STATUS_ALREADY_REGISTERED, the first one stays and fires
 *     once (in this process, every build);
 *   - an operation used after its final Release: AddressSanitizer reports it (ASan builds; the
 *     operation's memory is not poisoned).
 * The objects come from a counting allocator over a static arena (tests/suites/test_common.h), which
 * never hands a block out again: what a stale pointer reaches is the freed object itself, as in
 * a driver whose pool block was not reused yet.

 * Regression tests of defects these scenarios found: a Release after an operation's final Release
 * fails fast (op_Release used to take the freed count to -1), and
 * kcom_async_operation_complete(operation, NULL) on an operation implemented outside kcom returns
 * STATUS_INVALID_DEVICE_STATE (it used to read past that object).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

/* The classes here are FAILFAST's whatever mode kcom was configured with (the mode is chosen per
 * translation unit; tests/host/hardening.c covers each mode). */
#undef KCOM_REFCOUNT_HARDENING
#define KCOM_REFCOUNT_HARDENING 1 /* KCOM_REFCOUNT_FAILFAST */

#include "rel_common.h"

#include "../host/child_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if KCOM_POISON_RELEASED
#define BUILD_NAME "KCOM_POISON_RELEASED=1"
#else
#define BUILD_NAME "KCOM_POISON_RELEASED=0"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define MISUSE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MISUSE_ASAN 1
#endif
#endif
#ifndef MISUSE_ASAN
#define MISUSE_ASAN 0
#endif

/* ---- classes on an arena ------------------------------------------------------------------------------ */

static _Alignas(64) unsigned char arena_buffer[1 << 16];
static test_arena arena;
static kcom_counting_allocator counter;

/* An async method ready at its first poll, its operations from the arena (the class's allocator). */
#define IMisuseReader_METHODS(M, I)                                                       \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncULONG, ReadNow, (ULONG, value))
KCOM_DECLARE_INTERFACE(IMisuseReader, IUnknown,
                       0x6b630b02, 0x7e57, 0x4cb2, 0x9a, 0xb2, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0xb2)
typedef struct MisuseReader {
    IMisuseReader IMisuseReader_iface;
} MisuseReader;
typedef struct MisuseReader_ReadNow_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} MisuseReader_ReadNow_state;
static NTSTATUS MisuseReader_ReadNow(MisuseReader *self, MisuseReader_ReadNow_state *state, ULONG value)
{
    (void)self;
    state->value = value;
    return STATUS_SUCCESS;
}
static kcom_poll_result MisuseReader_ReadNow_poll(MisuseReader_ReadNow_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->value);
    KCOM_TASK_END(cx);
}
#define MisuseReader_ReadNow_drop NULL
KCOM_IMPLEMENT(MisuseReader, IMisuseReader, IMisuseReader_iface)
KCOM_CLASS_EX(MisuseReader, &counter.allocator, NULL, NULL, (IMisuseReader, IMisuseReader_iface))

/* No destroy callback: the final Release leaves a count of 0 behind. */
typedef struct Bare {
    IOther1 IOther1_iface;
    ULONG value;
} Bare;
static ULONG Bare_Tag(Bare *self)
{
    (void)self;
    return TAG_OTHER1;
}
static NTSTATUS Bare_Store(Bare *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Bare_Load(Bare *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
KCOM_IMPLEMENT(Bare, IOther1, IOther1_iface)
KCOM_CLASS_EX(Bare, &counter.allocator, NULL, NULL, (IOther1, IOther1_iface))

/* A destroy callback: the count holds KCOM_REFCOUNT_DESTROYING while it runs and is left so. */
static LONG pair_destroyed;
typedef struct Pair {
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    ULONG value;
} Pair;
static ULONG Pair_Tag(Pair *self)
{
    (void)self;
    return TAG_OTHER1;
}
static NTSTATUS Pair_Store(Pair *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Pair_Load(Pair *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static void Pair_destroy(Pair *self)
{
    (void)self;
    pair_destroyed++;
}
KCOM_IMPLEMENT_WITH(Pair, IOther1, IOther1_iface, Pair_)
KCOM_IMPLEMENT_WITH(Pair, IOther2, IOther2_iface, Pair_)
KCOM_CLASS_EX(Pair, &counter.allocator, Pair_destroy, NULL, (IOther1, IOther1_iface), (IOther2, IOther2_iface))

/* An aggregate: Host (IOther1) aggregates Part (IOther2). */
typedef struct Part {
    IOther2 IOther2_iface;
    ULONG value;
} Part;
static ULONG Part_Tag(Part *self)
{
    (void)self;
    return TAG_OTHER2;
}
static NTSTATUS Part_Store(Part *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Part_Load(Part *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
KCOM_IMPLEMENT(Part, IOther2, IOther2_iface)
KCOM_AGGREGATABLE_CLASS_EX(Part, &counter.allocator, NULL, NULL, (IOther2, IOther2_iface))

typedef struct Host {
    IOther1 IOther1_iface;
    IUnknown *part;
} Host;
static ULONG Host_Tag(Host *self)
{
    (void)self;
    return TAG_OTHER1;
}
static NTSTATUS Host_Store(Host *self, ULONG value)
{
    (void)self;
    (void)value;
    return STATUS_SUCCESS;
}
static NTSTATUS Host_Load(Host *self, ULONG *value)
{
    (void)self;
    *value = 0;
    return STATUS_SUCCESS;
}
static void Host_destroy(Host *self)
{
    if (self->part != NULL)
        self->part->lpVtbl->Release(self->part);
}
static NTSTATUS Host_fallback(Host *self, const IID *riid, void **ppv)
{
    return self->part->lpVtbl->QueryInterface(self->part, riid, ppv);
}
KCOM_IMPLEMENT(Host, IOther1, IOther1_iface)
KCOM_CLASS_EX(Host, &counter.allocator, Host_destroy, Host_fallback, (IOther1, IOther1_iface))

static NTSTATUS Host_init(void *impl, void *context)
{
    Host *self = (Host *)impl;
    (void)context;
    return kcom_object_create(KCOM_CLASS_OF(Part), (IUnknown *)(void *)&self->IOther1_iface, NULL, NULL,
                              &IID_IUnknown, (void **)&self->part);
}

/* ---- in the child ------------------------------------------------------------------------------------- */

/* Exit codes: 0 the scenario returned (what must stop did not); 10 + n: expectation n failed. */
#define CHILD_EXPECT(n, condition)                                                        \
    do {                                                                                  \
        if (!(condition))                                                                 \
            _exit(10 + (n));                                                              \
    } while (0)

static Bare *new_bare(void)
{
    Bare *bare = NULL;
    CHILD_EXPECT(0, KCOM_NEW(Bare, NULL, &bare) == STATUS_SUCCESS);
    return bare;
}

static IOther1 *new_pair(void)
{
    IOther1 *pair = NULL;
    CHILD_EXPECT(0, kcom_object_create(KCOM_CLASS_OF(Pair), NULL, NULL, NULL, &IID_IOther1, (void **)&pair) ==
                        STATUS_SUCCESS);
    return pair;
}

static void release_twice_bare(void)
{
    Bare *bare = new_bare();
    CHILD_EXPECT(1, IOther1_Release(&bare->IOther1_iface) == 0);
    CHILD_EXPECT(2, kcom_counting_allocator_live(&counter) == 0);
    (void)IOther1_Release(&bare->IOther1_iface);
}

static void addref_after_release_bare(void)
{
    Bare *bare = new_bare();
    CHILD_EXPECT(1, IOther1_Release(&bare->IOther1_iface) == 0);
    (void)IOther1_AddRef(&bare->IOther1_iface);
}

static void release_twice(void)
{
    IOther1 *pair = new_pair();
    IOther2 *second = NULL;
    CHILD_EXPECT(1, IOther1_QueryInterface(pair, &IID_IOther2, (void **)&second) == STATUS_SUCCESS);
    CHILD_EXPECT(2, IOther1_Release(pair) == 1 && IOther2_Release(second) == 0 && pair_destroyed == 1);
    (void)IOther2_Release(second); /* the one too many */
}

static void addref_after_release(void)
{
    IOther1 *pair = new_pair();
    CHILD_EXPECT(1, IOther1_Release(pair) == 0);
    (void)IOther1_AddRef(pair);
}

static void query_after_release(void)
{
    IOther1 *pair = new_pair();
    void *out = NULL;
    CHILD_EXPECT(1, IOther1_Release(pair) == 0);
    (void)IOther1_QueryInterface(pair, &IID_IOther2, &out);
}

static void method_after_release(void)
{
    IOther1 *pair = new_pair();
    IOther2 *second = NULL;
    CHILD_EXPECT(1, IOther1_QueryInterface(pair, &IID_IOther2, (void **)&second) == STATUS_SUCCESS);
    IOther2_Release(second);
    CHILD_EXPECT(2, IOther1_Release(pair) == 0);
    (void)IOther2_Store(second, 5); /* would write into freed memory */
}

static void aggregate_after_release(void)
{
    IOther1 *host = NULL;
    IOther2 *part = NULL;
    CHILD_EXPECT(0, kcom_object_create(KCOM_CLASS_OF(Host), NULL, Host_init, NULL, &IID_IOther1, (void **)&host) ==
                        STATUS_SUCCESS);
    CHILD_EXPECT(1, IOther1_QueryInterface(host, &IID_IOther2, (void **)&part) == STATUS_SUCCESS);
    CHILD_EXPECT(2, IOther2_Release(part) == 1 && IOther1_Release(host) == 0);
    CHILD_EXPECT(3, kcom_counting_allocator_live(&counter) == 0);
    (void)IOther2_Tag(part); /* the inner's interface, after the whole aggregate went */
}

static void object_release_after_release(void)
{
    Pair *pair = NULL;
    CHILD_EXPECT(0, KCOM_NEW(Pair, NULL, &pair) == STATUS_SUCCESS);
    CHILD_EXPECT(1, kcom_object_release(pair) == 0);
    (void)kcom_object_release(pair);
}

static void operation_after_release(void)
{
    IKcomAsyncOperation *op = NULL;
    kcom_async_status status = 0;
    CHILD_EXPECT(0, kcom_async_operation_create(NULL, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op) ==
                        STATUS_SUCCESS);
    CHILD_EXPECT(1, IKcomAsyncOperation_Release(op) == 0);
    (void)IKcomAsyncOperation_get_status(op, &status);
}

/* Known defect: an operation released once too often. */
static void operation_release_twice(void)
{
    IKcomAsyncOperation *op = NULL;
    CHILD_EXPECT(0, kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG),
                                                KCOM_ALIGNOF(ULONG), &op) == STATUS_SUCCESS);
    CHILD_EXPECT(1, IKcomAsyncOperation_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0);
    (void)IKcomAsyncOperation_Release(op);
}

/* The same with an async method's operation whose work ended at its first poll (a Release of its
 * own kind), from the arena: the block keeps its count of 0 after the final Release. */
static void method_operation_release_twice(void)
{
    MisuseReader *reader = NULL;
    IAsyncULONG *op;
    CHILD_EXPECT(0, KCOM_NEW(MisuseReader, NULL, &reader) == STATUS_SUCCESS);
    op = IMisuseReader_ReadNow(&reader->IMisuseReader_iface, 3);
    CHILD_EXPECT(1, IMisuseReader_Release(&reader->IMisuseReader_iface) == 0); /* the finished work holds none */
    CHILD_EXPECT(2, IAsyncULONG_Release(op) == 0 && kcom_counting_allocator_live(&counter) == 0);
    (void)IAsyncULONG_Release(op);
}

/* Known defect: an operation implemented outside kcom, completed without a value. */
static NTSTATUS KCOM_STDCALL foreign_QueryInterface(IKcomAsyncOperation *This, REFIID riid, void **ppv)
{
    (void)This;
    (void)riid;
    *ppv = NULL;
    return STATUS_NOINTERFACE;
}
static ULONG KCOM_STDCALL foreign_AddRef(IKcomAsyncOperation *This)
{
    (void)This;
    return 1;
}
static ULONG KCOM_STDCALL foreign_Release(IKcomAsyncOperation *This)
{
    (void)This;
    return 1;
}
static NTSTATUS KCOM_STDCALL foreign_get_status(IKcomAsyncOperation *This, kcom_async_status *status)
{
    (void)This;
    *status = KCOM_ASYNC_STARTED;
    return STATUS_SUCCESS;
}
static NTSTATUS KCOM_STDCALL foreign_get_result(IKcomAsyncOperation *This, void *result)
{
    (void)This;
    (void)result;
    return STATUS_PENDING;
}
static NTSTATUS KCOM_STDCALL foreign_cancel(IKcomAsyncOperation *This)
{
    (void)This;
    return STATUS_INVALID_DEVICE_STATE;
}
static NTSTATUS KCOM_STDCALL foreign_set_completed(IKcomAsyncOperation *This, kcom_async_completed_fn *callback,
                                                   void *context)
{
    (void)This;
    (void)callback;
    (void)context;
    return STATUS_NOT_SUPPORTED;
}
static const IKcomAsyncOperationVtbl foreign_vtbl = {foreign_QueryInterface, foreign_AddRef,  foreign_Release,
                                                     foreign_get_status,     foreign_get_result, foreign_cancel,
                                                     foreign_set_completed};

static void foreign_complete_without_value(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *pages = (unsigned char *)mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
                                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    IKcomAsyncOperation *foreign;
    NTSTATUS status;
    CHILD_EXPECT(0, pages != MAP_FAILED && mprotect(pages + page, (size_t)page, PROT_NONE) == 0);
    /* the foreign object ends where the guard page starts */
    foreign = (IKcomAsyncOperation *)(void *)(pages + page - sizeof(IKcomAsyncOperation));
    foreign->lpVtbl = &foreign_vtbl;
    status = kcom_async_operation_complete(foreign, NULL);
    CHILD_EXPECT(1, status == STATUS_INVALID_DEVICE_STATE || status == STATUS_INVALID_PARAMETER);
    _exit(0);
}

/* ---- in the parent ------------------------------------------------------------------------------------ */

enum expectation {
    DIES_FAILFAST,  /* SIGABRT after tracing "fail-fast" and the reason */
    DIES_ASAN,      /* an AddressSanitizer report naming the reason */
    EXITS_CLEANLY,  /* _exit(0) from the scenario itself */
    NOT_RUN         /* undefined in this build */
};

typedef struct scenario {
    const char *name;
    void (*run)(void);
    enum expectation expect;
    const char *reason;   /* in the output */
    const char *also;     /* in the output too, or NULL */
    const char *why_not;  /* NOT_RUN: why */
} scenario;

#if KCOM_POISON_RELEASED
#define POISONED(reason) DIES_FAILFAST, reason, "after its final Release", NULL
#else
#define POISONED(reason)                                                                                 \
    NOT_RUN, reason, NULL, "undefined without KCOM_POISON_RELEASED: the call reads the freed object "     \
                           "(kcom_misuse_poison checks it)"
#endif

static const scenario scenarios[] = {
    {"Release too many, no destroy callback", release_twice_bare, DIES_FAILFAST, "reference count underflow", NULL,
     NULL},
    {"AddRef after the final Release, no destroy callback", addref_after_release_bare, DIES_FAILFAST,
     "AddRef on an object with no references", NULL, NULL},
    {"Release too many", release_twice, POISONED("reference count underflow")},
    {"AddRef after the final Release", addref_after_release, POISONED("AddRef on an object with no references"),
     },
    {"QueryInterface after the final Release", query_after_release, POISONED("invariant")},
    {"a method call after the final Release", method_after_release, POISONED("invariant")},
    {"an aggregated object's interface after the aggregate's final Release", aggregate_after_release,
     POISONED("invariant")},
    {"kcom_object_release after the final Release", object_release_after_release,
     POISONED("reference count underflow")},
#if MISUSE_ASAN
    {"an operation used after its final Release", operation_after_release, DIES_ASAN, "heap-use-after-free", NULL,
     NULL},
#else
    {"an operation used after its final Release", operation_after_release, NOT_RUN, NULL, NULL,
     "detected by AddressSanitizer and valgrind only: an operation's memory is not poisoned"},
#endif
    {"an operation released once too often", operation_release_twice, DIES_FAILFAST, "reference count underflow",
     NULL, NULL},
    {"an async method's finished operation released once too often", method_operation_release_twice,
     DIES_FAILFAST, "reference count underflow", NULL, NULL},
    {"kcom_async_operation_complete(foreign operation, NULL)", foreign_complete_without_value, EXITS_CLEANLY, NULL,
     NULL, NULL},
};

/* In the child; kcom's trace sink and the sanitizers write to stderr, which is the parent's pipe. */
static void run_in_child(const void *context)
{
    const scenario *s = (const scenario *)context;
    test_arena_init(&arena, arena_buffer, sizeof(arena_buffer));
    kcom_counting_allocator_init(&counter, &arena.allocator);
    pair_destroyed = 0;
    s->run();
    _exit(s->expect == EXITS_CLEANLY ? 0 : 99);
}

static void run_scenario(const scenario *s)
{
    char output[8192];
    int status;

    if (s->expect == NOT_RUN) {
        skip("%s (" BUILD_NAME "): %s\n", s->name, s->why_not);
        return;
    }
    if (!kcom_test_run_child(s->name, run_in_child, s, output, sizeof(output), &status))
        return;
    switch (s->expect) {
    case DIES_FAILFAST:
        ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
           "%s (" BUILD_NAME "): the child %s %d, expected to die of SIGABRT\nits output: %s\n", s->name,
           kcom_test_child_end(status), kcom_test_child_code(status), output);
        ok(strstr(output, "fail-fast") != NULL && strstr(output, s->reason) != NULL &&
               (s->also == NULL || strstr(output, s->also) != NULL),
           "%s (" BUILD_NAME "): the child did not trace \"%s\"%s%s; its output: %s\n", s->name, s->reason,
           s->also != NULL ? " and " : "", s->also != NULL ? s->also : "", output);
        break;
    case DIES_ASAN:
        ok(!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && strstr(output, s->reason) != NULL,
           "%s (" BUILD_NAME "): expected an AddressSanitizer report of %s; the child %s %d; its output: %s\n",
           s->name, s->reason, kcom_test_child_end(status), kcom_test_child_code(status), output);
        break;
    default:
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "%s (" BUILD_NAME "): the child %s %d, expected a clean exit (10 + n: expectation n failed)\n"
           "its output: %s\n",
           s->name, kcom_test_child_end(status), kcom_test_child_code(status), output);
        break;
    }
}

static void death_tests(void)
{
    size_t i;
    for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        run_scenario(&scenarios[i]);
}

/* ---- in this process ---------------------------------------------------------------------------------- */

typedef struct counted_callback {
    LONG calls;
    LONG status;
} counted_callback;

static void count_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    counted_callback *c = (counted_callback *)context;
    (void)operation;
    c->calls++;
    c->status = status;
}

/* A completion callback set twice: the second registration is refused and never fires. */
static void callback_set_twice(void)
{
    IKcomAsyncOperation *op = NULL, *done = NULL, *fixed = kcom_async_static_error_operation();
    counted_callback first = {0, -1}, second = {0, -1}, third = {0, -1};
    ULONG value = 3;
    kcom_counting_allocator_init(&counter, NULL);
    ok(kcom_async_operation_create(&counter.allocator, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG), &op) ==
           STATUS_SUCCESS,
       "create\n");
    ok(IKcomAsyncOperation_set_completed(op, NULL, NULL) == STATUS_INVALID_PARAMETER, "a NULL callback\n");
    ok(IKcomAsyncOperation_set_completed(op, count_callback, &first) == STATUS_SUCCESS, "the first\n");
    ok(IKcomAsyncOperation_set_completed(op, count_callback, &second) == STATUS_ALREADY_REGISTERED,
       "the second is refused\n");
    ok(IKcomAsyncOperation_set_completed(op, NULL, NULL) == STATUS_INVALID_PARAMETER, "NULL, registered\n");
    ok(kcom_async_operation_complete(op, &value) == STATUS_SUCCESS, "complete\n");
    ok(first.calls == 1 && first.status == KCOM_ASYNC_COMPLETED && second.calls == 0,
       "the first fired once (%ld), the second never (%ld)\n", (long)first.calls, (long)second.calls);
    ok(IKcomAsyncOperation_set_completed(op, count_callback, &third) == STATUS_ALREADY_REGISTERED && third.calls == 0,
       "after the finish, still refused, no call\n");
    IKcomAsyncOperation_Release(op);

    /* finished before the first registration: called at once, then refused */
    memset(&first, 0, sizeof(first));
    memset(&second, 0, sizeof(second));
    ok(kcom_async_operation_create_error(&counter.allocator, NULL, STATUS_ACCESS_DENIED, &done) == STATUS_SUCCESS,
       "error operation\n");
    ok(IKcomAsyncOperation_set_completed(done, count_callback, &first) == STATUS_SUCCESS && first.calls == 1 &&
           first.status == KCOM_ASYNC_ERROR,
       "called back at once\n");
    ok(IKcomAsyncOperation_set_completed(done, count_callback, &second) == STATUS_ALREADY_REGISTERED &&
           second.calls == 0,
       "the second refused\n");
    IKcomAsyncOperation_Release(done);

    /* the static error operation stores nothing: it calls back at once, every time */
    memset(&first, 0, sizeof(first));
    ok(IKcomAsyncOperation_set_completed(fixed, count_callback, &first) == STATUS_SUCCESS &&
           IKcomAsyncOperation_set_completed(fixed, count_callback, &first) == STATUS_SUCCESS && first.calls == 2,
       "the static error operation: %ld calls\n", (long)first.calls);
    ok(kcom_counting_allocator_live(&counter) == 0, "nothing left\n");
}

/* Objects released normally are untouched by the option until their final Release: the option
 * changes nothing for correct code (the class's destroy callback still sees its state). */
static void correct_code_unchanged(void)
{
    IOther1 *pair;
    Pair *impl;
    test_arena_init(&arena, arena_buffer, sizeof(arena_buffer));
    kcom_counting_allocator_init(&counter, &arena.allocator);
    pair = new_pair();
    impl = KCOM_IMPL_FROM(Pair, IOther1_iface, pair);
    ok(IOther1_Store(pair, 42) == STATUS_SUCCESS && impl->value == 42, "state\n");
    ok(IOther1_AddRef(pair) == 2 && IOther1_Release(pair) == 1, "counting\n");
    pair_destroyed = 0;
    ok(IOther1_Release(pair) == 0 && pair_destroyed == 1, "destroyed once\n");
#if KCOM_POISON_RELEASED
    /* the arena keeps the block: it shows the poison */
    ok((const void *)impl->IOther1_iface.lpVtbl != (const void *)&Pair_IOther1_kcom_vtbl &&
           (const void *)impl->IOther2_iface.lpVtbl != (const void *)&Pair_IOther2_kcom_vtbl,
       "vtable pointers poisoned\n");
    ok(impl->value == 0xDBDBDBDBu, "state filled with KCOM_POISON_BYTE: %08lx\n", (unsigned long)impl->value);
    ok(kcom_object_refcount(impl) == 0, "count 0\n");
#endif
    ok(kcom_counting_allocator_live(&counter) == 0, "freed\n");
}

int main(void)
{
    const kcom_test_totals *totals;
    if (!NT_SUCCESS(kcom_initialize())) {
        printf("kcom_initialize failed\n");
        return 1;
    }
    printf("misuse: " BUILD_NAME ", refcount hardening %d%s\n", KCOM_REFCOUNT_HARDENING,
           MISUSE_ASAN ? ", AddressSanitizer" : "");
    kcom_test_run("misuse_callback_set_twice", callback_set_twice);
    kcom_test_run("misuse_correct_code_unchanged", correct_code_unchanged);
    kcom_test_run("misuse_death_tests", death_tests);
    kcom_uninitialize();
    totals = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed, (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
