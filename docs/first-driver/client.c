/*
 * hello_client.exe - talks to hello.sys: one IOCTL_HELLO_ADD, one IOCTL_HELLO_ADD_LATER, one
 * AddLater the driver refuses, and one it cancels (CancelIoEx on an overlapped request). Prints
 * what it gets; exits 0 only if every answer is the expected one.
 */
#include <windows.h>
#include <winioctl.h>
#include <stdio.h>

#include "hello_ioctl.h"

static BOOL call(HANDLE device, DWORD code, unsigned long value, unsigned long delay_ms, unsigned long *total)
{
    hello_request request = {value, delay_ms};
    DWORD returned = 0;
    ULONG result = 0;
    BOOL ok = DeviceIoControl(device, code, &request, sizeof(request), &result, sizeof(result), &returned, NULL);
    *total = result;
    return ok && returned == sizeof(result);
}

int main(void)
{
    unsigned long total = 0;
    int failures = 0;
    HANDLE device = CreateFileA(HELLO_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (device == INVALID_HANDLE_VALUE) {
        printf("hello_client: cannot open %s (error %lu)\n", HELLO_USER_PATH, (unsigned long)GetLastError());
        return 1;
    }
    if (!call(device, IOCTL_HELLO_ADD, 40, 0, &total) || total != 40)
        failures++;
    printf("hello_client: add 40 -> total %lu\n", total);
    if (!call(device, IOCTL_HELLO_ADD_LATER, 2, 100, &total) || total != 42)
        failures++;
    printf("hello_client: add 2 after 100 ms -> total %lu\n", total);
    if (call(device, IOCTL_HELLO_ADD_LATER, 1, HELLO_MAX_DELAY_MS + 1, &total))
        failures++;
    printf("hello_client: add 1 after %lu ms -> refused (error %lu)\n", (unsigned long)HELLO_MAX_DELAY_MS + 1,
           (unsigned long)GetLastError());
    CloseHandle(device);

    /* overlapped: the request pends; CancelIoEx cancels it (and the driver its operation) */
    device = CreateFileA(HELLO_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    if (device != INVALID_HANDLE_VALUE) {
        hello_request request = {5, 5000};
        OVERLAPPED overlapped = {0};
        DWORD returned = 0, error = 0;
        ULONG result = 0;
        overlapped.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
        if (DeviceIoControl(device, IOCTL_HELLO_ADD_LATER, &request, sizeof(request), &result, sizeof(result), &returned,
                            &overlapped) || GetLastError() != ERROR_IO_PENDING || !CancelIoEx(device, &overlapped))
            failures++;
        if (!GetOverlappedResult(device, &overlapped, &returned, TRUE))
            error = GetLastError();
        if (error != ERROR_OPERATION_ABORTED)
            failures++;
        printf("hello_client: add 5 after 5000 ms, canceled -> error %lu\n", (unsigned long)error);
        CloseHandle(overlapped.hEvent);
        CloseHandle(device);
    } else {
        failures++;
    }
    printf("hello_client: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
