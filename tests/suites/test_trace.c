/*
 * Tracing: KCOM_TRACE reaches the installed hook with its context, level, file, line, format and
 * arguments; kcom_set_trace_level filters by level (returning the previous level) and
 * kcom_trace_enabled agrees; KCOM_ENSURE returns its status from the enclosing function, evaluates it
 * once and traces the condition at ERROR level with file and line; kcom_set_trace_hook(NULL) takes
 * the hook out again.
 */
#include "test_common.h"

#if KCOM_TARGET_WIN32
#include <io.h>
#include <stdio.h>
#include <string.h>
#endif

enum args_kind { ARGS_NONE, ARGS_INT_STRING, ARGS_ENSURE };

typedef struct trace_record {
    enum args_kind args_kind;
    LONG calls;
    kcom_trace_level level;
    const char *file;
    int line;
    const char *format;
    int int_arg;
    const char *string_arg;
    const char *string_arg2;
    unsigned unsigned_arg;
} trace_record;

static void record_hook(void *context, kcom_trace_level level, const char *file, int line, const char *format,
                        va_list args)
{
    trace_record *record = (trace_record *)context;
    va_list copy;
    record->calls++;
    record->level = level;
    record->file = file;
    record->line = line;
    record->format = format;
    va_copy(copy, args);
    switch (record->args_kind) {
    case ARGS_INT_STRING:
        record->int_arg = va_arg(copy, int);
        record->string_arg = va_arg(copy, const char *);
        break;
    case ARGS_ENSURE:
        record->string_arg = va_arg(copy, const char *);  /* the condition */
        record->string_arg2 = va_arg(copy, const char *); /* the status name */
        record->unsigned_arg = va_arg(copy, unsigned);    /* the status */
        break;
    case ARGS_NONE:
        break;
    }
    va_end(copy);
}

static void reset(trace_record *record, enum args_kind kind)
{
    memset(record, 0, sizeof(*record));
    record->args_kind = kind;
    record->level = KCOM_TRACE_LEVEL_NONE;
}

static LONG status_evaluations;
static NTSTATUS counted_status(NTSTATUS status)
{
    status_evaluations++;
    return status;
}

static int ensure_line;
static NTSTATUS ensure_positive(int value)
{
    /* clang-format off */
    ensure_line = __LINE__; KCOM_ENSURE(value > 0, counted_status(STATUS_INVALID_PARAMETER));
    /* clang-format on */
    return STATUS_SUCCESS;
}

/* kcom_vtrace through a variadic helper */
static void vtrace_helper(kcom_trace_level level, int line, const char *format, ...) KCOM_PRINTF_FORMAT(3, 4);
static void vtrace_helper(kcom_trace_level level, int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    kcom_vtrace(level, __FILE__, line, format, args);
    va_end(args);
}

void kcom_test_trace(void)
{
    trace_record record;
    int line;
    kcom_trace_level previous;
    NTSTATUS status;

    previous = kcom_set_trace_level(KCOM_TRACE_LEVEL_WARNING);
    ok(previous == KCOM_TRACE_LEVEL_WARNING, "the default level is %d, expected WARNING\n", (int)previous);

    /* KCOM_TRACE: context, level, file, line, format and arguments */
    reset(&record, ARGS_INT_STRING);
    kcom_set_trace_hook(record_hook, &record);
    /* clang-format off */
    line = __LINE__; KCOM_TRACE(ERROR, "value %d name %s", 42, "forty-two");
    /* clang-format on */
    ok(record.calls == 1, "the hook ran %ld times\n", (long)record.calls);
    ok(record.level == KCOM_TRACE_LEVEL_ERROR, "level %d\n", (int)record.level);
    ok(test_text_equal(record.file, __FILE__), "file %s, expected %s\n", record.file ? record.file : "(null)",
       __FILE__);
    ok(record.line == line, "line %d, expected %d\n", record.line, line);
    ok(test_text_equal(record.format, "value %d name %s"), "format \"%s\"\n", record.format ? record.format : "");
    ok(record.int_arg == 42 && test_text_equal(record.string_arg, "forty-two"), "arguments %d \"%s\"\n",
       record.int_arg, record.string_arg ? record.string_arg : "");

    reset(&record, ARGS_INT_STRING);
    /* clang-format off */
    line = __LINE__; KCOM_TRACE(WARNING, "warning %d %s", -7, "w");
    /* clang-format on */
    ok(record.calls == 1 && record.level == KCOM_TRACE_LEVEL_WARNING && record.line == line &&
           record.int_arg == -7 && test_text_equal(record.string_arg, "w"),
       "KCOM_TRACE(WARNING): %ld calls, level %d, line %d\n", (long)record.calls, (int)record.level, record.line);

    /* kcom_trace directly, with no file; kcom_vtrace */
    reset(&record, ARGS_INT_STRING);
    kcom_trace(KCOM_TRACE_LEVEL_ERROR, NULL, 0, "%d%s", 5, "x");
    ok(record.calls == 1 && record.file == NULL && record.line == 0 && record.int_arg == 5,
       "kcom_trace without a file\n");
    reset(&record, ARGS_INT_STRING);
    vtrace_helper(KCOM_TRACE_LEVEL_WARNING, 1234, "%d %s", 99, "vtrace");
    ok(record.calls == 1 && record.line == 1234 && record.int_arg == 99 && test_text_equal(record.string_arg, "vtrace"),
       "kcom_vtrace\n");

    /* level filtering (default WARNING): INFO and VERBOSE are dropped */
    reset(&record, ARGS_NONE);
    KCOM_TRACE(INFO, "info");
    KCOM_TRACE(VERBOSE, "verbose");
    kcom_trace(KCOM_TRACE_LEVEL_NONE, __FILE__, __LINE__, "none");
    ok(record.calls == 0, "%ld messages above WARNING delivered\n", (long)record.calls);
    ok(kcom_trace_enabled(KCOM_TRACE_LEVEL_ERROR) && kcom_trace_enabled(KCOM_TRACE_LEVEL_WARNING) &&
           !kcom_trace_enabled(KCOM_TRACE_LEVEL_INFO) && !kcom_trace_enabled(KCOM_TRACE_LEVEL_VERBOSE),
       "kcom_trace_enabled at WARNING\n");
    ok(!kcom_trace_enabled(KCOM_TRACE_LEVEL_NONE), "kcom_trace_enabled(NONE)\n");
    /* a level outside the enumeration is never enabled, and never delivered */
    kcom_trace((kcom_trace_level)-3, __FILE__, __LINE__, "negative");
    ok(record.calls == 0 && !kcom_trace_enabled((kcom_trace_level)-3), "a negative level was delivered\n");
    ok(test_text_equal(kcom_trace_level_name(KCOM_TRACE_LEVEL_NONE), "none") &&
           test_text_equal(kcom_trace_level_name(KCOM_TRACE_LEVEL_VERBOSE), "verbose") &&
           test_text_equal(kcom_trace_level_name((kcom_trace_level)9), "unknown"),
       "level names: %s %s\n", kcom_trace_level_name(KCOM_TRACE_LEVEL_NONE),
       kcom_trace_level_name((kcom_trace_level)9));

    previous = kcom_set_trace_level(KCOM_TRACE_LEVEL_VERBOSE);
    ok(previous == KCOM_TRACE_LEVEL_WARNING, "kcom_set_trace_level returned %d\n", (int)previous);
    KCOM_TRACE(INFO, "info");
    ok(record.calls == 1 && record.level == KCOM_TRACE_LEVEL_INFO, "INFO at VERBOSE\n");
    KCOM_TRACE(VERBOSE, "verbose");
    ok(record.calls == 2 && record.level == KCOM_TRACE_LEVEL_VERBOSE, "VERBOSE at VERBOSE\n");
    kcom_trace(KCOM_TRACE_LEVEL_NONE, __FILE__, __LINE__, "none");
    ok(record.calls == 2, "a NONE message was delivered\n");
    kcom_trace((kcom_trace_level)5, __FILE__, __LINE__, "above VERBOSE");
    ok(record.calls == 2 && !kcom_trace_enabled((kcom_trace_level)5), "a level above VERBOSE was delivered\n");
    ok(kcom_trace_enabled(KCOM_TRACE_LEVEL_VERBOSE) && !kcom_trace_enabled(KCOM_TRACE_LEVEL_NONE),
       "kcom_trace_enabled at VERBOSE\n");

    previous = kcom_set_trace_level(KCOM_TRACE_LEVEL_ERROR);
    ok(previous == KCOM_TRACE_LEVEL_VERBOSE, "kcom_set_trace_level returned %d\n", (int)previous);
    KCOM_TRACE(WARNING, "warning");
    ok(record.calls == 2, "WARNING delivered at ERROR\n");
    KCOM_TRACE(ERROR, "error");
    ok(record.calls == 3 && record.level == KCOM_TRACE_LEVEL_ERROR, "ERROR at ERROR\n");

    previous = kcom_set_trace_level(KCOM_TRACE_LEVEL_NONE);
    ok(previous == KCOM_TRACE_LEVEL_ERROR, "kcom_set_trace_level returned %d\n", (int)previous);
    KCOM_TRACE(ERROR, "error");
    ok(record.calls == 3, "ERROR delivered at NONE\n");
    ok(!kcom_trace_enabled(KCOM_TRACE_LEVEL_ERROR), "kcom_trace_enabled(ERROR) at NONE\n");

    /* KCOM_ENSURE: returns the status even when nothing is traced */
    status_evaluations = 0;
    ok(ensure_positive(0) == STATUS_INVALID_PARAMETER, "KCOM_ENSURE at NONE\n");
    ok(record.calls == 3, "KCOM_ENSURE traced at NONE\n");
    ok(status_evaluations == 1, "KCOM_ENSURE evaluated its status %ld times\n", (long)status_evaluations);
    previous = kcom_set_trace_level(KCOM_TRACE_LEVEL_WARNING);
    ok(previous == KCOM_TRACE_LEVEL_NONE, "kcom_set_trace_level returned %d\n", (int)previous);
    /* a level outside the enumeration is ignored: the filter stays, and says so */
    previous = kcom_set_trace_level((kcom_trace_level)99);
    ok(previous == KCOM_TRACE_LEVEL_WARNING, "kcom_set_trace_level(99) returned %d\n", (int)previous);
    previous = kcom_set_trace_level((kcom_trace_level)-1);
    ok(previous == KCOM_TRACE_LEVEL_WARNING, "kcom_set_trace_level(-1) returned %d\n", (int)previous);
    ok(!kcom_trace_enabled(KCOM_TRACE_LEVEL_INFO) && kcom_trace_enabled(KCOM_TRACE_LEVEL_WARNING),
       "still filtering at WARNING\n");

    reset(&record, ARGS_ENSURE);
    status_evaluations = 0;
    ok(ensure_positive(1) == STATUS_SUCCESS, "KCOM_ENSURE with a true condition\n");
    ok(record.calls == 0 && status_evaluations == 0, "KCOM_ENSURE with a true condition traced or evaluated\n");
    status = ensure_positive(-3);
    ok(status == STATUS_INVALID_PARAMETER, "KCOM_ENSURE returned %s\n", kcom_status_name(status));
    ok(status_evaluations == 1, "KCOM_ENSURE evaluated its status %ld times\n", (long)status_evaluations);
    ok(record.calls == 1 && record.level == KCOM_TRACE_LEVEL_ERROR, "KCOM_ENSURE: %ld calls, level %d\n",
       (long)record.calls, (int)record.level);
    ok(test_text_equal(record.file, __FILE__) && record.line == ensure_line, "KCOM_ENSURE at %s:%d, expected %d\n",
       record.file ? record.file : "(null)", record.line, ensure_line);
    ok(test_text_equal(record.string_arg, "value > 0"), "KCOM_ENSURE condition \"%s\"\n",
       record.string_arg ? record.string_arg : "");
    ok(test_text_equal(record.string_arg2, "STATUS_INVALID_PARAMETER"), "KCOM_ENSURE status name \"%s\"\n",
       record.string_arg2 ? record.string_arg2 : "");
    ok(record.unsigned_arg == 0xC000000Du, "KCOM_ENSURE status 0x%08x\n", record.unsigned_arg);
    ok(test_text_contains(record.format, "%s"), "KCOM_ENSURE format \"%s\"\n", record.format ? record.format : "");

    /* a second hook replaces the first; NULL takes it out */
    {
        trace_record second;
        reset(&second, ARGS_NONE);
        reset(&record, ARGS_NONE);
        kcom_set_trace_hook(record_hook, &second);
        KCOM_TRACE(ERROR, "to the second hook");
        ok(second.calls == 1 && record.calls == 0, "hook replacement: %ld and %ld calls\n", (long)second.calls,
           (long)record.calls);
        kcom_set_trace_hook(NULL, NULL);
        KCOM_TRACE(WARNING, "(expected output) the default trace sink, after kcom_set_trace_hook(NULL)");
        ok(second.calls == 1 && record.calls == 0, "a removed hook was called: %ld and %ld calls\n",
           (long)second.calls, (long)record.calls);
    }
#if KCOM_TARGET_WIN32
    /* the default sink cuts a long message, and says so */
    {
        static char long_text[3000];
        char line[2048];
        FILE *captured = fopen("kcom_trace_capture.txt", "w+"); /* tmpfile() writes to the drive's root */
        int saved = _dup(_fileno(stderr));
        size_t n;
        memset(long_text, 'k', sizeof(long_text) - 1);
        ok(captured != NULL && saved >= 0, "stderr captured\n");
        if (captured != NULL && saved >= 0) {
            fflush(stderr);
            _dup2(_fileno(captured), _fileno(stderr));
            KCOM_TRACE(WARNING, "%s", long_text);
            fflush(stderr);
            _dup2(saved, _fileno(stderr));
            rewind(captured);
            n = fread(line, 1, sizeof(line) - 1, captured);
            line[n] = '\0';
            ok(n > 900 && n < 1100 && n >= 4 && memcmp(line + n - 4, "...\n", 4) == 0,
               "a cut message ends in \"...\" (%lu bytes)\n", (unsigned long)n);
        }
        if (saved >= 0)
            _close(saved);
        if (captured != NULL) {
            fclose(captured);
            remove("kcom_trace_capture.txt");
        }
    }
#endif
    ok(kcom_set_trace_level(KCOM_TRACE_LEVEL_WARNING) == KCOM_TRACE_LEVEL_WARNING, "level restored\n");
}
