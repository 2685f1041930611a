/*
 * The harness's counters and reporting; portable (host and kernel).
 */
#include "kcom_test.h"

static kcom_test_totals totals;
static const char *current_test = "?";
static const char *current_file = "?";
static int current_line;

static const char *base_name(const char *path)
{
    const char *base = path;
    for (; *path != '\0'; path++)
        if (*path == '/' || *path == '\\')
            base = path + 1;
    return base;
}

/* Messages are written Wine style, usually ending in a newline; add one when they do not. */
static void end_line(const char *format)
{
    const char *end = format;
    while (*end != '\0')
        end++;
    if (end == format || end[-1] != '\n')
        kcom_test_print("\n");
}

void kcom_test_at(const char *file, int line)
{
    current_file = file;
    current_line = line;
}

int kcom_test_ok(int condition, const char *format, ...)
{
    if (condition) {
        totals.passed++;
        return 1;
    }
    totals.failed++;
    {
        va_list args;
        kcom_test_print("%s:%d: test %s failed: ", base_name(current_file), current_line, current_test);
        va_start(args, format);
        kcom_test_vprint(format, args);
        va_end(args);
        end_line(format);
    }
    return 0;
}

void kcom_test_skip(const char *file, int line, const char *format, ...)
{
    va_list args;
    totals.skipped++;
    kcom_test_print("%s:%d: test %s skipped: ", base_name(file), line, current_test);
    va_start(args, format);
    kcom_test_vprint(format, args);
    va_end(args);
    end_line(format);
}

void kcom_test_print(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    kcom_test_vprint(format, args);
    va_end(args);
}

void kcom_test_run(const char *name, void (*test)(void))
{
    kcom_test_totals before = totals;
    current_test = name;
    test();
    kcom_test_print("%s: %ld checks passed, %ld failed, %ld skipped\n", name, (long)(totals.passed - before.passed),
                    (long)(totals.failed - before.failed), (long)(totals.skipped - before.skipped));
    current_test = "?";
}

const kcom_test_totals *kcom_test_get_totals(void)
{
    return &totals;
}
