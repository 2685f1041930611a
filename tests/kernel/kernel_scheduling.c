/*
 * kernel_scheduling - the kernel's scheduling primitives behind the kernel executors (platform.h,
 * last section): IRQL, spin locks, DPCs, the processor count, the microsecond clock, and work
 * items (which run at PASSIVE_LEVEL and can queue themselves again).
 *
 * Written for Windows and for Wine's ntoskrnl alike (docs/building.md). Under Wine the IRQL is
 * always 0 (raising it has no effect) and a queued DPC never runs: the checks that need either
 * detect it and report themselves skipped. A DPC that was queued and never ran must not point at
 * anything that goes away, so the probe DPC and everything its routine touches are static.
 */
#include <kcom/kcom.h>

#include <kcom/atomic.h>

#include "../../src/platform/platform.h"
#include "../harness/kcom_test.h"
#include "kernel_test_driver.h"

/* Built with the async layer only (kernel_test_list.h lists it then). */
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC

#define WAIT_MS 5000u
/* How long a queued DPC gets to run before the DPC checks conclude that DPCs do not run. */
#define DPC_PROBE_MS 200u

#define SKIP_IRQL_REASON "raising the IRQL has no effect under Wine's ntoskrnl: it is always 0 (docs/building.md)"
#define SKIP_DPC_REASON "queued DPCs never run under Wine's ntoskrnl (docs/building.md)"

/* Whether raising the IRQL takes effect here (not under Wine); set by test_irql. */
static BOOLEAN irql_rises;

/* ---- IRQL ------------------------------------------------------------------------------------- */

static void test_irql(void)
{
    UCHAR before, old, raised, after;
    BOOLEAN could_block;

    before = kcom_platform_irql();
    ok(before == KCOM_PLATFORM_PASSIVE_LEVEL, "kcom_platform_irql is %u in an IOCTL\n", (unsigned)before);
    ok(KCOM_PLATFORM_DISPATCH_LEVEL == DISPATCH_LEVEL && KCOM_PLATFORM_APC_LEVEL == APC_LEVEL &&
           KCOM_PLATFORM_PASSIVE_LEVEL == PASSIVE_LEVEL,
       "kcom's IRQL numbers differ from the kernel's\n");

    /* nothing but recording while raised */
    old = kcom_platform_raise_to_dispatch();
    raised = kcom_platform_irql();
    could_block = kcom_platform_can_block();
    kcom_platform_lower_irql(old);
    after = kcom_platform_irql();

    ok(old == KCOM_PLATFORM_PASSIVE_LEVEL, "raise returned %u\n", (unsigned)old);
    ok(after == KCOM_PLATFORM_PASSIVE_LEVEL, "lowering left IRQL %u\n", (unsigned)after);
    ok(kcom_platform_can_block(), "kcom_platform_can_block is FALSE at PASSIVE_LEVEL\n");
    irql_rises = raised == KCOM_PLATFORM_DISPATCH_LEVEL;
    if (irql_rises) {
        ok(!could_block, "kcom_platform_can_block is TRUE at DISPATCH_LEVEL\n");
    } else {
        ok(raised == KCOM_PLATFORM_PASSIVE_LEVEL, "raised to %u instead of DISPATCH_LEVEL\n", (unsigned)raised);
        skip(SKIP_IRQL_REASON "\n");
    }
}

/* ---- spin locks, and work items -------------------------------------------------------------- */

typedef struct work_probe {
    kcom_platform_work_item *item;
    kcom_platform_event *done; /* the routine's reference: its last run sets and releases it */
    LONG volatile runs;
    LONG volatile requeues; /* queue calls left to make from within the routine */
    LONG volatile not_passive;
    ULONG increments; /* under the spin lock, per run */
} work_probe;

static kcom_platform_spin_lock lock;
static ULONG locked_counter; /* only ever changed under lock */
static LONG volatile lock_not_raised;

static void work_routine(void *context)
{
    work_probe *p = (work_probe *)context;
    kcom_platform_event *done;
    ULONG i;
    kcom_atomic_fetch_add(&p->runs, 1);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        kcom_atomic_fetch_add(&p->not_passive, 1);
    for (i = 0; i < p->increments; i++) {
        UCHAR old = kcom_platform_spin_lock_acquire(&lock);
        if (irql_rises && KeGetCurrentIrql() != DISPATCH_LEVEL)
            lock_not_raised = 1;
        locked_counter++;
        kcom_platform_spin_lock_release(&lock, old);
    }
    if (kcom_atomic_fetch_add(&p->requeues, -1) > 0) {
        kcom_platform_work_item_queue(p->item, work_routine, p); /* again, from within its routine */
        return;
    }
    done = p->done;
    kcom_platform_event_set(done);
    kcom_platform_event_release(done);
}

/* Static: the routines reach them from system worker threads. */
static work_probe probes[2];

/* Prepares probes[index] with an item and its event; FALSE (reported) when that fails. */
static BOOLEAN start_probe(ULONG index, LONG requeues, ULONG increments)
{
    work_probe *p = &probes[index];
    p->runs = 0;
    p->requeues = requeues;
    p->not_passive = 0;
    p->increments = increments;
    p->item = kcom_platform_work_item_allocate(kcom_test_device());
    ok(p->item != NULL, "kcom_platform_work_item_allocate failed\n");
    p->done = kcom_platform_event_create();
    ok(p->done != NULL, "kcom_platform_event_create failed\n");
    if (p->item == NULL || p->done == NULL) {
        if (p->item != NULL)
            kcom_platform_work_item_free(p->item);
        if (p->done != NULL)
            kcom_platform_event_release(p->done);
        return FALSE;
    }
    kcom_platform_event_reference(p->done); /* the routine's */
    return TRUE;
}

/* Waits for probes[index]'s last run; FALSE when it did not come (the probe is left alone). */
static BOOLEAN finish_probe(ULONG index)
{
    work_probe *p = &probes[index];
    NTSTATUS status = kcom_platform_event_wait(p->done, WAIT_MS);
    ok(status == STATUS_SUCCESS, "work item %lu did not finish within %u ms\n", (unsigned long)index, WAIT_MS);
    kcom_platform_event_release(p->done);
    if (status != STATUS_SUCCESS)
        return FALSE;
    ok(p->not_passive == 0, "work item %lu ran above PASSIVE_LEVEL %ld times\n", (unsigned long)index,
       (long)p->not_passive);
    kcom_platform_work_item_free(p->item); /* its routine has returned all it will touch */
    return TRUE;
}

static void test_spin_lock(void)
{
    UCHAR old, inside;
    kcom_platform_spin_lock_init(&lock);
    old = kcom_platform_spin_lock_acquire(&lock);
    inside = kcom_platform_irql();
    kcom_platform_spin_lock_release(&lock, old);
    ok(old == KCOM_PLATFORM_PASSIVE_LEVEL, "acquire returned IRQL %u\n", (unsigned)old);
    ok(kcom_platform_irql() == KCOM_PLATFORM_PASSIVE_LEVEL, "release left IRQL %u\n", (unsigned)kcom_platform_irql());
    if (irql_rises)
        ok(inside == KCOM_PLATFORM_DISPATCH_LEVEL, "the lock was held at IRQL %u\n", (unsigned)inside);
    /* again: it was released */
    old = kcom_platform_spin_lock_acquire(&lock);
    kcom_platform_spin_lock_release(&lock, old);
    ok(TRUE, "the lock was taken twice\n");
}

static void test_work_items(void)
{
    const kcom_allocator *previous = kcom_default_allocator();
    kcom_counting_allocator counting;
    kcom_platform_work_item *item;
    const ULONG increments = 20000;

    /* one kcom allocation from the default allocator (the driver's leak check covers it) */
    ok(kcom_counting_allocator_init(&counting, previous) == STATUS_SUCCESS, "counting allocator\n");
    kcom_set_default_allocator(&counting.allocator);
    item = kcom_platform_work_item_allocate(kcom_test_device());
    ok(item != NULL, "kcom_platform_work_item_allocate failed\n");
    ok(kcom_counting_allocator_live(&counting) == 1, "a work item is %ld kcom allocations\n",
       (long)kcom_counting_allocator_live(&counting));
    kcom_counting_allocator_fail_nth(&counting, 1);
    ok(kcom_platform_work_item_allocate(kcom_test_device()) == NULL, "a work item was allocated without memory\n");
    kcom_set_default_allocator(previous);
    if (item != NULL)
        kcom_platform_work_item_free(item);
    ok(kcom_counting_allocator_live(&counting) == 0, "freeing left %ld allocations\n",
       (long)kcom_counting_allocator_live(&counting));

    /* runs at PASSIVE_LEVEL, and queues itself again from its routine: three runs */
    if (!start_probe(0, 2, 0))
        return;
    kcom_platform_work_item_queue(probes[0].item, work_routine, &probes[0]);
    if (finish_probe(0))
        ok(probes[0].runs == 3, "a work item queued again twice by its routine ran %ld times\n",
           (long)probes[0].runs);

    /* two at once, contending for the spin lock */
    locked_counter = 0;
    lock_not_raised = 0;
    kcom_platform_spin_lock_init(&lock);
    if (!start_probe(0, 0, increments))
        return;
    if (!start_probe(1, 0, increments)) {
        kcom_platform_event_release(probes[0].done);
        kcom_platform_event_release(probes[0].done);
        kcom_platform_work_item_free(probes[0].item);
        return;
    }
    kcom_platform_work_item_queue(probes[0].item, work_routine, &probes[0]);
    kcom_platform_work_item_queue(probes[1].item, work_routine, &probes[1]);
    if (finish_probe(0) && finish_probe(1)) {
        ok(locked_counter == 2 * increments, "the spin lock let %lu of %lu increments through\n",
           (unsigned long)locked_counter, (unsigned long)(2 * increments));
        ok(!lock_not_raised, "a work item held the spin lock below DISPATCH_LEVEL\n");
    }
}

/* ---- DPCs ------------------------------------------------------------------------------------- */

/* Static, for the DPC that was queued and never ran under Wine (and everything it would touch). */
static kcom_platform_dpc probe_dpc;
static int probe_marker;
static LONG volatile dpc_runs;
static LONG volatile dpc_requeues;
static LONG volatile dpc_wrong_context;
static UCHAR dpc_irql;
static BOOLEAN dpcs_run;

BOOLEAN kcom_test_dpcs_run(void)
{
    return dpcs_run;
}

static void dpc_routine(kcom_platform_dpc *dpc, void *context)
{
    dpc_irql = (UCHAR)KeGetCurrentIrql();
    if (dpc != &probe_dpc || context != &probe_marker)
        kcom_atomic_fetch_add(&dpc_wrong_context, 1);
    if (kcom_atomic_fetch_add(&dpc_requeues, -1) > 0)
        (void)kcom_platform_dpc_insert(dpc); /* dequeued before the call: it may go in again */
    kcom_atomic_fetch_add(&dpc_runs, 1);
}

/* Waits up to timeout_ms for dpc_runs to reach runs. */
static BOOLEAN wait_dpc_runs(LONG runs, ULONG timeout_ms)
{
    ULONG64 start = kcom_platform_monotonic_ms();
    while (kcom_atomic_load(&dpc_runs) < runs) {
        if (kcom_platform_monotonic_ms() - start >= timeout_ms)
            return FALSE;
        kcom_platform_sleep_ms(1);
    }
    return TRUE;
}

/* A DPC inserted from another processor (a lane's, by a thread that moved, or by a processor
 * without a lane of its own) must be run at once, not at the target's next clock tick: the
 * kernel interrupts the target only for MediumHighImportance and above (KeSetImportanceDpc); the
 * default, MediumImportance, only for an insert on the current processor. The platform's DPC
 * starts with its KDPC (executor_ntkernel.c). */
static void test_dpc_importance(void)
{
    static kcom_platform_dpc storage;
    KDPC calibration;
    UCHAR importance;
    KeInitializeDpc(&calibration, NULL, NULL);
    KeSetImportanceDpc(&calibration, MediumHighImportance);
    if (calibration.Importance != MediumHighImportance) {
        skip("KeSetImportanceDpc leaves the KDPC as it was under Wine's ntoskrnl (a stub)\n");
        return;
    }
    kcom_platform_dpc_init(&storage, dpc_routine, &probe_marker);
    importance = ((const UCHAR *)(const void *)&storage)[FIELD_OFFSET(KDPC, Importance)];
    ok(importance == MediumHighImportance,
       "a platform DPC has importance %u: one inserted from another processor waits for its tick\n",
       (unsigned)importance);
}

static void test_dpcs(void)
{
    BOOLEAN first, second;
    UCHAR old;

    test_dpc_importance();
    dpc_runs = 0;
    dpc_requeues = 0;
    dpc_wrong_context = 0;
    kcom_platform_dpc_init(&probe_dpc, dpc_routine, &probe_marker);
    ok(kcom_platform_dpc_insert(&probe_dpc), "inserting a DPC that was not queued returned FALSE\n");
    if (!wait_dpc_runs(1, DPC_PROBE_MS)) {
        kcom_platform_dpc_flush(); /* returns at once under Wine; on Windows the probe has run after it */
        ok(TRUE, "KeFlushQueuedDpcs returned\n");
        skip(SKIP_DPC_REASON ": the probe DPC did not run within %u ms\n", DPC_PROBE_MS);
        return;
    }
    kcom_platform_dpc_flush();
    dpcs_run = TRUE;
    ok(dpc_runs == 1, "one insert ran the DPC %ld times\n", (long)dpc_runs);
    ok(dpc_irql == DISPATCH_LEVEL, "the DPC ran at IRQL %u\n", (unsigned)dpc_irql);

    /* a second insert while queued changes nothing (raised, so that it cannot run in between) */
    old = kcom_platform_raise_to_dispatch();
    first = kcom_platform_dpc_insert(&probe_dpc);
    second = kcom_platform_dpc_insert(&probe_dpc);
    kcom_platform_lower_irql(old);
    kcom_platform_dpc_flush();
    ok(first, "inserting a DPC that was not queued returned FALSE\n");
    if (irql_rises)
        ok(!second, "inserting a queued DPC returned TRUE\n");
    ok(wait_dpc_runs(2, WAIT_MS), "the DPC did not run again\n");
    ok(dpc_runs == (irql_rises || !second ? 2 : 3), "the DPC ran %ld times\n", (long)dpc_runs);

    /* inserted again from its own routine, twice */
    dpc_runs = 0;
    dpc_requeues = 2;
    ok(kcom_platform_dpc_insert(&probe_dpc), "insert returned FALSE\n");
    ok(wait_dpc_runs(3, WAIT_MS), "a DPC inserted again by its routine ran %ld times\n", (long)dpc_runs);
    kcom_platform_dpc_flush();
    ok(dpc_runs == 3, "a DPC inserted again twice by its routine ran %ld times\n", (long)dpc_runs);
    ok(dpc_wrong_context == 0, "the routine got another DPC or context %ld times\n", (long)dpc_wrong_context);
}

/* ---- processors and the microsecond clock ----------------------------------------------------- */

static void test_processors_and_clock(void)
{
    ULONG processors = kcom_platform_processor_count();
    ULONG64 previous, start, elapsed, ms_before, us, ms_after;
    BOOLEAN monotonic = TRUE;
    int i;

    ok(processors >= 1, "%lu processors\n", (unsigned long)processors);
    kcom_test_print("kernel_scheduling: %lu processors\n", (unsigned long)processors);

    previous = kcom_platform_monotonic_us();
    for (i = 0; i < 1000; i++) {
        ULONG64 now = kcom_platform_monotonic_us();
        if (now < previous)
            monotonic = FALSE;
        previous = now;
    }
    ok(monotonic, "kcom_platform_monotonic_us went back\n");

    start = kcom_platform_monotonic_us();
    kcom_platform_sleep_ms(10);
    elapsed = kcom_platform_monotonic_us() - start;
    ok(elapsed >= 5000 && elapsed < (ULONG64)WAIT_MS * 1000, "a 10 ms sleep took %llu us\n",
       (unsigned long long)elapsed);

    /* the same clock as kcom_platform_monotonic_ms */
    ms_before = kcom_platform_monotonic_ms();
    us = kcom_platform_monotonic_us();
    ms_after = kcom_platform_monotonic_ms();
    ok(us / 1000 >= ms_before && us / 1000 <= ms_after, "%llu us read between %llu ms and %llu ms\n",
       (unsigned long long)us, (unsigned long long)ms_before, (unsigned long long)ms_after);
}

void kcom_test_kernel_scheduling(void)
{
    test_irql();
    test_spin_lock();
    test_processors_and_clock();
    test_work_items();
    test_dpcs();
}

#endif /* KCOM_ENABLE_ASYNC */
