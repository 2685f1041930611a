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
 *
 * When every test runs (none named), the client then drives the driver's pended IRPs (kcom/irp.h)
 * with overlapped IOCTLs, counted in the same summary: IRPs completed by operations on the
 * work-item executor, on timers and from completion sources; CancelIoEx before and after the
 * completion; a buffer too small; METHOD_OUT_DIRECT; closing a handle with IRPs pending
 * (IRP_MJ_CLEANUP); completions racing CancelIoEx. Last, it leaves two IRPs pending, prints a line
 * ending in "waiting for the service to stop" and waits for them to end: the runner
 * (tests/wine/run-kernel-tests.sh) stops the service then, and DriverUnload cancels them.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winioctl.h>

#include <stdarg.h>
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

static totals sum = {0, 0, 0};

/* A check of the client's own (the IRP tests): counted in the summary, printed when it fails. */
static void check(int condition, const char *format, ...)
{
    va_list args;
    if (condition) {
        sum.passed++;
        return;
    }
    sum.failed++;
    printf("kcom_test_client: irp: failed: ");
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
}

static BOOL control(HANDLE device, DWORD code, void *in, DWORD in_size, void *out, DWORD out_size, DWORD *returned)
{
    *returned = 0;
    return DeviceIoControl(device, code, in, in_size, out, out_size, returned, NULL);
}

/* ---- pended IRPs (kcom/irp.h) ------------------------------------------------------------------- */

#define IRP_WAIT_MS 5000u
#define IRP_RACE_ITERATIONS 200u
#define IRP_STOP_WAIT_MS 15000u
#define STATUS_CANCELLED_VALUE ((LONG)0xC0000120UL)
#define STATUS_NOT_FOUND_VALUE ((LONG)0xC0000225UL)
#define STATUS_BUFFER_TOO_SMALL_VALUE ((LONG)0xC0000023UL)

typedef struct pended {
    OVERLAPPED ov;
    ULONG out[2];
    DWORD error;     /* of the completed request: 0, or its Win32 error */
    DWORD bytes;
} pended;

/* Sends an overlapped pend request; TRUE when it pended (ERROR_IO_PENDING). */
static BOOL irp_pend(HANDLE device, DWORD code, ULONG kind, ULONG value, ULONG delay, ULONG slot, DWORD out_size,
                     pended *p)
{
    kcom_test_irp_request request;
    memset(&request, 0, sizeof(request));
    request.kind = kind;
    request.value = value;
    request.delay = delay;
    request.slot = slot;
    memset(&p->ov, 0, sizeof(p->ov));
    p->ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    p->out[0] = p->out[1] = 0xdeadbeef;
    p->error = 0;
    p->bytes = 0;
    if (DeviceIoControl(device, code, &request, sizeof(request), p->out, out_size, NULL, &p->ov))
        return FALSE;
    p->error = GetLastError();
    return p->error == ERROR_IO_PENDING;
}

/* Waits for a pended request to end; FALSE after timeout_ms (the request is then still pending). */
static BOOL irp_wait(HANDLE device, pended *p, DWORD timeout_ms)
{
    if (WaitForSingleObject(p->ov.hEvent, timeout_ms) != WAIT_OBJECT_0)
        return FALSE;
    p->error = GetOverlappedResult(device, &p->ov, &p->bytes, FALSE) ? 0 : GetLastError();
    return TRUE;
}

static void irp_close(pended *p)
{
    CloseHandle(p->ov.hEvent);
}

/* Completes (status 0) or fails the completion source in slot; what the driver's call returned. */
static LONG irp_complete(HANDLE device, ULONG slot, ULONG value, LONG status)
{
    kcom_test_irp_request request;
    DWORD returned;
    ULONG result = 0xffffffff;
    memset(&request, 0, sizeof(request));
    request.slot = slot;
    request.value = value;
    request.status = status;
    if (!control(device, IOCTL_KCOM_TEST_IRP_COMPLETE, &request, sizeof(request), &result, sizeof(result), &returned))
        return (LONG)0xffffffff;
    return (LONG)result;
}

static kcom_test_irp_state irp_state(HANDLE device)
{
    kcom_test_irp_state state;
    DWORD returned;
    memset(&state, 0xff, sizeof(state));
    (void)control(device, IOCTL_KCOM_TEST_IRP_STATE, NULL, 0, &state, sizeof(state), &returned);
    return state;
}

/* The driver's queue empty again (its last records go when their operations finish). */
static int irp_queue_empties(HANDLE device)
{
    int i;
    for (i = 0; i < 200; i++) {
        if (irp_state(device).queue_count == 0)
            return 1;
        Sleep(5);
    }
    return 0;
}

/* A request that pends and completes with its value. */
static void irp_expect_value(HANDLE device, HANDLE sync, DWORD code, ULONG kind, ULONG value, ULONG delay, ULONG slot,
                             const char *what)
{
    pended p;
    BOOL pending = irp_pend(device, code, kind, value, delay, slot, sizeof(ULONG), &p);
    /* a task of a few polls may be done before the IRP is pended: completed in the dispatch routine */
    check(pending || (kind == KCOM_TEST_IRP_WORK && p.error == 0), "%s: pended (error %lu)\n", what,
          (unsigned long)p.error);
    if (kind == KCOM_TEST_IRP_SOURCE)
        check(irp_complete(sync, slot, value, 0) == 0, "%s: the source completed\n", what);
    check(irp_wait(device, &p, IRP_WAIT_MS) && p.error == 0 && p.bytes == sizeof(ULONG) && p.out[0] == value &&
              p.out[1] == 0xdeadbeef,
          "%s: completed with %lu, 4 bytes (error %lu, %lu bytes, %lu)\n", what, (unsigned long)value,
          (unsigned long)p.error, (unsigned long)p.bytes, (unsigned long)p.out[0]);
    irp_close(&p);
}

static const char wine_cleanup_skip[] =
    "kcom_test_client.c: test irp_cleanup skipped: no IRP_MJ_CLEANUP arrives when a handle is closed (Wine 8's "
    "ntoskrnl dispatches no cleanup), so closing a handle with IRPs pending cancels nothing here "
    "(kernel_irp tests kcom_irp_queue_cancel_file)\n";

static void irp_tests(HANDLE sync)
{
    HANDLE device, other;
    kcom_test_irp_state before, state;
    pended p, q[3], r;
    ULONG i, by_completion = 0, by_cancel = 0;
    BOOL has_cleanup;
    DWORD start;

    device = CreateFileA(KCOM_TEST_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         FILE_FLAG_OVERLAPPED, NULL);
    check(device != INVALID_HANDLE_VALUE, "open for overlapped I/O: error %lu\n", (unsigned long)GetLastError());
    if (device == INVALID_HANDLE_VALUE)
        return;
    before = irp_state(sync);

    /* completed by operations: a task on the work-item executor, a timer, a completion source */
    irp_expect_value(device, sync, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_WORK, 11, 5, 0, "work item");
    start = GetTickCount();
    irp_expect_value(device, sync, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_TIMER, 22, 30, 0, "timer");
    check(GetTickCount() - start >= 20, "timer: took its 30 ms (%lu)\n", (unsigned long)(GetTickCount() - start));
    irp_expect_value(device, sync, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 33, 0, 0, "completion source");
    /* METHOD_OUT_DIRECT: the output through the IRP's MDL */
    irp_expect_value(device, sync, IOCTL_KCOM_TEST_IRP_PEND_DIRECT, KCOM_TEST_IRP_WORK, 44, 2, 0, "METHOD_OUT_DIRECT");
    irp_expect_value(device, sync, IOCTL_KCOM_TEST_IRP_PEND_DIRECT, KCOM_TEST_IRP_SOURCE, 45, 0, 1,
                     "METHOD_OUT_DIRECT, completion source");

    /* a failed source: the IRP fails with its status */
    check(irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 1, sizeof(ULONG), &p),
          "failure: pended\n");
    check(irp_complete(sync, 1, 0, STATUS_NOT_FOUND_VALUE) == 0, "failure: the source failed\n");
    check(irp_wait(device, &p, IRP_WAIT_MS) && p.error == ERROR_NOT_FOUND && (LONG)p.ov.Internal == STATUS_NOT_FOUND_VALUE &&
              p.bytes == 0,
          "failure: the IRP failed with STATUS_NOT_FOUND (error %lu, 0x%08lx)\n", (unsigned long)p.error,
          (unsigned long)p.ov.Internal);
    irp_close(&p);

    /* a buffer too small for the result: the copy refuses when the operation completes */
    check(irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 0, 2, &p), "too small: pended\n");
    check(irp_complete(sync, 0, 55, 0) == 0, "too small: the source completed\n");
    check(irp_wait(device, &p, IRP_WAIT_MS) && p.error == ERROR_INSUFFICIENT_BUFFER &&
              (LONG)p.ov.Internal == STATUS_BUFFER_TOO_SMALL_VALUE && p.bytes == 0,
          "too small: STATUS_BUFFER_TOO_SMALL (error %lu, 0x%08lx)\n", (unsigned long)p.error,
          (unsigned long)p.ov.Internal);
    irp_close(&p);

    /* CancelIoEx before the completion: the source canceled through its producer's cancel routine */
    check(irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 2, sizeof(ULONG), &p),
          "cancel: pended\n");
    check(CancelIoEx(device, &p.ov), "cancel: CancelIoEx: error %lu\n", (unsigned long)GetLastError());
    check(irp_wait(device, &p, IRP_WAIT_MS) && p.error == ERROR_OPERATION_ABORTED &&
              (LONG)p.ov.Internal == STATUS_CANCELLED_VALUE,
          "cancel: STATUS_CANCELLED (error %lu)\n", (unsigned long)p.error);
    irp_close(&p);
    state = irp_state(sync);
    check(state.producer_cancels == before.producer_cancels + 1, "cancel: the producer's cancel routine ran once (%lu)\n",
          (unsigned long)(state.producer_cancels - before.producer_cancels));
    check(irp_complete(sync, 2, 1, 0) == STATUS_CANCELLED_VALUE, "cancel: the late completion returns STATUS_CANCELLED\n");
    /* a task's timer of a minute, canceled: the IRP at once */
    check(irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_TIMER, 0, 60000, 0, sizeof(ULONG), &p),
          "cancel a timer: pended\n");
    start = GetTickCount();
    check(CancelIoEx(device, &p.ov), "cancel a timer: CancelIoEx: error %lu\n", (unsigned long)GetLastError());
    check(irp_wait(device, &p, IRP_WAIT_MS) && p.error == ERROR_OPERATION_ABORTED && GetTickCount() - start < 2000,
          "cancel a timer: STATUS_CANCELLED at once (error %lu, %lu ms)\n", (unsigned long)p.error,
          (unsigned long)(GetTickCount() - start));
    irp_close(&p);

    /* CancelIoEx after the completion: nothing to cancel, the result stays */
    check(irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 3, sizeof(ULONG), &p),
          "cancel after: pended\n");
    check(irp_complete(sync, 3, 66, 0) == 0, "cancel after: completed\n");
    check(irp_wait(device, &p, IRP_WAIT_MS) && p.error == 0 && p.out[0] == 66, "cancel after: completed with 66\n");
    check(!CancelIoEx(device, &p.ov) && GetLastError() == ERROR_NOT_FOUND,
          "cancel after: CancelIoEx finds nothing (error %lu)\n", (unsigned long)GetLastError());
    check(p.out[0] == 66 && (LONG)p.ov.Internal == 0, "cancel after: the result stays\n");
    irp_close(&p);

    /* closing a handle with IRPs pending: IRP_MJ_CLEANUP cancels that file object's IRPs only */
    state = irp_state(sync);
    other = CreateFileA(KCOM_TEST_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
                        NULL);
    CloseHandle(other);
    for (i = 0; i < 100 && irp_state(sync).cleanups == state.cleanups; i++)
        Sleep(5);
    has_cleanup = irp_state(sync).cleanups != state.cleanups;
    other = CreateFileA(KCOM_TEST_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
                        NULL);
    check(other != INVALID_HANDLE_VALUE, "cleanup: a second handle\n");
    if (other != INVALID_HANDLE_VALUE) {
        for (i = 0; i < 3; i++)
            check(irp_pend(other, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 4 + i, sizeof(ULONG), &q[i]),
                  "cleanup: pended %lu\n", (unsigned long)i);
        check(irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 7, sizeof(ULONG), &r),
              "cleanup: pended on the first handle\n");
        check(irp_state(sync).queue_count == 4, "cleanup: 4 pended\n");
        CloseHandle(other);
        if (has_cleanup) {
            /* the cleanup comes with the last handle: that file object's IRPs are canceled */
            for (i = 0; i < 3; i++) {
                check(WaitForSingleObject(q[i].ov.hEvent, IRP_WAIT_MS) == WAIT_OBJECT_0 &&
                          (LONG)q[i].ov.Internal == STATUS_CANCELLED_VALUE,
                      "cleanup: IRP %lu canceled (0x%08lx)\n", (unsigned long)i, (unsigned long)q[i].ov.Internal);
                check(irp_complete(sync, 4 + i, 1, 0) == STATUS_CANCELLED_VALUE, "cleanup: source %lu canceled\n",
                      (unsigned long)i);
            }
        } else {
            /* Wine 8 sends no IRP_MJ_CLEANUP at all: the IRPs of a closed handle stay pending
             * until completed. kernel_irp tests kcom_irp_queue_cancel_file in the driver. */
            sum.skipped++;
            remember_skips(wine_cleanup_skip, strlen(wine_cleanup_skip));
            check(WaitForSingleObject(q[0].ov.hEvent, 100) == WAIT_TIMEOUT, "cleanup: the IRPs still pend\n");
            for (i = 0; i < 3; i++)
                check(irp_complete(sync, 4 + i, 40 + i, 0) == 0 &&
                          WaitForSingleObject(q[i].ov.hEvent, IRP_WAIT_MS) == WAIT_OBJECT_0 && q[i].ov.Internal == 0 &&
                          q[i].out[0] == 40 + i,
                      "cleanup: IRP %lu of the closed handle completes with its value\n", (unsigned long)i);
        }
        for (i = 0; i < 3; i++)
            irp_close(&q[i]);
        check(WaitForSingleObject(r.ov.hEvent, 0) == WAIT_TIMEOUT, "cleanup: the other handle's IRP still pends\n");
        check(irp_complete(sync, 7, 77, 0) == 0 && irp_wait(device, &r, IRP_WAIT_MS) && r.error == 0 && r.out[0] == 77,
              "cleanup: which then completes\n");
        irp_close(&r);
    }

    /* a completion racing CancelIoEx: each IRP ends once, completed or canceled */
    for (i = 0; i < IRP_RACE_ITERATIONS; i++) {
        LONG completed;
        if (!irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 8, sizeof(ULONG), &p)) {
            check(0, "race %lu: not pended\n", (unsigned long)i);
            break;
        }
        if (i % 2 == 0) {
            completed = irp_complete(sync, 8, i, 0);
            (void)CancelIoEx(device, &p.ov);
        } else {
            (void)CancelIoEx(device, &p.ov);
            completed = irp_complete(sync, 8, i, 0);
        }
        if (!irp_wait(device, &p, IRP_WAIT_MS)) {
            check(0, "race %lu: the IRP never ended\n", (unsigned long)i);
            break;
        }
        if (p.error == 0 && p.out[0] == i && completed == 0)
            by_completion++;
        else if (p.error == ERROR_OPERATION_ABORTED && completed == STATUS_CANCELLED_VALUE)
            by_cancel++;
        irp_close(&p);
    }
    check(by_completion + by_cancel == IRP_RACE_ITERATIONS,
          "race: %lu of %u ended right (%lu completed, %lu canceled)\n", (unsigned long)(by_completion + by_cancel),
          IRP_RACE_ITERATIONS, (unsigned long)by_completion, (unsigned long)by_cancel);
    printf("irp race: %u completions raced with CancelIoEx: %lu completed, %lu canceled\n", IRP_RACE_ITERATIONS,
           (unsigned long)by_completion, (unsigned long)by_cancel);

    CloseHandle(device);
    state = irp_state(sync);
    check(irp_queue_empties(sync), "the queue is empty at the end\n");
    check(state.sources_held == 0, "no completion source left (%lu)\n", (unsigned long)state.sources_held);
}

/* Two IRPs pending while the service stops: DriverUnload cancels them (kcom_irp_queue_drain). */
static void irp_stop_test(void)
{
    HANDLE device = CreateFileA(KCOM_TEST_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                                FILE_FLAG_OVERLAPPED, NULL);
    pended p[2];
    int i;
    check(device != INVALID_HANDLE_VALUE, "stop: open\n");
    if (device == INVALID_HANDLE_VALUE)
        return;
    check(irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_SOURCE, 0, 0, 9, sizeof(ULONG), &p[0]) &&
              irp_pend(device, IOCTL_KCOM_TEST_IRP_PEND, KCOM_TEST_IRP_TIMER, 0, 60000, 0, sizeof(ULONG), &p[1]),
          "stop: two IRPs pended\n");
    printf("irp: 2 IRPs pending, waiting for the service to stop\n");
    fflush(stdout);
    for (i = 0; i < 2; i++) {
        check(irp_wait(device, &p[i], IRP_STOP_WAIT_MS) && p[i].error == ERROR_OPERATION_ABORTED,
              "stop: IRP %d canceled at unload (error %lu)\n", i, (unsigned long)p[i].error);
        irp_close(&p[i]);
    }
    CloseHandle(device);
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
    if (selected(argc, argv, "", found) && info.test_count != 0) /* none named: every test */
        irp_tests(device);

    if (control(device, IOCTL_KCOM_TEST_INFO, NULL, 0, &info, sizeof(info), &returned) &&
        returned == sizeof(info) && info.live_allocations != 0) {
        printf("kernel tests: %ld kcom allocations live after the run\n", (long)info.live_allocations);
        sum.failed++;
    }
    if (selected(argc, argv, "", found))
        irp_stop_test();
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
