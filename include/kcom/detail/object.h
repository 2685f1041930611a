/*
 * kcom/detail/object.h - not for direct use: included by kcom/object.h, at its end.
 *
 * The runtime of kcom objects behind the generated code of kcom/implement.h and the library's own
 * functions: the interface lookup, the slow paths of the final release, and the inline creation,
 * Release, destruction and QueryInterface over a class descriptor.
 */
#ifndef KCOM_DETAIL_OBJECT_H
#define KCOM_DETAIL_OBJECT_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#ifndef KCOM_OBJECT_H
#error "kcom/detail/object.h is not for direct use: include <kcom/object.h>"
#endif

#include <kcom/caching_allocator.h>

#include <string.h>

KCOM_BEGIN_DECLS

/*
 * kcom_rt_find_interface - the interface pointer of impl that answers riid (an exposed interface
 * or one of its ancestors; IID_IUnknown gives the primary interface), or NULL. No reference is
 * added. Used by the generated QueryInterface shims. IRQL: any.
 */
_IRQL_requires_max_(HIGH_LEVEL)
void *kcom_rt_find_interface(_In_ const kcom_class *cls, _In_ void *impl, _In_ const IID *riid);

/* Slow path of a destroy callback that returned with references taken (escaped > 0) or released
 * (escaped < 0) beyond its own balanced pairs, per mode: fails fast (mode 1) or traces; when it
 * returns, the memory is leaked instead of freed. IRQL: that of the final Release. */
void kcom_rt_resurrected_0(kcom_object_header *header, LONG escaped);
void kcom_rt_resurrected_1(kcom_object_header *header, LONG escaped);
void kcom_rt_resurrected_2(kcom_object_header *header, LONG escaped);

/* KCOM_POISON_RELEASED (kcom/refcount.h): called by the final release just before it frees the
 * object's memory. Fills the implementation struct with KCOM_POISON_BYTE, points every interface's
 * vtable pointer (and an aggregatable object's inner IUnknown and outer pointer) at the poison
 * vtable, whose entries trace the misuse and fail fast (AddRef: KCOM_FAILFAST_ADDREF_ON_DEAD;
 * Release: KCOM_FAILFAST_REFCOUNT_UNDERFLOW; QueryInterface and methods: KCOM_FAILFAST_INVARIANT
 * with detail1 KCOM_POISONED_CALL), and sets the count to 0; the class pointer stays, for
 * messages. IRQL: that of the final Release. */
void kcom_rt_poison_released(const kcom_class *cls, void *impl);

KCOM_END_DECLS

/* ---- inline runtime used by the generated code (and by the library itself) ----------------------
 * Written as inline functions over a class descriptor so that, where the descriptor is a constant
 * (KCOM_NEW, the generated Release shims), the compiler folds the layout, the vtable stores and the
 * validation away: creating and destroying an object then costs what C++'s new/delete costs.
 * IRQL: <= DISPATCH_LEVEL for kcom_rt_object_new, the final release and Release (they allocate,
 * run the destroy callback, free) and for kcom_rt_query_interface_in (a query fallback may run);
 * any for the rest. kcom_rt_object_new returns what kcom_object_new returns, the QueryInterface
 * functions what a kcom object's QueryInterface returns (kcom/unknown.h). */

/* Header of an object, from its implementation pointer. */
static KCOM_FORCEINLINE kcom_object_header *kcom_rt_header(void *impl)
{
    return (kcom_object_header *)impl - 1;
}

/* Aggregate header of an object of an aggregatable class, from its implementation pointer. */
static KCOM_FORCEINLINE kcom_aggregate_header *kcom_rt_aggregate(void *impl)
{
    return (kcom_aggregate_header *)(void *)((char *)impl - sizeof(kcom_aggregate_header));
}

static KCOM_FORCEINLINE BOOLEAN kcom_rt_is_aggregatable(const kcom_class *cls)
{
    return (BOOLEAN)((cls->flags & KCOM_CLASS_AGGREGATABLE) != 0);
}

/* Alignment of the whole block: the struct's, at least the header's. */
static KCOM_FORCEINLINE size_t kcom_rt_block_alignment(const kcom_class *cls)
{
    return cls->alignment > KCOM_ALIGNOF(kcom_aggregate_header) ? cls->alignment
                                                                 : KCOM_ALIGNOF(kcom_aggregate_header);
}

/* Bytes from the start of the block to the implementation struct. */
static KCOM_FORCEINLINE size_t kcom_rt_prefix_size(const kcom_class *cls)
{
    size_t header = kcom_rt_is_aggregatable(cls) ? sizeof(kcom_aggregate_header) : sizeof(kcom_object_header);
    size_t alignment = kcom_rt_block_alignment(cls);
    return (header + alignment - 1) & ~(alignment - 1);
}

KCOM_BEGIN_DECLS
/* Whether QueryInterface can walk the interfaces of cls's entries (each entry's descriptor not
 * NULL): each descriptor and each of its ancestors has an IID, and each ancestry ends (at
 * IUnknown's descriptor, whose parent is NULL). For descriptors written by hand; out of line, as
 * only they need it. IRQL: any. */
BOOLEAN kcom_rt_class_ancestry_is_well_formed(const kcom_class *cls);
KCOM_END_DECLS

/* Every field of a descriptor; check_entries is FALSE for the descriptors KCOM_CLASS generates,
 * whose interface table is right by construction (and then need not be walked at run time). The
 * interfaces' ancestry is walked only for a descriptor written by hand: a generated one names the
 * descriptors KCOM_DECLARE_INTERFACE generates, each of which names its parent's. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_class_is_well_formed(const kcom_class *cls, BOOLEAN check_entries)
{
    ULONG i;
    if (cls->size < sizeof(void *) || cls->alignment == 0 || (cls->alignment & (cls->alignment - 1)) != 0 ||
        cls->entry_count == 0 || cls->entries == NULL || cls->size > (size_t)-1 - kcom_rt_prefix_size(cls) ||
        (kcom_rt_is_aggregatable(cls) && cls->inner_vtbl == NULL))
        return FALSE;
    if (!check_entries)
        return TRUE;
    for (i = 0; i < cls->entry_count; i++) {
        const kcom_class_entry *entry = &cls->entries[i];
        if (entry->info == NULL || entry->vtbl == NULL || entry->offset > cls->size - sizeof(void *) ||
            entry->offset % KCOM_ALIGNOF(void *) != 0)
            return FALSE;
    }
    return (BOOLEAN)((cls->flags & KCOM_CLASS_GENERATED) != 0 || kcom_rt_class_ancestry_is_well_formed(cls));
}

/* Allocates and builds an object of a checked cls: from cls's allocator, else from the default
 * allocator of slot (0: the platform's), which the header records for the free. Returns the
 * implementation pointer, NULL when out of memory. */
static KCOM_FORCEINLINE void *kcom_rt_object_build(const kcom_class *cls, IUnknown *outer, ULONG slot)
{
    size_t prefix = kcom_rt_prefix_size(cls);
    char *object;
    kcom_object_header *header;
    ULONG i;

    if (cls->allocator == NULL)
        object = (char *)kcom_rt_allocate_slot(slot, prefix + cls->size, kcom_rt_block_alignment(cls));
    else
        object = (char *)kcom_rt_allocator_allocate(cls->allocator, prefix + cls->size, kcom_rt_block_alignment(cls));
    if (KCOM_UNLIKELY(object == NULL))
        return NULL;
    object += prefix;

    /* zero-filled; a primary vtable pointer at the start is stored below, not zeroed first */
    if (cls->entries[0].offset == 0)
        memset(object + sizeof(void *), 0, cls->size - sizeof(void *));
    else
        memset(object, 0, cls->size);
    {
        /* built whole and copied: two stores instead of three. The header's layout without its
         * volatile count, whose store to a local clang keeps (with a frame for it). */
        struct {
            LONG refs;
            ULONG reserved;
            const kcom_class *klass;
        } initial;
        KCOM_STATIC_ASSERT(sizeof(initial) == sizeof(kcom_object_header), "the header's layout");
        initial.refs = 1;
        initial.reserved = slot;
        initial.klass = cls;
        header = kcom_rt_header(object);
        memcpy(header, &initial, sizeof(initial));
    }
    if (kcom_rt_is_aggregatable(cls)) {
        kcom_aggregate_header *aggregate = kcom_rt_aggregate(object);
        /* a copy rather than an assignment: the platform's IUnknown may declare lpVtbl non-const */
        memcpy(&aggregate->inner.lpVtbl, &cls->inner_vtbl, sizeof(void *));
        aggregate->outer = outer != NULL ? outer : &aggregate->inner;
    }
    KCOM_UNROLL_LOOP
    for (i = 0; i < cls->entry_count; i++)
        memcpy(object + cls->entries[i].offset, &cls->entries[i].vtbl, sizeof(void *));
    return object;
}

KCOM_BEGIN_DECLS
/* kcom_rt_object_build for a default allocator other than the platform's (slot not 0), out of
 * line: the inline path keeps the platform's slot a constant. */
void *kcom_rt_object_build_in_slot(const kcom_class *cls, IUnknown *outer, ULONG slot);
KCOM_END_DECLS

/* kcom_object_new, inline (see there); generated is TRUE for descriptors from KCOM_CLASS. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_object_new(const kcom_class *cls, IUnknown *outer, void **impl,
                                                    BOOLEAN generated)
{
    void *object;
    ULONG slot;
    if (KCOM_UNLIKELY(impl == NULL))
        return STATUS_INVALID_PARAMETER;
    *impl = NULL;
    if (KCOM_UNLIKELY(cls == NULL || !kcom_rt_class_is_well_formed(cls, (BOOLEAN)!generated)))
        return STATUS_INVALID_PARAMETER;
    if (KCOM_UNLIKELY(outer != NULL && !kcom_rt_is_aggregatable(cls)))
        return STATUS_NOT_SUPPORTED;
    slot = cls->allocator == NULL ? kcom_rt_default_slot_now() : 0;
    if (KCOM_UNLIKELY(slot != 0))
        object = kcom_rt_object_build_in_slot(cls, outer, slot);
    else
        object = kcom_rt_object_build(cls, outer, 0);
    *impl = object;
    if (KCOM_LIKELY(object != NULL))
        return STATUS_SUCCESS;
    /* a class allocator without its functions was never called: a malformed class */
    if (cls->allocator != NULL && !kcom_rt_allocator_complete(cls->allocator))
        return STATUS_INVALID_PARAMETER;
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* Runs the destroy callback and frees the block; called when the count has dropped to zero.
 * has_destroy is a constant in the generated final release: without a callback nothing can take
 * a reference between the count reaching zero and the free, so there is nothing to watch.
 * Returns 0, the count the final Release returns. */
static KCOM_FORCEINLINE ULONG kcom_rt_final_release(const kcom_class *cls, void *impl, BOOLEAN has_destroy)
{
    kcom_object_header *header = kcom_rt_header(impl);
    LONG refs;
    size_t prefix;

    kcom_atomic_acquire_fence(); /* every other thread's writes happen before the destruction */
    if (has_destroy) {
        kcom_atomic_store(&header->refs, KCOM_REFCOUNT_DESTROYING);
        cls->destroy(impl);
        refs = kcom_atomic_load(&header->refs);
        if (KCOM_UNLIKELY(refs != KCOM_REFCOUNT_DESTROYING)) {
            /* a reference escaped the destroy callback (or one too many was released in it):
             * freeing would leave it dangling */
            KCOM_PP_CAT(kcom_rt_resurrected_, KCOM_REFCOUNT_HARDENING)(header, refs - KCOM_REFCOUNT_DESTROYING);
            return 0;
        }
    }
#if KCOM_POISON_RELEASED
    kcom_rt_poison_released(cls, impl); /* debug builds: a stale pointer then fails fast */
#endif
    prefix = kcom_rt_prefix_size(cls);
    if (cls->allocator == NULL) /* the default it came from (kcom_rt_object_new) */
        kcom_rt_free_slot(header->reserved, (char *)impl - prefix, prefix + cls->size, kcom_rt_block_alignment(cls));
    else
        kcom_rt_allocator_free(cls->allocator, (char *)impl - prefix, prefix + cls->size, kcom_rt_block_alignment(cls));
    return 0;
}

/* Final release through the class recorded in the header (hand-written vtables). */
KCOM_UNUSED static ULONG kcom_rt_final_release_dynamic(void *impl)
{
    const kcom_class *cls = kcom_rt_header(impl)->klass;
    return kcom_rt_final_release(cls, impl, (BOOLEAN)(cls->destroy != NULL));
}

/* Release with a class-specific final release (constant in generated shims). IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE ULONG kcom_rt_release_with(kcom_object_header *header, ULONG (*final_release)(void *impl))
{
    LONG old = kcom_atomic_fetch_add(&header->refs, -1);
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_LEAKY
    /* fast only for old in [2, INT32_MAX - 1]: the saturated count must stay put */
    if (KCOM_LIKELY((ULONG)old - 2u < (ULONG)KCOM_REFCOUNT_SATURATED - 2u))
#else
    if (KCOM_LIKELY(old > 1))
#endif
        return (ULONG)old - 1u;
    if (KCOM_LIKELY(old == 1))
        return final_release(header + 1);
    return KCOM_RT_RELEASE_SLOW(header, old); /* saturation or underflow */
}

/* Release on the header of any kcom object. IRQL: <= DISPATCH_LEVEL. */
static KCOM_FORCEINLINE ULONG kcom_rt_release(kcom_object_header *header)
{
    return kcom_rt_release_with(header, kcom_rt_final_release_dynamic);
}

/* No interface of the class answers: kcom_rt_find_offset_in's result. */
#define KCOM_RT_NO_INTERFACE ((size_t)-1)

/* Whether riid is the IID of one of the ancestors below IUnknown of an interface whose parent is
 * described by parent (IUnknown is looked for on its own, right after the primary interface).
 * Over a constant descriptor (one per translation unit) the walk folds away for an interface
 * derived from IUnknown, and into the IID compares for a deeper one. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_ancestor_matches(const kcom_interface_info *parent, const IID *riid)
{
    for (; parent != NULL && parent->parent != NULL; parent = parent->parent)
        if (kcom_guid_equal(riid, parent->iid))
            return TRUE;
    return FALSE;
}

/* Whether riid is the IID of the interface info describes or of one of its ancestors below
 * IUnknown. */
static KCOM_FORCEINLINE BOOLEAN kcom_rt_interface_matches(const kcom_interface_info *info, const IID *riid)
{
    return (BOOLEAN)(kcom_guid_equal(riid, info->iid) || kcom_rt_ancestor_matches(info->parent, riid));
}

/* The offset in the implementation struct of the interface of cls that answers riid (its own IID
 * or that of one of its ancestors below IUnknown; IID_IUnknown: the primary interface), or
 * KCOM_RT_NO_INTERFACE: the walk over a class descriptor known at run time (hand-written vtables,
 * kcom_object_query_interface). A class macro's QueryInterface has the same chain written out by
 * the preprocessor instead (KCOM_CLASS_FIND_, kcom/detail/implement.h), which no compiler has to
 * unroll. */
static KCOM_FORCEINLINE size_t kcom_rt_find_offset_in(const kcom_class *cls, const IID *riid)
{
    ULONG i;
    KCOM_UNROLL_LOOP
    for (i = 0; i < cls->entry_count; i++) {
        if (kcom_rt_interface_matches(cls->entries[i].info, riid))
            return cls->entries[i].offset;
        /* IUnknown (the primary interface's pointer) right after the primary interface: the one
         * most often asked for is then found first */
        if (i == 0 && kcom_guid_equal(riid, &IID_IUnknown))
            return cls->entries[0].offset;
    }
    return KCOM_RT_NO_INTERFACE;
}

/* kcom_rt_find_interface, inline. */
static KCOM_FORCEINLINE void *kcom_rt_find_interface_in(const kcom_class *cls, void *impl, const IID *riid)
{
    size_t offset = kcom_rt_find_offset_in(cls, riid);
    return offset != KCOM_RT_NO_INTERFACE ? (char *)impl + offset : NULL;
}

/* A query fallback's status, with *ppv cleared on failure whatever the fallback left there; a
 * success without a pointer is STATUS_NOINTERFACE (no caller of QueryInterface checks for NULL). */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_fallback_result(NTSTATUS status, void **ppv)
{
    if (NT_SUCCESS(status) && *ppv == NULL)
        status = STATUS_NOINTERFACE;
    if (!NT_SUCCESS(status))
        *ppv = NULL;
    return status;
}

/* QueryInterface with a NULL ppv or riid: STATUS_INVALID_PARAMETER, *ppv cleared where there is one. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_query_bad_arguments(void **ppv)
{
    if (ppv != NULL)
        *ppv = NULL;
    return STATUS_INVALID_PARAMETER;
}

/* An IID the table of cls lacks: the class's query fallback, or STATUS_NOINTERFACE; *ppv is NULL
 * unless the fallback answered with an interface. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_query_miss(const kcom_class *cls, void *impl, const IID *riid, void **ppv)
{
    *ppv = NULL;
    return cls->query_fallback != NULL ? kcom_rt_fallback_result(cls->query_fallback(impl, riid, ppv), ppv)
                                       : STATUS_NOINTERFACE;
}

/* What QueryInterface on the object's own identity answers once the lookup in cls's table gave
 * offset (KCOM_RT_NO_INTERFACE: none of its interfaces), after the argument checks. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_query_found(const kcom_class *cls, void *impl, const IID *riid, void **ppv,
                                                     size_t offset)
{
    if (KCOM_UNLIKELY(offset == KCOM_RT_NO_INTERFACE))
        return kcom_rt_query_miss(cls, impl, riid, ppv);
    /* the out pointer first: nothing is live across AddRef's slow-path call, so the hit needs no
     * stack frame */
    *ppv = (char *)impl + offset;
    return kcom_rt_addref_held(kcom_rt_header(impl));
}

/* Table-driven QueryInterface on the object's own identity, for class cls. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_query_interface_in(const kcom_class *cls, void *impl, const IID *riid,
                                                            void **ppv)
{
    if (KCOM_UNLIKELY(ppv == NULL || riid == NULL))
        return kcom_rt_query_bad_arguments(ppv);
    return kcom_rt_query_found(cls, impl, riid, ppv, kcom_rt_find_offset_in(cls, riid));
}

/* The same through the class recorded in the header (hand-written vtables). */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_query_interface(void *impl, const IID *riid, void **ppv)
{
    return kcom_rt_query_interface_in(kcom_rt_header(impl)->klass, impl, riid, ppv);
}

/* QueryInterface of an aggregatable object's own, non-delegating IUnknown (the header's inner), for
 * class cls: IID_IUnknown is that inner IUnknown, referenced on the object's own count; any other
 * interface is referenced through itself, so on the controlling outer when aggregated (COM's
 * rule), and an IID the table lacks goes to the class's query fallback. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_inner_query_interface_in(const kcom_class *cls, void *impl, const IID *riid,
                                                                  void **ppv)
{
    IUnknown *found;
    if (KCOM_UNLIKELY(ppv == NULL || riid == NULL))
        return kcom_rt_query_bad_arguments(ppv);
    if (kcom_guid_equal(riid, &IID_IUnknown)) {
        *ppv = &kcom_rt_aggregate(impl)->inner;
        return kcom_rt_addref_held(kcom_rt_header(impl));
    }
    found = (IUnknown *)kcom_rt_find_interface_in(cls, impl, riid);
    if (KCOM_UNLIKELY(found == NULL))
        return kcom_rt_query_miss(cls, impl, riid, ppv);
    found->lpVtbl->AddRef(found);
    *ppv = found;
    return STATUS_SUCCESS;
}

/* ---- kcom_object_new and kcom_object_create (kcom/object.h) ----------------------------------------------
 * Inline over the library's functions: over a class descriptor whose fields are constants where
 * they are called (KCOM_CLASS makes a static const in the class's file, so KCOM_CLASS_OF names it
 * only there), the descriptor's checks fold away and the object is built at the call site; an
 * aggregatable class, an outer object and any other descriptor go to the library. */

KCOM_BEGIN_DECLS
/* The library's kcom_object_new and kcom_object_create: the same, for any arguments. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_rt_object_new_any(_In_ const kcom_class *cls, _In_opt_ IUnknown *outer,
                                _Outptr_result_nullonfailure_ void **impl);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_rt_object_create(_In_ const kcom_class *cls, _In_opt_ IUnknown *outer, _In_opt_ kcom_object_init_fn *init,
                               _In_opt_ void *init_ctx, _In_ const IID *riid, _COM_Outptr_ void **ppv);
/* kcom_rt_object_create and kcom_rt_object_new_any without calling the class's creation function
 * (riid NULL: kcom_object_new's): the general path, which a creation function takes for a
 * descriptor other than its own and for an outer object. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_rt_object_create_general(_In_ const kcom_class *cls, _In_opt_ IUnknown *outer,
                                       _In_opt_ kcom_object_init_fn *init, _In_opt_ void *init_ctx,
                                       _In_opt_ const IID *riid, _Outptr_ void **out);
/* The end of kcom_object_create for a new object when neither its class's table (searched for a
 * class that is not aggregatable) nor an outer object answers riid: its QueryInterface does (the
 * query fallback, or STATUS_NOINTERFACE); the creation reference is dropped either way (the
 * answer holds its own). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_rt_object_create_query(_In_ void *impl, _In_ const IID *riid, _COM_Outptr_ void **ppv);
KCOM_END_DECLS

/* The rest of kcom_object_create once impl is built: init, then the interface for riid,
 * which takes over the creation reference: one of the class's table without an AddRef and a
 * Release, the inner IUnknown for an outer object, else what QueryInterface answers (the query
 * fallback's, or STATUS_NOINTERFACE). A failing init's status, the object released. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_object_create_built(const kcom_class *cls, void *impl, IUnknown *outer,
                                                             kcom_object_init_fn *init, void *init_ctx,
                                                             const IID *riid, void **ppv)
{
    NTSTATUS status;
    if (init != NULL && !NT_SUCCESS(status = init(impl, init_ctx))) {
        *ppv = NULL;
        (void)kcom_object_release(impl);
        return status;
    }
    if (!kcom_rt_is_aggregatable(cls)) {
        size_t offset = kcom_rt_find_offset_in(cls, riid);
        if (KCOM_LIKELY(offset != KCOM_RT_NO_INTERFACE)) {
            *ppv = (char *)impl + offset;
            return STATUS_SUCCESS;
        }
    }
    if (outer != NULL) {
        *ppv = kcom_object_inner_unknown(impl);
        return STATUS_SUCCESS;
    }
    return kcom_rt_object_create_query(impl, riid, ppv);
}

/* Whether the fields of the descriptor cls that the checks read are constants here. */
#define KCOM_RT_CLASS_CONSTANT_(cls) \
    KCOM_RT_CONSTANT_P((cls)->size + (cls)->alignment + (cls)->flags + (cls)->entry_count)

/* kcom_object_create for a class that cannot be aggregated, without an outer object, riid and ppv
 * not NULL: the object built here, then the interface for riid (generated as kcom_rt_object_new
 * takes it). The inline path over a constant descriptor and a class's creation function. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_object_create_here(const kcom_class *cls, kcom_object_init_fn *init,
                                                            void *init_ctx, const IID *riid, void **ppv,
                                                            BOOLEAN generated)
{
    void *impl;
    NTSTATUS status = kcom_rt_object_new(cls, NULL, &impl, generated);
    if (KCOM_UNLIKELY(!NT_SUCCESS(status))) {
        *ppv = NULL;
        return status;
    }
    return kcom_rt_object_create_built(cls, impl, NULL, init, init_ctx, riid, ppv);
}

static KCOM_FORCEINLINE NTSTATUS kcom_object_new(const kcom_class *cls, IUnknown *outer, void **impl)
{
#if KCOM_RT_HAS_CONSTANT_P
    if (cls != NULL && KCOM_RT_CLASS_CONSTANT_(cls) && outer == NULL)
        return kcom_rt_object_new(cls, NULL, impl, FALSE);
#endif
    return kcom_rt_object_new_any(cls, outer, impl);
}

static KCOM_FORCEINLINE NTSTATUS kcom_object_create(const kcom_class *cls, IUnknown *outer,
                                                    kcom_object_init_fn *init, void *init_ctx, const IID *riid,
                                                    void **ppv)
{
#if KCOM_RT_HAS_CONSTANT_P
    if (cls != NULL && KCOM_RT_CLASS_CONSTANT_(cls) && !kcom_rt_is_aggregatable(cls) && outer == NULL &&
        riid != NULL && ppv != NULL)
        return kcom_rt_object_create_here(cls, init, init_ctx, riid, ppv, FALSE);
#endif
    return kcom_rt_object_create(cls, outer, init, init_ctx, riid, ppv);
}

/* The body of the creation function KCOM_CLASS makes (kcom_class.create) for own, its class's
 * descriptor, a constant there: what the inline paths above build at a call site that sees own,
 * for the library's paths, which have checked cls and out, and riid (NULL here: kcom_object_new's).
 * Another descriptor (a copy of own, perhaps edited) and an outer object go to the general path. */
static KCOM_FORCEINLINE NTSTATUS kcom_rt_class_create(const kcom_class *cls, const kcom_class *own, IUnknown *outer,
                                                      kcom_object_init_fn *init, void *init_ctx, const IID *riid,
                                                      void **out)
{
    if (cls != own || outer != NULL || kcom_rt_is_aggregatable(own))
        return kcom_rt_object_create_general(cls, outer, init, init_ctx, riid, out);
    if (riid == NULL)
        return kcom_rt_object_new(own, NULL, out, TRUE);
    return kcom_rt_object_create_here(own, init, init_ctx, riid, out, TRUE);
}

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DETAIL_OBJECT_H */
