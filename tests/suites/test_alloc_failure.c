/*
 * Allocation failure is an ordinary path. Every allocation the runtime makes for an object fails in
 * turn (kcom_counting_allocator_fail_nth(N) for N = 1, 2, ... until a run makes no failing request):
 * each failing run returns STATUS_INSUFFICIENT_RESOURCES with a NULL out pointer, runs no destroy
 * callback and leaves nothing allocated; the first run without a failure succeeds, and shows that an
 * object is exactly one allocation. Covered: kcom_object_new, KCOM_NEW (the inline path),
 * kcom_object_create (plain, with init, aggregated), an aggregatable and an over-aligned class, and
 * the default allocator route. Then: an init callback that fails, and a QueryInterface that fails
 * inside kcom_object_create.
 */
#include "test_common.h"

static kcom_counting_allocator fail_counter;
static LONG fail_destroyed;
static LONG fail_init_calls;

/* ---- classes -------------------------------------------------------------------------------------- */

typedef struct Pair {
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    ULONG value;
    ULONG seen_by_destroy;
} Pair;
static ULONG Pair_Tag(Pair *self)
{
    return self->value;
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
    self->seen_by_destroy = self->value;
    fail_destroyed++;
}
KCOM_IMPLEMENT_WITH(Pair, IOther1, IOther1_iface, Pair_)
KCOM_IMPLEMENT_WITH(Pair, IOther2, IOther2_iface, Pair_)
KCOM_CLASS_EX(Pair, &fail_counter.allocator, Pair_destroy, NULL, (IOther1, IOther1_iface), (IOther2, IOther2_iface))

/* the same, aggregatable */
typedef Pair AggPair;
static void AggPair_destroy(AggPair *self)
{
    Pair_destroy(self);
}
KCOM_IMPLEMENT_WITH(AggPair, IOther1, IOther1_iface, Pair_)
KCOM_IMPLEMENT_WITH(AggPair, IOther2, IOther2_iface, Pair_)
KCOM_AGGREGATABLE_CLASS_EX(AggPair, &fail_counter.allocator, AggPair_destroy, NULL, (IOther1, IOther1_iface),
                           (IOther2, IOther2_iface))

/* over-aligned */
typedef struct Wide {
    IOther3 IOther3_iface;
    _Alignas(64) UCHAR line[64];
} Wide;
static ULONG Wide_Tag(Wide *self)
{
    return self->line[0];
}
static NTSTATUS Wide_Store(Wide *self, ULONG value)
{
    self->line[0] = (UCHAR)value;
    return STATUS_SUCCESS;
}
static NTSTATUS Wide_Load(Wide *self, ULONG *value)
{
    *value = self->line[0];
    return STATUS_SUCCESS;
}
static void Wide_destroy(Wide *self)
{
    (void)self;
    fail_destroyed++;
}
KCOM_IMPLEMENT(Wide, IOther3, IOther3_iface)
KCOM_CLASS_EX(Wide, &fail_counter.allocator, Wide_destroy, NULL, (IOther3, IOther3_iface))

/* no allocator of its own: the default one */
typedef struct Defaulted {
    IOther1 IOther1_iface;
    ULONG value;
} Defaulted;
static ULONG Defaulted_Tag(Defaulted *self)
{
    return self->value;
}
static NTSTATUS Defaulted_Store(Defaulted *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Defaulted_Load(Defaulted *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static void Defaulted_destroy(Defaulted *self)
{
    (void)self;
    fail_destroyed++;
}
KCOM_IMPLEMENT(Defaulted, IOther1, IOther1_iface)
KCOM_CLASS(Defaulted, Defaulted_destroy, (IOther1, IOther1_iface))

/* ---- a trivial outer for the aggregated path ------------------------------------------------------- */

static LONG dummy_outer_refs;
static NTSTATUS KCOM_STDCALL dummy_QueryInterface(IUnknown *This, REFIID riid, void **ppv)
{
    (void)riid;
    *ppv = This;
    dummy_outer_refs++;
    return STATUS_SUCCESS;
}
static ULONG KCOM_STDCALL dummy_AddRef(IUnknown *This)
{
    (void)This;
    return (ULONG)++dummy_outer_refs;
}
static ULONG KCOM_STDCALL dummy_Release(IUnknown *This)
{
    (void)This;
    return (ULONG)--dummy_outer_refs;
}
static const IUnknownVtbl dummy_outer_vtbl = {dummy_QueryInterface, dummy_AddRef, dummy_Release};
static IUnknown dummy_outer = {&dummy_outer_vtbl};

/* ---- the attempts ------------------------------------------------------------------------------------ */

static NTSTATUS init_store(void *impl, void *context)
{
    fail_init_calls++;
    ((Pair *)impl)->value = *(ULONG *)context;
    return STATUS_SUCCESS;
}

static NTSTATUS attempt_object_new(void **out)
{
    return kcom_object_new(KCOM_CLASS_OF(Pair), NULL, out);
}
static NTSTATUS attempt_kcom_new(void **out)
{
    return KCOM_NEW(Pair, NULL, (Pair **)out);
}
static NTSTATUS attempt_create(void **out)
{
    return kcom_object_create(KCOM_CLASS_OF(Pair), NULL, NULL, NULL, &IID_IOther2, out);
}
static NTSTATUS attempt_create_init(void **out)
{
    static ULONG value = 17;
    return kcom_object_create(KCOM_CLASS_OF(Pair), NULL, init_store, &value, &IID_IOther1, out);
}
static NTSTATUS attempt_aggregatable_new(void **out)
{
    return KCOM_NEW(AggPair, NULL, (AggPair **)out);
}
static NTSTATUS attempt_aggregatable_create(void **out)
{
    return kcom_object_create(KCOM_CLASS_OF(AggPair), NULL, NULL, NULL, &IID_IOther2, out);
}
static NTSTATUS attempt_aggregated_create(void **out)
{
    static ULONG value = 23;
    return kcom_object_create(KCOM_CLASS_OF(AggPair), &dummy_outer, init_store, &value, &IID_IUnknown, out);
}
static NTSTATUS attempt_wide_new(void **out)
{
    return KCOM_NEW(Wide, NULL, (Wide **)out);
}
static NTSTATUS attempt_wide_create(void **out)
{
    return kcom_object_create(KCOM_CLASS_OF(Wide), NULL, NULL, NULL, &IID_IOther3, out);
}
static NTSTATUS attempt_default_new(void **out)
{
    return KCOM_NEW(Defaulted, NULL, (Defaulted **)out);
}
static NTSTATUS attempt_default_object_new(void **out)
{
    return kcom_object_new(KCOM_CLASS_OF(Defaulted), NULL, out);
}

/* What a successful attempt returned: an implementation pointer or an interface pointer. */
enum out_kind { OUT_IMPL, OUT_INTERFACE };

static void sweep_(const char *file, int line, const char *what, NTSTATUS (*attempt)(void **out), enum out_kind kind)
{
    LONG n;
    LONG failing_runs = 0;
    int succeeded = 0;

    for (n = 1; n <= 16 && !succeeded; n++) {
        void *out = TEST_POISON_PTR;
        NTSTATUS status;

        fail_destroyed = 0;
        kcom_counting_allocator_fail_nth(&fail_counter, n);
        status = attempt(&out);
        if (fail_counter.failures == 0) {
            /* no request failed: the attempt succeeds, having made n - 1 requests */
            succeeded = 1;
            ok_(file, line)(status == STATUS_SUCCESS && out != NULL && out != TEST_POISON_PTR,
                            "%s: run %ld without a failure returned %s %p\n", what, (long)n, kcom_status_name(status),
                            out);
            ok_(file, line)(fail_counter.attempts == n - 1, "%s: %ld allocation requests, expected %ld\n", what,
                            (long)fail_counter.attempts, (long)(n - 1));
            check_live_(file, line, &fail_counter, 1);
            if (status == STATUS_SUCCESS && out != NULL && out != TEST_POISON_PTR) {
                ULONG remaining = kind == OUT_IMPL ? kcom_object_release(out)
                                                   : ((IUnknown *)out)->lpVtbl->Release((IUnknown *)out);
                ok_(file, line)(remaining == 0, "%s: the new object had %lu more references\n", what,
                                (unsigned long)remaining);
                ok_(file, line)(fail_destroyed == 1, "%s: destroy ran %ld times\n", what, (long)fail_destroyed);
            }
            check_live_(file, line, &fail_counter, 0);
            break;
        }
        failing_runs++;
        ok_(file, line)(status == STATUS_INSUFFICIENT_RESOURCES,
                        "%s: allocation %ld failed, returned %s, expected STATUS_INSUFFICIENT_RESOURCES\n", what,
                        (long)n, kcom_status_name(status));
        ok_(file, line)(out == NULL, "%s: allocation %ld failed, *out is %p\n", what, (long)n, out);
        ok_(file, line)(fail_destroyed == 0, "%s: allocation %ld failed, destroy ran %ld times\n", what, (long)n,
                        (long)fail_destroyed);
        check_live_(file, line, &fail_counter, 0);
        ok_(file, line)(fail_counter.live_bytes == 0, "%s: %ld live bytes\n", what, (long)fail_counter.live_bytes);
    }
    ok_(file, line)(succeeded, "%s: never succeeded\n", what);
    /* one allocation per object (header and struct together) */
    ok_(file, line)(failing_runs == 1, "%s: %ld allocations per object, expected 1\n", what, (long)failing_runs);
    kcom_counting_allocator_fail_nth(&fail_counter, 0);
}
#define sweep(what, attempt, kind) sweep_(__FILE__, __LINE__, (what), (attempt), (kind))

static NTSTATUS init_fail(void *impl, void *context)
{
    fail_init_calls++;
    ((Pair *)impl)->value = 0x5EEu; /* partly initialized */
    return *(NTSTATUS *)context;
}

static void test_init_failure(void)
{
    NTSTATUS init_status = STATUS_ACCESS_DENIED;
    void *out = TEST_POISON_PTR;
    NTSTATUS status;

    kcom_counting_allocator_init(&fail_counter, NULL);
    fail_destroyed = 0;
    fail_init_calls = 0;
    status = kcom_object_create(KCOM_CLASS_OF(Pair), NULL, init_fail, &init_status, &IID_IOther1, &out);
    ok(status == STATUS_ACCESS_DENIED, "init failure: returned %s, expected init's STATUS_ACCESS_DENIED\n",
       kcom_status_name(status));
    ok(out == NULL, "init failure: *ppv is %p\n", out);
    ok(fail_init_calls == 1, "init ran %ld times\n", (long)fail_init_calls);
    ok(fail_destroyed == 1, "init failure: destroy ran %ld times\n", (long)fail_destroyed);
    check_live(&fail_counter, 0);

    /* a different failure status is passed through as is */
    init_status = STATUS_INVALID_DEVICE_STATE;
    fail_destroyed = 0;
    out = TEST_POISON_PTR;
    status = kcom_object_create(KCOM_CLASS_OF(AggPair), NULL, init_fail, &init_status, &IID_IOther2, &out);
    ok(status == STATUS_INVALID_DEVICE_STATE && out == NULL, "init failure (aggregatable): %s %p\n",
       kcom_status_name(status), out);
    ok(fail_destroyed == 1, "init failure (aggregatable): destroy ran %ld times\n", (long)fail_destroyed);
    check_live(&fail_counter, 0);

    /* aggregated: the outer is not touched */
    fail_destroyed = 0;
    dummy_outer_refs = 1;
    out = TEST_POISON_PTR;
    status = kcom_object_create(KCOM_CLASS_OF(AggPair), &dummy_outer, init_fail, &init_status, &IID_IUnknown, &out);
    ok(status == STATUS_INVALID_DEVICE_STATE && out == NULL, "init failure (aggregated): %s %p\n",
       kcom_status_name(status), out);
    ok(fail_destroyed == 1 && dummy_outer_refs == 1, "init failure (aggregated): destroyed %ld, outer refs %ld\n",
       (long)fail_destroyed, (long)dummy_outer_refs);
    check_live(&fail_counter, 0);

    /* an informational status from init is a success */
    init_status = STATUS_PENDING;
    fail_destroyed = 0;
    out = NULL;
    status = kcom_object_create(KCOM_CLASS_OF(Pair), NULL, init_fail, &init_status, &IID_IOther1, &out);
    ok(status == STATUS_SUCCESS && out != NULL, "init STATUS_PENDING: %s %p\n", kcom_status_name(status), out);
    if (out != NULL) {
        ok(IOther1_Tag((IOther1 *)out) == 0x5EEu, "init's state lost\n");
        check_release((IOther1 *)out, 0);
    }
    ok(fail_destroyed == 1, "destroy ran %ld times\n", (long)fail_destroyed);
    check_live(&fail_counter, 0);
}

static void test_qi_failure(void)
{
    ULONG value = 5;
    void *out = TEST_POISON_PTR;
    NTSTATUS status;

    kcom_counting_allocator_init(&fail_counter, NULL);
    fail_destroyed = 0;
    fail_init_calls = 0;
    status = kcom_object_create(KCOM_CLASS_OF(Pair), NULL, init_store, &value, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE, "create(unexposed IID) returned %s\n", kcom_status_name(status));
    ok(out == NULL, "create(unexposed IID): *ppv is %p\n", out);
    ok(fail_init_calls == 1, "init ran %ld times\n", (long)fail_init_calls);
    ok(fail_destroyed == 1, "create(unexposed IID): destroy ran %ld times\n", (long)fail_destroyed);
    check_live(&fail_counter, 0);
    ok(fail_counter.attempts == 1, "%ld allocation requests\n", (long)fail_counter.attempts);

    out = TEST_POISON_PTR;
    fail_destroyed = 0;
    status = kcom_object_create(KCOM_CLASS_OF(AggPair), NULL, NULL, NULL, &IID_IBase, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "create(aggregatable, unexposed IID): %s %p\n",
       kcom_status_name(status), out);
    ok(fail_destroyed == 1, "destroy ran %ld times\n", (long)fail_destroyed);
    check_live(&fail_counter, 0);

    out = TEST_POISON_PTR;
    fail_destroyed = 0;
    status = kcom_object_create(KCOM_CLASS_OF(Wide), NULL, NULL, NULL, &IID_IOther1, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "create(over-aligned, unexposed IID): %s %p\n",
       kcom_status_name(status), out);
    ok(fail_destroyed == 1, "destroy ran %ld times\n", (long)fail_destroyed);
    check_live(&fail_counter, 0);
}

void kcom_test_alloc_failure(void)
{
    kcom_counting_allocator_init(&fail_counter, NULL);
    fail_init_calls = 0;
    sweep("kcom_object_new", attempt_object_new, OUT_IMPL);
    sweep("KCOM_NEW", attempt_kcom_new, OUT_IMPL);
    sweep("kcom_object_create", attempt_create, OUT_INTERFACE);
    sweep("kcom_object_create with init", attempt_create_init, OUT_INTERFACE);
    ok(fail_init_calls == 1, "init ran %ld times: it must not run when the allocation failed\n",
       (long)fail_init_calls);
    sweep("KCOM_NEW aggregatable", attempt_aggregatable_new, OUT_IMPL);
    sweep("kcom_object_create aggregatable", attempt_aggregatable_create, OUT_INTERFACE);
    dummy_outer_refs = 1;
    sweep("kcom_object_create aggregated", attempt_aggregated_create, OUT_INTERFACE);
    ok(dummy_outer_refs == 1, "the outer's count moved to %ld\n", (long)dummy_outer_refs);
    sweep("KCOM_NEW over-aligned", attempt_wide_new, OUT_IMPL);
    sweep("kcom_object_create over-aligned", attempt_wide_create, OUT_INTERFACE);

    /* the default allocator route (the runner's default is restored afterwards) */
    {
        const kcom_allocator *saved = kcom_default_allocator();
        ok(kcom_set_default_allocator(&fail_counter.allocator) == STATUS_SUCCESS, "kcom_set_default_allocator\n");
        sweep("KCOM_NEW, default allocator", attempt_default_new, OUT_IMPL);
        sweep("kcom_object_new, default allocator", attempt_default_object_new, OUT_IMPL);
        ok(kcom_set_default_allocator(saved == kcom_platform_allocator() ? NULL : saved) == STATUS_SUCCESS,
           "restoring the default allocator\n");
    }

    test_init_failure();
    test_qi_failure();
}
