/*
 * State offsets (the Rust version's defect: methods of the primary interface of a multi-interface
 * object read the state at the wrong offset). Methods are called through every interface of objects
 * whose interface members sit at various offsets - not first in the struct, after state of odd
 * sizes, far from the start - and each call must read and write exactly the fields it names, and
 * nothing else in the struct. Covered: an ordinary class whose first member is not an interface (its
 * primary interface is not at offset 0), a class whose primary is at offset 0 with a secondary far
 * behind a large array, and an aggregatable class (whose shims are the delegating ones).
 */
#include "test_common.h"

/* ---- Spread: state before, between and after the interfaces ----------------------------------- */

typedef struct Spread {
    ULONG64 head; /* offset 0 is state, not an interface */
    ULONG head_tag;
    IOther1 IOther1_iface; /* the primary interface, not at offset 0 */
    ULONG v1;
    UCHAR odd;
    IDerived IDerived_iface;
    ULONG base_value;
    IOther2 IOther2_iface;
    ULONG v2;
    ULONG64 middle[5];
    IOther3 IOther3_iface;
    ULONG v3;
    ULONG64 tail[3];
} Spread;

static ULONG Spread_BaseTag(Spread *self)
{
    return (ULONG)self->head;
}
static NTSTATUS Spread_BaseSet(Spread *self, ULONG value)
{
    self->base_value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Spread_BaseGet(Spread *self, ULONG *value)
{
    *value = self->base_value;
    return STATUS_SUCCESS;
}
static ULONG Spread_MiddleTag(Spread *self)
{
    return self->odd;
}
static void Spread_MiddleAdd(Spread *self, ULONG a, ULONG b)
{
    self->base_value += a * b;
}
static ULONG Spread_DerivedTag(Spread *self)
{
    return (ULONG)self->tail[2];
}
static NTSTATUS Spread_DerivedSum(Spread *self, ULONG a, ULONG64 b, ULONG64 *sum)
{
    *sum = a + b + self->middle[4];
    return STATUS_SUCCESS;
}
static ULONG Spread_O1_Tag(Spread *self)
{
    return self->head_tag;
}
static NTSTATUS Spread_O1_Store(Spread *self, ULONG value)
{
    self->v1 = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Spread_O1_Load(Spread *self, ULONG *value)
{
    *value = self->v1;
    return STATUS_SUCCESS;
}
static ULONG Spread_O2_Tag(Spread *self)
{
    return (ULONG)self->middle[2];
}
static NTSTATUS Spread_O2_Store(Spread *self, ULONG value)
{
    self->v2 = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Spread_O2_Load(Spread *self, ULONG *value)
{
    *value = self->v2;
    return STATUS_SUCCESS;
}
static ULONG Spread_O3_Tag(Spread *self)
{
    return (ULONG)self->tail[0];
}
static NTSTATUS Spread_O3_Store(Spread *self, ULONG value)
{
    self->v3 = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Spread_O3_Load(Spread *self, ULONG *value)
{
    *value = self->v3;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Spread, IDerived, IDerived_iface)
KCOM_IMPLEMENT_WITH(Spread, IOther1, IOther1_iface, Spread_O1_)
KCOM_IMPLEMENT_WITH(Spread, IOther2, IOther2_iface, Spread_O2_)
KCOM_IMPLEMENT_WITH(Spread, IOther3, IOther3_iface, Spread_O3_)
KCOM_CLASS(Spread, NULL, (IOther1, IOther1_iface), (IDerived, IDerived_iface), (IOther2, IOther2_iface),
           (IOther3, IOther3_iface))

/* The first field that differs, or NULL. */
static const char *spread_diff(const Spread *a, const Spread *b)
{
    int i;
    if (a->head != b->head)
        return "head";
    if (a->head_tag != b->head_tag)
        return "head_tag";
    if (a->IOther1_iface.lpVtbl != b->IOther1_iface.lpVtbl)
        return "IOther1_iface";
    if (a->v1 != b->v1)
        return "v1";
    if (a->odd != b->odd)
        return "odd";
    if (a->IDerived_iface.lpVtbl != b->IDerived_iface.lpVtbl)
        return "IDerived_iface";
    if (a->base_value != b->base_value)
        return "base_value";
    if (a->IOther2_iface.lpVtbl != b->IOther2_iface.lpVtbl)
        return "IOther2_iface";
    if (a->v2 != b->v2)
        return "v2";
    for (i = 0; i < 5; i++)
        if (a->middle[i] != b->middle[i])
            return "middle";
    if (a->IOther3_iface.lpVtbl != b->IOther3_iface.lpVtbl)
        return "IOther3_iface";
    if (a->v3 != b->v3)
        return "v3";
    for (i = 0; i < 3; i++)
        if (a->tail[i] != b->tail[i])
            return "tail";
    return NULL;
}

#define check_spread(actual, expected, what)                                              \
    do {                                                                                  \
        const char *diff_ = spread_diff((actual), (expected));                            \
        ok(diff_ == NULL, "%s: field %s differs from what was expected\n", (what), diff_ != NULL ? diff_ : ""); \
    } while (0)

static void *qi(void *from, const IID *iid)
{
    void *out = NULL;
    NTSTATUS status = kcom_query_interface((IUnknown *)from, iid, &out);
    ok(status == STATUS_SUCCESS && out != NULL, "QueryInterface returned %s\n", kcom_status_name(status));
    return out;
}

static void test_spread(void)
{
    Spread *s = NULL;
    Spread expected;
    IUnknown *from[4];
    int f;
    ULONG value;
    ULONG64 sum;
    NTSTATUS status;

    status = KCOM_NEW(Spread, NULL, &s);
    ok(status == STATUS_SUCCESS && s != NULL, "KCOM_NEW(Spread) returned %s\n", kcom_status_name(status));
    if (s == NULL)
        return;
    ok(offsetof(Spread, IOther1_iface) != 0, "the primary must not be at offset 0 for this test\n");
    ok(kcom_object_inner_unknown(s) == (IUnknown *)(void *)&s->IOther1_iface,
       "the inner unknown is not the primary (first listed) interface\n");

    /* distinctive state everywhere */
    s->head = 0x1111111100000011ull;
    s->head_tag = 0x22220022u;
    s->v1 = 0x33330033u;
    s->odd = 0x44;
    s->base_value = 0x55550055u;
    s->v2 = 0x66660066u;
    s->middle[0] = 0x7777777700000070ull;
    s->middle[1] = 0x7777777700000071ull;
    s->middle[2] = 0x7777777700000072ull;
    s->middle[3] = 0x7777777700000073ull;
    s->middle[4] = 0x7777777700000074ull;
    s->v3 = 0x88880088u;
    s->tail[0] = 0x9999999900000090ull;
    s->tail[1] = 0x9999999900000091ull;
    s->tail[2] = 0x9999999900000092ull;
    expected = *s;

    /* the same calls through pointers obtained from each interface in turn */
    from[0] = (IUnknown *)(void *)&s->IOther1_iface;
    from[1] = (IUnknown *)(void *)&s->IDerived_iface;
    from[2] = (IUnknown *)(void *)&s->IOther2_iface;
    from[3] = (IUnknown *)(void *)&s->IOther3_iface;
    for (f = 0; f < 4; f++) {
        IOther1 *o1 = (IOther1 *)qi(from[f], &IID_IOther1);
        IOther2 *o2 = (IOther2 *)qi(from[f], &IID_IOther2);
        IOther3 *o3 = (IOther3 *)qi(from[f], &IID_IOther3);
        IDerived *derived = (IDerived *)qi(from[f], &IID_IDerived);
        IMiddle *middle = (IMiddle *)qi(from[f], &IID_IMiddle);
        IBase *base = (IBase *)qi(from[f], &IID_IBase);
        IUnknown *unknown = (IUnknown *)qi(from[f], &IID_IUnknown);
        ULONG k = (ULONG)f * 0x100u;
        if (!o1 || !o2 || !o3 || !derived || !middle || !base || !unknown)
            break;
        check_refcount(s, 8);

        /* the primary interface (at a non-zero offset) */
        ok(IOther1_Tag(o1) == 0x22220022u, "IOther1_Tag read 0x%lx\n", (unsigned long)IOther1_Tag(o1));
        ok(IOther1_Store(o1, 0xA1u + k) == STATUS_SUCCESS, "IOther1_Store\n");
        expected.v1 = 0xA1u + k;
        check_spread(s, &expected, "IOther1_Store");
        value = 0;
        ok(IOther1_Load(o1, &value) == STATUS_SUCCESS && value == 0xA1u + k, "IOther1_Load read 0x%lx\n",
           (unsigned long)value);
        /* the primary reached as IUnknown is the same vtable */
        ok(IOther1_Tag((IOther1 *)(void *)unknown) == 0x22220022u, "IUnknown is not the IOther1 pointer\n");

        /* the chain: every level's methods through every level's pointer */
        ok(IBase_BaseTag(base) == 0x00000011u, "IBase_BaseTag read 0x%lx\n", (unsigned long)IBase_BaseTag(base));
        ok(IMiddle_BaseTag(middle) == 0x00000011u, "IMiddle_BaseTag\n");
        ok(IDerived_BaseTag(derived) == 0x00000011u, "IDerived_BaseTag\n");
        ok(IMiddle_MiddleTag(middle) == 0x44u, "IMiddle_MiddleTag read 0x%lx\n", (unsigned long)IMiddle_MiddleTag(middle));
        ok(IDerived_MiddleTag(derived) == 0x44u, "IDerived_MiddleTag\n");
        ok(IDerived_DerivedTag(derived) == 0x00000092u, "IDerived_DerivedTag read 0x%lx\n",
           (unsigned long)IDerived_DerivedTag(derived));
        ok(IBase_BaseSet(base, 0xB0u + k) == STATUS_SUCCESS, "IBase_BaseSet\n");
        expected.base_value = 0xB0u + k;
        check_spread(s, &expected, "IBase_BaseSet");
        IMiddle_MiddleAdd(middle, 3, 5);
        expected.base_value += 15;
        check_spread(s, &expected, "IMiddle_MiddleAdd");
        IDerived_MiddleAdd(derived, 2, 2);
        expected.base_value += 4;
        check_spread(s, &expected, "IDerived_MiddleAdd");
        value = 0;
        ok(IDerived_BaseGet(derived, &value) == STATUS_SUCCESS && value == expected.base_value,
           "IDerived_BaseGet read 0x%lx\n", (unsigned long)value);
        sum = 0;
        ok(IDerived_DerivedSum(derived, 1, 2, &sum) == STATUS_SUCCESS && sum == 3 + 0x7777777700000074ull,
           "IDerived_DerivedSum read 0x%llx\n", (unsigned long long)sum);

        /* secondaries behind state */
        ok(IOther2_Tag(o2) == 0x00000072u, "IOther2_Tag read 0x%lx\n", (unsigned long)IOther2_Tag(o2));
        ok(IOther2_Store(o2, 0xC2u + k) == STATUS_SUCCESS, "IOther2_Store\n");
        expected.v2 = 0xC2u + k;
        check_spread(s, &expected, "IOther2_Store");
        ok(IOther2_Load(o2, &value) == STATUS_SUCCESS && value == 0xC2u + k, "IOther2_Load\n");
        ok(IOther3_Tag(o3) == 0x00000090u, "IOther3_Tag read 0x%lx\n", (unsigned long)IOther3_Tag(o3));
        ok(IOther3_Store(o3, 0xD3u + k) == STATUS_SUCCESS, "IOther3_Store\n");
        expected.v3 = 0xD3u + k;
        check_spread(s, &expected, "IOther3_Store");
        ok(IOther3_Load(o3, &value) == STATUS_SUCCESS && value == 0xD3u + k, "IOther3_Load\n");

        /* through the raw members too */
        ok(IOther1_Load(&s->IOther1_iface, &value) == STATUS_SUCCESS && value == expected.v1, "v1 via member\n");
        ok(IOther3_Load(&s->IOther3_iface, &value) == STATUS_SUCCESS && value == expected.v3, "v3 via member\n");

        kcom_release_and_clear(&o1);
        kcom_release_and_clear(&o2);
        kcom_release_and_clear(&o3);
        kcom_release_and_clear(&derived);
        kcom_release_and_clear(&middle);
        kcom_release_and_clear(&base);
        kcom_release_and_clear(&unknown);
        check_refcount(s, 1);
        check_spread(s, &expected, "after releases");
    }
    ok(kcom_object_release(s) == 0, "final release\n");
}

/* ---- FarOff: primary at offset 0, a secondary far behind a large array --------------------------- */

typedef struct FarOff {
    IOther2 IOther2_iface; /* offset 0 */
    ULONG near_value;
    ULONG big[300];
    IOther3 IOther3_iface;
    ULONG far_value;
} FarOff;

static ULONG FarOff_O2_Tag(FarOff *self)
{
    return self->big[0];
}
static NTSTATUS FarOff_O2_Store(FarOff *self, ULONG value)
{
    self->near_value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS FarOff_O2_Load(FarOff *self, ULONG *value)
{
    *value = self->near_value;
    return STATUS_SUCCESS;
}
static ULONG FarOff_O3_Tag(FarOff *self)
{
    return self->big[299];
}
static NTSTATUS FarOff_O3_Store(FarOff *self, ULONG value)
{
    self->far_value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS FarOff_O3_Load(FarOff *self, ULONG *value)
{
    *value = self->far_value;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT_WITH(FarOff, IOther2, IOther2_iface, FarOff_O2_)
KCOM_IMPLEMENT_WITH(FarOff, IOther3, IOther3_iface, FarOff_O3_)
KCOM_CLASS(FarOff, NULL, (IOther2, IOther2_iface), (IOther3, IOther3_iface))

static void test_far(void)
{
    FarOff *farobj = NULL;
    IOther3 *o3 = NULL;
    IOther2 *o2 = NULL;
    ULONG value = 0;
    int i;
    NTSTATUS status;

    status = kcom_object_create(KCOM_CLASS_OF(FarOff), NULL, NULL, NULL, &IID_IOther3, (void **)&o3);
    ok(status == STATUS_SUCCESS && o3 != NULL, "kcom_object_create(FarOff) returned %s\n", kcom_status_name(status));
    if (o3 == NULL)
        return;
    farobj = KCOM_IMPL_FROM(FarOff, IOther3_iface, o3);
    ok((void *)farobj == (void *)kcom_object_inner_unknown(farobj), "primary at offset 0 is the object itself\n");
    for (i = 0; i < 300; i++)
        farobj->big[i] = 0xF000u + (ULONG)i;
    ok(IOther3_Tag(o3) == 0xF000u + 299, "far IOther3_Tag read 0x%lx\n", (unsigned long)IOther3_Tag(o3));
    ok(IOther3_Store(o3, 77) == STATUS_SUCCESS && farobj->far_value == 77 && farobj->near_value == 0,
       "far IOther3_Store wrote far %lu near %lu\n", (unsigned long)farobj->far_value, (unsigned long)farobj->near_value);
    ok(KCOM_QUERY_INTERFACE(o3, IOther2, &o2) == STATUS_SUCCESS && o2 == &farobj->IOther2_iface, "QI far -> near\n");
    if (o2 != NULL) {
        ok(IOther2_Tag(o2) == 0xF000u, "near IOther2_Tag read 0x%lx\n", (unsigned long)IOther2_Tag(o2));
        ok(IOther2_Store(o2, 55) == STATUS_SUCCESS && farobj->near_value == 55 && farobj->far_value == 77,
           "near IOther2_Store wrote near %lu far %lu\n", (unsigned long)farobj->near_value,
           (unsigned long)farobj->far_value);
        ok(IOther2_Load(o2, &value) == STATUS_SUCCESS && value == 55, "near IOther2_Load\n");
        ok(IOther3_Load(o3, &value) == STATUS_SUCCESS && value == 77, "far IOther3_Load\n");
        for (i = 0; i < 300; i++)
            if (farobj->big[i] != 0xF000u + (ULONG)i)
                break;
        ok(i == 300, "big[%d] was overwritten\n", i);
        check_refcount(farobj, 2);
        KCOM_RELEASE_AND_CLEAR(&o2);
    }
    check_release(o3, 0);
}

/* ---- AggSpread: the same law for an aggregatable class (delegating shims) --------------------------- */

typedef struct AggSpread {
    ULONG64 head;
    IOther2 IOther2_iface;
    ULONG v2;
    UCHAR odd[3];
    IMiddle IMiddle_iface;
    ULONG base_value;
    ULONG64 tail;
} AggSpread;

static ULONG AggSpread_BaseTag(AggSpread *self)
{
    return (ULONG)self->head;
}
static NTSTATUS AggSpread_BaseSet(AggSpread *self, ULONG value)
{
    self->base_value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS AggSpread_BaseGet(AggSpread *self, ULONG *value)
{
    *value = self->base_value;
    return STATUS_SUCCESS;
}
static ULONG AggSpread_MiddleTag(AggSpread *self)
{
    return (ULONG)self->tail;
}
static void AggSpread_MiddleAdd(AggSpread *self, ULONG a, ULONG b)
{
    self->base_value += a - b;
}
static ULONG AggSpread_O2_Tag(AggSpread *self)
{
    return (ULONG)self->odd[2];
}
static NTSTATUS AggSpread_O2_Store(AggSpread *self, ULONG value)
{
    self->v2 = value;
    return STATUS_SUCCESS;
}
static NTSTATUS AggSpread_O2_Load(AggSpread *self, ULONG *value)
{
    *value = self->v2;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(AggSpread, IMiddle, IMiddle_iface)
KCOM_IMPLEMENT_WITH(AggSpread, IOther2, IOther2_iface, AggSpread_O2_)
KCOM_AGGREGATABLE_CLASS(AggSpread, NULL, (IOther2, IOther2_iface), (IMiddle, IMiddle_iface))

static void test_aggregatable(void)
{
    AggSpread *agg = NULL;
    IOther2 *o2 = NULL;
    IMiddle *middle = NULL;
    IBase *base = NULL;
    ULONG value = 0;
    NTSTATUS status;

    status = KCOM_NEW(AggSpread, NULL, &agg);
    ok(status == STATUS_SUCCESS && agg != NULL, "KCOM_NEW(AggSpread) returned %s\n", kcom_status_name(status));
    if (agg == NULL)
        return;
    agg->head = 0xABCD000000000012ull;
    agg->odd[0] = 1;
    agg->odd[1] = 2;
    agg->odd[2] = 0x3C;
    agg->tail = 0xEEEE0000000000E7ull;
    agg->v2 = 9;
    agg->base_value = 100;

    o2 = &agg->IOther2_iface;
    ok(IOther2_Tag(o2) == 0x3C, "aggregatable primary IOther2_Tag read 0x%lx\n", (unsigned long)IOther2_Tag(o2));
    ok(IOther2_Store(o2, 0x1234) == STATUS_SUCCESS && agg->v2 == 0x1234 && agg->base_value == 100,
       "aggregatable IOther2_Store\n");
    ok(KCOM_QUERY_INTERFACE(o2, IMiddle, &middle) == STATUS_SUCCESS && middle == &agg->IMiddle_iface,
       "aggregatable QI(IMiddle)\n");
    ok(KCOM_QUERY_INTERFACE(o2, IBase, &base) == STATUS_SUCCESS && (void *)base == (void *)&agg->IMiddle_iface,
       "aggregatable QI(IBase)\n");
    check_refcount(agg, 3);
    if (middle != NULL && base != NULL) {
        ok(IMiddle_MiddleTag(middle) == 0xE7u, "aggregatable IMiddle_MiddleTag read 0x%lx\n",
           (unsigned long)IMiddle_MiddleTag(middle));
        ok(IBase_BaseTag(base) == 0x12u, "aggregatable IBase_BaseTag read 0x%lx\n", (unsigned long)IBase_BaseTag(base));
        IMiddle_MiddleAdd(middle, 10, 4);
        ok(agg->base_value == 106 && agg->v2 == 0x1234 && agg->tail == 0xEEEE0000000000E7ull,
           "aggregatable IMiddle_MiddleAdd: base %lu\n", (unsigned long)agg->base_value);
        ok(IBase_BaseSet(base, 7) == STATUS_SUCCESS && agg->base_value == 7 && agg->head == 0xABCD000000000012ull,
           "aggregatable IBase_BaseSet\n");
        ok(IMiddle_BaseGet(middle, &value) == STATUS_SUCCESS && value == 7, "aggregatable IMiddle_BaseGet\n");
        ok(IOther2_Load(o2, &value) == STATUS_SUCCESS && value == 0x1234, "aggregatable IOther2_Load\n");
    }
    KCOM_RELEASE_AND_CLEAR(&base);
    KCOM_RELEASE_AND_CLEAR(&middle);
    check_refcount(agg, 1);
    ok(kcom_object_release(agg) == 0, "final release\n");
}

void kcom_test_state_offsets(void)
{
    test_spread();
    test_far();
    test_aggregatable();
}
