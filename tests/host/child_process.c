/*
 * child_process.c - see child_process.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "child_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int kcom_test_run_child(const char *name, void (*child)(const void *context), const void *context, char *output,
                        size_t size, int *status)
{
    size_t used = 0;
    int fds[2];
    pid_t pid;

    *status = 0;
    output[0] = '\0';
    if (pipe(fds) != 0) {
        ok(0, "%s: pipe failed (errno %d)\n", name, errno);
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        ok(0, "%s: fork failed (errno %d)\n", name, errno);
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        close(fds[1]);
        child(context);
        _exit(98); /* child must not return */
    }
    close(fds[1]);
    for (;;) {
        ssize_t got = read(fds[0], output + used, size - 1 - used);
        if (got > 0) {
            used += (size_t)got;
            if (used == size - 1)
                break;
        } else if (got == 0 || errno != EINTR) {
            break;
        }
    }
    output[used] = '\0';
    close(fds[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return 1;
}

void kcom_test_child_trace_hook(void *context, kcom_trace_level level, const char *file, int line,
                                const char *format, va_list args)
{
    char text[512];
    int length;
    (void)context;
    (void)level;
    (void)file;
    (void)line;
    length = vsnprintf(text, sizeof(text) - 1, format, args);
    if (length < 0)
        return;
    if ((size_t)length > sizeof(text) - 2)
        length = (int)sizeof(text) - 2;
    text[length++] = '\n';
    if (write(2, text, (size_t)length) < 0)
        return;
}

const char *kcom_test_child_end(int status)
{
    return WIFSIGNALED(status) ? "died of signal" : "exited with";
}

int kcom_test_child_code(int status)
{
    return WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
}

void kcom_test_child_fails_fast(const char *name, void (*child)(const void *context), const void *context,
                                const char *text, const char *also)
{
    char output[4096];
    int status;
    if (!kcom_test_run_child(name, child, context, output, sizeof(output), &status))
        return;
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "%s: the child %s %d, expected SIGABRT\nits trace: %s\n",
       name, kcom_test_child_end(status), kcom_test_child_code(status), output);
    ok(strstr(output, text) != NULL && strstr(output, also) != NULL,
       "%s: the child did not trace \"%s\" and \"%s\"; it traced: %s\n", name, text, also, output);
}
