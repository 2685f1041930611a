/*
 * kcom/unicode_string.h - UNICODE_STRING helpers for drivers: constant strings from literals, an
 * owned allocator-backed string, bounded appends and formatting into caller storage (a local
 * buffer on the stack), and comparisons.
 *
 * Conventions (docs/strings.md has examples):
 * - Lengths in a UNICODE_STRING are bytes; counts in kcom's parameters are UTF-16 units ("units")
 *   and say so in their names.
 * - Every string kcom writes is NUL-terminated after its Length, which never counts the NUL, so a
 *   buffer of MaximumLength bytes holds at most MaximumLength / 2 - 1 units of text.
 * - At most KCOM_UNICODE_STRING_MAX_UNITS (32766) units of text: with the NUL that is 65534 bytes,
 *   the largest even MaximumLength a USHORT holds.
 * - Writes are all-or-nothing: a function that fails leaves the destination exactly as it was
 *   (text, Length, and every byte of its buffer), except where its comment says otherwise.
 * - A NULL string, out pointer or format gives STATUS_INVALID_PARAMETER, and so does a malformed
 *   UNICODE_STRING: an odd Length, Length > MaximumLength, or a NULL Buffer with text (as a source)
 *   or with a non-zero MaximumLength (as a destination).
 * - IRQL: every function runs at <= DISPATCH_LEVEL provided that the memory it touches is resident
 *   (non-paged) there, and for the owned string's allocating functions that its allocator works
 *   there (kcom's default allocator hands out non-paged memory).
 *
 * UNICODE_STRING comes from <wdm.h> in the kernel, from <winternl.h> in Windows user mode (included
 * below) and from kcom/types.h on the host, where WCHAR is uint16_t.
 */
#ifndef KCOM_UNICODE_STRING_H
#define KCOM_UNICODE_STRING_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/allocator.h>

#include <stdarg.h>

#if KCOM_TARGET_WIN32
#include <winternl.h>
#endif

/* The most UTF-16 units of text a kcom string holds, and the bytes its buffer then takes. */
#define KCOM_UNICODE_STRING_MAX_UNITS 32766
#define KCOM_UNICODE_STRING_MAX_BYTES ((KCOM_UNICODE_STRING_MAX_UNITS + 1) * 2)

/* ---- literals -----------------------------------------------------------------------------------
 * KCOM_WIDE("text") is the literal as a 16-bit string literal: L"text" on Windows, where wchar_t is
 * WCHAR, and u"text" on the host, where wchar_t is 32-bit and C11's char16_t is the 16-bit type.
 * The argument is a narrow string literal (or a macro expanding to one). KCOM_WSTR("text") is the
 * same as a const WCHAR * (C and C++ alike). */
#if KCOM_TARGET_POSIX
#define KCOM_WIDE_(s) u##s
#else
#define KCOM_WIDE_(s) L##s
#endif
#define KCOM_WIDE(s) KCOM_WIDE_(s)
#define KCOM_WSTR(s) ((const WCHAR *)KCOM_WIDE(s))

/* Compile-time refusal (a negative array size) of a literal longer than the limit. */
#define KCOM_UNICODE_LITERAL_BYTES_(s)                                                             \
    (sizeof(KCOM_WIDE(s)) + 0 * sizeof(char[sizeof(KCOM_WIDE(s)) <= KCOM_UNICODE_STRING_MAX_BYTES ? 1 : -1]))

/*
 * KCOM_UNICODE_STRING_LITERAL("text") - a brace initializer for a UNICODE_STRING over the literal,
 * like the DDK's RTL_CONSTANT_STRING but over a narrow literal ("text", never L"text": the macro
 * adds the wide prefix, and a prefixed literal fails to paste): Length = the text's bytes (NUL excluded), MaximumLength =
 * Length + 2, Buffer = the literal (static storage, NUL-terminated). A constant initializer, usable
 * at file scope (in C++ the object is still initialized statically, with no code, but it is not
 * a constexpr one: Buffer's conversion is a cast that constant expressions refuse):
 *
 *     static const UNICODE_STRING device_name = KCOM_UNICODE_STRING_LITERAL("\\Device\\Kcom");
 *
 * The literal is never to be written through Buffer. More than 32766 units is a compile error.
 */
#define KCOM_UNICODE_STRING_LITERAL(s)                                                             \
    {                                                                                              \
        (USHORT)(KCOM_UNICODE_LITERAL_BYTES_(s) - sizeof(WCHAR)), (USHORT)KCOM_UNICODE_LITERAL_BYTES_(s), \
            KCOM_CAST_QUAL_BEGIN_(PWCH)KCOM_WIDE(s) KCOM_CAST_QUAL_END_                            \
    }
/* Buffer is PWCH, as in the DDK, and the literal const (C++, or C with -Wwrite-strings): the cast
 * is the macro's, not the consumer's, so clang's -Wcast-qual is off around it (gcc does not see
 * casts in a system header's macro; cl.exe does not warn on casts). */
#if defined(__clang__)
#define KCOM_CAST_QUAL_BEGIN_ _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wcast-qual\"")
#define KCOM_CAST_QUAL_END_ _Pragma("clang diagnostic pop")
#else
#define KCOM_CAST_QUAL_BEGIN_
#define KCOM_CAST_QUAL_END_
#endif

/* KCOM_DECLARE_CONST_UNICODE_STRING(name, "text") - declares `const UNICODE_STRING name` over the
 * literal (prefix it with static as needed), like the DDK's DECLARE_CONST_UNICODE_STRING. */
#define KCOM_DECLARE_CONST_UNICODE_STRING(name, s) const UNICODE_STRING name = KCOM_UNICODE_STRING_LITERAL(s)

/* KCOM_UNICODE_STRING_REF("text") - a `const UNICODE_STRING *` to a compound literal over the
 * literal, for passing a constant string straight to a function (C only: C++ has no compound
 * literals). The UNICODE_STRING itself lives as long as the enclosing block. */
#ifndef __cplusplus
#define KCOM_UNICODE_STRING_REF(s) (&(const UNICODE_STRING)KCOM_UNICODE_STRING_LITERAL(s))
#endif

/* ---- a local buffer -----------------------------------------------------------------------------
 * KCOM_LOCAL_UNICODE_STRING(name, capacity) declares, in a block, storage for `capacity` units of
 * text plus the NUL (zero-filled) and `UNICODE_STRING name` over it: empty, NUL-terminated,
 * MaximumLength = (capacity + 1) * 2. capacity is a constant from 1 to 32766 (anything else is a
 * compile error). Write to it with the kcom_unicode_string_append* and _format functions; the
 * storage is `name##_buffer_` and lives as long as the block.
 *
 *     KCOM_LOCAL_UNICODE_STRING(link, 64);
 *     status = kcom_unicode_string_format(&link, "\\DosDevices\\Kcom%u", index);
 */
#define KCOM_LOCAL_UNICODE_STRING_UNITS_(capacity)                                                 \
    (((capacity) >= 1 && (capacity) <= KCOM_UNICODE_STRING_MAX_UNITS) ? (capacity) + 1 : -1)
#define KCOM_LOCAL_UNICODE_STRING(name, capacity)                                                  \
    enum { name##_units_ = KCOM_LOCAL_UNICODE_STRING_UNITS_(capacity) }; /* a constant, or no build */ \
    WCHAR name##_buffer_[name##_units_] = {0};                                                     \
    UNICODE_STRING name = {0, (USHORT)sizeof(name##_buffer_), name##_buffer_}

/* ---- the owned string ---------------------------------------------------------------------------
 * A UNICODE_STRING whose buffer kcom allocated, and the allocator to free it with. Its buffer is
 * NULL (lengths 0) while it owns no memory: zero-initialized (KCOM_OWNED_UNICODE_STRING_INIT), after
 * kcom_owned_unicode_string_init or _free, or after a failed create. Once a function has
 * succeeded, Buffer is NUL-terminated after Length and MaximumLength is the buffer's size in bytes.
 * Read it through .string; change it only through these functions. allocator NULL stands for
 * the default allocator, looked up (and recorded here) when the first buffer is allocated. */
typedef struct kcom_owned_unicode_string {
    UNICODE_STRING string;
    const kcom_allocator *allocator;
} kcom_owned_unicode_string;

#define KCOM_OWNED_UNICODE_STRING_INIT                                                              \
    {                                                                                              \
        {0, 0, NULL}, NULL                                                                         \
    }

KCOM_BEGIN_DECLS

/* ---- views and caller storage -------------------------------------------------------------------- */

/*
 * kcom_unicode_string_init - makes *view describe the NUL-terminated source without copying it,
 * like RtlInitUnicodeStringEx: Length = its units * 2, MaximumLength = Length + 2, Buffer = source;
 * a NULL source, as there, gives the empty string (0, 0, NULL).
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL view; STATUS_NAME_TOO_LONG when
 * source has more than 32766 units before its NUL (only 32767 are read; *view is zeroed).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_init(_Out_ UNICODE_STRING *view, _In_opt_z_ const WCHAR *source);

/*
 * kcom_unicode_string_init_buffer - makes *dest an empty, NUL-terminated string over caller storage
 * of buffer_units WCHARs (the NUL included), like RtlInitEmptyUnicodeString: Length 0,
 * MaximumLength = buffer_units * 2, buffer[0] = 0. A buffer over 32767 units is used up to 32767.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a NULL dest or buffer or a buffer_units of
 * 0 (*dest, if any, is then zeroed).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_init_buffer(_Out_ UNICODE_STRING *dest, _Out_writes_(buffer_units) WCHAR *buffer,
                                         _In_ size_t buffer_units);

/*
 * kcom_unicode_string_clear - empties *dest: Length 0 and, if the buffer has room, a NUL at its
 * start. IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a NULL or malformed dest (unchanged).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_clear(_Inout_ UNICODE_STRING *dest);

/* ---- bounded appends into caller storage ----------------------------------------------------------
 * Each appends to *dest within its buffer (MaximumLength bytes: any UNICODE_STRING with writable
 * storage, typically a KCOM_LOCAL_UNICODE_STRING) and NUL-terminates the result. All-or-nothing:
 * when the text and its NUL do not fit, nothing is written and the status is STATUS_BUFFER_TOO_SMALL.
 * A malformed dest or a NULL argument gives STATUS_INVALID_PARAMETER, dest unchanged. The source may
 * be dest's own text. IRQL: <= DISPATCH_LEVEL.
 */

/* kcom_unicode_string_append - appends source's Length bytes. IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER (NULL or malformed dest or source) or
 * STATUS_BUFFER_TOO_SMALL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append(_Inout_ UNICODE_STRING *dest, _In_ const UNICODE_STRING *source);

/* kcom_unicode_string_append_wstr - appends the NUL-terminated source (read no further than what
 * could fit: a source longer than the room left is STATUS_BUFFER_TOO_SMALL). IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER (NULL source, NULL or malformed dest) or
 * STATUS_BUFFER_TOO_SMALL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append_wstr(_Inout_ UNICODE_STRING *dest, _In_z_ const WCHAR *source);

/* kcom_unicode_string_append_ascii - appends the NUL-terminated ASCII source, one unit per byte. A
 * byte above 0x7F (which would need a code page or UTF-8 decoding) is STATUS_INVALID_PARAMETER.
 * The source is read up to its NUL, at most 32767 bytes, whatever room is left (so the status is
 * the same for any buffer); a source without a NUL in those bytes is STATUS_BUFFER_TOO_SMALL.
 * IRQL: <= DISPATCH_LEVEL. Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER (NULL source, NULL or
 * malformed dest, a byte above 0x7F) or STATUS_BUFFER_TOO_SMALL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append_ascii(_Inout_ UNICODE_STRING *dest, _In_z_ const char *source);

/* kcom_unicode_string_append_int64 - appends value in decimal, with a '-' when negative.
 * IRQL: <= DISPATCH_LEVEL. Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER (NULL or malformed dest)
 * or STATUS_BUFFER_TOO_SMALL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append_int64(_Inout_ UNICODE_STRING *dest, _In_ LONG64 value);

/* kcom_unicode_string_append_uint64 - appends value in decimal. IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER (NULL or malformed dest) or
 * STATUS_BUFFER_TOO_SMALL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append_uint64(_Inout_ UNICODE_STRING *dest, _In_ ULONG64 value);

/* kcom_unicode_string_append_hex - appends value in lowercase hexadecimal, without a prefix or
 * leading zeros ("0" for 0). IRQL: <= DISPATCH_LEVEL. Returns STATUS_SUCCESS,
 * STATUS_INVALID_PARAMETER (NULL or malformed dest) or STATUS_BUFFER_TOO_SMALL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append_hex(_Inout_ UNICODE_STRING *dest, _In_ ULONG64 value);

/*
 * kcom_unicode_string_format / _vformat - replaces *dest's text with the formatted text;
 * kcom_unicode_string_append_format / _append_vformat - appends it. All-or-nothing, as above. The
 * format is ASCII; its conversions (docs/strings.md):
 *
 *   %d %i  int           %u %x %X  unsigned int     (decimal; hex lowercase / uppercase)
 *   %ld %li LONG          %lu %lx %lX ULONG          ('l' is 32-bit on every target: Windows' long)
 *   %lld %lli long long   %llu %llx %llX unsigned long long
 *   %zd %zi LONG_PTR      %zu %zx %zX size_t
 *   %c     int, one UTF-16 unit (0..0xFFFF)
 *   %s     const char *, ASCII (a byte above 0x7F: STATUS_INVALID_PARAMETER)
 *   %S %ws const WCHAR *, NUL-terminated
 *   %U %wZ const UNICODE_STRING * (Length bytes; %wZ is DbgPrint's spelling)
 *   %p     void *, "0x" and 2 * sizeof(void *) lowercase hex digits
 *   %%     '%'
 *
 * with the flags '-' (left-justify) and '0' (pad numbers with zeros after the sign), each optional,
 * in any order and repeatable as in printf, and a decimal width (at most 32767) before the length
 * modifier. Anything else (precision, '*', '+', '#', 'h', 'I64', %n, %f, ...) is
 * STATUS_INVALID_PARAMETER, as is a NULL %s / %S / %U argument, a malformed %U string, an
 * out-of-range %c, or a %s / %S / %U argument whose text (or NUL), a %U argument's UNICODE_STRING
 * itself, or the format, lies in the part of dest's buffer being written (for _format the whole
 * buffer, for _append_format from Length on). The whole format is checked
 * before anything is written, so a bad format fails the same way whatever the buffer's size. No
 * compiler format checking: the conversions are not printf's.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER or STATUS_BUFFER_TOO_SMALL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_format(_Inout_ UNICODE_STRING *dest, _In_z_ const char *format, ...);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_vformat(_Inout_ UNICODE_STRING *dest, _In_z_ const char *format, va_list args);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append_format(_Inout_ UNICODE_STRING *dest, _In_z_ const char *format, ...);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_unicode_string_append_vformat(_Inout_ UNICODE_STRING *dest, _In_z_ const char *format,
                                            va_list args);

/* ---- comparisons ----------------------------------------------------------------------------------
 * Unit by unit, over Length bytes. ignore_case folds ASCII letters only (A-Z to a-z); every other
 * unit must match exactly. A NULL or malformed string equals nothing (FALSE). IRQL: <= DISPATCH_LEVEL.
 * Never fail. */

/* kcom_unicode_string_equal - TRUE when a and b hold the same text. IRQL: <= DISPATCH_LEVEL.
 * Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN kcom_unicode_string_equal(_In_ const UNICODE_STRING *a, _In_ const UNICODE_STRING *b,
                                  _In_ BOOLEAN ignore_case);

/* kcom_unicode_string_starts_with - TRUE when text begins with prefix (always for an empty prefix
 * of a well-formed text; FALSE when either is NULL or malformed). IRQL: <= DISPATCH_LEVEL. Never
 * fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN kcom_unicode_string_starts_with(_In_ const UNICODE_STRING *text, _In_ const UNICODE_STRING *prefix,
                                        _In_ BOOLEAN ignore_case);

/* ---- the owned string ------------------------------------------------------------------------------
 * Text longer than 32766 units is STATUS_NAME_TOO_LONG (RtlDuplicateUnicodeString's status), a
 * failed allocation STATUS_INSUFFICIENT_RESOURCES. IRQL: <= DISPATCH_LEVEL when the allocator
 * allows it (kcom's default does).
 */

/*
 * kcom_owned_unicode_string_init - makes *string empty (owning nothing) with the allocator its
 * buffers will come from (NULL: the default allocator). Does not free what *string held.
 * IRQL: <= DISPATCH_LEVEL.
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a NULL string, or an allocator whose
 * allocate or free is NULL (*string is then empty with the default allocator).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_owned_unicode_string_init(_Out_ kcom_owned_unicode_string *string,
                                        _In_opt_ const kcom_allocator *allocator);

/*
 * kcom_owned_unicode_string_create - *out = a copy of source in a buffer from allocator (NULL: the
 * default), exactly Length + 2 bytes (an empty source still gets a buffer holding the NUL). *out is
 * treated as uninitialized: what it held is not freed. IRQL: <= DISPATCH_LEVEL when the allocator
 * allows it.
 * Returns STATUS_SUCCESS; on failure *out (if not NULL) is left empty with the allocator recorded,
 * so _free and the appends work on it: STATUS_INVALID_PARAMETER (NULL out or source, malformed
 * source; an allocator whose allocate or free is NULL: NULL is recorded instead, which stands for
 * the default allocator),
 * STATUS_NAME_TOO_LONG (source over 32766 units), STATUS_INSUFFICIENT_RESOURCES.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_owned_unicode_string_create(_Out_ kcom_owned_unicode_string *out,
                                          _In_opt_ const kcom_allocator *allocator,
                                          _In_ const UNICODE_STRING *source);

/* kcom_owned_unicode_string_create_from_wstr - the same from a NUL-terminated source (at most 32767
 * units are read: a longer one is STATUS_NAME_TOO_LONG). IRQL: <= DISPATCH_LEVEL when the allocator
 * allows it. Returns the statuses of kcom_owned_unicode_string_create, with *out left the same way. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_owned_unicode_string_create_from_wstr(_Out_ kcom_owned_unicode_string *out,
                                                    _In_opt_ const kcom_allocator *allocator,
                                                    _In_z_ const WCHAR *source);

/* kcom_owned_unicode_string_duplicate - kcom_owned_unicode_string_create(out, source->allocator,
 * &source->string): a copy from the same allocator. An empty source gives an empty copy with a
 * buffer. IRQL: <= DISPATCH_LEVEL when the allocator allows it. Returns STATUS_SUCCESS,
 * STATUS_INVALID_PARAMETER (NULL out or source, malformed source string), STATUS_NAME_TOO_LONG or
 * STATUS_INSUFFICIENT_RESOURCES, with *out left as kcom_owned_unicode_string_create leaves it. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_owned_unicode_string_duplicate(_Out_ kcom_owned_unicode_string *out,
                                             _In_ const kcom_owned_unicode_string *source);

/*
 * kcom_owned_unicode_string_append / _append_wstr / _append_format - appends to *string, growing
 * its buffer when needed (a new buffer of at least twice the old size, at most 65534 bytes; the text
 * is copied and the old buffer freed). All-or-nothing: on failure *string is unchanged (same buffer,
 * same text). The source may be the string's own text. _append_format takes the conversions of
 * kcom_unicode_string_format; its %s / %S / %U arguments may not lie in the string's buffer beyond
 * Length. IRQL: <= DISPATCH_LEVEL when the allocator allows it.
 * Returns STATUS_SUCCESS, STATUS_INVALID_PARAMETER (NULL argument, malformed source, bad format),
 * STATUS_NAME_TOO_LONG (the result would exceed 32766 units) or STATUS_INSUFFICIENT_RESOURCES.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_owned_unicode_string_append(_Inout_ kcom_owned_unicode_string *string,
                                          _In_ const UNICODE_STRING *source);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_owned_unicode_string_append_wstr(_Inout_ kcom_owned_unicode_string *string,
                                               _In_z_ const WCHAR *source);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS kcom_owned_unicode_string_append_format(_Inout_ kcom_owned_unicode_string *string,
                                                 _In_z_ const char *format, ...);

/* kcom_owned_unicode_string_free - frees the buffer and leaves *string empty, the allocator kept
 * (so it can be reused). NULL, or a string owning nothing, is ignored. IRQL: <= DISPATCH_LEVEL when
 * the allocator allows it. Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_owned_unicode_string_free(_Inout_opt_ kcom_owned_unicode_string *string);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_UNICODE_STRING_H */
