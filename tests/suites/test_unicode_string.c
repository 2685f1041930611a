/*
 * UNICODE_STRING helpers (kcom/unicode_string.h): the literal macros' lengths and contents (file
 * scope included), views and caller buffers, bounded appends (all-or-nothing: a failure leaves every
 * byte of the buffer as it was), the 32766-unit limit exactly (32766 accepted, 32767 refused) for
 * views, buffers and owned strings, each format conversion (negative numbers, INT_MIN, LLONG_MIN,
 * ULLONG_MAX, widths, flags), bad formats and arguments, overlapping arguments, comparisons
 * (ASCII-only case folding), and the owned string: create, duplicate, append, growth, the
 * allocator it records, and an allocation-failure sweep over every allocation with no leaks.
 */
#include "test_common.h"

#include <limits.h>
#include <string.h>

KCOM_STATIC_ASSERT(sizeof(WCHAR) == 2, "WCHAR is 16-bit on every target");
KCOM_STATIC_ASSERT(KCOM_UNICODE_STRING_MAX_BYTES == 65534, "32766 units and the NUL");

/* ---- literals at file scope ----------------------------------------------------------------------- */

#define TEST_NAME_MACRO "macro"

static const UNICODE_STRING literal_abc = KCOM_UNICODE_STRING_LITERAL("abc");
static const UNICODE_STRING literal_empty = KCOM_UNICODE_STRING_LITERAL("");
static const UNICODE_STRING literal_from_macro = KCOM_UNICODE_STRING_LITERAL(TEST_NAME_MACRO);
static const UNICODE_STRING literal_accent = KCOM_UNICODE_STRING_LITERAL("caf\u00e9");
static const UNICODE_STRING literal_astral = KCOM_UNICODE_STRING_LITERAL("\U0001F600");
static KCOM_DECLARE_CONST_UNICODE_STRING(declared_device, "\\Device\\Kcom");
static const UNICODE_STRING literal_array[] = {KCOM_UNICODE_STRING_LITERAL("one"), KCOM_UNICODE_STRING_LITERAL("two")};

/* The largest local buffer, at file scope (a 64 KiB stack frame has no place in a kernel test). */
KCOM_LOCAL_UNICODE_STRING(test_largest_local, KCOM_UNICODE_STRING_MAX_UNITS);

/* 32768 units for the limit tests: text of 'a's with a NUL where a test puts it. */
static WCHAR big_source[KCOM_UNICODE_STRING_MAX_UNITS + 2];
static WCHAR big_dest[KCOM_UNICODE_STRING_MAX_UNITS + 2];

static void big_source_fill(size_t units)
{
    size_t i;
    for (i = 0; i < units; i++)
        big_source[i] = (WCHAR)'a';
    big_source[units] = 0;
}

/* ---- check helpers -------------------------------------------------------------------------------- */

/* The text of s as ASCII for messages ('?' for anything else), cut to fit. */
static const char *narrow(const UNICODE_STRING *s, char *buffer, size_t size)
{
    size_t i, n;
    if (s == NULL || s->Buffer == NULL)
        return "(null)";
    n = s->Length / sizeof(WCHAR);
    if (n > size - 1)
        n = size - 1;
    for (i = 0; i < n; i++)
        buffer[i] = s->Buffer[i] < 0x80 && s->Buffer[i] >= 0x20 ? (char)s->Buffer[i] : '?';
    buffer[n] = '\0';
    return buffer;
}

/* s holds exactly the ASCII text expected, NUL-terminated after Length. */
#define check_text(s, expected) check_text_(__FILE__, __LINE__, (s), (expected))
static void check_text_(const char *file, int line, const UNICODE_STRING *s, const char *expected)
{
    char shown[80];
    size_t n = 0, i;
    int same;
    while (expected[n] != '\0')
        n++;
    same = s->Length == n * sizeof(WCHAR) && s->Buffer != NULL;
    for (i = 0; same && i < n; i++)
        same = s->Buffer[i] == (WCHAR)(unsigned char)expected[i];
    ok_(file, line)(same, "text \"%s\" (Length %u), expected \"%s\"\n", narrow(s, shown, sizeof(shown)),
                    (unsigned)s->Length, expected);
    if (same)
        ok_(file, line)(s->MaximumLength >= s->Length + sizeof(WCHAR) && s->Buffer[n] == 0,
                        "\"%s\" is not NUL-terminated (MaximumLength %u)\n", expected, (unsigned)s->MaximumLength);
}

/* A snapshot of a buffer and its UNICODE_STRING, to check that a failure changed nothing. */
typedef struct snapshot {
    UNICODE_STRING string;
    WCHAR units[64];
} snapshot;

static void snapshot_take(snapshot *shot, const UNICODE_STRING *s)
{
    shot->string = *s;
    memcpy(shot->units, s->Buffer, s->MaximumLength);
}

#define check_unchanged(shot, s) check_unchanged_(__FILE__, __LINE__, (shot), (s))
static void check_unchanged_(const char *file, int line, const snapshot *shot, const UNICODE_STRING *s)
{
    ok_(file, line)(s->Length == shot->string.Length && s->MaximumLength == shot->string.MaximumLength &&
                        s->Buffer == shot->string.Buffer,
                    "the string changed: Length %u -> %u, MaximumLength %u -> %u\n", (unsigned)shot->string.Length,
                    (unsigned)s->Length, (unsigned)shot->string.MaximumLength, (unsigned)s->MaximumLength);
    ok_(file, line)(memcmp(shot->units, s->Buffer, shot->string.MaximumLength) == 0, "the buffer changed\n");
}

#define check_status(status, expected) check_status_(__FILE__, __LINE__, (status), (expected))
static void check_status_(const char *file, int line, NTSTATUS status, NTSTATUS expected)
{
    ok_(file, line)(status == expected, "returned %s (0x%08lx), expected %s\n", kcom_status_name(status),
                    (unsigned long)(ULONG)status, kcom_status_name(expected));
}

/* kcom_unicode_string_vformat into a 128-unit buffer gives expected. */
#define check_format(expected, ...) check_format_(__FILE__, __LINE__, (expected), __VA_ARGS__)
static void check_format_(const char *file, int line, const char *expected, const char *format, ...)
{
    KCOM_LOCAL_UNICODE_STRING(out, 128);
    va_list args;
    NTSTATUS status;
    va_start(args, format);
    status = kcom_unicode_string_vformat(&out, format, args);
    va_end(args);
    ok_(file, line)(status == STATUS_SUCCESS, "format \"%s\" returned %s\n", format, kcom_status_name(status));
    check_text_(file, line, &out, expected);
}

/* kcom_unicode_string_vformat fails with expected and leaves a buffer holding "keep" untouched. */
#define check_format_fails(expected, ...) check_format_fails_(__FILE__, __LINE__, (expected), __VA_ARGS__)
static void check_format_fails_(const char *file, int line, NTSTATUS expected, const char *format, ...)
{
    KCOM_LOCAL_UNICODE_STRING(out, 16);
    snapshot shot;
    va_list args;
    NTSTATUS status;
    kcom_unicode_string_append_ascii(&out, "keep");
    snapshot_take(&shot, &out);
    va_start(args, format);
    status = kcom_unicode_string_vformat(&out, format, args);
    va_end(args);
    ok_(file, line)(status == expected, "format \"%s\" returned %s, expected %s\n", format, kcom_status_name(status),
                    kcom_status_name(expected));
    check_unchanged_(file, line, &shot, &out);
}

/* ---- literals ------------------------------------------------------------------------------------- */

static void test_literals(void)
{
    static KCOM_DECLARE_CONST_UNICODE_STRING(declared_in_function, "inner");
    KCOM_DECLARE_CONST_UNICODE_STRING(declared_local, "local");
    const WCHAR *wide = KCOM_WSTR("wide");

    ok(literal_abc.Length == 6 && literal_abc.MaximumLength == 8, "\"abc\": Length %u MaximumLength %u\n",
       (unsigned)literal_abc.Length, (unsigned)literal_abc.MaximumLength);
    check_text(&literal_abc, "abc");
    ok(literal_empty.Length == 0 && literal_empty.MaximumLength == 2 && literal_empty.Buffer != NULL &&
           literal_empty.Buffer[0] == 0,
       "\"\": Length %u MaximumLength %u\n", (unsigned)literal_empty.Length, (unsigned)literal_empty.MaximumLength);
    check_text(&literal_from_macro, "macro");
    check_text(&declared_device, "\\Device\\Kcom");
    check_text(&declared_in_function, "inner");
    check_text(&declared_local, "local");
    check_text(&literal_array[0], "one");
    check_text(&literal_array[1], "two");

    /* UTF-16: one unit for U+00E9, a surrogate pair for U+1F600 */
    ok(literal_accent.Length == 8 && literal_accent.MaximumLength == 10 && literal_accent.Buffer[3] == 0x00E9 &&
           literal_accent.Buffer[4] == 0,
       "\"caf\\u00e9\": Length %u, unit 0x%x\n", (unsigned)literal_accent.Length, (unsigned)literal_accent.Buffer[3]);
    ok(literal_astral.Length == 4 && literal_astral.MaximumLength == 6 && literal_astral.Buffer[0] == 0xD83D &&
           literal_astral.Buffer[1] == 0xDE00,
       "U+1F600: Length %u, units 0x%x 0x%x\n", (unsigned)literal_astral.Length, (unsigned)literal_astral.Buffer[0],
       (unsigned)literal_astral.Buffer[1]);

    /* KCOM_WSTR and KCOM_UNICODE_STRING_REF */
    ok(wide[0] == 'w' && wide[3] == 'e' && wide[4] == 0, "KCOM_WSTR\n");
    ok(sizeof(KCOM_WIDE("wide")) == 5 * sizeof(WCHAR), "KCOM_WIDE is 16-bit: %lu bytes\n",
       (unsigned long)sizeof(KCOM_WIDE("wide")));
    ok(kcom_unicode_string_equal(KCOM_UNICODE_STRING_REF("abc"), &literal_abc, FALSE), "KCOM_UNICODE_STRING_REF\n");
    check_text(KCOM_UNICODE_STRING_REF("ref"), "ref");

    /* the largest local buffer */
    ok(test_largest_local.Length == 0 && test_largest_local.MaximumLength == 65534 &&
           test_largest_local.Buffer == test_largest_local_buffer_ &&
           sizeof(test_largest_local_buffer_) == 32767 * sizeof(WCHAR),
       "KCOM_LOCAL_UNICODE_STRING(32766): MaximumLength %u\n", (unsigned)test_largest_local.MaximumLength);
}

/* ---- views and caller buffers ---------------------------------------------------------------------- */

static void test_views_and_buffers(void)
{
    UNICODE_STRING view;
    WCHAR storage[4] = {0x1111, 0x2222, 0x3333, 0x4444};

    check_status(kcom_unicode_string_init(&view, KCOM_WSTR("hello")), STATUS_SUCCESS);
    ok(view.Length == 10 && view.MaximumLength == 12, "view: Length %u MaximumLength %u\n", (unsigned)view.Length,
       (unsigned)view.MaximumLength);
    check_text(&view, "hello");
    check_status(kcom_unicode_string_init(&view, KCOM_WSTR("")), STATUS_SUCCESS);
    ok(view.Length == 0 && view.MaximumLength == 2 && view.Buffer != NULL, "empty view\n");
    /* a NULL source is the empty string, as RtlInitUnicodeStringEx has it */
    view.Length = 7;
    view.MaximumLength = 9;
    view.Buffer = storage;
    check_status(kcom_unicode_string_init(&view, NULL), STATUS_SUCCESS);
    ok(view.Length == 0 && view.MaximumLength == 0 && view.Buffer == NULL, "a NULL source: an empty view\n");
    check_status(kcom_unicode_string_init(NULL, KCOM_WSTR("x")), STATUS_INVALID_PARAMETER);

    /* the limit: 32766 units accepted, 32767 refused */
    big_source_fill(32766);
    check_status(kcom_unicode_string_init(&view, big_source), STATUS_SUCCESS);
    ok(view.Length == 65532 && view.MaximumLength == 65534 && view.Buffer == big_source,
       "32766-unit view: Length %u MaximumLength %u\n", (unsigned)view.Length, (unsigned)view.MaximumLength);
    big_source_fill(32767);
    check_status(kcom_unicode_string_init(&view, big_source), STATUS_NAME_TOO_LONG);
    ok(view.Length == 0 && view.MaximumLength == 0 && view.Buffer == NULL, "a too long view is zeroed\n");

    /* caller storage */
    check_status(kcom_unicode_string_init_buffer(&view, storage, 4), STATUS_SUCCESS);
    ok(view.Length == 0 && view.MaximumLength == 8 && view.Buffer == storage && storage[0] == 0 &&
           storage[1] == 0x2222,
       "init_buffer: MaximumLength %u, storage[0] 0x%x\n", (unsigned)view.MaximumLength, (unsigned)storage[0]);
    check_status(kcom_unicode_string_append_ascii(&view, "abc"), STATUS_SUCCESS);
    check_text(&view, "abc");
    check_status(kcom_unicode_string_append_ascii(&view, "d"), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_clear(&view), STATUS_SUCCESS);
    ok(view.Length == 0 && storage[0] == 0 && view.MaximumLength == 8, "clear\n");
    check_status(kcom_unicode_string_clear(NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_init_buffer(&view, storage, 0), STATUS_INVALID_PARAMETER);
    ok(view.Length == 0 && view.MaximumLength == 0 && view.Buffer == NULL, "a failed init_buffer is zeroed\n");
    check_status(kcom_unicode_string_init_buffer(&view, NULL, 4), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_init_buffer(NULL, storage, 4), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_init_buffer(&view, big_dest, 40000), STATUS_SUCCESS);
    ok(view.MaximumLength == 65534, "a buffer over 32767 units is used up to 32767 (MaximumLength %u)\n",
       (unsigned)view.MaximumLength);
    check_status(kcom_unicode_string_init_buffer(&view, storage, 1), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_ascii(&view, ""), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_ascii(&view, "a"), STATUS_BUFFER_TOO_SMALL);
}

/* ---- bounded appends -------------------------------------------------------------------------------- */

static void test_local_appends(void)
{
    KCOM_LOCAL_UNICODE_STRING(buffer, 8);
    snapshot shot;
    size_t i;
    int zero = 1;

    ok(buffer.Length == 0 && buffer.MaximumLength == 18 && buffer.Buffer == buffer_buffer_,
       "KCOM_LOCAL_UNICODE_STRING(8): Length %u MaximumLength %u\n", (unsigned)buffer.Length,
       (unsigned)buffer.MaximumLength);
    for (i = 0; i < 9; i++)
        zero &= buffer_buffer_[i] == 0;
    ok(zero, "the local buffer starts zero-filled\n");

    check_status(kcom_unicode_string_append_ascii(&buffer, "ab"), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_wstr(&buffer, KCOM_WSTR("cd")), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append(&buffer, KCOM_UNICODE_STRING_REF("ef")), STATUS_SUCCESS);
    check_text(&buffer, "abcdef");

    /* overflow: nothing written, every byte as it was */
    snapshot_take(&shot, &buffer);
    check_status(kcom_unicode_string_append_ascii(&buffer, "xyz"), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);
    check_status(kcom_unicode_string_append_wstr(&buffer, KCOM_WSTR("xyz")), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);
    check_status(kcom_unicode_string_append(&buffer, KCOM_UNICODE_STRING_REF("xyz")), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);
    check_status(kcom_unicode_string_append_uint64(&buffer, 123), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);
    check_status(kcom_unicode_string_append_int64(&buffer, -12), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);
    check_status(kcom_unicode_string_append_hex(&buffer, 0x123), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);

    /* exactly full, then nothing more (the empty string still fits) */
    check_status(kcom_unicode_string_append_int64(&buffer, -1), STATUS_SUCCESS);
    check_text(&buffer, "abcdef-1");
    check_status(kcom_unicode_string_append_ascii(&buffer, ""), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_wstr(&buffer, KCOM_WSTR("")), STATUS_SUCCESS);
    snapshot_take(&shot, &buffer);
    check_status(kcom_unicode_string_append_ascii(&buffer, "x"), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_append_hex(&buffer, 0), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);

    /* the source may be dest's own text */
    check_status(kcom_unicode_string_clear(&buffer), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_ascii(&buffer, "ab"), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append(&buffer, &buffer), STATUS_SUCCESS);
    check_text(&buffer, "abab");
    check_status(kcom_unicode_string_append_wstr(&buffer, buffer.Buffer), STATUS_SUCCESS);
    check_text(&buffer, "abababab");
    snapshot_take(&shot, &buffer);
    check_status(kcom_unicode_string_append(&buffer, &buffer), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &buffer);

    /* integers */
    check_status(kcom_unicode_string_clear(&buffer), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_uint64(&buffer, 0), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_int64(&buffer, 0), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_hex(&buffer, 0), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_hex(&buffer, 0xbeef), STATUS_SUCCESS);
    check_text(&buffer, "000beef");
    {
        KCOM_LOCAL_UNICODE_STRING(numbers, 64);
        check_status(kcom_unicode_string_append_int64(&numbers, INT64_MIN), STATUS_SUCCESS);
        check_status(kcom_unicode_string_append_ascii(&numbers, " "), STATUS_SUCCESS);
        check_status(kcom_unicode_string_append_int64(&numbers, INT64_MAX), STATUS_SUCCESS);
        check_text(&numbers, "-9223372036854775808 9223372036854775807");
        check_status(kcom_unicode_string_clear(&numbers), STATUS_SUCCESS);
        check_status(kcom_unicode_string_append_uint64(&numbers, UINT64_MAX), STATUS_SUCCESS);
        check_status(kcom_unicode_string_append_ascii(&numbers, " "), STATUS_SUCCESS);
        check_status(kcom_unicode_string_append_hex(&numbers, UINT64_MAX), STATUS_SUCCESS);
        check_status(kcom_unicode_string_append_ascii(&numbers, " "), STATUS_SUCCESS);
        check_status(kcom_unicode_string_append_hex(&numbers, 0xDEADBEEF0123ull), STATUS_SUCCESS);
        check_text(&numbers, "18446744073709551615 ffffffffffffffff deadbeef0123");
        /* "-9223372036854775808" is 20 units: a 19-unit room refuses it whole */
        {
            KCOM_LOCAL_UNICODE_STRING(narrow_room, 19);
            check_status(kcom_unicode_string_append_int64(&narrow_room, INT64_MIN), STATUS_BUFFER_TOO_SMALL);
            ok(narrow_room.Length == 0 && narrow_room_buffer_[0] == 0 && narrow_room_buffer_[18] == 0,
               "a refused number wrote something\n");
        }
    }
}

static void test_append_arguments(void)
{
    KCOM_LOCAL_UNICODE_STRING(buffer, 8);
    UNICODE_STRING bad, no_room;
    WCHAR storage[4] = {'w', 'x', 'y', 'z'};
    snapshot shot;

    check_status(kcom_unicode_string_append_ascii(&buffer, "ok"), STATUS_SUCCESS);
    snapshot_take(&shot, &buffer);

    check_status(kcom_unicode_string_append(NULL, &literal_abc), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append(&buffer, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_wstr(NULL, KCOM_WSTR("a")), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_wstr(&buffer, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_ascii(NULL, "a"), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_ascii(&buffer, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_int64(NULL, 1), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_uint64(NULL, 1), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_hex(NULL, 1), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_format(NULL, "x"), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_format(&buffer, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_format(NULL, "x"), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_format(&buffer, NULL), STATUS_INVALID_PARAMETER);
    check_unchanged(&shot, &buffer);

    /* ASCII only */
    check_status(kcom_unicode_string_append_ascii(&buffer, "ab\xC3\xA9"), STATUS_INVALID_PARAMETER);
    check_unchanged(&shot, &buffer);

    /* malformed sources: odd Length, Length > MaximumLength, NULL Buffer with text */
    bad.Buffer = storage;
    bad.Length = 3;
    bad.MaximumLength = 8;
    check_status(kcom_unicode_string_append(&buffer, &bad), STATUS_INVALID_PARAMETER);
    bad.Length = 8;
    bad.MaximumLength = 6;
    check_status(kcom_unicode_string_append(&buffer, &bad), STATUS_INVALID_PARAMETER);
    bad.Buffer = NULL;
    bad.Length = 2;
    bad.MaximumLength = 2;
    check_status(kcom_unicode_string_append(&buffer, &bad), STATUS_INVALID_PARAMETER);
    check_unchanged(&shot, &buffer);
    /* a NULL Buffer without text is an empty source */
    bad.Length = 0;
    bad.MaximumLength = 0;
    check_status(kcom_unicode_string_append(&buffer, &bad), STATUS_SUCCESS);
    check_text(&buffer, "ok");

    /* malformed destinations */
    bad.Buffer = NULL;
    bad.Length = 0;
    bad.MaximumLength = 8;
    check_status(kcom_unicode_string_append_ascii(&bad, "a"), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_clear(&bad), STATUS_INVALID_PARAMETER);
    bad.Buffer = storage;
    bad.Length = 5;
    check_status(kcom_unicode_string_append_ascii(&bad, "a"), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_format(&bad, "a"), STATUS_INVALID_PARAMETER);
    ok(bad.Length == 5 && storage[0] == 'w' && storage[3] == 'z', "a malformed destination was written\n");
    /* a string without storage has no room, not even for the NUL */
    bad.Buffer = NULL;
    bad.Length = 0;
    bad.MaximumLength = 0;
    check_status(kcom_unicode_string_append_ascii(&bad, ""), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_format(&bad, ""), STATUS_BUFFER_TOO_SMALL);

    /* a text filling its buffer (no room for the NUL): nothing can be appended, the empty string
     * included; the text stays as it is */
    no_room.Buffer = storage;
    no_room.Length = 8;
    no_room.MaximumLength = 8;
    check_status(kcom_unicode_string_append_ascii(&no_room, ""), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_append_wstr(&no_room, KCOM_WSTR("")), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_append_format(&no_room, ""), STATUS_BUFFER_TOO_SMALL);
    ok(no_room.Length == 8 && storage[3] == 'z', "a full string changed\n");
    /* an odd MaximumLength: 7 bytes are 3 units, 2 of text and the NUL */
    no_room.Length = 0;
    no_room.MaximumLength = 7;
    check_status(kcom_unicode_string_append_ascii(&no_room, "abc"), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_append_ascii(&no_room, "ab"), STATUS_SUCCESS);
    check_text(&no_room, "ab");
    ok(storage[3] == 'z', "an odd MaximumLength was written past\n");
}

static void test_bounded_limit(void)
{
    UNICODE_STRING dest, source;

    /* 32766 units fill the largest buffer exactly */
    big_source_fill(32766);
    source.Buffer = big_source;
    source.Length = 65532;
    source.MaximumLength = 65534;
    check_status(kcom_unicode_string_init_buffer(&dest, big_dest, KCOM_UNICODE_STRING_MAX_UNITS + 1), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append(&dest, &source), STATUS_SUCCESS);
    ok(dest.Length == 65532 && big_dest[32765] == 'a' && big_dest[32766] == 0, "32766 units: Length %u\n",
       (unsigned)dest.Length);
    check_status(kcom_unicode_string_append_ascii(&dest, ""), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_ascii(&dest, "b"), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_append_format(&dest, "%c", 'b'), STATUS_BUFFER_TOO_SMALL);
    ok(dest.Length == 65532 && big_dest[32766] == 0, "the full buffer changed\n");

    /* 32767 units (the most a UNICODE_STRING holds) do not fit with their NUL */
    big_source_fill(32767);
    source.Length = 65534;
    check_status(kcom_unicode_string_clear(&dest), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append(&dest, &source), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_append_wstr(&dest, big_source), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_format(&dest, "%U", &source), STATUS_BUFFER_TOO_SMALL);
    check_status(kcom_unicode_string_format(&dest, "%S", big_source), STATUS_BUFFER_TOO_SMALL);
    ok(dest.Length == 0 && big_dest[0] == 0, "a refused append changed the buffer\n");
    big_source_fill(32766);
    check_status(kcom_unicode_string_append_wstr(&dest, big_source), STATUS_SUCCESS);
    check_status(kcom_unicode_string_format(&dest, "%S", big_source), STATUS_SUCCESS);
    ok(dest.Length == 65532, "32766 units through %%S: Length %u\n", (unsigned)dest.Length);
    check_status(kcom_unicode_string_format(&dest, "%32766d", 7), STATUS_SUCCESS);
    ok(dest.Length == 65532 && big_dest[0] == ' ' && big_dest[32765] == '7', "width 32766\n");
    check_status(kcom_unicode_string_format(&dest, "%32767d", 7), STATUS_BUFFER_TOO_SMALL);
}

/* ---- formatting ------------------------------------------------------------------------------------- */

static void test_format_conversions(void)
{
    char pointer_text[2 + 2 * sizeof(void *) + 1];
    size_t i;

    check_format("", "");
    check_format("plain text", "plain text");
    check_format("%", "%%");
    check_format("100%", "%d%%", 100);

    /* int */
    check_format("0 -1 42", "%d %d %i", 0, -1, 42);
    check_format("-2147483648 2147483647", "%d %d", INT_MIN, INT_MAX);
    check_format("4294967295 0", "%u %u", UINT_MAX, 0u);
    check_format("deadbeef DEADBEEF 0", "%x %X %x", 0xdeadbeefu, 0xdeadbeefu, 0u);

    /* 'l': LONG / ULONG, 32-bit on every target */
    check_format("-5 -2147483648 2147483647", "%ld %li %ld", (LONG)-5, (LONG)INT32_MIN, (LONG)INT32_MAX);
    check_format("4294967295 abcdef01 ABCDEF01", "%lu %lx %lX", (ULONG)0xFFFFFFFFu, (ULONG)0xABCDEF01u,
                 (ULONG)0xABCDEF01u);

    /* 'll': long long */
    check_format("-9223372036854775808 9223372036854775807", "%lld %lli", LLONG_MIN, LLONG_MAX);
    check_format("18446744073709551615 ffffffffffffffff FFFFFFFFFFFFFFFF", "%llu %llx %llX", ULLONG_MAX, ULLONG_MAX,
                 ULLONG_MAX);
    check_format("-1 0", "%lld %llu", -1LL, 0ULL);

    /* 'z': size_t / LONG_PTR */
    check_format("12345 -7 3039", "%zu %zd %zx", (size_t)12345, (LONG_PTR)-7, (size_t)12345);

    /* %c: one UTF-16 unit */
    check_format("A-z", "%c-%c", 'A', 'z');
    {
        KCOM_LOCAL_UNICODE_STRING(out, 8);
        check_status(kcom_unicode_string_format(&out, "%c%c", 0xE9, 0xFFFF), STATUS_SUCCESS);
        ok(out.Length == 4 && out.Buffer[0] == 0xE9 && out.Buffer[1] == 0xFFFF && out.Buffer[2] == 0,
           "%%c with 0xE9 and 0xFFFF\n");
    }

    /* strings */
    check_format("abc", "%s", "abc");
    check_format("[]", "[%s]", "");
    check_format("wide wide", "%S %ws", KCOM_WSTR("wide"), KCOM_WSTR("wide"));
    check_format("abc abc", "%U %wZ", &literal_abc, &literal_abc);
    check_format("<>", "<%U>", &literal_empty);
    {
        UNICODE_STRING empty = {0, 0, NULL};
        check_format("<>", "<%U>", &empty);
    }
    check_format("\\Device\\Kcom7", "%U%u", &declared_device, 7u);
    {
        KCOM_LOCAL_UNICODE_STRING(out, 8);
        check_status(kcom_unicode_string_format(&out, "%U", &literal_astral), STATUS_SUCCESS);
        ok(out.Length == 4 && out.Buffer[0] == 0xD83D && out.Buffer[1] == 0xDE00, "%%U copies UTF-16 units\n");
    }

    /* %p: "0x" and every hex digit of a pointer */
    pointer_text[0] = '0';
    pointer_text[1] = 'x';
    for (i = 0; i < 2 * sizeof(void *); i++)
        pointer_text[2 + i] = i + 4 < 2 * sizeof(void *) ? '0' : "1a2b"[i + 4 - 2 * sizeof(void *)];
    pointer_text[2 + 2 * sizeof(void *)] = '\0';
    check_format(pointer_text, "%p", (void *)(uintptr_t)0x1a2b);
    for (i = 0; i < 2 * sizeof(void *); i++)
        pointer_text[2 + i] = '0';
    check_format(pointer_text, "%p", (void *)NULL);
    {
        /* '0' pads after the 0x */
        char padded[2 * sizeof(void *) + 8];
        memset(padded, '0', sizeof(padded));
        padded[1] = 'x';
        padded[2 * sizeof(void *) + 6] = '1';
        padded[2 * sizeof(void *) + 7] = '\0';
        check_format(padded, sizeof(void *) == 8 ? "%023p" : "%015p", (void *)(uintptr_t)1);
    }

    /* widths and flags */
    check_format("   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
    check_format("  -42|-42  |-0042", "%5d|%-5d|%05d", -42, -42, -42);
    check_format("0000beef|    BEEF", "%08x|%8X", 0xbeefu, 0xbeefu);
    check_format("42   |", "%-05d|", 42); /* '-' wins over '0' */
    check_format("7    |007|7  ", "%--5d|%0003d|%-0-3d", 7, 7, 7); /* flags repeat, in any order */
    check_format("123456", "%3d", 123456); /* a width never cuts */
    check_format("    ab|ab    |  wide|abc", "%6s|%-6s|%6S|%2U", "ab", "ab", KCOM_WSTR("wide"), &literal_abc);
    check_format("    ab", "%06s", "ab"); /* strings pad with spaces */
    check_format("  x|y  ", "%3c|%-3c", 'x', 'y');
    check_format("-0000000000000000001", "%020lld", -1LL);
    check_format("00000000000000000000000018446744073709551615", "%044llu", ULLONG_MAX);
}

static NTSTATUS format_through_vformat(UNICODE_STRING *dest, int append, const char *format, ...)
{
    va_list args;
    NTSTATUS status;
    va_start(args, format);
    status = append ? kcom_unicode_string_append_vformat(dest, format, args)
                    : kcom_unicode_string_vformat(dest, format, args);
    va_end(args);
    return status;
}

static void test_format_failures(void)
{
    KCOM_LOCAL_UNICODE_STRING(small, 8);
    snapshot shot;
    UNICODE_STRING odd = {3, 8, NULL};
    WCHAR storage[4] = {'a', 'b', 'c', 0};

    /* bad formats, whatever the buffer's size */
    check_format_fails(STATUS_INVALID_PARAMETER, "%");
    check_format_fails(STATUS_INVALID_PARAMETER, "abc%");
    check_format_fails(STATUS_INVALID_PARAMETER, "%q", 1);
    check_format_fails(STATUS_INVALID_PARAMETER, "%hd", 1);
    check_format_fails(STATUS_INVALID_PARAMETER, "%.3d", 1);
    check_format_fails(STATUS_INVALID_PARAMETER, "%5%");
    check_format_fails(STATUS_INVALID_PARAMETER, "%-%");
    check_format("    x|x    ", "%05c|%-5c", 'x', 'x'); /* '0' pads numbers only */
    check_format_fails(STATUS_INVALID_PARAMETER, "%*d", 3, 1);
    check_format_fails(STATUS_INVALID_PARAMETER, "%+d", 1);
    check_format_fails(STATUS_INVALID_PARAMETER, "%#x", 1u);
    check_format_fails(STATUS_INVALID_PARAMETER, "%I64d", 1LL);
    check_format_fails(STATUS_INVALID_PARAMETER, "%n", (int *)NULL);
    check_format_fails(STATUS_INVALID_PARAMETER, "%f", 1); /* no floating point (in a kernel) */
    check_format_fails(STATUS_INVALID_PARAMETER, "%ls", KCOM_WSTR("x"));
    check_format_fails(STATUS_INVALID_PARAMETER, "%lls", "x");
    check_format_fails(STATUS_INVALID_PARAMETER, "%lc", 'x');
    check_format_fails(STATUS_INVALID_PARAMETER, "%lp", (void *)NULL);
    check_format_fails(STATUS_INVALID_PARAMETER, "%wd", 1);
    check_format_fails(STATUS_INVALID_PARAMETER, "%Z", &literal_abc);
    check_format_fails(STATUS_INVALID_PARAMETER, "%zs", "x");
    check_format_fails(STATUS_INVALID_PARAMETER, "%5%");
    check_format_fails(STATUS_INVALID_PARAMETER, "%32768d", 1);
    check_format_fails(STATUS_INVALID_PARAMETER, "caf\xC3\xA9");
    /* ... found even after text that would not fit */
    check_format_fails(STATUS_INVALID_PARAMETER, "0123456789012345678901234567890123456789%q");
    check_format_fails(STATUS_INVALID_PARAMETER, "%s%q", "0123456789012345678901234567890123456789");

    /* bad arguments */
    check_format_fails(STATUS_INVALID_PARAMETER, "%s", (const char *)NULL);
    check_format_fails(STATUS_INVALID_PARAMETER, "%S", (const WCHAR *)NULL);
    check_format_fails(STATUS_INVALID_PARAMETER, "%U", (const UNICODE_STRING *)NULL);
    check_format_fails(STATUS_INVALID_PARAMETER, "%wZ", (const UNICODE_STRING *)NULL);
    check_format_fails(STATUS_INVALID_PARAMETER, "%U", &odd);
    odd.Length = 2;
    check_format_fails(STATUS_INVALID_PARAMETER, "%U", &odd); /* NULL Buffer with text */
    odd.Buffer = storage;
    odd.Length = 10;
    check_format_fails(STATUS_INVALID_PARAMETER, "%U", &odd); /* Length > MaximumLength */
    check_format_fails(STATUS_INVALID_PARAMETER, "%s", "ab\x80");
    check_format_fails(STATUS_INVALID_PARAMETER, "%c", 0x10000);
    check_format_fails(STATUS_INVALID_PARAMETER, "%c", -1);

    /* too long: all or nothing */
    check_format_fails(STATUS_BUFFER_TOO_SMALL, "%s", "0123456789abcdefX");
    check_format_fails(STATUS_BUFFER_TOO_SMALL, "%17d", 1);
    check_format_fails(STATUS_BUFFER_TOO_SMALL, "%lld%lld", LLONG_MIN, LLONG_MIN);
    check_format_fails(STATUS_BUFFER_TOO_SMALL, "0123456789abcdef%%");

    /* exactly full: 8 units */
    check_status(kcom_unicode_string_format(&small, "%s%d", "abcdef", -1), STATUS_SUCCESS);
    check_text(&small, "abcdef-1");
    snapshot_take(&shot, &small);
    check_status(kcom_unicode_string_format(&small, "%s%d", "abcdef", 10), STATUS_SUCCESS);
    check_text(&small, "abcdef10");
    check_status(kcom_unicode_string_format(&small, "%s%d", "abcdef", -10), STATUS_BUFFER_TOO_SMALL);
    check_text(&small, "abcdef10");

    /* format replaces, append_format appends */
    check_status(kcom_unicode_string_format(&small, "%u", 5u), STATUS_SUCCESS);
    check_text(&small, "5");
    check_status(kcom_unicode_string_append_format(&small, "-%x", 0xabu), STATUS_SUCCESS);
    check_text(&small, "5-ab");
    snapshot_take(&shot, &small);
    check_status(kcom_unicode_string_append_format(&small, "%s", "12345"), STATUS_BUFFER_TOO_SMALL);
    check_unchanged(&shot, &small);
    check_status(kcom_unicode_string_append_format(&small, "%s", "1234"), STATUS_SUCCESS);
    check_text(&small, "5-ab1234");
    check_status(format_through_vformat(&small, 0, "%s|%d", "v", -3), STATUS_SUCCESS);
    check_text(&small, "v|-3");
    check_status(format_through_vformat(&small, 1, "%c", '!'), STATUS_SUCCESS);
    check_text(&small, "v|-3!");

    /* arguments in the part of the buffer being written are refused; the text before it is fine */
    snapshot_take(&shot, &small);
    check_status(kcom_unicode_string_format(&small, "%U", &small), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_format(&small, "x%S", small.Buffer), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_format(&small, "%S", small.Buffer), STATUS_INVALID_PARAMETER);
    check_status(kcom_unicode_string_append_format(&small, "%s", (const char *)(small.Buffer + 6)),
                 STATUS_INVALID_PARAMETER);
    check_unchanged(&shot, &small);
    check_status(kcom_unicode_string_format(&small, "ab"), STATUS_SUCCESS);
    check_status(kcom_unicode_string_append_format(&small, "%U%U", &small, &small), STATUS_SUCCESS);
    check_text(&small, "ababab");

    /* so are the format itself and a %U argument's struct there: the writing pass reads both again,
     * after the text before them has overwritten them */
    {
        union {
            WCHAR units[32];
            UNICODE_STRING string; /* aligns the buffer for the struct placed in it */
        } region;
        UNICODE_STRING dest;
        UNICODE_STRING *inside = (UNICODE_STRING *)(void *)&region.units[16];
        memset(&region, 0, sizeof(region));
        dest.Length = 0;
        dest.MaximumLength = (USHORT)sizeof(region.units);
        dest.Buffer = region.units;
        memcpy(&region.units[16], "0123456789%d%d", 15);
        snapshot_take(&shot, &dest);
        check_status(kcom_unicode_string_format(&dest, (const char *)&region.units[16], -1, -2),
                     STATUS_INVALID_PARAMETER);
        check_status(kcom_unicode_string_append_format(&dest, (const char *)&region.units[16], -1, -2),
                     STATUS_INVALID_PARAMETER);
        check_unchanged(&shot, &dest);
        *inside = literal_abc;
        snapshot_take(&shot, &dest);
        check_status(kcom_unicode_string_format(&dest, "0123456789abcdefghij%U", inside), STATUS_INVALID_PARAMETER);
        check_status(kcom_unicode_string_append_format(&dest, "%U", inside), STATUS_INVALID_PARAMETER);
        check_unchanged(&shot, &dest);
    }
}

/* ---- comparisons ----------------------------------------------------------------------------------- */

static void test_comparisons(void)
{
    static const UNICODE_STRING upper = KCOM_UNICODE_STRING_LITERAL("ABC");
    static const UNICODE_STRING mixed = KCOM_UNICODE_STRING_LITERAL("aBc");
    static const UNICODE_STRING abcd = KCOM_UNICODE_STRING_LITERAL("abcd");
    static const UNICODE_STRING accent_upper = KCOM_UNICODE_STRING_LITERAL("\u00c9");
    static const UNICODE_STRING accent_lower = KCOM_UNICODE_STRING_LITERAL("\u00e9");
    static const UNICODE_STRING punctuation = KCOM_UNICODE_STRING_LITERAL("@[^");
    static const UNICODE_STRING punctuation_shifted = KCOM_UNICODE_STRING_LITERAL("`{~");
    UNICODE_STRING null_empty = {0, 0, NULL};
    UNICODE_STRING bad = {3, 8, NULL};
    WCHAR copy[3] = {'a', 'b', 'c'};
    UNICODE_STRING counted = {6, 6, copy}; /* no NUL: lengths are what counts */

    ok(kcom_unicode_string_equal(&literal_abc, &literal_abc, FALSE), "equal to itself\n");
    ok(kcom_unicode_string_equal(&literal_abc, &counted, FALSE), "equal without a NUL\n");
    ok(!kcom_unicode_string_equal(&literal_abc, &upper, FALSE), "case-sensitive\n");
    ok(kcom_unicode_string_equal(&literal_abc, &upper, TRUE) && kcom_unicode_string_equal(&mixed, &upper, TRUE),
       "ASCII case-insensitive\n");
    ok(!kcom_unicode_string_equal(&literal_abc, &abcd, TRUE) && !kcom_unicode_string_equal(&abcd, &literal_abc, TRUE),
       "different lengths\n");
    ok(!kcom_unicode_string_equal(&accent_upper, &accent_lower, TRUE), "folding is ASCII only\n");
    ok(!kcom_unicode_string_equal(&punctuation, &punctuation_shifted, TRUE), "only letters fold\n");
    ok(kcom_unicode_string_equal(&literal_empty, &null_empty, FALSE), "empty strings are equal\n");
    ok(!kcom_unicode_string_equal(NULL, &literal_abc, FALSE) && !kcom_unicode_string_equal(&literal_abc, NULL, FALSE) &&
           !kcom_unicode_string_equal(NULL, NULL, FALSE),
       "NULL equals nothing\n");
    ok(!kcom_unicode_string_equal(&bad, &bad, FALSE), "a malformed string equals nothing\n");

    ok(kcom_unicode_string_starts_with(&abcd, &literal_abc, FALSE), "abcd starts with abc\n");
    ok(kcom_unicode_string_starts_with(&abcd, &abcd, FALSE), "a string starts with itself\n");
    ok(kcom_unicode_string_starts_with(&abcd, &literal_empty, FALSE) &&
           kcom_unicode_string_starts_with(&null_empty, &null_empty, FALSE),
       "everything starts with the empty string\n");
    ok(!kcom_unicode_string_starts_with(&literal_abc, &abcd, FALSE), "a longer prefix\n");
    ok(!kcom_unicode_string_starts_with(&abcd, &upper, FALSE) && kcom_unicode_string_starts_with(&abcd, &upper, TRUE),
       "starts_with and case\n");
    ok(!kcom_unicode_string_starts_with(NULL, &literal_empty, FALSE) &&
           !kcom_unicode_string_starts_with(&abcd, NULL, FALSE) && !kcom_unicode_string_starts_with(&abcd, &bad, FALSE),
       "NULL and malformed\n");
    ok(!kcom_unicode_string_starts_with(&bad, &literal_empty, FALSE), "a malformed text starts with nothing\n");
}

/* ---- the owned string ---------------------------------------------------------------------------------- */

static void *no_allocation(void *context, size_t size, size_t alignment)
{
    (void)context;
    (void)size;
    (void)alignment;
    return NULL;
}

static void test_owned(void)
{
    kcom_counting_allocator counter;
    kcom_owned_unicode_string a, b;
    kcom_owned_unicode_string zeroed = KCOM_OWNED_UNICODE_STRING_INIT;
    WCHAR *old_buffer;

    kcom_counting_allocator_init(&counter, NULL);

    /* an allocator kcom cannot call is refused, and never recorded */
    {
        static const kcom_allocator no_free = {no_allocation, NULL, NULL};
        check_status(kcom_owned_unicode_string_init(&a, &no_free), STATUS_INVALID_PARAMETER);
        ok(a.allocator == NULL && a.string.Buffer == NULL && a.string.Length == 0, "init: refused, empty\n");
        check_status(kcom_owned_unicode_string_create(&a, &no_free, &literal_abc), STATUS_INVALID_PARAMETER);
        ok(a.allocator == NULL && a.string.Buffer == NULL && a.string.Length == 0, "create: refused, empty\n");
    }

    /* create: exactly Length + 2 bytes, the allocator recorded */
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, &literal_abc), STATUS_SUCCESS);
    check_text(&a.string, "abc");
    ok(a.string.MaximumLength == 8 && a.allocator == &counter.allocator && a.string.Buffer != literal_abc.Buffer,
       "create: MaximumLength %u\n", (unsigned)a.string.MaximumLength);
    check_live(&counter, 1);

    /* duplicate: a copy from the same allocator */
    check_status(kcom_owned_unicode_string_duplicate(&b, &a), STATUS_SUCCESS);
    check_text(&b.string, "abc");
    ok(b.allocator == &counter.allocator && b.string.Buffer != a.string.Buffer, "duplicate\n");
    check_live(&counter, 2);
    kcom_owned_unicode_string_free(&b);
    ok(b.string.Buffer == NULL && b.string.Length == 0 && b.string.MaximumLength == 0 &&
           b.allocator == &counter.allocator,
       "free empties and keeps the allocator\n");
    check_live(&counter, 1);
    kcom_owned_unicode_string_free(&b); /* owning nothing: nothing happens */
    check_live(&counter, 1);

    /* append: in place while it fits, otherwise a buffer of at least twice the size */
    check_status(kcom_owned_unicode_string_append_wstr(&a, KCOM_WSTR("de")), STATUS_SUCCESS);
    check_text(&a.string, "abcde");
    ok(a.string.MaximumLength == 16, "grown to twice: MaximumLength %u\n", (unsigned)a.string.MaximumLength);
    check_live(&counter, 1);
    old_buffer = a.string.Buffer;
    check_status(kcom_owned_unicode_string_append(&a, KCOM_UNICODE_STRING_REF("fg")), STATUS_SUCCESS);
    check_text(&a.string, "abcdefg");
    ok(a.string.Buffer == old_buffer && a.string.MaximumLength == 16, "appended in place\n");
    check_status(kcom_owned_unicode_string_append(&a, &a.string), STATUS_SUCCESS); /* its own text, growing */
    check_text(&a.string, "abcdefgabcdefg");
    check_live(&counter, 1);
    check_status(kcom_owned_unicode_string_append_format(&a, "-%d-%U", -5, &a.string), STATUS_SUCCESS);
    check_text(&a.string, "abcdefgabcdefg--5-abcdefgabcdefg");
    check_status(kcom_owned_unicode_string_append_wstr(&a, KCOM_WSTR("")), STATUS_SUCCESS);
    check_text(&a.string, "abcdefgabcdefg--5-abcdefgabcdefg");
    check_live(&counter, 1);
    kcom_owned_unicode_string_free(&a);
    check_live(&counter, 0);

    /* empty sources still get a buffer with the NUL */
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, &literal_empty), STATUS_SUCCESS);
    ok(a.string.Buffer != NULL && a.string.Length == 0 && a.string.MaximumLength == 2 && a.string.Buffer[0] == 0,
       "empty create\n");
    kcom_owned_unicode_string_free(&a);
    check_status(kcom_owned_unicode_string_create_from_wstr(&a, &counter.allocator, KCOM_WSTR("wide")),
                 STATUS_SUCCESS);
    check_text(&a.string, "wide");
    ok(a.string.MaximumLength == 10, "create_from_wstr: MaximumLength %u\n", (unsigned)a.string.MaximumLength);
    kcom_owned_unicode_string_free(&a);
    check_live(&counter, 0);

    /* init, and a zero-initialized string: empty until the first append, from the default allocator */
    check_status(kcom_owned_unicode_string_init(&a, &counter.allocator), STATUS_SUCCESS);
    ok(a.string.Buffer == NULL && a.string.Length == 0 && a.allocator == &counter.allocator, "init\n");
    check_status(kcom_owned_unicode_string_append_format(&a, "%s%u", "dev", 3u), STATUS_SUCCESS);
    check_text(&a.string, "dev3");
    check_live(&counter, 1);
    kcom_owned_unicode_string_free(&a);
    check_live(&counter, 0);
    ok(zeroed.string.Buffer == NULL && zeroed.allocator == NULL, "KCOM_OWNED_UNICODE_STRING_INIT\n");
    check_status(kcom_owned_unicode_string_append(&zeroed, &literal_abc), STATUS_SUCCESS);
    check_text(&zeroed.string, "abc");
    ok(zeroed.allocator == kcom_default_allocator(), "NULL: the default allocator, recorded\n");
    kcom_owned_unicode_string_free(&zeroed);
    check_status(kcom_owned_unicode_string_create(&a, NULL, &literal_abc), STATUS_SUCCESS);
    ok(a.allocator == kcom_default_allocator(), "create with NULL: the default allocator\n");
    kcom_owned_unicode_string_free(&a);

    /* arguments */
    check_status(kcom_owned_unicode_string_init(NULL, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_owned_unicode_string_create(NULL, &counter.allocator, &literal_abc), STATUS_INVALID_PARAMETER);
    a.string.Buffer = (PWCH)TEST_POISON_PTR;
    a.string.Length = 2;
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, NULL), STATUS_INVALID_PARAMETER);
    ok(a.string.Buffer == NULL && a.string.Length == 0 && a.allocator == &counter.allocator,
       "a failed create leaves an empty string\n");
    {
        UNICODE_STRING odd = {3, 8, NULL};
        check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, &odd), STATUS_INVALID_PARAMETER);
    }
    check_status(kcom_owned_unicode_string_create_from_wstr(NULL, NULL, KCOM_WSTR("x")), STATUS_INVALID_PARAMETER);
    a.string.Buffer = (PWCH)TEST_POISON_PTR;
    check_status(kcom_owned_unicode_string_create_from_wstr(&a, NULL, NULL), STATUS_INVALID_PARAMETER);
    ok(a.string.Buffer == NULL, "a failed create_from_wstr leaves an empty string\n");
    check_status(kcom_owned_unicode_string_duplicate(NULL, &a), STATUS_INVALID_PARAMETER);
    a.string.Buffer = (PWCH)TEST_POISON_PTR;
    check_status(kcom_owned_unicode_string_duplicate(&a, NULL), STATUS_INVALID_PARAMETER);
    ok(a.string.Buffer == NULL, "a failed duplicate leaves an empty string\n");
    check_status(kcom_owned_unicode_string_append(NULL, &literal_abc), STATUS_INVALID_PARAMETER);
    check_status(kcom_owned_unicode_string_append(&a, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_owned_unicode_string_append_wstr(NULL, KCOM_WSTR("x")), STATUS_INVALID_PARAMETER);
    check_status(kcom_owned_unicode_string_append_wstr(&a, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_owned_unicode_string_append_format(NULL, "x"), STATUS_INVALID_PARAMETER);
    check_status(kcom_owned_unicode_string_append_format(&a, NULL), STATUS_INVALID_PARAMETER);
    check_status(kcom_owned_unicode_string_append_format(&a, "%q"), STATUS_INVALID_PARAMETER);
    ok(a.string.Buffer == NULL && a.string.Length == 0, "failed appends changed the string\n");
    kcom_owned_unicode_string_free(NULL);
    check_live(&counter, 0);

    /* a format argument in the buffer beyond the text is refused */
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, &literal_abc), STATUS_SUCCESS);
    check_status(kcom_owned_unicode_string_append_format(&a, "%S", a.string.Buffer), STATUS_INVALID_PARAMETER);
    check_text(&a.string, "abc");
    kcom_owned_unicode_string_free(&a);
    check_live(&counter, 0);
}

static void test_owned_limit(void)
{
    kcom_counting_allocator counter;
    kcom_owned_unicode_string a;
    UNICODE_STRING source;
    WCHAR *buffer;

    kcom_counting_allocator_init(&counter, NULL);

    /* create: 32766 units accepted, 32767 refused */
    big_source_fill(32767);
    source.Buffer = big_source;
    source.Length = 65532;
    source.MaximumLength = 65534;
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, &source), STATUS_SUCCESS);
    ok(a.string.Length == 65532 && a.string.MaximumLength == 65534 && a.string.Buffer[32765] == 'a' &&
           a.string.Buffer[32766] == 0,
       "32766 units: Length %u MaximumLength %u\n", (unsigned)a.string.Length, (unsigned)a.string.MaximumLength);
    /* full: nothing more, the empty string still fits */
    buffer = a.string.Buffer;
    check_status(kcom_owned_unicode_string_append_wstr(&a, KCOM_WSTR("")), STATUS_SUCCESS);
    check_status(kcom_owned_unicode_string_append_wstr(&a, KCOM_WSTR("b")), STATUS_NAME_TOO_LONG);
    check_status(kcom_owned_unicode_string_append(&a, KCOM_UNICODE_STRING_REF("b")), STATUS_NAME_TOO_LONG);
    check_status(kcom_owned_unicode_string_append_format(&a, "%c", 'b'), STATUS_NAME_TOO_LONG);
    ok(a.string.Length == 65532 && a.string.Buffer == buffer && buffer[32766] == 0, "the full string changed\n");
    kcom_owned_unicode_string_free(&a);
    check_live(&counter, 0);

    source.Length = 65534;
    kcom_counting_allocator_fail_nth(&counter, 0); /* counts attempts from here */
    a.string.Buffer = (PWCH)TEST_POISON_PTR;
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, &source), STATUS_NAME_TOO_LONG);
    ok(a.string.Buffer == NULL && a.string.Length == 0 && a.string.MaximumLength == 0, "refused create\n");
    check_live(&counter, 0);
    ok(counter.attempts == 0, "a too long create allocated\n");

    /* from a NUL-terminated string */
    big_source_fill(32766);
    check_status(kcom_owned_unicode_string_create_from_wstr(&a, &counter.allocator, big_source), STATUS_SUCCESS);
    ok(a.string.Length == 65532, "create_from_wstr 32766: Length %u\n", (unsigned)a.string.Length);
    kcom_owned_unicode_string_free(&a);
    big_source_fill(32767);
    check_status(kcom_owned_unicode_string_create_from_wstr(&a, &counter.allocator, big_source), STATUS_NAME_TOO_LONG);
    check_live(&counter, 0);

    /* append up to the limit and one past it */
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, KCOM_UNICODE_STRING_REF("xy")),
                 STATUS_SUCCESS);
    big_source_fill(32764);
    check_status(kcom_owned_unicode_string_append_wstr(&a, big_source), STATUS_SUCCESS);
    ok(a.string.Length == 65532 && a.string.MaximumLength == 65534 && a.string.Buffer[0] == 'x' &&
           a.string.Buffer[32766] == 0,
       "appended to 32766: Length %u MaximumLength %u\n", (unsigned)a.string.Length, (unsigned)a.string.MaximumLength);
    kcom_owned_unicode_string_free(&a);
    check_status(kcom_owned_unicode_string_create(&a, &counter.allocator, KCOM_UNICODE_STRING_REF("xyz")),
                 STATUS_SUCCESS);
    buffer = a.string.Buffer;
    check_status(kcom_owned_unicode_string_append_wstr(&a, big_source), STATUS_NAME_TOO_LONG);
    source.Length = 32764 * 2;
    check_status(kcom_owned_unicode_string_append(&a, &source), STATUS_NAME_TOO_LONG);
    check_status(kcom_owned_unicode_string_append_format(&a, "%U", &source), STATUS_NAME_TOO_LONG);
    check_text(&a.string, "xyz");
    ok(a.string.Buffer == buffer, "a refused append replaced the buffer\n");
    source.Length = 32763 * 2;
    check_status(kcom_owned_unicode_string_append_format(&a, "%U", &source), STATUS_SUCCESS);
    ok(a.string.Length == 65532, "append_format to 32766: Length %u\n", (unsigned)a.string.Length);
    kcom_owned_unicode_string_free(&a);
    check_live(&counter, 0);
}

/* One use of every allocating function; stops at the first failure, which must be an allocation
 * failure that left its string as it was. Frees everything. Returns the status. */
static NTSTATUS owned_scenario(kcom_counting_allocator *counter)
{
    kcom_owned_unicode_string a, b;
    UNICODE_STRING before;
    NTSTATUS status;
    int step;

    status = kcom_owned_unicode_string_create(&a, &counter->allocator, KCOM_UNICODE_STRING_REF("name"));
    if (!NT_SUCCESS(status)) {
        ok(a.string.Buffer == NULL && a.string.Length == 0 && a.allocator == &counter->allocator,
           "a failed create left %p\n", (void *)a.string.Buffer);
        return status;
    }
    status = kcom_owned_unicode_string_duplicate(&b, &a);
    if (!NT_SUCCESS(status)) {
        ok(b.string.Buffer == NULL && b.string.Length == 0, "a failed duplicate left %p\n", (void *)b.string.Buffer);
        kcom_owned_unicode_string_free(&a);
        return status;
    }
    for (step = 0; step < 6 && NT_SUCCESS(status); step++) {
        kcom_owned_unicode_string *target = step % 2 ? &b : &a;
        before = target->string;
        switch (step % 3) {
        case 0:
            status = kcom_owned_unicode_string_append_wstr(target, KCOM_WSTR("-suffix-that-grows"));
            break;
        case 1:
            status = kcom_owned_unicode_string_append(target, &target->string);
            break;
        default:
            status = kcom_owned_unicode_string_append_format(target, "%s%lu%U", "#", (ULONG)step, &literal_abc);
            break;
        }
        if (!NT_SUCCESS(status))
            ok(target->string.Buffer == before.Buffer && target->string.Length == before.Length &&
                   target->string.MaximumLength == before.MaximumLength,
               "a failed append (step %d) changed the string\n", step);
    }
    if (NT_SUCCESS(status)) {
        kcom_owned_unicode_string_free(&b);
        status = kcom_owned_unicode_string_create_from_wstr(&b, &counter->allocator, KCOM_WSTR("replaced"));
        if (!NT_SUCCESS(status))
            ok(b.string.Buffer == NULL && b.string.Length == 0, "a failed create_from_wstr left %p\n",
               (void *)b.string.Buffer);
    }
    kcom_owned_unicode_string_free(&a);
    kcom_owned_unicode_string_free(&b);
    return status;
}

static void test_owned_allocation_failures(void)
{
    kcom_counting_allocator counter;
    LONG n, allocations;
    NTSTATUS status;

    kcom_counting_allocator_init(&counter, NULL);
    /* without failures: how many allocations the scenario makes */
    check_status(owned_scenario(&counter), STATUS_SUCCESS);
    check_live(&counter, 0);
    allocations = counter.attempts;
    ok(allocations >= 6, "the scenario made %ld allocations\n", (long)allocations);

    /* each of them failing in turn */
    for (n = 1; n <= allocations; n++) {
        kcom_counting_allocator_fail_nth(&counter, n);
        status = owned_scenario(&counter);
        ok(status == STATUS_INSUFFICIENT_RESOURCES, "failing allocation %ld: %s\n", (long)n, kcom_status_name(status));
        ok(counter.failures == 1, "failing allocation %ld: %ld failures\n", (long)n, (long)counter.failures);
        check_live(&counter, 0);
    }
    kcom_counting_allocator_fail_nth(&counter, 0);
}

/* An owned string with the default allocator records the allocator its buffer came from, even
 * when the default is replaced while the buffer is being allocated (another thread, at that
 * moment: here the first allocator's allocate function itself), and frees the buffer there. */
static kcom_counting_allocator switching_counter;

static void *switching_allocate(void *context, size_t size, size_t alignment)
{
    (void)context;
    (void)kcom_set_default_allocator(NULL); /* the platform allocator from now on */
    return switching_counter.allocator.allocate(switching_counter.allocator.context, size, alignment);
}

static void switching_free(void *context, void *block, size_t size, size_t alignment)
{
    (void)context;
    switching_counter.allocator.free(switching_counter.allocator.context, block, size, alignment);
}

static const kcom_allocator switching_allocator = {switching_allocate, switching_free, NULL};

static void test_owned_default_replaced(void)
{
    kcom_owned_unicode_string string = KCOM_OWNED_UNICODE_STRING_INIT;
    kcom_counting_allocator_init(&switching_counter, NULL);
    ok(kcom_set_default_allocator(&switching_allocator) == STATUS_SUCCESS, "default allocator\n");
    check_status(kcom_owned_unicode_string_append_wstr(&string, KCOM_WSTR("hi")), STATUS_SUCCESS);
    check_live(&switching_counter, 1);
    ok(string.allocator == &switching_allocator, "the allocator the buffer came from is recorded\n");
    if (string.allocator == &switching_allocator)
        kcom_owned_unicode_string_free(&string);
    check_live(&switching_counter, 0);
    (void)kcom_set_default_allocator(NULL);
}

void kcom_test_unicode_string(void)
{
    test_literals();
    test_views_and_buffers();
    test_local_appends();
    test_append_arguments();
    test_bounded_limit();
    test_format_conversions();
    test_format_failures();
    test_comparisons();
    test_owned();
    test_owned_limit();
    test_owned_allocation_failures();
    test_owned_default_replaced();
}
