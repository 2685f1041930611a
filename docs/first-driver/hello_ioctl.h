/*
 * hello_ioctl.h - what hello.sys and its client share: the device's name and its two IOCTLs.
 * Both take a hello_request and return the counter's new total as a ULONG.
 */
#ifndef HELLO_IOCTL_H
#define HELLO_IOCTL_H

#define HELLO_DEVICE_TYPE 0x8000u
#define HELLO_DEVICE_NAME L"\\Device\\KcomHello"
#define HELLO_LINK_NAME L"\\DosDevices\\KcomHello"
#define HELLO_USER_PATH "\\\\.\\KcomHello"

/* Adds value at once (a sync method). */
#define IOCTL_HELLO_ADD CTL_CODE(HELLO_DEVICE_TYPE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Adds value after delay_ms (an async method: the request is pended, then completed). */
#define IOCTL_HELLO_ADD_LATER CTL_CODE(HELLO_DEVICE_TYPE, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

#define HELLO_MAX_DELAY_MS 10000u

typedef struct hello_request {
    unsigned long value;
    unsigned long delay_ms;
} hello_request;

#endif /* HELLO_IOCTL_H */
