/*
 * Objects: creation, destruction, QueryInterface lookup and the reference count's slow paths.
 */
#include <kcom/failfast.h>
#include <kcom/object.h>
#include <kcom/trace.h>

#include <string.h>

static BOOLEAN is_aggregatable(const kcom_class *cls)
{
    return (BOOLEAN)((cls->flags & KCOM_CLASS_AGGREGATABLE) != 0);
}

static size_t header_size(const kcom_class *cls)
{
    return is_aggregatable(cls) ? sizeof(kcom_aggregate_header) : sizeof(kcom_object_header);
}

/* Alignment of the whole block: the struct's, at least the header's. */
static size_t block_alignment(const kcom_class *cls)
{
    size_t header_alignment = KCOM_ALIGNOF(kcom_aggregate_header);
    return cls->alignment > header_alignment ? cls->alignment : header_alignment;
}

/* Bytes from the start of the block to the implementation struct. */
static size_t prefix_size(const kcom_class *cls)
{
    size_t alignment = block_alignment(cls);
    return (header_size(cls) + alignment - 1) & ~(alignment - 1);
}

static BOOLEAN class_is_well_formed(const kcom_class *cls)
{
    if (cls->size < sizeof(void *) || cls->alignment == 0 || (cls->alignment & (cls->alignment - 1)) != 0)
        return FALSE;
    if (cls->entry_count == 0 || cls->entries == NULL)
        return FALSE;
    if (is_aggregatable(cls) && cls->inner_vtbl == NULL)
        return FALSE;
    /* the block size must not overflow */
    return (BOOLEAN)(cls->size <= (size_t)-1 - prefix_size(cls));
}

static BOOLEAN entry_is_well_formed(const kcom_class *cls, const kcom_class_entry *entry)
{
    return (BOOLEAN)(entry->info != NULL && entry->vtbl != NULL && entry->offset <= cls->size - sizeof(void *) &&
                     entry->offset % KCOM_ALIGNOF(void *) == 0);
}

static const kcom_allocator *class_allocator(const kcom_class *cls)
{
    return cls->allocator != NULL ? cls->allocator : kcom_default_allocator();
}

NTSTATUS kcom_object_new(const kcom_class *cls, IUnknown *outer, void **impl)
{
    const kcom_allocator *allocator;
    size_t prefix;
    char *block;
    char *object;
    kcom_object_header *header;
    ULONG i;

    if (impl == NULL)
        return STATUS_INVALID_PARAMETER;
    *impl = NULL;
    if (cls == NULL || !class_is_well_formed(cls))
        return STATUS_INVALID_PARAMETER;
    if (outer != NULL && !is_aggregatable(cls))
        return STATUS_NOT_SUPPORTED;
    for (i = 0; i < cls->entry_count; i++)
        if (!entry_is_well_formed(cls, &cls->entries[i]))
            return STATUS_INVALID_PARAMETER;

    allocator = class_allocator(cls);
    prefix = prefix_size(cls);
    block = (char *)allocator->allocate(allocator->context, prefix + cls->size, block_alignment(cls));
    if (block == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;

    object = block + prefix;
    memset(object, 0, cls->size);
    header = kcom_rt_header(object);
    header->refs = 1;
    header->state = 0;
    header->klass = cls;
    if (is_aggregatable(cls)) {
        kcom_aggregate_header *aggregate = kcom_rt_aggregate(object);
        aggregate->inner.lpVtbl = (const IUnknownVtbl *)cls->inner_vtbl;
        aggregate->outer = outer != NULL ? outer : &aggregate->inner;
    }
    for (i = 0; i < cls->entry_count; i++)
        memcpy(object + cls->entries[i].offset, &cls->entries[i].vtbl, sizeof(void *));
    *impl = object;
    return STATUS_SUCCESS;
}

static void free_object(const kcom_class *cls, void *impl)
{
    const kcom_allocator *allocator = class_allocator(cls);
    size_t prefix = prefix_size(cls);
    allocator->free(allocator->context, (char *)impl - prefix, prefix + cls->size, block_alignment(cls));
}

NTSTATUS kcom_object_create(const kcom_class *cls, IUnknown *outer, kcom_object_init_fn *init, void *init_ctx,
                            const IID *riid, void **ppv)
{
    NTSTATUS status;
    void *impl;
    IUnknown *unknown;

    if (ppv == NULL)
        return STATUS_INVALID_PARAMETER;
    *ppv = NULL;
    if (cls == NULL || riid == NULL)
        return STATUS_INVALID_PARAMETER;
    if (outer != NULL && !kcom_guid_equal(riid, &IID_IUnknown))
        return STATUS_INVALID_PARAMETER; /* COM: an aggregated object hands out only its inner IUnknown */

    status = kcom_object_new(cls, outer, &impl);
    if (!NT_SUCCESS(status))
        return status;
    if (init != NULL) {
        status = init(impl, init_ctx);
        if (!NT_SUCCESS(status)) {
            kcom_object_release(impl);
            return status;
        }
    }
    unknown = kcom_object_inner_unknown(impl);
    if (outer != NULL) {
        *ppv = unknown; /* the creation reference becomes the caller's */
        return STATUS_SUCCESS;
    }
    status = unknown->lpVtbl->QueryInterface(unknown, riid, ppv);
    unknown->lpVtbl->Release(unknown);
    return status;
}

IUnknown *kcom_object_inner_unknown(void *impl)
{
    const kcom_class *cls;
    if (impl == NULL)
        return NULL;
    cls = kcom_rt_header(impl)->klass;
    if (is_aggregatable(cls))
        return &kcom_rt_aggregate(impl)->inner;
    return (IUnknown *)(void *)((char *)impl + cls->entries[0].offset);
}

ULONG kcom_object_addref(void *impl)
{
    IUnknown *unknown = kcom_object_inner_unknown(impl);
    return unknown != NULL ? unknown->lpVtbl->AddRef(unknown) : 0;
}

ULONG kcom_object_release(void *impl)
{
    IUnknown *unknown = kcom_object_inner_unknown(impl);
    return unknown != NULL ? unknown->lpVtbl->Release(unknown) : 0;
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
    const kcom_class_entry *entry = cls->entries;
    const kcom_class_entry *end = entry + cls->entry_count;
    if (kcom_guid_equal(riid, &IID_IUnknown))
        return (char *)impl + entry->offset;
    for (; entry != end; entry++) {
        /* the interface and each ancestor below IUnknown */
        const kcom_interface_info *info = entry->info;
        do {
            if (kcom_guid_equal(riid, info->iid))
                return (char *)impl + entry->offset;
            info = info->parent;
        } while (info != NULL && info->parent != NULL);
    }
    return NULL;
}

/* ---- reference count slow paths ---------------------------------------------------------------- */

static void *object_of(kcom_object_header *header)
{
    return header + 1;
}

static BOOLEAN is_destroying(kcom_object_header *header)
{
    return (BOOLEAN)((kcom_atomic_load(&header->state) & KCOM_OBJECT_STATE_DESTROYING) != 0);
}

/* old == 0: the object is being destroyed (a temporary reference taken by the destroy callback,
 * allowed if it is released before the callback returns) or already dead. */
static ULONG addref_from_zero(kcom_object_header *header, int mode)
{
    if (is_destroying(header)) {
        kcom_trace(KCOM_TRACE_LEVEL_WARNING, __FILE__, __LINE__,
                   "AddRef on %s object %p during its destruction", header->klass->name, object_of(header));
        return 1;
    }
    if (mode == KCOM_REFCOUNT_FAILFAST)
        kcom_fail_fast(KCOM_FAILFAST_ADDREF_ON_DEAD, object_of(header), 0, 0);
    kcom_trace(KCOM_TRACE_LEVEL_ERROR, __FILE__, __LINE__, "AddRef on %s object %p that has no references",
               header->klass->name, object_of(header));
    return 1;
}

static ULONG addref_slow(kcom_object_header *header, LONG old, int mode)
{
    if (old == 0)
        return addref_from_zero(header, mode);
    /* old == INT32_MAX, or negative after another thread's overflow */
    if (mode == KCOM_REFCOUNT_FAILFAST)
        kcom_fail_fast(KCOM_FAILFAST_REFCOUNT_OVERFLOW, object_of(header), (ULONG_PTR)(ULONG)old, 0);
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

static ULONG final_release(kcom_object_header *header, int mode)
{
    const kcom_class *cls = header->klass;
    void *impl = object_of(header);
    LONG refs;

    kcom_atomic_acquire_fence(); /* every other thread's writes happen before the destruction */
    kcom_atomic_or(&header->state, KCOM_OBJECT_STATE_DESTROYING);
    if (cls->destroy != NULL)
        cls->destroy(impl);
    refs = kcom_atomic_load(&header->refs);
    if (refs != 0) {
        /* a reference escaped the destroy callback: freeing would leave it dangling */
        if (mode == KCOM_REFCOUNT_FAILFAST)
            kcom_fail_fast(KCOM_FAILFAST_RESURRECTION, impl, (ULONG_PTR)(ULONG)refs, 0);
        kcom_trace(KCOM_TRACE_LEVEL_ERROR, __FILE__, __LINE__,
                   "%s object %p resurrected by its destroy callback (count %d); its memory is leaked",
                   cls->name, impl, (int)refs);
        return 0;
    }
    free_object(cls, impl);
    return 0;
}

static ULONG release_slow(kcom_object_header *header, LONG old, int mode)
{
    if (old == 1) {
        if (is_destroying(header))
            return 0; /* the end of an AddRef+Release pair inside the destroy callback */
        return final_release(header, mode);
    }
    if (mode == KCOM_REFCOUNT_LEAKY && (old == KCOM_REFCOUNT_SATURATED || old < 0)) {
        kcom_atomic_store(&header->refs, KCOM_REFCOUNT_SATURATED);
        return (ULONG)KCOM_REFCOUNT_SATURATED;
    }
    /* old <= 0: Release without a reference */
    if (mode == KCOM_REFCOUNT_FAILFAST)
        kcom_fail_fast(KCOM_FAILFAST_REFCOUNT_UNDERFLOW, object_of(header), (ULONG_PTR)(ULONG)old, 0);
    if (mode == KCOM_REFCOUNT_LEAKY)
        kcom_atomic_fetch_add(&header->refs, 1); /* stays where it was */
    kcom_trace(KCOM_TRACE_LEVEL_ERROR, __FILE__, __LINE__, "Release on %s object %p with no references",
               header->klass->name, object_of(header));
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
