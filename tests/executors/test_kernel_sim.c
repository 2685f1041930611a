/*
 * test_kernel_sim.c - the host's simulation of the kernel's scheduling primitives
 * (src/platform/posix/kernel_sim/: kernel_sim.c, kernel_sim_timer.c; hooks in kcom/kernel_sim.h):
 * the simulated IRQL and spin locks, DPCs (queued once, dequeued before their routine, flushed, concurrent on
 * two processors), work items (and, on one processor, the worker queue's concurrency), timers as
 * a KTIMER + KDPC (cancel in every state), the threads' stop and restart with kcom_uninitialize /
 * kcom_initialize, and, in forked children, the misuse
 * that the kernel would bugcheck for and the simulation stops for (SIGABRT after its trace).
 *
 * Routines running on the simulation's threads only record what they see (interlocked); the
 * checks run on the test thread. Every wait for another thread has a generous deadline
 * (WAIT_MS) and looks at a flag: nothing assumes that a sleep was long enough.
 */
#define _POSIX_C_SOURCE 200809L

#include "../async/async_test_common.h"
#include "../host/child_process.h"

static unsigned long long deadline_steps; /* counted by the armed timers' queue: deadline_queue_scale */
#define KCOM_DEADLINE_STEP() ((void)deadline_steps++)
#include "platform/deadline_queue.h"
#include "platform/platform.h"
#include <kcom/kernel_sim.h>

#include <kcom/awaitable.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 5000u

/* Waits until *value >= at_least (polled every millisecond); FALSE after WAIT_MS. */
static BOOLEAN wait_at_least(LONG volatile *value, LONG at_least)
{
    ULONG64 deadline = test_now_ms() + WAIT_MS;
    while (kcom_atomic_load(value) < at_least) {
        if (test_now_ms() > deadline)
            return FALSE;
        test_sleep_ms(1);
    }
    return TRUE;
}

/* The same, spinning (for DPC routines, which must not sleep). */
static BOOLEAN spin_at_least(LONG volatile *value, LONG at_least)
{
    ULONG64 deadline = kcom_platform_monotonic_us() + (ULONG64)WAIT_MS * 1000u;
    while (kcom_atomic_load(value) < at_least) {
        if (kcom_platform_monotonic_us() > deadline)
            return FALSE;
        test_yield();
    }
    return TRUE;
}

/* ---- what a routine saw ----------------------------------------------------------------------------------- */

typedef struct probe {
    LONG volatile runs;
    LONG volatile irql;        /* at the last run */
    LONG volatile processor;   /* kcom_sim_current_processor() at the last run */
    LONG volatile can_block;
    LONG volatile lock_irql;   /* what a spin lock acquire returned inside */
    LONG volatile lock_held_irql;
    LONG volatile wrong;       /* something a routine found wrong */
    LONG volatile inserts_ok;  /* re-inserts that returned TRUE */
    LONG volatile max_runs;    /* re-insert until runs reaches it */
    LONG volatile first_processor;
    LONG volatile other_thread; /* ran on another thread than the test's */
    kcom_platform_dpc *dpc;
} probe;

static pthread_t test_thread_id;

static void probe_init(probe *p)
{
    memset(p, 0, sizeof(*p));
    p->irql = p->processor = p->lock_irql = p->lock_held_irql = p->first_processor = -1;
}

static void record(probe *p)
{
    kcom_platform_spin_lock lock;
    UCHAR old;
    kcom_atomic_store(&p->irql, kcom_platform_irql());
    if (kcom_sim_current_irql() != kcom_platform_irql()) /* the public getter says the same */
        kcom_atomic_fetch_add(&p->wrong, 1);
    kcom_atomic_store(&p->processor, kcom_sim_current_processor());
    kcom_atomic_store(&p->can_block, kcom_platform_can_block());
    kcom_atomic_store(&p->other_thread, !pthread_equal(pthread_self(), test_thread_id));
    kcom_platform_spin_lock_init(&lock);
    old = kcom_platform_spin_lock_acquire(&lock);
    kcom_atomic_store(&p->lock_irql, old);
    kcom_atomic_store(&p->lock_held_irql, kcom_platform_irql());
    kcom_platform_spin_lock_release(&lock, old);
    if (kcom_platform_irql() != old)
        kcom_atomic_fetch_add(&p->wrong, 1);
}

static void probe_dpc(kcom_platform_dpc *dpc, void *context)
{
    probe *p = (probe *)context;
    record(p);
    if (dpc != p->dpc)
        kcom_atomic_fetch_add(&p->wrong, 1);
    kcom_atomic_fetch_add(&p->runs, 1); /* last: the test may look now */
}

/* ---- IRQL and spin locks ------------------------------------------------------------------------------- */

static void irql_and_spin_locks(void)
{
    kcom_platform_spin_lock a, b;
    kcom_platform_event *event;
    UCHAR old, inner;
    ULONG64 before_ms, now_us, after_ms;

    ok(kcom_platform_irql() == KCOM_PLATFORM_PASSIVE_LEVEL, "a plain thread runs at PASSIVE_LEVEL: %u\n",
       (unsigned)kcom_platform_irql());
    ok(kcom_sim_current_processor() == -1, "not a simulated processor\n");
    ok(kcom_platform_can_block(), "may block at PASSIVE_LEVEL\n");
    ok(kcom_platform_processor_count() == 2, "two processors: %lu\n", (unsigned long)kcom_platform_processor_count());
    ok(kcom_sim_processor_count() == 2 && kcom_sim_current_irql() == KCOM_PLATFORM_PASSIVE_LEVEL,
       "the public getters: %lu processors, IRQL %u\n", (unsigned long)kcom_sim_processor_count(),
       (unsigned)kcom_sim_current_irql());

    old = kcom_platform_raise_to_dispatch();
    ok(old == KCOM_PLATFORM_PASSIVE_LEVEL && kcom_platform_irql() == KCOM_PLATFORM_DISPATCH_LEVEL,
       "raised from %u to %u\n", (unsigned)old, (unsigned)kcom_platform_irql());
    ok(!kcom_platform_can_block(), "may not block at DISPATCH_LEVEL\n");
    ok(kcom_platform_raise_to_dispatch() == KCOM_PLATFORM_DISPATCH_LEVEL, "raising at DISPATCH_LEVEL stays\n");
    kcom_platform_lower_irql(KCOM_PLATFORM_DISPATCH_LEVEL);
    kcom_platform_lower_irql(old);
    ok(kcom_platform_irql() == KCOM_PLATFORM_PASSIVE_LEVEL && kcom_platform_can_block(), "lowered\n");

    old = kcom_sim_raise_irql(KCOM_PLATFORM_APC_LEVEL);
    ok(old == KCOM_PLATFORM_PASSIVE_LEVEL && kcom_platform_irql() == KCOM_PLATFORM_APC_LEVEL &&
           kcom_sim_current_irql() == KCOM_PLATFORM_APC_LEVEL,
       "APC_LEVEL\n");
    ok(kcom_platform_can_block(), "may block at APC_LEVEL\n");
    kcom_sim_lower_irql(old);

    kcom_platform_spin_lock_init(&a);
    kcom_platform_spin_lock_init(&b);
    old = kcom_platform_spin_lock_acquire(&a);
    ok(old == KCOM_PLATFORM_PASSIVE_LEVEL && kcom_platform_irql() == KCOM_PLATFORM_DISPATCH_LEVEL,
       "a spin lock raises to DISPATCH_LEVEL and returns %u\n", (unsigned)old);
    ok(!kcom_platform_can_block(), "may not block with a spin lock held\n");
    inner = kcom_platform_spin_lock_acquire(&b);
    ok(inner == KCOM_PLATFORM_DISPATCH_LEVEL, "a nested one returns DISPATCH_LEVEL: %u\n", (unsigned)inner);
    kcom_platform_spin_lock_release(&b, inner);
    ok(kcom_platform_irql() == KCOM_PLATFORM_DISPATCH_LEVEL, "still at DISPATCH_LEVEL under the outer\n");
    kcom_platform_spin_lock_release(&a, old);
    ok(kcom_platform_irql() == KCOM_PLATFORM_PASSIVE_LEVEL, "released: PASSIVE_LEVEL again\n");

    /* a zero-timeout wait is a poll, allowed at DISPATCH_LEVEL */
    event = kcom_platform_event_create();
    ok(event != NULL, "event\n");
    if (event != NULL) {
        old = kcom_platform_raise_to_dispatch();
        ok(kcom_platform_event_wait(event, 0) == STATUS_TIMEOUT, "a poll at DISPATCH_LEVEL\n");
        kcom_platform_lower_irql(old);
        kcom_platform_event_release(event);
    }

    /* bracketed: time passes between the reads (a lot of it under valgrind), but one clock read
     * between two others lies between them */
    before_ms = kcom_platform_monotonic_ms();
    now_us = kcom_platform_monotonic_us();
    after_ms = kcom_platform_monotonic_ms();
    ok(before_ms <= now_us / 1000u && now_us / 1000u <= after_ms,
       "the microsecond clock is the millisecond one: %llu <= %llu <= %llu\n", (unsigned long long)before_ms,
       (unsigned long long)(now_us / 1000u), (unsigned long long)after_ms);
}

/* Spin locks exclude: two threads add to a plain counter under one. */
typedef struct contention {
    kcom_platform_spin_lock lock;
    LONG counter;
    LONG volatile wrong;
} contention;

static void *contend(void *argument)
{
    contention *c = (contention *)argument;
    int i;
    for (i = 0; i < 20000; i++) {
        UCHAR old = kcom_platform_spin_lock_acquire(&c->lock);
        if (kcom_platform_irql() != KCOM_PLATFORM_DISPATCH_LEVEL)
            kcom_atomic_fetch_add(&c->wrong, 1);
        c->counter++;
        kcom_platform_spin_lock_release(&c->lock, old);
    }
    return NULL;
}

static void spin_lock_excludes(void)
{
    contention c;
    test_thread t1, t2;
    memset(&c, 0, sizeof(c));
    kcom_platform_spin_lock_init(&c.lock);
    test_thread_start(&t1, contend, &c);
    test_thread_start(&t2, contend, &c);
    test_thread_join(&t1);
    test_thread_join(&t2);
    ok(c.counter == 40000 && c.wrong == 0, "every increment under the lock: %ld (wrong %ld)\n", (long)c.counter,
       (long)c.wrong);
}

/* ---- DPCs ---------------------------------------------------------------------------------------------- */

static void dpc_runs_at_dispatch(void)
{
    kcom_platform_dpc dpc;
    probe p;
    ULONG64 runs_before = kcom_sim_dpc_runs();

    probe_init(&p);
    p.dpc = &dpc;
    kcom_platform_dpc_init(&dpc, probe_dpc, &p);
    kcom_sim_hold_dpcs(TRUE);
    ok(kcom_platform_dpc_insert(&dpc), "inserted\n");
    ok(!kcom_platform_dpc_insert(&dpc), "inserting a queued DPC returns FALSE\n");
    ok(kcom_sim_dpcs_queued() == 1, "queued once: %lu\n", (unsigned long)kcom_sim_dpcs_queued());
    ok(kcom_atomic_load(&p.runs) == 0, "held: not run\n");
    kcom_sim_hold_dpcs(FALSE);
    kcom_platform_dpc_flush();
    ok(kcom_atomic_load(&p.runs) == 1, "ran once for the two inserts: %ld\n", (long)p.runs);
    ok(kcom_sim_dpcs_queued() == 0, "nothing queued\n");
    ok(kcom_sim_dpc_runs() == runs_before + 1, "the run counter: +%llu\n",
       (unsigned long long)(kcom_sim_dpc_runs() - runs_before));
    ok(p.irql == KCOM_PLATFORM_DISPATCH_LEVEL, "the routine runs at DISPATCH_LEVEL: %ld\n", (long)p.irql);
    ok(p.processor == 0 || p.processor == 1, "on a simulated processor: %ld\n", (long)p.processor);
    ok(p.other_thread == 1, "on the processor's thread\n");
    ok(p.can_block == 0, "may not block in a DPC routine\n");
    ok(p.lock_irql == KCOM_PLATFORM_DISPATCH_LEVEL && p.lock_held_irql == KCOM_PLATFORM_DISPATCH_LEVEL,
       "a spin lock in a DPC routine returns DISPATCH_LEVEL: %ld\n", (long)p.lock_irql);
    ok(p.wrong == 0, "the routine got its DPC and context\n");

    /* once run, it can be inserted again */
    ok(kcom_platform_dpc_insert(&dpc), "inserted again after its run\n");
    kcom_platform_dpc_flush();
    ok(kcom_atomic_load(&p.runs) == 2, "ran again: %ld\n", (long)p.runs);
}

/* Inserts itself again from its routine until max_runs: each insert succeeds (the DPC was
 * dequeued before the call) and goes to the routine's own processor. */
static void reinserting_dpc(kcom_platform_dpc *dpc, void *context)
{
    probe *p = (probe *)context;
    LONG runs = kcom_atomic_load(&p->runs) + 1;
    LONG processor = kcom_sim_current_processor();
    if (kcom_atomic_load(&p->first_processor) < 0)
        kcom_atomic_store(&p->first_processor, processor);
    else if (kcom_atomic_load(&p->first_processor) != processor)
        kcom_atomic_fetch_add(&p->wrong, 1);
    if (runs < kcom_atomic_load(&p->max_runs) && kcom_platform_dpc_insert(dpc))
        kcom_atomic_fetch_add(&p->inserts_ok, 1);
    if (runs < kcom_atomic_load(&p->max_runs) && kcom_platform_dpc_insert(dpc))
        kcom_atomic_fetch_add(&p->wrong, 1); /* queued now: a second insert must return FALSE */
    kcom_atomic_store(&p->runs, runs);
}

static void dpc_reinserted_from_its_routine(void)
{
    kcom_platform_dpc dpc;
    probe p;
    probe_init(&p);
    p.max_runs = 5;
    kcom_platform_dpc_init(&dpc, reinserting_dpc, &p);
    ok(kcom_platform_dpc_insert(&dpc), "inserted\n");
    ok(wait_at_least(&p.runs, 5), "ran five times: %ld\n", (long)kcom_atomic_load(&p.runs));
    kcom_platform_dpc_flush();
    ok(kcom_atomic_load(&p.runs) == 5, "and no more: %ld\n", (long)p.runs);
    ok(p.inserts_ok == 4, "the four inserts from the routine succeeded: %ld\n", (long)p.inserts_ok);
    ok(p.wrong == 0, "always on its own processor, queued once at a time (%ld wrong)\n", (long)p.wrong);
}

/* A slow routine: started, inserts a second DPC (behind itself, on its own processor), then
 * spins until released. */
typedef struct slow {
    LONG volatile processor;
    LONG volatile started;
    LONG volatile release;
    LONG volatile finished;
    LONG volatile timed_out;
    kcom_platform_dpc second;
    probe second_probe;
} slow;

static void slow_dpc(kcom_platform_dpc *dpc, void *context)
{
    slow *s = (slow *)context;
    (void)dpc;
    kcom_atomic_store(&s->processor, kcom_sim_current_processor());
    if (!kcom_platform_dpc_insert(&s->second))
        kcom_atomic_fetch_add(&s->timed_out, 100);
    kcom_atomic_store(&s->started, 1);
    if (!spin_at_least(&s->release, 1))
        kcom_atomic_fetch_add(&s->timed_out, 1);
    kcom_atomic_store(&s->finished, 1);
}

static void *release_later(void *argument)
{
    slow *s = (slow *)argument;
    test_sleep_ms(50);
    kcom_atomic_store(&s->release, 1);
    return NULL;
}

static void dpc_flush_waits(void)
{
    kcom_platform_dpc dpc;
    slow s;
    test_thread releaser;

    memset(&s, 0, sizeof(s));
    probe_init(&s.second_probe);
    s.second_probe.dpc = &s.second;
    kcom_platform_dpc_init(&s.second, probe_dpc, &s.second_probe);
    kcom_platform_dpc_init(&dpc, slow_dpc, &s);
    ok(kcom_platform_dpc_insert(&dpc), "inserted\n");
    ok(wait_at_least(&s.started, 1), "the slow routine started\n");
    test_thread_start(&releaser, release_later, &s);
    kcom_platform_dpc_flush(); /* the slow one runs, the second waits behind it */
    ok(kcom_atomic_load(&s.finished) == 1, "the flush waited for the routine under way\n");
    ok(kcom_atomic_load(&s.second_probe.runs) == 1, "and for the DPC queued behind it: %ld\n",
       (long)kcom_atomic_load(&s.second_probe.runs));
    ok(s.second_probe.processor == s.processor && s.timed_out == 0,
       "the second ran on the processor whose routine inserted it: %ld, %ld (%ld)\n",
       (long)s.second_probe.processor, (long)s.processor, (long)s.timed_out);
    test_thread_join(&releaser);

    /* nothing queued: returns at once */
    kcom_platform_dpc_flush();
    ok(1, "an empty flush returns\n");
}

/* Two routines that each wait (spinning, up to WAIT_MS) for the other to be inside too. */
typedef struct meeting {
    LONG volatile inside;
    LONG volatile met;
    LONG volatile processors[2];
    LONG volatile runs;
} meeting;

static void meeting_dpc(kcom_platform_dpc *dpc, void *context)
{
    meeting *m = (meeting *)context;
    LONG me = kcom_atomic_fetch_add(&m->inside, 1);
    (void)dpc;
    if (me < 2)
        kcom_atomic_store(&m->processors[me], kcom_sim_current_processor());
    if (spin_at_least(&m->inside, 2))
        kcom_atomic_fetch_add(&m->met, 1);
    kcom_atomic_fetch_add(&m->runs, 1);
}

static void dpcs_run_concurrently(void)
{
    kcom_platform_dpc a, b;
    meeting m;

    /* two DPCs inserted one after the other from a passive thread: two processors, at once */
    memset(&m, 0, sizeof(m));
    kcom_platform_dpc_init(&a, meeting_dpc, &m);
    kcom_platform_dpc_init(&b, meeting_dpc, &m);
    ok(kcom_platform_dpc_insert(&a) && kcom_platform_dpc_insert(&b), "inserted\n");
    ok(wait_at_least(&m.runs, 2), "both ran\n");
    kcom_platform_dpc_flush();
    ok(m.met == 2, "both routines were inside at the same time: %ld\n", (long)m.met);
    ok(m.processors[0] != m.processors[1], "on two processors: %ld, %ld\n", (long)m.processors[0],
       (long)m.processors[1]);

    /* one DPC inserted again while its routine runs: the second run, on the other processor, meets
     * the first */
    memset(&m, 0, sizeof(m));
    kcom_platform_dpc_init(&a, meeting_dpc, &m);
    ok(kcom_platform_dpc_insert(&a), "inserted\n");
    ok(wait_at_least(&m.inside, 1), "its routine started\n");
    ok(kcom_platform_dpc_insert(&a), "inserted again while it runs (it was dequeued)\n");
    ok(wait_at_least(&m.runs, 2), "both runs ended\n");
    kcom_platform_dpc_flush();
    ok(m.met == 2, "the same DPC ran on two processors at once: %ld\n", (long)m.met);
    ok(m.processors[0] != m.processors[1], "processors %ld and %ld\n", (long)m.processors[0],
       (long)m.processors[1]);
}

/* From a thread at DISPATCH_LEVEL (not a simulated processor) every insert goes to one processor,
 * the one its current processor number names (as the DPC executor targets its DPCs), which stays
 * the same until it lowers. */
static void dpcs_from_a_raised_thread(void)
{
    kcom_platform_dpc dpcs[4];
    probe probes[4];
    UCHAR old;
    ULONG current, again;
    int i, same = 0;
    kcom_sim_hold_dpcs(TRUE);
    old = kcom_platform_raise_to_dispatch();
    current = kcom_platform_current_processor();
    again = kcom_platform_current_processor();
    ok(current == again, "the raised thread's processor number stays: %lx, %lx\n", (unsigned long)current,
       (unsigned long)again);
    for (i = 0; i < 4; i++) {
        probe_init(&probes[i]);
        probes[i].dpc = &dpcs[i];
        kcom_platform_dpc_init(&dpcs[i], probe_dpc, &probes[i]);
        ok(kcom_platform_dpc_insert(&dpcs[i]), "inserted %d at DISPATCH_LEVEL\n", i);
    }
    kcom_platform_lower_irql(old);
    kcom_sim_hold_dpcs(FALSE);
    kcom_platform_dpc_flush();
    for (i = 0; i < 4; i++) {
        ok(probes[i].runs == 1 && probes[i].irql == KCOM_PLATFORM_DISPATCH_LEVEL, "%d ran at DISPATCH_LEVEL\n", i);
        same += probes[i].processor == probes[0].processor;
    }
    ok(same == 4, "all on the raised thread's processor (%d of 4)\n", same);
    ok(kcom_platform_processor_count() != 0 &&
           (ULONG)probes[0].processor == (current & 0x7FFFFFFFu) % kcom_platform_processor_count(),
       "the processor its number names: %ld\n", (long)probes[0].processor);
}

/* ---- work items ---------------------------------------------------------------------------------------- */

typedef struct work_probe {
    probe p;
    kcom_platform_work_item *item;
    LONG volatile requeues;  /* queue itself again this many times */
} work_probe;

static void work_routine(void *context)
{
    work_probe *w = (work_probe *)context;
    record(&w->p);
    if (kcom_atomic_load(&w->requeues) > 0) {
        kcom_atomic_fetch_add(&w->requeues, -1);
        kcom_platform_work_item_queue(w->item, work_routine, w); /* from its own routine: allowed */
    }
    kcom_atomic_fetch_add(&w->p.runs, 1); /* last */
}

static void work_items(void)
{
    static int device; /* any non-NULL pointer stands for the device object */
    work_probe w;

    probe_init(&w.p);
    w.requeues = 0;
    w.item = kcom_platform_work_item_allocate(&device);
    ok(w.item != NULL, "allocated\n");
    if (w.item == NULL)
        return;

    kcom_sim_hold_work_items(TRUE);
    kcom_platform_work_item_queue(w.item, work_routine, &w);
    ok(kcom_sim_work_items_queued() == 1, "queued, held\n");
    ok(kcom_atomic_load(&w.p.runs) == 0, "not entered while held\n");
    kcom_sim_hold_work_items(FALSE);
    ok(wait_at_least(&w.p.runs, 1), "ran\n");
    ok(w.p.irql == KCOM_PLATFORM_PASSIVE_LEVEL, "at PASSIVE_LEVEL: %ld\n", (long)w.p.irql);
    ok(w.p.other_thread == 1 && w.p.processor == -1, "on a worker thread, not a processor\n");
    ok(w.p.can_block == 1, "may block\n");
    ok(w.p.lock_irql == KCOM_PLATFORM_PASSIVE_LEVEL && w.p.lock_held_irql == KCOM_PLATFORM_DISPATCH_LEVEL,
       "a spin lock in a work item raises from PASSIVE_LEVEL\n");
    ok(kcom_sim_work_items_queued() == 0, "nothing queued\n");

    /* queued again from its routine, three times */
    kcom_atomic_store(&w.requeues, 3);
    kcom_platform_work_item_queue(w.item, work_routine, &w);
    ok(wait_at_least(&w.p.runs, 5), "ran four more times: %ld\n", (long)kcom_atomic_load(&w.p.runs));
    ok(kcom_atomic_load(&w.requeues) == 0 && w.p.wrong == 0, "every requeue ran\n");
    /* every run has entered (the count is its last access): the item may go */
    kcom_platform_work_item_free(w.item);
}

/* ---- work items on one processor: the worker queue's concurrency ---------------------------------------- */

typedef struct concurrency_probe {
    kcom_platform_work_item *item;
    kcom_platform_work_item *other;  /* queued by the first run of item when waiting_for_other */
    LONG volatile requeues;          /* item queues itself again this many times */
    LONG volatile runs;
    LONG volatile other_runs;
    LONG volatile other_thread;      /* a run of item on another thread than its first run's */
    LONG volatile waited;            /* item's routine saw the other item run while it waited */
    BOOLEAN waiting_for_other;
    pthread_t first;
} concurrency_probe;

static void other_routine(void *context)
{
    concurrency_probe *c = (concurrency_probe *)context;
    kcom_atomic_fetch_add(&c->other_runs, 1);
}

static void concurrency_routine(void *context)
{
    concurrency_probe *c = (concurrency_probe *)context;
    if (kcom_atomic_load(&c->runs) == 0)
        c->first = pthread_self();
    else if (!pthread_equal(c->first, pthread_self()))
        kcom_atomic_store(&c->other_thread, 1);
    if (c->waiting_for_other) {
        /* a routine that waits for another work item: the limit must not hold that one back for ever */
        kcom_platform_work_item_queue(c->other, other_routine, c);
        kcom_atomic_store(&c->waited, wait_at_least(&c->other_runs, 1));
    } else if (kcom_atomic_load(&c->requeues) > 0) {
        kcom_atomic_fetch_add(&c->requeues, -1);
        kcom_platform_work_item_queue(c->item, concurrency_routine, c);
        test_sleep_ms(1); /* time for an idle worker to take it, were one woken */
    }
    kcom_atomic_fetch_add(&c->runs, 1); /* last */
}

/* With one simulated processor, a work item queued while a routine runs waits for that routine's
 * thread, as the system worker queue's concurrency (the processor count) has the kernel do: a
 * routine that queues itself again runs again on the same thread, not on a worker woken for it.
 * And a routine that waits for another work item still sees it run. */
static void work_items_one_processor(void)
{
    static int device;
    concurrency_probe c;
    ok(kcom_uninitialize() == STATUS_SUCCESS, "uninitialize\n");
    ok(kcom_sim_set_processor_count(1) == STATUS_SUCCESS, "one processor\n");
    ok(kcom_initialize() == STATUS_SUCCESS, "initialize\n");
    memset(&c, 0, sizeof(c));
    c.item = kcom_platform_work_item_allocate(&device);
    c.other = kcom_platform_work_item_allocate(&device);
    ok(c.item != NULL && c.other != NULL, "allocated\n");
    if (c.item != NULL && c.other != NULL) {
        kcom_atomic_store(&c.requeues, 8);
        kcom_platform_work_item_queue(c.item, concurrency_routine, &c);
        ok(wait_at_least(&c.runs, 9), "ran nine times: %ld\n", (long)kcom_atomic_load(&c.runs));
        ok(kcom_atomic_load(&c.other_thread) == 0, "each time on its first run's thread\n");

        kcom_atomic_store(&c.runs, 0);
        c.waiting_for_other = TRUE;
        kcom_platform_work_item_queue(c.item, concurrency_routine, &c);
        ok(wait_at_least(&c.runs, 1), "the waiting routine ended\n");
        ok(kcom_atomic_load(&c.waited) == 1 && kcom_atomic_load(&c.other_runs) == 1,
           "the item it waited for ran meanwhile\n");
    }
    if (c.item != NULL)
        kcom_platform_work_item_free(c.item);
    if (c.other != NULL)
        kcom_platform_work_item_free(c.other);
    ok(kcom_uninitialize() == STATUS_SUCCESS, "uninitialize\n");
    ok(kcom_sim_set_processor_count(2) == STATUS_SUCCESS, "back to two processors\n");
}

/* Every worker inside a routine that waits for another work item: the queue still runs that one,
 * as the kernel's balance set manager adds a worker to a stalled queue (two simulated processors,
 * both routines running, the third item held back by the concurrency and no worker idle). */
typedef struct waiting_probe {
    LONG volatile entered;
    LONG volatile waited;    /* routines that saw the other item run while they waited */
    LONG volatile ended;
    LONG volatile other_runs;
} waiting_probe;

static void waited_for_routine(void *context)
{
    kcom_atomic_fetch_add(&((waiting_probe *)context)->other_runs, 1);
}

static void waiting_routine(void *context)
{
    waiting_probe *w = (waiting_probe *)context;
    kcom_atomic_fetch_add(&w->entered, 1);
    if (wait_at_least(&w->other_runs, 1))
        kcom_atomic_fetch_add(&w->waited, 1);
    kcom_atomic_fetch_add(&w->ended, 1); /* last */
}

static void work_items_every_worker_waiting(void)
{
    static int device;
    kcom_platform_work_item *items[3];
    waiting_probe w;
    ULONG64 start;
    int i;
    memset(&w, 0, sizeof(w));
    for (i = 0; i < 3; i++)
        items[i] = kcom_platform_work_item_allocate(&device);
    ok(items[0] != NULL && items[1] != NULL && items[2] != NULL, "allocated\n");
    if (items[0] != NULL && items[1] != NULL && items[2] != NULL) {
        kcom_platform_work_item_queue(items[0], waiting_routine, &w);
        kcom_platform_work_item_queue(items[1], waiting_routine, &w);
        ok(wait_at_least(&w.entered, 2), "both routines wait: %ld\n", (long)kcom_atomic_load(&w.entered));
        start = test_now_ms();
        kcom_platform_work_item_queue(items[2], waited_for_routine, &w);
        ok(wait_at_least(&w.ended, 2), "both ended\n");
        ok(kcom_atomic_load(&w.waited) == 2 && kcom_atomic_load(&w.other_runs) == 1,
           "the item they waited for ran meanwhile (%ld waited, after %lu ms)\n", (long)kcom_atomic_load(&w.waited),
           (unsigned long)(test_now_ms() - start));
    }
    for (i = 0; i < 3; i++)
        if (items[i] != NULL)
            kcom_platform_work_item_free(items[i]);
}

/* ---- timers -------------------------------------------------------------------------------------------- */

typedef struct timer_probe {
    kcom_rt_timer timer;
    probe p;
    ULONG64 deadline_ms;
    LONG volatile early;     /* ran before its deadline */
    LONG volatile entered;
    LONG volatile release;   /* a held callback waits for it */
    LONG volatile hold;
    LONG volatile rearms;    /* arm again from the callback this many times */
} timer_probe;

static void timer_callback(kcom_rt_timer *timer, void *context)
{
    timer_probe *t = (timer_probe *)context;
    if (timer != &t->timer)
        kcom_atomic_fetch_add(&t->p.wrong, 1);
    record(&t->p);
    if (kcom_platform_monotonic_ms() < t->deadline_ms)
        kcom_atomic_fetch_add(&t->early, 1);
    kcom_atomic_fetch_add(&t->entered, 1);
    if (kcom_atomic_load(&t->hold) && !spin_at_least(&t->release, 1))
        kcom_atomic_fetch_add(&t->p.wrong, 1);
    if (kcom_atomic_load(&t->rearms) > 0) {
        kcom_atomic_fetch_add(&t->rearms, -1);
        t->deadline_ms = kcom_platform_monotonic_ms();
        if (!NT_SUCCESS(kcom_platform_timer_arm(&t->timer, t->deadline_ms))) /* from its own callback */
            kcom_atomic_fetch_add(&t->p.wrong, 1);
    }
    kcom_atomic_fetch_add(&t->p.runs, 1); /* last */
}

static void timer_init(timer_probe *t)
{
    memset(t, 0, sizeof(*t));
    probe_init(&t->p);
    kcom_platform_timer_init(&t->timer, timer_callback, t);
}

static NTSTATUS timer_arm_in(timer_probe *t, ULONG ms)
{
    t->deadline_ms = kcom_platform_monotonic_ms() + ms;
    return kcom_platform_timer_arm(&t->timer, t->deadline_ms);
}

/* Empties queue from its first entry on; returns how many came out, and in *wrong how many came
 * out of order (due earlier than the one before, or as early and armed before it: the entries are
 * one array's, armed in index order) or with a parent. */
static ULONG drain_in_order(kcom_deadline_queue *queue, ULONG *wrong)
{
    const kcom_deadline_link *previous = NULL;
    ULONG count = 0;
    *wrong = 0;
    while (queue->first != NULL) {
        kcom_deadline_link *at = queue->first;
        count++;
        if (at->prev != NULL || (previous != NULL && (previous->deadline_ms > at->deadline_ms ||
                                                      (previous->deadline_ms == at->deadline_ms && previous > at))))
            (*wrong)++;
        previous = at;
        kcom_deadline_queue_remove(queue, at);
    }
    return count;
}

/* The armed timers' queue (the simulation's and the timer service's): after any inserts and
 * removals, its entries come out earliest first, equal deadlines in the order they were armed,
 * every removed one unlinked, and an insert's answer TRUE exactly when it became the first.
 * Deadlines armed in order, in reverse order with ties to the first, shared by many after a later
 * one, out of order, and equal, with removals of the first, of the last armed and of ones inside;
 * then the same at random against a count of what is linked. */
static void deadline_queue_order(void)
{
    enum { COUNT = 300, RANDOM = 5000 };
    static kcom_deadline_link links[RANDOM];
    kcom_deadline_queue queue = {NULL, 0};
    ULONG seed = 12345, i, count, linked = 0, wrong = 0, out_of_order;
    for (i = 0; i < COUNT; i++) {
        /* increasing, then decreasing two at a time (equal to the first), then one later and many
         * at the earliest's deadline (a deadline many requests share), then at random */
        ULONG64 deadline = i < 100    ? 1000 + i
                           : i < 160  ? 900 - (i - 100) / 2
                           : i == 160 ? 5000
                           : i < 200  ? 871
                                      : (seed = seed * 1103515245u + 12345u) % 64;
        BOOLEAN was_first;
        kcom_deadline_link_init(&links[i]);
        was_first = (BOOLEAN)(queue.first == NULL || queue.first->deadline_ms > deadline);
        if (kcom_deadline_queue_insert(&queue, &links[i], deadline) != was_first)
            wrong++;
        linked++;
        if (i % 7 == 3) { /* take one out: the first, the one just armed, or one inside still linked */
            kcom_deadline_link *out = i % 3 == 0 ? queue.first : i % 3 == 1 ? &links[i] : &links[i / 2];
            if (kcom_deadline_queue_linked(&queue, out)) {
                kcom_deadline_queue_remove(&queue, out);
                if (kcom_deadline_queue_linked(&queue, out) || out->child != NULL || out->next != NULL)
                    wrong++;
                linked--;
            }
        }
    }
    ok(wrong == 0, "%lu inserts or removals answered or unlinked wrongly\n", (unsigned long)wrong);
    count = drain_in_order(&queue, &out_of_order);
    ok(out_of_order == 0 && count == linked, "%lu of %lu entries out of order; %lu linked\n", (unsigned long)out_of_order,
       (unsigned long)count, (unsigned long)linked);

    /* at random: arms at random due times (a narrow range, so that ties abound), expiries of the
     * first and cancels of any linked one, then emptied in order */
    linked = 0;
    for (i = 0; i < RANDOM; i++) {
        ULONG action;
        seed = seed * 1103515245u + 12345u;
        action = (seed >> 16) % 8;
        kcom_deadline_link_init(&links[i]);
        kcom_deadline_queue_insert(&queue, &links[i], (seed >> 8) % 97);
        linked++;
        if (action == 0 && queue.first != NULL) {
            kcom_deadline_queue_remove(&queue, queue.first);
            linked--;
        } else if (action <= 2) {
            kcom_deadline_link *out = &links[(seed >> 4) % (i + 1)];
            if (kcom_deadline_queue_linked(&queue, out)) {
                kcom_deadline_queue_remove(&queue, out);
                linked--;
            }
        }
    }
    count = drain_in_order(&queue, &out_of_order);
    ok(out_of_order == 0 && count == linked, "at random: %lu of %lu entries out of order; %lu linked\n",
       (unsigned long)out_of_order, (unsigned long)count, (unsigned long)linked);
}

/* Arming stays O(log n) however the due times fall: the entries every insert and removal passes,
 * counted, over COUNT arms of due times in two growing groups (two timeout lengths at once), at
 * random, and both with removals of the earliest (expiries) and of any (cancels) in between, stay
 * within a small multiple of n log2 n (a sorted list would pass about n squared over four). */
static void deadline_queue_scale(void)
{
    enum { COUNT = 20000, LOG2_COUNT = 15 };
    static kcom_deadline_link links[COUNT];
    static const char *const names[] = {"two growing groups", "random", "two groups with removals",
                                        "random with removals"};
    ULONG kind;
    for (kind = 0; kind < 4; kind++) {
        kcom_deadline_queue queue = {NULL, 0};
        ULONG seed = 777, i;
        deadline_steps = 0;
        for (i = 0; i < COUNT; i++) {
            ULONG64 deadline = kind % 2 == 0 ? (i % 2 == 0 ? 60000u : 120000u) + i
                                             : (seed = seed * 1103515245u + 12345u) >> 8;
            kcom_deadline_link_init(&links[i]);
            kcom_deadline_queue_insert(&queue, &links[i], deadline);
            if (kind >= 2 && i % 3 == 2) { /* an expiry, and a cancel of one armed earlier */
                kcom_deadline_queue_remove(&queue, queue.first);
                if (kcom_deadline_queue_linked(&queue, &links[i / 2]))
                    kcom_deadline_queue_remove(&queue, &links[i / 2]);
            }
        }
        while (queue.first != NULL)
            kcom_deadline_queue_remove(&queue, queue.first);
        ok(deadline_steps <= 8ull * COUNT * LOG2_COUNT, "%s: %llu steps for %u arms (at most %llu)\n", names[kind],
           deadline_steps, (unsigned)COUNT, 8ull * COUNT * LOG2_COUNT);
    }
}

static void timers_fire_in_a_dpc(void)
{
    timer_probe t;
    ULONG64 runs_before;

    timer_init(&t);
    runs_before = kcom_sim_dpc_runs();
    ok(timer_arm_in(&t, 30) == STATUS_SUCCESS, "armed for 30 ms\n");
    ok(wait_at_least(&t.p.runs, 1), "fired\n");
    ok(t.early == 0, "not before its deadline\n");
    ok(t.p.irql == KCOM_PLATFORM_DISPATCH_LEVEL, "the callback runs at DISPATCH_LEVEL: %ld\n", (long)t.p.irql);
    ok(t.p.processor >= 0 && t.p.processor < 2, "in a DPC on a simulated processor: %ld\n", (long)t.p.processor);
    ok(t.p.can_block == 0, "may not block\n");
    ok(kcom_sim_dpc_runs() >= runs_before + 1, "through a DPC\n");
    ok(t.p.wrong == 0, "its own storage and context\n");

    /* a past deadline fires at once, still through the timer thread and a DPC */
    t.deadline_ms = kcom_platform_monotonic_ms() - 5;
    ok(kcom_platform_timer_arm(&t.timer, t.deadline_ms) == STATUS_SUCCESS, "armed in the past\n");
    ok(wait_at_least(&t.p.runs, 2), "fired\n");
    ok(t.p.irql == KCOM_PLATFORM_DISPATCH_LEVEL, "at DISPATCH_LEVEL\n");

    /* armed again from its own callback (what a periodic timer above the seam does) */
    kcom_atomic_store(&t.rearms, 2);
    ok(timer_arm_in(&t, 1) == STATUS_SUCCESS, "armed\n");
    ok(wait_at_least(&t.p.runs, 5), "fired three more times: %ld\n", (long)kcom_atomic_load(&t.p.runs));
    kcom_platform_dpc_flush();
    ok(kcom_atomic_load(&t.p.runs) == 5 && t.p.wrong == 0, "and no more: %ld\n", (long)t.p.runs);
    ok(!kcom_platform_timer_cancel(&t.timer), "cancel after it fired: FALSE\n");
}

static void timer_cancel_states(void)
{
    timer_probe t;
    ULONG queued;
    ULONG64 deadline;
    UCHAR irql;

    /* never armed */
    timer_init(&t);
    ok(!kcom_platform_timer_cancel(&t.timer), "never armed: FALSE\n");

    /* armed, pending */
    ok(timer_arm_in(&t, 60000) == STATUS_SUCCESS, "armed for a minute\n");
    ok(kcom_platform_timer_cancel(&t.timer), "pending: TRUE\n");
    ok(!kcom_platform_timer_cancel(&t.timer), "again: FALSE (not armed)\n");
    /* unarmed again: it can be armed again, and fires once */
    ok(timer_arm_in(&t, 0) == STATUS_SUCCESS, "armed again\n");
    ok(wait_at_least(&t.p.runs, 1), "fired\n");
    kcom_platform_dpc_flush();
    ok(kcom_atomic_load(&t.p.runs) == 1, "once: %ld\n", (long)t.p.runs);

    /* expired, its DPC queued but not started (held): KeRemoveQueueDpc, TRUE */
    timer_init(&t);
    kcom_sim_hold_dpcs(TRUE);
    ok(timer_arm_in(&t, 0) == STATUS_SUCCESS, "armed, due now\n");
    deadline = test_now_ms() + WAIT_MS;
    while ((queued = kcom_sim_dpcs_queued()) == 0 && test_now_ms() < deadline)
        test_sleep_ms(1);
    ok(queued == 1, "the timer thread inserted its DPC: %lu queued\n", (unsigned long)queued);
    irql = kcom_platform_raise_to_dispatch(); /* as a DPC routine would cancel it */
    ok(kcom_platform_timer_cancel(&t.timer), "DPC queued: TRUE (at DISPATCH_LEVEL)\n");
    kcom_platform_lower_irql(irql);
    ok(kcom_sim_dpcs_queued() == 0, "the DPC was removed from its queue\n");
    kcom_sim_hold_dpcs(FALSE);
    kcom_platform_dpc_flush();
    ok(kcom_atomic_load(&t.p.runs) == 0, "the callback never ran: %ld\n", (long)t.p.runs);
    ok(!kcom_platform_timer_cancel(&t.timer), "again: FALSE\n");

    /* running: the callback under way (held in it): FALSE, and it runs to its end once */
    timer_init(&t);
    t.hold = 1;
    ok(timer_arm_in(&t, 0) == STATUS_SUCCESS, "armed, due now\n");
    ok(wait_at_least(&t.entered, 1), "the callback is running\n");
    ok(!kcom_platform_timer_cancel(&t.timer), "running: FALSE\n");
    kcom_atomic_store(&t.release, 1);
    ok(wait_at_least(&t.p.runs, 1), "it ended\n");
    kcom_platform_dpc_flush();
    ok(kcom_atomic_load(&t.p.runs) == 1 && t.p.wrong == 0, "once: %ld\n", (long)t.p.runs);

    /* fired */
    ok(!kcom_platform_timer_cancel(&t.timer), "fired: FALSE\n");
    ok(kcom_atomic_load(&t.p.runs) == 1, "still once\n");
}

/* A cancel racing the expiry, many times: the callback runs exactly when the cancel said FALSE. */
static void timer_cancel_races(void)
{
    timer_probe t;
    int i, fired = 0, canceled = 0, wrong = 0;
    for (i = 0; i < 300; i++) {
        BOOLEAN cancel_won;
        timer_init(&t);
        (void)timer_arm_in(&t, (ULONG)(i % 2));
        if (i % 3 == 0)
            test_yield();
        cancel_won = kcom_platform_timer_cancel(&t.timer);
        kcom_platform_dpc_flush(); /* if its DPC was queued, it has run now */
        if (!cancel_won && !wait_at_least(&t.p.runs, 1))
            wrong++;
        if (kcom_atomic_load(&t.p.runs) != (cancel_won ? 0 : 1))
            wrong++;
        fired += !cancel_won;
        canceled += cancel_won;
    }
    ok(wrong == 0, "the callback ran exactly when cancel returned FALSE (%d wrong; %d canceled, %d fired)\n", wrong,
       canceled, fired);
}

/* ---- stop and restart ---------------------------------------------------------------------------------- */

static void uninitialize_restarts(void)
{
    static int device;
    kcom_platform_work_item *item;
    kcom_platform_dpc dpc;
    timer_probe t;
    work_probe w;
    probe p;
    int cycle;

    ok(kcom_sim_set_processor_count(0) == STATUS_INVALID_PARAMETER, "0 processors refused\n");
    ok(kcom_sim_set_processor_count(KCOM_SIM_MAX_PROCESSORS + 1) == STATUS_INVALID_PARAMETER, "too many refused\n");
    ok(kcom_sim_thread_count() > 0, "the earlier tests left the simulation running\n");
    ok(kcom_sim_set_processor_count(2) == STATUS_INVALID_DEVICE_STATE, "no change while it runs\n");
    kcom_uninitialize();

    for (cycle = 0; cycle < 3; cycle++) {
        ULONG cpus = cycle == 1 ? 3u : 2u;
        ok(kcom_initialize() == STATUS_SUCCESS, "initialize\n");
        ok(kcom_sim_set_processor_count(cpus) == STATUS_SUCCESS, "%lu processors\n", (unsigned long)cpus);
        ok(kcom_platform_processor_count() == cpus, "count %lu\n", (unsigned long)kcom_platform_processor_count());

        probe_init(&p);
        p.dpc = &dpc;
        kcom_platform_dpc_init(&dpc, probe_dpc, &p);
        ok(kcom_platform_dpc_insert(&dpc), "inserted\n");
        ok(wait_at_least(&p.runs, 1), "ran\n");
        ok(p.processor >= 0 && p.processor < (LONG)cpus, "on processor %ld\n", (long)p.processor);
        ok(kcom_sim_set_processor_count(4) == STATUS_INVALID_DEVICE_STATE, "no change while they run\n");

        probe_init(&w.p);
        w.requeues = 0;
        item = kcom_platform_work_item_allocate(&device);
        ok(item != NULL, "work item\n");
        if (item == NULL)
            return;
        w.item = item;
        kcom_platform_work_item_queue(item, work_routine, &w);
        ok(wait_at_least(&w.p.runs, 1), "work item ran\n");

        timer_init(&t);
        ok(timer_arm_in(&t, 0) == STATUS_SUCCESS, "timer armed\n");
        ok(wait_at_least(&t.p.runs, 1), "timer fired\n");
        ok(kcom_sim_thread_count() == cpus + 3, "threads: %lu processors, 2 workers, the timer's: %lu\n",
           (unsigned long)cpus, (unsigned long)kcom_sim_thread_count());

        /* queued work (held) runs before the threads end */
        kcom_sim_hold_dpcs(TRUE);
        kcom_sim_hold_work_items(TRUE);
        ok(kcom_platform_dpc_insert(&dpc), "inserted, held\n");
        kcom_platform_work_item_queue(item, work_routine, &w);
        kcom_uninitialize();
        ok(kcom_atomic_load(&p.runs) == 2, "the held DPC ran before the stop: %ld\n", (long)p.runs);
        ok(kcom_atomic_load(&w.p.runs) == 2, "the held work item ran before the stop: %ld\n", (long)w.p.runs);
        ok(kcom_sim_thread_count() == 0, "no thread left: %lu\n", (unsigned long)kcom_sim_thread_count());
        ok(kcom_sim_dpcs_queued() == 0 && kcom_sim_work_items_queued() == 0, "nothing queued\n");
        kcom_platform_work_item_free(item);
    }
    ok(kcom_sim_set_processor_count(2) == STATUS_SUCCESS, "back to two processors\n");
}

/* ---- misuse: fails fast, in a forked child ---------------------------------------------------------------- */

/* Waits in the child for a simulated processor's fail-fast (the process dies meanwhile). */
static void child_wait_for_the_end(void)
{
    ULONG64 deadline = test_now_ms() + WAIT_MS;
    while (test_now_ms() < deadline)
        test_sleep_ms(1);
}

static void no_work(void *context)
{
    (void)context;
}

static void misuse_requeue_queued_item(void)
{
    static int device;
    kcom_platform_work_item *item = kcom_platform_work_item_allocate(&device);
    kcom_sim_hold_work_items(TRUE);
    kcom_platform_work_item_queue(item, no_work, NULL);
    kcom_platform_work_item_queue(item, no_work, NULL);
}

static void misuse_free_queued_item(void)
{
    static int device;
    kcom_platform_work_item *item = kcom_platform_work_item_allocate(&device);
    kcom_sim_hold_work_items(TRUE);
    kcom_platform_work_item_queue(item, no_work, NULL);
    kcom_platform_work_item_free(item);
}

static void misuse_event_wait_at_dispatch(void)
{
    kcom_platform_event *event = kcom_platform_event_create();
    (void)kcom_platform_raise_to_dispatch();
    (void)kcom_platform_event_wait(event, 10);
}

static void misuse_lower_to_higher(void)
{
    kcom_platform_lower_irql(KCOM_PLATFORM_DISPATCH_LEVEL);
}

static void misuse_recursive_spin_lock(void)
{
    static kcom_platform_spin_lock lock;
    kcom_platform_spin_lock_init(&lock);
    (void)kcom_platform_spin_lock_acquire(&lock);
    (void)kcom_platform_spin_lock_acquire(&lock);
}

static void misuse_flush_at_dispatch(void)
{
    (void)kcom_platform_raise_to_dispatch();
    kcom_platform_dpc_flush();
}

static void lowering_dpc(kcom_platform_dpc *dpc, void *context)
{
    (void)dpc;
    (void)context;
    kcom_platform_lower_irql(KCOM_PLATFORM_PASSIVE_LEVEL);
}

static void misuse_lower_in_dpc(void)
{
    static kcom_platform_dpc dpc;
    kcom_platform_dpc_init(&dpc, lowering_dpc, NULL);
    (void)kcom_platform_dpc_insert(&dpc);
    child_wait_for_the_end();
}

static kcom_platform_spin_lock leaked_lock;

static void locking_dpc(kcom_platform_dpc *dpc, void *context)
{
    (void)dpc;
    (void)context;
    (void)kcom_platform_spin_lock_acquire(&leaked_lock);
}

static void misuse_dpc_returns_with_lock(void)
{
    static kcom_platform_dpc dpc;
    kcom_platform_spin_lock_init(&leaked_lock);
    kcom_platform_dpc_init(&dpc, locking_dpc, NULL);
    (void)kcom_platform_dpc_insert(&dpc);
    child_wait_for_the_end();
}

static void sleeping_dpc(kcom_platform_dpc *dpc, void *context)
{
    (void)dpc;
    (void)context;
    kcom_platform_sleep_ms(1);
}

static void misuse_sleep_in_dpc(void)
{
    static kcom_platform_dpc dpc;
    kcom_platform_dpc_init(&dpc, sleeping_dpc, NULL);
    (void)kcom_platform_dpc_insert(&dpc);
    child_wait_for_the_end();
}

static void misuse_uninitialize_with_armed_timer(void)
{
    static timer_probe t;
    timer_init(&t);
    (void)timer_arm_in(&t, 60000);
    kcom_uninitialize();
}

static void misuse_arm_armed_timer(void)
{
    static timer_probe t;
    timer_init(&t);
    (void)timer_arm_in(&t, 60000);
    (void)timer_arm_in(&t, 60000);
}

/* Not misuse: KCOM_SIM_CPUS chooses the processor count (no hook called in the child). */
static void env_processor_count(void)
{
    kcom_platform_dpc dpc;
    probe p;
    setenv("KCOM_SIM_CPUS", "3", 1);
    if (kcom_platform_processor_count() != 3 || kcom_sim_processor_count() != 3)
        _exit(10);
    probe_init(&p);
    p.dpc = &dpc;
    kcom_platform_dpc_init(&dpc, probe_dpc, &p);
    (void)kcom_platform_dpc_insert(&dpc);
    kcom_platform_dpc_flush();
    if (p.runs != 1 || kcom_sim_thread_count() != 3)
        _exit(11);
    kcom_uninitialize();
    if (kcom_sim_thread_count() != 0)
        _exit(12);
}

/* Not misuse: a KCOM_SIM_CPUS that is no count is traced once, and the default count used. */
static LONG env_warnings;

static void count_env_warnings(void *context, kcom_trace_level level, const char *file, int line, const char *format,
                               va_list args)
{
    (void)context;
    (void)level;
    (void)file;
    (void)line;
    (void)args;
    if (strstr(format, "KCOM_SIM_CPUS") != NULL)
        env_warnings++;
}

static void env_processor_count_invalid(void)
{
    kcom_platform_dpc dpc;
    probe p;
    setenv("KCOM_SIM_CPUS", "abc", 1);
    kcom_set_trace_hook(count_env_warnings, NULL);
    probe_init(&p);
    p.dpc = &dpc;
    kcom_platform_dpc_init(&dpc, probe_dpc, &p);
    (void)kcom_platform_dpc_insert(&dpc);
    kcom_platform_dpc_flush();
    if (p.runs != 1 || kcom_platform_processor_count() != 2 || kcom_sim_thread_count() == 0)
        _exit(10);
    kcom_uninitialize();
    (void)kcom_platform_processor_count();
    if (env_warnings != 1)
        _exit(20 + (int)(env_warnings < 9 ? env_warnings : 9));
}

/* Not misuse either: a program that exits without kcom_uninitialize while a DPC and a work item
 * queue themselves again from their routines (an executor's lanes do, each time their budget is
 * spent). The simulation's threads end after the routine under way, leaving what is queued:
 * what is queued may use memory the program has freed by then. exit() runs the simulation's
 * atexit handler, which must neither wait for the queues to empty nor leave a thread running. */
static kcom_platform_dpc endless_dpc;
static kcom_platform_work_item *endless_item;

static void endless_dpc_routine(kcom_platform_dpc *dpc, void *context)
{
    (void)context;
    (void)kcom_platform_dpc_insert(dpc);
}

static void endless_work(void *context)
{
    (void)context;
    kcom_platform_work_item_queue(endless_item, endless_work, NULL);
}

static void exit_with_routines_requeueing(void)
{
    static int device;
    kcom_platform_dpc_init(&endless_dpc, endless_dpc_routine, NULL);
    (void)kcom_platform_dpc_insert(&endless_dpc);
    endless_item = kcom_platform_work_item_allocate(&device);
    if (endless_item == NULL)
        _exit(10);
    kcom_platform_work_item_queue(endless_item, endless_work, NULL);
    kcom_platform_sleep_ms(20);
    exit(0);
}

typedef struct scenario {
    const char *name;
    void (*run)(void);
    const char *text; /* what the child traces before it dies of SIGABRT; NULL: it exits with 0 */
} scenario;

static const scenario scenarios[] = {
    {"KCOM_SIM_CPUS", env_processor_count, NULL},
    {"KCOM_SIM_CPUS not a count", env_processor_count_invalid, NULL},
    {"exit with routines queueing themselves again", exit_with_routines_requeueing, NULL},
    {"work item queued twice", misuse_requeue_queued_item, "queued again while queued"},
    {"work item freed while queued", misuse_free_queued_item, "work item freed while queued"},
    {"event wait at DISPATCH_LEVEL", misuse_event_wait_at_dispatch, "event wait at DISPATCH_LEVEL"},
    {"lowering to a higher IRQL", misuse_lower_to_higher, "KeLowerIrql to a higher IRQL"},
    {"spin lock taken twice", misuse_recursive_spin_lock, "acquired again by the thread that holds it"},
    {"flush at DISPATCH_LEVEL", misuse_flush_at_dispatch, "KeFlushQueuedDpcs above PASSIVE_LEVEL"},
    {"IRQL lowered in a DPC routine", misuse_lower_in_dpc, "inside a DPC routine"},
    {"DPC routine returning with a lock", misuse_dpc_returns_with_lock, "returned with a spin lock held"},
    {"sleep in a DPC routine", misuse_sleep_in_dpc, "sleep at DISPATCH_LEVEL"},
    {"uninitialize with an armed timer", misuse_uninitialize_with_armed_timer, "timer still armed"},
    {"timer armed twice", misuse_arm_armed_timer, "timer armed while it is armed"},
};

static void run_in_child(const void *context)
{
    const scenario *s = (const scenario *)context;
    kcom_set_trace_hook(kcom_test_child_trace_hook, NULL);
    s->run();
    _exit(s->text != NULL ? 99 : 0);
}

static void run_scenario(const scenario *s)
{
    char output[4096];
    int status;

    if (!kcom_test_run_child(s->name, run_in_child, s, output, sizeof(output), &status))
        return;
    if (s->text != NULL) {
        ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "%s: the child %s %d, expected SIGABRT\nits trace: %s\n",
           s->name, kcom_test_child_end(status), kcom_test_child_code(status), output);
        ok(strstr(output, "kernel simulation") != NULL && strstr(output, s->text) != NULL &&
               strstr(output, "fail-fast") != NULL,
           "%s: the child did not trace \"%s\"; it traced: %s\n", s->name, s->text, output);
    } else {
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the child %s %d\nits trace: %s\n", s->name,
           kcom_test_child_end(status), kcom_test_child_code(status), output);
        ok(strstr(output, "still runs at exit") == NULL, "%s: the child's threads outlived its exit: %s\n", s->name,
           output);
    }
}

static void misuse_fails_fast(void)
{
    size_t i;
    /* fork from a process without the simulation's threads: the child starts its own */
    kcom_uninitialize();
    ok(kcom_sim_thread_count() == 0, "no thread of the simulation before the forks\n");
    for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        run_scenario(&scenarios[i]);
}

int main(void)
{
    static const char *const names[] = {"misuse_fails_fast", "irql_and_spin_locks", "spin_lock_excludes",
                                        "dpc_runs_at_dispatch", "dpc_reinserted", "dpc_flush_waits",
                                        "dpcs_concurrent", "dpcs_from_a_raised_thread", "work_items",
                                        "work_items_one_processor", "work_items_every_worker_waiting",
                                        "deadline_queue_order", "deadline_queue_scale", "timers_fire_in_a_dpc", "timer_cancel_states",
                                        "timer_cancel_races", "uninitialize_restarts"};
    static void (*const tests[])(void) = {misuse_fails_fast, irql_and_spin_locks, spin_lock_excludes,
                                          dpc_runs_at_dispatch, dpc_reinserted_from_its_routine, dpc_flush_waits,
                                          dpcs_run_concurrently, dpcs_from_a_raised_thread, work_items,
                                          work_items_one_processor, work_items_every_worker_waiting,
                                          deadline_queue_order, deadline_queue_scale, timers_fire_in_a_dpc, timer_cancel_states,
                                          timer_cancel_races, uninitialize_restarts};
    int result;
    test_thread_id = pthread_self();
    /* the forks first, while the process has no other thread; then two processors whatever
     * KCOM_SIM_CPUS says (the concurrency tests need two) */
    kcom_test_run(names[0], tests[0]);
    if (kcom_sim_set_processor_count(2) != STATUS_SUCCESS)
        return 1;
    result = async_test_main(names + 1, tests + 1, (int)(sizeof(tests) / sizeof(tests[0])) - 1);
    kcom_uninitialize(); /* valgrind sees every thread joined */
    return result;
}
