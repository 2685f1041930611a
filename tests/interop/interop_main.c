/*
 * kcom_interop_tests: kcom next to widl-generated C and C++ declarations (kcom_interop.idl).
 * Runs every test, or those named on the command line.
 */
#include "interop_shared.h"

#include "../harness/kcom_test.h"

#include <stdio.h>
#include <string.h>

void kcom_test_vprint(const char *format, va_list args)
{
    vprintf(format, args);
    fflush(stdout);
}

int interop_check(int condition, const char *file, int line, const char *what)
{
    return ok_(file, line)(condition, "%s\n", what);
}

static const struct {
    const char *name;
    void (*run)(void);
} tests[] = {
    {"layout", interop_test_layout},
    {"widl_macros", interop_test_widl_macros},
    {"widl_implemented", interop_test_widl_implemented},
    {"cxx_calls_kcom", interop_test_cxx_calls_kcom},
    {"kcom_calls_cxx", interop_test_kcom_calls_cxx},
};

int main(int argc, char **argv)
{
    const kcom_test_totals *totals;
    size_t i;
    int j, found;
    for (j = 1; j < argc; j++) {
        for (i = 0, found = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
            found |= strcmp(argv[j], tests[i].name) == 0;
        if (!found) {
            fprintf(stderr, "no test named %s\n", argv[j]);
            return 2;
        }
    }
    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int selected = argc == 1;
        for (j = 1; j < argc && !selected; j++)
            selected = strcmp(argv[j], tests[i].name) == 0;
        if (selected)
            kcom_test_run(tests[i].name, tests[i].run);
    }
    totals = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed,
           (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
