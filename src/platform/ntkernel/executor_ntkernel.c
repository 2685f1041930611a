/*
 * The kernel's scheduling primitives for the kernel executors (platform.h, last section), over
 * the kernel itself (the IRQL's are inline: irql_ntkernel.h): KSPIN_LOCK,
 * KDPC and its target processor, the current processor and the active processor count, the
 * performance counter, and IO_WORKITEM.
 *
 * mingw-w64's DDK makes the IRQL functions (irql_ntkernel.h) inline CR8 accesses on x64 (the WDK
 * does too): hal.dll's exported KeRaiseIrqlToDpcLevel, which Wine only stubs, is never imported.
 * Under Wine (docs/building.md) the CR8 accesses are emulated: the IRQL reads 0 and raising it has
 * no effect; queued DPCs never run (KeInsertQueueDpc returns TRUE and that is all), and
 * KeFlushQueuedDpcs returns at once. KeRemoveQueueDpc, a Wine stub that ends the host, is not
 * used: nothing here takes a DPC back out of its queue.
 */
#include <ntddk.h> /* PsGetCurrentThreadId, which <wdm.h> does not declare */

#include "../platform.h"

#include "internal_ntkernel.h"

/* ---- spin locks -------------------------------------------------------------------------------------- */

KCOM_STATIC_ASSERT(sizeof(KSPIN_LOCK) <= sizeof(kcom_platform_spin_lock) &&
                       KCOM_ALIGNOF(KSPIN_LOCK) <= KCOM_ALIGNOF(kcom_platform_spin_lock),
                   "kcom_platform_spin_lock must hold a KSPIN_LOCK");

void kcom_platform_spin_pause(ULONG *spins)
{
    (void)spins; /* a holder at DISPATCH_LEVEL is never preempted */
    kcom_cpu_relax();
}

void kcom_platform_spin_lock_init(kcom_platform_spin_lock *lock)
{
    KeInitializeSpinLock((PKSPIN_LOCK)(void *)lock);
}

UCHAR kcom_platform_spin_lock_acquire(kcom_platform_spin_lock *lock)
{
    /* KeAcquireSpinLock: KeAcquireSpinLockRaiseToDpc on x64 and ARM64, hal's KfAcquireSpinLock on x86. */
    KIRQL old_irql;
    KeAcquireSpinLock((PKSPIN_LOCK)(void *)lock, &old_irql);
    return (UCHAR)old_irql;
}

void kcom_platform_spin_lock_release(kcom_platform_spin_lock *lock, UCHAR old_irql)
{
    KeReleaseSpinLock((PKSPIN_LOCK)(void *)lock, (KIRQL)old_irql);
}

/* ---- DPCs -------------------------------------------------------------------------------------------- */

/* The KDPC first, then what the adapter calls; the KDPC's DeferredContext is the storage. */
typedef struct ntkernel_dpc {
    KDPC dpc;
    kcom_platform_dpc_fn *routine;
    void *context;
} ntkernel_dpc;

KCOM_STATIC_ASSERT(sizeof(ntkernel_dpc) <= sizeof(kcom_platform_dpc) &&
                       KCOM_ALIGNOF(ntkernel_dpc) <= KCOM_ALIGNOF(kcom_platform_dpc),
                   "kcom_platform_dpc must hold a KDPC, its routine and context");

static KDEFERRED_ROUTINE dpc_adapter;

/* DISPATCH_LEVEL. The kernel dequeued the DPC before calling: the routine may insert it again, and
 * may end the storage's life, so nothing here touches it after the call. */
static void NTAPI dpc_adapter(PKDPC dpc, PVOID deferred_context, PVOID argument1, PVOID argument2)
{
    ntkernel_dpc *d = (ntkernel_dpc *)deferred_context;
    kcom_platform_dpc_fn *routine = d->routine;
    void *context = d->context;
    (void)dpc;
    (void)argument1;
    (void)argument2;
    routine((kcom_platform_dpc *)(void *)d, context);
}

/* MediumHighImportance: an insert on another processor (a lane's DPC inserted by a thread that
 * has moved since it read its processor, or by a processor without a lane of its own) interrupts
 * that processor at once; with the default, MediumImportance, only an insert on the current
 * processor does, and the other waits for the target's next clock tick. Both go to the end of
 * the queue. */
void kcom_platform_dpc_init(kcom_platform_dpc *dpc, kcom_platform_dpc_fn *routine, void *context)
{
    ntkernel_dpc *d = (ntkernel_dpc *)(void *)dpc;
    d->routine = routine;
    d->context = context;
    KeInitializeDpc(&d->dpc, dpc_adapter, d);
    KeSetImportanceDpc(&d->dpc, MediumHighImportance);
}

BOOLEAN kcom_platform_dpc_insert(kcom_platform_dpc *dpc)
{
    return KeInsertQueueDpc(&((ntkernel_dpc *)(void *)dpc)->dpc, NULL, NULL);
}

/* Where the kernel maps the index to a group and number (Windows 7 and later), the Ex functions
 * decide: an index they cannot map is refused. Otherwise (Wine, which lacks
 * KeGetProcessorNumberFromIndex and has one group) the number in group 0, for a processor the
 * group has: KeSetTargetProcessorDpc leaves the DPC untargeted for any other. */
BOOLEAN kcom_platform_dpc_set_target(kcom_platform_dpc *dpc, ULONG processor)
{
    PKDPC kdpc = &((ntkernel_dpc *)(void *)dpc)->dpc;
    kcom_processor_number number;
    if (kcom_ntkernel_processor_number_from_index != NULL && kcom_ntkernel_set_target_processor_dpc_ex != NULL)
        return (BOOLEAN)(NT_SUCCESS(kcom_ntkernel_processor_number_from_index(processor, &number)) &&
                         NT_SUCCESS(kcom_ntkernel_set_target_processor_dpc_ex(kdpc, &number)));
    if (kcom_ntkernel_set_target_processor_dpc == NULL || processor >= 64 ||
        processor >= KeQueryActiveProcessorCountEx(0))
        return FALSE;
    kcom_ntkernel_set_target_processor_dpc(kdpc, (CCHAR)processor);
    return TRUE;
}

ULONG kcom_platform_current_processor(void)
{
    kcom_ke_get_current_processor_number_ex_fn *current = kcom_ntkernel_current_processor_number_ex;
    ULONG index;
    /* without the function the processor is not known: 2^31, "may be elsewhere", which never
     * claims to be on a processor whose run a mark shows under way */
    if (current == NULL)
        return 0x80000000u;
    index = current(NULL);
    /* below DISPATCH_LEVEL the thread may be on another processor by the time the caller looks */
    return KeGetCurrentIrql() >= DISPATCH_LEVEL ? index : 0x80000000u | index;
}

void *kcom_platform_current_thread(void)
{
    /* the exported function: the WDK's inline KeGetCurrentThread reads a processor register that
     * Wine leaves zero. An id names one thread while it exists (only the idle threads, where DPCs
     * may run, share the id 0, and no work item routine runs there) */
    return (void *)PsGetCurrentThreadId();
}

void kcom_platform_dpc_flush(void)
{
    KeFlushQueuedDpcs();
}

ULONG kcom_platform_processor_count(void)
{
    /* every group's: a DPC may be queued on any processor of any group */
    return KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
}

ULONG64 kcom_platform_monotonic_us(void)
{
    return kcom_ntkernel_monotonic(1000000u);
}

/* ---- work items -------------------------------------------------------------------------------------- */

/* One kcom allocation per item: the IO_WORKITEM (the I/O manager's own allocation, which holds a
 * reference on the device while queued) and the routine and context of the current queue call. */
struct kcom_platform_work_item {
    PIO_WORKITEM item;
    kcom_platform_work_fn *routine;
    void *context;
    const kcom_allocator *allocator; /* the default allocator at allocation, which frees it */
};

static IO_WORKITEM_ROUTINE work_item_adapter;

/* PASSIVE_LEVEL, on a system worker thread. Reads the routine and context before calling: once
 * the routine is entered the item may be queued again (which sets them anew) or freed. */
static void NTAPI work_item_adapter(PDEVICE_OBJECT device, PVOID context)
{
    kcom_platform_work_item *item = (kcom_platform_work_item *)context;
    kcom_platform_work_fn *routine = item->routine;
    void *routine_context = item->context;
    (void)device;
    routine(routine_context);
}

kcom_platform_work_item *kcom_platform_work_item_allocate(void *device)
{
    const kcom_allocator *allocator = kcom_default_allocator();
    kcom_platform_work_item *item = (kcom_platform_work_item *)kcom_allocate(
        allocator, sizeof(*item), KCOM_ALIGNOF(kcom_platform_work_item));
    if (item == NULL)
        return NULL;
    item->item = IoAllocateWorkItem((PDEVICE_OBJECT)device);
    if (item->item == NULL) {
        kcom_free(allocator, item, sizeof(*item), KCOM_ALIGNOF(kcom_platform_work_item));
        return NULL;
    }
    item->routine = NULL;
    item->context = NULL;
    item->allocator = allocator;
    return item;
}

void kcom_platform_work_item_queue(kcom_platform_work_item *item, kcom_platform_work_fn *routine, void *context)
{
    item->routine = routine;
    item->context = context;
    IoQueueWorkItem(item->item, work_item_adapter, DelayedWorkQueue, item);
}

void kcom_platform_work_item_free(kcom_platform_work_item *item)
{
    IoFreeWorkItem(item->item);
    kcom_free(item->allocator, item, sizeof(*item), KCOM_ALIGNOF(kcom_platform_work_item));
}
