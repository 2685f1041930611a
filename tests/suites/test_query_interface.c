/*
 * QueryInterface laws on an object exposing IDerived (which also answers IMiddle and IBase), IOther1,
 * IOther2 and IOther3: for every interface pointer A and every IID B (exposed, ancestor, IUnknown,
 * and interfaces the object does not expose), QI(A, B) gives the right pointer with the right vtable
 * or STATUS_NOINTERFACE with *ppv NULL, and the reference count moves by exactly one on success and
 * not at all on failure. Identity through IUnknown, reflexivity, symmetry and transitivity are
 * checked over every pair and triple; then the invalid-argument cases.
 */
#include "test_common.h"

typedef struct Multi {
    ULONG before; /* state ahead of the first interface */
    IDerived IDerived_iface;
    ULONG value;
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    ULONG other_values[3];
    IOther3 IOther3_iface;
    ULONG after;
} Multi;

static LONG multi_destroyed;

static ULONG Multi_BaseTag(Multi *self)
{
    (void)self;
    return TAG_BASE;
}
static NTSTATUS Multi_BaseSet(Multi *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Multi_BaseGet(Multi *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static ULONG Multi_MiddleTag(Multi *self)
{
    (void)self;
    return TAG_MIDDLE;
}
static void Multi_MiddleAdd(Multi *self, ULONG a, ULONG b)
{
    self->value += a + b;
}
static ULONG Multi_DerivedTag(Multi *self)
{
    (void)self;
    return TAG_DERIVED;
}
static NTSTATUS Multi_DerivedSum(Multi *self, ULONG a, ULONG64 b, ULONG64 *sum)
{
    *sum = a + b + self->value;
    return STATUS_SUCCESS;
}

#define MULTI_OTHER(n)                                                                    \
    static ULONG Multi_Other##n##_Tag(Multi *self)                                        \
    {                                                                                     \
        (void)self;                                                                       \
        return TAG_OTHER##n;                                                              \
    }                                                                                     \
    static NTSTATUS Multi_Other##n##_Store(Multi *self, ULONG value)                      \
    {                                                                                     \
        self->other_values[n - 1] = value;                                                \
        return STATUS_SUCCESS;                                                            \
    }                                                                                     \
    static NTSTATUS Multi_Other##n##_Load(Multi *self, ULONG *value)                      \
    {                                                                                     \
        *value = self->other_values[n - 1];                                               \
        return STATUS_SUCCESS;                                                            \
    }
MULTI_OTHER(1)
MULTI_OTHER(2)
MULTI_OTHER(3)

static void Multi_destroy(Multi *self)
{
    (void)self;
    multi_destroyed++;
}

KCOM_IMPLEMENT(Multi, IDerived, IDerived_iface)
KCOM_IMPLEMENT_WITH(Multi, IOther1, IOther1_iface, Multi_Other1_)
KCOM_IMPLEMENT_WITH(Multi, IOther2, IOther2_iface, Multi_Other2_)
KCOM_IMPLEMENT_WITH(Multi, IOther3, IOther3_iface, Multi_Other3_)
KCOM_CLASS(Multi, Multi_destroy, (IDerived, IDerived_iface), (IOther1, IOther1_iface), (IOther2, IOther2_iface),
           (IOther3, IOther3_iface))

/* ---- the IID table ------------------------------------------------------------------------------ */

enum target { T_NONE = -1, T_DERIVED = 0, T_OTHER1, T_OTHER2, T_OTHER3 };

/* kind: which interface-specific methods a pointer answering this IID must have. */
enum kind { K_UNKNOWN, K_BASE, K_MIDDLE, K_DERIVED, K_OTHER1, K_OTHER2, K_OTHER3, K_NONE };

static const struct iid_case {
    const IID *iid;
    const char *name;
    enum target target;
    enum kind kind;
} cases[] = {
    {&IID_IUnknown, "IUnknown", T_DERIVED, K_UNKNOWN},
    {&IID_IBase, "IBase", T_DERIVED, K_BASE},
    {&IID_IMiddle, "IMiddle", T_DERIVED, K_MIDDLE},
    {&IID_IDerived, "IDerived", T_DERIVED, K_DERIVED},
    {&IID_IOther1, "IOther1", T_OTHER1, K_OTHER1},
    {&IID_IOther2, "IOther2", T_OTHER2, K_OTHER2},
    {&IID_IOther3, "IOther3", T_OTHER3, K_OTHER3},
    {&IID_IOtherChild, "IOtherChild", T_NONE, K_NONE},   /* child of an exposed interface */
    {&IID_IBaseSibling, "IBaseSibling", T_NONE, K_NONE}, /* sibling inside the chain */
    {&IID_IUnrelated, "IUnrelated", T_NONE, K_NONE},
};
#define CASE_COUNT ((int)(sizeof(cases) / sizeof(cases[0])))

/* The offset of target's member in Multi (not T_NONE). */
static size_t offset_of(enum target target)
{
    switch (target) {
    case T_OTHER1:
        return offsetof(Multi, IOther1_iface);
    case T_OTHER2:
        return offsetof(Multi, IOther2_iface);
    case T_OTHER3:
        return offsetof(Multi, IOther3_iface);
    default:
        return offsetof(Multi, IDerived_iface);
    }
}

static void *member_of(Multi *multi, enum target target)
{
    return target == T_NONE ? NULL : (char *)multi + offset_of(target);
}

/* Calls the methods a pointer returned for kind must have and checks they reach the right
 * implementation: a pointer with the wrong vtable answers with the wrong tag. */
static void check_vtable_(const char *file, int line, void *pointer, enum kind kind, const char *name)
{
    switch (kind) {
    case K_DERIVED:
        ok_(file, line)(IDerived_DerivedTag((IDerived *)pointer) == TAG_DERIVED, "%s: DerivedTag\n", name);
        /* fall through */
    case K_MIDDLE:
        ok_(file, line)(IMiddle_MiddleTag((IMiddle *)pointer) == TAG_MIDDLE, "%s: MiddleTag\n", name);
        /* fall through */
    case K_BASE:
        ok_(file, line)(IBase_BaseTag((IBase *)pointer) == TAG_BASE, "%s: BaseTag\n", name);
        break;
    case K_OTHER1:
        ok_(file, line)(IOther1_Tag((IOther1 *)pointer) == TAG_OTHER1, "%s: Tag\n", name);
        break;
    case K_OTHER2:
        ok_(file, line)(IOther2_Tag((IOther2 *)pointer) == TAG_OTHER2, "%s: Tag\n", name);
        break;
    case K_OTHER3:
        ok_(file, line)(IOther3_Tag((IOther3 *)pointer) == TAG_OTHER3, "%s: Tag\n", name);
        break;
    case K_UNKNOWN:
        /* the primary interface */
        ok_(file, line)(IDerived_DerivedTag((IDerived *)pointer) == TAG_DERIVED, "%s: not the primary\n", name);
        break;
    case K_NONE:
        break;
    }
}
#define check_vtable(pointer, kind, name) check_vtable_(__FILE__, __LINE__, (pointer), (kind), (name))

/* QI(from, case b): the full law for one ordered pair. Returns the pointer obtained (referenced) or
 * NULL. The count must be expected before the call and move by one on success. */
static void *check_qi_(const char *file, int line, Multi *multi, IUnknown *from, const char *from_name, int b,
                       LONG count_before)
{
    const struct iid_case *want = &cases[b];
    void *out = TEST_POISON_PTR;
    NTSTATUS status = from->lpVtbl->QueryInterface(from, want->iid, &out);
    if (want->target == T_NONE) {
        ok_(file, line)(status == STATUS_NOINTERFACE, "QI(%s -> %s) returned %s, expected STATUS_NOINTERFACE\n",
                        from_name, want->name, kcom_status_name(status));
        ok_(file, line)(out == NULL, "QI(%s -> %s) failed but left %p\n", from_name, want->name, out);
        check_refcount_(file, line, multi, count_before);
        return NULL;
    }
    ok_(file, line)(status == STATUS_SUCCESS, "QI(%s -> %s) returned %s\n", from_name, want->name,
                    kcom_status_name(status));
    ok_(file, line)(out == member_of(multi, want->target), "QI(%s -> %s) gave %p, expected %p\n", from_name,
                    want->name, out, member_of(multi, want->target));
    check_refcount_(file, line, multi, count_before + 1);
    if (status != STATUS_SUCCESS || out == NULL || out == TEST_POISON_PTR)
        return NULL;
    check_vtable_(file, line, out, want->kind, want->name);
    return out;
}

void kcom_test_query_interface(void)
{
    Multi *multi = NULL;
    void *held[CASE_COUNT]; /* one referenced pointer per supported IID, obtained from the primary */
    int a, b, c;
    LONG count;
    NTSTATUS status;

    multi_destroyed = 0;
    status = KCOM_NEW(Multi, NULL, &multi);
    ok(status == STATUS_SUCCESS && multi != NULL, "KCOM_NEW(Multi) returned %s\n", kcom_status_name(status));
    if (multi == NULL)
        return;
    check_refcount(multi, 1);
    ok(kcom_object_class(multi) == KCOM_CLASS_OF(Multi), "kcom_object_class\n");
    ok(kcom_object_inner_unknown(multi) == (IUnknown *)(void *)&multi->IDerived_iface,
       "kcom_object_inner_unknown is not the primary interface\n");
    ok(multi->before == 0 && multi->value == 0 && multi->after == 0, "state not zero-filled\n");

    /* kcom_rt_find_interface: the lookup behind every QI, no reference taken */
    for (b = 0; b < CASE_COUNT; b++) {
        void *found = kcom_rt_find_interface(KCOM_CLASS_OF(Multi), multi, cases[b].iid);
        ok(found == member_of(multi, cases[b].target), "kcom_rt_find_interface(%s) gave %p\n", cases[b].name,
           found);
    }
    check_refcount(multi, 1);

    /* one pointer per supported IID, from the primary interface */
    count = 1;
    for (a = 0; a < CASE_COUNT; a++) {
        held[a] = check_qi_(__FILE__, __LINE__, multi, (IUnknown *)(void *)&multi->IDerived_iface, "primary", a,
                            count);
        if (held[a] != NULL)
            count++;
    }
    ok(count == 8, "7 supported IIDs expected, %ld references held\n", (long)count);

    /* every ordered pair (A, B): QI from A's pointer for B, then release what it gave */
    for (a = 0; a < CASE_COUNT; a++) {
        if (held[a] == NULL)
            continue;
        for (b = 0; b < CASE_COUNT; b++) {
            void *got = check_qi_(__FILE__, __LINE__, multi, (IUnknown *)held[a], cases[a].name, b, count);
            if (got != NULL)
                check_release_(__FILE__, __LINE__, (IUnknown *)got, (ULONG)count);
            check_refcount(multi, count);
        }
    }

    /* identity: QI(IID_IUnknown) from every interface gives one pointer, the inner unknown */
    for (a = 0; a < CASE_COUNT; a++) {
        IUnknown *unknown = NULL;
        if (held[a] == NULL)
            continue;
        status = kcom_query_interface((IUnknown *)held[a], &IID_IUnknown, (void **)&unknown);
        ok(status == STATUS_SUCCESS && unknown == kcom_object_inner_unknown(multi),
           "identity: QI(%s -> IUnknown) gave %p\n", cases[a].name, (void *)unknown);
        if (unknown != NULL)
            check_release(unknown, (ULONG)count);
    }

    /* reflexive: QI(A, IID of A) succeeds and gives A's pointer back (A came from that IID) */
    for (a = 0; a < CASE_COUNT; a++) {
        void *got = NULL;
        if (held[a] == NULL)
            continue;
        status = kcom_query_interface((IUnknown *)held[a], cases[a].iid, &got);
        ok(status == STATUS_SUCCESS && got == held[a], "reflexive: QI(%s -> %s) gave %p, expected %p\n",
           cases[a].name, cases[a].name, got, held[a]);
        if (got != NULL)
            check_release((IUnknown *)got, (ULONG)count);
    }

    /* symmetric: QI(A -> B) succeeds  <=>  QI(B' -> A) succeeds, B' the pointer QI(A -> B) gave */
    for (a = 0; a < CASE_COUNT; a++) {
        if (held[a] == NULL)
            continue;
        for (b = 0; b < CASE_COUNT; b++) {
            void *ab = NULL, *ba = NULL;
            if (!NT_SUCCESS(kcom_query_interface((IUnknown *)held[a], cases[b].iid, &ab)))
                continue;
            status = kcom_query_interface((IUnknown *)ab, cases[a].iid, &ba);
            ok(status == STATUS_SUCCESS && ba == held[a], "symmetric: QI(QI(%s -> %s) -> %s) gave %s %p\n",
               cases[a].name, cases[b].name, cases[a].name, kcom_status_name(status), ba);
            check_refcount(multi, count + 2);
            kcom_release_and_clear(&ba);
            kcom_release_and_clear(&ab);
        }
    }

    /* transitive: QI(A -> B) and QI(B -> C) succeed  =>  QI(A -> C) succeeds, with the same pointer;
     * and when QI(A -> C) fails, so does QI(QI(A -> B) -> C) */
    for (a = 0; a < CASE_COUNT; a++) {
        if (held[a] == NULL)
            continue;
        for (b = 0; b < CASE_COUNT; b++) {
            void *ab = NULL;
            if (!NT_SUCCESS(kcom_query_interface((IUnknown *)held[a], cases[b].iid, &ab)))
                continue;
            for (c = 0; c < CASE_COUNT; c++) {
                void *bc = NULL, *ac = NULL;
                NTSTATUS status_bc = kcom_query_interface((IUnknown *)ab, cases[c].iid, &bc);
                NTSTATUS status_ac = kcom_query_interface((IUnknown *)held[a], cases[c].iid, &ac);
                ok(NT_SUCCESS(status_bc) == NT_SUCCESS(status_ac) && bc == ac,
                   "transitive: %s -> %s -> %s gave %s %p, %s -> %s gave %s %p\n", cases[a].name, cases[b].name,
                   cases[c].name, kcom_status_name(status_bc), bc, cases[a].name, cases[c].name,
                   kcom_status_name(status_ac), ac);
                kcom_release_and_clear(&bc);
                kcom_release_and_clear(&ac);
            }
            kcom_release_and_clear(&ab);
            check_refcount(multi, count);
        }
    }

    /* Wine-style spot checks with the shared helper */
    check_interface(&multi->IOther2_iface, &IID_IBase, TRUE);
    check_interface(&multi->IOther3_iface, &IID_IOtherChild, FALSE);
    check_interface(&multi->IDerived_iface, &IID_IBaseSibling, FALSE);
    check_refcount(multi, count);

    /* invalid arguments, through each interface's own vtable */
    for (a = 0; a < CASE_COUNT; a++) {
        IUnknown *from = (IUnknown *)held[a];
        void *out = TEST_POISON_PTR;
        if (from == NULL)
            continue;
        status = from->lpVtbl->QueryInterface(from, &IID_IOther1, NULL);
        ok(status == STATUS_INVALID_PARAMETER, "QI(%s, ppv NULL) returned %s\n", cases[a].name,
           kcom_status_name(status));
        status = from->lpVtbl->QueryInterface(from, NULL, &out);
        ok(status == STATUS_INVALID_PARAMETER, "QI(%s, riid NULL) returned %s\n", cases[a].name,
           kcom_status_name(status));
        ok(out == NULL, "QI(%s, riid NULL) left %p in *ppv\n", cases[a].name, out);
        status = from->lpVtbl->QueryInterface(from, NULL, NULL);
        ok(status == STATUS_INVALID_PARAMETER, "QI(%s, NULL, NULL) returned %s\n", cases[a].name,
           kcom_status_name(status));
        check_refcount(multi, count);
    }

    /* AddRef/Release through every interface move the one count */
    for (a = 0; a < CASE_COUNT; a++) {
        IUnknown *from = (IUnknown *)held[a];
        if (from == NULL)
            continue;
        ok(from->lpVtbl->AddRef(from) == (ULONG)count + 1, "AddRef through %s\n", cases[a].name);
        check_refcount(multi, count + 1);
        ok(from->lpVtbl->Release(from) == (ULONG)count, "Release through %s\n", cases[a].name);
    }

    /* drop the held pointers one by one; the last one destroys */
    for (a = 0; a < CASE_COUNT; a++) {
        if (held[a] == NULL)
            continue;
        count--;
        check_release((IUnknown *)held[a], (ULONG)count);
        ok(multi_destroyed == 0, "destroyed while references remain\n");
    }
    check_refcount(multi, 1);
    ok(kcom_object_release(multi) == 0, "final release\n");
    ok(multi_destroyed == 1, "destroy ran %ld times\n", (long)multi_destroyed);

    /* kcom_object_create answers each IID as QueryInterface does, with the creation reference the
     * only one; a miss frees the object */
    for (a = 0; a < CASE_COUNT; a++) {
        void *got = TEST_POISON_PTR;
        LONG destroyed = multi_destroyed;
        status = kcom_object_create(KCOM_CLASS_OF(Multi), NULL, NULL, NULL, cases[a].iid, &got);
        if (cases[a].target == T_NONE) {
            ok(status == STATUS_NOINTERFACE && got == NULL, "kcom_object_create(%s) gave %s %p\n", cases[a].name,
               kcom_status_name(status), got);
            ok(multi_destroyed == destroyed + 1, "kcom_object_create(%s): the object was not freed\n",
               cases[a].name);
            continue;
        }
        ok(status == STATUS_SUCCESS && got != NULL, "kcom_object_create(%s) gave %s\n", cases[a].name,
           kcom_status_name(status));
        if (got == NULL || got == TEST_POISON_PTR)
            continue;
        check_vtable_(__FILE__, __LINE__, got, cases[a].kind, cases[a].name);
        {
            /* the object's identity says which of its members got is */
            IUnknown *unknown = NULL;
            multi = (Multi *)(void *)((char *)got - offset_of(cases[a].target));
            status = kcom_query_interface((IUnknown *)got, &IID_IUnknown, (void **)&unknown);
            ok(status == STATUS_SUCCESS && unknown == (IUnknown *)(void *)&multi->IDerived_iface,
               "kcom_object_create(%s): not the expected member (identity %p)\n", cases[a].name, (void *)unknown);
            if (unknown != NULL)
                check_release(unknown, 1);
        }
        check_refcount(multi, 1);
        ok(((IUnknown *)got)->lpVtbl->Release((IUnknown *)got) == 0 && multi_destroyed == destroyed + 1,
           "kcom_object_create(%s): one Release frees it\n", cases[a].name);
    }
}
