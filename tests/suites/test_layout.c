/*
 * Layout: what KCOM_DECLARE_INTERFACE generates is what MIDL/WIDL generate for C. The vtables of a
 * three-level chain (IDerived : IMiddle : IBase : IUnknown) are compared member by member (offset
 * and exact function pointer type) with hand-written MIDL-style structs, an object written by hand
 * against the MIDL structs is called through kcom's wrappers, and the IIDs and interface
 * descriptors are checked.
 */
#include "test_common.h"

/* ---- what MIDL would write for the chain ------------------------------------------------------- */

typedef struct midl_IBaseVtbl {
    /* BEGIN_INTERFACE */
    NTSTATUS(KCOM_STDCALL *QueryInterface)(IBase *This, REFIID riid, void **ppvObject);
    ULONG(KCOM_STDCALL *AddRef)(IBase *This);
    ULONG(KCOM_STDCALL *Release)(IBase *This);
    ULONG(KCOM_STDCALL *BaseTag)(IBase *This);
    NTSTATUS(KCOM_STDCALL *BaseSet)(IBase *This, ULONG value);
    NTSTATUS(KCOM_STDCALL *BaseGet)(IBase *This, ULONG *result);
    /* END_INTERFACE */
} midl_IBaseVtbl;

typedef struct midl_IMiddleVtbl {
    NTSTATUS(KCOM_STDCALL *QueryInterface)(IMiddle *This, REFIID riid, void **ppvObject);
    ULONG(KCOM_STDCALL *AddRef)(IMiddle *This);
    ULONG(KCOM_STDCALL *Release)(IMiddle *This);
    ULONG(KCOM_STDCALL *BaseTag)(IMiddle *This);
    NTSTATUS(KCOM_STDCALL *BaseSet)(IMiddle *This, ULONG value);
    NTSTATUS(KCOM_STDCALL *BaseGet)(IMiddle *This, ULONG *result);
    ULONG(KCOM_STDCALL *MiddleTag)(IMiddle *This);
    void(KCOM_STDCALL *MiddleAdd)(IMiddle *This, ULONG a, ULONG b);
} midl_IMiddleVtbl;

typedef struct midl_IDerivedVtbl {
    NTSTATUS(KCOM_STDCALL *QueryInterface)(IDerived *This, REFIID riid, void **ppvObject);
    ULONG(KCOM_STDCALL *AddRef)(IDerived *This);
    ULONG(KCOM_STDCALL *Release)(IDerived *This);
    ULONG(KCOM_STDCALL *BaseTag)(IDerived *This);
    NTSTATUS(KCOM_STDCALL *BaseSet)(IDerived *This, ULONG value);
    NTSTATUS(KCOM_STDCALL *BaseGet)(IDerived *This, ULONG *result);
    ULONG(KCOM_STDCALL *MiddleTag)(IDerived *This);
    void(KCOM_STDCALL *MiddleAdd)(IDerived *This, ULONG a, ULONG b);
    ULONG(KCOM_STDCALL *DerivedTag)(IDerived *This);
    NTSTATUS(KCOM_STDCALL *DerivedSum)(IDerived *This, ULONG a, ULONG64 b, ULONG64 *result);
} midl_IDerivedVtbl;

typedef struct midl_IUnknownVtbl {
    NTSTATUS(KCOM_STDCALL *QueryInterface)(IUnknown *This, REFIID riid, void **ppvObject);
    ULONG(KCOM_STDCALL *AddRef)(IUnknown *This);
    ULONG(KCOM_STDCALL *Release)(IUnknown *This);
} midl_IUnknownVtbl;

typedef struct midl_IDerived {
    const midl_IDerivedVtbl *lpVtbl;
} midl_IDerived;

/* One slot: same offset in both structs, and the exact function pointer type in both. */
#define CHECK_SLOT(kvtbl, mvtbl, member, fntype)                                          \
    do {                                                                                  \
        ok(offsetof(kvtbl, member) == offsetof(mvtbl, member),                            \
           #kvtbl "." #member " at offset %lu, MIDL at %lu\n",                            \
           (unsigned long)offsetof(kvtbl, member), (unsigned long)offsetof(mvtbl, member)); \
        ok(_Generic(((kvtbl *)0)->member, fntype: 1, default: 0),                         \
           #kvtbl "." #member " is not of type " #fntype "\n");                           \
        ok(_Generic(((mvtbl *)0)->member, fntype: 1, default: 0),                         \
           #mvtbl "." #member " is not of type " #fntype " (test bug)\n");                \
        slots_checked++;                                                                  \
    } while (0)

#define CHECK_VTBL_SIZE(kvtbl, mvtbl, slots)                                              \
    do {                                                                                  \
        ok(sizeof(kvtbl) == sizeof(mvtbl), "sizeof " #kvtbl " %lu, MIDL %lu\n",           \
           (unsigned long)sizeof(kvtbl), (unsigned long)sizeof(mvtbl));                   \
        ok(sizeof(kvtbl) == (slots) * sizeof(void (*)(void)), "sizeof " #kvtbl " is %lu, not %d slots\n", \
           (unsigned long)sizeof(kvtbl), (int)(slots));                                  \
    } while (0)

/* The IUnknown slots every vtable of interface I starts with. */
#define CHECK_UNKNOWN_SLOTS(I, kvtbl, mvtbl)                                              \
    CHECK_SLOT(kvtbl, mvtbl, QueryInterface, NTSTATUS(KCOM_STDCALL *)(I *, REFIID, void **)); \
    CHECK_SLOT(kvtbl, mvtbl, AddRef, ULONG(KCOM_STDCALL *)(I *));                         \
    CHECK_SLOT(kvtbl, mvtbl, Release, ULONG(KCOM_STDCALL *)(I *))

/* The IBase slots of a vtable of interface I (inherited methods take I * as This). */
#define CHECK_BASE_SLOTS(I, kvtbl, mvtbl)                                                 \
    CHECK_UNKNOWN_SLOTS(I, kvtbl, mvtbl);                                                 \
    CHECK_SLOT(kvtbl, mvtbl, BaseTag, ULONG(KCOM_STDCALL *)(I *));                        \
    CHECK_SLOT(kvtbl, mvtbl, BaseSet, NTSTATUS(KCOM_STDCALL *)(I *, ULONG));              \
    CHECK_SLOT(kvtbl, mvtbl, BaseGet, NTSTATUS(KCOM_STDCALL *)(I *, ULONG *))

#define CHECK_MIDDLE_SLOTS(I, kvtbl, mvtbl)                                               \
    CHECK_BASE_SLOTS(I, kvtbl, mvtbl);                                                    \
    CHECK_SLOT(kvtbl, mvtbl, MiddleTag, ULONG(KCOM_STDCALL *)(I *));                      \
    CHECK_SLOT(kvtbl, mvtbl, MiddleAdd, void(KCOM_STDCALL *)(I *, ULONG, ULONG))

/* ---- an object written by hand against the MIDL structs (no kcom) ------------------------------- */

typedef struct hand_object {
    midl_IDerived iface;
    LONG refs;
    ULONG value;
    ULONG last_a, last_b;
} hand_object;

static hand_object *hand_from(IDerived *This)
{
    return (hand_object *)(void *)This;
}

static NTSTATUS KCOM_STDCALL hand_QueryInterface(IDerived *This, REFIID riid, void **ppv)
{
    if (kcom_guid_equal(riid, &IID_IUnknown) || kcom_guid_equal(riid, &IID_IBase) ||
        kcom_guid_equal(riid, &IID_IMiddle) || kcom_guid_equal(riid, &IID_IDerived)) {
        hand_from(This)->refs++;
        *ppv = This;
        return STATUS_SUCCESS;
    }
    *ppv = NULL;
    return STATUS_NOINTERFACE;
}
static ULONG KCOM_STDCALL hand_AddRef(IDerived *This)
{
    return (ULONG)++hand_from(This)->refs;
}
static ULONG KCOM_STDCALL hand_Release(IDerived *This)
{
    return (ULONG)--hand_from(This)->refs;
}
static ULONG KCOM_STDCALL hand_BaseTag(IDerived *This)
{
    (void)This;
    return TAG_BASE;
}
static NTSTATUS KCOM_STDCALL hand_BaseSet(IDerived *This, ULONG value)
{
    hand_from(This)->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS KCOM_STDCALL hand_BaseGet(IDerived *This, ULONG *result)
{
    *result = hand_from(This)->value;
    return STATUS_SUCCESS;
}
static ULONG KCOM_STDCALL hand_MiddleTag(IDerived *This)
{
    (void)This;
    return TAG_MIDDLE;
}
static void KCOM_STDCALL hand_MiddleAdd(IDerived *This, ULONG a, ULONG b)
{
    hand_from(This)->last_a = a;
    hand_from(This)->last_b = b;
    hand_from(This)->value += a + b;
}
static ULONG KCOM_STDCALL hand_DerivedTag(IDerived *This)
{
    (void)This;
    return TAG_DERIVED;
}
static NTSTATUS KCOM_STDCALL hand_DerivedSum(IDerived *This, ULONG a, ULONG64 b, ULONG64 *result)
{
    *result = (ULONG64)a + b + hand_from(This)->value;
    return STATUS_SUCCESS;
}

static const midl_IDerivedVtbl hand_vtbl = {
    hand_QueryInterface, hand_AddRef,   hand_Release,    hand_BaseTag,    hand_BaseSet,
    hand_BaseGet,        hand_MiddleTag, hand_MiddleAdd, hand_DerivedTag, hand_DerivedSum};

/* ---- the test ---------------------------------------------------------------------------------- */

static void check_iid_(const char *file, int line, const IID *iid, ULONG d1, USHORT d2, USHORT d3,
                       const UCHAR d4[8], const char *text)
{
    char buffer[KCOM_GUID_STRING_SIZE];
    ok_(file, line)(iid->Data1 == d1 && iid->Data2 == d2 && iid->Data3 == d3 && memcmp(iid->Data4, d4, 8) == 0,
                    "IID is %s, expected %s\n", kcom_guid_to_string(iid, buffer), text);
    ok_(file, line)(test_text_equal(kcom_guid_to_string(iid, buffer), text), "IID formats as %s, expected %s\n",
                    buffer, text);
}
#define check_iid(iid, d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7, text)                  \
    do {                                                                                  \
        static const UCHAR d4_[8] = {b0, b1, b2, b3, b4, b5, b6, b7};                     \
        check_iid_(__FILE__, __LINE__, (iid), (d1), (d2), (d3), d4_, (text));             \
    } while (0)

static void check_info_(const char *file, int line, const kcom_interface_info *info, const IID *iid,
                        const kcom_interface_info *parent, const char *name, ULONG method_count)
{
    ok_(file, line)(info->iid == iid, "%s: iid %p, expected %p\n", name, (const void *)info->iid,
                    (const void *)iid);
    ok_(file, line)(info->parent == parent, "%s: parent %p, expected %p\n", name, (const void *)info->parent,
                    (const void *)parent);
    ok_(file, line)(test_text_equal(info->name, name), "name \"%s\", expected \"%s\"\n",
                    info->name != NULL ? info->name : "(null)", name);
    ok_(file, line)(info->method_count == method_count, "%s: method_count %lu, expected %lu\n", name,
                    (unsigned long)info->method_count, (unsigned long)method_count);
}
#define check_info(I, Parent, count)                                                      \
    check_info_(__FILE__, __LINE__, KCOM_INTERFACE_INFO(I), &IID_##I, (Parent), #I, (count))

void kcom_test_layout(void)
{
    int slots_checked = 0;

    /* interface structs: one vtable pointer at offset 0 */
    ok(offsetof(IUnknown, lpVtbl) == 0 && sizeof(IUnknown) == sizeof(void *), "IUnknown layout\n");
    ok(offsetof(IBase, lpVtbl) == 0 && sizeof(IBase) == sizeof(void *), "IBase layout\n");
    ok(offsetof(IMiddle, lpVtbl) == 0 && sizeof(IMiddle) == sizeof(void *), "IMiddle layout\n");
    ok(offsetof(IDerived, lpVtbl) == 0 && sizeof(IDerived) == sizeof(void *), "IDerived layout\n");
    ok(sizeof(IDerived) == sizeof(midl_IDerived), "IDerived and its MIDL struct differ in size\n");
    ok(_Generic(((IDerived *)0)->lpVtbl, const IDerivedVtbl *: 1, default: 0), "lpVtbl is const IDerivedVtbl *\n");

    /* vtables, slot by slot */
    CHECK_UNKNOWN_SLOTS(IUnknown, IUnknownVtbl, midl_IUnknownVtbl);
    CHECK_VTBL_SIZE(IUnknownVtbl, midl_IUnknownVtbl, 3);

    CHECK_BASE_SLOTS(IBase, IBaseVtbl, midl_IBaseVtbl);
    CHECK_VTBL_SIZE(IBaseVtbl, midl_IBaseVtbl, 6);

    CHECK_MIDDLE_SLOTS(IMiddle, IMiddleVtbl, midl_IMiddleVtbl);
    CHECK_VTBL_SIZE(IMiddleVtbl, midl_IMiddleVtbl, 8);

    CHECK_MIDDLE_SLOTS(IDerived, IDerivedVtbl, midl_IDerivedVtbl);
    CHECK_SLOT(IDerivedVtbl, midl_IDerivedVtbl, DerivedTag, ULONG(KCOM_STDCALL *)(IDerived *));
    CHECK_SLOT(IDerivedVtbl, midl_IDerivedVtbl, DerivedSum,
               NTSTATUS(KCOM_STDCALL *)(IDerived *, ULONG, ULONG64, ULONG64 *));
    CHECK_VTBL_SIZE(IDerivedVtbl, midl_IDerivedVtbl, 10);
    ok(slots_checked == 3 + 6 + 8 + 10, "%d slots checked\n", slots_checked);

    /* a parent's vtable is a prefix of its child's */
    ok(offsetof(IDerivedVtbl, BaseGet) == offsetof(IBaseVtbl, BaseGet), "IBase slots move in IDerivedVtbl\n");
    ok(offsetof(IDerivedVtbl, MiddleAdd) == offsetof(IMiddleVtbl, MiddleAdd), "IMiddle slots move in IDerivedVtbl\n");
    ok(offsetof(IDerivedVtbl, DerivedTag) == sizeof(IMiddleVtbl), "IDerived's own slots start after IMiddle's\n");

    /* an object written by hand against the MIDL structs, called through kcom's wrappers */
    {
        hand_object hand;
        IDerived *derived = (IDerived *)(void *)&hand.iface;
        IMiddle *middle;
        IBase *base;
        ULONG value = 0xFFFFFFFFu;
        ULONG64 sum = 0;
        void *out = TEST_POISON_PTR;

        memset(&hand, 0, sizeof(hand));
        hand.iface.lpVtbl = &hand_vtbl;
        hand.refs = 1;
        ok(IDerived_BaseTag(derived) == TAG_BASE, "IDerived_BaseTag through the MIDL vtable\n");
        ok(IDerived_MiddleTag(derived) == TAG_MIDDLE, "IDerived_MiddleTag through the MIDL vtable\n");
        ok(IDerived_DerivedTag(derived) == TAG_DERIVED, "IDerived_DerivedTag through the MIDL vtable\n");
        ok(IDerived_BaseSet(derived, 40) == STATUS_SUCCESS && hand.value == 40, "IDerived_BaseSet\n");
        IDerived_MiddleAdd(derived, 1, 2);
        ok(hand.value == 43 && hand.last_a == 1 && hand.last_b == 2, "IDerived_MiddleAdd: %lu %lu %lu\n",
           (unsigned long)hand.value, (unsigned long)hand.last_a, (unsigned long)hand.last_b);
        ok(IDerived_BaseGet(derived, &value) == STATUS_SUCCESS && value == 43, "IDerived_BaseGet gave %lu\n",
           (unsigned long)value);
        ok(IDerived_DerivedSum(derived, 7, 0x100000000ull, &sum) == STATUS_SUCCESS && sum == 0x100000000ull + 50,
           "IDerived_DerivedSum gave 0x%llx\n", (unsigned long long)sum);
        ok(IDerived_AddRef(derived) == 2, "IDerived_AddRef\n");
        ok(IDerived_QueryInterface(derived, &IID_IMiddle, &out) == STATUS_SUCCESS && out == derived && hand.refs == 3,
           "IDerived_QueryInterface(IID_IMiddle)\n");
        middle = (IMiddle *)out;
        ok(IMiddle_MiddleTag(middle) == TAG_MIDDLE && IMiddle_BaseTag(middle) == TAG_BASE,
           "IMiddle wrappers on a MIDL object\n");
        base = (IBase *)(void *)middle;
        ok(IBase_BaseTag(base) == TAG_BASE, "IBase_BaseTag on a MIDL object\n");
        ok(IMiddle_Release(middle) == 2 && IDerived_Release(derived) == 1, "Release through the wrappers\n");
        ok(kcom_query_interface((IUnknown *)(void *)derived, &IID_IOther1, &out) == STATUS_NOINTERFACE && out == NULL,
           "kcom_query_interface on a MIDL object\n");
        ok(hand.refs == 1, "hand-written object refs %ld\n", (long)hand.refs);
    }

    /* IIDs */
    check_iid(&IID_IUnknown, 0x00000000, 0x0000, 0x0000, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
              "{00000000-0000-0000-C000-000000000046}");
    check_iid(&IID_IBase, 0x6b630001, 0x7e57, 0x4c01, 0x9a, 0x10, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x01,
              "{6B630001-7E57-4C01-9A10-3C550BA5E001}");
    check_iid(&IID_IMiddle, 0x6b630002, 0x7e57, 0x4c02, 0x9a, 0x20, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x02,
              "{6B630002-7E57-4C02-9A20-3C550BA5E002}");
    check_iid(&IID_IDerived, 0x6b630003, 0x7e57, 0x4c03, 0x9a, 0x30, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x03,
              "{6B630003-7E57-4C03-9A30-3C550BA5E003}");
    check_iid(&IID_IOtherChild, 0x6b630021, 0x7e57, 0x4c21, 0x9c, 0x21, 0x5e, 0x77, 0x2d, 0xc7, 0x02, 0x21,
              "{6B630021-7E57-4C21-9C21-5E772DC70221}");
    ok(KCOM_IID_OF(IDerived) == &IID_IDerived, "KCOM_IID_OF\n");
    ok(test_common_other1_iid() == &IID_IOther1, "IID_IOther1 is two objects: %p and %p\n",
       (const void *)test_common_other1_iid(), (const void *)&IID_IOther1);
    /* interface descriptors are per translation unit, with the same contents */
    ok(test_common_derived_info()->iid == KCOM_INTERFACE_INFO(IDerived)->iid &&
           test_common_derived_info()->parent->iid == &IID_IMiddle &&
           test_common_derived_info()->method_count == KCOM_INTERFACE_INFO(IDerived)->method_count,
       "kcom_iface_info_IDerived differs between translation units\n");
    {
        static const IID *const all[] = {&IID_IUnknown, &IID_IBase,    &IID_IMiddle,      &IID_IDerived,
                                         &IID_IOther1,  &IID_IOther2,  &IID_IOther3,      &IID_IOtherChild,
                                         &IID_IBaseSibling, &IID_IUnrelated};
        size_t i, j;
        int distinct = 1;
        for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
            for (j = i + 1; j < sizeof(all) / sizeof(all[0]); j++)
                if (kcom_guid_equal(all[i], all[j]))
                    distinct = 0;
        ok(distinct, "the test IIDs are not distinct\n");
    }

    /* interface descriptors: IID, parent chain, name, vtable slots */
    check_info(IUnknown, NULL, 3);
    check_info(IBase, KCOM_INTERFACE_INFO(IUnknown), 6);
    check_info(IMiddle, KCOM_INTERFACE_INFO(IBase), 8);
    check_info(IDerived, KCOM_INTERFACE_INFO(IMiddle), 10);
    check_info(IOther1, KCOM_INTERFACE_INFO(IUnknown), 6);
    check_info(IOther2, KCOM_INTERFACE_INFO(IUnknown), 6);
    check_info(IOtherChild, KCOM_INTERFACE_INFO(IOther1), 7);
    check_info(IBaseSibling, KCOM_INTERFACE_INFO(IBase), 7);
    {
        /* walking up from IDerived reaches IUnknown in three steps */
        const kcom_interface_info *info = KCOM_INTERFACE_INFO(IDerived);
        int depth = 0;
        while (info->parent != NULL && depth < 10) {
            info = info->parent;
            depth++;
        }
        ok(depth == 3 && info == KCOM_INTERFACE_INFO(IUnknown), "IDerived's chain has depth %d\n", depth);
    }
    ok(KCOM_INTERFACE_INFO(IDerived)->method_count * sizeof(void (*)(void)) == sizeof(IDerivedVtbl),
       "method_count matches the vtable\n");
}
