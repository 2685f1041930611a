/*
 * Host runner: runs every test of suites/test_list.h, or those named on the command line.
 */
#include "../harness/kcom_test.h"
#include "../suites/test_list.h"

#include <stdio.h>
#include <string.h>

void kcom_test_vprint(const char *format, va_list args)
{
    vprintf(format, args);
    fflush(stdout);
}

#define DECLARE_TEST_(name) void kcom_test_##name(void);
KCOM_TEST_LIST(DECLARE_TEST_)

static const struct {
    const char *name;
    void (*run)(void);
} tests[] = {
#define TEST_ENTRY_(name) {#name, kcom_test_##name},
    KCOM_TEST_LIST(TEST_ENTRY_)
};

int main(int argc, char **argv)
{
    const kcom_test_totals *totals;
    size_t i;
    int j;
    for (j = 1; j < argc; j++) {
        for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
            if (strcmp(argv[j], tests[i].name) == 0)
                break;
        if (i == sizeof(tests) / sizeof(tests[0])) {
            fprintf(stderr, "no test named %s\n", argv[j]);
            return 2;
        }
    }
    if (!NT_SUCCESS(kcom_initialize())) {
        fprintf(stderr, "kcom_initialize failed\n");
        return 2;
    }
    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int selected = argc == 1;
        for (j = 1; j < argc && !selected; j++)
            selected = strcmp(argv[j], tests[i].name) == 0;
        if (selected)
            kcom_test_run(tests[i].name, tests[i].run);
    }
    kcom_uninitialize();
    totals = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed,
           (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
