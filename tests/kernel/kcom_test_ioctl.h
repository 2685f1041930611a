/*
 * kcom_test_ioctl.h - the protocol between the kernel test driver and its user-mode client.
 *
 * The driver lists its tests and runs one per request; the client drives the run and reports.
 * All requests are METHOD_BUFFERED: Wine dispatches IRPs one at a time, so each test runs to its
 * end inside one IOCTL on the dispatch thread, at PASSIVE_LEVEL.
 */
#ifndef KCOM_TEST_IOCTL_H
#define KCOM_TEST_IOCTL_H

/* CTL_CODE comes from <wdm.h> in the driver and <winioctl.h> in the client. */

#define KCOM_TEST_DEVICE_NAME L"\\Device\\KcomTest"
#define KCOM_TEST_LINK_NAME L"\\DosDevices\\KcomTest"
#define KCOM_TEST_USER_PATH "\\\\.\\KcomTest"

/* Device types 0x8000 and above are for vendors. */
#define KCOM_TEST_DEVICE_TYPE 0x8000u

/* out: kcom_test_info */
#define IOCTL_KCOM_TEST_INFO CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* in: ULONG index; out: the test's name, NUL-terminated (at most KCOM_TEST_NAME_SIZE bytes) */
#define IOCTL_KCOM_TEST_NAME CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* in: ULONG index; out: kcom_test_result followed by the test's output text */
#define IOCTL_KCOM_TEST_RUN CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* Pended IRPs (kcom/irp.h), driven by the client's IRP tests. in: kcom_test_irp_request; out: the
 * ULONG the operation produced, written when it completes (the IRP pends until then). The same
 * request in METHOD_OUT_DIRECT (the output through an MDL). */
#define IOCTL_KCOM_TEST_IRP_PEND CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x810, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_KCOM_TEST_IRP_PEND_DIRECT CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x811, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
/* in: kcom_test_irp_request (slot, value, status); out: ULONG, what completing (or failing) the
 * completion source in that slot returned */
#define IOCTL_KCOM_TEST_IRP_COMPLETE CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x812, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* out: kcom_test_irp_state */
#define IOCTL_KCOM_TEST_IRP_STATE CTL_CODE(KCOM_TEST_DEVICE_TYPE, 0x813, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* what completes the operation an IRP pends on */
#define KCOM_TEST_IRP_WORK 1   /* a task on the work-item executor, after `delay` polls */
#define KCOM_TEST_IRP_TIMER 2  /* a task awaiting a timer of `delay` ms */
#define KCOM_TEST_IRP_SOURCE 3 /* a completion source kept in `slot`, completed by IRP_COMPLETE */
#define KCOM_TEST_IRP_SLOTS 64

typedef struct kcom_test_irp_request {
    ULONG kind;    /* KCOM_TEST_IRP_* */
    ULONG value;   /* the result */
    ULONG delay;   /* polls or milliseconds */
    ULONG slot;    /* KCOM_TEST_IRP_SOURCE */
    LONG status;   /* IRP_COMPLETE: a failure to fail the source with, or 0 to complete it */
} kcom_test_irp_request;

typedef struct kcom_test_irp_state {
    LONG queue_count;          /* kcom_irp_queue_count of the driver's queue */
    LONG live_allocations;     /* as kcom_test_info's */
    ULONG producer_cancels;    /* cancel routines of the completion sources that ran */
    ULONG sources_held;        /* slots holding a source */
    ULONG cleanups;            /* IRP_MJ_CLEANUP requests the driver received */
    ULONG cleanup_cancels;     /* pended IRPs they canceled */
} kcom_test_irp_state;

#define KCOM_TEST_NAME_SIZE 64
/* Output kept per test; longer output is cut and flagged (the driver log has all of it). */
#define KCOM_TEST_OUTPUT_SIZE (60u * 1024u)

typedef struct kcom_test_info {
    ULONG test_count;
    LONG live_allocations;     /* blocks of the driver's counting default allocator now live,
                                  beyond the driver's own (its tracker and executor) */
    ULONG allocate_pool2;      /* 1 when the kernel exports ExAllocatePool2 (else the fallback) */
    ULONG pool_tag;            /* kcom_pool_tag() */
} kcom_test_info;

typedef struct kcom_test_result {
    LONG passed;               /* checks of this test */
    LONG failed;
    LONG skipped;
    LONG leaked;               /* default-allocator blocks the test left allocated */
    ULONG output_length;       /* bytes of text after this header (no NUL) */
    ULONG output_truncated;    /* 1 when output was cut at KCOM_TEST_OUTPUT_SIZE */
} kcom_test_result;

#endif /* KCOM_TEST_IOCTL_H */
