/*
 * A class's creation function (kcom_class.create, made by KCOM_CLASS): kcom_object_create and
 * kcom_object_new over a descriptor the call site does not see (here: read through a volatile
 * pointer, as a descriptor from another file is) go to the library, which calls it; it builds the
 * object in the class's file as the inline path does. Checked: which classes have one, each outcome
 * of a creation through it against the same creation inline (the interface handed out, init and
 * its failure, a miss, allocation failure, kcom_object_new), a copy of a descriptor, edited, which
 * must go the library's general way and be built as the copy says, and a descriptor written by
 * hand, whose field is never read.
 */
#include "test_common.h"

static kcom_counting_allocator made_counter;
static LONG made_destroyed;

typedef struct Made {
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    ULONG value;
} Made;
static ULONG Made_Tag(Made *self)
{
    return self->value;
}
static NTSTATUS Made_Store(Made *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Made_Load(Made *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static void Made_destroy(Made *self)
{
    (void)self;
    made_destroyed++;
}
KCOM_IMPLEMENT_WITH(Made, IOther1, IOther1_iface, Made_)
KCOM_IMPLEMENT_WITH(Made, IOther2, IOther2_iface, Made_)
KCOM_CLASS_EX(Made, &made_counter.allocator, Made_destroy, NULL, (IOther1, IOther1_iface), (IOther2, IOther2_iface))

typedef Made AggMade;
static void AggMade_destroy(AggMade *self)
{
    Made_destroy(self);
}
KCOM_IMPLEMENT_WITH(AggMade, IOther1, IOther1_iface, Made_)
KCOM_AGGREGATABLE_CLASS_EX(AggMade, &made_counter.allocator, AggMade_destroy, NULL, (IOther1, IOther1_iface))

/* What the compiler cannot see through: the library's path, as for a descriptor of another file. */
static const kcom_class *volatile opaque_slot;
static const kcom_class *opaque(const kcom_class *cls)
{
    opaque_slot = cls;
    return opaque_slot;
}

static NTSTATUS init_value(void *impl, void *ctx)
{
    Made *self = (Made *)impl;
    if (self->value != 0)
        return STATUS_UNSUCCESSFUL; /* not zero-filled */
    self->value = *(const ULONG *)ctx;
    return STATUS_SUCCESS;
}

static NTSTATUS init_refusing(void *impl, void *ctx)
{
    ((Made *)impl)->value = 7;
    return *(const NTSTATUS *)ctx;
}

static void test_which_classes(void)
{
    ok(KCOM_CLASS_OF(Made)->create != NULL, "KCOM_CLASS makes a creation function\n");
    ok(KCOM_CLASS_OF(AggMade)->create == NULL, "an aggregatable class has none\n");
}

/* One creation of Made by way of cls (inline or through the library), with its outcome checked. */
static void create_once(const kcom_class *cls, const char *how)
{
    const ULONG value = 41;
    const NTSTATUS refusal = STATUS_ACCESS_DENIED;
    void *out = TEST_POISON_PTR;
    LONG destroyed = made_destroyed;
    ULONG loaded = 0;
    NTSTATUS status;

    /* the second interface, init run over the zero-filled struct */
    status = kcom_object_create(cls, NULL, init_value, (void *)&value, &IID_IOther2, &out);
    ok(status == STATUS_SUCCESS && out != NULL, "%s: create IOther2: %s\n", how, kcom_status_name(status));
    if (NT_SUCCESS(status)) {
        Made *self = KCOM_IMPL_FROM(Made, IOther2_iface, (IOther2 *)out);
        ok(IOther2_Load((IOther2 *)out, &loaded) == STATUS_SUCCESS && loaded == value, "%s: init's value %lu\n", how,
           (unsigned long)loaded);
        ok(IOther1_Tag(&self->IOther1_iface) == value, "%s: the other vtable\n", how);
        ok(kcom_object_addref(self) == 2, "%s: one reference, the caller's\n", how);
        ok(kcom_object_release(self) == 1, "%s: released to 1\n", how);
        ok(IOther2_Release((IOther2 *)out) == 0 && made_destroyed == destroyed + 1, "%s: final release\n", how);
    }
    ok(made_counter.live_bytes == 0, "%s: freed\n", how);

    /* IUnknown: the primary interface */
    out = TEST_POISON_PTR;
    status = kcom_object_create(cls, NULL, NULL, NULL, &IID_IUnknown, &out);
    ok(status == STATUS_SUCCESS && out != NULL, "%s: create IUnknown: %s\n", how, kcom_status_name(status));
    if (NT_SUCCESS(status)) {
        Made *self = KCOM_IMPL_FROM(Made, IOther1_iface, (IOther1 *)out);
        ok(out == (void *)&self->IOther1_iface && self->value == 0, "%s: the primary interface\n", how);
        ok(IUnknown_Release((IUnknown *)out) == 0, "%s: released\n", how);
    }

    /* a miss: the object goes, *ppv NULL */
    destroyed = made_destroyed;
    out = TEST_POISON_PTR;
    status = kcom_object_create(cls, NULL, NULL, NULL, &IID_IOther3, &out);
    ok(status == STATUS_NOINTERFACE && out == NULL && made_destroyed == destroyed + 1, "%s: miss: %s %p\n", how,
       kcom_status_name(status), out);

    /* init refusing: its status, the object released */
    destroyed = made_destroyed;
    out = TEST_POISON_PTR;
    status = kcom_object_create(cls, NULL, init_refusing, (void *)&refusal, &IID_IOther1, &out);
    ok(status == refusal && out == NULL && made_destroyed == destroyed + 1, "%s: init refusing: %s %p\n", how,
       kcom_status_name(status), out);

    /* allocation failure */
    destroyed = made_destroyed;
    out = TEST_POISON_PTR;
    kcom_counting_allocator_fail_nth(&made_counter, 1);
    status = kcom_object_create(cls, NULL, NULL, NULL, &IID_IOther1, &out);
    kcom_counting_allocator_fail_nth(&made_counter, 0);
    ok(status == STATUS_INSUFFICIENT_RESOURCES && out == NULL && made_destroyed == destroyed,
       "%s: out of memory: %s %p\n", how, kcom_status_name(status), out);

    /* kcom_object_new: zero-filled, both vtables */
    out = TEST_POISON_PTR;
    status = kcom_object_new(cls, NULL, &out);
    ok(status == STATUS_SUCCESS && out != NULL, "%s: new: %s\n", how, kcom_status_name(status));
    if (NT_SUCCESS(status)) {
        Made *self = (Made *)out;
        ok(self->value == 0 && IOther1_Tag(&self->IOther1_iface) == 0 &&
               IOther2_Store(&self->IOther2_iface, 5) == STATUS_SUCCESS && self->value == 5,
           "%s: new's object\n", how);
        ok(kcom_object_release(self) == 0, "%s: new's object released\n", how);
    }
    out = TEST_POISON_PTR;
    kcom_counting_allocator_fail_nth(&made_counter, 1);
    status = kcom_object_new(cls, NULL, &out);
    kcom_counting_allocator_fail_nth(&made_counter, 0);
    ok(status == STATUS_INSUFFICIENT_RESOURCES && out == NULL, "%s: new out of memory: %s %p\n", how,
       kcom_status_name(status), out);

    /* an outer object for a class that cannot be aggregated */
    out = TEST_POISON_PTR;
    status = kcom_object_create(cls, (IUnknown *)&out, NULL, NULL, &IID_IUnknown, &out);
    ok(status == STATUS_NOT_SUPPORTED && out == NULL, "%s: outer: %s %p\n", how, kcom_status_name(status), out);
    ok(made_counter.live_bytes == 0, "%s: nothing left\n", how);
}

static void test_outcomes(void)
{
    create_once(KCOM_CLASS_OF(Made), "inline");
    create_once(opaque(KCOM_CLASS_OF(Made)), "library");
    /* the creation function called as the library calls it */
    {
        void *out = TEST_POISON_PTR;
        NTSTATUS status = KCOM_CLASS_OF(Made)->create(KCOM_CLASS_OF(Made), NULL, NULL, NULL, &IID_IOther2, &out);
        ok(status == STATUS_SUCCESS && out != NULL, "creation function: %s\n", kcom_status_name(status));
        if (NT_SUCCESS(status))
            ok(IOther2_Release((IOther2 *)out) == 0, "creation function's object released\n");
        out = TEST_POISON_PTR;
        status = KCOM_CLASS_OF(Made)->create(KCOM_CLASS_OF(Made), NULL, NULL, NULL, NULL, &out);
        ok(status == STATUS_SUCCESS && out != NULL, "creation function, no IID (new): %s\n", kcom_status_name(status));
        if (NT_SUCCESS(status))
            ok(kcom_object_release(out) == 0, "creation function's new object released\n");
    }
}

/* A copy keeps the original's creation function, which must leave it to the library's general
 * path: built as the original when unchanged, refused when edited to a malformed class. (An object
 * of a KCOM_CLASS class is released by the class's own generated functions, which know the
 * original descriptor: a copy that changes what the release reads is not a class of its own.) */
static void test_copies(void)
{
    kcom_class copy = *KCOM_CLASS_OF(Made);
    void *out = TEST_POISON_PTR;
    NTSTATUS status;
    status = kcom_object_create(opaque(&copy), NULL, NULL, NULL, &IID_IOther2, &out);
    ok(status == STATUS_SUCCESS && out != NULL && made_counter.live_bytes != 0, "copy: %s\n",
       kcom_status_name(status));
    if (NT_SUCCESS(status))
        ok(IOther2_Release((IOther2 *)out) == 0, "copy: released\n");
    out = TEST_POISON_PTR;
    status = kcom_object_new(opaque(&copy), NULL, &out);
    ok(status == STATUS_SUCCESS && out != NULL, "copy, new: %s\n", kcom_status_name(status));
    if (NT_SUCCESS(status))
        ok(kcom_object_release(out) == 0, "copy, new: released\n");

    copy.size = sizeof(void *) - 1;
    out = TEST_POISON_PTR;
    status = kcom_object_create(opaque(&copy), NULL, NULL, NULL, &IID_IOther1, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "copy, malformed: %s %p\n", kcom_status_name(status), out);
    out = TEST_POISON_PTR;
    status = kcom_object_new(opaque(&copy), NULL, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "copy, malformed, new: %s %p\n", kcom_status_name(status),
       out);
    copy = *KCOM_CLASS_OF(Made);
    copy.entry_count = 0;
    out = TEST_POISON_PTR;
    status = kcom_object_create(opaque(&copy), NULL, NULL, NULL, &IID_IOther1, &out);
    ok(status == STATUS_INVALID_PARAMETER && out == NULL, "copy without entries: %s %p\n", kcom_status_name(status),
       out);
    ok(made_counter.live_bytes == 0, "copies: nothing left\n");
}

/* A descriptor without KCOM_CLASS_GENERATED (one written by hand, perhaps filled in field by
 * field) is never asked for a creation function, whatever its field holds. */
static LONG trap_calls;
static NTSTATUS trap_create(const kcom_class *cls, IUnknown *outer, kcom_object_init_fn *init, void *init_ctx,
                            const IID *riid, void **out)
{
    (void)cls, (void)outer, (void)init, (void)init_ctx, (void)riid;
    trap_calls++;
    *out = NULL;
    return STATUS_UNSUCCESSFUL;
}

static void test_written_by_hand(void)
{
    kcom_class hand = *KCOM_CLASS_OF(Made);
    void *out = TEST_POISON_PTR;
    NTSTATUS status;
    hand.flags &= ~KCOM_CLASS_GENERATED;
    hand.create = trap_create;
    status = kcom_object_create(opaque(&hand), NULL, NULL, NULL, &IID_IOther2, &out);
    ok(status == STATUS_SUCCESS && out != NULL && trap_calls == 0, "by hand: %s, %ld calls\n",
       kcom_status_name(status), (long)trap_calls);
    if (NT_SUCCESS(status))
        ok(IOther2_Release((IOther2 *)out) == 0, "by hand: released\n");
    out = TEST_POISON_PTR;
    status = kcom_object_new(opaque(&hand), NULL, &out);
    ok(status == STATUS_SUCCESS && out != NULL && trap_calls == 0, "by hand, new: %s, %ld calls\n",
       kcom_status_name(status), (long)trap_calls);
    if (NT_SUCCESS(status))
        ok(kcom_object_release(out) == 0, "by hand, new: released\n");
    ok(made_counter.live_bytes == 0, "by hand: nothing left\n");
}

void kcom_test_class_create(void)
{
    ok(kcom_counting_allocator_init(&made_counter, NULL) == STATUS_SUCCESS, "counter\n");
    test_which_classes();
    test_outcomes();
    test_copies();
    test_written_by_hand();
}
