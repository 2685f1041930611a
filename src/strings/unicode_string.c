/*
 * UNICODE_STRING helpers: views, bounded appends and formatting into caller storage, comparisons,
 * and the owned allocator-backed string (kcom/unicode_string.h; docs/strings.md).
 *
 * No CRT beyond memcpy/memmove (ntoskrnl exports both): integers are formatted here, and the
 * formatter is two passes over the arguments, one measuring and checking everything, one writing,
 * so that a failure leaves the destination untouched.
 */
#include <kcom/unicode_string.h>

#include <string.h>

#include "internal.h"

/* The longest text kcom writes, and one more: what scans stop at (a longer input is refused
 * whatever the destination). */
#define MAX_UNITS ((size_t)KCOM_UNICODE_STRING_MAX_UNITS)
#define SCAN_LIMIT (MAX_UNITS + 1)
/* Measuring saturates here: above any UNICODE_STRING's capacity, so a saturated count never fits. */
#define MEASURE_LIMIT ((size_t)0x10000)
#define MAX_WIDTH 32767u
#define WCHAR_ALIGNMENT KCOM_ALIGNOF(WCHAR)

/* ---- checks --------------------------------------------------------------------------------------- */

/* A string kcom may read: even Length within MaximumLength, storage if there is text. */
static int source_valid(const UNICODE_STRING *s)
{
    return s != NULL && (s->Length & 1u) == 0 && s->Length <= s->MaximumLength &&
           (s->Buffer != NULL || s->Length == 0);
}

/* A string kcom may write: a readable one whose MaximumLength bytes of Buffer exist. */
static int dest_valid(const UNICODE_STRING *s)
{
    return source_valid(s) && (s->Buffer != NULL || s->MaximumLength == 0);
}

/* Units of text dest can hold with its NUL (0 when there is no room even for the NUL). */
static size_t text_capacity(const UNICODE_STRING *dest)
{
    size_t units = (size_t)dest->MaximumLength / sizeof(WCHAR);
    return units > 0 ? units - 1 : 0;
}

/* Units that fit after the first `start` units of dest, the NUL kept; -1 when not even the NUL fits
 * there (no storage, or a text that fills its buffer). */
static ptrdiff_t room_after(const UNICODE_STRING *dest, size_t start)
{
    size_t capacity = text_capacity(dest);
    if (dest->MaximumLength < sizeof(WCHAR) || start > capacity)
        return -1;
    return (ptrdiff_t)(capacity - start);
}

/* Units before the NUL of source, reading at most limit units; limit when there is no NUL there. */
static size_t wide_length(const WCHAR *source, size_t limit)
{
    size_t n = 0;
    while (n < limit && source[n] != 0)
        n++;
    return n;
}

/* Bytes before the NUL of an ASCII source, at most limit; *ascii = 0 if one of them is above 0x7F. */
static size_t ascii_length(const char *source, size_t limit, int *ascii)
{
    size_t n = 0;
    *ascii = 1;
    while (n < limit && source[n] != '\0') {
        if ((unsigned char)source[n] > 0x7Fu)
            *ascii = 0;
        n++;
    }
    return n;
}

static void ascii_to_units(WCHAR *out, const char *source, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        out[i] = (WCHAR)(unsigned char)source[i];
}

static WCHAR fold_ascii(WCHAR c)
{
    return (c >= 'A' && c <= 'Z') ? (WCHAR)(c + ('a' - 'A')) : c;
}

/* ---- integers ------------------------------------------------------------------------------------- */

#define DIGITS_SIZE 24 /* 20 decimal digits of 2^64 - 1, 16 hex digits */

/* The digits of value, at the end of buffer[DIGITS_SIZE]; returns where they start. */
static char *format_digits(char *buffer, ULONG64 value, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = buffer + DIGITS_SIZE;
    do {
        *--p = digits[value % base];
        value /= base;
    } while (value != 0);
    return p;
}

/* ---- bounded appends ------------------------------------------------------------------------------ */

/* Appends n units (from wide, or from ASCII bytes) to a valid dest, or fails leaving it untouched. */
static NTSTATUS bounded_append(UNICODE_STRING *dest, const WCHAR *wide, const char *ascii, size_t n)
{
    size_t length = dest->Length / sizeof(WCHAR);
    ptrdiff_t room = room_after(dest, length);
    if (room < 0 || n > (size_t)room)
        return STATUS_BUFFER_TOO_SMALL;
    if (wide != NULL)
        memmove(dest->Buffer + length, wide, n * sizeof(WCHAR)); /* it may be dest's own text */
    else
        ascii_to_units(dest->Buffer + length, ascii, n);
    dest->Buffer[length + n] = 0;
    dest->Length = (USHORT)((length + n) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS kcom_unicode_string_init(UNICODE_STRING *view, const WCHAR *source)
{
    size_t n;
    if (view == NULL)
        return STATUS_INVALID_PARAMETER;
    view->Length = 0;
    view->MaximumLength = 0;
    view->Buffer = NULL;
    if (source == NULL)
        return STATUS_SUCCESS; /* the empty string, as RtlInitUnicodeStringEx makes it */
    n = wide_length(source, SCAN_LIMIT);
    if (n > MAX_UNITS)
        return STATUS_NAME_TOO_LONG;
    view->Length = (USHORT)(n * sizeof(WCHAR));
    view->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    view->Buffer = (PWCH)(uintptr_t)source; /* a view: kcom never writes through it */
    return STATUS_SUCCESS;
}

NTSTATUS kcom_unicode_string_init_buffer(UNICODE_STRING *dest, WCHAR *buffer, size_t buffer_units)
{
    if (dest == NULL)
        return STATUS_INVALID_PARAMETER;
    dest->Length = 0;
    dest->MaximumLength = 0;
    dest->Buffer = NULL;
    if (buffer == NULL || buffer_units == 0)
        return STATUS_INVALID_PARAMETER;
    if (buffer_units > SCAN_LIMIT)
        buffer_units = SCAN_LIMIT;
    buffer[0] = 0;
    dest->MaximumLength = (USHORT)(buffer_units * sizeof(WCHAR));
    dest->Buffer = buffer;
    return STATUS_SUCCESS;
}

NTSTATUS kcom_unicode_string_clear(UNICODE_STRING *dest)
{
    if (!dest_valid(dest))
        return STATUS_INVALID_PARAMETER;
    dest->Length = 0;
    if (dest->MaximumLength >= sizeof(WCHAR))
        dest->Buffer[0] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS kcom_unicode_string_append(UNICODE_STRING *dest, const UNICODE_STRING *source)
{
    if (!dest_valid(dest) || !source_valid(source))
        return STATUS_INVALID_PARAMETER;
    return bounded_append(dest, source->Buffer, NULL, source->Length / sizeof(WCHAR));
}

NTSTATUS kcom_unicode_string_append_wstr(UNICODE_STRING *dest, const WCHAR *source)
{
    ptrdiff_t room;
    if (!dest_valid(dest) || source == NULL)
        return STATUS_INVALID_PARAMETER;
    room = room_after(dest, dest->Length / sizeof(WCHAR));
    if (room < 0)
        return STATUS_BUFFER_TOO_SMALL;
    /* one unit more than fits tells "too long" without reading the rest */
    return bounded_append(dest, source, NULL, wide_length(source, (size_t)room + 1));
}

NTSTATUS kcom_unicode_string_append_ascii(UNICODE_STRING *dest, const char *source)
{
    size_t n;
    int ascii;
    if (!dest_valid(dest) || source == NULL)
        return STATUS_INVALID_PARAMETER;
    n = ascii_length(source, SCAN_LIMIT, &ascii);
    if (!ascii)
        return STATUS_INVALID_PARAMETER;
    return bounded_append(dest, NULL, source, n);
}

static NTSTATUS append_number(UNICODE_STRING *dest, const char *sign, ULONG64 magnitude, unsigned base)
{
    char digits[DIGITS_SIZE + 1];
    char *start;
    if (!dest_valid(dest))
        return STATUS_INVALID_PARAMETER;
    start = format_digits(digits + 1, magnitude, base, 0);
    if (sign != NULL)
        *--start = *sign;
    return bounded_append(dest, NULL, start, (size_t)(digits + 1 + DIGITS_SIZE - start));
}

NTSTATUS kcom_unicode_string_append_int64(UNICODE_STRING *dest, LONG64 value)
{
    /* the magnitude in unsigned arithmetic, so that INT64_MIN has one */
    return value < 0 ? append_number(dest, "-", (ULONG64)0 - (ULONG64)value, 10)
                     : append_number(dest, NULL, (ULONG64)value, 10);
}

NTSTATUS kcom_unicode_string_append_uint64(UNICODE_STRING *dest, ULONG64 value)
{
    return append_number(dest, NULL, value, 10);
}

NTSTATUS kcom_unicode_string_append_hex(UNICODE_STRING *dest, ULONG64 value)
{
    return append_number(dest, NULL, value, 16);
}

/* ---- formatting ------------------------------------------------------------------------------------
 * One pass over the format either measures (out == NULL: counts units, saturating at MEASURE_LIMIT,
 * and checks every conversion and argument) or writes at out (what the measuring pass accepted,
 * never past limit units). */

typedef struct writer {
    WCHAR *out;
    size_t count;
    size_t limit;
    /* the bytes of dest's buffer being written: no %s / %S / %U argument may lie there */
    uintptr_t region_start;
    uintptr_t region_end;
} writer;

static size_t writer_take(writer *w, size_t n)
{
    size_t room = w->limit - w->count;
    return n < room ? n : room;
}

static void put_wide(writer *w, const WCHAR *source, size_t n)
{
    n = writer_take(w, n);
    if (w->out != NULL && n != 0)
        memcpy(w->out + w->count, source, n * sizeof(WCHAR));
    w->count += n;
}

static void put_ascii(writer *w, const char *source, size_t n)
{
    n = writer_take(w, n);
    if (w->out != NULL)
        ascii_to_units(w->out + w->count, source, n);
    w->count += n;
}

static void put_repeat(writer *w, WCHAR unit, size_t n)
{
    size_t i;
    n = writer_take(w, n);
    if (w->out != NULL)
        for (i = 0; i < n; i++)
            w->out[w->count + i] = unit;
    w->count += n;
}

static int overlaps_region(const writer *w, const void *start, size_t bytes)
{
    uintptr_t begin = (uintptr_t)start;
    return bytes != 0 && begin < w->region_end && w->region_start < begin + bytes;
}

typedef struct conversion {
    int left;     /* '-' */
    int zero;     /* '0' */
    size_t width; /* 0: none */
} conversion;

/* Pads around one converted piece of `length` units whose body put_body writes. */
static void put_padding_before(writer *w, const conversion *c, size_t length)
{
    if (!c->left && c->width > length)
        put_repeat(w, (WCHAR)' ', c->width - length);
}
static void put_padding_after(writer *w, const conversion *c, size_t length)
{
    if (c->left && c->width > length)
        put_repeat(w, (WCHAR)' ', c->width - length);
}

/* prefix ("-", "0x" or ""), then the digits, at least min_digits of them (leading zeros). */
static void put_number(writer *w, const conversion *c, const char *prefix, ULONG64 value, unsigned base,
                       int upper, size_t min_digits)
{
    char buffer[DIGITS_SIZE];
    const char *digits = format_digits(buffer, value, base, upper);
    size_t digit_count = (size_t)(buffer + DIGITS_SIZE - digits);
    size_t prefix_length = 0;
    size_t zeros = min_digits > digit_count ? min_digits - digit_count : 0;
    size_t length;
    while (prefix[prefix_length] != '\0')
        prefix_length++;
    length = prefix_length + zeros + digit_count;
    if (c->zero && !c->left && c->width > length) {
        zeros += c->width - length;
        length = c->width;
    }
    put_padding_before(w, c, length);
    put_ascii(w, prefix, prefix_length);
    put_repeat(w, (WCHAR)'0', zeros);
    put_ascii(w, digits, digit_count);
    put_padding_after(w, c, length);
}

static void put_signed(writer *w, const conversion *c, LONG64 value)
{
    if (value < 0)
        put_number(w, c, "-", (ULONG64)0 - (ULONG64)value, 10, 0, 1);
    else
        put_number(w, c, "", (ULONG64)value, 10, 0, 1);
}

enum length_modifier { LENGTH_NONE, LENGTH_L, LENGTH_LL, LENGTH_Z, LENGTH_W };

static NTSTATUS format_pass(writer *w, const char *format, va_list *args)
{
    const char *p = format;
    while (*p != '\0') {
        conversion c = {0, 0, 0};
        enum length_modifier length = LENGTH_NONE;
        char kind;
        if (*p != '%') {
            const char *run = p;
            while (*p != '\0' && *p != '%') {
                if ((unsigned char)*p > 0x7Fu)
                    return STATUS_INVALID_PARAMETER;
                p++;
            }
            put_ascii(w, run, (size_t)(p - run));
            continue;
        }
        p++;
        for (;; p++) {
            if (*p == '-')
                c.left = 1;
            else if (*p == '0')
                c.zero = 1;
            else
                break;
        }
        while (*p >= '0' && *p <= '9') {
            c.width = c.width * 10 + (size_t)(*p - '0');
            if (c.width > MAX_WIDTH)
                return STATUS_INVALID_PARAMETER;
            p++;
        }
        if (*p == 'l') {
            p++;
            length = LENGTH_L;
            if (*p == 'l') {
                p++;
                length = LENGTH_LL;
            }
        } else if (*p == 'z') {
            p++;
            length = LENGTH_Z;
        } else if (*p == 'w') {
            p++;
            length = LENGTH_W;
        }
        kind = *p;
        if (kind == '\0')
            return STATUS_INVALID_PARAMETER;
        p++;
        switch (kind) {
        case 'd':
        case 'i':
            if (length == LENGTH_NONE)
                put_signed(w, &c, va_arg(*args, int));
            else if (length == LENGTH_L)
                put_signed(w, &c, va_arg(*args, LONG));
            else if (length == LENGTH_LL)
                put_signed(w, &c, va_arg(*args, long long));
            else if (length == LENGTH_Z)
                put_signed(w, &c, (LONG64)va_arg(*args, LONG_PTR));
            else
                return STATUS_INVALID_PARAMETER;
            break;
        case 'u':
        case 'x':
        case 'X': {
            ULONG64 value;
            if (length == LENGTH_NONE)
                value = va_arg(*args, unsigned int);
            else if (length == LENGTH_L)
                value = va_arg(*args, ULONG);
            else if (length == LENGTH_LL)
                value = va_arg(*args, unsigned long long);
            else if (length == LENGTH_Z)
                value = va_arg(*args, size_t);
            else
                return STATUS_INVALID_PARAMETER;
            put_number(w, &c, "", value, kind == 'u' ? 10u : 16u, kind == 'X', 1);
            break;
        }
        case 'p':
            if (length != LENGTH_NONE)
                return STATUS_INVALID_PARAMETER;
            put_number(w, &c, "0x", (ULONG64)(uintptr_t)va_arg(*args, void *), 16, 0, 2 * sizeof(void *));
            break;
        case 'c': {
            int value = va_arg(*args, int);
            WCHAR unit;
            if (length != LENGTH_NONE || value < 0 || value > 0xFFFF)
                return STATUS_INVALID_PARAMETER;
            unit = (WCHAR)value;
            put_padding_before(w, &c, 1);
            put_wide(w, &unit, 1);
            put_padding_after(w, &c, 1);
            break;
        }
        case 's':
        case 'S':
        case 'U':
        case 'Z': {
            const WCHAR *wide = NULL;
            const char *ascii = NULL;
            size_t n;
            if (kind == 's' && length == LENGTH_NONE) {
                int is_ascii;
                ascii = va_arg(*args, const char *);
                if (ascii == NULL)
                    return STATUS_INVALID_PARAMETER;
                n = ascii_length(ascii, SCAN_LIMIT, &is_ascii);
                if (!is_ascii || overlaps_region(w, ascii, n < SCAN_LIMIT ? n + 1 : n))
                    return STATUS_INVALID_PARAMETER;
            } else if ((kind == 'S' && length == LENGTH_NONE) || (kind == 's' && length == LENGTH_W)) {
                wide = va_arg(*args, const WCHAR *);
                if (wide == NULL)
                    return STATUS_INVALID_PARAMETER;
                n = wide_length(wide, SCAN_LIMIT);
                /* the NUL too: the writing pass finds the length again */
                if (overlaps_region(w, wide, (n < SCAN_LIMIT ? n + 1 : n) * sizeof(WCHAR)))
                    return STATUS_INVALID_PARAMETER;
            } else if ((kind == 'U' && length == LENGTH_NONE) || (kind == 'Z' && length == LENGTH_W)) {
                const UNICODE_STRING *string = va_arg(*args, const UNICODE_STRING *);
                /* the struct too: the writing pass reads its Buffer again */
                if (!source_valid(string) || overlaps_region(w, string, sizeof(*string)) ||
                    overlaps_region(w, string->Buffer, string->Length))
                    return STATUS_INVALID_PARAMETER;
                wide = string->Buffer;
                n = string->Length / sizeof(WCHAR);
            } else {
                return STATUS_INVALID_PARAMETER;
            }
            put_padding_before(w, &c, n);
            if (ascii != NULL)
                put_ascii(w, ascii, n);
            else
                put_wide(w, wide, n);
            put_padding_after(w, &c, n);
            break;
        }
        case '%':
            if (length != LENGTH_NONE || c.left || c.zero || c.width != 0)
                return STATUS_INVALID_PARAMETER;
            put_ascii(w, "%", 1);
            break;
        default:
            return STATUS_INVALID_PARAMETER;
        }
    }
    /* the format too, with its NUL: the writing pass reads it again (it has no region to check) */
    return overlaps_region(w, format, (size_t)(p - format) + 1) ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

/* The bytes of dest's buffer from unit `start` on (computed on integers: Buffer may be NULL). */
static uintptr_t region_from(const UNICODE_STRING *dest, size_t start)
{
    return (uintptr_t)dest->Buffer + start * sizeof(WCHAR);
}

/* Measures the formatted text: *units (saturated at MEASURE_LIMIT) or a failure; the arguments and
 * the format must not lie in [region, region_end). */
static NTSTATUS format_measure(const char *format, va_list args, uintptr_t region, uintptr_t region_end,
                               size_t *units)
{
    writer w;
    va_list copy;
    NTSTATUS status;
    w.out = NULL;
    w.count = 0;
    w.limit = MEASURE_LIMIT;
    w.region_start = region;
    w.region_end = region_end;
    va_copy(copy, args);
    status = format_pass(&w, format, &copy);
    va_end(copy);
    *units = w.count;
    return status;
}

/* Writes the measured text at out (at most limit units) and returns how many were written. */
static size_t format_write(WCHAR *out, size_t limit, const char *format, va_list args)
{
    writer w;
    va_list copy;
    w.out = out;
    w.count = 0;
    w.limit = limit;
    w.region_start = 0;
    w.region_end = 0;
    va_copy(copy, args);
    (void)format_pass(&w, format, &copy);
    va_end(copy);
    return w.count;
}

/* Formats into dest from unit `start` (0: replace, Length: append). */
static NTSTATUS bounded_format(UNICODE_STRING *dest, size_t start, const char *format, va_list args)
{
    size_t units, written;
    ptrdiff_t room;
    NTSTATUS status;
    if (!dest_valid(dest) || format == NULL)
        return STATUS_INVALID_PARAMETER;
    status = format_measure(format, args, region_from(dest, start), region_from(dest, 0) + dest->MaximumLength,
                            &units);
    if (!NT_SUCCESS(status))
        return status;
    room = room_after(dest, start);
    if (room < 0 || units > (size_t)room)
        return STATUS_BUFFER_TOO_SMALL;
    written = format_write(dest->Buffer + start, units, format, args);
    dest->Buffer[start + written] = 0;
    dest->Length = (USHORT)((start + written) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS kcom_unicode_string_vformat(UNICODE_STRING *dest, const char *format, va_list args)
{
    return bounded_format(dest, 0, format, args);
}

NTSTATUS kcom_unicode_string_format(UNICODE_STRING *dest, const char *format, ...)
{
    va_list args;
    NTSTATUS status;
    va_start(args, format);
    status = bounded_format(dest, 0, format, args);
    va_end(args);
    return status;
}

NTSTATUS kcom_unicode_string_append_vformat(UNICODE_STRING *dest, const char *format, va_list args)
{
    /* dest is checked before its Length is used */
    return bounded_format(dest, dest_valid(dest) ? dest->Length / sizeof(WCHAR) : 0, format, args);
}

NTSTATUS kcom_unicode_string_append_format(UNICODE_STRING *dest, const char *format, ...)
{
    va_list args;
    NTSTATUS status;
    va_start(args, format);
    status = kcom_unicode_string_append_vformat(dest, format, args);
    va_end(args);
    return status;
}

/* ---- comparisons ---------------------------------------------------------------------------------- */

static BOOLEAN units_equal(const WCHAR *a, const WCHAR *b, size_t n, BOOLEAN ignore_case)
{
    size_t i;
    for (i = 0; i < n; i++) {
        WCHAR x = a[i], y = b[i];
        if (x != y && (!ignore_case || fold_ascii(x) != fold_ascii(y)))
            return FALSE;
    }
    return TRUE;
}

BOOLEAN kcom_unicode_string_equal(const UNICODE_STRING *a, const UNICODE_STRING *b, BOOLEAN ignore_case)
{
    if (!source_valid(a) || !source_valid(b) || a->Length != b->Length)
        return FALSE;
    return units_equal(a->Buffer, b->Buffer, a->Length / sizeof(WCHAR), ignore_case);
}

BOOLEAN kcom_unicode_string_starts_with(const UNICODE_STRING *text, const UNICODE_STRING *prefix,
                                        BOOLEAN ignore_case)
{
    if (!source_valid(text) || !source_valid(prefix) || prefix->Length > text->Length)
        return FALSE;
    return units_equal(text->Buffer, prefix->Buffer, prefix->Length / sizeof(WCHAR), ignore_case);
}

/* ---- the owned string ------------------------------------------------------------------------------ */

static void owned_empty(kcom_owned_unicode_string *string, const kcom_allocator *allocator)
{
    string->string.Length = 0;
    string->string.MaximumLength = 0;
    string->string.Buffer = NULL;
    string->allocator = kcom_allocator_usable(allocator) ? allocator : NULL; /* never one kcom cannot call */
}

static const kcom_allocator *resolve_allocator(const kcom_allocator *allocator)
{
    return allocator != NULL ? allocator : kcom_default_allocator();
}

/* A buffer of `units` WCHARs (the NUL included, at most 32767) from allocator, or NULL. */
static WCHAR *buffer_allocate(const kcom_allocator *allocator, size_t units)
{
    return (WCHAR *)kcom_allocate(allocator, units * sizeof(WCHAR), WCHAR_ALIGNMENT);
}

NTSTATUS kcom_owned_unicode_string_init(kcom_owned_unicode_string *string, const kcom_allocator *allocator)
{
    if (string == NULL)
        return STATUS_INVALID_PARAMETER;
    owned_empty(string, allocator);
    return kcom_allocator_usable(allocator) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

/* *out = a copy of n units at source (which may be anything *out pointed to). */
static NTSTATUS owned_create(kcom_owned_unicode_string *out, const kcom_allocator *allocator, const WCHAR *source,
                             size_t n)
{
    const kcom_allocator *resolved;
    WCHAR *buffer;
    if (!kcom_allocator_usable(allocator)) {
        owned_empty(out, NULL);
        return STATUS_INVALID_PARAMETER;
    }
    if (n > MAX_UNITS) {
        owned_empty(out, allocator);
        return STATUS_NAME_TOO_LONG;
    }
    resolved = resolve_allocator(allocator);
    buffer = buffer_allocate(resolved, n + 1);
    if (buffer == NULL) {
        owned_empty(out, allocator);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (n != 0)
        memcpy(buffer, source, n * sizeof(WCHAR));
    buffer[n] = 0;
    out->string.Length = (USHORT)(n * sizeof(WCHAR));
    out->string.MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    out->string.Buffer = buffer;
    out->allocator = resolved;
    return STATUS_SUCCESS;
}

NTSTATUS kcom_owned_unicode_string_create(kcom_owned_unicode_string *out, const kcom_allocator *allocator,
                                          const UNICODE_STRING *source)
{
    if (out == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!source_valid(source)) {
        owned_empty(out, allocator);
        return STATUS_INVALID_PARAMETER;
    }
    return owned_create(out, allocator, source->Buffer, source->Length / sizeof(WCHAR));
}

NTSTATUS kcom_owned_unicode_string_create_from_wstr(kcom_owned_unicode_string *out, const kcom_allocator *allocator,
                                                    const WCHAR *source)
{
    if (out == NULL)
        return STATUS_INVALID_PARAMETER;
    if (source == NULL) {
        owned_empty(out, allocator);
        return STATUS_INVALID_PARAMETER;
    }
    return owned_create(out, allocator, source, wide_length(source, SCAN_LIMIT));
}

NTSTATUS kcom_owned_unicode_string_duplicate(kcom_owned_unicode_string *out, const kcom_owned_unicode_string *source)
{
    if (out == NULL)
        return STATUS_INVALID_PARAMETER;
    if (source == NULL) {
        owned_empty(out, NULL);
        return STATUS_INVALID_PARAMETER;
    }
    return kcom_owned_unicode_string_create(out, source->allocator, &source->string);
}

/* An owned string kcom may change: valid, and owning a buffer exactly when it has a MaximumLength. */
static int owned_valid(const kcom_owned_unicode_string *string)
{
    return string != NULL && dest_valid(&string->string);
}

/* A new buffer of an append, not installed yet: its size and the allocator it came from (the
 * string's, or the default of the moment for a string that has none yet: looked up once, so that
 * a default replaced meanwhile is not the one recorded). */
typedef struct owned_growth {
    WCHAR *buffer; /* NULL: the current buffer is big enough */
    size_t units;
    const kcom_allocator *allocator;
} owned_growth;

/* Makes room for `total` units of text and the NUL. Returns the buffer to write into: the current
 * one when it is big enough (growth->buffer NULL), else a new one (growth describes it) holding a
 * copy of the current text, which the caller installs with owned_install once it has written the
 * rest. NULL when the allocation fails. */
static WCHAR *owned_reserve(kcom_owned_unicode_string *string, size_t total, owned_growth *growth)
{
    size_t have = string->string.MaximumLength / sizeof(WCHAR);
    size_t length = string->string.Length / sizeof(WCHAR);
    size_t units;
    WCHAR *buffer;
    growth->buffer = NULL;
    growth->units = 0;
    growth->allocator = NULL;
    if (total + 1 <= have)
        return string->string.Buffer;
    units = 2 * have > total + 1 ? 2 * have : total + 1;
    if (units > SCAN_LIMIT)
        units = SCAN_LIMIT;
    growth->allocator = resolve_allocator(string->allocator);
    buffer = buffer_allocate(growth->allocator, units);
    if (buffer == NULL)
        return NULL;
    if (length != 0)
        memcpy(buffer, string->string.Buffer, length * sizeof(WCHAR));
    growth->buffer = buffer;
    growth->units = units;
    return buffer;
}

/* Finishes an append of `total` units into buffer (from owned_reserve). */
static void owned_install(kcom_owned_unicode_string *string, WCHAR *buffer, const owned_growth *growth,
                          size_t total)
{
    buffer[total] = 0;
    if (growth->buffer != NULL) {
        /* an old buffer came from the allocator the string records, the one growth names */
        if (string->string.Buffer != NULL)
            kcom_free(growth->allocator, string->string.Buffer, string->string.MaximumLength, WCHAR_ALIGNMENT);
        string->string.Buffer = growth->buffer;
        string->string.MaximumLength = (USHORT)(growth->units * sizeof(WCHAR));
        string->allocator = growth->allocator;
    }
    string->string.Length = (USHORT)(total * sizeof(WCHAR));
}

static NTSTATUS owned_append(kcom_owned_unicode_string *string, const WCHAR *source, size_t n)
{
    size_t length = string->string.Length / sizeof(WCHAR);
    owned_growth growth;
    WCHAR *buffer;
    if (n > MAX_UNITS - length)
        return STATUS_NAME_TOO_LONG;
    buffer = owned_reserve(string, length + n, &growth);
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* the source may be the string's own text, still in the old buffer */
    if (n != 0)
        memmove(buffer + length, source, n * sizeof(WCHAR));
    owned_install(string, buffer, &growth, length + n);
    return STATUS_SUCCESS;
}

NTSTATUS kcom_owned_unicode_string_append(kcom_owned_unicode_string *string, const UNICODE_STRING *source)
{
    if (!owned_valid(string) || !source_valid(source))
        return STATUS_INVALID_PARAMETER;
    return owned_append(string, source->Buffer, source->Length / sizeof(WCHAR));
}

NTSTATUS kcom_owned_unicode_string_append_wstr(kcom_owned_unicode_string *string, const WCHAR *source)
{
    size_t n;
    if (!owned_valid(string) || source == NULL)
        return STATUS_INVALID_PARAMETER;
    n = wide_length(source, SCAN_LIMIT);
    if (n > MAX_UNITS)
        return STATUS_NAME_TOO_LONG;
    return owned_append(string, source, n);
}

NTSTATUS kcom_owned_unicode_string_append_format(kcom_owned_unicode_string *string, const char *format, ...)
{
    va_list args;
    NTSTATUS status;
    size_t length, units, written;
    owned_growth growth;
    WCHAR *buffer;
    if (!owned_valid(string) || format == NULL)
        return STATUS_INVALID_PARAMETER;
    length = string->string.Length / sizeof(WCHAR);
    va_start(args, format);
    /* arguments in the buffer beyond the text would be overwritten when the text grows in place */
    status = format_measure(format, args, region_from(&string->string, length),
                            region_from(&string->string, 0) + string->string.MaximumLength, &units);
    if (NT_SUCCESS(status) && units > MAX_UNITS - length)
        status = STATUS_NAME_TOO_LONG;
    if (NT_SUCCESS(status)) {
        buffer = owned_reserve(string, length + units, &growth);
        if (buffer == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            written = format_write(buffer + length, units, format, args);
            owned_install(string, buffer, &growth, length + written);
        }
    }
    va_end(args);
    return status;
}

void kcom_owned_unicode_string_free(kcom_owned_unicode_string *string)
{
    if (string == NULL)
        return;
    if (string->string.Buffer != NULL && string->string.MaximumLength != 0)
        kcom_free(resolve_allocator(string->allocator), string->string.Buffer, string->string.MaximumLength,
                  WCHAR_ALIGNMENT);
    string->string.Length = 0;
    string->string.MaximumLength = 0;
    string->string.Buffer = NULL;
}
