/*
 * test_method_paths.c - the paths of the async method shim: the layout KCOM_ASYNC_TASK_DESC computes
 * at compile time is the library's; the operation cache (blocks reused and counted, bounded,
 * drained, never in front of another allocator); the class's own allocator; a first poll that ends
 * in a failure or a cancel, one woken while it runs (scheduled once, with the object held), and
 * one whose waker another thread uses at once, racing the publication; a hand-built task's
 * first poll through the inline kcom_async_spawn_run against the library's, alone and raced; and
 * kcom_async_run and _run_in, a spawn and its first poll in one call, the same ways.
 */
#include "async_test_common.h"

#include <kcom/kcom.h>

#include <string.h>

#define IPaths_METHODS(M, I)                                                              \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncULONG, Now, (ULONG, value))                                         \
    M(I, ASYNC, IAsyncULONG, Requeue, (ULONG, value))                                     \
    M(I, ASYNC, IAsyncULONG, Finish, (NTSTATUS, start)(NTSTATUS, end))                    \
    M(I, ASYNC, IAsyncULONG, Handoff, (ULONG, value))                                     \
    M(I, ASYNC_IN, IAsyncULONG, KeepIn, (kcom_waker *, waker))

#define IPaths_KeepIn_STORAGE 320

KCOM_DECLARE_INTERFACE(IPaths, IUnknown,
                       0x6b630a02, 0x7e57, 0x4ca1, 0x9a, 0xa1, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0xa2)

static LONG volatile drops;

/* The work, shared by every class below (the start functions take the object as void *). */

typedef struct Paths_Now_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} Paths_Now_state;

static NTSTATUS Paths_Now(void *self, Paths_Now_state *state, ULONG value)
{
    (void)self;
    state->value = value;
    return STATUS_SUCCESS;
}

static kcom_poll_result Paths_Now_poll(Paths_Now_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->value * 2);
    KCOM_TASK_END(cx);
}

static void Paths_Now_drop(Paths_Now_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&drops, 1);
}

/* Requeue: woken during its first poll (by itself), so the publication must schedule it. */
typedef struct Paths_Requeue_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} Paths_Requeue_state;

static NTSTATUS Paths_Requeue(void *self, Paths_Requeue_state *state, ULONG value)
{
    (void)self;
    state->value = value;
    return STATUS_SUCCESS;
}

static kcom_poll_result Paths_Requeue_poll(Paths_Requeue_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_YIELD(cx);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->value + 1);
    KCOM_TASK_END(cx);
}

static void Paths_Requeue_drop(Paths_Requeue_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&drops, 1);
}

/* Finish: the start function's status, then the first poll's (with a value written). */
typedef struct Paths_Finish_state {
    KCOM_TASK_RESUME_POINT;
    NTSTATUS end;
} Paths_Finish_state;

static NTSTATUS Paths_Finish(void *self, Paths_Finish_state *state, NTSTATUS start, NTSTATUS end)
{
    (void)self;
    state->end = end;
    return start;
}

static kcom_poll_result Paths_Finish_poll(Paths_Finish_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RESULT(cx, ULONG) = 77;
    KCOM_TASK_RETURN(cx, state->end);
    KCOM_TASK_END(cx);
}

static void Paths_Finish_drop(Paths_Finish_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&drops, 1);
}

/* Handoff: the first poll gives its waker to another thread, which wakes the task at once, maybe
 * before the poll has returned, maybe while the shim publishes it. */
typedef struct handoff_box {
    test_mutex mutex;
    kcom_waker waker;
    LONG volatile stop;
} handoff_box;

static handoff_box box;

static kcom_poll_result handoff_put(kcom_task_context *cx)
{
    kcom_waker w = kcom_task_waker(cx);
    test_mutex_lock(&box.mutex);
    if (box.waker.task == NULL) {
        box.waker = w;
        w.task = NULL;
    }
    test_mutex_unlock(&box.mutex);
    kcom_waker_wake(&w); /* the box was taken (never, here): wake it ourselves */
    return KCOM_POLL_PENDING;
}

static void *handoff_thread(void *arg)
{
    (void)arg;
    while (!kcom_atomic_load(&box.stop)) {
        kcom_waker w;
        test_mutex_lock(&box.mutex);
        w = box.waker;
        box.waker.task = NULL;
        test_mutex_unlock(&box.mutex);
        if (w.task != NULL)
            kcom_waker_wake(&w);
        else
            test_yield();
    }
    return NULL;
}

typedef struct Paths_Handoff_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
    int handed;
} Paths_Handoff_state;

static NTSTATUS Paths_Handoff(void *self, Paths_Handoff_state *state, ULONG value)
{
    (void)self;
    state->value = value;
    return STATUS_SUCCESS;
}

static kcom_poll_result Paths_Handoff_poll(Paths_Handoff_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_AWAIT(state->handed++ ? KCOM_POLL_READY : handoff_put(cx));
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->value + 3);
    KCOM_TASK_END(cx);
}

static void Paths_Handoff_drop(Paths_Handoff_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&drops, 1);
}

/* KeepIn: in caller storage, ready at its first poll while it keeps a waker in *waker (as an
 * awaited operation that finished on another thread during the poll may still hold one). */
typedef struct Paths_KeepIn_state {
    KCOM_TASK_RESUME_POINT;
    kcom_waker *waker;
} Paths_KeepIn_state;

static NTSTATUS Paths_KeepIn(void *self, Paths_KeepIn_state *state, kcom_waker *waker)
{
    (void)self;
    state->waker = waker;
    return STATUS_SUCCESS;
}

static kcom_poll_result Paths_KeepIn_poll(Paths_KeepIn_state *state, kcom_task_context *cx)
{
    *state->waker = kcom_task_waker(cx);
    KCOM_TASK_RESULT(cx, ULONG) = 7;
    return KCOM_POLL_READY;
}

static void Paths_KeepIn_drop(Paths_KeepIn_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&drops, 1);
}

/* ---- the classes ----------------------------------------------------------------------------------- */

/* The default allocator. */
typedef struct Paths {
    IPaths IPaths_iface;
} Paths;

KCOM_IMPLEMENT_WITH(Paths, IPaths, IPaths_iface, Paths_)
KCOM_CLASS(Paths, NULL, (IPaths, IPaths_iface))

/* Its own counting allocator (KCOM_CLASS_EX): the operations come from it too. */
static kcom_counting_allocator own_counter;

typedef struct PathsOwn {
    IPaths IPaths_iface;
} PathsOwn;

KCOM_IMPLEMENT_WITH(PathsOwn, IPaths, IPaths_iface, Paths_)
KCOM_CLASS_EX(PathsOwn, &own_counter.allocator, NULL, NULL, (IPaths, IPaths_iface))

/* A caching allocator of its own, sized for its objects: the operations go to what backs it. */
static kcom_counting_allocator backing_counter;
static kcom_caching_allocator paths_cache =
    KCOM_CACHING_ALLOCATOR_INIT_BACKED(paths_cache, 4, &backing_counter.allocator);

typedef struct PathsCached {
    IPaths IPaths_iface;
} PathsCached;

KCOM_IMPLEMENT_WITH(PathsCached, IPaths, IPaths_iface, Paths_)
KCOM_CLASS_EX(PathsCached, &paths_cache.allocator, NULL, NULL, (IPaths, IPaths_iface))

static kcom_counting_allocator counter;
static manual_executor manual;

/* The defaults before setup, which teardown puts back (the platform's in a host program; in the
 * kernel test driver, its counting allocator). */
static const kcom_allocator *previous_allocator;
static const kcom_executor *previous_executor;

/* default_allocator NULL: the platform allocator, the one the operation cache serves. */
static void setup(const kcom_allocator *default_allocator)
{
    previous_allocator = kcom_default_allocator();
    previous_executor = kcom_default_executor();
    kcom_counting_allocator_init(&counter, NULL);
    kcom_set_default_allocator(default_allocator);
    manual_init(&manual);
    kcom_set_default_executor(&manual.executor);
    drops = 0;
}

static void teardown(void)
{
    ok(kcom_counting_allocator_live(&counter) == 0, "%ld blocks left\n", (long)kcom_counting_allocator_live(&counter));
    kcom_set_default_executor(previous_executor);
    kcom_set_default_allocator(previous_allocator);
}

static IPaths *new_paths(void)
{
    Paths *paths = NULL;
    ok(KCOM_NEW(Paths, NULL, &paths) == STATUS_SUCCESS && paths != NULL, "KCOM_NEW(Paths)\n");
    return paths != NULL ? &paths->IPaths_iface : NULL;
}

static LONG refs_of(IPaths *paths)
{
    return kcom_object_refcount(KCOM_IMPL_FROM(Paths, IPaths_iface, paths));
}

/* ---- the layout -------------------------------------------------------------------------------------- */

typedef struct wide_result {
    _Alignas(16) ULONG64 parts[2];
} wide_result;

/* Two ULONGs: 8 bytes aligned to 4. */
typedef struct pair_result {
    ULONG first, second;
} pair_result;

/* Interfaces for the layouts' result types (a descriptor's result is its interface's). */
KCOM_DECLARE_ASYNC_OPERATION(IAsyncQuad, ULONG64,
    0x7d1e3c54, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x92, 0xa3)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncPair, pair_result,
    0x7d1e3c55, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x92, 0xa3)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncChar, char,
    0x7d1e3c52, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x92, 0xa3)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncWide, wide_result,
    0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x92, 0xa3)

typedef struct wide_state {
    KCOM_TASK_RESUME_POINT;
    _Alignas(64) char bytes[3];
} wide_state;

typedef struct tiny_state {
    KCOM_TASK_RESUME_POINT;
    char c;
} tiny_state;

static kcom_poll_result never_poll(void *state, kcom_task_context *cx)
{
    (void)state;
    (void)cx;
    return KCOM_POLL_READY;
}

/* Where the first poll found the result storage and the state; it fills the result (of
 * polled_size bytes) with a pattern, which get_result must give back. */
static void *polled_result;
static void *polled_state;
static size_t polled_size;

static unsigned char pattern_byte(size_t k)
{
    return (unsigned char)(0x30 + k);
}

static kcom_poll_result locating_poll(void *state, kcom_task_context *cx)
{
    size_t k;
    polled_result = cx->result;
    polled_state = state;
    for (k = 0; k < polled_size; k++)
        ((unsigned char *)cx->result)[k] = pattern_byte(k);
    return KCOM_POLL_READY;
}

/* A descriptor from the macro and the same one written by hand (no layout: the library computes
 * it): same block, result and state at the same places, from spawn and for the poll. */
static void compare_layouts(const kcom_async_task_desc *generated, const char *what)
{
    kcom_async_task_desc laid_out = *generated;
    kcom_async_task_desc by_hand = {locating_poll, generated->drop, generated->state_size,
                                    generated->state_alignment, generated->result_size,
                                    generated->result_alignment, generated->iid, 0, 0, 0, 0, NULL};
    const kcom_async_task_desc *descs[2];
    char *state[2];
    size_t result_offset[2], state_offset[2], bytes[2];
    int i;
    laid_out.poll = locating_poll;
    descs[0] = &laid_out;
    descs[1] = &by_hand;
    for (i = 0; i < 2; i++) {
        IKcomAsyncOperation *op = NULL;
        LONG64 live_bytes = counter.live_bytes;
        void *s = NULL;
        ok(kcom_async_spawn_begin(descs[i], &manual.executor, &counter.allocator, &s, &op) == STATUS_SUCCESS,
           "%s: begun\n", what);
        bytes[i] = (size_t)(counter.live_bytes - live_bytes);
        state[i] = (char *)s;
        state_offset[i] = (size_t)(state[i] - (char *)op);
        ok(((ULONG_PTR)s % descs[i]->state_alignment) == 0, "%s: state aligned\n", what);
        polled_result = polled_state = NULL;
        polled_size = generated->result_size;
        ok(kcom_async_spawn_run(op) == STATUS_SUCCESS, "%s: run\n", what);
        result_offset[i] = (size_t)((char *)polled_result - (char *)op);
        ok(polled_state == s, "%s: the poll's state is spawn's\n", what);
        {
            unsigned char result[sizeof(wide_result) + 1];
            size_t k, same = 0;
            memset(result, 0xee, sizeof(result));
            ok(IKcomAsyncOperation_get_result(op, result) == STATUS_SUCCESS, "%s: get_result\n", what);
            for (k = 0; k < generated->result_size; k++)
                same += result[k] == pattern_byte(k);
            ok(same == generated->result_size && result[generated->result_size] == 0xee,
               "%s: the poll's result back (%lu of %lu bytes)\n", what, (unsigned long)same,
               (unsigned long)generated->result_size);
        }
        IKcomAsyncOperation_Release(op);
    }
    ok(bytes[0] == bytes[1] && bytes[0] == generated->block_size, "%s: %lu and %lu bytes, %lu in the descriptor\n",
       what, (unsigned long)bytes[0], (unsigned long)bytes[1], (unsigned long)generated->block_size);
    ok(result_offset[0] == result_offset[1] && result_offset[0] == generated->result_offset,
       "%s: result at %lu and %lu\n", what, (unsigned long)result_offset[0], (unsigned long)result_offset[1]);
    ok(state_offset[0] == state_offset[1] && state_offset[0] == generated->state_offset,
       "%s: state at %lu and %lu\n", what, (unsigned long)state_offset[0], (unsigned long)state_offset[1]);
    ok(kcom_async_storage_size(generated) == kcom_async_storage_size(&by_hand), "%s: storage size\n", what);
}

/* A descriptor from the macro, copied and edited so that its layout no longer holds the result and
 * the state inside the block after the operation (a larger state or result in the old block, a
 * state past the block, a result over the operation, a block alignment below the operation's, a
 * bad size or alignment) is refused by every spawn, where it would place them outside; and so is
 * one whose result or state alignment is no alignment (0, 3) or one the layout does not keep (above
 * the block's alignment, or not dividing the offset). generated has a result and a state. */
#define EDITS 15
static void refuse_edited_layouts(const kcom_async_task_desc *generated, const char *what)
{
    kcom_async_task_desc edited[EDITS];
    int i;
    for (i = 0; i < EDITS; i++)
        edited[i] = *generated;
    edited[0].state_size += 64;
    edited[1].result_size += 64;
    edited[2].state_offset = generated->block_size;
    edited[3].result_offset = 0;
    edited[4].result_offset = generated->state_offset + 8;
    edited[5].block_alignment = KCOM_ALIGNOF(kcom_async_op) / 2;
    edited[6].block_alignment = 24;
    edited[7].block_size = 0x7FFFFFFFu + (size_t)1;
    edited[8].state_alignment = 0;
    edited[9].state_alignment = 3;
    edited[10].result_alignment = 0;
    edited[11].result_alignment = 3;
    edited[12].state_alignment = generated->block_alignment * 2;
    edited[13].result_alignment = generated->block_alignment * 2;
    edited[14].state_offset += generated->state_alignment / 2; /* within the block: the state is 3 bytes */
    edited[14].block_size += generated->state_alignment / 2;
    for (i = 0; i < EDITS; i++) {
        union {
            unsigned char bytes[1024];
            void *align;
        } storage;
        IKcomAsyncOperation *op = NULL;
        void *s = &storage; /* not NULL: spawn must clear it */
        NTSTATUS status = kcom_async_spawn_begin(&edited[i], &manual.executor, &counter.allocator, &s, &op);
        ok(status == STATUS_INVALID_PARAMETER && s == NULL && op != NULL, "%s, edit %d: spawn_begin %s\n", what, i,
           kcom_status_name(status));
        if (op != NULL)
            IKcomAsyncOperation_Release(op);
        op = NULL;
        s = &storage;
        status = kcom_async_spawn_begin_in(&edited[i], &manual.executor, &storage, sizeof(storage), &s, &op);
        ok(status == STATUS_INVALID_PARAMETER && s == NULL && op != NULL, "%s, edit %d: spawn_begin_in %s\n", what,
           i, kcom_status_name(status));
        if (op != NULL)
            IKcomAsyncOperation_Release(op);
        ok(kcom_async_storage_size(&edited[i]) == 0, "%s, edit %d: storage size %lu\n", what, i,
           (unsigned long)kcom_async_storage_size(&edited[i]));
    }
}
#undef EDITS

/* Descriptors in static storage whose stored layout the compiler knows: the spawn functions build
 * them at the call site when the layout holds (kcom/detail/async.h), so a constant layout that does
 * not hold must still be refused, as an edited copy is (refuse_edited_layouts), by each of them. */
#define TINY_RESULT_OFFSET KCOM_RT_ASYNC_RESULT_OFFSET_(ULONG)
#define TINY_STATE_OFFSET KCOM_RT_ASYNC_STATE_OFFSET_(ULONG, tiny_state)
#define TINY_BLOCK_SIZE KCOM_RT_ASYNC_BLOCK_SIZE_(ULONG, tiny_state)
#define TINY_DESC(state_size, state_alignment, result_offset, state_offset, block_size, block_alignment)            \
    {never_poll,  NULL,        (state_size), (state_alignment), sizeof(ULONG), KCOM_ALIGNOF(ULONG), &IID_IAsyncULONG, \
     (result_offset), (state_offset), (block_size), (block_alignment), NULL}
#define TINY_ALIGN KCOM_RT_ASYNC_MAX_(KCOM_ALIGNOF(tiny_state), 8)
static const kcom_async_task_desc tiny_good =
    TINY_DESC(sizeof(tiny_state), KCOM_ALIGNOF(tiny_state), TINY_RESULT_OFFSET, TINY_STATE_OFFSET, TINY_BLOCK_SIZE,
              TINY_ALIGN);
static const kcom_async_task_desc tiny_good_located = {locating_poll, NULL, sizeof(tiny_state),
                                                       KCOM_ALIGNOF(tiny_state), sizeof(ULONG), KCOM_ALIGNOF(ULONG),
                                                       &IID_IAsyncULONG, TINY_RESULT_OFFSET, TINY_STATE_OFFSET,
                                                       TINY_BLOCK_SIZE, TINY_ALIGN, NULL};
static const kcom_async_task_desc tiny_bad_0 = /* a larger state in the same block */
    TINY_DESC(sizeof(tiny_state) + 64, KCOM_ALIGNOF(tiny_state), TINY_RESULT_OFFSET, TINY_STATE_OFFSET,
              TINY_BLOCK_SIZE, TINY_ALIGN);
static const kcom_async_task_desc tiny_bad_1 = /* the result over the operation */
    TINY_DESC(sizeof(tiny_state), KCOM_ALIGNOF(tiny_state), 0, TINY_STATE_OFFSET, TINY_BLOCK_SIZE, TINY_ALIGN);
static const kcom_async_task_desc tiny_bad_2 = /* the result after the state */
    TINY_DESC(sizeof(tiny_state), KCOM_ALIGNOF(tiny_state), TINY_STATE_OFFSET + 8, TINY_STATE_OFFSET,
              TINY_BLOCK_SIZE, TINY_ALIGN);
static const kcom_async_task_desc tiny_bad_3 = /* a block aligned below the operation */
    TINY_DESC(sizeof(tiny_state), KCOM_ALIGNOF(tiny_state), TINY_RESULT_OFFSET, TINY_STATE_OFFSET, TINY_BLOCK_SIZE,
              KCOM_ALIGNOF(kcom_async_op) / 2);
static const kcom_async_task_desc tiny_bad_4 = /* no alignment */
    TINY_DESC(sizeof(tiny_state), 3, TINY_RESULT_OFFSET, TINY_STATE_OFFSET, TINY_BLOCK_SIZE, TINY_ALIGN);
static const kcom_async_task_desc tiny_bad_5 = /* above the block's */
    TINY_DESC(sizeof(tiny_state), TINY_ALIGN * 2, TINY_RESULT_OFFSET, TINY_STATE_OFFSET, TINY_BLOCK_SIZE,
              TINY_ALIGN);
static const kcom_async_task_desc tiny_bad_6 = /* the state past the block */
    TINY_DESC(sizeof(tiny_state), KCOM_ALIGNOF(tiny_state), TINY_RESULT_OFFSET, TINY_BLOCK_SIZE, TINY_BLOCK_SIZE,
              TINY_ALIGN);

/* One constant descriptor through each spawn function: refused with STATUS_INVALID_PARAMETER, *state
 * cleared, an error operation out; a macro, so that each call names its descriptor as a constant. */
#define REFUSE_CONSTANT(desc)                                                                                   \
    do {                                                                                                        \
        union {                                                                                                 \
            unsigned char bytes[1024];                                                                          \
            void *align;                                                                                        \
        } storage_;                                                                                             \
        IKcomAsyncOperation *op_ = NULL;                                                                        \
        void *s_ = &storage_;                                                                                   \
        NTSTATUS status_ = kcom_async_spawn_begin(&(desc), &manual.executor, NULL, &s_, &op_);                  \
        ok(status_ == STATUS_INVALID_PARAMETER && s_ == NULL && op_ != NULL, #desc ": spawn_begin %s\n",          \
           kcom_status_name(status_));                                                                          \
        if (op_ != NULL)                                                                                        \
            IKcomAsyncOperation_Release(op_);                                                                   \
        op_ = NULL;                                                                                             \
        s_ = &storage_;                                                                                         \
        status_ = kcom_async_spawn_begin_in(&(desc), &manual.executor, &storage_, sizeof(storage_), &s_, &op_); \
        ok(status_ == STATUS_INVALID_PARAMETER && s_ == NULL && op_ != NULL, #desc ": spawn_begin_in %s\n",       \
           kcom_status_name(status_));                                                                          \
        if (op_ != NULL)                                                                                        \
            IKcomAsyncOperation_Release(op_);                                                                   \
        op_ = NULL;                                                                                             \
        status_ = kcom_async_spawn(&(desc), &manual.executor, NULL, NULL, &op_);                                \
        ok(status_ == STATUS_INVALID_PARAMETER && op_ != NULL, #desc ": spawn %s\n", kcom_status_name(status_)); \
        if (op_ != NULL)                                                                                        \
            IKcomAsyncOperation_Release(op_);                                                                   \
    } while (0)

void kcom_test_async_paths_constant_layouts(void)
{
    tiny_state initial = {0, 0};
    IKcomAsyncOperation *op = NULL;
    void *s = &initial;
    setup(NULL); /* the default allocator the platform's: the operation cache's blocks are built inline */
    REFUSE_CONSTANT(tiny_bad_0);
    REFUSE_CONSTANT(tiny_bad_1);
    REFUSE_CONSTANT(tiny_bad_2);
    REFUSE_CONSTANT(tiny_bad_3);
    REFUSE_CONSTANT(tiny_bad_4);
    REFUSE_CONSTANT(tiny_bad_5);
    REFUSE_CONSTANT(tiny_bad_6);
    /* the good one, with what a spawn refuses besides the layout */
    ok(kcom_async_spawn_begin(&tiny_good, &manual.executor, NULL, NULL, &op) == STATUS_INVALID_PARAMETER &&
           op != NULL,
       "NULL state\n");
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
    ok(kcom_async_spawn_begin(&tiny_good, &manual.executor, NULL, &s, NULL) == STATUS_INVALID_PARAMETER && s == NULL,
       "NULL operation\n");
    ok(kcom_async_spawn(&tiny_good, &manual.executor, NULL, &initial, NULL) == STATUS_INVALID_PARAMETER,
       "spawn: NULL operation\n");
    op = NULL;
    ok(kcom_async_spawn_begin(&tiny_good, NULL, NULL, &s, &op) == STATUS_INVALID_PARAMETER && s == NULL && op != NULL,
       "NULL executor\n");
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
    {
        unsigned char small[64];
        void *aligned_small = small + (8 - (ULONG_PTR)small % 8) % 8;
        op = NULL;
        s = &initial;
        ok(kcom_async_spawn_begin_in(&tiny_good, &manual.executor, aligned_small, 32, &s, &op) ==
                   STATUS_BUFFER_TOO_SMALL &&
               s == NULL && op != NULL,
           "storage too small\n");
        if (op != NULL)
            IKcomAsyncOperation_Release(op);
    }
    /* and it runs: begun at the call site, run, its result back */
    op = NULL;
    ok(kcom_async_spawn_begin(&tiny_good, &manual.executor, NULL, &s, &op) == STATUS_SUCCESS && s != NULL,
       "begun\n");
    ok(kcom_async_spawn_commit(op) == STATUS_SUCCESS, "committed\n");
    ok(kcom_async_spawn_commit(op) == STATUS_INVALID_DEVICE_STATE, "committed once\n");
    ok(kcom_async_spawn_abandon(op, STATUS_CANCELLED) == STATUS_INVALID_DEVICE_STATE, "not abandoned once committed\n");
    ok(manual_run(&manual) == 1, "polled on its executor\n");
    {
        kcom_async_status status = KCOM_ASYNC_STARTED;
        ok(IKcomAsyncOperation_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_COMPLETED,
           "completed: %d\n", (int)status);
    }
    ok(IKcomAsyncOperation_Release(op) == 0, "released\n");
    /* kcom_async_spawn's copy of the initial state reaches the poll */
    initial.c = 'k';
    polled_state = NULL;
    polled_size = sizeof(ULONG);
    op = NULL;
    ok(kcom_async_spawn(&tiny_good_located, &manual.executor, NULL, &initial, &op) == STATUS_SUCCESS, "spawned\n");
    ok(manual_run(&manual) == 1 && polled_state != NULL, "polled\n");
    ok(polled_state == NULL || (((tiny_state *)polled_state)->c == 'k'), "the initial state copied\n");
    ok(op != NULL && IKcomAsyncOperation_Release(op) == 0, "released\n");
    teardown();
}
#undef REFUSE_CONSTANT

void kcom_test_async_paths_layout(void)
{
    static const kcom_async_task_desc ulong_tiny =
        KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, tiny_state, never_poll, NULL);
    static const kcom_async_task_desc char_wide = KCOM_ASYNC_TASK_DESC(IAsyncChar, char, wide_state, never_poll, NULL);
    static const kcom_async_task_desc wide_tiny =
        KCOM_ASYNC_TASK_DESC(IAsyncWide, wide_result, tiny_state, never_poll, NULL);
    static const kcom_async_task_desc wide_wide =
        KCOM_ASYNC_TASK_DESC(IAsyncWide, wide_result, wide_state, never_poll, NULL);
    static const kcom_async_task_desc quad_tiny = KCOM_ASYNC_TASK_DESC(IAsyncQuad, ULONG64, tiny_state, never_poll, NULL);
    static const kcom_async_task_desc pair_wide =
        KCOM_ASYNC_TASK_DESC(IAsyncPair, pair_result, wide_state, never_poll, NULL);
    setup(NULL);
    compare_layouts(&ulong_tiny, "ULONG, tiny state");
    compare_layouts(&char_wide, "char, 64-aligned state");
    compare_layouts(&wide_tiny, "16-aligned result, tiny state");
    compare_layouts(&wide_wide, "16-aligned result, 64-aligned state");
    compare_layouts(&quad_tiny, "ULONG64, tiny state");
    compare_layouts(&pair_wide, "8 bytes aligned to 4, 64-aligned state");
    refuse_edited_layouts(&ulong_tiny, "ULONG, tiny state");
    refuse_edited_layouts(&wide_wide, "16-aligned result, 64-aligned state");
    ok(wide_wide.block_alignment == 64 && char_wide.block_alignment == 64, "block alignment %lu\n",
       (unsigned long)wide_wide.block_alignment);
    ok(kcom_async_storage_size(&wide_wide) == 0, "too aligned for caller storage\n");
    {
        /* what kcom_async_spawn_begin_in refuses has no storage size either */
        kcom_async_task_desc no_poll = ulong_tiny;
        no_poll.poll = NULL;
        ok(kcom_async_storage_size(&no_poll) == 0, "no poll function: %lu\n",
           (unsigned long)kcom_async_storage_size(&no_poll));
        ok(kcom_async_storage_size(NULL) == 0, "NULL desc\n");
    }
    {
        /* a 4- or 8-byte result that a descriptor written by hand aligns past the operation's end:
         * not where get_result finds one of the usual alignment */
        static const size_t alignments[] = {1, 4, 8, 16, 64};
        static const size_t sizes[] = {4, 8};
        size_t i, j;
        for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
            for (i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
                kcom_async_task_desc by_hand = {locating_poll, NULL, sizeof(tiny_state), KCOM_ALIGNOF(tiny_state),
                                                sizes[j], alignments[i], NULL, 0, 0, 0, 0, NULL};
                IKcomAsyncOperation *op = NULL;
                unsigned char result[9];
                void *s = NULL;
                size_t k, same = 0;
                ok(kcom_async_spawn_begin(&by_hand, &manual.executor, &counter.allocator, &s, &op) ==
                       STATUS_SUCCESS,
                   "%lu-byte result aligned to %lu: begun\n", (unsigned long)sizes[j], (unsigned long)alignments[i]);
                polled_size = sizes[j];
                ok(kcom_async_spawn_run(op) == STATUS_SUCCESS, "run\n");
                ok((ULONG_PTR)polled_result % alignments[i] == 0, "result aligned to %lu\n",
                   (unsigned long)alignments[i]);
                memset(result, 0xee, sizeof(result));
                ok(IKcomAsyncOperation_get_result(op, result) == STATUS_SUCCESS, "get_result\n");
                for (k = 0; k < sizes[j]; k++)
                    same += result[k] == pattern_byte(k);
                ok(same == sizes[j] && result[sizes[j]] == 0xee, "%lu-byte result aligned to %lu: %lu bytes back\n",
                   (unsigned long)sizes[j], (unsigned long)alignments[i], (unsigned long)same);
                IKcomAsyncOperation_Release(op);
            }
        }
    }
    teardown();
}

/* ---- completion sources of sizes known where they are created -------------------------------------------- */

/* A result whose byte i is 0x41 + i (mod 256), the same in every task and source. */
static void fill_pattern(UCHAR *to, size_t size)
{
    size_t i;
    for (i = 0; i < size; i++)
        to[i] = (UCHAR)(0x41 + i);
}

/* get_result of op (a result of size bytes) into a buffer with room after it: the pattern back, the
 * room untouched; then the final release. */
static void check_result_back(IKcomAsyncOperation *op, size_t size, const char *what)
{
    UCHAR back[320], expected[300];
    size_t i, wrong = 0, past = 0;
    memset(back, 0xee, sizeof(back));
    fill_pattern(expected, size);
    ok(IKcomAsyncOperation_get_result(op, back) == STATUS_SUCCESS, "%s of %lu bytes: get_result\n", what,
       (unsigned long)size);
    for (i = 0; i < size; i++)
        wrong += back[i] != expected[i];
    for (i = size; i < sizeof(back); i++)
        past += back[i] != 0xee;
    ok(wrong == 0 && past == 0, "%s of %lu bytes: %lu wrong, %lu written past it\n", what, (unsigned long)size,
       (unsigned long)wrong, (unsigned long)past);
    ok(IKcomAsyncOperation_Release(op) == 0, "%s of %lu bytes: released\n", what, (unsigned long)size);
}

/* kcom_async_operation_create with a result size and alignment known at the call: built there from
 * the operation cache's hot block (kcom/detail/async.h) or by the library; either way Started, the
 * typed interface answered, the result zero until completed, then the value, and a refused
 * argument refused. A macro, so that each call has its constants. */
#define CHECK_CONSTANT_SOURCE(size, alignment, iid)                                                             \
    do {                                                                                                        \
        IKcomAsyncOperation *op_ = NULL;                                                                        \
        UCHAR value_[64];                                                                                       \
        kcom_async_status status_ = KCOM_ASYNC_ERROR;                                                           \
        ok(kcom_async_operation_create(NULL, (iid), (size), (alignment), &op_) == STATUS_SUCCESS && op_ != NULL, \
           "%u bytes aligned to %u: created\n", (unsigned)(size), (unsigned)(alignment));                       \
        if (op_ == NULL)                                                                                        \
            break;                                                                                              \
        ok(IKcomAsyncOperation_get_status(op_, &status_) == STATUS_SUCCESS && status_ == KCOM_ASYNC_STARTED,     \
           "%u bytes: Started\n", (unsigned)(size));                                                            \
        if ((iid) != NULL) {                                                                                    \
            IUnknown *typed_ = NULL;                                                                            \
            ok(IKcomAsyncOperation_QueryInterface(op_, (iid), (void **)&typed_) == STATUS_SUCCESS &&             \
                   typed_ == (IUnknown *)op_,                                                                   \
               "%u bytes: its typed interface\n", (unsigned)(size));                                            \
            if (typed_ != NULL)                                                                                 \
                IUnknown_Release(typed_);                                                                       \
        }                                                                                                       \
        fill_pattern(value_, sizeof(value_));                                                                   \
        ok(kcom_async_operation_complete(op_, value_) == STATUS_SUCCESS, "%u bytes: completed\n",                \
           (unsigned)(size));                                                                                   \
        check_result_back(op_, (size), "constant source");                                                      \
    } while (0)

#define REFUSE_CONSTANT_SOURCE(size, alignment)                                                                 \
    do {                                                                                                        \
        IKcomAsyncOperation *op_ = NULL;                                                                        \
        kcom_async_status status_ = KCOM_ASYNC_STARTED;                                                         \
        ok(kcom_async_operation_create(NULL, NULL, (size), (alignment), &op_) == STATUS_INVALID_PARAMETER &&     \
               op_ != NULL && IKcomAsyncOperation_get_status(op_, &status_) == STATUS_SUCCESS &&                \
               status_ == KCOM_ASYNC_ERROR,                                                                     \
           "%u bytes aligned to %u: refused\n", (unsigned)(size), (unsigned)(alignment));                       \
        if (op_ != NULL)                                                                                        \
            IKcomAsyncOperation_Release(op_);                                                                   \
    } while (0)

void kcom_test_async_paths_constant_sources(void)
{
    const size_t wide_from_cache = KCOM_ALIGNOF(wide_result) <= KCOM_NATURAL_ALIGNMENT ? 1 : 0;
    kcom_caching_allocator_stats before, after;
    setup(NULL); /* the platform allocator: the operation cache's */
    (void)kcom_async_operation_cache_query_stats(&before);
    CHECK_CONSTANT_SOURCE(sizeof(ULONG), KCOM_ALIGNOF(ULONG), &IID_IAsyncULONG);
    CHECK_CONSTANT_SOURCE(sizeof(wide_result), KCOM_ALIGNOF(wide_result), &IID_IAsyncWide);
    CHECK_CONSTANT_SOURCE(0, 1, (const IID *)NULL);
    CHECK_CONSTANT_SOURCE(4, 1, (const IID *)NULL); /* 4 bytes, not where a ULONG's alignment puts them */
    CHECK_CONSTANT_SOURCE(3, 1, (const IID *)NULL);
    CHECK_CONSTANT_SOURCE(8, 8, (const IID *)NULL);
    CHECK_CONSTANT_SOURCE(8, 4, (const IID *)NULL); /* two ULONGs: right after the fields too */
    CHECK_CONSTANT_SOURCE(8, 1, (const IID *)NULL);
    CHECK_CONSTANT_SOURCE(24, 8, (const IID *)NULL);
    CHECK_CONSTANT_SOURCE(64, 64, (const IID *)NULL); /* beyond the cache's alignment: the library */
    (void)kcom_async_operation_cache_query_stats(&after);
    /* all but the 64-byte alignment's, and the wide result's where it is aligned beyond the cache's
     * blocks (the natural alignment: 8 bytes on a 32-bit target) */
    if (before.depth != 0)
        ok((after.hits + after.misses) - (before.hits + before.misses) == wide_from_cache + 8,
           "%lu blocks from the cache: %lu\n", (unsigned long)(wide_from_cache + 8),
           (unsigned long)((after.hits + after.misses) - (before.hits + before.misses)));
    REFUSE_CONSTANT_SOURCE(4, 0);
    REFUSE_CONSTANT_SOURCE(4, 3);
    REFUSE_CONSTANT_SOURCE(0, 0);
    REFUSE_CONSTANT_SOURCE(4, 8192);
    /* 2 GB or more, with the cache's hot blocks warm: sizes whose sum with the result's offset
     * wraps to a small block must not be taken for one */
    REFUSE_CONSTANT_SOURCE((size_t)0x80000000u, 1);
    REFUSE_CONSTANT_SOURCE((size_t)-1, 1);
    REFUSE_CONSTANT_SOURCE((size_t)-1 - 31, 1);
    REFUSE_CONSTANT_SOURCE((size_t)-1 - 63, 8);
    ok(kcom_async_operation_create(NULL, NULL, sizeof(ULONG), KCOM_ALIGNOF(ULONG), NULL) == STATUS_INVALID_PARAMETER,
       "NULL operation\n");
    teardown();
}
#undef CHECK_CONSTANT_SOURCE
#undef REFUSE_CONSTANT_SOURCE

/* ---- results of every size ------------------------------------------------------------------------------- */

/* Results that lie right after the operation's own fields are copied by get_result with the size the
 * operation's word keeps (1 to 255 bytes: a BOOLEAN, a USHORT, a small structure), larger ones from
 * the descriptor or the producer's fields: each size back whole, and nothing written past it. */
#define RESULT_SIZES(X) X(1) X(2) X(3) X(4) X(5) X(8) X(12) X(255) X(256) X(300)

#define RESULT_TYPE(n)                                                                                   \
    typedef struct bytes_##n {                                                                          \
        UCHAR b[n];                                                                                     \
    } bytes_##n;
RESULT_SIZES(RESULT_TYPE)
#undef RESULT_TYPE
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes1, bytes_1, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0x01)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes2, bytes_2, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0x02)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes3, bytes_3, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0x03)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes4, bytes_4, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0x04)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes8, bytes_8, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0x08)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes5, bytes_5, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0x05)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes12, bytes_12, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0x0c)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes255, bytes_255, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x93, 0xff)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes256, bytes_256, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x94, 0x00)
KCOM_DECLARE_ASYNC_OPERATION(IAsyncBytes300, bytes_300, 0x7d1e3c53, 0x0a4b, 0x4c6e, 0x91, 0x2d, 0x3e, 0x5f, 0x70, 0x81, 0x94, 0x2c)

typedef struct bytes_state {
    KCOM_TASK_RESUME_POINT;
} bytes_state;

#define RESULT_TASK(n)                                                                                   \
    static kcom_poll_result bytes_poll_##n(void *state, kcom_task_context *cx)                           \
    {                                                                                                    \
        bytes_state *s = (bytes_state *)state;                                                           \
        KCOM_TASK_BEGIN(s);                                                                              \
        fill_pattern(KCOM_TASK_RESULT(cx, bytes_##n).b, n);                                             \
        KCOM_TASK_RETURN(cx, STATUS_SUCCESS);                                                            \
        KCOM_TASK_END(cx);                                                                               \
    }                                                                                                    \
    static const kcom_async_task_desc bytes_desc_##n =                                                   \
        KCOM_ASYNC_TASK_DESC(IAsyncBytes##n, bytes_##n, bytes_state, bytes_poll_##n, NULL);
RESULT_SIZES(RESULT_TASK)
#undef RESULT_TASK

void kcom_test_async_paths_result_sizes(void)
{
    static const size_t alignments[] = {1, 2, 4, 8, 16};
    setup(&counter.allocator);
#define RUN_TASK(n)                                                                                      \
    {                                                                                                    \
        IKcomAsyncOperation *op_ = NULL;                                                                 \
        void *state_ = NULL;                                                                             \
        ok(kcom_async_spawn_begin(&bytes_desc_##n, &manual.executor, NULL, &state_, &op_) == STATUS_SUCCESS && \
               kcom_async_spawn_run(op_) == STATUS_SUCCESS,                                              \
           "task of %d bytes: begun and run\n", n);                                                      \
        if (op_ != NULL)                                                                                 \
            check_result_back(op_, n, "task");                                                           \
    }
    RESULT_SIZES(RUN_TASK)
#undef RUN_TASK
    {
        /* completion sources, the size a run-time value (the library's way), at several alignments */
        static const size_t sizes[] = {1, 2, 3, 4, 5, 8, 12, 255, 256, 300};
        size_t i, j;
        for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            for (j = 0; j < sizeof(alignments) / sizeof(alignments[0]); j++) {
                IKcomAsyncOperation *op = NULL;
                UCHAR value[300];
                size_t volatile size = sizes[i];
                fill_pattern(value, size);
                ok(kcom_async_operation_create(NULL, NULL, size, alignments[j], &op) == STATUS_SUCCESS &&
                       kcom_async_operation_complete(op, value) == STATUS_SUCCESS,
                   "source of %lu bytes aligned to %lu: completed\n", (unsigned long)size,
                   (unsigned long)alignments[j]);
                if (op != NULL)
                    check_result_back(op, size, "source");
            }
        }
    }
    teardown();
}
#undef RESULT_SIZES

/* ---- the operation cache ---------------------------------------------------------------------------------- */

#define CACHE_LIVE 20 /* more than a class keeps (16) */

/* The operation cache's tests start from an empty cache and an object on the platform allocator
 * (the cache's); NULL when the build has no cache (then skipped) or the object could not be made. */
static IPaths *cache_test_begin(kcom_caching_allocator_stats *first)
{
    setup(NULL);
    kcom_async_operation_cache_drain();
    ok(kcom_async_operation_cache_query_stats(first) == STATUS_SUCCESS && first->cached == 0, "drained: %lu\n",
       (unsigned long)first->cached);
    if (first->depth == 0) {
        skip("this build has no operation cache (KCOM_ASYNC_OPERATION_CACHE=0, or AddressSanitizer)\n");
        teardown();
        return NULL;
    }
    return new_paths();
}

void kcom_test_async_paths_cache_reuses_blocks(void)
{
    kcom_caching_allocator_stats first, reused, overflowed, drained;
    IAsyncULONG *ops[CACHE_LIVE];
    IPaths *paths;
    ULONG value = 0, kept;
    int i, good = 0;

    paths = cache_test_begin(&first);
    if (paths == NULL)
        return;
    ok(kcom_async_operation_cache_query_stats(NULL) == STATUS_INVALID_PARAMETER, "NULL stats\n");

    /* one block per call: the first from the platform, the others the same block again */
    for (i = 0; i < 10; i++) {
        IAsyncULONG *op = IPaths_Now(paths, (ULONG)i);
        good += IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == (ULONG)i * 2;
        ok(IAsyncULONG_Release(op) == 0, "released\n");
    }
    ok(good == 10, "%d results right\n", good);
    (void)kcom_async_operation_cache_query_stats(&reused);
    ok((reused.hits + reused.misses) - (first.hits + first.misses) == 10, "10 blocks handed out: %lu\n",
       (unsigned long)((reused.hits + reused.misses) - (first.hits + first.misses)));
    ok(reused.misses - first.misses == 1 && reused.cached == 1, "one from the platform (%lu), kept (%lu)\n",
       (unsigned long)(reused.misses - first.misses), (unsigned long)reused.cached);
    ok(counter.attempts == 0, "the counting allocator was not the default\n");

    /* bounded: of 20 released at once on one thread, its set's slot keeps two and the class's
     * shared cache 16 (the depth less the other sets' slots: 18), and 2 go back to the platform.
     * A thread that moved to another processor meanwhile (not on the host, where a thread is its
     * own processor) took some blocks for that processor's slot, which keeps them too. */
    for (i = 0; i < CACHE_LIVE; i++)
        ops[i] = IPaths_Now(paths, (ULONG)i);
    for (i = 0; i < CACHE_LIVE; i++)
        IAsyncULONG_Release(ops[i]);
    (void)kcom_async_operation_cache_query_stats(&overflowed);
    kept = overflowed.depth - 2 * (KCOM_RT_OPERATION_CACHE_SETS - 1);
    ok(overflowed.cached >= kept && overflowed.cached + (overflowed.overflows - reused.overflows) == CACHE_LIVE &&
           (!KCOM_TARGET_POSIX || overflowed.cached == kept),
       "%lu kept, %lu overflowed\n", (unsigned long)overflowed.cached,
       (unsigned long)(overflowed.overflows - reused.overflows));

    /* every block starts on a cache line (64 bytes), and a class's size is a multiple of one, so
     * the blocks that different processors use never share a line */
    for (i = 0; i < CACHE_LIVE; i++)
        ops[i] = IPaths_Now(paths, (ULONG)i);
    for (i = 0, good = 0; i < CACHE_LIVE; i++)
        good += ((ULONG_PTR)ops[i] & 63) == 0;
    ok(good == CACHE_LIVE, "%d of %d blocks on a cache line\n", good, CACHE_LIVE);
    for (i = 0; i < CACHE_LIVE; i++)
        IAsyncULONG_Release(ops[i]);

    /* a slot's allocator, which its blocks record, serves blocks of its class's size, and takes
     * them back into the slot */
    {
        const kcom_allocator *slot = &kcom_rt_operation_cache_sets[0].slot[1].allocator; /* 128 bytes */
        void *block = slot->allocate(slot->context, 100, 8);
        ok(block != NULL && ((ULONG_PTR)block & 7) == 0, "a block of the slot's class: %p\n", block);
        ok(slot->allocate(slot->context, 129, 8) == NULL && slot->allocate(slot->context, 0, 8) == NULL &&
               slot->allocate(slot->context, 64, 3) == NULL && slot->allocate(slot->context, 64, 32) == NULL,
           "larger, empty, badly aligned and over-aligned requests refused\n");
        if (block != NULL) {
            memset(block, 0xA5, 128);
            slot->free(slot->context, block, 100, 8);
            ok(kcom_atomic_load_ptr(&kcom_rt_operation_cache_sets[0].slot[1].hot) == block, "back in the slot\n");
        }
    }

    kcom_async_operation_cache_drain();
    (void)kcom_async_operation_cache_query_stats(&drained);
    ok(drained.cached == 0, "drained: %lu\n", (unsigned long)drained.cached);
    ok(drops == 10 + 2 * CACHE_LIVE, "every drop ran: %ld\n", (long)drops);
    ok(IPaths_Release(paths) == 0, "object released\n");
    teardown();
}

#if KCOM_TARGET_POSIX
/* The operation cache keeps a slot per processor, which on the host is a slot per thread: a block
 * goes back to the slot it was taken from, whichever thread releases it, so each processor keeps
 * reusing its own blocks (one slot for all had given them out in the order they came back); and a
 * thread whose slot is empty takes a block another one holds before the platform allocates one. */
typedef struct cache_caller {
    IPaths *paths;
    test_barrier *barrier;
    IAsyncULONG *first, *second;
    ULONG first_value, second_value;
    BOOLEAN second_waits; /* calls again after the other caller's second call */
} cache_caller;

static void *cache_calls(void *arg)
{
    cache_caller *caller = (cache_caller *)arg;
    caller->first = IPaths_Now(caller->paths, 1);
    (void)IAsyncULONG_get_result(caller->first, &caller->first_value); /* the main thread releases it */
    test_barrier_wait(caller->barrier); /* both hold a block */
    test_barrier_wait(caller->barrier); /* the main thread released both */
    if (caller->second_waits)
        test_barrier_wait(caller->barrier);
    caller->second = IPaths_Now(caller->paths, 2);
    if (!caller->second_waits)
        test_barrier_wait(caller->barrier);
    (void)IAsyncULONG_get_result(caller->second, &caller->second_value);
    return NULL;
}

static void *cache_call_once(void *arg)
{
    cache_caller *caller = (cache_caller *)arg;
    caller->first = IPaths_Now(caller->paths, 3);
    return NULL;
}

/* A call and its release on a thread of its own; the number the thread has then (its set: the
 * number modulo the sets) in first_value. */
static void *cache_call_numbered(void *arg)
{
    cache_caller *caller = (cache_caller *)arg;
    IAsyncULONG *op = IPaths_Now(caller->paths, 4);
    (void)IAsyncULONG_get_result(op, &caller->second_value);
    (void)IAsyncULONG_Release(op);
    caller->first_value = kcom_rt_thread_hint;
    return NULL;
}
#endif

void kcom_test_async_paths_cache_per_processor(void)
{
#if KCOM_TARGET_POSIX
    kcom_caching_allocator_stats first, released, elsewhere, drained;
    cache_caller callers[2], third;
    test_thread threads[2], thread;
    test_barrier barrier;
    IAsyncULONG *first_blocks[2], *held[CACHE_LIVE];
    IPaths *paths;
    int i;

    paths = cache_test_begin(&first);
    if (paths == NULL)
        return;
    test_barrier_init(&barrier, 3);
    memset(callers, 0, sizeof(callers));
    for (i = 0; i < 2; i++) {
        callers[i].paths = paths;
        callers[i].barrier = &barrier;
        callers[i].second_waits = (BOOLEAN)(i == 1);
        test_thread_start(&threads[i], cache_calls, &callers[i]);
    }
    test_barrier_wait(&barrier);
    first_blocks[0] = callers[0].first;
    first_blocks[1] = callers[1].first;
    /* released in the order that one slot for all would hand back crossed: the first caller's
     * block first, so the second's would be the hot one */
    ok(IAsyncULONG_Release(callers[0].first) == 0 && IAsyncULONG_Release(callers[1].first) == 0, "released\n");
    (void)kcom_async_operation_cache_query_stats(&released);
    ok(released.cached - first.cached == 2, "both kept: %lu\n", (unsigned long)(released.cached - first.cached));
    test_barrier_wait(&barrier);
    test_barrier_wait(&barrier);
    for (i = 0; i < 2; i++) {
        test_thread_join(&threads[i]);
        ok(callers[i].second == first_blocks[i], "caller %d got its own block back (%p, had %p)\n", i,
           (void *)callers[i].second, (void *)first_blocks[i]);
        ok(callers[i].first_value == 2 && callers[i].second_value == 4, "caller %d's results: %lu, %lu\n", i,
           (unsigned long)callers[i].first_value, (unsigned long)callers[i].second_value);
    }
    test_barrier_destroy(&barrier);

    /* a thread new to the cache: its slot is empty, and another slot's block serves it */
    ok(IAsyncULONG_Release(callers[0].second) == 0 && IAsyncULONG_Release(callers[1].second) == 0, "released\n");
    (void)kcom_async_operation_cache_query_stats(&released);
    memset(&third, 0, sizeof(third));
    third.paths = paths;
    test_thread_start(&thread, cache_call_once, &third);
    test_thread_join(&thread);
    (void)kcom_async_operation_cache_query_stats(&elsewhere);
    ok(third.first == first_blocks[0] || third.first == first_blocks[1], "another slot's block: %p\n",
       (void *)third.first);
    ok(elsewhere.misses == released.misses && elsewhere.hits - released.hits == 1 &&
           released.cached - elsewhere.cached == 1,
       "a hit, no miss: %lu hits, %lu misses, %lu cached\n", (unsigned long)(elsewhere.hits - released.hits),
       (unsigned long)(elsewhere.misses - released.misses), (unsigned long)elsewhere.cached);
    ok(IAsyncULONG_Release(third.first) == 0, "released\n");

    /* the drain empties every slot, whichever thread filled it, and counts none of their blocks
     * as overflows (its class's shared cache full already: 16 blocks, and 2 in a slot) */
    for (i = 0; i < CACHE_LIVE; i++)
        held[i] = IPaths_Now(paths, (ULONG)i);
    for (i = 0; i < CACHE_LIVE; i++)
        IAsyncULONG_Release(held[i]);
    (void)kcom_async_operation_cache_query_stats(&released);
    kcom_async_operation_cache_drain();
    (void)kcom_async_operation_cache_query_stats(&drained);
    ok(drained.cached == 0 && drained.overflows == released.overflows, "drained: %lu, %lu overflows more\n",
       (unsigned long)drained.cached, (unsigned long)(drained.overflows - released.overflows));

    /* threads come and go: however many have had a number, a new thread gets one of its own at its
     * first call, never the set a thread without a number starts in (where it would stay, with
     * every other new thread, as long as it found a block there) */
    for (i = 0; i < 2 * KCOM_RT_OPERATION_CACHE_SETS; i++) {
        memset(&third, 0, sizeof(third));
        third.paths = paths;
        test_thread_start(&thread, cache_call_numbered, &third);
        test_thread_join(&thread);
        if (third.first_value == 0 || (third.first_value & (KCOM_RT_OPERATION_CACHE_SETS - 1)) == 0 ||
            third.second_value != 8)
            break;
    }
    ok(i == 2 * KCOM_RT_OPERATION_CACHE_SETS, "thread %d of %d: number %lu, result %lu\n", i,
       2 * KCOM_RT_OPERATION_CACHE_SETS, (unsigned long)third.first_value, (unsigned long)third.second_value);
    kcom_async_operation_cache_drain();
    ok(IPaths_Release(paths) == 0, "object released\n");
    teardown();
#else
    skip("the host's threads stand in for processors; elsewhere a thread may run on any processor\n");
#endif
}

/* Another default allocator sees every block: the cache is never in front of it. */
void kcom_test_async_paths_cache_not_in_front_of_others(void)
{
    kcom_caching_allocator_stats before, after;
    IPaths *paths;
    int i;

    setup(&counter.allocator);
    paths = new_paths();
    if (paths == NULL)
        return;
    (void)kcom_async_operation_cache_query_stats(&before);
    for (i = 0; i < 5; i++) {
        LONG attempts = counter.attempts;
        IAsyncULONG *op = IPaths_Now(paths, 1);
        ok(counter.attempts - attempts == 1, "one allocation for a call that completes at once\n");
        IAsyncULONG_Release(op);
        ok(kcom_counting_allocator_live(&counter) == 1, "the block freed at once (the object's left)\n");
    }
    (void)kcom_async_operation_cache_query_stats(&after);
    ok(after.hits == before.hits && after.misses == before.misses, "the cache was not involved\n");
    IPaths_Release(paths);
    teardown();
}

/* ---- the class's allocator ----------------------------------------------------------------------------- */

void kcom_test_async_paths_class_allocators(void)
{
    PathsOwn *own = NULL;
    PathsCached *cached = NULL;
    kcom_caching_allocator_stats cache_stats;
    IAsyncULONG *op;
    ULONG value = 0;
    LONG attempts;

    setup(NULL);
    kcom_set_default_allocator(&counter.allocator);
    kcom_counting_allocator_init(&own_counter, NULL);
    kcom_counting_allocator_init(&backing_counter, NULL);

    ok(KCOM_NEW(PathsOwn, NULL, &own) == STATUS_SUCCESS, "PathsOwn\n");
    attempts = own_counter.attempts;
    op = IPaths_Now(&own->IPaths_iface, 4);
    ok(own_counter.attempts - attempts == 1 && counter.attempts == 0, "from the class's allocator: %ld, default %ld\n",
       (long)(own_counter.attempts - attempts), (long)counter.attempts);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 8, "value %lu\n", (unsigned long)value);
    IAsyncULONG_Release(op);
    ok(kcom_counting_allocator_live(&own_counter) == 1, "freed to it\n");

    /* the class's allocator fails: an error operation from it, or the static one */
    kcom_counting_allocator_fail_nth(&own_counter, 1);
    op = IPaths_Now(&own->IPaths_iface, 4);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_INSUFFICIENT_RESOURCES, "out of memory\n");
    IAsyncULONG_Release(op);
    kcom_counting_allocator_fail_nth(&own_counter, 0);
    ok(kcom_counting_allocator_live(&own_counter) == 1, "nothing left\n");
    ok(IPaths_Release(&own->IPaths_iface) == 0 && kcom_counting_allocator_live(&own_counter) == 0, "object freed\n");

    ok(KCOM_NEW(PathsCached, NULL, &cached) == STATUS_SUCCESS, "PathsCached\n");
    attempts = backing_counter.attempts;
    op = IPaths_Now(&cached->IPaths_iface, 5);
    ok(backing_counter.attempts - attempts == 1, "from the allocator behind the class's cache\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 10, "value %lu\n", (unsigned long)value);
    IAsyncULONG_Release(op);
    ok(kcom_caching_allocator_query_stats(&paths_cache, &cache_stats) == STATUS_SUCCESS && cache_stats.bypassed == 0,
       "not passed through the class's cache: %lu\n", (unsigned long)cache_stats.bypassed);
    ok(IPaths_Release(&cached->IPaths_iface) == 0, "released\n");
    kcom_caching_allocator_drain(&paths_cache);
    ok(kcom_counting_allocator_live(&backing_counter) == 0, "nothing left behind the cache\n");
    teardown();
}

/* A caching allocator for PathsCached's operations (KCOM_CLASS_SET_OPERATION_ALLOCATOR), next to the
 * one for its objects. */
static kcom_caching_allocator paths_op_cache =
    KCOM_CACHING_ALLOCATOR_INIT_BACKED(paths_op_cache, 2, &backing_counter.allocator);

static void check_op_cache(ULONG hits, ULONG misses, ULONG bypassed, ULONG cached)
{
    kcom_caching_allocator_stats stats;
    ok(kcom_caching_allocator_query_stats(&paths_op_cache, &stats) == STATUS_SUCCESS && stats.hits == hits &&
           stats.misses == misses && stats.bypassed == bypassed && stats.cached == cached,
       "operation cache: %lu hits (%lu), %lu misses (%lu), %lu bypassed (%lu), %lu cached (%lu)\n",
       (unsigned long)stats.hits, (unsigned long)hits, (unsigned long)stats.misses, (unsigned long)misses,
       (unsigned long)stats.bypassed, (unsigned long)bypassed, (unsigned long)stats.cached, (unsigned long)cached);
}

static void expect_now(PathsCached *cached, ULONG value)
{
    ULONG result = 0;
    IAsyncULONG *op = IPaths_Now(&cached->IPaths_iface, value);
    ok(IAsyncULONG_get_result(op, &result) == STATUS_SUCCESS && result == value * 2, "value %lu\n",
       (unsigned long)result);
    ok(IAsyncULONG_Release(op) == 0, "released\n");
}

void kcom_test_async_paths_operation_allocator(void)
{
    PathsCached *cached = NULL;
    kcom_caching_allocator_stats class_stats;
    ULONG class_requests;
    LONG attempts;
    void *other;

    setup(&counter.allocator);
    kcom_counting_allocator_init(&backing_counter, NULL);
    ok(kcom_caching_allocator_init(&paths_op_cache, 2, &backing_counter.allocator) == STATUS_SUCCESS, "init\n");
    memset(&class_stats, 0, sizeof(class_stats));
    (void)kcom_caching_allocator_query_stats(&paths_cache, &class_stats);
    class_requests = class_stats.hits + class_stats.misses;
    ok(KCOM_NEW(PathsCached, NULL, &cached) == STATUS_SUCCESS, "PathsCached\n");
    if (cached == NULL)
        return;
    KCOM_CLASS_SET_OPERATION_ALLOCATOR(PathsCached, &paths_op_cache.allocator);

    /* the first operation misses and fixes the cache's size; the next ones reuse its block */
    attempts = backing_counter.attempts;
    expect_now(cached, 3);
    check_op_cache(0, 1, 0, 1);
    expect_now(cached, 4);
    expect_now(cached, 5);
    check_op_cache(2, 1, 0, 1);
    ok(backing_counter.attempts - attempts == 1, "%ld allocations behind the cache\n",
       (long)(backing_counter.attempts - attempts));
    ok(counter.attempts == 0, "nothing from the default allocator: %ld\n", (long)counter.attempts);
    memset(&class_stats, 0, sizeof(class_stats));
    (void)kcom_caching_allocator_query_stats(&paths_cache, &class_stats);
    ok(class_stats.bypassed == 0 && class_stats.hits + class_stats.misses == class_requests + 1,
       "the objects' cache saw only the object: %lu bypassed, %lu hits, %lu misses\n",
       (unsigned long)class_stats.bypassed, (unsigned long)class_stats.hits, (unsigned long)class_stats.misses);

    /* NULL: the class's allocator again (its object cache passes operations to its backing one) */
    KCOM_CLASS_SET_OPERATION_ALLOCATOR(PathsCached, NULL);
    attempts = backing_counter.attempts;
    expect_now(cached, 6);
    ok(backing_counter.attempts - attempts == 1, "to the allocator behind the class's cache\n");
    check_op_cache(2, 1, 0, 1);

    /* a cache bound to another size: operations go to its backing allocator, not through it */
    ok(kcom_caching_allocator_drain(&paths_op_cache) == STATUS_SUCCESS, "drain\n");
    ok(kcom_caching_allocator_init(&paths_op_cache, 2, &backing_counter.allocator) == STATUS_SUCCESS, "again\n");
    other = kcom_allocate(&paths_op_cache.allocator, 8, 8);
    ok(other != NULL, "a block of 8 bytes binds it\n");
    KCOM_CLASS_SET_OPERATION_ALLOCATOR(PathsCached, &paths_op_cache.allocator);
    attempts = backing_counter.attempts;
    expect_now(cached, 7);
    ok(backing_counter.attempts - attempts == 1, "from the backing allocator\n");
    check_op_cache(0, 1, 0, 0);
    kcom_free(&paths_op_cache.allocator, other, 8, 8);

    KCOM_CLASS_SET_OPERATION_ALLOCATOR(PathsCached, NULL);

    /* an allocator or an executor without its functions is refused, and nothing changes */
    {
        kcom_allocator no_functions;
        kcom_executor no_schedule;
        memset(&no_functions, 0, sizeof(no_functions));
        memset(&no_schedule, 0, sizeof(no_schedule));
        ok(KCOM_CLASS_SET_OPERATION_ALLOCATOR(PathsCached, &no_functions) == STATUS_INVALID_PARAMETER,
           "an allocator without functions\n");
        ok(KCOM_CLASS_SET_EXECUTOR(PathsCached, &no_schedule) == STATUS_INVALID_PARAMETER,
           "an executor without schedule\n");
        attempts = backing_counter.attempts;
        expect_now(cached, 8);
        ok(backing_counter.attempts - attempts == 1, "still the class's allocator\n");
        ok(KCOM_CLASS_SET_EXECUTOR(PathsCached, NULL) == STATUS_SUCCESS, "the default executor\n");
        ok(KCOM_CLASS_SET_OPERATION_ALLOCATOR(PathsCached, NULL) == STATUS_SUCCESS, "the class's allocator\n");
    }
    ok(IPaths_Release(&cached->IPaths_iface) == 0, "released\n");
    kcom_caching_allocator_drain(&paths_op_cache);
    kcom_caching_allocator_drain(&paths_cache);
    ok(kcom_counting_allocator_live(&backing_counter) == 0, "nothing left: %ld\n",
       (long)kcom_counting_allocator_live(&backing_counter));
    teardown();
}

/* ---- the first poll's outcomes ---------------------------------------------------------------------------- */

static void expect_end(IPaths *paths, NTSTATUS start, NTSTATUS end, kcom_async_status status, NTSTATUS result)
{
    ULONG value = 5;
    kcom_async_status st = KCOM_ASYNC_STARTED;
    IAsyncULONG *op;
    LONG before = drops;
    op = IPaths_Finish(paths, start, end);
    ok(IAsyncULONG_get_status(op, &st) == STATUS_SUCCESS && st == status, "start %s, end %s: status %ld\n",
       kcom_status_name(start), kcom_status_name(end), (long)st);
    ok(IAsyncULONG_get_result(op, &value) == result, "result %s\n",
       kcom_status_name(IAsyncULONG_get_result(op, &value)));
    ok(value == (result == STATUS_SUCCESS ? 77u : 5u), "value %lu\n", (unsigned long)value);
    ok(drops - before == 1, "one drop\n");
    ok(refs_of(paths) == 1, "no reference left on the object\n");
    ok(manual.scheduled == 0, "never scheduled\n");
    ok(kcom_async_spawn_run(IAsyncULONG_generic(op)) == STATUS_INVALID_DEVICE_STATE, "committed already\n");
    ok(kcom_async_operation_complete(IAsyncULONG_generic(op), &value) == STATUS_INVALID_DEVICE_STATE,
       "finished by its task, not a producer\n");
    ok(IAsyncULONG_cancel(op) == STATUS_INVALID_DEVICE_STATE, "finished: no cancel\n");
    ok(IAsyncULONG_Release(op) == 0, "released\n");
}

void kcom_test_async_paths_first_poll_outcomes(void)
{
    IPaths *paths;
    setup(&counter.allocator);
    paths = new_paths();
    if (paths == NULL)
        return;
    expect_end(paths, STATUS_SUCCESS, STATUS_SUCCESS, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS);
    expect_end(paths, STATUS_SUCCESS, STATUS_NOT_FOUND, KCOM_ASYNC_ERROR, STATUS_NOT_FOUND);
    expect_end(paths, STATUS_SUCCESS, STATUS_CANCELLED, KCOM_ASYNC_CANCELED, STATUS_CANCELLED);
    expect_end(paths, STATUS_ACCESS_DENIED, STATUS_SUCCESS, KCOM_ASYNC_ERROR, STATUS_ACCESS_DENIED);
    expect_end(paths, STATUS_CANCELLED, STATUS_SUCCESS, KCOM_ASYNC_CANCELED, STATUS_CANCELLED);
    ok(IPaths_Release(paths) == 0, "object released\n");
    teardown();
}

/* The first poll yields: woken while it runs, the task is scheduled once, with the object held. */
void kcom_test_async_paths_woken_during_first_poll(void)
{
    IPaths *paths;
    IAsyncULONG *op;
    callback_record record = {0};
    ULONG value = 0;

    setup(&counter.allocator);
    paths = new_paths();
    if (paths == NULL)
        return;
    op = IPaths_Requeue(paths, 41);
    ok(manual.scheduled == 1 && manual_queued(&manual) == 1, "scheduled once: %ld\n", (long)manual.scheduled);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_PENDING, "pending\n");
    ok(refs_of(paths) == 2, "the work holds the object: %ld\n", (long)refs_of(paths));
    ok(IKcomAsyncOperation_set_completed(IAsyncULONG_generic(op), record_callback, &record) == STATUS_SUCCESS,
       "callback set\n");
    ok(IPaths_Release(paths) == 1, "the caller lets go\n");
    ok(manual_run(&manual) == 1, "one more poll\n");
    ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 42, "value %lu\n", (unsigned long)value);
    ok(record.calls == 1 && record.status == KCOM_ASYNC_COMPLETED, "callback once\n");
    ok(drops == 1, "one drop\n");
    ok(IAsyncULONG_Release(op) == 0, "released\n");
    ok(kcom_counting_allocator_live(&counter) == 0, "the object went with its work\n");

    /* refused by the executor when it is woken: Error with the executor's status, object released */
    paths = new_paths();
    if (paths == NULL)
        return;
    manual.refuse = STATUS_DELETE_PENDING;
    op = IPaths_Requeue(paths, 1);
    ok(IAsyncULONG_get_result(op, &value) == STATUS_DELETE_PENDING, "refused: %s\n",
       kcom_status_name(IAsyncULONG_get_result(op, &value)));
    ok(drops == 2 && refs_of(paths) == 1, "dropped, object reference returned\n");
    IAsyncULONG_Release(op);
    manual.refuse = STATUS_SUCCESS;
    IPaths_Release(paths);
    teardown();
}

/* ---- racing the publication ---------------------------------------------------------------------------- */

#define HANDOFF_CALLS 2000

void kcom_test_async_paths_first_poll_races_a_wake(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    test_thread helper;
    IPaths *paths;
    int i, good = 0, finished = 0;

    setup(NULL); /* the platform allocator: through the operation cache where there is one */
    if (!test_pool_start(2, &pool, &executor)) {
        teardown();
        return;
    }
    memset(&box, 0, sizeof(box));
    test_mutex_init(&box.mutex);
    test_thread_start(&helper, handoff_thread, NULL);
    kcom_set_default_executor(executor);
    paths = new_paths();
    if (paths != NULL) {
        for (i = 0; i < HANDOFF_CALLS; i++) {
            ULONG value = 0;
            IAsyncULONG *op = IPaths_Handoff(paths, (ULONG)i);
            finished += kcom_async_block_on(IAsyncULONG_generic(op), 5000) == STATUS_SUCCESS;
            good += IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == (ULONG)i + 3;
            IAsyncULONG_Release(op);
        }
        ok(finished == HANDOFF_CALLS && good == HANDOFF_CALLS, "%d finished, %d right\n", finished, good);
        ok(refs_of(paths) == 1, "every reference on the object returned: %ld\n", (long)refs_of(paths));
        ok(IPaths_Release(paths) == 0, "object released\n");
    }
    kcom_atomic_store(&box.stop, 1);
    test_thread_join(&helper);
    kcom_waker_drop(&box.waker);
    test_mutex_destroy(&box.mutex);
    kcom_set_default_executor(&manual.executor);
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "drained\n");
    ok(drops == HANDOFF_CALLS, "one drop per call: %ld\n", (long)drops);
    kcom_async_operation_cache_drain();
    teardown();
}

/* ---- kcom_async_spawn_run: inline and in the library ------------------------------------------------ */

/* What a hand-built task's first poll does (run_task.mode); the task sees its own operation. */
enum run_mode {
    RUN_READY,          /* the value, doubled */
    RUN_FAIL,           /* STATUS_NOT_FOUND */
    RUN_CANCELLED,      /* STATUS_CANCELLED */
    RUN_CALLBACK,       /* registers a completion callback on its operation, then the value */
    RUN_CANCEL_SELF,    /* cancels its operation, then returns the value anyway */
    RUN_WAIT,           /* leaves a waker in *waker and returns PENDING; the second poll returns the value */
    RUN_YIELD,          /* KCOM_YIELD: woken during the first poll; the value at the second */
    RUN_SPIN,           /* the value, after a while (the races below) */
    RUN_HANDOFF,        /* hands its waker to another thread, which wakes it during the poll or after */
    RUN_KEEP,           /* leaves a waker in *waker, and the value */
    RUN_CANCEL_ALL      /* cancels every task of run_cancel_tracker, then as RUN_WAIT */
};

typedef struct run_task {
    KCOM_TASK_RESUME_POINT;
    int mode;
    ULONG value;
    IKcomAsyncOperation *self;
    callback_record *record;
    kcom_waker *waker;
    int handed;
} run_task;

static LONG volatile run_drops;
static kcom_waker run_waker; /* RUN_WAIT's, woken by the test before the next */
static kcom_tracker *run_cancel_tracker; /* RUN_CANCEL_ALL's */

static kcom_poll_result run_poll(void *state, kcom_task_context *cx)
{
    run_task *s = (run_task *)state;
    KCOM_TASK_BEGIN(s);
    if (s->mode == RUN_FAIL)
        KCOM_TASK_RETURN(cx, STATUS_NOT_FOUND);
    if (s->mode == RUN_CANCELLED)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    if (s->mode == RUN_CALLBACK)
        (void)IKcomAsyncOperation_set_completed(s->self, record_callback, s->record);
    if (s->mode == RUN_CANCEL_SELF)
        (void)IKcomAsyncOperation_cancel(s->self);
    if (s->mode == RUN_CANCEL_ALL)
        (void)kcom_tracker_cancel_all(run_cancel_tracker);
    if (s->mode == RUN_WAIT || s->mode == RUN_CANCEL_ALL) {
        *s->waker = kcom_task_waker(cx);
        KCOM_AWAIT(s->waker->task != NULL ? KCOM_POLL_PENDING : KCOM_POLL_READY);
    }
    if (s->mode == RUN_YIELD)
        KCOM_YIELD(cx);
    if (s->mode == RUN_SPIN) {
        volatile int i;
        for (i = 0; i < 200; i++) {
        }
    }
    if (s->mode == RUN_HANDOFF)
        KCOM_AWAIT(s->handed++ ? KCOM_POLL_READY : handoff_put(cx));
    if (s->mode == RUN_KEEP)
        *s->waker = kcom_task_waker(cx);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, s->value * 2);
    KCOM_TASK_END(cx);
}

static void run_drop(void *state)
{
    run_task *s = (run_task *)state;
    if (s->mode != RUN_KEEP) /* the test drops RUN_KEEP's; the others have none, unless dropped waiting */
        kcom_waker_drop(s->waker);
    kcom_atomic_fetch_add(&run_drops, 1);
}

static const kcom_async_task_desc run_desc = KCOM_ASYNC_TASK_DESC(IAsyncULONG, ULONG, run_task, run_poll, run_drop);
/* The same task, its descriptor KCOM_ASYNC_TASK's: the library's spawn functions call its own. */
KCOM_ASYNC_TASK(run_generated, IAsyncULONG, ULONG, run_task, run_poll, run_drop)

typedef NTSTATUS run_fn(IKcomAsyncOperation *operation);

/* The library's, called as the inline function calls it for what it does not do itself. */
static NTSTATUS run_in_library(IKcomAsyncOperation *operation)
{
    return kcom_rt_async_spawn_run(operation);
}

static NTSTATUS run_inline(IKcomAsyncOperation *operation)
{
    return kcom_async_spawn_run(operation);
}

/* What one first poll must come to, whichever function runs it. */
typedef struct run_expect {
    int mode;
    NTSTATUS run;             /* kcom_async_spawn_run's status */
    LONG scheduled;           /* schedules it led to */
    kcom_async_status status; /* the operation's, after the work that follows (a wake, a second poll) */
    NTSTATUS result;          /* get_result's */
    LONG calls;               /* completion callbacks */
} run_expect;

/* Caller storage for a run_task; pointer-aligned, as kcom_async_spawn_begin_in asks. */
typedef union run_storage {
    void *align;
    unsigned char bytes[KCOM_ASYNC_STORAGE_SIZE(sizeof(ULONG), sizeof(run_task))];
} run_storage;

/* Begins a run_task in storage (NULL: allocated by the counting allocator) on executor; NULL and
 * a failed check when refused. */
static IKcomAsyncOperation *run_begin(const kcom_async_task_desc *desc, const kcom_executor *executor,
                                      run_storage *storage, int mode, callback_record *record, run_task **task)
{
    IKcomAsyncOperation *op = NULL;
    void *state = NULL;
    NTSTATUS status = storage != NULL
                          ? kcom_async_spawn_begin_in(desc, executor, storage, sizeof(*storage), &state, &op)
                          : kcom_async_spawn_begin(desc, executor, &counter.allocator, &state, &op);
    ok(status == STATUS_SUCCESS && state != NULL, "begun: %s\n", kcom_status_name(status));
    if (status != STATUS_SUCCESS || state == NULL) {
        if (op != NULL)
            IKcomAsyncOperation_Release(op);
        return NULL;
    }
    *task = (run_task *)state;
    (*task)->mode = mode;
    (*task)->value = 20;
    (*task)->self = op;
    (*task)->record = record;
    (*task)->waker = &run_waker;
    return op;
}

/* One mode through one run function, from one kind of block, with or without a callback
 * registered before the run, checked against e. */
static void run_case(run_fn *run, const char *via, const kcom_async_task_desc *desc, const kcom_executor *executor,
                     const run_expect *e, BOOLEAN in_storage, BOOLEAN callback_first)
{
    run_storage storage;
    callback_record record;
    run_task *task = NULL;
    IKcomAsyncOperation *op;
    kcom_async_status status = KCOM_ASYNC_STARTED;
    ULONG value = 0;
    LONG drops_before = run_drops, scheduled_before = manual.scheduled, calls = e->calls;
    NTSTATUS ran, result;
    memset(&storage, 0, sizeof(storage));
    memset(&record, 0, sizeof(record));
    op = run_begin(desc, executor, in_storage ? &storage : NULL, e->mode, &record, &task);
    if (op == NULL)
        return;
    if (callback_first) {
        ok(IKcomAsyncOperation_set_completed(op, record_callback, &record) == STATUS_SUCCESS, "callback set\n");
        calls = 1; /* the poll's own registration (RUN_CALLBACK) is then refused */
    }
    ran = run(op);
    ok(ran == e->run, "%s, mode %d: run %s\n", via, e->mode, kcom_status_name(ran));
    ok(manual.scheduled - scheduled_before == e->scheduled, "%s, mode %d: %ld schedules\n", via, e->mode,
       (long)(manual.scheduled - scheduled_before));
    if (e->mode == RUN_WAIT) {
        ok(IKcomAsyncOperation_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_STARTED,
           "%s: waiting\n", via);
        ok(run_drops == drops_before && run_waker.task != NULL, "%s: not dropped while it waits\n", via);
        kcom_waker_wake(&run_waker);
        ok(manual.scheduled - scheduled_before == 1, "%s: scheduled by the wake\n", via);
    }
    (void)manual_run(&manual);
    ok(IKcomAsyncOperation_get_status(op, &status) == STATUS_SUCCESS && status == e->status,
       "%s, mode %d: status %d\n", via, e->mode, (int)status);
    result = IKcomAsyncOperation_get_result(op, &value);
    ok(result == e->result && (result != STATUS_SUCCESS || value == 40), "%s, mode %d: get_result %s, %lu\n", via,
       e->mode, kcom_status_name(result), (unsigned long)value);
    ok(run_drops - drops_before == 1, "%s, mode %d: %ld drops\n", via, e->mode, (long)(run_drops - drops_before));
    ok(record.calls == calls && record.mismatches == 0 && (calls == 0 || record.status == (LONG)e->status),
       "%s, mode %d: %ld callbacks\n", via, e->mode, (long)record.calls);
    ran = run(op);
    ok(ran == STATUS_INVALID_DEVICE_STATE, "%s, mode %d: run again: %s\n", via, e->mode, kcom_status_name(ran));
    ok(IKcomAsyncOperation_Release(op) == 0, "%s, mode %d: released\n", via, e->mode);
    if (in_storage)
        ok(!kcom_async_storage_in_use(&storage), "%s, mode %d: storage free\n", via, e->mode);
}

static const run_expect run_expects[] = {
    {RUN_READY, STATUS_SUCCESS, 0, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 0},
    {RUN_FAIL, STATUS_SUCCESS, 0, KCOM_ASYNC_ERROR, STATUS_NOT_FOUND, 0},
    {RUN_CANCELLED, STATUS_SUCCESS, 0, KCOM_ASYNC_CANCELED, STATUS_CANCELLED, 0},
    {RUN_CALLBACK, STATUS_SUCCESS, 0, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 1},
    {RUN_CANCEL_SELF, STATUS_SUCCESS, 0, KCOM_ASYNC_CANCELED, STATUS_CANCELLED, 0},
    {RUN_WAIT, STATUS_SUCCESS, 0, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 0},
    {RUN_YIELD, STATUS_SUCCESS, 1, KCOM_ASYNC_COMPLETED, STATUS_SUCCESS, 0},
};

/* Every outcome of a hand-built task's first poll, through the inline kcom_async_spawn_run and
 * through the library's function it falls back to, in caller storage and allocated, with and
 * without a callback registered before the run, and over a descriptor without a layout (the
 * library's alone): the same answers. Then what the inline function leaves to the library: an
 * executor's refusal after a yield, a tracker, an operation canceled before its run. */
void kcom_test_async_paths_run_outcomes(void)
{
    static const struct {
        run_fn *run;
        const char *via;
    } runs[] = {{run_inline, "inline"}, {run_in_library, "library"}};
    /* the same task, its layout left to the library */
    kcom_async_task_desc by_hand = {run_poll, run_drop, sizeof(run_task), KCOM_ALIGNOF(run_task),
                                    sizeof(ULONG), KCOM_ALIGNOF(ULONG), &IID_IAsyncULONG, 0, 0, 0, 0, NULL};
    size_t r, i;
    int where, first;
    setup(&counter.allocator);
    run_drops = 0;
    for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
        for (i = 0; i < sizeof(run_expects) / sizeof(run_expects[0]); i++)
            for (where = 0; where < 2; where++)
                for (first = 0; first < 2; first++) {
                    run_case(runs[r].run, runs[r].via, &run_desc, &manual.executor, &run_expects[i], (BOOLEAN)where,
                             (BOOLEAN)first);
                    run_case(runs[r].run, runs[r].via, &by_hand, &manual.executor, &run_expects[i], (BOOLEAN)where,
                             (BOOLEAN)first);
                }
    for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        run_task *task = NULL;
        kcom_tracker *tracker = NULL;
        kcom_executor tracked = manual.executor;
        kcom_async_status status = KCOM_ASYNC_STARTED;
        ULONG value = 0;
        LONG drops_before = run_drops;
        IKcomAsyncOperation *op;
        NTSTATUS ran;

        /* woken during the first poll, refused by the executor: the refusal, Error with it */
        manual.refuse = STATUS_DELETE_PENDING;
        op = run_begin(&run_desc, &manual.executor, NULL, RUN_YIELD, NULL, &task);
        if (op != NULL) {
            ran = runs[r].run(op);
            ok(ran == STATUS_DELETE_PENDING, "%s: the refusal: %s\n", runs[r].via, kcom_status_name(ran));
            ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_DELETE_PENDING && run_drops == drops_before + 1,
               "%s: Error with it, dropped\n", runs[r].via);
            IKcomAsyncOperation_Release(op);
        }
        manual.refuse = STATUS_SUCCESS;

        /* canceled before its run: the poll takes the request */
        op = run_begin(&run_desc, &manual.executor, NULL, RUN_READY, NULL, &task);
        if (op != NULL) {
            ok(IKcomAsyncOperation_cancel(op) == STATUS_SUCCESS, "%s: canceled before the run\n", runs[r].via);
            ran = runs[r].run(op);
            ok(ran == STATUS_SUCCESS, "%s: run after a cancel: %s\n", runs[r].via, kcom_status_name(ran));
            ok(IKcomAsyncOperation_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_CANCELED &&
                   run_drops == drops_before + 2,
               "%s: Canceled (%d), dropped\n", runs[r].via, (int)status);
            IKcomAsyncOperation_Release(op);
        }

        /* counted by a tracker while it runs, not after */
        ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "tracker\n");
        if (tracker == NULL)
            continue;
        tracked.tracker = tracker;
        op = run_begin(&run_desc, &tracked, NULL, RUN_WAIT, NULL, &task);
        if (op != NULL) {
            ok(kcom_tracker_outstanding(tracker) == 1, "%s: counted\n", runs[r].via);
            ok(runs[r].run(op) == STATUS_SUCCESS && kcom_tracker_outstanding(tracker) == 1, "%s: waiting, counted\n",
               runs[r].via);
            kcom_waker_wake(&run_waker);
            (void)manual_run(&manual);
            ok(IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 40, "%s: 40\n", runs[r].via);
            ok(kcom_tracker_outstanding(tracker) == 0, "%s: no longer counted\n", runs[r].via);
            IKcomAsyncOperation_Release(op);
        }
        ok(kcom_tracker_drain(tracker, 1000) == STATUS_SUCCESS, "drained\n");
        kcom_tracker_destroy(tracker);
    }
    teardown();
}

/* kcom_async_spawn_commit and the first poll, which the executor runs. */
static NTSTATUS commit_then_poll(IKcomAsyncOperation *operation)
{
    NTSTATUS status = kcom_async_spawn_commit(operation);
    (void)manual_run_some(&manual, 1);
    return status;
}

static kcom_async_status status_now(IKcomAsyncOperation *op)
{
    kcom_async_status status = KCOM_ASYNC_ERROR;
    (void)IKcomAsyncOperation_get_status(op, &status);
    return status;
}

/* A task begun on an executor with a tracker is counted from its begin, and a cancel-all between
 * its begin and its run or commit, during its first poll, or after it reaches it: canceled at its
 * first poll, or as soon as that poll leaves it pending (it is listed only then, or at its commit:
 * work ready at a first poll on its caller never takes the tracker's lock). Each way: the inline
 * run, the library's, and a commit. */
void kcom_test_async_paths_begun_tracked(void)
{
    static const struct {
        run_fn *run;
        const char *via;
    } ways[] = {{run_inline, "inline run"}, {run_in_library, "library run"}, {commit_then_poll, "commit"}};
    run_storage storage;
    size_t w;
    setup(&counter.allocator);
    memset(&storage, 0, sizeof(storage));
    for (w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
        const char *via = ways[w].via;
        kcom_executor tracked = manual.executor;
        kcom_tracker *tracker = NULL;
        run_task *task = NULL;
        ULONG value = 0;
        LONG drops_before = run_drops;
        IKcomAsyncOperation *op;
        NTSTATUS ran;
        int in_storage;
        ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "tracker\n");
        if (tracker == NULL)
            continue;
        tracked.tracker = tracker;
        run_cancel_tracker = tracker;

        for (in_storage = 0; in_storage < 2; in_storage++) {
            run_storage *where = in_storage ? &storage : NULL;
            /* ready: counted from the begin until its work ended */
            drops_before = run_drops;
            op = run_begin(&run_desc, &tracked, where, RUN_READY, NULL, &task);
            if (op != NULL) {
                ok(kcom_tracker_outstanding(tracker) == 1, "%s: counted from the begin\n", via);
                ran = ways[w].run(op);
                ok(ran == STATUS_SUCCESS && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
                       value == 40 && run_drops == drops_before + 1 && kcom_tracker_outstanding(tracker) == 0,
                   "%s: ready, 40, no longer counted: %s\n", via, kcom_status_name(ran));
                ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", via);
            }

            /* a cancel-all between the begin and the run: the first poll finds the request */
            op = run_begin(&run_desc, &tracked, where, RUN_READY, NULL, &task);
            if (op != NULL) {
                ok(kcom_tracker_cancel_all(tracker) == STATUS_SUCCESS, "%s: cancel all\n", via);
                ran = ways[w].run(op);
                ok(ran == STATUS_SUCCESS && status_now(op) == KCOM_ASYNC_CANCELED && run_drops == drops_before + 2 &&
                       kcom_tracker_outstanding(tracker) == 0,
                   "%s: canceled before its first poll: %s, status %d, %ld outstanding\n", via,
                   kcom_status_name(ran), (int)status_now(op), (long)kcom_tracker_outstanding(tracker));
                ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", via);
            }

            /* a cancel-all after a first poll that left it waiting: it is canceled there */
            op = run_begin(&run_desc, &tracked, where, RUN_WAIT, NULL, &task);
            if (op != NULL) {
                ok(ways[w].run(op) == STATUS_SUCCESS && status_now(op) == KCOM_ASYNC_STARTED &&
                       kcom_tracker_outstanding(tracker) == 1,
                   "%s: waiting, counted\n", via);
                ok(kcom_tracker_cancel_all(tracker) == STATUS_SUCCESS && status_now(op) == KCOM_ASYNC_CANCELED,
                   "%s: a waiting task is canceled: status %d\n", via, (int)status_now(op));
                kcom_waker_wake(&run_waker);
                (void)manual_run(&manual);
                ok(run_drops == drops_before + 3 && kcom_tracker_outstanding(tracker) == 0,
                   "%s: ended, no longer counted\n", via);
                ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", via);
            }

            /* a cancel-all during the first poll, which then leaves it waiting */
            op = run_begin(&run_desc, &tracked, where, RUN_CANCEL_ALL, NULL, &task);
            if (op != NULL) {
                ran = ways[w].run(op);
                ok(ran == STATUS_SUCCESS && status_now(op) == KCOM_ASYNC_CANCELED,
                   "%s: canceled during its first poll: %s, status %d\n", via, kcom_status_name(ran),
                   (int)status_now(op));
                (void)manual_run(&manual); /* the cancel's wake: still waiting for its waker */
                kcom_waker_wake(&run_waker);
                (void)manual_run(&manual);
                ok(run_drops == drops_before + 4 && kcom_tracker_outstanding(tracker) == 0,
                   "%s: ended, no longer counted\n", via);
                ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", via);
            }

            /* begun, then released or abandoned without a poll: its drop runs, it leaves */
            op = run_begin(&run_desc, &tracked, where, RUN_READY, NULL, &task);
            if (op != NULL) {
                ok(IKcomAsyncOperation_Release(op) == 0 && run_drops == drops_before + 5 &&
                       kcom_tracker_outstanding(tracker) == 0,
                   "%s: released unrun, dropped, no longer counted\n", via);
            }
            op = run_begin(&run_desc, &tracked, where, RUN_READY, NULL, &task);
            if (op != NULL) {
                ok(kcom_async_spawn_abandon(op, STATUS_NOT_FOUND) == STATUS_SUCCESS && run_drops == drops_before + 6 &&
                       kcom_tracker_outstanding(tracker) == 0,
                   "%s: abandoned, dropped, no longer counted\n", via);
                ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", via);
            }
            ok(!kcom_async_storage_in_use(&storage), "%s: storage free\n", via);
        }

        /* a drain that begins between the begin and the run waits for the task */
        op = run_begin(&run_desc, &tracked, NULL, RUN_READY, NULL, &task);
        if (op != NULL) {
            IKcomAsyncOperation *refused = NULL;
            void *state = NULL;
            ok(kcom_tracker_drain(tracker, 0) == STATUS_TIMEOUT && kcom_tracker_outstanding(tracker) == 1,
               "%s: the drain waits for a begun task\n", via);
            ok(kcom_async_spawn_begin(&run_desc, &tracked, &counter.allocator, &state, &refused) ==
                       STATUS_DELETE_PENDING &&
                   refused != NULL && state == NULL && kcom_tracker_outstanding(tracker) == 1,
               "%s: a begin while it drains is refused\n", via);
            if (refused != NULL)
                IKcomAsyncOperation_Release(refused);
            ok(ways[w].run(op) == STATUS_SUCCESS && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
                   value == 40,
               "%s: it still runs\n", via);
            ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", via);
        }
        ok(kcom_tracker_drain(tracker, 1000) == STATUS_SUCCESS, "%s: drained\n", via);
        kcom_tracker_destroy(tracker);
        run_cancel_tracker = NULL;
    }
    teardown();
}

/* A copy of a caching allocator's kcom_allocator with its free replaced is the allocator it says it
 * is: with free NULL refused (STATUS_INVALID_PARAMETER) as any allocator without its free, with
 * another free its blocks go back through that free; the call-site begin and the library's alike,
 * with the cache bound to the operation's block and holding one. */
static LONG copy_frees;
static kcom_caching_allocator copy_cache = KCOM_CACHING_ALLOCATOR_INIT(copy_cache, 2);

static void copy_free(void *context, void *block, size_t size, size_t alignment)
{
    copy_frees++;
    kcom_rt_caching_free(context, block, size, alignment);
}

void kcom_test_async_paths_allocator_copies(void)
{
    kcom_allocator without_free = copy_cache.allocator, other_free = copy_cache.allocator;
    int library;
    setup(&counter.allocator);
    without_free.free = NULL;
    other_free.free = copy_free;
    for (library = 0; library < 2; library++) {
        IKcomAsyncOperation *op = NULL;
        void *state = NULL, *block;
        NTSTATUS status;
        /* the cache bound to the operation's block, which it holds */
        block = kcom_allocate(&copy_cache.allocator, run_desc.block_size, run_desc.block_alignment);
        ok(block != NULL, "a block of the operation's size\n");
        kcom_free(&copy_cache.allocator, block, run_desc.block_size, run_desc.block_alignment);

        status = library ? kcom_rt_async_spawn_begin(&run_desc, &manual.executor, &without_free, &state, &op)
                         : kcom_async_spawn_begin(&run_desc, &manual.executor, &without_free, &state, &op);
        ok(status == STATUS_INVALID_PARAMETER && state == NULL && op != NULL, "%s: no free: %s\n",
           library ? "library" : "inline", kcom_status_name(status));
        if (op != NULL)
            IKcomAsyncOperation_Release(op);

        op = NULL;
        copy_frees = 0;
        status = library ? kcom_rt_async_spawn_begin(&run_desc, &manual.executor, &other_free, &state, &op)
                         : kcom_async_spawn_begin(&run_desc, &manual.executor, &other_free, &state, &op);
        ok(status == STATUS_SUCCESS && op != NULL, "%s: another free: %s\n", library ? "library" : "inline",
           kcom_status_name(status));
        if (op != NULL) {
            ((run_task *)state)->mode = RUN_READY;
            ok(kcom_async_spawn_run(op) == STATUS_SUCCESS, "run\n");
            ok(IKcomAsyncOperation_Release(op) == 0, "released\n");
        }
        ok(copy_frees == 1, "%s: the block went back through the copy's free: %ld\n", library ? "library" : "inline",
           (long)copy_frees);
        ok(kcom_caching_allocator_drain(&copy_cache) == STATUS_SUCCESS, "drained\n");
    }
    teardown();
}

/* ---- kcom_async_spawn_run racing another thread's use of the operation ---------------------------------- */

#define RUN_RACE_ROUNDS 2000

/* What the other thread does with an operation it was handed between begin and run. */
enum race_action { RACE_CALLBACK, RACE_CANCEL, RACE_BLOCK_ON, RACE_ACTIONS };

typedef struct run_race {
    IKcomAsyncOperation *volatile op; /* handed over with a reference, which the thread releases */
    LONG volatile action;
    LONG volatile round, done;       /* the round handed, the last one finished */
    LONG volatile stop;
    callback_record record;
    LONG volatile waited;            /* block_on's successes */
} run_race;

static void *run_race_thread(void *arg)
{
    run_race *race = (run_race *)arg;
    LONG seen = 0;
    while (!kcom_atomic_load(&race->stop)) {
        IKcomAsyncOperation *op;
        LONG round = kcom_atomic_load(&race->round);
        if (round == seen) {
            test_yield();
            continue;
        }
        seen = round;
        op = race->op;
        switch (kcom_atomic_load(&race->action)) {
        case RACE_CALLBACK:
            (void)IKcomAsyncOperation_set_completed(op, record_callback, &race->record);
            break;
        case RACE_CANCEL:
            (void)IKcomAsyncOperation_cancel(op);
            break;
        default:
            if (kcom_async_block_on(op, 5000) == STATUS_SUCCESS)
                kcom_atomic_fetch_add(&race->waited, 1);
            break;
        }
        IKcomAsyncOperation_Release(op);
        kcom_atomic_store(&race->done, round);
    }
    return NULL;
}

/* A task ready at its first poll, run inline while another thread registers a callback on its
 * operation, cancels it or waits for it: whichever comes first, the callback runs once, the drop
 * once, the waiter wakes, the status is Completed with the value or Canceled, and no reference or
 * block is left. */
void kcom_test_async_paths_run_races(void)
{
    static run_race race;
    test_thread thread;
    LONG action, round = 0;
    setup(&counter.allocator);
    run_drops = 0;
    memset(&race, 0, sizeof(race));
    test_thread_start(&thread, run_race_thread, &race);
    for (action = 0; action < RACE_ACTIONS; action++) {
        LONG bad = 0, completed = 0, canceled = 0, calls_before = race.record.calls, drops_before = run_drops;
        LONG waited_before = race.waited;
        int i;
        for (i = 0; i < RUN_RACE_ROUNDS; i++) {
            run_task *task = NULL;
            kcom_async_status status = KCOM_ASYNC_STARTED;
            ULONG value = 0;
            IKcomAsyncOperation *op = run_begin(&run_desc, &manual.executor, NULL, RUN_SPIN, NULL, &task);
            if (op == NULL)
                break;
            IKcomAsyncOperation_AddRef(op); /* the other thread's */
            race.op = op;
            kcom_atomic_store(&race.action, action);
            kcom_atomic_store(&race.round, ++round);
            if (kcom_async_spawn_run(op) != STATUS_SUCCESS)
                bad++;
            while (kcom_atomic_load(&race.done) != round)
                test_yield();
            (void)IKcomAsyncOperation_get_status(op, &status);
            if (status == KCOM_ASYNC_COMPLETED && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
                value == 40)
                completed++;
            else if (status == KCOM_ASYNC_CANCELED && action == RACE_CANCEL)
                canceled++;
            else
                bad++;
            if (IKcomAsyncOperation_Release(op) != 0)
                bad++;
        }
        ok(bad == 0 && completed + canceled == RUN_RACE_ROUNDS, "action %ld: %ld completed, %ld canceled, %ld bad\n",
           (long)action, (long)completed, (long)canceled, (long)bad);
        ok(run_drops - drops_before == RUN_RACE_ROUNDS, "action %ld: %ld drops\n", (long)action,
           (long)(run_drops - drops_before));
        if (action == RACE_CALLBACK)
            ok(race.record.calls - calls_before == RUN_RACE_ROUNDS && race.record.mismatches == 0,
               "one callback per round: %ld\n", (long)(race.record.calls - calls_before));
        if (action == RACE_BLOCK_ON)
            ok(race.waited - waited_before == RUN_RACE_ROUNDS, "every wait ended: %ld\n",
               (long)(race.waited - waited_before));
    }
    kcom_atomic_store(&race.stop, 1);
    test_thread_join(&thread);
    ok(manual.scheduled == 0, "nothing scheduled: %ld\n", (long)manual.scheduled);
    teardown();
}

/* ---- kcom_async_run and kcom_async_run_in: a spawn and its first poll in one call -------------------- */

/* The four ways in: inline and the library's, allocated (from allocator) and in storage. */
typedef struct once_way {
    const char *via;
    BOOLEAN in_storage;
    BOOLEAN library;
} once_way;

static const once_way once_ways[] = {
    {"kcom_async_run", FALSE, FALSE},
    {"kcom_rt_async_run", FALSE, TRUE},
    {"kcom_async_run_in", TRUE, FALSE},
    {"kcom_rt_async_run_in", TRUE, TRUE},
};

static NTSTATUS once_call(const once_way *way, const kcom_async_task_desc *desc, const kcom_executor *executor,
                          const kcom_allocator *allocator, void *storage, size_t size, const void *initial,
                          IKcomAsyncOperation **op)
{
    if (way->in_storage)
        return way->library ? kcom_rt_async_run_in(desc, executor, storage, size, initial, op)
                            : kcom_async_run_in(desc, executor, storage, size, initial, op);
    return way->library ? kcom_rt_async_run(desc, executor, allocator, initial, op)
                        : kcom_async_run(desc, executor, allocator, initial, op);
}

/* A run_task's first contents: mode, value and where RUN_WAIT and RUN_KEEP leave their waker (a
 * zeroed one; NULL: none). */
static void once_initial(run_task *initial, int mode, ULONG value, kcom_waker *waker)
{
    memset(initial, 0, sizeof(*initial));
    initial->mode = mode;
    initial->value = value;
    initial->waker = waker;
    if (waker != NULL)
        memset(waker, 0, sizeof(*waker));
}

/* One outcome one way, checked against e (as run_case checks a begin and a run). */
static void once_case(const once_way *way, const kcom_async_task_desc *desc, const kcom_allocator *allocator,
                      const run_expect *e)
{
    run_storage storage;
    run_task initial;
    kcom_waker waker;
    IKcomAsyncOperation *op = NULL;
    kcom_async_status status = KCOM_ASYNC_STARTED;
    ULONG value = 0;
    LONG drops_before = run_drops, scheduled_before = manual.scheduled;
    NTSTATUS ran, result;
    memset(&storage, 0, sizeof(storage));
    once_initial(&initial, e->mode, 20, &waker);
    ran = once_call(way, desc, &manual.executor, allocator, &storage, sizeof(storage), &initial, &op);
    ok(ran == e->run && op != NULL, "%s, mode %d: %s\n", way->via, e->mode, kcom_status_name(ran));
    if (op == NULL)
        return;
    ok(manual.scheduled - scheduled_before == e->scheduled, "%s, mode %d: %ld schedules\n", way->via, e->mode,
       (long)(manual.scheduled - scheduled_before));
    if (e->mode == RUN_WAIT) {
        ok(IKcomAsyncOperation_get_status(op, &status) == STATUS_SUCCESS && status == KCOM_ASYNC_STARTED,
           "%s: waiting\n", way->via);
        ok(run_drops == drops_before && waker.task != NULL, "%s: not dropped while it waits\n", way->via);
        kcom_waker_wake(&waker);
        ok(manual.scheduled - scheduled_before == 1, "%s: scheduled by the wake\n", way->via);
    }
    (void)manual_run(&manual);
    ok(IKcomAsyncOperation_get_status(op, &status) == STATUS_SUCCESS && status == e->status,
       "%s, mode %d: status %d\n", way->via, e->mode, (int)status);
    result = IKcomAsyncOperation_get_result(op, &value);
    ok(result == e->result && (result != STATUS_SUCCESS || value == 40), "%s, mode %d: get_result %s, %lu\n",
       way->via, e->mode, kcom_status_name(result), (unsigned long)value);
    ok(run_drops - drops_before == 1, "%s, mode %d: %ld drops\n", way->via, e->mode,
       (long)(run_drops - drops_before));
    /* it was never for a run of its own: committed at its first poll */
    ran = kcom_async_spawn_run(op);
    ok(ran == STATUS_INVALID_DEVICE_STATE, "%s, mode %d: run again: %s\n", way->via, e->mode, kcom_status_name(ran));
    ok(IKcomAsyncOperation_Release(op) == 0, "%s, mode %d: released\n", way->via, e->mode);
    if (way->in_storage)
        ok(!kcom_async_storage_in_use(&storage), "%s, mode %d: storage free\n", way->via, e->mode);
}

/* A run on an executor with a tracker, one way over desc. The tracker counts the task once its
 * first poll leaves it pending, as it counts an async method's call, until its work has ended:
 * work ready at its first poll is never counted, also while the tracker drains, and a drain
 * refuses only work that would be left pending (the operation then in Error with
 * STATUS_DELETE_PENDING, its drop run). */
static void once_tracked(const once_way *way, const kcom_async_task_desc *desc)
{
    run_storage storage;
    run_task initial;
    kcom_waker waker;
    IKcomAsyncOperation *op = NULL;
    ULONG value = 0;
    LONG drops_before = run_drops, scheduled_before = manual.scheduled;
    kcom_tracker *tracker = NULL;
    kcom_executor tracked = manual.executor;
    NTSTATUS ran;
    memset(&storage, 0, sizeof(storage));
    ok(kcom_tracker_create(&tracker) == STATUS_SUCCESS, "tracker\n");
    if (tracker == NULL)
        return;
    tracked.tracker = tracker;

    /* pending: counted until its work has ended */
    once_initial(&initial, RUN_WAIT, 20, &waker);
    ran = once_call(way, desc, &tracked, &counter.allocator, &storage, sizeof(storage), &initial, &op);
    ok(ran == STATUS_SUCCESS && op != NULL && kcom_tracker_outstanding(tracker) == 1, "%s: waiting, counted\n",
       way->via);
    kcom_waker_wake(&waker);
    (void)manual_run(&manual);
    ok(op != NULL && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS && value == 40,
       "%s: 40 (%lu)\n", way->via, (unsigned long)value);
    ok(kcom_tracker_outstanding(tracker) == 0 && run_drops == drops_before + 1, "%s: no longer counted\n",
       way->via);
    if (op != NULL)
        ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", way->via);

    /* ready at its first poll: done before the call returns, never left counted */
    once_initial(&initial, RUN_READY, 20, NULL);
    op = NULL;
    value = 0;
    ran = once_call(way, desc, &tracked, &counter.allocator, &storage, sizeof(storage), &initial, &op);
    ok(ran == STATUS_SUCCESS && op != NULL && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
           value == 40 && kcom_tracker_outstanding(tracker) == 0 && run_drops == drops_before + 2,
       "%s: ready, not counted: %s, %lu\n", way->via, kcom_status_name(ran), (unsigned long)value);
    if (op != NULL)
        ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", way->via);
    ok(kcom_tracker_drain(tracker, 1000) == STATUS_SUCCESS, "drained\n");

    /* while it drains: ready work runs */
    op = NULL;
    value = 0;
    ran = once_call(way, desc, &tracked, &counter.allocator, &storage, sizeof(storage), &initial, &op);
    ok(ran == STATUS_SUCCESS && op != NULL && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
           value == 40 && run_drops == drops_before + 3,
       "%s: ready while draining: %s, %lu\n", way->via, kcom_status_name(ran), (unsigned long)value);
    if (op != NULL)
        ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", way->via);

    /* while it drains: work its first poll leaves pending is refused, and ends */
    drops_before = run_drops;
    once_initial(&initial, RUN_WAIT, 20, &waker);
    op = NULL;
    ran = once_call(way, desc, &tracked, &counter.allocator, &storage, sizeof(storage), &initial, &op);
    ok(ran == STATUS_DELETE_PENDING && op != NULL && IKcomAsyncOperation_get_result(op, &value) == ran &&
           run_drops == drops_before + 1 && kcom_tracker_outstanding(tracker) == 0,
       "%s: pending while draining: %s, %ld drops\n", way->via, kcom_status_name(ran),
       (long)(run_drops - drops_before));
    kcom_waker_drop(&waker); /* the first poll's waker, which finds the task ended */
    if (op != NULL)
        ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", way->via);
    ok(manual.scheduled == scheduled_before + 1, "%s: only the wake scheduled it (%ld)\n", way->via,
       (long)(manual.scheduled - scheduled_before));
    kcom_tracker_destroy(tracker);
    if (way->in_storage)
        ok(!kcom_async_storage_in_use(&storage), "%s: storage free\n", way->via);
}

/* After the outcomes: the state's first contents, what the begin refuses, an executor refusing a yield,
 * the default executor's stand-in and a tracker, one way over desc (bad_layout: desc's layout edited). */
static void once_edges(const once_way *way, const kcom_async_task_desc *desc, const kcom_async_task_desc *bad_layout)
{
    run_storage storage;
    run_task initial;
    kcom_waker waker;
    IKcomAsyncOperation *op = NULL;
    ULONG value = 1;
    LONG drops_before;
    NTSTATUS ran;
    size_t offset;
    memset(&storage, 0, sizeof(storage));
    once_initial(&initial, RUN_READY, 20, &waker);

    /* no initial state: zeros (RUN_READY, value 0) */
    ran = once_call(way, desc, &manual.executor, &counter.allocator, &storage, sizeof(storage), NULL, &op);
    ok(ran == STATUS_SUCCESS && op != NULL && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
           value == 0,
       "%s: zero-filled state: %s, %lu\n", way->via, kcom_status_name(ran), (unsigned long)value);
    if (op != NULL)
        ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", way->via);
    drops_before = run_drops;

    /* refused at the begin: the error operation, nothing copied or dropped */
    op = NULL;
    ran = once_call(way, NULL, &manual.executor, &counter.allocator, &storage, sizeof(storage), &initial, &op);
    ok(ran == STATUS_INVALID_PARAMETER && op != NULL && IKcomAsyncOperation_get_result(op, &value) == ran,
       "%s: no descriptor: %s\n", way->via, kcom_status_name(ran));
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
    op = NULL;
    ran = once_call(way, desc, NULL, &counter.allocator, &storage, sizeof(storage), &initial, &op);
    ok(ran == STATUS_INVALID_PARAMETER && op != NULL, "%s: no executor: %s\n", way->via, kcom_status_name(ran));
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
    op = NULL;
    ran = once_call(way, bad_layout, &manual.executor, &counter.allocator, &storage, sizeof(storage), &initial,
                    &op);
    ok(ran == STATUS_INVALID_PARAMETER && op != NULL, "%s: a layout that does not hold: %s\n", way->via,
       kcom_status_name(ran));
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
    ran = once_call(way, desc, &manual.executor, &counter.allocator, &storage, sizeof(storage), &initial,
                    NULL);
    ok(ran == STATUS_INVALID_PARAMETER, "%s: no out pointer: %s\n", way->via, kcom_status_name(ran));
    op = NULL;
    if (way->in_storage) {
        ran = once_call(way, desc, &manual.executor, NULL, &storage, 16, &initial, &op);
        ok(ran == STATUS_BUFFER_TOO_SMALL && op != NULL, "%s: too small: %s\n", way->via, kcom_status_name(ran));
        if (op != NULL)
            IKcomAsyncOperation_Release(op);
        op = NULL;
        /* storage of any alignment: the operation starts at its first 16-byte boundary, which the
         * 16 spare bytes of the size it needs allow for */
        for (offset = 1; offset < 16; offset += 3) {
            op = NULL;
            value = 0;
            ran = once_call(way, desc, &manual.executor, NULL, storage.bytes + offset,
                            kcom_async_storage_size(desc), &initial, &op);
            ok(ran == STATUS_SUCCESS && op != NULL && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
                   value == 40 && kcom_async_storage_in_use(storage.bytes + offset),
               "%s: storage at offset %lu: %s, %lu\n", way->via, (unsigned long)offset, kcom_status_name(ran),
               (unsigned long)value);
            if (op != NULL)
                ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", way->via);
            ok(!kcom_async_storage_in_use(storage.bytes + offset), "%s: storage at offset %lu free\n", way->via,
               (unsigned long)offset);
        }
        op = NULL;
        drops_before = run_drops;
    } else {
        kcom_counting_allocator_fail_nth(&counter, 1);
        ran = once_call(way, desc, &manual.executor, &counter.allocator, NULL, 0, &initial, &op);
        ok(ran == STATUS_INSUFFICIENT_RESOURCES && op != NULL, "%s: out of memory: %s\n", way->via,
           kcom_status_name(ran));
        kcom_counting_allocator_fail_nth(&counter, 0);
    }
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
    ok(run_drops == drops_before, "%s: no drop for a refused begin\n", way->via);

    /* woken during the first poll, refused by the executor: the refusal, Error with it */
    manual.refuse = STATUS_DELETE_PENDING;
    initial.mode = RUN_YIELD;
    op = NULL;
    ran = once_call(way, desc, &manual.executor, &counter.allocator, &storage, sizeof(storage), &initial,
                    &op);
    ok(ran == STATUS_DELETE_PENDING && op != NULL && IKcomAsyncOperation_get_result(op, &value) == ran &&
           run_drops == drops_before + 1,
       "%s: the refusal, Error with it, dropped: %s\n", way->via, kcom_status_name(ran));
    if (op != NULL)
        ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", way->via);
    manual.refuse = STATUS_SUCCESS;

    /* the default executor's stand-in, none set */
    kcom_set_default_executor(NULL);
    op = NULL;
    ran = once_call(way, desc, kcom_default_executor(), &counter.allocator, &storage, sizeof(storage),
                    &initial, &op);
    ok(ran == STATUS_INVALID_DEVICE_STATE && op != NULL && IKcomAsyncOperation_get_result(op, &value) == ran &&
           run_drops == drops_before + 2,
       "%s: no executor to yield to: %s\n", way->via, kcom_status_name(ran));
    if (op != NULL)
        IKcomAsyncOperation_Release(op);
    kcom_set_default_executor(&manual.executor);

    once_tracked(way, desc);
}

/* Every outcome of the first poll the four ways, over a KCOM_ASYNC_TASK_DESC descriptor and one
 * written by hand (the library's general way), allocated from the counting allocator and from a
 * caching allocator holding a block of the operation's size (the hot block: the usual way); then
 * the state's first contents (a copy, or zeros), what the begin refuses (no copy, no drop), an
 * executor refusing a yield, the default executor's stand-in, and a tracker (over both
 * descriptors). */
void kcom_test_async_paths_run_in_one_call(void)
{
    static kcom_caching_allocator once_cache = KCOM_CACHING_ALLOCATOR_INIT(once_cache, 2);
    kcom_async_task_desc by_hand = {run_poll, run_drop, sizeof(run_task), KCOM_ALIGNOF(run_task),
                                    sizeof(ULONG), KCOM_ALIGNOF(ULONG), &IID_IAsyncULONG, 0, 0, 0, 0, NULL};
    kcom_async_task_desc bad_layout = run_desc;
    size_t w, i;
    setup(&counter.allocator);
    run_drops = 0;
    bad_layout.state_size += 8; /* a copy edited afterwards: its state past the block */
    for (w = 0; w < sizeof(once_ways) / sizeof(once_ways[0]); w++)
        for (i = 0; i < sizeof(run_expects) / sizeof(run_expects[0]); i++) {
            int mode = run_expects[i].mode;
            if (mode == RUN_CALLBACK || mode == RUN_CANCEL_SELF)
                continue; /* the task cannot know its operation before the call returns */
            once_case(&once_ways[w], &run_desc, &counter.allocator, &run_expects[i]);
            once_case(&once_ways[w], &by_hand, &counter.allocator, &run_expects[i]);
            if (!once_ways[w].in_storage) {
                /* the cache bound to the operation's block, which it holds */
                void *block = kcom_allocate(&once_cache.allocator, run_desc.block_size, run_desc.block_alignment);
                ok(block != NULL, "a block of the operation's size\n");
                kcom_free(&once_cache.allocator, block, run_desc.block_size, run_desc.block_alignment);
                once_case(&once_ways[w], &run_desc, &once_cache.allocator, &run_expects[i]);
            }
        }
    ok(kcom_caching_allocator_drain(&once_cache) == STATUS_SUCCESS, "cache drained\n");

    for (w = 0; w < sizeof(once_ways) / sizeof(once_ways[0]); w++) {
        once_edges(&once_ways[w], &run_desc, &bad_layout);
        once_tracked(&once_ways[w], &by_hand);
    }
    teardown();
}

/* ---- KCOM_ASYNC_TASK: the descriptor's functions, called by the library's ---------------------------- */

/* desc as a call site in another file sees it: a pointer, its target unknown to the compiler. */
static const kcom_async_task_desc *seen_elsewhere(const kcom_async_task_desc *desc)
{
    const kcom_async_task_desc *volatile hidden = desc;
    return hidden;
}

/* A table of functions that counts its calls and hands each to run_generated's, which, given
 * another descriptor than run_generated, goes the library's general way. */
static LONG generated_calls[4];

static NTSTATUS counted_begin(const kcom_async_task_desc *desc, const kcom_executor *executor,
                              const kcom_allocator *allocator, void **state, IKcomAsyncOperation **operation)
{
    generated_calls[0]++;
    return run_generated.generated->begin(desc, executor, allocator, state, operation);
}

static NTSTATUS counted_begin_in(const kcom_async_task_desc *desc, const kcom_executor *executor, void *storage,
                                 size_t size, void **state, IKcomAsyncOperation **operation)
{
    generated_calls[1]++;
    return run_generated.generated->begin_in(desc, executor, storage, size, state, operation);
}

static NTSTATUS counted_run(const kcom_async_task_desc *desc, const kcom_executor *executor,
                            const kcom_allocator *allocator, const void *initial, IKcomAsyncOperation **operation)
{
    generated_calls[2]++;
    return run_generated.generated->run(desc, executor, allocator, initial, operation);
}

static NTSTATUS counted_run_in(const kcom_async_task_desc *desc, const kcom_executor *executor, void *storage,
                               size_t size, const void *initial, IKcomAsyncOperation **operation)
{
    generated_calls[3]++;
    return run_generated.generated->run_in(desc, executor, storage, size, initial, operation);
}

static const struct kcom_rt_async_task_fns counted_fns = {counted_begin, counted_begin_in, counted_run,
                                                          counted_run_in};

/* Whether generated_calls reads begin, begin_in, run, run_in. */
static BOOLEAN generated_calls_are(LONG begin, LONG begin_in, LONG run, LONG run_in)
{
    return (BOOLEAN)(generated_calls[0] == begin && generated_calls[1] == begin_in && generated_calls[2] == run &&
                     generated_calls[3] == run_in);
}

/* A READY run_task's operation: 40 from 20, then released (the storage free again). */
static void generated_ready(const char *via, NTSTATUS status, IKcomAsyncOperation *op, run_storage *storage)
{
    ULONG value = 0;
    ok(status == STATUS_SUCCESS && op != NULL && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
           value == 40,
       "%s: %s, %lu\n", via, kcom_status_name(status), (unsigned long)value);
    if (op != NULL)
        ok(IKcomAsyncOperation_Release(op) == 0, "%s: released\n", via);
    if (storage != NULL)
        ok(!kcom_async_storage_in_use(storage), "%s: storage free\n", via);
}

/* A KCOM_ASYNC_TASK descriptor has KCOM_ASYNC_TASK_DESC's layout and its own functions. Seen from
 * elsewhere (the library's functions), it gives every outcome of the first poll and every edge the
 * same answers as the inline paths, and so does a copy of it (its functions, another descriptor:
 * the general way) and a copy edited afterwards (refused). Each of the library's spawn functions
 * asks the descriptor's functions once; the work they leave (a tracker, a refusal) is done right. */
void kcom_test_async_paths_generated_functions(void)
{
    static const struct {
        run_fn *run;
        const char *via;
    } runs[] = {{run_inline, "inline"}, {run_in_library, "library"}};
    const kcom_async_task_desc *elsewhere = seen_elsewhere(&run_generated);
    kcom_async_task_desc copy = run_generated;
    kcom_async_task_desc bad_layout = run_generated;
    kcom_async_task_desc counted = run_generated;
    const kcom_async_task_desc *descs[2];
    run_storage storage;
    run_task initial;
    IKcomAsyncOperation *op;
    void *state;
    size_t w, i, d, r;
    int where, first;
    LONG drops_before;
    NTSTATUS status;
    setup(&counter.allocator);
    run_drops = 0;
    bad_layout.state_size += 8; /* a copy edited afterwards: its state past the block */
    counted.generated = &counted_fns;
    descs[0] = elsewhere;
    descs[1] = seen_elsewhere(&copy);

    ok(run_desc.generated == NULL && run_generated.generated != NULL, "only KCOM_ASYNC_TASK's has functions\n");
    ok(run_generated.poll == run_desc.poll && run_generated.drop == run_desc.drop &&
           run_generated.state_size == run_desc.state_size && run_generated.result_size == run_desc.result_size &&
           run_generated.iid == run_desc.iid && run_generated.result_offset == run_desc.result_offset &&
           run_generated.state_offset == run_desc.state_offset && run_generated.block_size == run_desc.block_size &&
           run_generated.block_alignment == run_desc.block_alignment,
       "KCOM_ASYNC_TASK_DESC's descriptor otherwise\n");

    for (d = 0; d < 2; d++) {
        for (w = 0; w < sizeof(once_ways) / sizeof(once_ways[0]); w++) {
            for (i = 0; i < sizeof(run_expects) / sizeof(run_expects[0]); i++)
                if (run_expects[i].mode != RUN_CALLBACK && run_expects[i].mode != RUN_CANCEL_SELF)
                    once_case(&once_ways[w], descs[d], &counter.allocator, &run_expects[i]);
            once_edges(&once_ways[w], descs[d], seen_elsewhere(&bad_layout));
        }
        for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
            for (i = 0; i < sizeof(run_expects) / sizeof(run_expects[0]); i++)
                for (where = 0; where < 2; where++)
                    for (first = 0; first < 2; first++)
                        run_case(runs[r].run, runs[r].via, descs[d], &manual.executor, &run_expects[i],
                                 (BOOLEAN)where, (BOOLEAN)first);
    }

    /* each of the library's functions asks the descriptor's own, once */
    drops_before = run_drops;
    memset(generated_calls, 0, sizeof(generated_calls));
    memset(&storage, 0, sizeof(storage));
    once_initial(&initial, RUN_READY, 20, NULL);
    op = NULL;
    state = NULL;
    status = kcom_async_spawn_begin(seen_elsewhere(&counted), &manual.executor, &counter.allocator, &state, &op);
    if (NT_SUCCESS(status) && state != NULL) {
        memcpy(state, &initial, sizeof(initial));
        status = kcom_async_spawn_run(op);
    }
    generated_ready("kcom_async_spawn_begin", status, op, NULL);
    ok(generated_calls_are(1, 0, 0, 0), "begin asked its function\n");
    op = NULL;
    state = NULL;
    status = kcom_async_spawn_begin_in(seen_elsewhere(&counted), &manual.executor, &storage, sizeof(storage), &state,
                                       &op);
    if (NT_SUCCESS(status) && state != NULL) {
        memcpy(state, &initial, sizeof(initial));
        status = kcom_async_spawn_run(op);
    }
    generated_ready("kcom_async_spawn_begin_in", status, op, &storage);
    ok(generated_calls_are(1, 1, 0, 0), "begin_in asked its function\n");
    op = NULL;
    status = kcom_async_run(seen_elsewhere(&counted), &manual.executor, &counter.allocator, &initial, &op);
    generated_ready("kcom_async_run", status, op, NULL);
    ok(generated_calls_are(1, 1, 1, 0), "run asked its function\n");
    op = NULL;
    status = kcom_async_run_in(seen_elsewhere(&counted), &manual.executor, &storage, sizeof(storage), &initial, &op);
    generated_ready("kcom_async_run_in", status, op, &storage);
    ok(generated_calls_are(1, 1, 1, 1), "run_in asked its function\n");
    op = NULL;
    status = kcom_async_spawn(seen_elsewhere(&counted), &manual.executor, &counter.allocator, &initial, &op);
    ok(status == STATUS_SUCCESS && manual_run(&manual) == 1, "kcom_async_spawn: scheduled, polled\n");
    generated_ready("kcom_async_spawn", status, op, NULL);
    ok(generated_calls_are(2, 1, 1, 1), "spawn asked the begin's function\n");
    ok(run_drops - drops_before == 5, "one drop per call: %ld\n", (long)(run_drops - drops_before));
    teardown();
}

/* A first poll that is ready while a waker it took is still held: the waker's drop, after the
 * caller's Release, is the final release, the general one. In caller storage that was not
 * zero-filled (storage a driver reuses), through an ASYNC_IN method's shim and the one-call ways:
 * the storage is free again and nothing is freed to an allocator. */
void kcom_test_async_paths_waker_outlives_first_poll(void)
{
    IPaths *paths;
    size_t w;
    setup(&counter.allocator);
    run_drops = 0;
    paths = new_paths();
    if (paths != NULL) {
        IPaths_KeepIn_storage storage;
        kcom_waker waker;
        ULONG value = 0;
        IAsyncULONG *op;
        memset(&storage, 0xA5, sizeof(storage));
        memset(&waker, 0, sizeof(waker));
        op = IPaths_KeepIn(paths, &waker, &storage, sizeof(storage));
        ok(IAsyncULONG_get_result(op, &value) == STATUS_SUCCESS && value == 7 && drops == 1,
           "KeepIn: ready, dropped: %lu\n", (unsigned long)value);
        ok(IAsyncULONG_Release(op) == 1 && waker.task != NULL, "KeepIn: the waker's reference left\n");
        kcom_waker_drop(&waker);
        ok(!kcom_async_storage_in_use(&storage), "KeepIn: storage free after the waker's drop\n");
        ok(IPaths_Release(paths) == 0, "object released\n");
    }
    for (w = 0; w < sizeof(once_ways) / sizeof(once_ways[0]); w++) {
        run_storage storage;
        run_task initial;
        kcom_waker waker;
        IKcomAsyncOperation *op = NULL;
        ULONG value = 0;
        NTSTATUS ran;
        memset(&storage, 0xA5, sizeof(storage));
        once_initial(&initial, RUN_KEEP, 3, &waker);
        ran = once_call(&once_ways[w], &run_desc, &manual.executor, &counter.allocator, &storage, sizeof(storage),
                        &initial, &op);
        ok(ran == STATUS_SUCCESS && op != NULL && IKcomAsyncOperation_get_result(op, &value) == STATUS_SUCCESS &&
               value == 6 && waker.task != NULL,
           "%s: ready, a waker kept: %s, %lu\n", once_ways[w].via, kcom_status_name(ran), (unsigned long)value);
        if (op != NULL)
            ok(IKcomAsyncOperation_Release(op) == 1, "%s: the waker's reference left\n", once_ways[w].via);
        kcom_waker_drop(&waker);
        if (once_ways[w].in_storage)
            ok(!kcom_async_storage_in_use(&storage), "%s: storage free after the waker's drop\n", once_ways[w].via);
        /* the same through a completion callback that releases the caller's reference: the
         * callback's own reference is the last */
        if (once_ways[w].in_storage) {
            callback_record record;
            memset(&storage, 0xA5, sizeof(storage));
            memset(&record, 0, sizeof(record));
            record.release_in_callback = 1;
            initial.mode = RUN_READY;
            op = NULL;
            ran = once_call(&once_ways[w], &run_desc, &manual.executor, NULL, &storage, sizeof(storage), &initial,
                            &op);
            ok(ran == STATUS_SUCCESS && op != NULL &&
                   IKcomAsyncOperation_set_completed(op, record_callback, &record) == STATUS_SUCCESS &&
                   record.calls == 1 && record.mismatches == 0,
               "%s: a callback released the caller's reference: %s\n", once_ways[w].via, kcom_status_name(ran));
            ok(!kcom_async_storage_in_use(&storage), "%s: storage free after the callback\n", once_ways[w].via);
        }
    }
    ok(run_drops == 6, "one drop per call: %ld\n", (long)run_drops);
    teardown();
}

/* The first poll hands its waker to another thread, which wakes the task at once, maybe before the
 * poll has returned, maybe while the run publishes it: each call ends once, with its value, its
 * drop, and nothing left, the four ways. */
void kcom_test_async_paths_run_in_one_call_races(void)
{
    test_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    test_thread helper;
    size_t w;
    setup(NULL);
    if (!test_pool_start(2, &pool, &executor)) {
        teardown();
        return;
    }
    run_drops = 0;
    memset(&box, 0, sizeof(box));
    test_mutex_init(&box.mutex);
    test_thread_start(&helper, handoff_thread, NULL);
    for (w = 0; w < sizeof(once_ways) / sizeof(once_ways[0]); w++) {
        int i, good = 0;
        for (i = 0; i < HANDOFF_CALLS / 4; i++) {
            run_storage storage;
            run_task initial;
            IKcomAsyncOperation *op = NULL;
            ULONG value = 0;
            memset(&storage, 0, sizeof(storage));
            once_initial(&initial, RUN_HANDOFF, (ULONG)i, NULL);
            if (once_call(&once_ways[w], &run_desc, executor, NULL, &storage, sizeof(storage), &initial, &op) ==
                    STATUS_SUCCESS &&
                kcom_async_block_on(op, 5000) == STATUS_SUCCESS && IKcomAsyncOperation_get_result(op, &value) == 0 &&
                value == (ULONG)i * 2)
                good++;
            if (op != NULL)
                IKcomAsyncOperation_Release(op);
            while (once_ways[w].in_storage && kcom_async_storage_in_use(&storage))
                test_yield(); /* the executor's reference, let go a moment after the finish */
        }
        ok(good == HANDOFF_CALLS / 4, "%s: %d of %d right\n", once_ways[w].via, good, HANDOFF_CALLS / 4);
    }
    kcom_atomic_store(&box.stop, 1);
    test_thread_join(&helper);
    kcom_waker_drop(&box.waker);
    test_mutex_destroy(&box.mutex);
    ok(test_pool_shutdown(pool, 5000) == STATUS_SUCCESS, "drained\n");
    ok(run_drops == HANDOFF_CALLS, "one drop per call: %ld\n", (long)run_drops);
    kcom_async_operation_cache_drain();
    teardown();
}

ASYNC_TEST_PROGRAM(KCOM_ASYNC_METHOD_PATH_TESTS)
