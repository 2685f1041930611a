/*
 * kcom/guid.h - GUID equality and formatting.
 */
#ifndef KCOM_GUID_H
#define KCOM_GUID_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/types.h>

#include <string.h>

/* Initializer for a GUID, in the order the registry form reads:
 * {d1-d2-d3-b0b1-b2b3b4b5b6b7}. */
#define KCOM_GUID_INIT(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7) \
    { (d1), (d2), (d3), { (b0), (b1), (b2), (b3), (b4), (b5), (b6), (b7) } }

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" plus the terminating NUL. */
#define KCOM_GUID_STRING_SIZE 39

KCOM_BEGIN_DECLS

/*
 * kcom_guid_equal - TRUE when both GUIDs hold the same 16 bytes.
 * IRQL: any. Both pointers must be valid (QueryInterface validates riid before calling this).
 * Two unaligned 64-bit loads per side: what a hand-written QueryInterface compiles to.
 */
_IRQL_requires_max_(HIGH_LEVEL)
static KCOM_FORCEINLINE BOOLEAN kcom_guid_equal(_In_ const GUID *a, _In_ const GUID *b)
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a, 8);
    memcpy(&a1, (const unsigned char *)a + 8, 8);
    memcpy(&b0, b, 8);
    memcpy(&b1, (const unsigned char *)b + 8, 8);
    return (BOOLEAN)(((a0 ^ b0) | (a1 ^ b1)) == 0);
}

/*
 * kcom_guid_to_string - formats a GUID in registry form into buffer, which must hold
 * KCOM_GUID_STRING_SIZE characters: "{00000000-0000-0000-C000-000000000046}", uppercase hex as
 * StringFromGUID2 and RtlStringFromGUID write it. Returns buffer; a NULL guid formats as "{null}",
 * a NULL buffer returns the static string "{null}". The GUID may sit at any address. Never fails,
 * never returns NULL. IRQL: any. No CRT is used.
 */
_IRQL_requires_max_(HIGH_LEVEL)
_Ret_z_ const char *kcom_guid_to_string(_In_opt_ const GUID *guid,
                                        _Out_writes_opt_(KCOM_GUID_STRING_SIZE) char *buffer);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_GUID_H */
