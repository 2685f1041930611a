/*
 * What the reliability tests share (see rel_common.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "rel_common.h"

#include <execinfo.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The harness's output: stdout. */
void kcom_test_vprint(const char *format, va_list args)
{
    vprintf(format, args);
    fflush(stdout);
}

/* ---- the manual executor, the callback recorder, the clock -------------------------------------------------- */

static NTSTATUS manual_schedule(void *context, kcom_task *task)
{
    manual_executor *m = (manual_executor *)context;
    m->scheduled++;
    task->link.next = &m->queue;
    task->link.prev = m->queue.prev;
    m->queue.prev->next = &task->link;
    m->queue.prev = &task->link;
    return STATUS_SUCCESS;
}

void manual_init(manual_executor *m)
{
    m->executor.schedule = manual_schedule;
    m->executor.context = m;
    m->executor.tracker = NULL;
    m->queue.next = m->queue.prev = &m->queue;
    m->scheduled = 0;
}

LONG manual_run_some(manual_executor *m, LONG max_runs)
{
    LONG runs = 0;
    while (m->queue.next != &m->queue && (max_runs == 0 || runs < max_runs)) {
        kcom_task_link *entry = m->queue.next;
        m->queue.next = entry->next;
        entry->next->prev = &m->queue;
        kcom_task_run(KCOM_TASK_FROM_LINK(entry));
        runs++;
    }
    return runs;
}

LONG manual_queued(const manual_executor *m)
{
    LONG n = 0;
    const kcom_task_link *entry;
    for (entry = m->queue.next; entry != &m->queue; entry = entry->next)
        n++;
    return n;
}

void record_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    callback_record *r = (callback_record *)context;
    kcom_async_status now = -1;
    (void)IKcomAsyncOperation_get_status(operation, &now); /* a reference is held for the callback */
    if (now != status)
        kcom_atomic_fetch_add(&r->mismatches, 1);
    kcom_atomic_store(&r->status, status);
    kcom_atomic_fetch_add(&r->calls, 1);
}

ULONG64 rel_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (ULONG64)now.tv_sec * 1000u + (ULONG64)now.tv_nsec / 1000000u;
}

void rel_sleep_ms(ULONG ms)
{
    struct timespec pause;
    pause.tv_sec = (time_t)(ms / 1000u);
    pause.tv_nsec = (long)(ms % 1000u) * 1000000L;
    nanosleep(&pause, NULL);
}

void rel_yield(void)
{
    sched_yield();
}

/* ---- the allocator ---------------------------------------------------------------------------------------- */

rel_allocator rel_alloc;

/* The frames above rel_allocate: frames[0] is here, [1] rel_allocate, [2] its caller. */
static KCOM_NOINLINE void record_site(void)
{
    void *frames[2 + REL_SITE_FRAMES];
    rel_site site;
    LONG i, count;
    int got;
    if (!kcom_atomic_load(&rel_alloc.record_sites))
        return;
    memset(&site, 0, sizeof(site));
    got = backtrace(frames, 2 + REL_SITE_FRAMES);
    for (i = 0; i < REL_SITE_FRAMES && i + 2 < got; i++)
        site.frames[i] = frames[i + 2];
    while (kcom_atomic_exchange(&rel_alloc.site_lock, 1) != 0)
        rel_yield();
    count = rel_alloc.site_count;
    for (i = 0; i < count; i++)
        if (memcmp(&rel_alloc.sites[i], &site, sizeof(site)) == 0)
            break;
    if (i == count && count < REL_MAX_SITES) {
        rel_alloc.sites[count] = site;
        kcom_atomic_store(&rel_alloc.site_count, count + 1);
    }
    kcom_atomic_store(&rel_alloc.site_lock, 0);
}

/* Called through the allocator's function pointer. */
static void *rel_allocate(void *context, size_t size, size_t alignment)
{
    rel_allocator *a = (rel_allocator *)context;
    LONG number = kcom_atomic_fetch_add(&a->requests, 1) + 1;
    LONG from = kcom_atomic_load(&a->fail_from);
    record_site();
    if (from != 0 && number >= from) {
        kcom_atomic_fetch_add(&a->refused, 1);
        return NULL;
    }
    return a->counter.allocator.allocate(a->counter.allocator.context, size, alignment);
}

static void rel_free(void *context, void *block, size_t size, size_t alignment)
{
    rel_allocator *a = (rel_allocator *)context;
    a->counter.allocator.free(a->counter.allocator.context, block, size, alignment);
}

void rel_alloc_init(void)
{
    rel_alloc.allocator.allocate = rel_allocate;
    rel_alloc.allocator.free = rel_free;
    rel_alloc.allocator.context = &rel_alloc;
    kcom_counting_allocator_init(&rel_alloc.counter, NULL);
    rel_alloc.requests = 0;
    rel_alloc.fail_from = 0;
    rel_alloc.refused = 0;
    rel_alloc.site_count = 0;
    rel_alloc.site_lock = 0;
    rel_alloc.record_sites = 1;
}

void rel_alloc_reset(int mode, LONG n)
{
    kcom_atomic_store(&rel_alloc.fail_from, 0);
    kcom_atomic_store(&rel_alloc.requests, 0);
    kcom_atomic_store(&rel_alloc.refused, 0);
    kcom_counting_allocator_fail_nth(&rel_alloc.counter, mode == REL_FAIL_NTH ? n : 0);
    if (mode == REL_FAIL_FROM)
        kcom_atomic_store(&rel_alloc.fail_from, n);
}

LONG rel_alloc_failures(void)
{
    return kcom_atomic_load(&rel_alloc.refused) + kcom_atomic_load(&rel_alloc.counter.failures);
}

LONG rel_alloc_requests(void)
{
    return kcom_atomic_load(&rel_alloc.requests);
}

LONG rel_alloc_live(void)
{
    return kcom_counting_allocator_live(&rel_alloc.counter);
}

LONG rel_alloc_sites(const rel_site **sites)
{
    if (sites != NULL)
        *sites = rel_alloc.sites;
    return kcom_atomic_load(&rel_alloc.site_count);
}

ULONG_PTR rel_code_offset(const void *address)
{
    extern char __executable_start; /* the GNU linkers' start of the image */
    return (ULONG_PTR)address - (ULONG_PTR)&__executable_start;
}

/* ---- classes ---------------------------------------------------------------------------------------------- */

LONG volatile rel_destroyed[REL_CLASS_COUNT];
LONG volatile rel_created[REL_CLASS_COUNT];
LONG volatile rel_reader_starts;
LONG volatile rel_reader_drops;

/* Single: IOther1 only; rel_alloc is its own allocator. */
typedef struct Single {
    IOther1 IOther1_iface;
    ULONG value;
} Single;
static ULONG Single_Tag(Single *self)
{
    (void)self;
    return TAG_OTHER1;
}
static NTSTATUS Single_Store(Single *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Single_Load(Single *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static void Single_destroy(Single *self)
{
    (void)self;
    kcom_atomic_fetch_add(&rel_destroyed[REL_SINGLE], 1);
}
KCOM_IMPLEMENT(Single, IOther1, IOther1_iface)
KCOM_CLASS_EX(Single, &rel_alloc.allocator, Single_destroy, NULL, (IOther1, IOther1_iface))

/* Quad: a three-level chain and three unrelated interfaces, from the default allocator. */
typedef struct Quad {
    IDerived IDerived_iface;
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    IOther3 IOther3_iface;
    ULONG value;
} Quad;
static ULONG Quad_BaseTag(Quad *self)
{
    (void)self;
    return TAG_BASE;
}
static NTSTATUS Quad_BaseSet(Quad *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Quad_BaseGet(Quad *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static ULONG Quad_MiddleTag(Quad *self)
{
    (void)self;
    return TAG_MIDDLE;
}
static void Quad_MiddleAdd(Quad *self, ULONG a, ULONG b)
{
    self->value += a + b;
}
static ULONG Quad_DerivedTag(Quad *self)
{
    (void)self;
    return TAG_DERIVED;
}
static NTSTATUS Quad_DerivedSum(Quad *self, ULONG a, ULONG64 b, ULONG64 *sum)
{
    *sum = (ULONG64)self->value + a + b;
    return STATUS_SUCCESS;
}
#define QUAD_OTHER(n)                                                                     \
    static ULONG Quad##n##_Tag(Quad *self)                                                \
    {                                                                                     \
        (void)self;                                                                       \
        return TAG_OTHER##n;                                                              \
    }                                                                                     \
    static NTSTATUS Quad##n##_Store(Quad *self, ULONG value)                              \
    {                                                                                     \
        self->value = value;                                                              \
        return STATUS_SUCCESS;                                                            \
    }                                                                                     \
    static NTSTATUS Quad##n##_Load(Quad *self, ULONG *value)                              \
    {                                                                                     \
        *value = self->value;                                                             \
        return STATUS_SUCCESS;                                                            \
    }
QUAD_OTHER(1)
QUAD_OTHER(2)
QUAD_OTHER(3)
static void Quad_destroy(Quad *self)
{
    (void)self;
    kcom_atomic_fetch_add(&rel_destroyed[REL_QUAD], 1);
}
KCOM_IMPLEMENT(Quad, IDerived, IDerived_iface)
KCOM_IMPLEMENT_WITH(Quad, IOther1, IOther1_iface, Quad1_)
KCOM_IMPLEMENT_WITH(Quad, IOther2, IOther2_iface, Quad2_)
KCOM_IMPLEMENT_WITH(Quad, IOther3, IOther3_iface, Quad3_)
KCOM_CLASS(Quad, Quad_destroy, (IDerived, IDerived_iface), (IOther1, IOther1_iface), (IOther2, IOther2_iface),
           (IOther3, IOther3_iface))

/* The aggregate: Outer (IOther1, the identity) creates Inner (IOther2, IOther3) in its init and
 * forwards the inner's IIDs through its query fallback. */
typedef struct Inner {
    IOther2 IOther2_iface;
    IOther3 IOther3_iface;
    ULONG value;
} Inner;
#define INNER_OTHER(n)                                                                    \
    static ULONG Inner##n##_Tag(Inner *self)                                              \
    {                                                                                     \
        (void)self;                                                                       \
        return TAG_OTHER##n;                                                              \
    }                                                                                     \
    static NTSTATUS Inner##n##_Store(Inner *self, ULONG value)                            \
    {                                                                                     \
        self->value = value;                                                              \
        return STATUS_SUCCESS;                                                            \
    }                                                                                     \
    static NTSTATUS Inner##n##_Load(Inner *self, ULONG *value)                            \
    {                                                                                     \
        *value = self->value;                                                             \
        return STATUS_SUCCESS;                                                            \
    }
INNER_OTHER(2)
INNER_OTHER(3)
static LONG volatile rel_inner_destroyed;
static void Inner_destroy(Inner *self)
{
    (void)self;
    kcom_atomic_fetch_add(&rel_inner_destroyed, 1);
}
KCOM_IMPLEMENT_WITH(Inner, IOther2, IOther2_iface, Inner2_)
KCOM_IMPLEMENT_WITH(Inner, IOther3, IOther3_iface, Inner3_)
KCOM_AGGREGATABLE_CLASS_EX(Inner, &rel_alloc.allocator, Inner_destroy, NULL, (IOther2, IOther2_iface),
                           (IOther3, IOther3_iface))

typedef struct Outer {
    IOther1 IOther1_iface;
    IUnknown *inner; /* the inner's non-delegating IUnknown: the outer's only reference to it */
    ULONG value;
} Outer;
static ULONG Outer_Tag(Outer *self)
{
    (void)self;
    return TAG_OTHER1;
}
static NTSTATUS Outer_Store(Outer *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Outer_Load(Outer *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static void Outer_destroy(Outer *self)
{
    /* also over an outer whose init failed (no inner): kcom_object_create releases it; only a
     * complete aggregate was counted as created */
    if (self->inner != NULL) {
        self->inner->lpVtbl->Release(self->inner);
        kcom_atomic_fetch_add(&rel_destroyed[REL_AGGREGATE], 1);
    }
}
static NTSTATUS Outer_fallback(Outer *self, const IID *riid, void **ppv)
{
    if (self->inner == NULL) {
        *ppv = NULL;
        return STATUS_NOINTERFACE;
    }
    return self->inner->lpVtbl->QueryInterface(self->inner, riid, ppv);
}
KCOM_IMPLEMENT(Outer, IOther1, IOther1_iface)
KCOM_CLASS_EX(Outer, NULL, Outer_destroy, Outer_fallback, (IOther1, IOther1_iface))

static NTSTATUS Outer_init(void *impl, void *context)
{
    Outer *self = (Outer *)impl;
    (void)context;
    return kcom_object_create(KCOM_CLASS_OF(Inner), (IUnknown *)(void *)&self->IOther1_iface, NULL, NULL,
                              &IID_IUnknown, (void **)&self->inner);
}

/* Reader: async methods; the operations come from the class's allocator, rel_alloc. */
typedef struct Reader {
    IRelReader IRelReader_iface;
    LONG volatile calls; /* start functions run on it (threads call it concurrently) */
} Reader;

typedef struct Reader_ReadNow_state {
    KCOM_TASK_RESUME_POINT;
    ULONG value;
} Reader_ReadNow_state;
static NTSTATUS Reader_ReadNow(Reader *self, Reader_ReadNow_state *state, ULONG value)
{
    kcom_atomic_fetch_add(&self->calls, 1);
    kcom_atomic_fetch_add(&rel_reader_starts, 1);
    state->value = value;
    return STATUS_SUCCESS;
}
static kcom_poll_result Reader_ReadNow_poll(Reader_ReadNow_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, REL_READ_NOW_VALUE(state->value));
    KCOM_TASK_END(cx);
}
static void Reader_ReadNow_drop(Reader_ReadNow_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&rel_reader_drops, 1);
}

typedef struct Reader_ReadLater_state {
    KCOM_TASK_RESUME_POINT;
    kcom_async_await source;
    BOOLEAN canceled;
} Reader_ReadLater_state;
static NTSTATUS Reader_ReadLater(Reader *self, Reader_ReadLater_state *state, IKcomAsyncOperation *source)
{
    kcom_atomic_fetch_add(&self->calls, 1);
    kcom_atomic_fetch_add(&rel_reader_starts, 1);
    if (source == NULL)
        return STATUS_INVALID_PARAMETER;
    source->lpVtbl->AddRef(source);
    kcom_async_await_init(&state->source, source);
    return STATUS_SUCCESS;
}
static kcom_poll_result Reader_ReadLater_poll(Reader_ReadLater_state *state, kcom_task_context *cx)
{
    ULONG value = 0;
    NTSTATUS status;
    KCOM_TASK_BEGIN(state);
    KCOM_AWAIT_CANCELABLE(cx, state->canceled, kcom_async_await_poll(&state->source, cx));
    if (state->canceled)
        KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
    status = state->source.operation->lpVtbl->get_result(state->source.operation, &value);
    /* a failed source fails the read; a canceled one too (STATUS_NOT_FOUND), so that a read
     * reports Canceled only when it was canceled itself */
    if (!NT_SUCCESS(status))
        KCOM_TASK_RETURN(cx, status == STATUS_CANCELLED ? STATUS_NOT_FOUND : status);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, value + 1);
    KCOM_TASK_END(cx);
}
static void Reader_ReadLater_drop(Reader_ReadLater_state *state)
{
    kcom_async_await_clear(&state->source);
    kcom_atomic_fetch_add(&rel_reader_drops, 1);
}

typedef struct Reader_ReadYield_state {
    KCOM_TASK_RESUME_POINT;
    ULONG yields;
    ULONG done;
} Reader_ReadYield_state;
static NTSTATUS Reader_ReadYield(Reader *self, Reader_ReadYield_state *state, ULONG yields)
{
    kcom_atomic_fetch_add(&self->calls, 1);
    kcom_atomic_fetch_add(&rel_reader_starts, 1);
    state->yields = yields;
    return STATUS_SUCCESS;
}
static kcom_poll_result Reader_ReadYield_poll(Reader_ReadYield_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    while (state->done < state->yields) {
        if (kcom_task_take_cancellation_request(cx))
            KCOM_TASK_RETURN(cx, STATUS_CANCELLED);
        state->done++;
        KCOM_YIELD(cx);
    }
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->yields);
    KCOM_TASK_END(cx);
}
static void Reader_ReadYield_drop(Reader_ReadYield_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&rel_reader_drops, 1);
}

typedef struct Reader_ReadFail_state {
    KCOM_TASK_RESUME_POINT;
} Reader_ReadFail_state;
static NTSTATUS Reader_ReadFail(Reader *self, Reader_ReadFail_state *state, NTSTATUS status)
{
    (void)state;
    kcom_atomic_fetch_add(&self->calls, 1);
    kcom_atomic_fetch_add(&rel_reader_starts, 1);
    return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
}
static kcom_poll_result Reader_ReadFail_poll(Reader_ReadFail_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_END(cx);
}
static void Reader_ReadFail_drop(Reader_ReadFail_state *state)
{
    (void)state;
    kcom_atomic_fetch_add(&rel_reader_drops, 1);
}

static void Reader_destroy(Reader *self)
{
    (void)self;
    kcom_atomic_fetch_add(&rel_destroyed[REL_READER], 1);
}
KCOM_IMPLEMENT(Reader, IRelReader, IRelReader_iface)
KCOM_CLASS_EX(Reader, &rel_alloc.allocator, Reader_destroy, NULL, (IRelReader, IRelReader_iface))

/* ---- creation and the answers -------------------------------------------------------------------------------- */

const IID *rel_iid(int index)
{
    switch (index) {
    case REL_IID_IUNKNOWN:
        return &IID_IUnknown;
    case REL_IID_IBASE:
        return &IID_IBase;
    case REL_IID_IMIDDLE:
        return &IID_IMiddle;
    case REL_IID_IDERIVED:
        return &IID_IDerived;
    case REL_IID_IOTHER1:
        return &IID_IOther1;
    case REL_IID_IOTHER2:
        return &IID_IOther2;
    case REL_IID_IOTHER3:
        return &IID_IOther3;
    case REL_IID_IOTHERCHILD:
        return &IID_IOtherChild;
    case REL_IID_IBASESIBLING:
        return &IID_IBaseSibling;
    case REL_IID_IUNRELATED:
        return &IID_IUnrelated;
    case REL_IID_IRELREADER:
        return &IID_IRelReader;
    default:
        return &IID_IKcomAsyncOperation;
    }
}

const char *rel_class_name(int kind)
{
    static const char *const names[REL_CLASS_COUNT] = {"Single", "Quad", "Outer+Inner", "Reader"};
    return kind >= 0 && kind < REL_CLASS_COUNT ? names[kind] : "?";
}

int rel_expected_interface(int kind, int iid_index)
{
    if (iid_index == REL_IID_IUNKNOWN)
        return 0;
    switch (kind) {
    case REL_SINGLE:
        return iid_index == REL_IID_IOTHER1 ? 0 : -1;
    case REL_QUAD:
        switch (iid_index) {
        case REL_IID_IBASE:
        case REL_IID_IMIDDLE:
        case REL_IID_IDERIVED:
            return 0;
        case REL_IID_IOTHER1:
            return 1;
        case REL_IID_IOTHER2:
            return 2;
        case REL_IID_IOTHER3:
            return 3;
        default:
            return -1;
        }
    case REL_AGGREGATE:
        switch (iid_index) {
        case REL_IID_IOTHER1:
            return 0;
        case REL_IID_IOTHER2:
            return 1;
        case REL_IID_IOTHER3:
            return 2;
        default:
            return -1;
        }
    case REL_READER:
        return iid_index == REL_IID_IRELREADER ? 0 : -1;
    default:
        return -1;
    }
}

BOOLEAN rel_call_tag(const rel_object *obj, int i, ULONG *tag, ULONG *expected)
{
    static const ULONG quad_tags[4] = {TAG_DERIVED, TAG_OTHER1, TAG_OTHER2, TAG_OTHER3};
    static const ULONG aggregate_tags[3] = {TAG_OTHER1, TAG_OTHER2, TAG_OTHER3};
    IUnknown *p = rel_object_interface(obj, i);
    if (p == NULL)
        return FALSE;
    switch (obj->kind) {
    case REL_SINGLE:
        *expected = TAG_OTHER1;
        break;
    case REL_QUAD:
        *expected = quad_tags[i];
        if (i == 0) {
            *tag = IDerived_DerivedTag((IDerived *)(void *)p);
            return TRUE;
        }
        break;
    case REL_AGGREGATE:
        *expected = aggregate_tags[i];
        break;
    default:
        return FALSE;
    }
    /* IOther1, IOther2 and IOther3 share one vtable layout */
    *tag = IOther1_Tag((IOther1 *)(void *)p);
    return TRUE;
}

IUnknown *rel_object_interface(const rel_object *obj, int i)
{
    return i >= 0 && i < obj->interface_count ? obj->interfaces[i] : NULL;
}

NTSTATUS rel_create(int kind, int via, rel_object *obj)
{
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    obj->kind = kind;
    obj->identity = NULL;
    obj->interface_count = 0;
    switch (kind) {
    case REL_SINGLE: {
        Single *single = NULL;
        IOther1 *iface = NULL;
        if (via) {
            status = kcom_object_create(KCOM_CLASS_OF(Single), NULL, NULL, NULL, &IID_IOther1, (void **)&iface);
            if (NT_SUCCESS(status))
                single = KCOM_IMPL_FROM(Single, IOther1_iface, iface);
        } else {
            status = KCOM_NEW(Single, NULL, &single);
        }
        if (NT_SUCCESS(status)) {
            obj->interfaces[0] = (IUnknown *)(void *)&single->IOther1_iface;
            obj->interface_count = 1;
        }
        break;
    }
    case REL_QUAD: {
        Quad *quad = NULL;
        IOther2 *iface = NULL;
        if (via) {
            status = kcom_object_create(KCOM_CLASS_OF(Quad), NULL, NULL, NULL, &IID_IOther2, (void **)&iface);
            if (NT_SUCCESS(status))
                quad = KCOM_IMPL_FROM(Quad, IOther2_iface, iface);
        } else {
            status = KCOM_NEW(Quad, NULL, &quad);
        }
        if (NT_SUCCESS(status)) {
            obj->interfaces[0] = (IUnknown *)(void *)&quad->IDerived_iface;
            obj->interfaces[1] = (IUnknown *)(void *)&quad->IOther1_iface;
            obj->interfaces[2] = (IUnknown *)(void *)&quad->IOther2_iface;
            obj->interfaces[3] = (IUnknown *)(void *)&quad->IOther3_iface;
            obj->interface_count = 4;
        }
        break;
    }
    case REL_AGGREGATE: {
        IOther1 *iface = NULL;
        (void)via;
        status = kcom_object_create(KCOM_CLASS_OF(Outer), NULL, Outer_init, NULL, &IID_IOther1, (void **)&iface);
        if (NT_SUCCESS(status)) {
            Outer *outer = KCOM_IMPL_FROM(Outer, IOther1_iface, iface);
            Inner *inner = (Inner *)(void *)((char *)outer->inner + sizeof(kcom_aggregate_header));
            obj->interfaces[0] = (IUnknown *)(void *)&outer->IOther1_iface;
            obj->interfaces[1] = (IUnknown *)(void *)&inner->IOther2_iface;
            obj->interfaces[2] = (IUnknown *)(void *)&inner->IOther3_iface;
            obj->interface_count = 3;
        }
        break;
    }
    case REL_READER: {
        Reader *reader = NULL;
        IRelReader *iface = NULL;
        if (via) {
            status = kcom_object_create(KCOM_CLASS_OF(Reader), NULL, NULL, NULL, &IID_IRelReader, (void **)&iface);
            if (NT_SUCCESS(status))
                reader = KCOM_IMPL_FROM(Reader, IRelReader_iface, iface);
        } else {
            status = KCOM_NEW(Reader, NULL, &reader);
        }
        if (NT_SUCCESS(status)) {
            obj->interfaces[0] = (IUnknown *)(void *)&reader->IRelReader_iface;
            obj->interface_count = 1;
        }
        break;
    }
    default:
        break;
    }
    if (NT_SUCCESS(status)) {
        obj->identity = obj->interfaces[0];
        kcom_atomic_fetch_add(&rel_created[kind], 1);
    }
    return status;
}

/* ---- soak duration ---------------------------------------------------------------------------------------- */

double rel_soak_seconds(int argc, char **argv, double default_seconds)
{
    const char *text = argc > 1 ? argv[1] : getenv("KCOM_SOAK_SECONDS");
    double seconds;
    char *end;
    if (text == NULL || *text == '\0')
        return default_seconds;
    seconds = strtod(text, &end);
    if (end == text || seconds <= 0 || seconds > 86400)
        return default_seconds;
    return seconds;
}
