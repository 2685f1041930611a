/*
 * sensorhub_client - drives sensorhub.sys through every path and prints what happens:
 *
 *   sync requests (info, read, calibrate), an async request completed, an async request canceled
 *   with CancelIoEx, bad input answered with the statuses sensorhub_ioctl.h documents, and last
 *   two requests left pending while the service is stopped: the driver cancels them at unload.
 *
 * The last step prints a line ending in "waiting for the service to stop" and waits for the
 * requests to end; the runner (tests/wine/run-sample.sh) stops the service when it sees it.
 * With --race N, N more requests are canceled as they complete (the cancel routine racing the
 * completion callback). Exit status: 0 when every step went as documented, 1 otherwise, 2 when
 * the driver cannot be reached.
 */
#define WIN32_LEAN_AND_MEAN
#define WIN32_NO_STATUS
#include <windows.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include <winioctl.h>
#include <winternl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sensorhub_ioctl.h"

#define UNLOAD_WAIT_MS 30000u
#define HANDLE_LINGER_MS 500u /* the handle kept after the requests that ended at unload */

static HANDLE device;
static int steps, unexpected;

static const struct {
    NTSTATUS status;
    const char *name;
} status_names[] = {
    {STATUS_SUCCESS, "STATUS_SUCCESS"},
    {STATUS_PENDING, "STATUS_PENDING"},
    {STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER"},
    {STATUS_BUFFER_TOO_SMALL, "STATUS_BUFFER_TOO_SMALL"},
    {STATUS_NOT_FOUND, "STATUS_NOT_FOUND"},
    {STATUS_INVALID_DEVICE_REQUEST, "STATUS_INVALID_DEVICE_REQUEST"},
    {STATUS_CANCELLED, "STATUS_CANCELLED"},
    {STATUS_DELETE_PENDING, "STATUS_DELETE_PENDING"},
    {STATUS_INSUFFICIENT_RESOURCES, "STATUS_INSUFFICIENT_RESOURCES"},
};
#define STATUS_COUNT (sizeof(status_names) / sizeof(status_names[0]))

static const char *status_name(NTSTATUS status)
{
    static char unknown[32];
    size_t i;
    for (i = 0; i < STATUS_COUNT; i++)
        if (status_names[i].status == status)
            return status_names[i].name;
    snprintf(unknown, sizeof(unknown), "status 0x%08lx", (unsigned long)status);
    return unknown;
}

/* One DeviceIoControl on the overlapped handle, started and later finished. */
typedef struct call {
    OVERLAPPED overlapped;
    DWORD started;  /* GetTickCount */
    DWORD ms;       /* from start to finish */
    BOOL pended;    /* DeviceIoControl said ERROR_IO_PENDING */
    DWORD error;    /* the Win32 error of a request that failed at once; 0 otherwise */
    NTSTATUS status;
    DWORD returned;
    union {
        LONG value;
        sensorhub_info info;
    } out;
} call;

static void call_start(call *c, DWORD code, const void *in, DWORD in_size, DWORD out_size)
{
    memset(c, 0, sizeof(*c));
    c->overlapped.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    c->started = GetTickCount();
    if (DeviceIoControl(device, code, (void *)in, in_size, &c->out, out_size, &c->returned, &c->overlapped)) {
        c->status = STATUS_SUCCESS;
    } else if (GetLastError() == ERROR_IO_PENDING) {
        c->pended = TRUE;
        c->status = STATUS_PENDING;
    } else {
        size_t i;
        /* A request failed in the dispatch routine: only its Win32 translation comes back. */
        c->error = GetLastError();
        c->status = (NTSTATUS)0xE0000000 | (NTSTATUS)c->error; /* unlisted: a status no driver returns */
        for (i = 0; i < STATUS_COUNT; i++)
            if (status_names[i].status != STATUS_SUCCESS && RtlNtStatusToDosError(status_names[i].status) == c->error) {
                c->status = status_names[i].status;
                break;
            }
    }
}

/* Waits for a pended call; the IRP's own status is in the OVERLAPPED. FALSE on a timeout. */
static BOOL call_finish(call *c, DWORD timeout_ms)
{
    if (c->pended) {
        if (WaitForSingleObject(c->overlapped.hEvent, timeout_ms) != WAIT_OBJECT_0)
            return FALSE;
        (void)GetOverlappedResult(device, &c->overlapped, &c->returned, FALSE);
        c->status = (NTSTATUS)c->overlapped.Internal;
    }
    c->ms = GetTickCount() - c->started;
    CloseHandle(c->overlapped.hEvent);
    c->overlapped.hEvent = NULL;
    return TRUE;
}

/* A request the client waits for; one left pending by the driver ends the run. */
static void call_sync(call *c, DWORD code, const void *in, DWORD in_size, DWORD out_size)
{
    call_start(c, code, in, in_size, out_size);
    if (!call_finish(c, 10000)) {
        printf("client: control code 0x%08lx did not complete within 10 s\n", (unsigned long)code);
        exit(1);
    }
}

/* Counts a step; prints a marker when it went otherwise than documented. */
static void expect(BOOL as_documented, const char *what)
{
    steps++;
    if (!as_documented) {
        unexpected++;
        printf("client:   ^ UNEXPECTED: %s\n", what);
    }
}

static const char *how(const call *c)
{
    return c->pended ? "async, pended" : "completed in the dispatch routine";
}

static void info(const char *when)
{
    call c;
    call_sync(&c, IOCTL_SENSORHUB_INFO, NULL, 0, sizeof(sensorhub_info));
    if (c.status == STATUS_SUCCESS)
        printf("client: info %s -> %lu sensors sampled every %lu ms, %lu samples; requests: %lu pending, "
               "%lu completed, %lu canceled (sync)\n",
               when, (unsigned long)c.out.info.sensor_count, (unsigned long)c.out.info.sample_period_ms,
               (unsigned long)c.out.info.samples, (unsigned long)c.out.info.requests_pending,
               (unsigned long)c.out.info.requests_completed, (unsigned long)c.out.info.requests_canceled);
    else
        printf("client: info %s -> %s\n", when, status_name(c.status));
    expect(c.status == STATUS_SUCCESS && c.returned == sizeof(sensorhub_info), "info");
}

/* Waits until the driver holds at least n requests, so that what follows finds them pended. */
static BOOL wait_pending(ULONG n)
{
    int i;
    for (i = 0; i < 500; i++) {
        call c;
        call_sync(&c, IOCTL_SENSORHUB_INFO, NULL, 0, sizeof(sensorhub_info));
        if (c.status == STATUS_SUCCESS && c.out.info.requests_pending >= n)
            return TRUE;
        Sleep(10);
    }
    return FALSE;
}

static void read_sensor(ULONG sensor, const char *note)
{
    sensorhub_input in = {sensor, 0};
    call c;
    call_sync(&c, IOCTL_SENSORHUB_READ, &in, sizeof(in), sizeof(LONG));
    if (c.status == STATUS_SUCCESS)
        printf("client: read sensor %lu -> %ld (sync%s)\n", (unsigned long)sensor, (long)c.out.value, note);
    else
        printf("client: read sensor %lu -> %s\n", (unsigned long)sensor, status_name(c.status));
    expect(c.status == STATUS_SUCCESS && c.returned == sizeof(LONG), "read");
}

/* A request expected to fail with a documented status. */
static void bad_input(const char *what, DWORD code, const void *in, DWORD in_size, DWORD out_size, NTSTATUS documented)
{
    call c;
    call_sync(&c, code, in, in_size, out_size);
    if (c.error != 0)
        printf("client: %s -> %s (Win32 error %lu, %s)\n", what, status_name(c.status), (unsigned long)c.error,
               how(&c));
    else
        printf("client: %s -> %s (%s)\n", what, status_name(c.status), how(&c));
    if (c.status != documented)
        printf("client:   (documented: %s)\n", status_name(documented));
    expect(c.status == documented, what);
}

/* Cancels requests as they complete: the cancel routine and the completion callback race, and
 * each IRP must still complete exactly once, with a value or STATUS_CANCELLED. */
static void race(int rounds)
{
    int i, completed = 0, canceled = 0, other = 0;
    for (i = 0; i < rounds; i++) {
        sensorhub_input in = {(ULONG)i % SENSORHUB_SENSOR_COUNT, i % 5};
        call c;
        call_start(&c, IOCTL_SENSORHUB_SAMPLE, &in, sizeof(in), sizeof(LONG));
        if (i % 3 != 0)
            Sleep((DWORD)(i % 3));
        (void)CancelIoEx(device, &c.overlapped);
        if (!call_finish(&c, 10000)) {
            printf("client: race: request %d did not end within 10 s\n", i);
            other++;
            break;
        }
        if (c.status == STATUS_SUCCESS)
            completed++;
        else if (c.status == STATUS_CANCELLED)
            canceled++;
        else
            other++;
    }
    printf("client: race: %d samples canceled as they complete -> %d completed, %d canceled, %d otherwise\n",
           rounds, completed, canceled, other);
    expect(other == 0 && completed + canceled == rounds, "every raced request ended once");
}

int main(int argc, char **argv)
{
    sensorhub_input in;
    int race_rounds = 0;
    call a, b;

    if (argc == 3 && strcmp(argv[1], "--race") == 0)
        race_rounds = atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--race ROUNDS]\n", argv[0]);
        return 2;
    }

    setvbuf(stdout, NULL, _IONBF, 0);
    device = CreateFileA(SENSORHUB_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         FILE_FLAG_OVERLAPPED, NULL);
    if (device == INVALID_HANDLE_VALUE) {
        printf("client: cannot open %s: error %lu (is sensorhub.sys started?)\n", SENSORHUB_USER_PATH,
               (unsigned long)GetLastError());
        return 2;
    }
    printf("client: opened %s\n", SENSORHUB_USER_PATH);

    /* ---- sync requests: sync methods, called in the dispatch routine ---- */
    info("at start");
    read_sensor(0, "");
    read_sensor(2, "");
    read_sensor(1, "");
    in.sensor = 1;
    in.value = 150;
    call_sync(&a, IOCTL_SENSORHUB_CALIBRATE, &in, sizeof(in), 0);
    printf("client: calibrate sensor 1 by %+ld -> %s (sync, ISensorCalibration)\n", (long)in.value, status_name(a.status));
    expect(a.status == STATUS_SUCCESS, "calibrate");
    read_sensor(1, ", calibrated");

    /* ---- async requests completed ---- */
    in.sensor = 3;
    in.value = 50;
    call_sync(&a, IOCTL_SENSORHUB_SAMPLE, &in, sizeof(in), sizeof(LONG));
    printf("client: sample sensor 3, settle %ld ms -> %s, %ld after %lu ms (%s)\n", (long)in.value,
           status_name(a.status), (long)a.out.value, (unsigned long)a.ms, how(&a));
    expect(a.status == STATUS_SUCCESS && a.returned == sizeof(LONG) && a.ms >= 40, "a completed sample");

    in.sensor = 0;
    in.value = 44000;
    call_sync(&a, IOCTL_SENSORHUB_WAIT_ABOVE, &in, sizeof(in), sizeof(LONG));
    printf("client: wait sensor 0 above %ld -> %s, %ld after %lu ms (%s)\n", (long)in.value, status_name(a.status),
           (long)a.out.value, (unsigned long)a.ms, how(&a));
    expect(a.status == STATUS_SUCCESS && a.out.value > in.value, "a completed wait");

    /* Already above: ready at the method's first poll, so the IRP is never pended. */
    in.sensor = 2;
    in.value = 0;
    call_sync(&a, IOCTL_SENSORHUB_WAIT_ABOVE, &in, sizeof(in), sizeof(LONG));
    printf("client: wait sensor 2 above %ld -> %s, %ld (%s)\n", (long)in.value, status_name(a.status),
           (long)a.out.value, how(&a));
    expect(a.status == STATUS_SUCCESS && a.out.value > 0, "a wait ready at once");

    /* ---- an async request canceled by the client ---- */
    in.sensor = 1;
    in.value = 60000;
    call_start(&a, IOCTL_SENSORHUB_SAMPLE, &in, sizeof(in), sizeof(LONG));
    printf("client: sample sensor 1, settle %ld ms -> %s\n", (long)in.value, a.pended ? "pending" : status_name(a.status));
    expect(a.pended && wait_pending(1), "the sample pending in the driver");
    printf("client: CancelIoEx -> %s\n", CancelIoEx(device, &a.overlapped) ? "requested" : "failed");
    if (!call_finish(&a, 10000)) {
        printf("client: the canceled sample did not end within 10 s\n");
        return 1;
    }
    printf("client: sample sensor 1 canceled: %s after %lu ms\n", status_name(a.status), (unsigned long)a.ms);
    expect(a.status == STATUS_CANCELLED && a.returned == 0, "STATUS_CANCELLED");

    /* ---- bad input: the documented statuses ---- */
    in.sensor = 7;
    in.value = 0;
    bad_input("read sensor 7", IOCTL_SENSORHUB_READ, &in, sizeof(in), sizeof(LONG), STATUS_NOT_FOUND);
    in.sensor = 0;
    bad_input("read with a 2-byte output buffer", IOCTL_SENSORHUB_READ, &in, sizeof(in), 2, STATUS_BUFFER_TOO_SMALL);
    bad_input("read with a 2-byte input buffer", IOCTL_SENSORHUB_READ, &in, 2, sizeof(LONG), STATUS_INVALID_PARAMETER);
    bad_input("info with a 4-byte output buffer", IOCTL_SENSORHUB_INFO, NULL, 0, 4, STATUS_BUFFER_TOO_SMALL);
    in.sensor = 1;
    in.value = 99999;
    bad_input("calibrate sensor 1 by +99999", IOCTL_SENSORHUB_CALIBRATE, &in, sizeof(in), 0, STATUS_INVALID_PARAMETER);
    in.value = 3600000;
    bad_input("sample sensor 1, settle 3600000 ms", IOCTL_SENSORHUB_SAMPLE, &in, sizeof(in), sizeof(LONG),
              STATUS_INVALID_PARAMETER);
    in.value = 0;
    bad_input("wait with a 2-byte output buffer", IOCTL_SENSORHUB_WAIT_ABOVE, &in, sizeof(in), 2,
              STATUS_BUFFER_TOO_SMALL);
    bad_input("an unknown control code", CTL_CODE(SENSORHUB_DEVICE_TYPE, 0x9ff, METHOD_BUFFERED, FILE_ANY_ACCESS),
              NULL, 0, 0, STATUS_INVALID_DEVICE_REQUEST);
    if (race_rounds > 0)
        race(race_rounds);
    info("after the requests");

    /* ---- requests pending while the service stops: the driver cancels them at unload ---- */
    in.sensor = 3;
    in.value = 1000000;
    call_start(&a, IOCTL_SENSORHUB_WAIT_ABOVE, &in, sizeof(in), sizeof(LONG));
    printf("client: wait sensor 3 above %ld -> %s\n", (long)in.value, a.pended ? "pending" : status_name(a.status));
    in.sensor = 2;
    in.value = 60000;
    call_start(&b, IOCTL_SENSORHUB_SAMPLE, &in, sizeof(in), sizeof(LONG));
    printf("client: sample sensor 2, settle %ld ms -> %s\n", (long)in.value, b.pended ? "pending" : status_name(b.status));
    expect(a.pended && b.pended && wait_pending(2), "two requests pending in the driver");
    printf("client: 2 requests pending, waiting for the service to stop\n");
    if (!call_finish(&a, UNLOAD_WAIT_MS) || !call_finish(&b, UNLOAD_WAIT_MS)) {
        printf("client: the pending requests did not end within %u s of the stop\n", UNLOAD_WAIT_MS / 1000);
        CancelIoEx(device, NULL);
        return 1;
    }
    printf("client: wait sensor 3 ended at unload: %s after %lu ms\n", status_name(a.status), (unsigned long)a.ms);
    printf("client: sample sensor 2 ended at unload: %s after %lu ms\n", status_name(b.status), (unsigned long)b.ms);
    expect(a.status == STATUS_CANCELLED && b.status == STATUS_CANCELLED, "both canceled by the unload");
    /* the handle outlives the requests a moment, as a slower process's would: the driver must not
     * be gone when its close arrives */
    Sleep(HANDLE_LINGER_MS);
    CloseHandle(device);

    if (unexpected == 0)
        printf("client: %d steps, all as documented\n", steps);
    else
        printf("client: %d steps, %d not as documented\n", steps, unexpected);
    return unexpected == 0 ? 0 : 1;
}
