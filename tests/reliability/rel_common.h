/*
 * rel_common.h - what the reliability tests share (tests/reliability): an allocator that records
 * where kcom allocates and can refuse requests, the classes the sweeps, soaks and fuzzer create,
 * the IIDs they ask for and what each class must answer, and the soak duration.
 *
 * Host only (the posix platform): the programs here fork, start threads and use the kernel
 * simulation. The harness counts of kcom_test.h are not thread-safe: threads count their own
 * findings and the main thread checks them.
 */
#ifndef KCOM_REL_COMMON_H
#define KCOM_REL_COMMON_H

#include "../suites/test_common.h"

#include <kcom/kcom.h>

#include <pthread.h>

/* The typed operation of the tests (the same declaration as tests/async's). */
KCOM_DECLARE_ASYNC_OPERATION(IAsyncULONG, ULONG,
    0x2b8f0c1e, 0x5a4d, 0x4e21, 0x8b, 0x3c, 0x11, 0x9d, 0x7e, 0x60, 0x25, 0xf4)

/* ---- a manual executor, a callback recorder, the clock --------------------------------------------------- */

/* An executor whose queue the test thread runs (single-threaded programs). */
typedef struct manual_executor {
    kcom_executor executor;
    kcom_task_link queue;
    LONG scheduled; /* schedule calls */
} manual_executor;

void manual_init(manual_executor *m);
/* Runs queued tasks until the queue is empty (at most max_runs polls when max_runs is not 0);
 * returns how many it ran. */
LONG manual_run_some(manual_executor *m, LONG max_runs);
#define manual_run(m) manual_run_some((m), 0)
LONG manual_queued(const manual_executor *m);

/* Records completion callbacks (thread-safe counts). */
typedef struct callback_record {
    LONG volatile calls;
    LONG volatile status;
    LONG volatile mismatches; /* get_status inside differed from the status passed */
} callback_record;

void record_callback(IKcomAsyncOperation *operation, kcom_async_status status, void *context);

/* Milliseconds on a monotonic clock; a pause; the processor to another thread. */
ULONG64 rel_now_ms(void);
void rel_sleep_ms(ULONG ms);
void rel_yield(void);

/* ---- the allocator --------------------------------------------------------------------------------------
 * rel_alloc.allocator is what kcom sees (the default allocator and the classes' own allocator):
 * it records where each request comes from (a site: the innermost REL_SITE_FRAMES return
 * addresses above the allocator, so that requests made through a shared helper such as
 * kcom_allocate are told apart by their callers), refuses every request from the fail_from-th on when that is set, and passes the others to
 * rel_alloc.counter, a kcom_counting_allocator over the platform allocator, whose fail_nth refuses
 * one request and whose live count checks for leaks. */

#define REL_MAX_SITES 256
#define REL_SITE_FRAMES 3

typedef struct rel_site {
    void *frames[REL_SITE_FRAMES];
} rel_site;

typedef struct rel_allocator {
    kcom_allocator allocator;
    kcom_counting_allocator counter;
    LONG volatile requests;  /* since the last rel_alloc_reset */
    LONG volatile fail_from; /* refuse requests numbered >= this (1-based); 0: never */
    LONG volatile refused;   /* by fail_from */
    rel_site sites[REL_MAX_SITES];
    LONG volatile site_count;
    LONG volatile site_lock;
    LONG volatile record_sites;
} rel_allocator;

extern rel_allocator rel_alloc;

/* Prepares rel_alloc (once per program). */
void rel_alloc_init(void);
/* Starts a run: no failure (mode 0), the n-th request fails (mode REL_FAIL_NTH, through the
 * counting allocator's fail_nth), or every request from the n-th on (REL_FAIL_FROM). */
#define REL_FAIL_NONE 0
#define REL_FAIL_NTH 1
#define REL_FAIL_FROM 2
void rel_alloc_reset(int mode, LONG n);
/* Requests refused since the last reset, by either mechanism. */
LONG rel_alloc_failures(void);
/* Requests since the last reset. */
LONG rel_alloc_requests(void);
/* Blocks live now. */
LONG rel_alloc_live(void);
/* Distinct allocation sites recorded since rel_alloc_init; *sites receives the array. */
LONG rel_alloc_sites(const rel_site **sites);
/* A frame's offset in the executable (what addr2line -e takes). */
ULONG_PTR rel_code_offset(const void *address);

/* ---- interfaces and classes ------------------------------------------------------------------------------ */

/* An interface with async methods (IAsyncULONG comes from async_test_common.h). */
#define IRelReader_METHODS(M, I)                                                          \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncULONG, ReadNow, (ULONG, value))                                     \
    M(I, ASYNC, IAsyncULONG, ReadLater, (IKcomAsyncOperation *, source))                  \
    M(I, ASYNC, IAsyncULONG, ReadYield, (ULONG, yields))                                  \
    M(I, ASYNC, IAsyncULONG, ReadFail, (NTSTATUS, status))
#ifndef __IRelReader_INTERFACE_DEFINED__
#define __IRelReader_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IRelReader, IUnknown,
                       0x6b630b01, 0x7e57, 0x4cb1, 0x9a, 0xb1, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0xb1)
#endif

/* The classes: */
enum rel_class_kind {
    REL_SINGLE,   /* one interface (IOther1), rel_alloc as its class allocator, destroy callback */
    REL_QUAD,     /* four (IDerived : IMiddle : IBase, IOther1, IOther2, IOther3), the default allocator */
    REL_AGGREGATE, /* an outer (IOther1) aggregating an inner (IOther2, IOther3): two allocations */
    REL_READER,   /* IRelReader: async methods; rel_alloc as its class allocator */
    REL_CLASS_COUNT
};

/* The IIDs the tests ask for, by index. */
enum rel_iid_index {
    REL_IID_IUNKNOWN,
    REL_IID_IBASE,
    REL_IID_IMIDDLE,
    REL_IID_IDERIVED,
    REL_IID_IOTHER1,
    REL_IID_IOTHER2,
    REL_IID_IOTHER3,
    REL_IID_IOTHERCHILD,
    REL_IID_IBASESIBLING,
    REL_IID_IUNRELATED,
    REL_IID_IRELREADER,
    REL_IID_IKCOMASYNCOPERATION,
    REL_IID_COUNT
};
const IID *rel_iid(int index);
const char *rel_class_name(int kind);

/* What QueryInterface(rel_iid(index)) must give on an object of class kind: the index of the
 * interface pointer (rel_object_interface), or -1 for STATUS_NOINTERFACE. */
int rel_expected_interface(int kind, int iid_index);

/* A live object of any class: its primary (identity) interface and its interface pointers. */
#define REL_MAX_INTERFACES 4
typedef struct rel_object {
    int kind;
    IUnknown *identity;                          /* QueryInterface(IID_IUnknown)'s answer */
    IUnknown *interfaces[REL_MAX_INTERFACES];    /* every interface pointer the object hands out */
    int interface_count;
} rel_object;

/* Creates an object of class kind (KCOM_NEW or kcom_object_create, by via): STATUS_SUCCESS with
 * one reference on obj->identity, or the failure status (nothing allocated, obj->identity NULL). */
NTSTATUS rel_create(int kind, int via, rel_object *obj);
/* The interface pointer with index i of rel_expected_interface. */
IUnknown *rel_object_interface(const rel_object *obj, int i);

/* Calls the Tag method of interface pointer i of obj (DerivedTag for Quad's IDerived); *expected
 * receives what it must return. FALSE when the interface has no Tag (Reader). */
BOOLEAN rel_call_tag(const rel_object *obj, int i, ULONG *tag, ULONG *expected);

/* Destroy callbacks run, per class, and objects alive (created and not destroyed). */
extern LONG volatile rel_destroyed[REL_CLASS_COUNT];
extern LONG volatile rel_created[REL_CLASS_COUNT];
/* Reader tasks: start functions run and drops run (each started state is dropped once). */
extern LONG volatile rel_reader_starts;
extern LONG volatile rel_reader_drops;

/* What the Reader's methods produce. ReadNow(v): ready at the first poll, v * 2 + 1. ReadLater(src):
 * waits for src, then its value + 1; a failed src fails the read with src's status, a canceled one
 * with STATUS_NOT_FOUND; a cancel of the read is seen at once. ReadYield(n): yields n times (each
 * poll sees a cancel), then n. ReadFail(s): the start function fails with s (STATUS_UNSUCCESSFUL
 * for a success). Every state a start function saw is dropped once (rel_reader_drops). */
#define REL_READ_NOW_VALUE(v) ((ULONG)(v) * 2u + 1u)

/* xorshift64*: each thread's own random numbers. */
static KCOM_FORCEINLINE ULONG rel_random(ULONG64 *state)
{
    ULONG64 x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (ULONG)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- soak duration --------------------------------------------------------------------------------------- */

/* Seconds a soak runs: argv[1] if given, else the environment variable KCOM_SOAK_SECONDS, else
 * default_seconds. */
double rel_soak_seconds(int argc, char **argv, double default_seconds);

#endif /* KCOM_REL_COMMON_H */
