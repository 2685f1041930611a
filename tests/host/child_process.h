/*
 * child_process.h - death tests for the POSIX host: a scenario runs in a forked child whose
 * stderr is captured, and the parent checks how the child ended and what it wrote.
 */
#ifndef KCOM_TEST_CHILD_PROCESS_H
#define KCOM_TEST_CHILD_PROCESS_H

#include "../harness/kcom_test.h"

#include <stdarg.h>
#include <stddef.h>

/*
 * Runs child(context) in a forked process whose stderr (kcom's default trace sink, the
 * sanitizers' reports, kcom_test_child_trace_hook) goes into a pipe; child must end the process
 * (_exit, or a signal). Collects what it wrote, at most size - 1 bytes, NUL-terminated, and its
 * wait status. Returns FALSE, with a failed check naming name, when the pipe or the fork failed.
 */
int kcom_test_run_child(const char *name, void (*child)(const void *context), const void *context, char *output,
                        size_t size, int *status);

/* A kcom trace hook for children: every message, unfiltered, one line each on stderr. */
void kcom_test_child_trace_hook(void *context, kcom_trace_level level, const char *file, int line,
                                const char *format, va_list args);

/* Runs child(context) as kcom_test_run_child does and checks that it failed fast: it died of
 * SIGABRT, and its trace holds both texts (the fail-fast line, its reason). */
void kcom_test_child_fails_fast(const char *name, void (*child)(const void *context), const void *context,
                                const char *text, const char *also);

/* "died of signal" or "exited with", and the number, for messages about a wait status. */
const char *kcom_test_child_end(int status);
int kcom_test_child_code(int status);

#endif /* KCOM_TEST_CHILD_PROCESS_H */
