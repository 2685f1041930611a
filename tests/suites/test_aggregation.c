/*
 * Aggregation. A hand-written outer object (Wine style) aggregates a KCOM_AGGREGATABLE_CLASS inner
 * object exposing IOther1 and IMiddle (so also IBase):
 *  - the inner's IUnknown is non-delegating: QI(IID_IUnknown) on it returns it, and its
 *    AddRef/Release move only the inner's own count;
 *  - the interfaces the inner hands out delegate QueryInterface/AddRef/Release to the outer: the
 *    outer's count moves, the inner's does not; QI through them answers the outer's interfaces and
 *    the identity is the outer's IUnknown;
 *  - the outer's QueryInterface forwarding to the inner's non-delegating QI hands out pointers whose
 *    reference is the outer's (COM rule: the reference is taken through the returned interface);
 *  - final release of the outer releases the inner: destroyed once, nothing left allocated.
 * Also: an aggregatable class created standalone; and the argument rules of aggregation.
 */
#include "test_common.h"

static kcom_counting_allocator agg_counter;

/* ---- the inner, aggregatable class ---------------------------------------------------------- */

typedef struct Inner {
    ULONG leading;
    IOther1 IOther1_iface;
    IMiddle IMiddle_iface;
    ULONG value;
} Inner;

static LONG inner_destroyed;

static ULONG Inner_O1_Tag(Inner *self)
{
    (void)self;
    return TAG_OTHER1;
}
static NTSTATUS Inner_O1_Store(Inner *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Inner_O1_Load(Inner *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static ULONG Inner_BaseTag(Inner *self)
{
    (void)self;
    return TAG_BASE;
}
static NTSTATUS Inner_BaseSet(Inner *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Inner_BaseGet(Inner *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static ULONG Inner_MiddleTag(Inner *self)
{
    (void)self;
    return TAG_MIDDLE;
}
static void Inner_MiddleAdd(Inner *self, ULONG a, ULONG b)
{
    self->value += a + b;
}
static void Inner_destroy(Inner *self)
{
    (void)self;
    inner_destroyed++;
}

KCOM_IMPLEMENT_WITH(Inner, IOther1, IOther1_iface, Inner_O1_)
KCOM_IMPLEMENT(Inner, IMiddle, IMiddle_iface)
KCOM_AGGREGATABLE_CLASS_EX(Inner, &agg_counter.allocator, Inner_destroy, NULL, (IOther1, IOther1_iface),
                           (IMiddle, IMiddle_iface))

/* An ordinary (not aggregatable) class, for the argument rules. */
typedef struct Plain {
    IOther2 IOther2_iface;
} Plain;
static ULONG Plain_Tag(Plain *self)
{
    (void)self;
    return TAG_OTHER2;
}
static NTSTATUS Plain_Store(Plain *self, ULONG value)
{
    (void)self;
    (void)value;
    return STATUS_SUCCESS;
}
static NTSTATUS Plain_Load(Plain *self, ULONG *value)
{
    (void)self;
    *value = 0;
    return STATUS_SUCCESS;
}
KCOM_IMPLEMENT(Plain, IOther2, IOther2_iface)
KCOM_CLASS_EX(Plain, &agg_counter.allocator, NULL, NULL, (IOther2, IOther2_iface))

/* ---- the outer object, written by hand -------------------------------------------------------- */

typedef struct Outer {
    IUnknown IUnknown_iface;
    IUnrelated IUnrelated_iface;
    LONG refs;
    LONG destroyed;
    IUnknown *inner; /* the inner object's non-delegating IUnknown */
} Outer;

static Outer *outer_from_unknown(IUnknown *iface)
{
    return KCOM_IMPL_FROM(Outer, IUnknown_iface, iface);
}
static Outer *outer_from_unrelated(IUnrelated *iface)
{
    return KCOM_IMPL_FROM(Outer, IUnrelated_iface, iface);
}

static NTSTATUS KCOM_STDCALL Outer_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    Outer *outer = outer_from_unknown(iface);
    if (ppv == NULL)
        return STATUS_INVALID_PARAMETER;
    if (riid == NULL) {
        *ppv = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    if (kcom_guid_equal(riid, &IID_IUnknown)) {
        *ppv = &outer->IUnknown_iface;
    } else if (kcom_guid_equal(riid, &IID_IUnrelated)) {
        *ppv = &outer->IUnrelated_iface;
    } else if (outer->inner != NULL) {
        /* the inner's non-delegating QI AddRefs through the interface it returns: the outer's count */
        return outer->inner->lpVtbl->QueryInterface(outer->inner, riid, ppv);
    } else {
        *ppv = NULL;
        return STATUS_NOINTERFACE;
    }
    ((IUnknown *)*ppv)->lpVtbl->AddRef((IUnknown *)*ppv);
    return STATUS_SUCCESS;
}
static ULONG KCOM_STDCALL Outer_AddRef(IUnknown *iface)
{
    return (ULONG)++outer_from_unknown(iface)->refs;
}
static ULONG KCOM_STDCALL Outer_Release(IUnknown *iface)
{
    Outer *outer = outer_from_unknown(iface);
    LONG refs = --outer->refs;
    if (refs == 0) {
        outer->destroyed++;
        outer->refs = 1; /* guard against the inner calling back during its release */
        if (outer->inner != NULL)
            kcom_release_and_clear(&outer->inner);
        outer->refs = 0;
    }
    return (ULONG)refs;
}
static const IUnknownVtbl Outer_IUnknown_vtbl = {Outer_QueryInterface, Outer_AddRef, Outer_Release};

static NTSTATUS KCOM_STDCALL Outer_Unrelated_QueryInterface(IUnrelated *iface, REFIID riid, void **ppv)
{
    Outer *outer = outer_from_unrelated(iface);
    return Outer_QueryInterface(&outer->IUnknown_iface, riid, ppv);
}
static ULONG KCOM_STDCALL Outer_Unrelated_AddRef(IUnrelated *iface)
{
    return Outer_AddRef(&outer_from_unrelated(iface)->IUnknown_iface);
}
static ULONG KCOM_STDCALL Outer_Unrelated_Release(IUnrelated *iface)
{
    return Outer_Release(&outer_from_unrelated(iface)->IUnknown_iface);
}
static ULONG KCOM_STDCALL Outer_UnrelatedTag(IUnrelated *iface)
{
    (void)iface;
    return 0x00C7E200u;
}
static const IUnrelatedVtbl Outer_IUnrelated_vtbl = {Outer_Unrelated_QueryInterface, Outer_Unrelated_AddRef,
                                                     Outer_Unrelated_Release, Outer_UnrelatedTag};

static void outer_init(Outer *outer)
{
    memset(outer, 0, sizeof(*outer));
    outer->IUnknown_iface.lpVtbl = &Outer_IUnknown_vtbl;
    outer->IUnrelated_iface.lpVtbl = &Outer_IUnrelated_vtbl;
    outer->refs = 1;
}

#define check_outer_refs(outer, expected)                                                 \
    ok((outer)->refs == (expected), "outer refs %ld, expected %ld\n", (long)(outer)->refs, (long)(expected))

static Inner *captured_inner;
static NTSTATUS capture_init(void *impl, void *context)
{
    captured_inner = (Inner *)impl;
    ((Inner *)impl)->leading = *(ULONG *)context;
    return STATUS_SUCCESS;
}

/* ---- the aggregate ----------------------------------------------------------------------------- */

static void test_aggregate(void)
{
    Outer outer;
    Inner *inner;
    IUnknown *unknown = NULL;
    IOther1 *o1 = NULL;
    IMiddle *middle = NULL;
    IBase *base = NULL;
    IUnrelated *unrelated = NULL;
    void *out;
    ULONG leading = 0x1EAD;
    ULONG value = 0;
    NTSTATUS status;

    kcom_counting_allocator_init(&agg_counter, NULL);
    inner_destroyed = 0;
    captured_inner = NULL;
    outer_init(&outer);

    /* creation: the outer gets the inner's non-delegating IUnknown; the outer is not AddRef'd */
    status = kcom_object_create(KCOM_CLASS_OF(Inner), &outer.IUnknown_iface, capture_init, &leading, &IID_IUnknown,
                                (void **)&outer.inner);
    ok(status == STATUS_SUCCESS && outer.inner != NULL, "kcom_object_create(aggregated) returned %s\n",
       kcom_status_name(status));
    inner = captured_inner;
    if (outer.inner == NULL || inner == NULL)
        return;
    ok(inner->leading == 0x1EAD, "init did not run on the object\n");
    check_outer_refs(&outer, 1);
    check_refcount(inner, 1);
    check_live(&agg_counter, 1);
    ok(kcom_object_inner_unknown(inner) == outer.inner, "kcom_object_inner_unknown is not what create returned\n");
    ok(outer.inner != (IUnknown *)(void *)&inner->IOther1_iface && outer.inner != (IUnknown *)(void *)&inner->IMiddle_iface,
       "the inner IUnknown is one of the delegating interfaces\n");
    ok(kcom_object_class(inner) == KCOM_CLASS_OF(Inner), "kcom_object_class\n");

    /* the inner IUnknown is non-delegating */
    out = NULL;
    status = outer.inner->lpVtbl->QueryInterface(outer.inner, &IID_IUnknown, &out);
    ok(status == STATUS_SUCCESS && out == outer.inner, "inner QI(IUnknown) gave %p, expected the inner %p\n", out,
       (void *)outer.inner);
    check_refcount(inner, 2);
    check_outer_refs(&outer, 1);
    check_release(outer.inner, 1);
    ok(outer.inner->lpVtbl->AddRef(outer.inner) == 2, "inner AddRef\n");
    check_outer_refs(&outer, 1);
    ok(kcom_object_addref(inner) == 3 && kcom_object_release(inner) == 2, "kcom_object_addref/release: inner count\n");
    check_outer_refs(&outer, 1);
    check_release(outer.inner, 1);
    out = TEST_POISON_PTR;
    status = outer.inner->lpVtbl->QueryInterface(outer.inner, &IID_IOther2, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "inner QI(IOther2): %s %p\n", kcom_status_name(status), out);
    status = outer.inner->lpVtbl->QueryInterface(outer.inner, &IID_IOther1, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "inner QI(ppv NULL) returned %s\n", kcom_status_name(status));
    out = TEST_POISON_PTR;
    status = outer.inner->lpVtbl->QueryInterface(outer.inner, NULL, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "inner QI(riid NULL): %s %p\n", kcom_status_name(status), out);
    check_refcount(inner, 1);
    check_outer_refs(&outer, 1);

    /* QI through the outer for the inner's interface: the outer holds the reference */
    status = KCOM_QUERY_INTERFACE(&outer.IUnknown_iface, IOther1, &o1);
    ok(status == STATUS_SUCCESS && o1 == &inner->IOther1_iface, "outer QI(IOther1): %s %p\n", kcom_status_name(status),
       (void *)o1);
    if (o1 == NULL)
        return;
    check_outer_refs(&outer, 2);
    check_refcount(inner, 1);

    /* the inner's interfaces delegate AddRef/Release to the outer */
    ok(IOther1_AddRef(o1) == 3, "delegating AddRef returns the outer's count\n");
    check_outer_refs(&outer, 3);
    check_refcount(inner, 1);
    ok(IOther1_Release(o1) == 2, "delegating Release returns the outer's count\n");
    check_outer_refs(&outer, 2);
    check_refcount(inner, 1);

    /* ... and QueryInterface: identity is the outer */
    status = KCOM_QUERY_INTERFACE(o1, IUnknown, &unknown);
    ok(status == STATUS_SUCCESS && unknown == &outer.IUnknown_iface, "delegating QI(IUnknown) gave %p, not the outer\n",
       (void *)unknown);
    check_outer_refs(&outer, 3);
    check_refcount(inner, 1);
    KCOM_RELEASE_AND_CLEAR(&unknown);
    status = KCOM_QUERY_INTERFACE(o1, IUnrelated, &unrelated);
    ok(status == STATUS_SUCCESS && unrelated == &outer.IUnrelated_iface, "delegating QI reaches the outer's interface\n");
    check_outer_refs(&outer, 3);
    if (unrelated != NULL) {
        ok(IUnrelated_UnrelatedTag(unrelated) == 0x00C7E200u, "outer method\n");
        /* and back from the outer's interface to the inner's */
        status = KCOM_QUERY_INTERFACE(unrelated, IMiddle, &middle);
        ok(status == STATUS_SUCCESS && middle == &inner->IMiddle_iface, "outer -> inner QI(IMiddle)\n");
        check_outer_refs(&outer, 4);
        check_refcount(inner, 1);
        KCOM_RELEASE_AND_CLEAR(&unrelated);
    }
    status = KCOM_QUERY_INTERFACE(o1, IBase, &base);
    ok(status == STATUS_SUCCESS && (void *)base == (void *)&inner->IMiddle_iface, "delegating QI(IBase)\n");
    check_outer_refs(&outer, 4);
    check_refcount(inner, 1);
    out = TEST_POISON_PTR;
    status = IOther1_QueryInterface(o1, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "delegating QI(IOther3): %s %p\n", kcom_status_name(status), out);
    check_outer_refs(&outer, 4);
    check_refcount(inner, 1);

    /* the identity from every interface is the outer's IUnknown */
    if (middle != NULL && base != NULL) {
        IUnknown *a = NULL, *b = NULL, *c = NULL;
        kcom_query_interface((IUnknown *)(void *)o1, &IID_IUnknown, (void **)&a);
        kcom_query_interface((IUnknown *)(void *)middle, &IID_IUnknown, (void **)&b);
        kcom_query_interface((IUnknown *)(void *)base, &IID_IUnknown, (void **)&c);
        ok(a == &outer.IUnknown_iface && b == a && c == a, "identity: %p %p %p, outer %p\n", (void *)a, (void *)b,
           (void *)c, (void *)&outer.IUnknown_iface);
        check_outer_refs(&outer, 7);
        kcom_release_and_clear(&a);
        kcom_release_and_clear(&b);
        kcom_release_and_clear(&c);
        check_outer_refs(&outer, 4);

        /* calls reach the inner's state */
        ok(IOther1_Store(o1, 10) == STATUS_SUCCESS && inner->value == 10, "IOther1_Store on the inner\n");
        IMiddle_MiddleAdd(middle, 1, 2);
        ok(IBase_BaseGet(base, &value) == STATUS_SUCCESS && value == 13, "IBase_BaseGet gave %lu\n",
           (unsigned long)value);
        ok(IMiddle_MiddleTag(middle) == TAG_MIDDLE && IBase_BaseTag(base) == TAG_BASE, "tags\n");
    }

    /* release everything the client holds; the outer's creation reference keeps it all alive */
    KCOM_RELEASE_AND_CLEAR(&base);
    KCOM_RELEASE_AND_CLEAR(&middle);
    KCOM_RELEASE_AND_CLEAR(&o1);
    check_outer_refs(&outer, 1);
    check_refcount(inner, 1);
    ok(inner_destroyed == 0 && outer.destroyed == 0, "destroyed early\n");

    /* final release of the outer releases the inner */
    ok(Outer_Release(&outer.IUnknown_iface) == 0, "outer final release\n");
    ok(outer.destroyed == 1, "outer destroyed %ld times\n", (long)outer.destroyed);
    ok(inner_destroyed == 1, "inner destroyed %ld times\n", (long)inner_destroyed);
    ok(outer.inner == NULL, "the outer still holds the inner\n");
    check_live(&agg_counter, 0);
}

/* ---- an aggregatable class on its own ------------------------------------------------------------ */

static void test_standalone(void)
{
    IOther1 *o1 = NULL;
    IMiddle *middle = NULL;
    IUnknown *unknown = NULL, *unknown2 = NULL;
    IBase *base = NULL;
    Inner *inner;
    NTSTATUS status;

    kcom_counting_allocator_init(&agg_counter, NULL);
    inner_destroyed = 0;
    status = kcom_object_create(KCOM_CLASS_OF(Inner), NULL, NULL, NULL, &IID_IOther1, (void **)&o1);
    ok(status == STATUS_SUCCESS && o1 != NULL, "kcom_object_create(standalone) returned %s\n", kcom_status_name(status));
    if (o1 == NULL)
        return;
    inner = KCOM_IMPL_FROM(Inner, IOther1_iface, o1);
    check_refcount(inner, 1);
    check_live(&agg_counter, 1);

    /* identity: QI(IUnknown) from every interface is the inner unknown */
    status = KCOM_QUERY_INTERFACE(o1, IUnknown, &unknown);
    ok(status == STATUS_SUCCESS && unknown == kcom_object_inner_unknown(inner),
       "standalone QI(IUnknown) gave %p, expected the inner unknown %p\n", (void *)unknown,
       (void *)kcom_object_inner_unknown(inner));
    check_refcount(inner, 2);
    status = KCOM_QUERY_INTERFACE(o1, IMiddle, &middle);
    ok(status == STATUS_SUCCESS && middle == &inner->IMiddle_iface, "standalone QI(IMiddle)\n");
    check_refcount(inner, 3);
    status = KCOM_QUERY_INTERFACE(middle, IUnknown, &unknown2);
    ok(status == STATUS_SUCCESS && unknown2 == unknown, "standalone identity through IMiddle: %p vs %p\n",
       (void *)unknown2, (void *)unknown);
    check_refcount(inner, 4);
    KCOM_RELEASE_AND_CLEAR(&unknown2);
    if (unknown != NULL) {
        /* from the inner unknown to the interfaces and back */
        status = KCOM_QUERY_INTERFACE(unknown, IBase, &base);
        ok(status == STATUS_SUCCESS && (void *)base == (void *)&inner->IMiddle_iface, "standalone QI(IBase)\n");
        check_refcount(inner, 4);
        status = KCOM_QUERY_INTERFACE(unknown, IUnknown, &unknown2);
        ok(status == STATUS_SUCCESS && unknown2 == unknown, "standalone QI(IUnknown) on IUnknown\n");
        check_refcount(inner, 5);
        KCOM_RELEASE_AND_CLEAR(&unknown2);
        KCOM_RELEASE_AND_CLEAR(&base);
        check_interface(unknown, &IID_IOther1, TRUE);
        check_interface(unknown, &IID_IOther2, FALSE);
    }
    check_interface(o1, &IID_IOther3, FALSE);
    check_interface(middle, &IID_IBaseSibling, FALSE);
    check_refcount(inner, 3);

    /* AddRef/Release through the (delegating) interfaces move the object's own count */
    ok(IOther1_AddRef(o1) == 4, "standalone AddRef\n");
    ok(IMiddle_Release(middle) == 3, "standalone Release\n");
    middle = NULL;
    ok(IOther1_Store(o1, 99) == STATUS_SUCCESS && inner->value == 99, "standalone call\n");
    KCOM_RELEASE_AND_CLEAR(&unknown);
    check_refcount(inner, 2);
    check_release(o1, 1);
    ok(inner_destroyed == 0, "destroyed early\n");
    check_release(o1, 0);
    ok(inner_destroyed == 1, "destroyed %ld times\n", (long)inner_destroyed);
    check_live(&agg_counter, 0);

    /* kcom_object_new without an outer */
    {
        Inner *fresh = NULL;
        status = KCOM_NEW(Inner, NULL, &fresh);
        ok(status == STATUS_SUCCESS && fresh != NULL, "KCOM_NEW(Inner) returned %s\n", kcom_status_name(status));
        if (fresh != NULL) {
            IUnknown *own = kcom_object_inner_unknown(fresh);
            check_interface(&fresh->IOther1_iface, &IID_IMiddle, TRUE);
            ok(own != NULL && own->lpVtbl->AddRef(own) == 2, "inner unknown AddRef\n");
            check_release(own, 1);
            ok(kcom_object_release(fresh) == 0 && inner_destroyed == 2, "kcom_object_release\n");
        }
        check_live(&agg_counter, 0);
    }
}

/* ---- the argument rules ---------------------------------------------------------------------- */

static void test_rules(void)
{
    Outer outer;
    void *out;
    void *impl;
    NTSTATUS status;

    kcom_counting_allocator_init(&agg_counter, NULL);
    inner_destroyed = 0;
    outer_init(&outer);

    /* with an outer, only IID_IUnknown may be asked for */
    out = TEST_POISON_PTR;
    status = kcom_object_create(KCOM_CLASS_OF(Inner), &outer.IUnknown_iface, NULL, NULL, &IID_IOther1, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "create(outer, IID_IOther1): %s %p\n",
       kcom_status_name(status), out);
    out = TEST_POISON_PTR;
    status = kcom_object_create(KCOM_CLASS_OF(Inner), &outer.IUnknown_iface, NULL, NULL, &IID_IMiddle, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "create(outer, IID_IMiddle): %s %p\n",
       kcom_status_name(status), out);

    /* an outer for a class that cannot be aggregated */
    out = TEST_POISON_PTR;
    status = kcom_object_create(KCOM_CLASS_OF(Plain), &outer.IUnknown_iface, NULL, NULL, &IID_IUnknown, &out);
    ok(status == STATUS_NOT_SUPPORTED && out == NULL, "create(outer, not aggregatable): %s %p\n",
       kcom_status_name(status), out);
    impl = TEST_POISON_PTR;
    status = kcom_object_new(KCOM_CLASS_OF(Plain), &outer.IUnknown_iface, &impl);
    ok(status == STATUS_NOT_SUPPORTED && impl == NULL, "new(outer, not aggregatable): %s %p\n",
       kcom_status_name(status), impl);

    ok(inner_destroyed == 0, "an object was destroyed\n");
    check_outer_refs(&outer, 1);
    check_live(&agg_counter, 0);
    ok(agg_counter.attempts == 0, "%ld allocations attempted for rejected calls\n", (long)agg_counter.attempts);

    /* kcom_object_new with an outer: the inner unknown is the object's own */
    impl = NULL;
    status = kcom_object_new(KCOM_CLASS_OF(Inner), &outer.IUnknown_iface, &impl);
    ok(status == STATUS_SUCCESS && impl != NULL, "new(outer, aggregatable) returned %s\n", kcom_status_name(status));
    if (impl != NULL) {
        Inner *inner = (Inner *)impl;
        IUnknown *unknown = NULL;
        check_refcount(inner, 1);
        check_outer_refs(&outer, 1);
        /* a delegating interface's QI goes to the outer, which knows nothing of the inner yet */
        status = KCOM_QUERY_INTERFACE(&inner->IOther1_iface, IUnknown, &unknown);
        ok(status == STATUS_SUCCESS && unknown == &outer.IUnknown_iface, "QI(IUnknown) before the outer holds it\n");
        check_outer_refs(&outer, 2);
        KCOM_RELEASE_AND_CLEAR(&unknown);
        ok(kcom_object_release(impl) == 0 && inner_destroyed == 1, "release through the inner count\n");
        check_outer_refs(&outer, 1);
    }
    check_live(&agg_counter, 0);
}

/* ---- a generated outer class: KCOM_CLASS_EX with a query fallback -------------------------------- */

typedef struct Holder {
    IOther2 IOther2_iface;
    IUnknown *inner; /* Inner's non-delegating IUnknown */
    LONG fallback_calls;
    BOOLEAN leave_garbage; /* make the fallback fail with a non-NULL *ppv */
    BOOLEAN succeed_empty; /* make the fallback succeed with a NULL *ppv */
} Holder;

static ULONG Holder_Tag(Holder *self)
{
    (void)self;
    return TAG_OTHER2;
}
static NTSTATUS Holder_Store(Holder *self, ULONG value)
{
    (void)self;
    (void)value;
    return STATUS_SUCCESS;
}
static NTSTATUS Holder_Load(Holder *self, ULONG *value)
{
    (void)self;
    *value = 0;
    return STATUS_SUCCESS;
}
static NTSTATUS Holder_fallback(Holder *self, const IID *riid, void **ppv)
{
    self->fallback_calls++;
    if (self->leave_garbage) {
        *ppv = TEST_POISON_PTR;
        return STATUS_NOT_FOUND;
    }
    if (self->succeed_empty) {
        *ppv = NULL;
        return STATUS_SUCCESS;
    }
    return self->inner->lpVtbl->QueryInterface(self->inner, riid, ppv);
}
static void Holder_destroy(Holder *self)
{
    if (self->inner != NULL)
        self->inner->lpVtbl->Release(self->inner);
}
KCOM_IMPLEMENT(Holder, IOther2, IOther2_iface)
KCOM_CLASS_EX(Holder, &agg_counter.allocator, Holder_destroy, Holder_fallback, (IOther2, IOther2_iface))

static void test_query_fallback(void)
{
    Holder *holder = NULL;
    Inner *inner;
    IOther1 *o1 = NULL;
    IMiddle *middle = NULL;
    IOther2 *o2 = NULL;
    IUnknown *unknown = NULL;
    void *out;
    NTSTATUS status;

    kcom_counting_allocator_init(&agg_counter, NULL);
    inner_destroyed = 0;
    status = KCOM_NEW(Holder, NULL, &holder);
    ok(status == STATUS_SUCCESS && holder != NULL, "KCOM_NEW(Holder) returned %s\n", kcom_status_name(status));
    if (holder == NULL)
        return;
    status = kcom_object_create(KCOM_CLASS_OF(Inner), KCOM_UNKNOWN(&holder->IOther2_iface), NULL, NULL,
                                &IID_IUnknown, (void **)&holder->inner);
    ok(status == STATUS_SUCCESS && holder->inner != NULL, "creating the aggregated inner: %s\n",
       kcom_status_name(status));
    if (holder->inner == NULL) {
        kcom_object_release(holder);
        return;
    }
    inner = (Inner *)(void *)((char *)holder->inner + sizeof(kcom_aggregate_header));
    check_refcount(holder, 1);
    check_refcount(inner, 1);

    /* the table answers first; the fallback is not consulted for IOther2 or IUnknown */
    check_interface(&holder->IOther2_iface, &IID_IOther2, TRUE);
    check_interface(&holder->IOther2_iface, &IID_IUnknown, TRUE);
    ok(holder->fallback_calls == 0, "fallback called %ld times for the class's own IIDs\n",
       (long)holder->fallback_calls);

    /* IIDs the table lacks go through the fallback to the inner; the reference is the holder's */
    status = KCOM_QUERY_INTERFACE(&holder->IOther2_iface, IOther1, &o1);
    ok(status == STATUS_SUCCESS && o1 == &inner->IOther1_iface, "QI(IOther1) through the fallback: %s %p\n",
       kcom_status_name(status), (void *)o1);
    ok(holder->fallback_calls == 1, "fallback called %ld times\n", (long)holder->fallback_calls);
    check_refcount(holder, 2);
    check_refcount(inner, 1);
    status = KCOM_QUERY_INTERFACE(&holder->IOther2_iface, IMiddle, &middle);
    ok(status == STATUS_SUCCESS && middle == &inner->IMiddle_iface, "QI(IMiddle) through the fallback\n");
    check_refcount(holder, 3);

    /* identity and the way back: from the inner's interfaces to the holder's */
    if (o1 != NULL) {
        status = KCOM_QUERY_INTERFACE(o1, IUnknown, &unknown);
        ok(status == STATUS_SUCCESS && unknown == KCOM_UNKNOWN(&holder->IOther2_iface),
           "identity through the aggregated interface: %p\n", (void *)unknown);
        KCOM_RELEASE_AND_CLEAR(&unknown);
        status = KCOM_QUERY_INTERFACE(o1, IOther2, &o2);
        ok(status == STATUS_SUCCESS && o2 == &holder->IOther2_iface, "IOther1 -> IOther2 round trip\n");
        KCOM_RELEASE_AND_CLEAR(&o2);
    }
    check_refcount(holder, 3);

    /* a miss everywhere: the inner says no, *ppv is NULL */
    out = TEST_POISON_PTR;
    status = IOther2_QueryInterface(&holder->IOther2_iface, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "QI(IOther3): %s %p\n", kcom_status_name(status), out);
    /* a fallback that fails and leaves garbage: the caller still gets NULL and its status */
    holder->leave_garbage = TRUE;
    out = TEST_POISON_PTR;
    status = IOther2_QueryInterface(&holder->IOther2_iface, &IID_IOther3, &out);
    ok(status == STATUS_NOT_FOUND && out == NULL, "failing fallback: %s %p\n", kcom_status_name(status), out);
    holder->leave_garbage = FALSE;
    /* a fallback that succeeds without an interface: no caller checks a success for NULL */
    holder->succeed_empty = TRUE;
    out = TEST_POISON_PTR;
    status = IOther2_QueryInterface(&holder->IOther2_iface, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "fallback succeeding with NULL: %s %p\n",
       kcom_status_name(status), out);
    out = TEST_POISON_PTR;
    status = kcom_object_query_interface(holder, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "the same by implementation pointer: %s %p\n",
       kcom_status_name(status), out);
    holder->succeed_empty = FALSE;
    check_refcount(holder, 3);

    KCOM_RELEASE_AND_CLEAR(&middle);
    KCOM_RELEASE_AND_CLEAR(&o1);
    check_refcount(holder, 1);
    ok(inner_destroyed == 0, "inner destroyed early\n");
    ok(kcom_object_release(holder) == 0, "final release of the holder\n");
    ok(inner_destroyed == 1, "inner destroyed %ld times\n", (long)inner_destroyed);
    check_live(&agg_counter, 0);
}

/* ---- an aggregatable inner written by hand, its IUnknown built on the public object functions ---- */

typedef struct HandInner {
    IOther1 IOther1_iface;
    ULONG value;
} HandInner;

static HandInner *hand_inner_from(IOther1 *iface)
{
    return KCOM_IMPL_FROM(HandInner, IOther1_iface, iface);
}
static IUnknown *hand_inner_outer(IOther1 *iface)
{
    return kcom_rt_aggregate(hand_inner_from(iface))->outer;
}
static NTSTATUS KCOM_STDCALL HandInner_QueryInterface(IOther1 *This, REFIID riid, void **ppv)
{
    IUnknown *outer = hand_inner_outer(This);
    return outer->lpVtbl->QueryInterface(outer, riid, ppv);
}
static ULONG KCOM_STDCALL HandInner_AddRef(IOther1 *This)
{
    IUnknown *outer = hand_inner_outer(This);
    return outer->lpVtbl->AddRef(outer);
}
static ULONG KCOM_STDCALL HandInner_Release(IOther1 *This)
{
    IUnknown *outer = hand_inner_outer(This);
    return outer->lpVtbl->Release(outer);
}
static ULONG KCOM_STDCALL HandInner_Tag(IOther1 *This)
{
    (void)This;
    return TAG_OTHER1;
}
static NTSTATUS KCOM_STDCALL HandInner_Store(IOther1 *This, ULONG value)
{
    hand_inner_from(This)->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS KCOM_STDCALL HandInner_Load(IOther1 *This, ULONG *value)
{
    if (value == NULL)
        return STATUS_INVALID_PARAMETER;
    *value = hand_inner_from(This)->value;
    return STATUS_SUCCESS;
}
static const IOther1Vtbl HandInner_vtbl = {HandInner_QueryInterface, HandInner_AddRef, HandInner_Release,
                                           HandInner_Tag, HandInner_Store, HandInner_Load};

static void *hand_inner_impl(IUnknown *inner)
{
    return (char *)inner + sizeof(kcom_aggregate_header);
}
static NTSTATUS KCOM_STDCALL HandInner_inner_QueryInterface(IUnknown *This, REFIID riid, void **ppv)
{
    return kcom_object_query_interface(hand_inner_impl(This), riid, ppv);
}
static ULONG KCOM_STDCALL HandInner_inner_AddRef(IUnknown *This)
{
    return kcom_object_addref(hand_inner_impl(This));
}
static ULONG KCOM_STDCALL HandInner_inner_Release(IUnknown *This)
{
    return kcom_object_release(hand_inner_impl(This));
}
static const IUnknownVtbl HandInner_inner_vtbl = {HandInner_inner_QueryInterface, HandInner_inner_AddRef,
                                                  HandInner_inner_Release};

static const kcom_class_entry hand_inner_entries[] = {
    {KCOM_INTERFACE_INFO(IOther1), &HandInner_vtbl, offsetof(HandInner, IOther1_iface)}};
static const kcom_class hand_inner_class = {"HandInner", sizeof(HandInner), KCOM_ALIGNOF(HandInner),
                                            KCOM_CLASS_AGGREGATABLE, 1, hand_inner_entries, NULL,
                                            &agg_counter.allocator, &HandInner_inner_vtbl, NULL, NULL, NULL};

/* The inner IUnknown of a hand-written aggregatable class, built on kcom_object_query_interface,
 * answers as the generated one does: IUnknown is itself on its own count, every other interface is
 * referenced on the outer. */
static void test_hand_written_inner(void)
{
    Outer outer;
    void *impl, *out = NULL;
    IOther1 *o1 = NULL;
    NTSTATUS status;

    kcom_counting_allocator_init(&agg_counter, NULL);
    outer_init(&outer);
    status = kcom_object_create(&hand_inner_class, &outer.IUnknown_iface, NULL, NULL, &IID_IUnknown,
                                (void **)&outer.inner);
    ok(status == STATUS_SUCCESS && outer.inner != NULL, "aggregated hand-written inner: %s\n",
       kcom_status_name(status));
    if (outer.inner == NULL)
        return;
    impl = hand_inner_impl(outer.inner);
    status = outer.inner->lpVtbl->QueryInterface(outer.inner, &IID_IUnknown, &out);
    ok(status == STATUS_SUCCESS && out == (void *)outer.inner, "its QI(IUnknown) is itself: %p, %p\n", out,
       (void *)outer.inner);
    check_refcount(impl, 2);
    check_outer_refs(&outer, 1);
    if (out != NULL)
        ((IUnknown *)out)->lpVtbl->Release((IUnknown *)out);
    check_refcount(impl, 1);

    /* through the outer: the reference is the outer's, and goes back to it */
    status = KCOM_QUERY_INTERFACE(&outer.IUnknown_iface, IOther1, &o1);
    ok(status == STATUS_SUCCESS && o1 != NULL && IOther1_Tag(o1) == TAG_OTHER1, "QI(IOther1) through the outer\n");
    check_refcount(impl, 1);
    check_outer_refs(&outer, 2);
    KCOM_RELEASE_AND_CLEAR(&o1);
    check_outer_refs(&outer, 1);
    out = TEST_POISON_PTR;
    ok(outer.inner->lpVtbl->QueryInterface(outer.inner, &IID_IOther2, &out) == STATUS_NOINTERFACE && out == NULL,
       "a miss\n");

    ok(outer.IUnknown_iface.lpVtbl->Release(&outer.IUnknown_iface) == 0 && outer.destroyed == 1,
       "the outer's last release\n");
    check_live(&agg_counter, 0);
}

void kcom_test_aggregation(void)
{
    test_aggregate();
    test_standalone();
    test_rules();
    test_query_fallback();
    test_hand_written_inner();
}
