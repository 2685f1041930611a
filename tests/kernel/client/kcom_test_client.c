/*
 * kcom_test_client - runs the tests of the kcom kernel test driver (kcom_test.sys) and reports.
 *
 *     kcom_test_client [--list] [TEST...]
 *
 * Opens \\.\KcomTest, runs every test (or those named) one IOCTL at a time, prints each test's
 * output, then the skips with their reasons and the summary line
 *
 *     kernel tests: N passed, M failed, K skipped
 *
 * (checks, as the host runner counts them). A test that leaves kcom allocations behind counts as
 * one more failure. Exit status: 0 when nothing failed, 1 on failures, 2 when the driver could not
 * be reached or stopped answering (a crash in the driver ends its host process).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcom_test_ioctl.h"

typedef struct totals {
    long passed, failed, skipped;
} totals;

/* Skip lines ("file:line: test NAME skipped: reason"), repeated after the run. */
static char *skips;
static size_t skips_length;

static void remember_skips(const char *text, size_t length)
{
    const char *line = text, *end = text + length;
    while (line < end) {
        const char *next = memchr(line, '\n', (size_t)(end - line));
        size_t line_length = next != NULL ? (size_t)(next - line) : (size_t)(end - line);
        char *grown;
        /* the harness's skip format: "<file>:<line>: test <name> skipped: <reason>" */
        if (line_length > 0 && strstr(line, " skipped: ") != NULL &&
            (const char *)strstr(line, " skipped: ") < line + line_length) {
            grown = realloc(skips, skips_length + line_length + 2);
            if (grown != NULL) {
                skips = grown;
                memcpy(skips + skips_length, line, line_length);
                skips_length += line_length;
                skips[skips_length++] = '\n';
                skips[skips_length] = '\0';
            }
        }
        line += line_length + 1;
    }
}

static BOOL control(HANDLE device, DWORD code, void *in, DWORD in_size, void *out, DWORD out_size, DWORD *returned)
{
    *returned = 0;
    return DeviceIoControl(device, code, in, in_size, out, out_size, returned, NULL);
}

/* Whether the test runs: every test when none is named; named ones are marked in found[]. */
static int selected(int argc, char **argv, const char *name, char *found)
{
    int i, any = 0;
    for (i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        any = 1;
        if (strcmp(argv[i], name) == 0) {
            found[i] = 1;
            return 1;
        }
    }
    return !any;
}

int main(int argc, char **argv)
{
    HANDLE device;
    kcom_test_info info;
    kcom_test_result *result;
    DWORD returned, result_size = sizeof(kcom_test_result) + KCOM_TEST_OUTPUT_SIZE;
    totals sum = {0, 0, 0};
    int list_only = 0, i, ran = 0, with_failures = 0, with_skips = 0;
    char *found;
    ULONG index;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0)
            list_only = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: %s [--list] [TEST...]\n", argv[0]);
            return 2;
        }
    }

    device = CreateFileA(KCOM_TEST_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (device == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "kcom_test_client: cannot open %s: error %lu (is kcom_test.sys started?)\n",
                KCOM_TEST_USER_PATH, (unsigned long)GetLastError());
        return 2;
    }
    if (!control(device, IOCTL_KCOM_TEST_INFO, NULL, 0, &info, sizeof(info), &returned) ||
        returned != sizeof(info)) {
        fprintf(stderr, "kcom_test_client: IOCTL_KCOM_TEST_INFO failed: error %lu\n", (unsigned long)GetLastError());
        CloseHandle(device);
        return 2;
    }
    if (!list_only)
        printf("kcom_test.sys: %lu tests, pool tag 0x%08lx, %s, %ld live kcom allocations before the run\n",
               (unsigned long)info.test_count, (unsigned long)info.pool_tag,
               info.allocate_pool2 ? "ExAllocatePool2" : "ExAllocatePoolWithTag (no ExAllocatePool2)",
               (long)info.live_allocations);

    result = (kcom_test_result *)malloc(result_size + 1);
    found = (char *)calloc((size_t)argc, 1);
    if (result == NULL || found == NULL) {
        free(result);
        free(found);
        CloseHandle(device);
        return 2;
    }
    for (index = 0; index < info.test_count; index++) {
        char name[KCOM_TEST_NAME_SIZE];
        if (!control(device, IOCTL_KCOM_TEST_NAME, &index, sizeof(index), name, sizeof(name), &returned) ||
            returned == 0) {
            fprintf(stderr, "kcom_test_client: IOCTL_KCOM_TEST_NAME(%lu) failed: error %lu\n", (unsigned long)index,
                    (unsigned long)GetLastError());
            goto unreachable;
        }
        name[sizeof(name) - 1] = '\0';
        if (list_only) {
            printf("%s\n", name);
            continue;
        }
        if (!selected(argc, argv, name, found))
            continue;
        memcpy(result, &index, sizeof(index));
        if (!control(device, IOCTL_KCOM_TEST_RUN, result, sizeof(index), result, result_size, &returned) ||
            returned < sizeof(*result)) {
            fprintf(stderr, "kcom_test_client: test %s: IOCTL_KCOM_TEST_RUN failed: error %lu (did the driver crash?)\n",
                    name, (unsigned long)GetLastError());
            sum.failed++;
            goto unreachable;
        }
        ran++;
        ((char *)(result + 1))[result->output_length] = '\0';
        fwrite(result + 1, 1, result->output_length, stdout);
        if (result->output_truncated)
            printf("%s: [output cut at %u bytes; the driver log has all of it]\n", name, KCOM_TEST_OUTPUT_SIZE);
        remember_skips((const char *)(result + 1), result->output_length);
        if (result->leaked != 0) {
            printf("%s: failed: left %ld kcom allocations behind\n", name, (long)result->leaked);
            result->failed++;
        }
        sum.passed += result->passed;
        sum.failed += result->failed;
        sum.skipped += result->skipped;
        with_failures += result->failed != 0;
        with_skips += result->skipped != 0;
        fflush(stdout);
    }
    if (list_only)
        goto done;
    for (i = 1; i < argc; i++) {
        if (argv[i][0] != '-' && !found[i]) {
            printf("kernel tests: the driver has no test named %s\n", argv[i]);
            sum.failed++;
        }
    }

    if (control(device, IOCTL_KCOM_TEST_INFO, NULL, 0, &info, sizeof(info), &returned) &&
        returned == sizeof(info) && info.live_allocations != 0) {
        printf("kernel tests: %ld kcom allocations live after the run\n", (long)info.live_allocations);
        sum.failed++;
    }
    printf("kernel tests: %d tests ran in the driver, %d with failures, %d with skipped checks\n", ran,
           with_failures, with_skips);
    if (skips_length != 0)
        printf("skipped:\n%s", skips);
    printf("kernel tests: %ld passed, %ld failed, %ld skipped\n", sum.passed, sum.failed, sum.skipped);

done:
    free(result);
    free(found);
    free(skips);
    CloseHandle(device);
    return sum.failed == 0 ? 0 : 1;

unreachable:
    printf("kernel tests: %ld passed, %ld failed, %ld skipped\n", sum.passed, sum.failed, sum.skipped);
    free(result);
    free(found);
    free(skips);
    CloseHandle(device);
    return 2;
}
