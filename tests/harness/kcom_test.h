/*
 * kcom_test.h - the test harness shared by the host suite and the kernel test driver.
 *
 * Wine style: every check is ok(condition, format, ...); helpers that check on behalf of their
 * caller take the caller's line and use ok_(file, line)(...), so failures point at the test.
 * Tests are plain functions listed in suites/test_list.h; a runner (host executable or driver)
 * calls them and reports "N passed, M failed, K skipped" over all checks.
 */
#ifndef KCOM_TEST_H
#define KCOM_TEST_H

#include <kcom/kcom.h>

#include <stdarg.h>

KCOM_BEGIN_DECLS

typedef struct kcom_test_totals {
    LONG passed;
    LONG failed;
    LONG skipped;
} kcom_test_totals;

/* Records where the next check is (the caller's file and line). */
void kcom_test_at(const char *file, int line);
/* One check: counts it, and reports it when it fails. Returns condition. */
int kcom_test_ok(int condition, const char *format, ...) KCOM_PRINTF_FORMAT(2, 3);
/* Skips a part of a test, with the reason. */
void kcom_test_skip(const char *file, int line, const char *format, ...) KCOM_PRINTF_FORMAT(3, 4);
/* Prints a line of test output (host: stdout; kernel: the debug log). */
void kcom_test_print(const char *format, ...) KCOM_PRINTF_FORMAT(1, 2);
void kcom_test_vprint(const char *format, va_list args);

/* Runs one test function under its name; the totals accumulate across calls. */
void kcom_test_run(const char *name, void (*test)(void));
const kcom_test_totals *kcom_test_get_totals(void);

KCOM_END_DECLS

#define ok_(file, line) (kcom_test_at((file), (line)), kcom_test_ok)
#define ok ok_(__FILE__, __LINE__)
#define skip(...) kcom_test_skip(__FILE__, __LINE__, __VA_ARGS__)

#endif /* KCOM_TEST_H */
