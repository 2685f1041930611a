/*
 * Macros a driver uses that the examples do not, compiled with a consumer's strict warnings as
 * errors (tests/CMakeLists.txt, KCOM_STRICT_C_FLAGS; as C++ through strict_consumer.cpp): the
 * string literal macros, whose literal is const where Buffer is not, and KCOM_IMPL_FROM from a
 * const interface pointer, which gives a const struct. Compile only.
 */
#include <kcom/kcom.h>

#define IStrict_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, Touch, (ULONG, value))
KCOM_DECLARE_INTERFACE(IStrict, IUnknown,
                       0x5d1e9a20, 0x4c7b, 0x4e11, 0x9a, 0x0d, 0x2b, 0x63, 0x81, 0xf4, 0x7e, 0x15)

typedef struct Strict {
    IStrict IStrict_iface;
    ULONG touched;
} Strict;

static NTSTATUS Strict_Touch(Strict *self, ULONG value)
{
    self->touched += value;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Strict, IStrict, IStrict_iface)
KCOM_CLASS(Strict, NULL, (IStrict, IStrict_iface))

/* The downcast keeps the pointer's const: a const interface gives a const struct. */
#ifdef __cplusplus
template <typename A, typename B> struct strict_same_type { static const bool value = false; };
template <typename A> struct strict_same_type<A, A> { static const bool value = true; };
#define STRICT_HAS_TYPE(expr, T) strict_same_type<decltype(expr), T>::value
#elif defined(__GNUC__) || defined(__clang__)
#define STRICT_HAS_TYPE(expr, T) _Generic((expr), T: 1, default: 0)
#endif

ULONG strict_touched(const IStrict *iface);
ULONG strict_touched(const IStrict *iface)
{
    const Strict *self = KCOM_IMPL_FROM(Strict, IStrict_iface, iface);
#ifdef STRICT_HAS_TYPE
    KCOM_STATIC_ASSERT(STRICT_HAS_TYPE(KCOM_IMPL_FROM(Strict, IStrict_iface, iface), const Strict *),
                       "a const interface gives a const struct");
#endif
    return self->touched;
}

Strict *strict_impl(IStrict *iface);
Strict *strict_impl(IStrict *iface)
{
#ifdef STRICT_HAS_TYPE
    KCOM_STATIC_ASSERT(STRICT_HAS_TYPE(KCOM_IMPL_FROM(Strict, IStrict_iface, iface), Strict *),
                       "an interface gives the struct");
#endif
    return KCOM_IMPL_FROM(Strict, IStrict_iface, iface);
}

/* Constant strings at file scope and in a block. */
static const UNICODE_STRING strict_device_name = KCOM_UNICODE_STRING_LITERAL("\\Device\\KcomStrict");
static KCOM_DECLARE_CONST_UNICODE_STRING(strict_link_name, "\\DosDevices\\KcomStrict");

NTSTATUS strict_strings(UNICODE_STRING *out);
NTSTATUS strict_strings(UNICODE_STRING *out)
{
    UNICODE_STRING local = KCOM_UNICODE_STRING_LITERAL("local");
    KCOM_LOCAL_UNICODE_STRING(buffer, 64);
    NTSTATUS status = kcom_unicode_string_append(&buffer, &strict_device_name);
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append(&buffer, &strict_link_name);
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append(&buffer, &local);
#ifndef __cplusplus
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append(&buffer, KCOM_UNICODE_STRING_REF("ref"));
#endif
    if (NT_SUCCESS(status))
        status = kcom_unicode_string_append_wstr(&buffer, KCOM_WSTR("wstr"));
    if (out)
        *out = strict_device_name;
    return status;
}
