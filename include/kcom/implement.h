/*
 * kcom/implement.h - implementing interfaces with an ordinary struct.
 *
 *     typedef struct Foo {
 *         IFoo IFoo_iface;           // one member per exposed interface
 *         IBar IBar_iface;
 *         ULONG pings;               // state, in the same allocation
 *     } Foo;
 *
 *     static NTSTATUS Foo_Ping(Foo *self, ULONG value) { self->pings += value; return STATUS_SUCCESS; }
 *     static NTSTATUS Foo_GetCount(Foo *self, ULONG *count) { *count = self->pings; return STATUS_SUCCESS; }
 *     static void Foo_destroy(Foo *self) { ... }            // optional
 *
 *     KCOM_IMPLEMENT(Foo, IFoo, IFoo_iface)                  // shims + static const vtable
 *     KCOM_IMPLEMENT(Foo, IBar, IBar_iface)
 *     KCOM_CLASS(Foo, Foo_destroy, (IFoo, IFoo_iface), (IBar, IBar_iface))   // Foo_kcom_class
 *
 * KCOM_IMPLEMENT(Class, I, member) expects `Class_Method(Class *self, params...)` for each method
 * of I that is not one of IUnknown's (inherited ones included); KCOM_IMPLEMENT_WITH(Class, I,
 * member, prefix) uses `prefix##Method` instead (two interfaces with a method of the same name).
 * self may be `void *` instead (one function for several classes).
 * The macros check their arguments at compile time, one diagnostic per slip (docs/macros.md):
 * the member has the type I (KCOM_IMPLEMENT, and each entry of a class macro), the functions have
 * their methods' signatures; an interface implemented but missing from its class's list leaves
 * its vtable unused (-Wall reports it). They work in C++17 as well (docs/macros.md, C++ drivers).
 * KCOM_TRACE_CALLS (kcom/trace.h) makes the shims of the file trace every call.
 * The shims subtract the member's constant offset and call the implementation, which the compiler
 * inlines: a call through the vtable costs what a C++ virtual call costs.
 * QueryInterface/AddRef/Release are generated: table-driven QueryInterface over the class's
 * interfaces and their ancestors, and the header's interlocked count (kcom/refcount.h).
 *
 * An ASYNC method Name of I (kcom/interface.h) is implemented by a task (kcom/task.h):
 *     typedef struct { KCOM_TASK_RESUME_POINT; ...state... } Class_Name_state;
 *     NTSTATUS Class_Name(Class *self, Class_Name_state *state, params...);  // start: fill state
 *     kcom_poll_result Class_Name_poll(Class_Name_state *state, kcom_task_context *cx);
 *     void Class_Name_drop(Class_Name_state *state);    // cleanup, or #define Class_Name_drop NULL
 * The shim allocates the operation with the task state and the result in it (one allocation, from
 * the class's allocator if KCOM_CLASS_EX names one, else the default; blocks of the platform
 * allocator are reused through the operation cache of kcom/async.h), runs the start function and
 * polls the task once on the caller: work that is ready completes there, without being scheduled
 * and without a reference on the object beyond the caller's; work that is pending holds a
 * reference on the object until its drop has run, and runs on the class's executor
 * (KCOM_CLASS_SET_EXECUTOR) or else kcom_default_executor(). A start that fails, or an allocation
 * that fails, gives an operation already in Error with that status (never NULL; its block from the
 * allocator the operation's would have come from, and kcom's static error operation when that
 * allocator fails again); the drop runs in every case, also over a state the start function left
 * partly filled. An ASYNC_IN method is implemented with the same four names; its shim builds the
 * operation in the caller's storage instead of allocating it (a storage the shim refuses gives an
 * operation in Error with STATUS_INVALID_PARAMETER or STATUS_BUFFER_TOO_SMALL, the start function
 * not run), and the compiler checks that the operation fits I_Name_STORAGE. The object is
 * KCOM_ASYNC_SELF(Class, state) in the start function, the poll and the drop (below): the
 * operation keeps its pointer anyway, so the state need not.
 *
 * KCOM_AGGREGATABLE_CLASS(...) makes a class that can be aggregated: its interfaces delegate
 * IUnknown to the outer object, and it has a non-delegating inner IUnknown (16 more bytes of
 * header: 32 on 64-bit targets). KCOM_CLASS_EX / KCOM_AGGREGATABLE_CLASS_EX(Class, allocator, destroy, query_fallback, ...)
 * also name a per-class allocator (NULL: the default) and a query fallback (NULL: none): a function
 * `NTSTATUS fn(Class *self, const IID *riid, void **ppv)` that QueryInterface calls for an IID the
 * class's table does not have - typically to forward it to an aggregated inner object, whose
 * QueryInterface AddRefs through this object. It returns a status and sets *ppv like QueryInterface.
 * The first interface listed is the primary one: QueryInterface(IID_IUnknown) returns it (an
 * aggregatable class's IID_IUnknown is its inner IUnknown, or the outer object's once aggregated).
 * At most 64 interfaces per class.
 */
#ifndef KCOM_IMPLEMENT_H
#define KCOM_IMPLEMENT_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/object.h>

/* The implementation struct of an interface pointer: a fixed-offset downcast (Wine's impl_from_).
 * Const-correct: a pointer to a const interface gives a `const Class *` (gcc and clang in C, and
 * C++; cl.exe's C gives `Class *`). Fails to compile when iface_ptr is not a pointer to the
 * member's type (gcc and clang in C: a _Generic over the member's type; C++: no overload takes the
 * pointer; other C compilers warn). iface_ptr is evaluated once. */
#if !defined(__cplusplus) && (defined(__GNUC__) || defined(__clang__))
/* Each association is checked even when not chosen, so for a const iface_ptr the non-const one
 * must not cast the const away (-Wcast-qual): it takes the pointer through an integer, in code
 * never evaluated. */
#define KCOM_IMPL_FROM(Class, member, iface_ptr)                                          \
    _Generic((iface_ptr),                                                                 \
        KCOM_RT_MEMBER_TYPE_(Class, member) *: (Class *)(void *)(                          \
            (char *)_Generic((iface_ptr),                                                 \
                KCOM_RT_MEMBER_TYPE_(Class, member) *: (iface_ptr),                        \
                default: (KCOM_RT_MEMBER_TYPE_(Class, member) *)(ULONG_PTR)(iface_ptr)) -  \
            offsetof(Class, member)),                                                     \
        const KCOM_RT_MEMBER_TYPE_(Class, member) *: (const Class *)(const void *)(        \
            (const char *)(iface_ptr) - offsetof(Class, member)))
#define KCOM_RT_MEMBER_TYPE_(Class, member) __typeof__(((Class *)0)->member)
#elif defined(__cplusplus)
#define KCOM_IMPL_FROM(Class, member, iface_ptr)                                          \
    kcom_rt_impl_from_<Class, decltype(Class::member)>((iface_ptr), offsetof(Class, member))
#else
#define KCOM_IMPL_FROM(Class, member, iface_ptr)                                          \
    ((Class *)(void *)((char *)(1 ? (iface_ptr) : &((Class *)0)->member) - offsetof(Class, member)))
#endif

/* The class descriptor generated by KCOM_CLASS(Class, ...). */
#define KCOM_CLASS_OF(Class) (&Class##_kcom_class)

/* Typed kcom_object_new: Class **out. Inline over the constant descriptor, so the compiler folds
 * the layout and the vtable stores (same IRQL and statuses as kcom_object_new). */
#define KCOM_NEW(Class, outer, out)                                                       \
    kcom_rt_object_new(KCOM_CLASS_OF(Class), (outer), KCOM_TYPED_OUT_(Class, out), TRUE)

/* ---- KCOM_IMPLEMENT ------------------------------------------------------------------------------ */

#define KCOM_IMPLEMENT(Class, I, member) KCOM_IMPLEMENT_WITH(Class, I, member, Class##_)

#define KCOM_IMPLEMENT_WITH(Class, I, member, prefix)                                     \
    KCOM_CLASS_FUNCTIONS_DECL_(Class)                                                     \
    KCOM_IMPLEMENT_MEMBER_(Class, I, member)                                              \
    I##_METHODS(KCOM_SHIM_, (Class, I, member, prefix))                                   \
    static const I##Vtbl Class##_##I##_kcom_vtbl = {                                      \
        I##_METHODS(KCOM_SLOT_INIT_, (Class, I, PLAIN))};                                 \
    static const I##Vtbl Class##_##I##_kcom_agg_vtbl KCOM_UNUSED = {                      \
        I##_METHODS(KCOM_SLOT_INIT_, (Class, I, AGG))};

/* ---- KCOM_CLASS ------------------------------------------------------------------------------------ */

#define KCOM_CLASS(Class, destroy, ...) KCOM_CLASS_EX(Class, NULL, destroy, NULL, __VA_ARGS__)
#define KCOM_AGGREGATABLE_CLASS(Class, destroy, ...)                                      \
    KCOM_AGGREGATABLE_CLASS_EX(Class, NULL, destroy, NULL, __VA_ARGS__)

#define KCOM_CLASS_EX(Class, allocator, destroy, query_fallback, ...)                     \
    KCOM_CLASS_DESTROY_THUNK_(Class, destroy)                                             \
    KCOM_CLASS_FALLBACK_THUNK_(Class, query_fallback)                                     \
    KCOM_CLASS_FUNCTIONS_DECL_(Class)                                                     \
    KCOM_CLASS_COUNT_CHECK_(Class, "KCOM_CLASS", __VA_ARGS__)                              \
    KCOM_PP_FOR_EACH(KCOM_CLASS_CHECK_, (Class, "KCOM_CLASS"), __VA_ARGS__)                 \
    static const kcom_class_entry Class##_kcom_entries[] = {                              \
        KCOM_PP_FOR_EACH(KCOM_CLASS_ENTRY_, (Class, PLAIN), __VA_ARGS__)};                \
    static const struct kcom_executor *volatile Class##_kcom_executor;                    \
    KCOM_CLASS_OPERATION_ALLOCATOR_(Class, allocator)                                     \
    static NTSTATUS Class##_kcom_create(const kcom_class *kcom_cls_, IUnknown *kcom_outer_, \
                                        kcom_object_init_fn *kcom_init_, void *kcom_init_ctx_, \
                                        const IID *kcom_riid_, void **kcom_out_);         \
    static const kcom_class Class##_kcom_class = {                                        \
        #Class, sizeof(Class), KCOM_ALIGNOF(Class), KCOM_CLASS_GENERATED,                 \
        (ULONG)(sizeof(Class##_kcom_entries) / sizeof(Class##_kcom_entries[0])),          \
        Class##_kcom_entries, Class##_kcom_destroy_thunk, (allocator), NULL,              \
        Class##_kcom_fallback_thunk, &Class##_kcom_executor, Class##_kcom_create};        \
    static NTSTATUS Class##_kcom_create(const kcom_class *kcom_cls_, IUnknown *kcom_outer_, \
                                        kcom_object_init_fn *kcom_init_, void *kcom_init_ctx_, \
                                        const IID *kcom_riid_, void **kcom_out_)          \
    {                                                                                     \
        return kcom_rt_class_create(kcom_cls_, &Class##_kcom_class, kcom_outer_, kcom_init_, \
                                    kcom_init_ctx_, kcom_riid_, kcom_out_);               \
    }                                                                                     \
    KCOM_CLASS_FUNCTIONS_(Class, __VA_ARGS__)

#define KCOM_AGGREGATABLE_CLASS_EX(Class, allocator, destroy, query_fallback, ...)        \
    KCOM_CLASS_DESTROY_THUNK_(Class, destroy)                                             \
    KCOM_CLASS_FALLBACK_THUNK_(Class, query_fallback)                                     \
    KCOM_CLASS_FUNCTIONS_DECL_(Class)                                                     \
    KCOM_CLASS_COUNT_CHECK_(Class, "KCOM_AGGREGATABLE_CLASS", __VA_ARGS__)                 \
    KCOM_PP_FOR_EACH(KCOM_CLASS_CHECK_, (Class, "KCOM_AGGREGATABLE_CLASS"), __VA_ARGS__)  \
    static const kcom_class_entry Class##_kcom_entries[] = {                              \
        KCOM_PP_FOR_EACH(KCOM_CLASS_ENTRY_, (Class, AGG), __VA_ARGS__)};                  \
    KCOM_CLASS_INNER_UNKNOWN_(Class)                                                      \
    static const struct kcom_executor *volatile Class##_kcom_executor;                    \
    KCOM_CLASS_OPERATION_ALLOCATOR_(Class, allocator)                                     \
    static const kcom_class Class##_kcom_class = {                                        \
        #Class, sizeof(Class), KCOM_ALIGNOF(Class), KCOM_CLASS_AGGREGATABLE | KCOM_CLASS_GENERATED, \
        (ULONG)(sizeof(Class##_kcom_entries) / sizeof(Class##_kcom_entries[0])),          \
        Class##_kcom_entries, Class##_kcom_destroy_thunk, (allocator),                    \
        &Class##_kcom_inner_vtbl, Class##_kcom_fallback_thunk, &Class##_kcom_executor, NULL}; \
    KCOM_CLASS_FUNCTIONS_(Class, __VA_ARGS__)

/* KCOM_CLASS_SET_EXECUTOR(Class, executor) - the executor Class's async methods run pending work
 * on from now (NULL: the default executor again); in the translation unit of Class's KCOM_CLASS.
 * Each pending call keeps the pointer it finds, so a change affects later calls only; the executor
 * (the struct this points to, not only what it schedules on) must stay valid until the work of
 * every call that took it has ended. IRQL: any.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER (an executor without schedule: nothing
 * changes). */
#define KCOM_CLASS_SET_EXECUTOR(Class, executor_) kcom_rt_set_executor(&Class##_kcom_executor, (executor_))

/* KCOM_CLASS_SET_OPERATION_ALLOCATOR(Class, allocator) - the allocator Class's async methods
 * allocate their operations from (at first, and again after NULL: the class's allocator, the one
 * KCOM_CLASS_EX names, else the default; a caching allocator bound to the class's own size passes
 * them to its backing allocator); in the translation unit of Class's KCOM_CLASS. Typically a
 * kcom_caching_allocator of its own: the operations of one async method all have one size, which
 * the cache then keeps (the operations of other sizes go to the cache's backing allocator). Each
 * operation records the allocator it came from, so a change affects later calls only; the
 * allocator must stay valid while any operation allocated from it is alive. IRQL: any.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER (an allocator without allocate or free:
 * nothing changes). */
#define KCOM_CLASS_SET_OPERATION_ALLOCATOR(Class, allocator_)                             \
    kcom_rt_set_operation_allocator(&Class##_kcom_operation_allocator, KCOM_CLASS_OF(Class), (allocator_))

/* KCOM_ASYNC_SELF(Class, state) - the object (a Class *) whose ASYNC or ASYNC_IN method made the
 * operation whose state this is: state is the Class_Name_state * the start function, the poll and
 * the drop get, typed as such (the pointer's place follows from the state's size); a pointer to
 * something without a KCOM_TASK_RESUME_POINT, a void * among them, stops the build (a nested
 * task's state inside the method's has one, and is not caught).
 * Valid from the start function's call until the drop has returned: the caller's reference covers
 * the start and the first poll, and work still pending after it holds a reference of its own until
 * its drop has run. The pointer is kept in the operation, right after the state, so a state that
 * needs the object does not store it again (8 bytes on 64-bit targets, which can take the block to
 * the next cache class). Only for an ASYNC method's state: a task's own (KCOM_ASYNC_TASK,
 * kcom_async_spawn) has no object, and its state has to keep one itself. IRQL: any. */
#define KCOM_ASYNC_SELF(Class, state)                                                     \
    KCOM_STATIC_CAST(Class *, kcom_rt_async_self_((state), sizeof(*(state)) + 0u * sizeof((state)->kcom_resume_point)))

/* The machinery the macros above expand to: the shims, the vtable initializers, the class's
 * interface table and the functions the class macros define (not for direct use). */
#include <kcom/detail/implement.h>

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_IMPLEMENT_H */
