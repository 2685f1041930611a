/*
 * The host's simulation of the kernel's scheduling primitives (platform.h, "the kernel's
 * scheduling primitives"), so that the kernel executors run unchanged on the host and are tested
 * there. A library of its own (kcom_kernel_sim, with the kernel executors): a program that links it
 * and uses it gets DPCs, work items and KTIMER timers; one that does not runs on plain threads.
 * kernel_sim_internal.h has an overview, kcom/kernel_sim.h the test hooks; kernel_sim_timer.c
 * builds KTIMER + KDPC timers on the DPCs here.
 *
 * IRQL: the host's thread-local simulated IRQL and its spin locks (../irql_posix.c). DPC routines
 * run at DISPATCH_LEVEL; work items at PASSIVE_LEVEL. A raised thread other than a simulated
 * processor's inserts its DPCs on one processor (below), but does not keep that processor from
 * running them (the kernel would: a simplification that only adds interleavings). What the kernel
 * would bugcheck for fails fast: lowering below DISPATCH_LEVEL inside a DPC routine, a DPC routine
 * returning with a spin lock held or at another IRQL, a work item routine returning above
 * PASSIVE_LEVEL, a work item queued again before its routine was entered, ...
 *
 * DPCs: N simulated processors (2, or KCOM_SIM_CPUS, or kcom_sim_set_processor_count), each a FIFO
 * queue and a thread that services it, started at the first insert. A targeted DPC
 * (kcom_platform_dpc_set_target) goes to its target (modulo the count); any other insert goes to
 * the current processor: a processor's own queue from its thread (a DPC routine inserting); from any other
 * thread at DISPATCH_LEVEL, one processor picked round-robin at its first need and kept until
 * the thread lowers below DISPATCH_LEVEL (the processor a raised thread cannot leave, which its
 * processor number names too); from any
 * other thread below DISPATCH_LEVEL, the next processor round-robin (a passive thread migrates
 * freely, and consecutive inserts spread over the processors, which exposes the most
 * concurrency). A processor dequeues a DPC (it is then not queued: it may be inserted again, and
 * run again on another processor while this run is under way) before it calls the routine, and
 * never touches the DPC again after the call. Each insert takes a per-processor sequence number;
 * a flush waits until every processor's queue head and the routine it runs (if any) are at or
 * past the processor's next sequence number at the time of the call, so it waits for exactly the
 * DPCs queued before it. A DPC removed from its queue (KeRemoveQueueDpc, for timer cancels) takes
 * its sequence number with it.
 *
 * Work items: a FIFO run by worker threads, two started at the first queue and one more whenever
 * the others are all inside routines (worker_main). The item is taken off
 * the queue (not queued any more) before its routine is entered, and never touched after the
 * routine returns (as IopProcessWorkItem): the routine may queue it again, and then another
 * worker may run it concurrently.
 *
 * Locks: each simulated processor's own (its queue, its sequence numbers, its doorbell), taken by
 * an insert on it and by its thread, so that processors do not contend with each other, as the
 * kernel's per-processor DPC queues do not; and kcom_sim_mutex, for the rest (starting and
 * stopping the threads, the work queue, the timer list, the flushes' waits). The order is
 * kcom_sim_mutex, then a processor's. No routine runs under either. kcom_uninitialize
 * (sim_uninitialize) lets queued DPCs and work items run, then ends and joins every thread of
 * the simulation (an armed timer then is a bug: it fails fast); the next use starts them again. A
 * program that never calls kcom_uninitialize has its threads ended and joined at exit (atexit),
 * without running what is still queued.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* syscall */

#include "kernel_sim_internal.h"

#include "internal.h"

#include <kcom/atomic.h>

#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

kcom_platform_mutex kcom_sim_mutex;

#define SIM_DEFAULT_PROCESSORS 2
#define SIM_WORKERS 2
#define SIM_WORKERS_MAX 128 /* the most worker threads a stalled queue grows to (worker_main) */

/* ---- the calling thread ------------------------------------------------------------------------------- */

UCHAR kcom_sim_raise_irql(UCHAR irql)
{
    return kcom_posix_raise_irql(irql);
}

void kcom_sim_lower_irql(UCHAR irql)
{
    kcom_platform_lower_irql(irql);
}

ULONG64 kcom_platform_monotonic_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (ULONG64)now.tv_sec * 1000000u + (ULONG64)now.tv_nsec / 1000u;
}

/* ---- the simulation's state ------------------------------------------------------------------------------ */

/* may_alias: the storage is declared as an array of ULONG64. All zeros is a DPC that is not queued
 * (what kcom_platform_dpc_init makes, with its routine). */
typedef struct __attribute__((may_alias)) sim_dpc {
    struct sim_dpc *next; /* in its processor's queue */
    struct sim_dpc *prev;
    kcom_platform_dpc_fn *routine;
    void *context;
    ULONG64 sequence;        /* its processor's sequence number for this insert */
    LONG volatile queued_on; /* 1 + the processor whose queue holds it; 0: not queued. Set from 0
                              * under that processor's lock, cleared under it when it leaves */
    LONG target;             /* 1 + the processor it is targeted at (KeSetTargetProcessorDpcEx); 0: none */
} sim_dpc;

KCOM_STATIC_ASSERT(sizeof(sim_dpc) <= sizeof(kcom_platform_dpc) &&
                       KCOM_ALIGNOF(sim_dpc) <= KCOM_ALIGNOF(kcom_platform_dpc),
                   "kcom_platform_dpc must hold a sim_dpc");

static KCOM_FORCEINLINE sim_dpc *as_dpc(kcom_platform_dpc *dpc)
{
    return (sim_dpc *)(void *)dpc->opaque;
}

/* A cache line or more each: an insert on one processor does not touch another's lines. */
typedef struct __attribute__((aligned(64))) sim_processor {
    kcom_platform_mutex lock; /* the fields below but thread and the counters */
    pthread_t thread;
    /* rung (the lock held) when a DPC is queued, the hold is released, or stopping, if the
     * processor sleeps: a futex word the idle processor sleeps on */
    LONG volatile doorbell;
    BOOLEAN sleeping;
    sim_dpc *head;       /* FIFO: sequence numbers increase from head to tail */
    sim_dpc *tail;
    ULONG queued;
    ULONG64 next_sequence;    /* the next insert's */
    ULONG64 running_sequence; /* the routine under way's; 0: none */
    LONG64 volatile inserts;  /* kcom_sim_dpc_inserts' share: inserts that chose this processor */
    LONG64 volatile runs;     /* kcom_sim_dpc_runs' share */
} sim_processor;

struct kcom_platform_work_item {
    kcom_platform_work_item *next; /* in the work queue */
    void *device;
    kcom_platform_work_fn *routine;
    void *context;
    BOOLEAN queued; /* and not yet entered */
};

/* Under kcom_sim_mutex, but the fields the processors read without it (atomic). */
static struct {
    kcom_platform_cond progress; /* a routine ended, or a DPC was removed: flushes and shut-down wait */
    LONG volatile progress_waiters; /* threads waiting on it; a processor takes kcom_sim_mutex to
                                     * signal only when there is one */
    kcom_platform_cond work;     /* a work item queued, the hold released, or stopping */
    ULONG requested_processors; /* kcom_sim_set_processor_count; 0: KCOM_SIM_CPUS or the default */
    BOOLEAN env_count_traced;   /* a KCOM_SIM_CPUS that is no count was traced (once a process) */
    LONG volatile processor_count; /* simulated CPU threads running; 0: not started (atomic) */
    LONG volatile round_robin;     /* atomic */
    LONG volatile stopping;     /* sim_uninitialize is ending the threads (atomic) */
    LONG volatile exiting;      /* the program is exiting: what is queued stays there (atomic) */
    BOOLEAN exit_handler;       /* sim_at_exit is registered */
    ULONG ended;                /* processor and worker threads that have left their loop */
    LONG volatile dpcs_held;    /* atomic */
    BOOLEAN work_held;
    ULONG worker_count;         /* worker threads running */
    pthread_t workers[SIM_WORKERS_MAX];
    kcom_platform_work_item *work_head;
    kcom_platform_work_item *work_tail;
    ULONG work_queued;
    ULONG work_running;
    ULONG64 work_taken;         /* items whose routine was entered */
    ULONG work_watchers;        /* idle workers watching a limit that holds items back */
    ULONG work_concurrency;     /* the worker queue's: the processor count (set with the workers) */
    ULONG64 work_queues;        /* kcom_sim_work_item_queues */
    LONG64 volatile refused_inserts; /* inserts while the program exits, that chose no processor */
    sim_processor processors[KCOM_SIM_MAX_PROCESSORS];
} sim;

static void sim_lock(void)
{
    kcom_platform_mutex_lock(&kcom_sim_mutex);
}

static void sim_unlock(void)
{
    kcom_platform_mutex_unlock(&kcom_sim_mutex);
}

static ULONG processor_count(void)
{
    return (ULONG)kcom_atomic_load(&sim.processor_count);
}

/* Tells the flushes and the shut-down that something ended (kcom_sim_mutex held). */
static void progress_locked(void)
{
    kcom_platform_cond_broadcast(&sim.progress);
}

/* The same from a thread that holds no lock: kcom_sim_mutex is taken only when someone waits. A
 * waiter counts itself (progress_wait_begin_locked) before it looks at the state under the
 * processors' locks, and this is called after a change made under one: either the waiter sees the
 * change, or this sees the waiter and signals under kcom_sim_mutex, which the waiter holds until
 * it sleeps. */
static void progress(void)
{
    if (kcom_atomic_load(&sim.progress_waiters) != 0) {
        sim_lock();
        progress_locked();
        sim_unlock();
    }
}

/* Waits, around a loop that tests a condition and calls progress_wait_locked until it holds
 * (kcom_sim_mutex held throughout but while sleeping). */
static void progress_wait_begin_locked(void)
{
    kcom_atomic_fetch_add(&sim.progress_waiters, 1);
}

static void progress_wait_locked(void)
{
    kcom_platform_cond_wait(&sim.progress, &kcom_sim_mutex, 0xFFFFFFFFUL);
}

static void progress_wait_end_locked(void)
{
    kcom_atomic_fetch_add(&sim.progress_waiters, -1);
}

BOOLEAN kcom_sim_stopping_locked(void)
{
    return (BOOLEAN)(kcom_atomic_load(&sim.stopping) != 0);
}

/* The count the processors start with. */
static ULONG configured_processors_locked(void)
{
    const char *text;
    if (sim.requested_processors != 0)
        return sim.requested_processors;
    text = getenv("KCOM_SIM_CPUS");
    if (text != NULL && *text != '\0') {
        char *end;
        unsigned long count = strtoul(text, &end, 10);
        if (*end == '\0' && count >= 1 && count <= KCOM_SIM_MAX_PROCESSORS)
            return (ULONG)count;
        if (sim.env_count_traced)
            return SIM_DEFAULT_PROCESSORS;
        sim.env_count_traced = TRUE;
        kcom_trace_unfiltered(KCOM_TRACE_LEVEL_WARNING, __FILE__, __LINE__,
                              "kernel simulation: KCOM_SIM_CPUS=%s is not a count from 1 to %d; using %d", text,
                              KCOM_SIM_MAX_PROCESSORS, SIM_DEFAULT_PROCESSORS);
    }
    return SIM_DEFAULT_PROCESSORS;
}

static ULONG next_processor(ULONG count)
{
    return (ULONG)kcom_atomic_fetch_add(&sim.round_robin, 1) % count;
}

/* ---- DPCs ---------------------------------------------------------------------------------------------- */

/* With p's lock held: d leaves p's queue (and may be inserted again at once). */
static void unlink_dpc_locked(sim_processor *p, sim_dpc *d)
{
    if (d->prev != NULL)
        d->prev->next = d->next;
    else
        p->head = d->next;
    if (d->next != NULL)
        d->next->prev = d->prev;
    else
        p->tail = d->prev;
    d->next = d->prev = NULL;
    p->queued--;
    kcom_atomic_store(&d->queued_on, 0);
}

/* With p's lock held: TRUE when p's thread sleeps, and then ring_wake must wake it once the lock
 * is released (so that it does not wake only to wait for the lock). p's thread looks at its queue
 * and the flags under the lock before it sleeps, so one that does not sleep sees what changed
 * before the lock was taken. */
static BOOLEAN ring_locked(sim_processor *p)
{
    if (!p->sleeping)
        return FALSE;
    p->sleeping = FALSE; /* one wake is enough */
    kcom_atomic_fetch_add(&p->doorbell, 1); /* its wait returns at once if it has not slept yet */
    return TRUE;
}

/* The processors' storage is static: a late wake reaches a word that is still there. */
static void ring_wake(sim_processor *p)
{
    (void)syscall(SYS_futex, &p->doorbell, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void ring(sim_processor *p)
{
    BOOLEAN wake;
    kcom_platform_mutex_lock(&p->lock);
    wake = ring_locked(p);
    kcom_platform_mutex_unlock(&p->lock);
    if (wake)
        ring_wake(p);
}

/* With p's lock held; returns with it held, after a ring (or spuriously). */
static void sleep_locked(sim_processor *p)
{
    LONG seen = kcom_atomic_load(&p->doorbell);
    p->sleeping = TRUE;
    kcom_platform_mutex_unlock(&p->lock);
    (void)syscall(SYS_futex, &p->doorbell, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0); /* returns at once if rung since */
    kcom_platform_mutex_lock(&p->lock);
    p->sleeping = FALSE; /* woken spuriously, or by a signal */
}

static void *processor_main(void *argument)
{
    sim_processor *p = (sim_processor *)argument;
    kcom_posix_thread.processor = (LONG)(p - sim.processors);
    kcom_posix_thread.sim_thread = TRUE;
    kcom_platform_mutex_lock(&p->lock);
    for (;;) {
        sim_dpc *d = p->head;
        /* at exit, what is queued stays queued (sim_at_exit): a routine that queues itself again
         * would otherwise keep the thread running while the program's memory goes */
        if (kcom_atomic_load(&sim.exiting) != 0 || (d == NULL && kcom_atomic_load(&sim.stopping) != 0)) {
            break;
        } else if (d != NULL && kcom_atomic_load(&sim.dpcs_held) == 0) {
            kcom_platform_dpc_fn *routine = d->routine;
            void *context = d->context;
            p->running_sequence = d->sequence;
            /* dequeued before the call: the routine, or anyone, may insert it again */
            unlink_dpc_locked(p, d);
            kcom_atomic_fetch_add64(&p->runs, 1);
            kcom_platform_mutex_unlock(&p->lock);
            kcom_posix_thread.irql = KCOM_PLATFORM_DISPATCH_LEVEL;
            kcom_posix_thread.in_dpc = TRUE;
            routine((kcom_platform_dpc *)(void *)d, context); /* d is never touched again: it may be gone */
            if (kcom_posix_thread.spin_locks != 0)
                KCOM_POSIX_VIOLATION(context, "DPC routine returned with a spin lock held");
            if (kcom_posix_thread.irql != KCOM_PLATFORM_DISPATCH_LEVEL)
                KCOM_POSIX_VIOLATION(context, "DPC routine returned at another IRQL");
            kcom_posix_thread.in_dpc = FALSE;
            kcom_posix_thread.irql = KCOM_PLATFORM_PASSIVE_LEVEL;
            kcom_platform_mutex_lock(&p->lock);
            p->running_sequence = 0;
            if (kcom_atomic_load(&sim.progress_waiters) != 0) {
                kcom_platform_mutex_unlock(&p->lock); /* kcom_sim_mutex comes first */
                progress();
                kcom_platform_mutex_lock(&p->lock);
            }
        } else {
            sleep_locked(p);
        }
    }
    kcom_platform_mutex_unlock(&p->lock);
    sim_lock();
    sim.ended++;
    progress_locked();
    sim_unlock();
    return NULL;
}

static void start_processors_locked(void)
{
    ULONG count = configured_processors_locked(), i;
    kcom_sim_thread_starting_locked();
    for (i = 0; i < count; i++) {
        sim_processor *p = &sim.processors[i];
        p->head = p->tail = NULL;
        p->queued = 0;
        p->next_sequence = 1;
        p->running_sequence = 0;
        p->doorbell = 0;
        p->sleeping = FALSE;
    }
    /* published before the threads start: an insert that reads the count finds its processor ready */
    kcom_atomic_store(&sim.processor_count, (LONG)count);
    for (i = 0; i < count; i++)
        if (pthread_create(&sim.processors[i].thread, NULL, processor_main, &sim.processors[i]) != 0)
            KCOM_POSIX_VIOLATION(NULL, "a simulated processor's thread could not be started");
}

void kcom_platform_dpc_init(kcom_platform_dpc *dpc, kcom_platform_dpc_fn *routine, void *context)
{
    sim_dpc *d = as_dpc(dpc);
    d->next = d->prev = NULL;
    d->routine = routine;
    d->context = context;
    d->sequence = 0;
    d->queued_on = 0;
    d->target = 0;
}

BOOLEAN kcom_platform_dpc_set_target(kcom_platform_dpc *dpc, ULONG processor)
{
    if (processor >= KCOM_SIM_MAX_PROCESSORS)
        return FALSE;
    as_dpc(dpc)->target = (LONG)processor + 1;
    return TRUE;
}

/* The numbers of the threads that are not simulated processors are 2^31 and up, so that they never
 * name a processor as the one the caller runs on (such a thread, even raised, is not inside a DPC
 * run): a thread at DISPATCH_LEVEL keeps one until it lowers (the processor it cannot leave,
 * where its untargeted DPCs go too: raised_processor); a work item worker's is fixed otherwise
 * (2^31 + its index: as a system worker thread mostly stays on its processor); any other
 * thread's moves round-robin, so that its consecutive calls spread over the processors once
 * reduced modulo their count. */
static LONG volatile current_processor_hint;

static ULONG next_hint(void)
{
    return (ULONG)kcom_atomic_fetch_add(&current_processor_hint, 1) & 0x7FFFFFFFu;
}

/* The raised thread's processor number, chosen at its first need. */
static ULONG raised_processor(void)
{
    if (kcom_posix_thread.raised_processor < 0)
        kcom_posix_thread.raised_processor = (LONG)next_hint();
    return (ULONG)kcom_posix_thread.raised_processor;
}

ULONG kcom_platform_current_processor(void)
{
    if (kcom_posix_thread.processor >= 0)
        return (ULONG)kcom_posix_thread.processor;
    if (kcom_posix_thread.irql >= KCOM_PLATFORM_DISPATCH_LEVEL)
        return 0x80000000u | raised_processor();
    if (kcom_posix_thread.worker >= 0)
        return 0x80000000u | (ULONG)kcom_posix_thread.worker;
    return 0x80000000u | next_hint();
}

void *kcom_platform_current_thread(void)
{
    return &kcom_posix_thread; /* thread-local: its address is the thread's while it exists */
}

/* The processors an insert may use, with kcom_sim_mutex held: started at the first insert; 0 when
 * the program exits (nothing runs any more). */
static ULONG insert_processors_locked(const kcom_platform_dpc *dpc)
{
    if (kcom_atomic_load(&sim.stopping) != 0)
        KCOM_POSIX_VIOLATION(dpc, "DPC inserted while kcom_uninitialize stops the simulation");
    if (processor_count() == 0) {
        if (kcom_atomic_load(&sim.exiting) != 0) {
            kcom_atomic_fetch_add64(&sim.refused_inserts, 1);
            return 0;
        }
        start_processors_locked();
    }
    return processor_count();
}

/* Queues d on the processor it goes to, of count running. */
static BOOLEAN insert_on(sim_dpc *d, ULONG count)
{
    sim_processor *p;
    ULONG index;
    BOOLEAN wake;
    if (d->target != 0) {
        index = (ULONG)(d->target - 1) % count; /* its target processor */
    } else if (kcom_posix_thread.processor >= 0) {
        index = (ULONG)kcom_posix_thread.processor; /* a DPC routine: its own processor */
    } else if (kcom_posix_thread.irql >= KCOM_PLATFORM_DISPATCH_LEVEL) {
        index = raised_processor() % count; /* the one its processor number names */
    } else {
        index = next_processor(count);
    }
    p = &sim.processors[index];
    kcom_platform_mutex_lock(&p->lock);
    kcom_atomic_fetch_add64(&p->inserts, 1);
    /* claimed under p's lock: whoever finds it queued on p and takes p's lock finds it linked */
    if (kcom_atomic_compare_exchange(&d->queued_on, 0, (LONG)index + 1) != 0) {
        kcom_platform_mutex_unlock(&p->lock);
        return FALSE; /* the queued run is still to come */
    }
    d->sequence = p->next_sequence++;
    d->next = NULL;
    d->prev = p->tail;
    if (p->tail != NULL)
        p->tail->next = d;
    else
        p->head = d;
    p->tail = d;
    p->queued++;
    wake = ring_locked(p);
    kcom_platform_mutex_unlock(&p->lock);
    if (wake)
        ring_wake(p);
    return TRUE;
}

BOOLEAN kcom_sim_dpc_insert_locked(kcom_platform_dpc *dpc)
{
    ULONG count = insert_processors_locked(dpc);
    return count != 0 ? insert_on(as_dpc(dpc), count) : FALSE;
}

BOOLEAN kcom_sim_dpc_remove_locked(kcom_platform_dpc *dpc)
{
    sim_dpc *d = as_dpc(dpc);
    for (;;) {
        LONG queued_on = kcom_atomic_load(&d->queued_on);
        sim_processor *p;
        if (queued_on == 0)
            return FALSE;
        p = &sim.processors[queued_on - 1];
        kcom_platform_mutex_lock(&p->lock);
        if (kcom_atomic_load(&d->queued_on) == queued_on) {
            unlink_dpc_locked(p, d);
            kcom_platform_mutex_unlock(&p->lock);
            progress_locked(); /* a flush may have waited for it */
            return TRUE;
        }
        kcom_platform_mutex_unlock(&p->lock); /* run meanwhile, and maybe inserted again */
    }
}

BOOLEAN kcom_sim_dpc_queued_locked(const kcom_platform_dpc *dpc)
{
    const sim_dpc *d = (const sim_dpc *)(const void *)dpc->opaque;
    return (BOOLEAN)(kcom_atomic_load((LONG volatile *)&d->queued_on) != 0);
}

BOOLEAN kcom_platform_dpc_insert(kcom_platform_dpc *dpc)
{
    ULONG count = processor_count();
    BOOLEAN inserted;
    if (KCOM_LIKELY(count != 0 && kcom_atomic_load(&sim.stopping) == 0))
        return insert_on(as_dpc(dpc), count);
    sim_lock();
    inserted = kcom_sim_dpc_insert_locked(dpc);
    sim_unlock();
    return inserted;
}

/* Whether every processor is past the sequence numbers it had given out at the flush's call. */
static BOOLEAN flushed_locked(const ULONG64 *next_sequence, ULONG count)
{
    ULONG i;
    for (i = 0; i < count && i < processor_count(); i++) {
        sim_processor *p = &sim.processors[i];
        BOOLEAN behind;
        kcom_platform_mutex_lock(&p->lock);
        behind = (BOOLEAN)((p->head != NULL && p->head->sequence < next_sequence[i]) ||
                           (p->running_sequence != 0 && p->running_sequence < next_sequence[i]));
        kcom_platform_mutex_unlock(&p->lock);
        if (behind)
            return FALSE;
    }
    return TRUE;
}

/* kcom_platform_dpc_flush (kernel_posix.c checks the IRQL). */
static void sim_dpc_flush(void)
{
    ULONG64 next_sequence[KCOM_SIM_MAX_PROCESSORS];
    ULONG count, i;
    sim_lock();
    count = processor_count();
    for (i = 0; i < count; i++) {
        sim_processor *p = &sim.processors[i];
        kcom_platform_mutex_lock(&p->lock);
        next_sequence[i] = p->next_sequence;
        kcom_platform_mutex_unlock(&p->lock);
    }
    progress_wait_begin_locked();
    while (!flushed_locked(next_sequence, count))
        progress_wait_locked();
    progress_wait_end_locked();
    sim_unlock();
}

ULONG kcom_platform_processor_count(void)
{
    ULONG count;
    sim_lock();
    count = processor_count() != 0 ? processor_count() : configured_processors_locked();
    sim_unlock();
    return count;
}

/* ---- work items ------------------------------------------------------------------------------------------ */

/* The system worker threads' queue is a KQUEUE whose concurrency is the processor count: a queued
 * item wakes a waiting worker only while fewer routines than processors run (not counting
 * routines blocked in a wait), and a routine that ends takes the next item on the same thread.
 * The simulation counts every running routine, blocked or not, so an idle worker watches while
 * the limit holds an item back, and runs it anyway once no item was taken for
 * SIM_WORK_STALL_MS, as the kernel's balance set manager adds a worker to a stalled queue; and a
 * worker that takes an item leaving none idle starts another, so that one always watches: routines
 * that wait for another work item cannot deadlock the simulation, however many wait. */
#define SIM_WORK_STALL_MS 100

static void *worker_main(void *index);

/* Starts one more worker (kcom_sim_mutex held), unless the simulation is ending. */
static void add_worker_locked(void)
{
    if (sim.worker_count >= SIM_WORKERS_MAX || kcom_atomic_load(&sim.stopping) != 0 ||
        kcom_atomic_load(&sim.exiting) != 0)
        return;
    if (pthread_create(&sim.workers[sim.worker_count], NULL, worker_main, (void *)(ULONG_PTR)sim.worker_count) != 0)
        KCOM_POSIX_VIOLATION(NULL, "a worker thread could not be started");
    sim.worker_count++;
}

static void *worker_main(void *index)
{
    BOOLEAN stalled = FALSE;
    kcom_posix_thread.sim_thread = TRUE;
    kcom_posix_thread.worker = (LONG)(ULONG_PTR)index;
    sim_lock();
    for (;;) {
        kcom_platform_work_item *item = sim.work_head;
        if (kcom_atomic_load(&sim.exiting) != 0 || (item == NULL && kcom_atomic_load(&sim.stopping) != 0)) {
            break; /* at exit, as a processor does */
        } else if (item != NULL && !sim.work_held && (sim.work_running < sim.work_concurrency || stalled)) {
            kcom_platform_work_fn *routine = item->routine;
            void *context = item->context;
            sim.work_head = item->next;
            if (sim.work_head == NULL)
                sim.work_tail = NULL;
            item->next = NULL;
            item->queued = FALSE; /* entered: it may be queued again */
            sim.work_queued--;
            sim.work_running++;
            sim.work_taken++;
            stalled = FALSE;
            if (sim.work_running == sim.worker_count)
                add_worker_locked(); /* none idle now: one to watch for a stall */
            sim_unlock();
            routine(context); /* item is never touched again (IopProcessWorkItem): it may be gone */
            if (kcom_posix_thread.irql != KCOM_PLATFORM_PASSIVE_LEVEL)
                KCOM_POSIX_VIOLATION(context, "work item routine returned above PASSIVE_LEVEL");
            sim_lock();
            sim.work_running--;
            progress_locked();
        } else if (!sim.work_held && sim.work_running >= sim.work_concurrency) {
            /* the limit holds: watch for a stall (see above) */
            ULONG64 taken = sim.work_taken, start = kcom_platform_monotonic_us();
            sim.work_watchers++;
            kcom_platform_cond_wait(&sim.work, &kcom_sim_mutex, SIM_WORK_STALL_MS);
            sim.work_watchers--;
            stalled = (BOOLEAN)(sim.work_taken == taken && sim.work_head != NULL &&
                                kcom_platform_monotonic_us() - start >= SIM_WORK_STALL_MS * 1000u);
        } else {
            kcom_platform_cond_wait(&sim.work, &kcom_sim_mutex, 0xFFFFFFFFUL);
        }
    }
    sim.ended++;
    progress_locked();
    sim_unlock();
    return NULL;
}

kcom_platform_work_item *kcom_platform_work_item_allocate(void *device)
{
    kcom_platform_work_item *item;
    if (device == NULL)
        KCOM_POSIX_VIOLATION(NULL, "IoAllocateWorkItem without a device object");
    item = (kcom_platform_work_item *)malloc(sizeof(*item));
    if (item == NULL)
        return NULL;
    item->next = NULL;
    item->device = device;
    item->routine = NULL;
    item->context = NULL;
    item->queued = FALSE;
    return item;
}

void kcom_platform_work_item_queue(kcom_platform_work_item *item, kcom_platform_work_fn *routine, void *context)
{
    ULONG i;
    sim_lock();
    if (item->queued)
        KCOM_POSIX_VIOLATION(item, "work item queued again while queued, before its routine was entered");
    if (kcom_atomic_load(&sim.stopping) != 0)
        KCOM_POSIX_VIOLATION(item, "work item queued while kcom_uninitialize stops the simulation");
    if (sim.worker_count == 0 && kcom_atomic_load(&sim.exiting) == 0) {
        kcom_sim_thread_starting_locked();
        /* kcom_sim_set_processor_count keeps it up to date while no simulated processor runs */
        sim.work_concurrency = processor_count() != 0 ? processor_count() : configured_processors_locked();
        for (i = 0; i < SIM_WORKERS; i++)
            add_worker_locked();
    }
    item->routine = routine;
    item->context = context;
    item->queued = TRUE;
    item->next = NULL;
    if (sim.work_tail != NULL)
        sim.work_tail->next = item;
    else
        sim.work_head = item;
    sim.work_tail = item;
    sim.work_queued++;
    sim.work_queues++;
    /* a worker to run it, or to watch the limit that holds it back (worker_main), woken once the
     * lock is free for it */
    if (!sim.work_held && (sim.work_running < sim.work_concurrency || sim.work_watchers == 0))
        kcom_platform_cond_signal_unlock(&sim.work, &kcom_sim_mutex);
    else
        sim_unlock();
}

void kcom_platform_work_item_free(kcom_platform_work_item *item)
{
    if (item == NULL)
        KCOM_POSIX_VIOLATION(NULL, "IoFreeWorkItem without a work item");
    sim_lock();
    if (item->queued)
        KCOM_POSIX_VIOLATION(item, "work item freed while queued");
    sim_unlock();
    free(item);
}

/* ---- shut-down --------------------------------------------------------------------------------------------- */

/* Wakes every simulated processor and work-item worker (to run, or to end), after a change to the
 * flags they test (kcom_sim_mutex held). */
static void wake_all_locked(void)
{
    ULONG i, count = processor_count();
    for (i = 0; i < count; i++)
        ring(&sim.processors[i]);
    kcom_platform_cond_broadcast(&sim.work);
}

/* Joins the simulated processors and work-item workers, which are ending, and forgets them: the
 * next use of the simulation starts new ones. */
static void join_threads(ULONG processors, ULONG workers)
{
    ULONG i;
    for (i = 0; i < processors; i++)
        pthread_join(sim.processors[i].thread, NULL);
    for (i = 0; i < workers; i++)
        pthread_join(sim.workers[i], NULL);
    sim_lock();
    kcom_atomic_store(&sim.processor_count, 0);
    sim.worker_count = 0;
    sim.ended = 0;
    kcom_atomic_store(&sim.stopping, 0);
    sim_unlock();
}

/* At exit (registered with the first thread): the threads end after the routine under way and
 * are joined, leaving what is queued (the program's own memory may be gone already), so that a
 * program that never calls kcom_uninitialize leaves no thread behind (valgrind's leak check would
 * find their thread-local storage). A routine that does not end within 2 s is left running. */
static void sim_at_exit(void)
{
    ULONG processors, workers;
    BOOLEAN timer_thread;
    ULONG64 deadline;
    if (kcom_posix_thread.sim_thread)
        return; /* exit() from a routine: nothing can be joined from here */
    sim_lock();
    kcom_atomic_store(&sim.exiting, 1);
    processors = processor_count();
    workers = sim.worker_count;
    wake_all_locked();
    timer_thread = kcom_sim_timer_exit_locked();
    sim_unlock();
    if (timer_thread)
        kcom_sim_timer_join();
    deadline = kcom_platform_monotonic_us() + 2000000u;
    sim_lock();
    while (sim.ended < processors + workers && kcom_platform_monotonic_us() < deadline) {
        struct timespec pause = {0, 1000000L};
        sim_unlock();
        nanosleep(&pause, NULL);
        sim_lock();
    }
    if (sim.ended < processors + workers) {
        sim_unlock();
        kcom_trace_unfiltered(KCOM_TRACE_LEVEL_WARNING, __FILE__, __LINE__,
                              "kernel simulation: a DPC or work item routine still runs at exit");
        return;
    }
    sim_unlock();
    join_threads(processors, workers);
}

void kcom_sim_thread_starting_locked(void)
{
    if (!sim.exit_handler) {
        sim.exit_handler = TRUE;
        (void)atexit(sim_at_exit);
    }
}

BOOLEAN kcom_sim_exiting_locked(void)
{
    return (BOOLEAN)(kcom_atomic_load(&sim.exiting) != 0);
}

static BOOLEAN quiescent_locked(void)
{
    ULONG i, count = processor_count();
    for (i = 0; i < count; i++) {
        sim_processor *p = &sim.processors[i];
        BOOLEAN busy;
        kcom_platform_mutex_lock(&p->lock);
        busy = (BOOLEAN)(p->head != NULL || p->running_sequence != 0);
        kcom_platform_mutex_unlock(&p->lock);
        if (busy)
            return FALSE;
    }
    return (BOOLEAN)(sim.work_head == NULL && sim.work_running == 0);
}

/* kcom_platform_uninitialize: stops the simulation's threads once queued DPCs and work items have
 * run (not on a thread of the simulation; kcom_uninitialize refuses a caller above PASSIVE_LEVEL);
 * the next use starts them again. */
static void sim_uninitialize(void)
{
    ULONG processors, workers;
    BOOLEAN timer_thread;
    if (kcom_posix_thread.sim_thread)
        KCOM_POSIX_VIOLATION(NULL, "kcom_uninitialize on a thread of the kernel simulation");
    sim_lock();
    if (kcom_atomic_load(&sim.exiting) != 0) {
        sim_unlock(); /* after the exit handler (from a later one): the threads are gone */
        return;
    }
    /* what is queued runs first (a hold is released); routines may queue more, and timers fire */
    kcom_atomic_store(&sim.dpcs_held, 0);
    sim.work_held = FALSE;
    wake_all_locked();
    progress_wait_begin_locked();
    while (!quiescent_locked())
        progress_wait_locked();
    progress_wait_end_locked();
    timer_thread = kcom_sim_timer_stop_locked(); /* fails fast when a timer is still armed */
    kcom_atomic_store(&sim.stopping, 1);
    wake_all_locked();
    processors = processor_count();
    workers = sim.worker_count;
    sim_unlock();

    if (timer_thread)
        kcom_sim_timer_join();
    join_threads(processors, workers);
}

/* ---- installation -------------------------------------------------------------------------------------- */

static const kcom_posix_kernel sim_kernel = {
    kcom_sim_timer_init, kcom_sim_timer_arm, kcom_sim_timer_cancel, sim_dpc_flush, sim_uninitialize,
};

/* Before main(), so that every timer the program arms is a simulated KTIMER: this file is linked
 * into a program that uses the simulation (its DPCs, work items or test hooks), and only then. */
__attribute__((constructor)) static void sim_install(void)
{
    ULONG i;
    kcom_platform_mutex_init(&kcom_sim_mutex);
    for (i = 0; i < KCOM_SIM_MAX_PROCESSORS; i++)
        kcom_platform_mutex_init(&sim.processors[i].lock);
    if (!NT_SUCCESS(kcom_platform_cond_init(&sim.progress)) || !NT_SUCCESS(kcom_platform_cond_init(&sim.work)))
        KCOM_POSIX_VIOLATION(NULL, "the simulation's condition variables could not be made");
    kcom_posix_set_kernel(&sim_kernel);
}

/* ---- test hooks (kcom/kernel_sim.h) ----------------------------------------------------------------------- */

NTSTATUS kcom_sim_set_processor_count(ULONG count)
{
    NTSTATUS status = STATUS_SUCCESS;
    if (count < 1 || count > KCOM_SIM_MAX_PROCESSORS)
        return STATUS_INVALID_PARAMETER;
    sim_lock();
    if (processor_count() != 0) {
        status = STATUS_INVALID_DEVICE_STATE;
    } else {
        sim.requested_processors = count;
        sim.work_concurrency = count; /* for workers already running (work items before any DPC) */
    }
    sim_unlock();
    return status;
}

void kcom_sim_hold_dpcs(BOOLEAN hold)
{
    sim_lock();
    kcom_atomic_store(&sim.dpcs_held, hold ? 1 : 0);
    if (!hold)
        wake_all_locked();
    sim_unlock();
}

void kcom_sim_hold_work_items(BOOLEAN hold)
{
    sim_lock();
    sim.work_held = hold;
    if (!hold)
        kcom_platform_cond_broadcast(&sim.work);
    sim_unlock();
}

ULONG64 kcom_sim_dpc_runs(void)
{
    ULONG64 runs = 0;
    ULONG i;
    for (i = 0; i < KCOM_SIM_MAX_PROCESSORS; i++)
        runs += (ULONG64)kcom_atomic_load64(&sim.processors[i].runs);
    return runs;
}

ULONG64 kcom_sim_dpc_inserts(void)
{
    ULONG64 inserts = (ULONG64)kcom_atomic_load64(&sim.refused_inserts);
    ULONG i;
    for (i = 0; i < KCOM_SIM_MAX_PROCESSORS; i++)
        inserts += (ULONG64)kcom_atomic_load64(&sim.processors[i].inserts);
    return inserts;
}

ULONG kcom_sim_dpcs_queued(void)
{
    ULONG queued = 0, i, count;
    sim_lock();
    count = processor_count();
    for (i = 0; i < count; i++) {
        sim_processor *p = &sim.processors[i];
        kcom_platform_mutex_lock(&p->lock);
        queued += p->queued;
        kcom_platform_mutex_unlock(&p->lock);
    }
    sim_unlock();
    return queued;
}

ULONG kcom_sim_work_items_queued(void)
{
    ULONG queued;
    sim_lock();
    queued = sim.work_queued;
    sim_unlock();
    return queued;
}

ULONG64 kcom_sim_work_item_queues(void)
{
    ULONG64 queues;
    sim_lock();
    queues = sim.work_queues;
    sim_unlock();
    return queues;
}

LONG kcom_sim_current_processor(void)
{
    return kcom_posix_thread.processor;
}

ULONG kcom_sim_processor_count(void)
{
    return kcom_platform_processor_count();
}

UCHAR kcom_sim_current_irql(void)
{
    return kcom_platform_irql();
}

ULONG kcom_sim_thread_count(void)
{
    ULONG count;
    sim_lock();
    count = processor_count() + sim.worker_count + kcom_sim_timer_threads_locked();
    sim_unlock();
    return count;
}
