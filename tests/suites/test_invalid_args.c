/*
 * Every public entry point with NULL or invalid arguments returns what its header comment
 * documents, clears the out pointer where it says so, and makes no allocation: object creation,
 * the object accessors, the client helpers, the allocator functions, the counting allocator, and
 * malformed hand-written class descriptors (zero entries, NULL entries/vtable/descriptor, an
 * interface descriptor or one of its ancestors without an IID, an ancestry that never reaches
 * IUnknown, an interface member out of range or misaligned, bad alignment, too small or too large
 * a size, an aggregatable class without an inner vtable).
 */
#include "test_common.h"

static kcom_counting_allocator args_counter;
static LONG hand_destroyed;

/* ---- a class written by hand, with a hand-written vtable over the public object functions ----- */

typedef struct HandMade {
    ULONG64 first;
    IOther1 IOther1_iface;
    ULONG value;
} HandMade;

static HandMade *hand_from(IOther1 *iface)
{
    return KCOM_IMPL_FROM(HandMade, IOther1_iface, iface);
}
static NTSTATUS KCOM_STDCALL hand_QueryInterface(IOther1 *This, REFIID riid, void **ppv)
{
    return kcom_object_query_interface(hand_from(This), riid, ppv);
}
static ULONG KCOM_STDCALL hand_AddRef(IOther1 *This)
{
    return kcom_object_addref(hand_from(This));
}
static ULONG KCOM_STDCALL hand_Release(IOther1 *This)
{
    return kcom_object_release(hand_from(This));
}
static ULONG KCOM_STDCALL hand_Tag(IOther1 *This)
{
    return hand_from(This)->value;
}
static NTSTATUS KCOM_STDCALL hand_Store(IOther1 *This, ULONG value)
{
    hand_from(This)->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS KCOM_STDCALL hand_Load(IOther1 *This, ULONG *value)
{
    if (value == NULL)
        return STATUS_INVALID_PARAMETER;
    *value = hand_from(This)->value;
    return STATUS_SUCCESS;
}
static const IOther1Vtbl hand_vtbl = {hand_QueryInterface, hand_AddRef, hand_Release, hand_Tag, hand_Store, hand_Load};

static void hand_destroy(void *impl)
{
    (void)impl;
    hand_destroyed++;
}

static const kcom_class_entry hand_entries[] = {
    {KCOM_INTERFACE_INFO(IOther1), &hand_vtbl, offsetof(HandMade, IOther1_iface)}};

static const kcom_class hand_class = {
    "HandMade", sizeof(HandMade), KCOM_ALIGNOF(HandMade), 0, 1, hand_entries, hand_destroy, &args_counter.allocator,
    NULL, NULL, NULL, NULL};

/* ---- malformed variants of it --------------------------------------------------------------- */

static const kcom_class_entry entry_null_vtbl[] = {{KCOM_INTERFACE_INFO(IOther1), NULL, offsetof(HandMade, IOther1_iface)}};
static const kcom_class_entry entry_null_info[] = {{NULL, &hand_vtbl, offsetof(HandMade, IOther1_iface)}};
static const kcom_class_entry entry_at_end[] = {{KCOM_INTERFACE_INFO(IOther1), &hand_vtbl, sizeof(HandMade)}};
static const kcom_class_entry entry_past_end[] = {
    {KCOM_INTERFACE_INFO(IOther1), &hand_vtbl, sizeof(HandMade) + sizeof(void *)}};
static const kcom_class_entry entry_overlapping_end[] = {
    {KCOM_INTERFACE_INFO(IOther1), &hand_vtbl, sizeof(HandMade) - sizeof(void *) / 2}};
static const kcom_class_entry entry_misaligned[] = {{KCOM_INTERFACE_INFO(IOther1), &hand_vtbl, sizeof(void *) / 2}};
static const kcom_class_entry entry_huge_offset[] = {{KCOM_INTERFACE_INFO(IOther1), &hand_vtbl, (size_t)-8}};
/* a second entry that is broken behind a good first one */
static const kcom_class_entry entries_second_bad[] = {
    {KCOM_INTERFACE_INFO(IOther1), &hand_vtbl, offsetof(HandMade, IOther1_iface)},
    {KCOM_INTERFACE_INFO(IOther2), NULL, offsetof(HandMade, IOther1_iface)}};

/* interface descriptors QueryInterface could not walk: without an IID, an ancestor without one,
 * an ancestry that never reaches IUnknown (a cycle, of one descriptor and of two; a root that is
 * not IUnknown's, whose interface QueryInterface would then never find) */
static const kcom_interface_info info_null_iid = {NULL, KCOM_INTERFACE_INFO(IUnknown), "NoIID", 6};
static const kcom_interface_info info_parent_null_iid = {&IID_IOther1, &info_null_iid, "ParentNoIID", 6};
static const kcom_interface_info info_own_parent = {&IID_IOther1, &info_own_parent, "OwnParent", 6};
static const kcom_interface_info info_cycle_b;
static const kcom_interface_info info_cycle_a = {&IID_IOther1, &info_cycle_b, "CycleA", 6};
static const kcom_interface_info info_cycle_b = {&IID_IOther2, &info_cycle_a, "CycleB", 6};
static const kcom_interface_info info_root_not_iunknown = {&IID_IOther2, NULL, "RootNotIUnknown", 6};
static const kcom_interface_info info_below_other_root = {&IID_IOther1, &info_root_not_iunknown, "BelowOtherRoot", 7};
static const kcom_class_entry entry_null_iid[] = {{&info_null_iid, &hand_vtbl, offsetof(HandMade, IOther1_iface)}};
static const kcom_class_entry entry_parent_null_iid[] = {
    {&info_parent_null_iid, &hand_vtbl, offsetof(HandMade, IOther1_iface)}};
static const kcom_class_entry entry_own_parent[] = {{&info_own_parent, &hand_vtbl, offsetof(HandMade, IOther1_iface)}};
static const kcom_class_entry entry_cycle[] = {{&info_cycle_a, &hand_vtbl, offsetof(HandMade, IOther1_iface)}};
static const kcom_class_entry entry_other_root[] = {
    {&info_below_other_root, &hand_vtbl, offsetof(HandMade, IOther1_iface)}};
static const kcom_class_entry entry_root_itself[] = {
    {&info_root_not_iunknown, &hand_vtbl, offsetof(HandMade, IOther1_iface)}};

#define HAND_CLASS(name, size, alignment, flags, count, entries, inner)                   \
    static const kcom_class name = {#name, (size), (alignment), (flags), (count), (entries), hand_destroy, \
                                    &args_counter.allocator, (inner), NULL, NULL, NULL}

HAND_CLASS(zero_entries, sizeof(HandMade), 8, 0, 0, hand_entries, NULL);
HAND_CLASS(null_entries, sizeof(HandMade), 8, 0, 1, NULL, NULL);
HAND_CLASS(null_vtbl, sizeof(HandMade), 8, 0, 1, entry_null_vtbl, NULL);
HAND_CLASS(null_info, sizeof(HandMade), 8, 0, 1, entry_null_info, NULL);
HAND_CLASS(offset_at_end, sizeof(HandMade), 8, 0, 1, entry_at_end, NULL);
HAND_CLASS(offset_past_end, sizeof(HandMade), 8, 0, 1, entry_past_end, NULL);
HAND_CLASS(offset_overlapping_end, sizeof(HandMade), 8, 0, 1, entry_overlapping_end, NULL);
/* an aligned member whose pointer would reach past a (hand-declared) short size */
HAND_CLASS(offset_aligned_overlapping, offsetof(HandMade, IOther1_iface) + sizeof(void *) - 1, 8, 0, 1, hand_entries, NULL);
HAND_CLASS(offset_misaligned, sizeof(HandMade), 8, 0, 1, entry_misaligned, NULL);
HAND_CLASS(offset_huge, sizeof(HandMade), 8, 0, 1, entry_huge_offset, NULL);
HAND_CLASS(second_entry_bad, sizeof(HandMade), 8, 0, 2, entries_second_bad, NULL);
HAND_CLASS(iid_null, sizeof(HandMade), 8, 0, 1, entry_null_iid, NULL);
HAND_CLASS(ancestor_iid_null, sizeof(HandMade), 8, 0, 1, entry_parent_null_iid, NULL);
HAND_CLASS(ancestry_own_parent, sizeof(HandMade), 8, 0, 1, entry_own_parent, NULL);
HAND_CLASS(ancestry_cycle, sizeof(HandMade), 8, 0, 1, entry_cycle, NULL);
HAND_CLASS(ancestry_other_root, sizeof(HandMade), 8, 0, 1, entry_other_root, NULL);
HAND_CLASS(ancestry_root_itself, sizeof(HandMade), 8, 0, 1, entry_root_itself, NULL);
HAND_CLASS(alignment_zero, sizeof(HandMade), 0, 0, 1, hand_entries, NULL);
HAND_CLASS(alignment_three, sizeof(HandMade), 3, 0, 1, hand_entries, NULL);
HAND_CLASS(alignment_48, sizeof(HandMade), 48, 0, 1, hand_entries, NULL);
HAND_CLASS(size_zero, 0, 8, 0, 1, hand_entries, NULL);
HAND_CLASS(size_too_small, sizeof(void *) - 1, 8, 0, 1, hand_entries, NULL);
HAND_CLASS(size_overflowing, (size_t)-1 - 8, 8, 0, 1, hand_entries, NULL);
HAND_CLASS(aggregatable_without_inner, sizeof(HandMade), 8, KCOM_CLASS_AGGREGATABLE, 1, hand_entries, NULL);

#define MALFORMED_CLASSES(X)                                                                                     \
    X(zero_entries) X(null_entries) X(null_vtbl) X(null_info) X(offset_at_end) X(offset_past_end)               \
    X(offset_overlapping_end) X(offset_aligned_overlapping) X(offset_misaligned) X(offset_huge)                 \
    X(second_entry_bad) X(iid_null) X(ancestor_iid_null) X(ancestry_own_parent) X(ancestry_cycle)               \
    X(ancestry_other_root) X(ancestry_root_itself) X(alignment_zero) X(alignment_three) X(alignment_48)         \
    X(size_zero) X(size_too_small) X(size_overflowing) X(aggregatable_without_inner)
#define MALFORMED_ADDRESS(name) &name,
static const kcom_class *const malformed[] = {MALFORMED_CLASSES(MALFORMED_ADDRESS)};

/* ---- an ordinary kcom class for the accessor and client checks -------------------------------- */

typedef struct Simple {
    IOther2 IOther2_iface;
} Simple;
static ULONG Simple_Tag(Simple *self)
{
    (void)self;
    return TAG_OTHER2;
}
static NTSTATUS Simple_Store(Simple *self, ULONG value)
{
    (void)self;
    (void)value;
    return STATUS_SUCCESS;
}
static NTSTATUS Simple_Load(Simple *self, ULONG *value)
{
    (void)self;
    *value = 0;
    return STATUS_SUCCESS;
}
KCOM_IMPLEMENT(Simple, IOther2, IOther2_iface)
KCOM_CLASS_EX(Simple, &args_counter.allocator, NULL, NULL, (IOther2, IOther2_iface))

static void *test_allocate(void *context, size_t size, size_t alignment)
{
    (void)context;
    (void)size;
    (void)alignment;
    return NULL;
}
static void test_free(void *context, void *block, size_t size, size_t alignment)
{
    (void)context;
    (void)block;
    (void)size;
    (void)alignment;
}

static void test_object_functions(void)
{
    void *impl;
    void *out;
    NTSTATUS status;

    /* kcom_object_new */
    impl = TEST_POISON_PTR;
    status = kcom_object_new(NULL, NULL, &impl);
    ok(status == STATUS_INVALID_PARAMETER && impl == NULL, "kcom_object_new(NULL class): %s %p\n",
       kcom_status_name(status), impl);
    status = kcom_object_new(&hand_class, NULL, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "kcom_object_new(NULL impl): %s\n", kcom_status_name(status));
    status = kcom_object_new(NULL, NULL, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "kcom_object_new(NULL, NULL, NULL): %s\n", kcom_status_name(status));

    /* kcom_object_create */
    out = TEST_POISON_PTR;
    status = kcom_object_create(NULL, NULL, NULL, NULL, &IID_IOther1, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "kcom_object_create(NULL class): %s %p\n",
       kcom_status_name(status), out);
    out = TEST_POISON_PTR;
    status = kcom_object_create(KCOM_CLASS_OF(Simple), NULL, NULL, NULL, NULL, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "kcom_object_create(NULL riid): %s %p\n",
       kcom_status_name(status), out);
    status = kcom_object_create(KCOM_CLASS_OF(Simple), NULL, NULL, NULL, &IID_IOther2, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "kcom_object_create(NULL ppv): %s\n", kcom_status_name(status));
    status = kcom_object_create(NULL, NULL, NULL, NULL, NULL, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "kcom_object_create(all NULL): %s\n", kcom_status_name(status));

    /* accessors with NULL */
    ok(kcom_object_addref(NULL) == 0, "kcom_object_addref(NULL)\n");
    ok(kcom_object_release(NULL) == 0, "kcom_object_release(NULL)\n");
    ok(kcom_object_inner_unknown(NULL) == NULL, "kcom_object_inner_unknown(NULL)\n");
    ok(kcom_object_class(NULL) == NULL, "kcom_object_class(NULL)\n");
    ok(kcom_object_refcount(NULL) == 0, "kcom_object_refcount(NULL)\n");

    ok(args_counter.attempts == 0, "%ld allocations attempted for rejected calls\n", (long)args_counter.attempts);
}

/* A class's allocator without one of its functions is refused, not called through NULL: the
 * object would be created and then freed through a NULL free. */
static const kcom_allocator no_allocate_allocator = {NULL, test_platform_free, NULL};
static const kcom_allocator no_free_allocator = {test_platform_allocate, NULL, NULL};

static void test_class_allocator_without_functions(void)
{
    const kcom_allocator *const allocators[] = {&no_allocate_allocator, &no_free_allocator};
    size_t i;
    for (i = 0; i < sizeof(allocators) / sizeof(allocators[0]); i++) {
        kcom_class cls = *KCOM_CLASS_OF(Simple);
        void *impl = TEST_POISON_PTR;
        void *out = TEST_POISON_PTR;
        NTSTATUS status;
        cls.allocator = allocators[i];
        status = kcom_object_new(&cls, NULL, &impl);
        ok(status == STATUS_INVALID_PARAMETER && impl == NULL, "kcom_object_new, class allocator %lu: %s %p\n",
           (unsigned long)i, kcom_status_name(status), impl);
        if (impl != NULL && impl != TEST_POISON_PTR)
            skip("not releasing an object whose allocator has no free\n");
        status = kcom_object_create(&cls, NULL, NULL, NULL, &IID_IOther2, &out);
        ok(status == STATUS_INVALID_PARAMETER && out == NULL, "kcom_object_create, class allocator %lu: %s %p\n",
           (unsigned long)i, kcom_status_name(status), out);
    }
}

/* Inline, so that a call naming a descriptor has it as a constant: kcom_object_new and
 * kcom_object_create then check it at compile time, at the call (kcom/detail/object.h). */
static KCOM_FORCEINLINE void refuse_malformed(const kcom_class *cls)
{
    void *impl = TEST_POISON_PTR;
    void *out = TEST_POISON_PTR;
    NTSTATUS status = kcom_object_new(cls, NULL, &impl);
    ok(status == STATUS_INVALID_PARAMETER, "kcom_object_new(%s) returned %s\n", cls->name, kcom_status_name(status));
    ok(impl == NULL, "kcom_object_new(%s) left %p\n", cls->name, impl);
    if (NT_SUCCESS(status) && impl != NULL && impl != TEST_POISON_PTR)
        kcom_object_release(impl);
    status = kcom_object_create(cls, NULL, NULL, NULL, &IID_IOther1, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "kcom_object_create(%s): %s %p\n", cls->name,
       kcom_status_name(status), out);
    if (NT_SUCCESS(status) && out != NULL && out != TEST_POISON_PTR)
        ((IUnknown *)out)->lpVtbl->Release((IUnknown *)out);
}

static void test_malformed_classes(void)
{
    size_t i;
    for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
        refuse_malformed(malformed[i]); /* a descriptor known at run time only */
#define REFUSE_MALFORMED(name) refuse_malformed(&name); /* each one a constant */
    MALFORMED_CLASSES(REFUSE_MALFORMED)
#undef REFUSE_MALFORMED
    ok(args_counter.attempts == 0, "%ld allocations attempted for malformed classes\n", (long)args_counter.attempts);
    check_live(&args_counter, 0);
    ok(hand_destroyed == 0, "destroy ran for a malformed class\n");

    /* the well-formed original works, through its hand-written vtable */
    {
        IOther1 *o1 = NULL;
        ULONG value = 0;
        NTSTATUS status = kcom_object_create(&hand_class, NULL, NULL, NULL, &IID_IOther1, (void **)&o1);
        ok(status == STATUS_SUCCESS && o1 != NULL, "kcom_object_create(hand-written class): %s\n",
           kcom_status_name(status));
        if (o1 != NULL) {
            HandMade *hand = hand_from(o1);
            ok(kcom_object_class(hand) == &hand_class, "kcom_object_class\n");
            ok(IOther1_Store(o1, 31) == STATUS_SUCCESS && IOther1_Load(o1, &value) == STATUS_SUCCESS && value == 31,
               "hand-written methods\n");
            check_interface(o1, &IID_IUnknown, TRUE);
            check_interface(o1, &IID_IOther2, FALSE);
            check_refcount(hand, 1);
            ok(kcom_object_addref(hand) == 2 && kcom_object_release(hand) == 1,
               "kcom_object_addref/release on a hand-written class count directly\n");
            {
                void *out = TEST_POISON_PTR;
                ok(kcom_object_query_interface(hand, &IID_IOther1, &out) == STATUS_SUCCESS && out == o1,
                   "kcom_object_query_interface on a hand-written class\n");
                check_release((IOther1 *)out, 1);
                out = TEST_POISON_PTR;
                ok(kcom_object_query_interface(hand, NULL, &out) == STATUS_INVALID_PARAMETER && out == NULL,
                   "kcom_object_query_interface(NULL riid)\n");
                out = TEST_POISON_PTR;
                ok(kcom_object_query_interface(NULL, &IID_IOther1, &out) == STATUS_INVALID_PARAMETER && out == NULL,
                   "kcom_object_query_interface(NULL impl)\n");
                ok(kcom_object_query_interface(hand, &IID_IOther1, NULL) == STATUS_INVALID_PARAMETER,
                   "kcom_object_query_interface(NULL ppv)\n");
            }
            check_live(&args_counter, 1);
            check_release(o1, 0);
        }
        ok(hand_destroyed == 1, "hand-written class destroyed %ld times\n", (long)hand_destroyed);
        check_live(&args_counter, 0);
    }
}

static void test_client_functions(void)
{
    Simple *simple = NULL;
    IUnknown *unknown;
    void *out;
    NTSTATUS status;

    ok(KCOM_NEW(Simple, NULL, &simple) == STATUS_SUCCESS && simple != NULL, "KCOM_NEW(Simple)\n");
    if (simple == NULL)
        return;
    unknown = kcom_object_inner_unknown(simple);

    out = TEST_POISON_PTR;
    status = kcom_query_interface(NULL, &IID_IOther2, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "kcom_query_interface(NULL unknown): %s %p\n",
       kcom_status_name(status), out);
    out = TEST_POISON_PTR;
    status = kcom_query_interface(unknown, NULL, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "kcom_query_interface(NULL riid): %s %p\n",
       kcom_status_name(status), out);
    status = kcom_query_interface(unknown, &IID_IOther2, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "kcom_query_interface(NULL ppv): %s\n", kcom_status_name(status));
    status = kcom_query_interface(NULL, NULL, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "kcom_query_interface(all NULL): %s\n", kcom_status_name(status));
    out = TEST_POISON_PTR;
    status = kcom_query_interface(unknown, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "kcom_query_interface(unexposed): %s %p\n",
       kcom_status_name(status), out);
    check_refcount(simple, 1);

    ok(kcom_addref(NULL) == 0, "kcom_addref(NULL)\n");
    ok(kcom_release(NULL) == 0, "kcom_release(NULL)\n");
    ok(kcom_release_and_clear(NULL) == 0, "kcom_release_and_clear(NULL slot)\n");
    {
        IOther2 *empty = NULL;
        ok(kcom_release_and_clear(&empty) == 0 && empty == NULL, "kcom_release_and_clear(slot holding NULL)\n");
        kcom_scoped_release(NULL);
        kcom_scoped_release(&empty);
        ok(empty == NULL, "kcom_scoped_release(slot holding NULL)\n");
    }
    check_refcount(simple, 1);
    ok(kcom_object_release(simple) == 0, "release\n");
}

static void test_allocator_functions(void)
{
    static const kcom_allocator no_allocate = {NULL, test_free, NULL};
    static const kcom_allocator no_free = {test_allocate, NULL, NULL};
    static const kcom_allocator neither = {NULL, NULL, NULL};
    /* the runner may have installed its own default (the kernel test driver counts everything) */
    const kcom_allocator *saved = kcom_default_allocator();
    ULONG tag;

    ok(saved != NULL, "kcom_default_allocator returned NULL\n");
    ok(kcom_set_default_allocator(&no_allocate) == STATUS_INVALID_PARAMETER, "default allocator without allocate\n");
    ok(kcom_set_default_allocator(&no_free) == STATUS_INVALID_PARAMETER, "default allocator without free\n");
    ok(kcom_set_default_allocator(&neither) == STATUS_INVALID_PARAMETER, "default allocator without functions\n");
    ok(kcom_default_allocator() == saved, "a rejected allocator was installed\n");
    ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "kcom_set_default_allocator(NULL)\n");
    ok(kcom_default_allocator() == kcom_platform_allocator(), "NULL did not restore the platform allocator\n");
    ok(kcom_set_default_allocator(saved == kcom_platform_allocator() ? NULL : saved) == STATUS_SUCCESS,
       "restoring the default allocator\n");
    ok(kcom_default_allocator() == saved, "default allocator not restored\n");
    ok(kcom_platform_allocator() != NULL && kcom_platform_allocator()->allocate != NULL &&
           kcom_platform_allocator()->free != NULL,
       "platform allocator incomplete\n");

    tag = kcom_pool_tag();
    ok(tag != 0, "pool tag 0\n");
    ok(kcom_set_pool_tag(0) == STATUS_INVALID_PARAMETER, "kcom_set_pool_tag(0)\n");
    /* each byte printable ASCII: bit 31 is PROTECTED_POOL to ExAllocatePoolWithTag, and a
     * protected block freed without its tag stops the system */
    ok(kcom_set_pool_tag(0x74736554u | 0x80000000u) == STATUS_INVALID_PARAMETER, "a protected pool tag\n");
    ok(kcom_set_pool_tag(0x74730054u) == STATUS_INVALID_PARAMETER, "a pool tag with a NUL byte\n");
    ok(kcom_set_pool_tag(0x1F736554u) == STATUS_INVALID_PARAMETER, "a pool tag with a control byte\n");
    ok(kcom_pool_tag() == tag, "a refused pool tag changed the tag\n");
    ok(kcom_pool_tag() == tag, "a zero tag was installed\n");
    ok(kcom_set_pool_tag(0x7E202020u) == STATUS_SUCCESS && kcom_pool_tag() == 0x7E202020u, "the pool tag \"   ~\"\n");
    ok(kcom_set_pool_tag(0x74736554u) == STATUS_SUCCESS && kcom_pool_tag() == 0x74736554u, "kcom_set_pool_tag\n");
    ok(kcom_set_pool_tag(tag) == STATUS_SUCCESS && kcom_pool_tag() == tag, "restoring the pool tag\n");

    /* kcom_allocate rejects before reaching the allocator */
    kcom_counting_allocator_fail_nth(&args_counter, 0);
    ok(kcom_allocate(&args_counter.allocator, 0, 8) == NULL, "kcom_allocate(size 0)\n");
    ok(kcom_allocate(&args_counter.allocator, 16, 0) == NULL, "kcom_allocate(alignment 0)\n");
    ok(kcom_allocate(&args_counter.allocator, 16, 3) == NULL, "kcom_allocate(alignment 3)\n");
    ok(kcom_allocate(&args_counter.allocator, 16, 24) == NULL, "kcom_allocate(alignment 24)\n");
    ok(kcom_allocate(&args_counter.allocator, 16, ((size_t)1 << 20) + 1) == NULL, "kcom_allocate(alignment 2^20+1)\n");
    ok(args_counter.attempts == 0, "kcom_allocate passed %ld invalid requests on\n", (long)args_counter.attempts);
    ok(kcom_allocate(NULL, 0, 8) == NULL, "kcom_allocate(default, size 0)\n");
    ok(kcom_allocate(NULL, 8, 5) == NULL, "kcom_allocate(default, alignment 5)\n");
    kcom_free(NULL, NULL, 8, 8);
    kcom_free(&args_counter.allocator, NULL, 8, 8);
    ok(args_counter.live == 0, "kcom_free(NULL block) reached the allocator\n");

    /* counting allocator */
    ok(kcom_counting_allocator_init(NULL, NULL) == STATUS_INVALID_PARAMETER, "kcom_counting_allocator_init(NULL)\n");
    ok(kcom_counting_allocator_init(NULL, kcom_platform_allocator()) == STATUS_INVALID_PARAMETER,
       "kcom_counting_allocator_init(NULL, backing)\n");
    ok(kcom_counting_allocator_live(NULL) == 0, "kcom_counting_allocator_live(NULL)\n");
    kcom_counting_allocator_fail_nth(NULL, 1);

    /* kcom_aligned_allocate's own argument checks (no natural allocation needed to reject them) */
    ok(kcom_aligned_allocate(NULL, NULL, 16, 16) == NULL, "kcom_aligned_allocate(NULL function)\n");
    kcom_aligned_free(NULL, NULL, NULL, 16);
}

/* ---- a class written by hand whose QueryInterface breaks COM's rules ------------------------------- *
 * kcom_object_create hands an IID missing from the table to the class's QueryInterface; it
 * promises *ppv NULL on failure and never success without a pointer, whatever that answers. */
static kcom_counting_allocator sloppy_counter;

static NTSTATUS KCOM_STDCALL sloppy_QueryInterface(IOther1 *This, REFIID riid, void **ppv)
{
    if (kcom_guid_equal(riid, &IID_IOther2)) {
        *ppv = This; /* a failure that leaves a pointer behind */
        return STATUS_NOINTERFACE;
    }
    if (kcom_guid_equal(riid, &IID_IOther3)) {
        *ppv = NULL; /* success without a pointer */
        return STATUS_SUCCESS;
    }
    return kcom_object_query_interface(hand_from(This), riid, ppv);
}
static const IOther1Vtbl sloppy_vtbl = {sloppy_QueryInterface, hand_AddRef, hand_Release, hand_Tag, hand_Store,
                                        hand_Load};
static const kcom_class_entry sloppy_entries[] = {{KCOM_INTERFACE_INFO(IOther1), &sloppy_vtbl,
                                                    offsetof(HandMade, IOther1_iface)}};
static const kcom_class sloppy_class = {"Sloppy", sizeof(HandMade), KCOM_ALIGNOF(HandMade), 0, 1, sloppy_entries,
                                        NULL, &sloppy_counter.allocator, NULL, NULL, NULL, NULL};

static void test_sloppy_query_interface(void)
{
    void *out = TEST_POISON_PTR;
    NTSTATUS status;
    kcom_counting_allocator_init(&sloppy_counter, NULL);
    status = kcom_object_create(&sloppy_class, NULL, NULL, NULL, &IID_IOther2, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "a failure leaving a pointer: %s %p\n", kcom_status_name(status),
       out);
    out = TEST_POISON_PTR;
    status = kcom_object_create(&sloppy_class, NULL, NULL, NULL, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL, "success without a pointer: %s %p\n", kcom_status_name(status),
       out);
    check_live(&sloppy_counter, 0);
}

void kcom_test_invalid_args(void)
{
    /* the runner has initialized the runtime (or not, on the host); again is harmless */
    ok(kcom_initialize() == STATUS_SUCCESS, "kcom_initialize (again)\n");
    kcom_counting_allocator_init(&args_counter, NULL);
    hand_destroyed = 0;
    test_object_functions();
    test_malformed_classes();
    test_class_allocator_without_functions();
    test_sloppy_query_interface();
    test_client_functions();
    test_allocator_functions();
    check_live(&args_counter, 0);
}
