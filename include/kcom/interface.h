/*
 * kcom/interface.h - declaring a COM interface.
 *
 * An interface is declared once: a method list macro (parent's list first, then its own methods,
 * each parameter written once as (type, name)) and one KCOM_DECLARE_INTERFACE invocation:
 *
 *     #define IFoo_METHODS(M, I)                                   \
 *         IUnknown_METHODS(M, I)                                   \
 *         M(I, METHOD, NTSTATUS, Ping, (ULONG, value))             \
 *         M(I, RESULT, ULONG, GetCount, )
 *
 *     #ifndef __IFoo_INTERFACE_DEFINED__
 *     #define __IFoo_INTERFACE_DEFINED__
 *     KCOM_DECLARE_INTERFACE(IFoo, IUnknown,
 *         0x9a1c2f3e, 0x41d7, 0x4b8e, 0x9d, 0x52, 0x61, 0x0e, 0x3a, 0x7c, 0x11, 0x08)
 *     #endif
 *
 * This produces exactly what MIDL/WIDL generate for C: `IFooVtbl` with the inherited methods
 * flattened first and `This` as first parameter, `struct IFoo { const IFooVtbl *lpVtbl; }`,
 * `IID_IFoo`, and typed inline wrappers `IFoo_QueryInterface`, `IFoo_AddRef`, `IFoo_Release`,
 * `IFoo_Ping(This, value)`, `IFoo_GetCount(This, &count)`. (A macro cannot emit #define, so the
 * `__IFoo_INTERFACE_DEFINED__` guard is written around the invocation, as in MIDL headers.)
 *
 * Method kinds (the second argument of M):
 *   METHOD  ret Name(This, params...)            - called as written.
 *   RESULT  NTSTATUS Name(This, params..., ret *result)
 *           - "Result -> NTSTATUS": the generated shim rejects a NULL result pointer with
 *             STATUS_INVALID_PARAMETER and zeroes *result when the implementation fails.
 *   ASYNC   IAsyncT *Name(This, params...)        - ret names an operation interface declared with
 *             KCOM_DECLARE_ASYNC_OPERATION (kcom/async.h); the call returns an operation, never
 *             NULL, and the work runs as a task (see kcom/implement.h).
 *   ASYNC_IN IAsyncT *Name(This, params..., void *storage, size_t storage_size)
 *           - the same, the operation built in the caller's storage (no allocation): the
 *             interface's author defines I_Name_STORAGE (the bytes a caller provides, which every
 *             implementation must fit) before declaring the interface (a derived interface
 *             defines its own for the inherited method, no larger than its parent's: the
 *             declaration checks it), and callers declare a
 *             `I_Name_storage` (that many bytes, at any address). The storage may be used again,
 *             or go, once kcom_async_storage_in_use says so (kcom/async.h): not at the caller's
 *             Release, which may not be the last.
 *   UNKNOWN reserved for IUnknown's own three methods (QueryInterface, AddRef, Release).
 * Parameters are a sequence `(type, name)(type, name)`, empty for none. Inheritance works to any
 * depth: a child's list starts with its parent's list macro.
 */
#ifndef KCOM_INTERFACE_H
#define KCOM_INTERFACE_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/guid.h>
#include <kcom/detail/pp.h>
#include <kcom/status.h>

/* Runtime description of an interface: its IID and its parent's, for table-driven QueryInterface. */
typedef struct kcom_interface_info {
    const IID *iid;
    const struct kcom_interface_info *parent; /* NULL for IUnknown */
    const char *name;
    ULONG method_count; /* vtable slots, inherited ones included */
} kcom_interface_info;

/* The interface descriptor generated for interface I. */
#define KCOM_INTERFACE_INFO(I) (&kcom_iface_info_##I)
/* Pointer to the IID of interface I. */
#define KCOM_IID_OF(I) (&IID_##I)

/* ---- without the async layer ------------------------------------------------------------------
 * The async layer (kcom/async.h) is on where KCOM_ENABLE_ASYNC is defined to 1, as the kcom::kcom
 * CMake target does for its consumers when kcom is built with the option KCOM_ENABLE_ASYNC=ON (the
 * default). Where it is off, ASYNC methods and KCOM_DECLARE_ASYNC_OPERATION stop the build with
 * a static assertion that says so, rather than with the parse errors of an unknown macro. */
#define KCOM_ASYNC_OFF_HINT_                                                             \
    "define KCOM_ENABLE_ASYNC=1 (CMake: build kcom with -DKCOM_ENABLE_ASYNC=ON and link kcom::kcom, "    \
    "which defines it) and include <kcom/async.h> or <kcom/kcom.h>"
#if !(defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC)
#define KCOM_DECLARE_ASYNC_OPERATION(I, ...)                                              \
    KCOM_STATIC_ASSERT(0, "KCOM_DECLARE_ASYNC_OPERATION(" #I ", ...) needs the kcom async layer, "  \
                          "which is off here: " KCOM_ASYNC_OFF_HINT_);
#endif

/* KCOM_TYPED_OUT_(T, out): out, an out pointer that must be a T ** (or NULL), as void **; any other
 * pointer type does not compile (C: no association of the _Generic matches; C++: the conditional
 * has no common type). */
#ifdef __cplusplus
#define KCOM_TYPED_OUT_(T, out) ((void **)(1 ? (out) : (T **)0))
#else
#define KCOM_TYPED_OUT_(T, out) ((void **)_Generic((out), T **: (out), void *: (out)))
#endif

/* ---- the declaration --------------------------------------------------------------------------- */

#define KCOM_DECLARE_INTERFACE(I, Parent, d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)      \
    KCOM_CHECK_PARENT_METHODS_(I, Parent)                                                \
    KCOM_DECLARE_INTERFACE_TYPES(I)                                                      \
    KCOM_DEFINE_IID(I, d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)                       \
    KCOM_DEFINE_INTERFACE_INFO(I, KCOM_INTERFACE_INFO(Parent))                           \
    KCOM_DECLARE_INTERFACE_WRAPPERS(I)

/* An interface is a C struct, final in C++: a C++ class with virtual functions derived from one
 * (the DDK's C++ COM headers derive theirs from IUnknown with DECLARE_INTERFACE_) would put its
 * own vtable pointer first and the struct after it, every conversion to the base one pointer off,
 * without a diagnostic. */
#if defined(__cplusplus)
#define KCOM_RT_INTERFACE_FINAL_ final
#else
#define KCOM_RT_INTERFACE_FINAL_
#endif

/* The pieces, for declarations that need only some of them (IUnknown next to the DDK's). */
#define KCOM_DECLARE_INTERFACE_TYPES(I)                                                  \
    typedef struct I I;                                                                  \
    typedef struct I##Vtbl I##Vtbl;                                                      \
    struct I##Vtbl {                                                                     \
        I##_METHODS(KCOM_VTBL_SLOT_, I)                                                  \
    };                                                                                   \
    struct I KCOM_RT_INTERFACE_FINAL_ {                                                  \
        const struct I##Vtbl *lpVtbl;                                                    \
    };

/* No extern declaration before the definition: gcc drops selectany from a definition that follows
 * a plain declaration (see kcom/unknown.h), and every translation unit would then define it. So
 * clang's -Wmissing-variable-declarations, which asks for one, is off around it. */
#if defined(__clang__)
#define KCOM_RT_IID_BEGIN_                                                                \
    _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wmissing-variable-declarations\"")
#define KCOM_RT_IID_END_ _Pragma("clang diagnostic pop")
#else
#define KCOM_RT_IID_BEGIN_
#define KCOM_RT_IID_END_
#endif
#define KCOM_DEFINE_IID(I, d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)                   \
    KCOM_RT_IID_BEGIN_                                                                    \
    KCOM_EXTERN_C KCOM_SELECTANY const IID IID_##I =                                     \
        KCOM_GUID_INIT(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7);                      \
    KCOM_RT_IID_END_

/* One copy per translation unit (unlike the IID): a constant the compiler can see through, so the
 * generated QueryInterface folds each interface's ancestor chain at compile time. Nothing compares
 * descriptors by address. */
#define KCOM_DEFINE_INTERFACE_INFO(I, parent_info)                                       \
    static const kcom_interface_info kcom_iface_info_##I KCOM_UNUSED = {                 \
        &IID_##I, parent_info, #I, (ULONG)(sizeof(struct I##Vtbl) / sizeof(void (*)(void)))};

#define KCOM_DECLARE_INTERFACE_WRAPPERS(I) I##_METHODS(KCOM_WRAPPER_, I)

/* ---- the method list starts with the parent's ---------------------------------------------------
 * Each of the parent's methods must sit in I's list where it sits in the parent's: compared on
 * two structs of one pointer per method, named so that the diagnostic of a list that lacks its
 * parent's ("no member named 'QueryInterface' in 'struct IFoo_METHODS_must_begin_with_IUnknown_
 * METHODS'") or a list that puts it elsewhere (the static assertion) says what is wrong. */
#define KCOM_CHECK_PARENT_METHODS_(I, Parent)                                            \
    struct I##_METHODS_must_begin_with_##Parent##_METHODS {                              \
        I##_METHODS(KCOM_SLOT_NAME_, I)                                                  \
    };                                                                                   \
    struct I##_kcom_parent_slots {                                                       \
        Parent##_METHODS(KCOM_SLOT_NAME_, Parent)                                        \
    };                                                                                   \
    KCOM_STATIC_ASSERT(1 Parent##_METHODS(KCOM_SLOT_SAME_PLACE_, (I, Parent)),           \
                       #I "_METHODS(M, I) must begin with " #Parent "_METHODS(M, I): the "   \
                       "methods of the parent " #Parent " come first, in its order");      \
    Parent##_METHODS(KCOM_STORAGE_WITHIN_PARENT_, (I, Parent))
#define KCOM_SLOT_NAME_(I, kind, ret, name, params) void (*name)(void);
/* An inherited ASYNC_IN method: the child's I_Name_STORAGE, which its implementations are checked
 * against, is no larger than the parent's, which the parent's callers provide (the parent's own
 * declaration checked it against its parent, and so on up). */
#define KCOM_STORAGE_WITHIN_PARENT_(ctx, kind, ret, name, params)                         \
    KCOM_STORAGE_WITHIN_PARENT_##kind(KCOM_PP_EXPAND ctx, name)
#define KCOM_STORAGE_WITHIN_PARENT_UNKNOWN(...)
#define KCOM_STORAGE_WITHIN_PARENT_METHOD(...)
#define KCOM_STORAGE_WITHIN_PARENT_RESULT(...)
#define KCOM_STORAGE_WITHIN_PARENT_ASYNC(...)
#define KCOM_STORAGE_WITHIN_PARENT_ASYNC_IN(...) KCOM_STORAGE_WITHIN_PARENT_I_(__VA_ARGS__)
#define KCOM_STORAGE_WITHIN_PARENT_I_(I, Parent, name)                                    \
    KCOM_STATIC_ASSERT((size_t)(I##_##name##_STORAGE) <= (size_t)(Parent##_##name##_STORAGE), \
                       #I "::" #name " (ASYNC_IN): " #I "_" #name "_STORAGE is larger than "  \
                       #Parent "_" #name "_STORAGE, the bytes the callers of " #Parent       \
                       " provide (define it as " #Parent "_" #name "_STORAGE)");
#define KCOM_SLOT_SAME_PLACE_(ctx, kind, ret, name, params) KCOM_SLOT_SAME_PLACE_I_(KCOM_PP_EXPAND ctx, name)
#define KCOM_SLOT_SAME_PLACE_I_(...) KCOM_SLOT_SAME_PLACE_II_(__VA_ARGS__)
#define KCOM_SLOT_SAME_PLACE_II_(I, Parent, name)                                        \
    &&offsetof(struct I##_METHODS_must_begin_with_##Parent##_METHODS, name) ==            \
        offsetof(struct I##_kcom_parent_slots, name)

/* ---- vtable slots ------------------------------------------------------------------------------ */
#define KCOM_VTBL_SLOT_(I, kind, ret, name, params) KCOM_VTBL_SLOT_##kind(I, ret, name, params)
#define KCOM_VTBL_SLOT_METHOD(I, ret, name, params)                                      \
    ret(KCOM_STDCALL *name)(I * This KCOM_PP_PARAMS(params));
#define KCOM_VTBL_SLOT_UNKNOWN KCOM_VTBL_SLOT_METHOD
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#define KCOM_VTBL_SLOT_ASYNC(I, ret, name, params)                                       \
    ret *(KCOM_STDCALL *name)(I * This KCOM_PP_PARAMS(params));
#define KCOM_VTBL_SLOT_ASYNC_IN(I, ret, name, params)                                    \
    ret *(KCOM_STDCALL *name)(I * This KCOM_PP_PARAMS(params), void *kcom_storage_, size_t kcom_storage_size_);
#else
/* Without the async layer an ASYNC method stops the declaration with one message (and the
 * wrappers and shims of kcom/implement.h leave it out, so nothing else fails on it). */
#define KCOM_VTBL_SLOT_ASYNC(I, ret, name, params)                                       \
    KCOM_STATIC_ASSERT(0, "the ASYNC method " #I "::" #name " needs the kcom async layer, which is "  \
                          "off here: " KCOM_ASYNC_OFF_HINT_);
#define KCOM_VTBL_SLOT_ASYNC_IN KCOM_VTBL_SLOT_ASYNC
#endif
#define KCOM_VTBL_SLOT_RESULT(I, ret, name, params)                                      \
    NTSTATUS(KCOM_STDCALL *name)(I * This KCOM_PP_PARAMS(params), ret *kcom_result_);

/* ---- typed call wrappers: I_Name(This, ...) ----------------------------------------------------- */
#define KCOM_WRAPPER_(I, kind, ret, name, params) KCOM_WRAPPER_##kind(I, ret, name, params)
#define KCOM_WRAPPER_METHOD(I, ret, name, params)                                        \
    KCOM_UNUSED static KCOM_FORCEINLINE ret I##_##name(I *This KCOM_PP_PARAMS(params))               \
    {                                                                                    \
        KCOM_PP_RETURN_UNLESS_VOID(ret) This->lpVtbl->name(This KCOM_PP_ARGS(params));   \
    }
#define KCOM_WRAPPER_UNKNOWN KCOM_WRAPPER_METHOD
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#define KCOM_WRAPPER_ASYNC(I, ret, name, params)                                         \
    KCOM_UNUSED static KCOM_FORCEINLINE ret *I##_##name(I *This KCOM_PP_PARAMS(params))  \
    {                                                                                    \
        return This->lpVtbl->name(This KCOM_PP_ARGS(params));                           \
    }
/* The caller's storage for one operation of the method: I_Name_STORAGE bytes (the shim takes
 * storage at any address; the union aligns it to a pointer all the same). */
#define KCOM_WRAPPER_ASYNC_IN(I, ret, name, params)                                      \
    typedef union I##_##name##_storage {                                                 \
        void *kcom_align_;                                                               \
        unsigned char bytes[I##_##name##_STORAGE];                                       \
    } I##_##name##_storage;                                                              \
    KCOM_UNUSED static KCOM_FORCEINLINE ret *I##_##name(I *This KCOM_PP_PARAMS(params),   \
                                                        void *kcom_storage_, size_t kcom_storage_size_) \
    {                                                                                    \
        return This->lpVtbl->name(This KCOM_PP_ARGS(params), kcom_storage_, kcom_storage_size_); \
    }
#else
#define KCOM_WRAPPER_ASYNC(I, ret, name, params)
#define KCOM_WRAPPER_ASYNC_IN(I, ret, name, params)
#endif
/* A RESULT method's value has a type: with void, the shim's zero-fill of *result on a failure
 * would take sizeof(void), which only GNU C gives (1), and the caller would have no value. The
 * test is on the type, not its spelling (`::ns::Value` cannot be pasted to a token). */
#if defined(__cplusplus)
extern "C++" { /* also where a driver includes kcom inside extern "C" */
template <typename T>
struct kcom_rt_is_void_type_ {
    enum { value = 0 };
};
template <>
struct kcom_rt_is_void_type_<void> {
    enum { value = 1 };
};
template <>
struct kcom_rt_is_void_type_<const void> {
    enum { value = 1 };
};
template <>
struct kcom_rt_is_void_type_<volatile void> {
    enum { value = 1 };
};
template <>
struct kcom_rt_is_void_type_<const volatile void> {
    enum { value = 1 };
};
}
#define KCOM_RT_IS_VOID_TYPE_(type) kcom_rt_is_void_type_<type>::value
#else
#define KCOM_RT_IS_VOID_TYPE_(type)                                                      \
    _Generic((type *)0, void *: 1, const void *: 1, volatile void *: 1, const volatile void *: 1, default: 0)
#endif
#define KCOM_WRAPPER_RESULT(I, ret, name, params)                                        \
    KCOM_STATIC_ASSERT(!KCOM_RT_IS_VOID_TYPE_(ret), #I "::" #name " (RESULT): its value has the type void; a " \
                       "method without a value is a METHOD returning NTSTATUS");          \
    KCOM_UNUSED static KCOM_FORCEINLINE NTSTATUS I##_##name(I *This KCOM_PP_PARAMS(params), ret *kcom_result_) \
    {                                                                                    \
        return This->lpVtbl->name(This KCOM_PP_ARGS(params), kcom_result_);              \
    }

/* IUnknown, whose method list every interface's starts with: the example above compiles with this
 * header alone. Last, since kcom/unknown.h declares IUnknown with the macros above. */
#include <kcom/unknown.h>

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_INTERFACE_H */
