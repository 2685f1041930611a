/*
 * Objects: creation, destruction, QueryInterface lookup and the reference count's slow paths.
 */
#include <kcom/failfast.h>
#include <kcom/object.h>
#include <kcom/trace.h>

#include "internal.h"

static KCOM_NOINLINE NTSTATUS object_new(const kcom_class *cls, IUnknown *outer, void **impl)
{
    return kcom_rt_object_new(cls, outer, impl, FALSE);
}

/* Whether cls has a creation function (KCOM_CLASS's, kcom_class.create), which builds its objects
 * as the inline paths would in the class's file: a descriptor from another file is then about as
 * fast as one the call site sees. Only a descriptor KCOM_CLASS made (KCOM_CLASS_GENERATED) is
 * asked: one written by hand, perhaps filled in field by field, may never have set the field. */
static KCOM_FORCEINLINE BOOLEAN has_creation_function(const kcom_class *cls)
{
    return (BOOLEAN)((cls->flags & KCOM_CLASS_GENERATED) != 0 && cls->create != NULL);
}

NTSTATUS kcom_rt_object_new_any(const kcom_class *cls, IUnknown *outer, void **impl)
{
    if (KCOM_LIKELY(cls != NULL && impl != NULL && has_creation_function(cls)))
        return cls->create(cls, outer, NULL, NULL, NULL, impl);
    return object_new(cls, outer, impl);
}

/* Each ancestry is walked once; the walk finds a cycle too: it compares each step with a mark that
 * moves up to where the walk is after 1, 2, 4, ... steps, so that once the mark is on a cycle no
 * longer than the span, the walk comes back to it before the mark moves again. The root must be
 * IUnknown's (by IID: each translation unit has its own descriptor): QueryInterface's walk stops
 * below it without comparing its IID, so another root would be an ancestor it never finds. */
static BOOLEAN interface_is_well_formed(const kcom_interface_info *info)
{
    const kcom_interface_info *mark = info;
    ULONG steps = 0;
    ULONG span = 1;
    for (;;) {
        if (info->iid == NULL)
            return FALSE;
        if (info->parent == NULL)
            return kcom_guid_equal(info->iid, &IID_IUnknown);
        info = info->parent;
        if (info == mark)
            return FALSE;
        if (++steps == span) {
            mark = info;
            span *= 2;
            steps = 0;
        }
    }
}

BOOLEAN kcom_rt_class_ancestry_is_well_formed(const kcom_class *cls)
{
    ULONG i;
    for (i = 0; i < cls->entry_count; i++)
        if (!interface_is_well_formed(cls->entries[i].info))
            return FALSE;
    return TRUE;
}

void *kcom_rt_object_build_in_slot(const kcom_class *cls, IUnknown *outer, ULONG slot)
{
    return kcom_rt_object_build(cls, outer, slot);
}

static KCOM_NOINLINE NTSTATUS object_create(const kcom_class *cls, IUnknown *outer, kcom_object_init_fn *init,
                                            void *init_ctx, const IID *riid, void **ppv)
{
    NTSTATUS status;
    void *impl;

    if (ppv == NULL)
        return STATUS_INVALID_PARAMETER;
    *ppv = NULL;
    if (cls == NULL || riid == NULL)
        return STATUS_INVALID_PARAMETER;
    if (outer != NULL && !kcom_guid_equal(riid, &IID_IUnknown))
        return STATUS_INVALID_PARAMETER; /* COM: an aggregated object hands out only its inner IUnknown */

    status = kcom_rt_object_new(cls, outer, &impl, FALSE);
    if (!NT_SUCCESS(status))
        return status;
    return kcom_rt_object_create_built(cls, impl, outer, init, init_ctx, riid, ppv);
}

NTSTATUS kcom_rt_object_create(const kcom_class *cls, IUnknown *outer, kcom_object_init_fn *init, void *init_ctx,
                               const IID *riid, void **ppv)
{
    if (KCOM_LIKELY(ppv != NULL && cls != NULL && riid != NULL && has_creation_function(cls)))
        return cls->create(cls, outer, init, init_ctx, riid, ppv);
    return object_create(cls, outer, init, init_ctx, riid, ppv);
}

NTSTATUS kcom_rt_object_create_general(const kcom_class *cls, IUnknown *outer, kcom_object_init_fn *init,
                                       void *init_ctx, const IID *riid, void **out)
{
    if (riid == NULL)
        return object_new(cls, outer, out);
    return object_create(cls, outer, init, init_ctx, riid, out);
}

NTSTATUS kcom_rt_object_create_query(void *impl, const IID *riid, void **ppv)
{
    /* the query fallback, or the miss; a hand-written QueryInterface's answer is held to COM's
     * rules like a fallback's: *ppv NULL on failure, no success without a pointer */
    IUnknown *unknown = kcom_object_inner_unknown(impl);
    NTSTATUS status = kcom_rt_fallback_result(unknown->lpVtbl->QueryInterface(unknown, riid, ppv), ppv);
    unknown->lpVtbl->Release(unknown);
    return status;
}

IUnknown *kcom_object_inner_unknown(void *impl)
{
    const kcom_class *cls;
    if (impl == NULL)
        return NULL;
    cls = kcom_rt_header(impl)->klass;
    if (kcom_rt_is_aggregatable(cls))
        return &kcom_rt_aggregate(impl)->inner;
    return (IUnknown *)(void *)((char *)impl + cls->entries[0].offset);
}

/* The object's own IUnknown when its IUnknown methods are kcom's generated ones (in the hardening
 * mode of the class's translation unit, traced); NULL for a class written by hand, whose vtables
 * may be built on the functions below: those count and look up directly. */
static IUnknown *generated_unknown(void *impl)
{
    return (kcom_rt_header(impl)->klass->flags & KCOM_CLASS_GENERATED) ? kcom_object_inner_unknown(impl) : NULL;
}

ULONG kcom_object_addref(void *impl)
{
    IUnknown *unknown;
    if (impl == NULL)
        return 0;
    unknown = generated_unknown(impl);
    return unknown != NULL ? unknown->lpVtbl->AddRef(unknown) : kcom_rt_addref(kcom_rt_header(impl));
}

ULONG kcom_object_release(void *impl)
{
    IUnknown *unknown;
    if (impl == NULL)
        return 0;
    unknown = generated_unknown(impl);
    return unknown != NULL ? unknown->lpVtbl->Release(unknown) : kcom_rt_release(kcom_rt_header(impl));
}

NTSTATUS kcom_object_query_interface(void *impl, const IID *riid, void **ppv)
{
    const kcom_class *cls;
    IUnknown *unknown;
    if (ppv == NULL)
        return STATUS_INVALID_PARAMETER;
    if (impl == NULL) {
        *ppv = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    unknown = generated_unknown(impl);
    if (unknown != NULL)
        return unknown->lpVtbl->QueryInterface(unknown, riid, ppv);
    cls = kcom_rt_header(impl)->klass;
    if (kcom_rt_is_aggregatable(cls)) /* as its inner IUnknown answers */
        return kcom_rt_inner_query_interface_in(cls, impl, riid, ppv);
    return kcom_rt_query_interface_in(cls, impl, riid, ppv);
}

const kcom_class *kcom_object_class(void *impl)
{
    return impl != NULL ? kcom_rt_header(impl)->klass : NULL;
}

LONG kcom_object_refcount(void *impl)
{
    return impl != NULL ? kcom_atomic_load(&kcom_rt_header(impl)->refs) : 0;
}

void *kcom_rt_find_interface(const kcom_class *cls, void *impl, const IID *riid)
{
    return kcom_rt_find_interface_in(cls, impl, riid);
}

/* ---- reference count slow paths ---------------------------------------------------------------- */

static void *object_of(kcom_object_header *header)
{
    return header + 1;
}

/* A misuse of an object's count: in FAILFAST mode the line that names it precedes the fail-fast
 * (the bugcheck's parameters give no class); in the others it is the trace the mode promises. */
KCOM_PRINTF_FORMAT(6, 7)
static void refcount_misuse(int mode, kcom_failfast_reason reason, kcom_object_header *header, ULONG_PTR detail,
                            int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    if (mode == KCOM_REFCOUNT_FAILFAST)
        kcom_vfail_fast_because(reason, object_of(header), detail, 0, __FILE__, line, format, args);
    kcom_vtrace(KCOM_TRACE_LEVEL_ERROR, __FILE__, line, format, args);
    va_end(args);
}

/* old == 0: the object has no references left (it was destroyed); the destroy callback itself
 * never sees 0 (the count holds KCOM_REFCOUNT_DESTROYING meanwhile). */
static ULONG addref_from_zero(kcom_object_header *header, int mode)
{
    refcount_misuse(mode, KCOM_FAILFAST_ADDREF_ON_DEAD, header, 0, __LINE__,
                    "AddRef on %s object %p that has no references", header->klass->name, object_of(header));
    return 1;
}

static ULONG addref_slow(kcom_object_header *header, LONG old, int mode)
{
    if (old == 0)
        return addref_from_zero(header, mode);
    /* old == INT32_MAX, or negative after another thread's overflow */
    if (mode == KCOM_REFCOUNT_FAILFAST)
        kcom_fail_fast_because(KCOM_FAILFAST_REFCOUNT_OVERFLOW, object_of(header), (ULONG_PTR)(ULONG)old, 0, __FILE__,
                               __LINE__, "reference count of %s object %p at %ld: one more reference would overflow it",
                               header->klass->name, object_of(header), (long)old);
    if (mode == KCOM_REFCOUNT_LEAKY) {
        kcom_atomic_store(&header->refs, KCOM_REFCOUNT_SATURATED);
        kcom_trace(KCOM_TRACE_LEVEL_WARNING, __FILE__, __LINE__,
                   "reference count of %s object %p saturated; the object will not be freed",
                   header->klass->name, object_of(header));
        return (ULONG)KCOM_REFCOUNT_SATURATED;
    }
    return (ULONG)old + 1u;
}

ULONG kcom_rt_addref_slow_0(kcom_object_header *header, LONG old)
{
    return addref_slow(header, old, KCOM_REFCOUNT_OFF);
}
ULONG kcom_rt_addref_slow_1(kcom_object_header *header, LONG old)
{
    return addref_slow(header, old, KCOM_REFCOUNT_FAILFAST);
}
ULONG kcom_rt_addref_slow_2(kcom_object_header *header, LONG old)
{
    return addref_slow(header, old, KCOM_REFCOUNT_LEAKY);
}

NTSTATUS kcom_rt_query_overflow_1(kcom_object_header *header)
{
    (void)addref_slow(header, KCOM_REFCOUNT_SATURATED, KCOM_REFCOUNT_FAILFAST);
    return STATUS_SUCCESS;
}
NTSTATUS kcom_rt_query_overflow_2(kcom_object_header *header)
{
    (void)addref_slow(header, KCOM_REFCOUNT_SATURATED, KCOM_REFCOUNT_LEAKY);
    return STATUS_SUCCESS;
}

static void resurrected(kcom_object_header *header, LONG escaped, int mode)
{
    refcount_misuse(mode, escaped > 0 ? KCOM_FAILFAST_RESURRECTION : KCOM_FAILFAST_REFCOUNT_UNDERFLOW, header,
                    (ULONG_PTR)(LONG_PTR)escaped, __LINE__,
                    "destroy callback of %s object %p left its count off by %d (%s)%s", header->klass->name,
                    object_of(header), (int)escaped, escaped > 0 ? "resurrected" : "released too often",
                    mode == KCOM_REFCOUNT_FAILFAST ? "" : "; the memory is leaked");
}

void kcom_rt_resurrected_0(kcom_object_header *header, LONG escaped)
{
    resurrected(header, escaped, KCOM_REFCOUNT_OFF);
}
void kcom_rt_resurrected_1(kcom_object_header *header, LONG escaped)
{
    resurrected(header, escaped, KCOM_REFCOUNT_FAILFAST);
}
void kcom_rt_resurrected_2(kcom_object_header *header, LONG escaped)
{
    resurrected(header, escaped, KCOM_REFCOUNT_LEAKY);
}

/* Reached for old <= 0, and in LEAKY mode for a saturated count (old == INT32_MAX, or negative
 * while another thread's overflowing AddRef puts the saturation back). */
static ULONG release_slow(kcom_object_header *header, LONG old, int mode)
{
    if (mode == KCOM_REFCOUNT_LEAKY && (old == KCOM_REFCOUNT_SATURATED || old < 0)) {
        kcom_atomic_store(&header->refs, KCOM_REFCOUNT_SATURATED);
        return (ULONG)KCOM_REFCOUNT_SATURATED;
    }
    if (mode == KCOM_REFCOUNT_OFF && old < 0)
        return (ULONG)old - 1u; /* no checks: a count past INT32_MAX wrapped, as plain COM's does */
    /* Release without a reference */
    if (mode == KCOM_REFCOUNT_LEAKY)
        kcom_atomic_fetch_add(&header->refs, 1); /* stays where it was */
    refcount_misuse(mode, KCOM_FAILFAST_REFCOUNT_UNDERFLOW, header, (ULONG_PTR)(ULONG)old, __LINE__,
                    "Release on %s object %p with no references", header->klass->name, object_of(header));
    return 0;
}

ULONG kcom_rt_release_slow_0(kcom_object_header *header, LONG old)
{
    return release_slow(header, old, KCOM_REFCOUNT_OFF);
}
ULONG kcom_rt_release_slow_1(kcom_object_header *header, LONG old)
{
    return release_slow(header, old, KCOM_REFCOUNT_FAILFAST);
}
ULONG kcom_rt_release_slow_2(kcom_object_header *header, LONG old)
{
    return release_slow(header, old, KCOM_REFCOUNT_LEAKY);
}

/* ---- poisoning released objects (KCOM_POISON_RELEASED, debug builds) ---------------------------- */

/* Every slot of the poison vtable; a vtable is a table of function pointers whatever the
 * interface, so one table serves all of them (up to POISON_SLOTS methods). The functions are
 * called through other types than their own: they only look at This, and never return. */
typedef void (*poison_slot)(void);
#define POISON_SLOTS 256

static void poisoned_trace(const void *iface, const char *what)
{
    kcom_trace(KCOM_TRACE_LEVEL_ERROR, __FILE__, __LINE__,
               "%s through interface %p of a kcom object after its final Release (use after release)", what, iface);
}

static NTSTATUS KCOM_STDCALL poisoned_query_interface(void *This, const void *riid, void **ppv)
{
    (void)riid;
    (void)ppv;
    poisoned_trace(This, "QueryInterface");
    kcom_fail_fast(KCOM_FAILFAST_INVARIANT, This, KCOM_POISONED_CALL, 0);
}

static ULONG KCOM_STDCALL poisoned_addref(void *This)
{
    poisoned_trace(This, "AddRef");
    kcom_fail_fast(KCOM_FAILFAST_ADDREF_ON_DEAD, This, KCOM_POISONED_CALL, 0);
}

static ULONG KCOM_STDCALL poisoned_release(void *This)
{
    poisoned_trace(This, "Release");
    kcom_fail_fast(KCOM_FAILFAST_REFCOUNT_UNDERFLOW, This, KCOM_POISONED_CALL, 0);
}

static void KCOM_STDCALL poisoned_method(void *This)
{
    poisoned_trace(This, "A method call");
    kcom_fail_fast(KCOM_FAILFAST_INVARIANT, This, KCOM_POISONED_CALL, 0);
}

#define POISON_4_ (poison_slot)poisoned_method, (poison_slot)poisoned_method, (poison_slot)poisoned_method, \
                  (poison_slot)poisoned_method
#define POISON_16_ POISON_4_, POISON_4_, POISON_4_, POISON_4_
#define POISON_64_ POISON_16_, POISON_16_, POISON_16_, POISON_16_
static const poison_slot poison_vtbl[POISON_SLOTS] = {
    (poison_slot)poisoned_query_interface, (poison_slot)poisoned_addref, (poison_slot)poisoned_release,
    (poison_slot)poisoned_method, POISON_4_, POISON_4_, POISON_4_, POISON_16_, POISON_16_, POISON_16_,
    POISON_64_, POISON_64_, POISON_64_};

/* What a poisoned aggregatable object's outer pointer points to: an IUnknown with the poison vtable. */
static const struct {
    const poison_slot *lpVtbl;
} poisoned_unknown = {poison_vtbl};

void kcom_rt_poison_released(const kcom_class *cls, void *impl)
{
    const poison_slot *table = poison_vtbl;
    ULONG i;
    memset(impl, KCOM_POISON_BYTE, cls->size);
    for (i = 0; i < cls->entry_count; i++)
        memcpy((char *)impl + cls->entries[i].offset, &table, sizeof(table));
    if (kcom_rt_is_aggregatable(cls)) {
        kcom_aggregate_header *aggregate = kcom_rt_aggregate(impl);
        const void *outer = &poisoned_unknown;
        memcpy(&aggregate->inner.lpVtbl, &table, sizeof(table));
        memcpy(&aggregate->outer, &outer, sizeof(outer));
    }
    kcom_atomic_store(&kcom_rt_header(impl)->refs, 0);
}
