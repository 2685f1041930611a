/*
 * platform.h - the seam between kcom's portable runtime and each target.
 *
 * Every target directory (posix: the Linux host; win32: Windows user mode; ntkernel: the Windows
 * kernel) implements exactly these functions (the async layer's timers: see there), and nothing
 * outside src/platform/ knows which target it is built for. Interlocked operations are compiler intrinsics (kcom/atomic.h), not part of it.
 */
#ifndef KCOM_SRC_PLATFORM_H
#define KCOM_SRC_PLATFORM_H

#include <kcom/allocator.h>
#include <kcom/atomic.h>
#include <kcom/caching_allocator.h>
#include <kcom/detail/processor.h>
#include <kcom/failfast.h>
#include <kcom/trace.h>

/* Resolves what the platform needs before first use (kcom_initialize); PASSIVE_LEVEL. */
NTSTATUS kcom_platform_initialize(void);
/* Lets the platform go (kcom_uninitialize), once nothing is armed: it returns after every timer
 * callback has returned, down to its last instruction in kcom's code, which the image may not
 * outlive; PASSIVE_LEVEL. */
void kcom_platform_uninitialize(void);

/* The platform allocator (kcom_platform_allocator(), the default allocator unless replaced): its
 * functions (src/alloc/allocator.c) over the natural pair each target implements,
 * kcom_rt_platform_allocate_natural and kcom_rt_platform_free_natural (kcom/detail/allocator.h): memory
 * usable at IRQL <= DISPATCH_LEVEL (kernel: non-paged pool with kcom_pool_tag()), aligned to
 * KCOM_NATURAL_ALIGNMENT; kcom_aligned_allocate above that. */
void *kcom_platform_allocate(void *context, size_t size, size_t alignment);
void kcom_platform_free(void *context, void *block, size_t size, size_t alignment);

/* The file name part of a __FILE__ path, for trace prefixes. */
static KCOM_FORCEINLINE const char *kcom_platform_base_name(const char *path)
{
    const char *base = path;
    for (; *path != '\0'; path++)
        if (*path == '/' || *path == '\\')
            base = path + 1;
    return base;
}

/* ---- free lists (kcom_caching_allocator) ------------------------------------------------------
 * A LIFO of free blocks in the opaque kcom_rt_free_list storage of kcom/caching_allocator.h, safe
 * for any number of concurrent callers at IRQL <= DISPATCH_LEVEL and free of the ABA problem
 * (kernel and Windows user mode: an SLIST; host: a lock around a singly linked list). A block is
 * linked through its first pointer-sized word, and must be at least KCOM_PLATFORM_FREE_ENTRY_SIZE
 * bytes, aligned to that much. Implemented in src/platform/posix/free_list_posix.c and, for both
 * Windows targets, src/platform/windows/free_list_slist.c. */
#define KCOM_PLATFORM_FREE_ENTRY_SIZE (2 * sizeof(void *))

/* Prepares list (all zeros, or left over from earlier use with nothing in it) for use. */
void kcom_platform_free_list_init(kcom_rt_free_list *list);
/* The most recently pushed block, unlinked; NULL when the list is empty. */
void *kcom_platform_free_list_pop(kcom_rt_free_list *list);
/* Links block in unless the list already holds depth blocks (then returns FALSE and leaves block
 * alone). Host: exact; SLIST: the depth is read before the push, so concurrent pushes can exceed
 * depth by at most their number. */
BOOLEAN kcom_platform_free_list_push(kcom_rt_free_list *list, void *block, ULONG depth);
/* Unlinks every block at once; returns the first, each block's first word pointing at the next,
 * the last one's at NULL. */
void *kcom_platform_free_list_flush(kcom_rt_free_list *list);
/* Blocks in the list now (a snapshot under concurrent use). */
ULONG kcom_platform_free_list_count(kcom_rt_free_list *list);

/* The default trace sink (a kcom_trace_hook). */
void kcom_platform_trace(void *context, kcom_trace_level level, const char *file, int line,
                         const char *format, va_list args) KCOM_PRINTF_FORMAT(5, 0);

/* Stops the program or the machine; the reason has already been traced. */
KCOM_NORETURN void kcom_platform_fail_fast(kcom_failfast_reason reason, const void *object,
                                           ULONG_PTR detail1, ULONG_PTR detail2);

/* ---- threads and events, for the async layer (KCOM_ENABLE_ASYNC) ------------------------------------
 * Events and can_block on every target (posix and win32: in threads_<target>.c; the kernel: a
 * KEVENT, events_ntkernel.c). The mutex, condition variable and threads only where the target has
 * threads_<target>.c (posix: pthreads; win32: an SRW lock, a condition variable and _beginthreadex
 * threads): the thread pool (src/exec/thread_pool.c) and the timer service (src/platform/timer_service.c) are
 * written on them and built only there. The clock (monotonic_ms, sleep_ms) on every target. */

/* The Linux host's uncontended paths of the local event, the mutex and the condition variable are
 * inline (posix/locks_linux.h, included once the types are declared). */
#if KCOM_TARGET_POSIX && defined(__linux__)
#define KCOM_PLATFORM_LOCKS_INLINE 1
#else
#define KCOM_PLATFORM_LOCKS_INLINE 0
#endif

/* A mutex (not recursive) in storage the caller embeds: pthread_mutex_t, an SRWLOCK. */
typedef struct kcom_platform_mutex {
    ULONG64 opaque[8];
} kcom_platform_mutex;
void kcom_platform_mutex_init(kcom_platform_mutex *mutex);
void kcom_platform_mutex_destroy(kcom_platform_mutex *mutex);
#if !KCOM_PLATFORM_LOCKS_INLINE
void kcom_platform_mutex_lock(kcom_platform_mutex *mutex);
void kcom_platform_mutex_unlock(kcom_platform_mutex *mutex);
#endif

/* A condition variable in storage the caller embeds, its timeouts on the monotonic clock (they do
 * not move with the wall clock). init: STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES. */
typedef struct kcom_platform_cond {
    ULONG64 opaque[8];
} kcom_platform_cond;
NTSTATUS kcom_platform_cond_init(kcom_platform_cond *cond);
void kcom_platform_cond_destroy(kcom_platform_cond *cond);
/* Releases mutex (held), waits for a signal, a broadcast, timeout_ms (0xFFFFFFFF: never) or a
 * spurious wake, takes mutex again. */
void kcom_platform_cond_wait(kcom_platform_cond *cond, kcom_platform_mutex *mutex, ULONG timeout_ms);
/* Wakes one waiter, or every one. */
#if !KCOM_PLATFORM_LOCKS_INLINE
void kcom_platform_cond_signal(kcom_platform_cond *cond);
void kcom_platform_cond_broadcast(kcom_platform_cond *cond);
/* Wakes one waiter and releases mutex (held). After the release nothing of cond is read or
 * written, so the structure holding both may be freed by whoever takes mutex next (as far as the
 * release of mutex itself allows that, as kcom_platform_mutex_unlock's does). Where the target
 * can, the wake comes after the release, so that the woken thread does not find mutex held and
 * sleep on it: Linux's futex words (posix/locks_linux.h). Here the condition variables (pthread's,
 * win32's) read their memory when they wake a thread, so the signal comes first. */
static inline void kcom_platform_cond_signal_unlock(kcom_platform_cond *cond, kcom_platform_mutex *mutex)
{
    kcom_platform_cond_signal(cond);
    kcom_platform_mutex_unlock(mutex);
}
#endif

/* A manual-reset event in storage the caller embeds (a KEVENT; a Win32 event object; a mutex,
 * a condition variable and a flag), for a waiter whose own frame holds it: once a set has woken
 * the waiter, the setter touches the event no more, so the waiter may destroy it as soon as its
 * wait returns. init: STATUS_SUCCESS, or STATUS_INSUFFICIENT_RESOURCES (then nothing to destroy).
 * set: IRQL <= DISPATCH_LEVEL; wait: as kcom_platform_event_wait. */
typedef struct kcom_platform_local_event {
    ULONG64 opaque[12];
} kcom_platform_local_event;

#if !KCOM_PLATFORM_LOCKS_INLINE
NTSTATUS kcom_platform_local_event_init(kcom_platform_local_event *event);
void kcom_platform_local_event_destroy(kcom_platform_local_event *event);
void kcom_platform_local_event_set(kcom_platform_local_event *event);
#else
#include "posix/locks_linux.h"
#endif
NTSTATUS kcom_platform_local_event_wait(kcom_platform_local_event *event, ULONG timeout_ms);

/* A reference-counted manual-reset event: a local event in a block from kcom's default allocator
 * (recorded: the same one frees it), created unsignaled with one reference, so a waker that
 * outlives the waiter still sets a live object. create: IRQL <= DISPATCH_LEVEL, NULL when out of
 * memory. wait: STATUS_SUCCESS once set, STATUS_TIMEOUT after timeout_ms (0xFFFFFFFF: never). */
typedef struct kcom_platform_event {
    kcom_platform_local_event local;
    LONG volatile refs;
    const kcom_allocator *allocator;
} kcom_platform_event;

static inline kcom_platform_event *kcom_platform_event_create(void)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_platform_event *event =
        (kcom_platform_event *)kcom_allocate(allocator, sizeof(*event), KCOM_ALIGNOF(kcom_platform_event));
    if (event == NULL)
        return NULL;
    if (!NT_SUCCESS(kcom_platform_local_event_init(&event->local))) {
        kcom_free(allocator, event, sizeof(*event), KCOM_ALIGNOF(kcom_platform_event));
        return NULL;
    }
    event->refs = 1;
    event->allocator = allocator;
    return event;
}

static inline void kcom_platform_event_reference(kcom_platform_event *event)
{
    kcom_atomic_fetch_add(&event->refs, 1);
}

static inline void kcom_platform_event_release(kcom_platform_event *event)
{
    if (kcom_atomic_fetch_add(&event->refs, -1) == 1) {
        kcom_platform_local_event_destroy(&event->local);
        kcom_free(event->allocator, event, sizeof(*event), KCOM_ALIGNOF(kcom_platform_event));
    }
}

static inline void kcom_platform_event_set(kcom_platform_event *event)
{
    kcom_platform_local_event_set(&event->local);
}

static inline NTSTATUS kcom_platform_event_wait(kcom_platform_event *event, ULONG timeout_ms)
{
    return kcom_platform_local_event_wait(&event->local, timeout_ms);
}
/* Whether the caller may block (kernel: IRQL < DISPATCH_LEVEL): kcom_platform_can_block, with the
 * IRQL functions below. */

/* A thread running fn(context), started at PASSIVE_LEVEL, which may use the C runtime. thread is
 * its storage, which the thread may use until it has ended: it stays valid until
 * kcom_platform_thread_join (which waits for fn to return and the thread to end, and releases it),
 * called once for every thread started.
 * start: STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES (then nothing to join). */
typedef struct kcom_platform_thread {
    ULONG64 opaque[4];
} kcom_platform_thread;
typedef void kcom_platform_thread_fn(void *context);
NTSTATUS kcom_platform_thread_start(kcom_platform_thread *thread, kcom_platform_thread_fn *fn, void *context);
void kcom_platform_thread_join(kcom_platform_thread *thread);
/* TRUE when the caller runs on the started (not yet joined) thread. */
BOOLEAN kcom_platform_thread_is_current(const kcom_platform_thread *thread);

/* Milliseconds on a monotonic clock (not the wall clock). */
ULONG64 kcom_platform_monotonic_ms(void);
/* Blocks the calling thread for about ms milliseconds. */
void kcom_platform_sleep_ms(ULONG ms);

/* ---- timers, for the async layer's timer awaitable (KCOM_ENABLE_ASYNC) ------------------------------
 * One-shot timers in storage the caller embeds (struct kcom_rt_timer, opaque, kcom/awaitable.h):
 * arming never allocates. The kernel has its own (src/platform/ntkernel/timer_ntkernel.c: a KTIMER
 * and a KDPC); the targets with threads use the timer service (src/platform/timer_service.c: one
 * timer thread, started at the first arm and gone while nothing is armed), win32 always
 * (win32/timer_win32.c) and posix unless the program uses the kernel simulation, whose simulated
 * KTIMERs then serve (posix/kernel_posix.c). */
struct kcom_rt_timer;
/* Called once per arm that was not canceled, in the timer's DPC (kernel and the posix simulation)
 * or on the timer service's thread, at <= DISPATCH_LEVEL, without any lock of the platform's held.
 * It must not block. The platform never touches the storage again after calling it, so the
 * callback may end its owner's life (Wine's ntoskrnl does still write the KTIMER afterwards:
 * timer_ntkernel.c; an owner that saw the callback done calls kcom_platform_timer_settle before
 * the storage ends its life). */
typedef void kcom_platform_timer_fn(struct kcom_rt_timer *timer, void *context);
/* Prepares unarmed storage (any contents) with its callback. */
void kcom_platform_timer_init(struct kcom_rt_timer *timer, kcom_platform_timer_fn *callback, void *context);
/* Arms an unarmed timer to call back at deadline_ms (kcom_platform_monotonic_ms time; a past one
 * calls back as soon as the platform can). STATUS_SUCCESS; STATUS_INSUFFICIENT_RESOURCES (no
 * timer thread; the timer stays unarmed). IRQL: <= DISPATCH_LEVEL. */
NTSTATUS kcom_platform_timer_arm(struct kcom_rt_timer *timer, ULONG64 deadline_ms);
/* Disarms: TRUE when the callback of the current arm will never run (it was still pending, or
 * its DPC was queued and the platform could remove it); FALSE when there is none, or it ran, runs
 * or is about to run (the caller waits for its own sign that the callback is done). The wait
 * must end without the caller giving up its processor: so FALSE at DISPATCH_LEVEL means the
 * callback runs elsewhere (another processor, or a thread that preempts nothing), never in a DPC
 * queued behind the caller on its own processor: there the platform removes it (KeRemoveQueueDpc)
 * and returns TRUE. IRQL: <= DISPATCH_LEVEL. */
BOOLEAN kcom_platform_timer_cancel(struct kcom_rt_timer *timer);
/* After the caller saw the callback of the last arm done (or none run): returns once the platform
 * is done with the storage too, which may then end its life or be armed again. Nothing to wait
 * for but in the kernel under Wine, whose ntoskrnl writes a KTIMER after its DPC routine has
 * returned (timer_ntkernel.c). Not from the callback. IRQL: <= DISPATCH_LEVEL. */
void kcom_platform_timer_settle(struct kcom_rt_timer *timer);

/* ---- for trackers (src/sched/tracker.c), on every target --------------------------------------------------
 * A spin lock in storage the caller embeds (KSPIN_LOCK; win32: an SRW lock). acquire raises to
 * DISPATCH_LEVEL and returns the previous IRQL for release (win32: PASSIVE_LEVEL). Held briefly,
 * never across a call out of kcom. */
typedef struct kcom_platform_spin_lock {
    ULONG64 opaque[8];
} kcom_platform_spin_lock;
void kcom_platform_spin_lock_init(kcom_platform_spin_lock *lock);
UCHAR kcom_platform_spin_lock_acquire(kcom_platform_spin_lock *lock);
void kcom_platform_spin_lock_release(kcom_platform_spin_lock *lock, UCHAR old_irql);
/* One round of a spin wait for a lock another thread holds (spins: the caller's count of rounds,
 * 0 at the start): a pause; in user mode (the host, win32), where there are more threads than
 * processors and the holder may have been preempted, the processor is given up every 64 rounds
 * instead of spinning it away (a lock's holder starved by its waiters is a livelock). The kernel
 * only pauses: its holders run at DISPATCH_LEVEL. IRQL: any. */
void kcom_platform_spin_pause(ULONG *spins);
/* Returns once every DPC queued before the call, on every processor, has run to its end
 * (KeFlushQueuedDpcs; win32, which has no DPCs: at once). IRQL: PASSIVE_LEVEL. */
void kcom_platform_dpc_flush(void);

/* ---- for kcom_uninitialize (src/runtime.c), on every target with the async layer ------------------------------
 * How many IRPs kcom/irp.h holds: pended, or completed with their record not freed yet. Each
 * record holds an operation, and a pended IRP's cancel routine is in the driver's image. The
 * kernel's count (src/platform/ntkernel/irp_ntkernel.c); 0 on the other targets, which have no
 * IRPs. IRQL: any. */
LONG kcom_platform_irps_held(void);

/* ---- the kernel's scheduling primitives, for the kernel executors (KCOM_ENABLE_KERNEL_EXECUTORS) ---------
 * Implemented by the kernel (src/platform/ntkernel/executor_ntkernel.c: KeXxx, IoXxx) and simulated
 * on the host by the library kcom_kernel_sim (src/platform/posix/kernel_sim/: per-CPU DPC queues
 * serviced by threads at a thread-local simulated DISPATCH_LEVEL, work items on worker threads), so
 * that the executors (src/exec/) and trackers (src/sched/tracker.c) are the same sources on both.
 * The host's IRQL, spin locks and DPC flush are its platform's (src/platform/posix/irql_posix.c,
 * kernel_posix.c): without the simulation, nothing raises the IRQL but a spin lock and a flush has
 * no DPC to wait for. */

#define KCOM_PLATFORM_PASSIVE_LEVEL 0
#define KCOM_PLATFORM_APC_LEVEL 1
#define KCOM_PLATFORM_DISPATCH_LEVEL 2

/* The IRQL, inline in each target's header (every wake and every wait goes through them); they exist
 * on every target (win32, which has no IRQL: always PASSIVE_LEVEL, raising does nothing), the rest
 * of this section only with the kernel executors:
 *   UCHAR kcom_platform_irql(void)              the calling thread's IRQL (KeGetCurrentIrql)
 *   BOOLEAN kcom_platform_can_block(void)        whether it may wait: IRQL < DISPATCH_LEVEL
 *   UCHAR kcom_platform_raise_to_dispatch(void)  raises to DISPATCH_LEVEL (from <= DISPATCH_LEVEL),
 *                                                returns the previous IRQL (KeRaiseIrqlToDpcLevel)
 *   void kcom_platform_lower_irql(UCHAR old)     back to what a raise returned (KeLowerIrql)
 * Any IRQL. */
#if KCOM_TARGET_NTKERNEL
#include "ntkernel/irql_ntkernel.h"
#elif KCOM_TARGET_WIN32
#include "win32/irql_win32.h"
#else
#include "posix/irql_posix.h"
#endif

/* A DPC in storage the caller embeds (KDPC, not threaded). Its routine runs at DISPATCH_LEVEL on
 * some processor, once per successful insert; the DPC is dequeued before the routine is called,
 * so the routine (or anyone) may insert it again, and then it may run again on another processor
 * while the first run is still under way. */
typedef struct kcom_platform_dpc {
    ULONG64 opaque[12];
} kcom_platform_dpc;
typedef void kcom_platform_dpc_fn(kcom_platform_dpc *dpc, void *context);
/* Prepares storage (any contents) that is not queued. An insert from another processor starts
 * the target's DPC processing at once, as one on the current processor does (on the kernel,
 * MediumHighImportance). IRQL: any. */
void kcom_platform_dpc_init(kcom_platform_dpc *dpc, kcom_platform_dpc_fn *routine, void *context);
/* Makes the DPC run on processor (0 to kcom_platform_processor_count() - 1) whoever inserts it
 * (KeSetTargetProcessorDpcEx): TRUE, or FALSE when the kernel cannot name that processor (then the
 * DPC is left as it was). Call it before the first insert. IRQL: <= DISPATCH_LEVEL. */
BOOLEAN kcom_platform_dpc_set_target(kcom_platform_dpc *dpc, ULONG processor);
/* Queues the DPC on its target processor, or, untargeted, on the current processor
 * (KeInsertQueueDpc): TRUE, or FALSE when it is already queued (then nothing changes: the queued
 * run is still to come). IRQL: <= DISPATCH_LEVEL. */
BOOLEAN kcom_platform_dpc_insert(kcom_platform_dpc *dpc);
/* The number of processors DPCs run on (KeQueryActiveProcessorCountEx). */
ULONG kcom_platform_processor_count(void);
/* The processor the caller runs on, for picking per-processor state (KeGetCurrentProcessorNumberEx):
 * its index n when the caller cannot leave it (DISPATCH_LEVEL or above), so that code that runs
 * there and sees a mark a DPC routine of that processor left is inside that routine; 2^31 + n
 * below DISPATCH_LEVEL, where the thread may move at any time, and on the host for every thread
 * that is not a simulated processor (n fixed for a work item worker, round-robin for the others).
 * Clear bit 31 and reduce it modulo the count of the state (n may also be a processor added
 * later). IRQL: any. */
ULONG kcom_platform_current_processor(void);
/* What kcom_rt_processor_hint (kcom/detail/processor.h) reads inline, for picking per-processor
 * state that any processor may still use (the operation cache's sets): the processor's number; on
 * the host, the thread's, which this gives a thread that has none yet (1 to
 * KCOM_RT_PROCESSOR_SLOTS - 1, round and round, in the order threads first ask). IRQL: any. */
ULONG kcom_platform_processor_hint(void);
/* The calling thread, as a value unique among the threads that exist (PsGetCurrentThreadId), for
 * telling whether the caller is the thread that left a mark. Not NULL on a thread that runs a work
 * item routine. IRQL: any. */
void *kcom_platform_current_thread(void);
/* Microseconds on the clock of kcom_platform_monotonic_ms, cheap enough to read after each poll
 * of a DPC run (KeQueryPerformanceCounter). IRQL: any. */
ULONG64 kcom_platform_monotonic_us(void);

/* A work item bound to a device object (IO_WORKITEM: IoAllocateWorkItem, IoQueueWorkItem on the
 * delayed work queue, IoFreeWorkItem). Its routine runs at PASSIVE_LEVEL on a system worker
 * thread, once per queue call; the item may be queued again from its routine, or by anyone once
 * the routine has been entered, but not while it is queued and not yet entered. */
typedef struct kcom_platform_work_item kcom_platform_work_item;
typedef void kcom_platform_work_fn(void *context);
/* NULL when out of memory. device: a DEVICE_OBJECT (host: any non-NULL pointer). IRQL: <= DISPATCH_LEVEL. */
kcom_platform_work_item *kcom_platform_work_item_allocate(void *device);
void kcom_platform_work_item_queue(kcom_platform_work_item *item, kcom_platform_work_fn *routine, void *context);
/* Frees an item that is not queued. Its routine may still be returning, or be the caller (as
 * IoFreeWorkItem allows): the platform never touches an item after calling its routine.
 * IRQL: <= DISPATCH_LEVEL. */
void kcom_platform_work_item_free(kcom_platform_work_item *item);

#endif /* KCOM_SRC_PLATFORM_H */
