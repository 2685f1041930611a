/*
 * kcom_wine_ddk.h - Wine's DDK headers made into what a WDM driver expects of the WDK's <wdm.h>.
 *
 * The clang-cl kernel toolchain (clang-cl-x86_64-kernel.cmake) builds kernel code in MSVC's
 * dialect against Wine's DDK headers and force-includes this header first (/FI), for x64, ARM64
 * and x86. Wine writes its DDK for Wine's own implementation of ntoskrnl: <ddk/wdm.h> needs the
 * base types included before it, and the parts of the WDK that Wine does not implement itself
 * (IRQL, the SLIST and spin lock mappings of each architecture, the driver-routine role types, a
 * few constants) are missing. This header includes Wine's headers in the order they need and
 * declares only what they lack, the way the WDK declares it, so that a driver written for the WDK
 * compiles unchanged. It is not a WDK: with the WDK, do not use it.
 */
#ifndef KCOM_WINE_DDK_H
#define KCOM_WINE_DDK_H

/* It stands in for the WDK's headers, which are system headers to a driver: a driver's own
 * warnings (-Wold-style-cast, /Wall) are not for it. */
#if defined(__clang__)
#pragma clang system_header
#endif

#if !defined(_M_AMD64) && !defined(_M_ARM64) && !defined(_M_IX86)
#error "kcom_wine_ddk.h knows the x64, ARM64 and x86 kernels only"
#endif

/* ---- Wine's headers, in the order they need ------------------------------------------------ */
#if defined(__clang__) && (defined(_M_ARM64) || (defined(_M_AMD64) && defined(__cplusplus)))
/* clang-cl has _InterlockedCompareExchange128 as a builtin (on ARM64, and for C++ on x64), which
 * Wine's <winnt.h> then defines again (for compilers other than cl.exe): Wine's definition gets a
 * name of its own. */
#define _InterlockedCompareExchange128 kcom_wine_ddk_interlocked_compare_exchange128
#endif
#if defined(_M_IX86) && defined(__cplusplus)
/* The same for x86's 64-bit and pointer interlocked functions, which Wine's <winnt.h> defines
 * inline there (for every compiler) and clang-cl has as builtins in C++. */
#define _InterlockedAnd64 kcom_wine_ddk_interlocked_and64
#define _InterlockedCompareExchangePointer kcom_wine_ddk_interlocked_compare_exchange_pointer
#define _InterlockedExchangeAdd64 kcom_wine_ddk_interlocked_exchange_add64
#define _InterlockedExchangePointer kcom_wine_ddk_interlocked_exchange_pointer
#define _InterlockedIncrement64 kcom_wine_ddk_interlocked_increment64
#define _InterlockedDecrement64 kcom_wine_ddk_interlocked_decrement64
#define _InterlockedOr64 kcom_wine_ddk_interlocked_or64
#define _InterlockedXor64 kcom_wine_ddk_interlocked_xor64
#endif
#if defined(_M_IX86)
/* Wine's <ddk/wdm.h> declares x86's fastcall ExInterlockedFlushSList as stdcall: its declaration
 * gets a name of its own, and the WDK's follows below. */
#define ExInterlockedFlushSList kcom_wine_ddk_wine_ExInterlockedFlushSList
#endif
#if defined(__cplusplus) && !defined(WINE_UNICODE_NATIVE)
/* C++: WCHAR is wchar_t (16-bit here), as the WDK defines it, not Wine's char16_t: a driver's
 * L"..." literal is then a PCWSTR, as with the WDK. */
#define WINE_UNICODE_NATIVE
#endif
#include <stdarg.h>
#include <ntstatus.h>
/* ntstatus.h defines every STATUS_* code as NTSTATUS; winnt.h must not redefine some as DWORD. */
#define WIN32_NO_STATUS
#include <windef.h>
#include <winternl.h>
#include <winioctl.h> /* CTL_CODE, METHOD_*, FILE_*_ACCESS: the WDK's wdm.h has them */
#ifdef __cplusplus
/* C++: Wine's inline MmGetSystemAddressForMdlSafe passes its ULONG priority where
 * MmMapLockedPagesSpecifyCache takes the MM_PAGE_PRIORITY enum (as the WDK's macro does, with
 * MdlMapping* flags or'ed in), which only C converts implicitly. This overload, found by that
 * call, passes the value on through a conversion to whichever enum the declaration has (the
 * enums are declared in <ddk/wdm.h>, after this point). */
struct kcom_wine_ddk_page_priority {
    ULONG value;
    template <typename Enum> operator Enum() const { return static_cast<Enum>(value); }
};
template <typename CachingType>
static inline PVOID MmMapLockedPagesSpecifyCache(struct _MDL *mdl, CCHAR mode, CachingType caching, PVOID address,
                                                 ULONG bug_check, ULONG priority)
{
    /* a dependent call: the declaration in <ddk/wdm.h> is found where this is instantiated */
    return MmMapLockedPagesSpecifyCache(mdl, mode, caching, address, bug_check,
                                        kcom_wine_ddk_page_priority{priority});
}
/* The WDK's headers declare their functions extern "C"; Wine's DDK headers do not say so. */
extern "C" {
#endif
#include <ddk/wdm.h>
#include <ddk/ntddk.h>
#ifdef __cplusplus
}
#endif
#undef ExInterlockedFlushSList

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- IRQL ---------------------------------------------------------------------------------- */
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#if defined(_M_IX86)
#define CLOCK_LEVEL 28
#define IPI_LEVEL 29
#define POWER_LEVEL 30
#define PROFILE_LEVEL 27
#define HIGH_LEVEL 31
#else
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15
#endif

#if defined(_M_AMD64)
/* x64: the task priority register, CR8, inline. */
static __forceinline ULONG64 kcom_wine_ddk_read_cr8(void)
{
#if defined(_MSC_VER) && !defined(__clang__)
    return __readcr8();
#else
    ULONG64 value;
    __asm__ __volatile__("movq %%cr8, %0" : "=r"(value));
    return value;
#endif
}

static __forceinline void kcom_wine_ddk_write_cr8(ULONG64 value)
{
#if defined(_MSC_VER) && !defined(__clang__)
    __writecr8(value);
#else
    __asm__ __volatile__("movq %0, %%cr8" : : "r"(value) : "memory");
#endif
}

static __forceinline KIRQL KeGetCurrentIrql(void)
{
    return (KIRQL)kcom_wine_ddk_read_cr8();
}

static __forceinline void KeLowerIrql(KIRQL new_irql)
{
    kcom_wine_ddk_write_cr8(new_irql);
}

static __forceinline KIRQL KfRaiseIrql(KIRQL new_irql)
{
    KIRQL old_irql = KeGetCurrentIrql();
    kcom_wine_ddk_write_cr8(new_irql);
    return old_irql;
}
#else
/* x86 and ARM64: hal.dll's exports (hal-x86.def, hal-arm64.def); FASTCALL is __fastcall on x86
 * and means nothing elsewhere. */
KIRQL WINAPI KeGetCurrentIrql(void);
KIRQL FASTCALL KfRaiseIrql(KIRQL new_irql);
void FASTCALL KfLowerIrql(KIRQL new_irql);
#define KeLowerIrql(new_irql) KfLowerIrql(new_irql)
#endif
#define KeRaiseIrql(new_irql, old_irql) (*(old_irql) = KfRaiseIrql(new_irql))

static __forceinline KIRQL KeRaiseIrqlToDpcLevel(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}

/* ---- routines the WDK declares and Wine's DDK does not -------------------------------------- */
LARGE_INTEGER WINAPI KeQueryPerformanceCounter(PLARGE_INTEGER frequency); /* hal.dll */
BOOLEAN WINAPI KeInsertQueueDpc(PRKDPC dpc, PVOID argument1, PVOID argument2);
void WINAPI KeSetImportanceDpc(PRKDPC dpc, KDPC_IMPORTANCE importance);
void WINAPI KeFlushQueuedDpcs(void);

#if defined(_WIN64)
/* x64 and ARM64 map the SLIST names to ntoskrnl's exports, and initialize a header inline. */
PSLIST_ENTRY WINAPI ExpInterlockedPopEntrySList(PSLIST_HEADER head);
PSLIST_ENTRY WINAPI ExpInterlockedPushEntrySList(PSLIST_HEADER head, PSLIST_ENTRY entry);
PSLIST_ENTRY WINAPI ExpInterlockedFlushSList(PSLIST_HEADER head);
USHORT WINAPI ExQueryDepthSList(PSLIST_HEADER head);
#define InterlockedPopEntrySList(head) ExpInterlockedPopEntrySList(head)
#define InterlockedPushEntrySList(head, entry) ExpInterlockedPushEntrySList(head, entry)
#define InterlockedFlushSList(head) ExpInterlockedFlushSList(head)
#define QueryDepthSList(head) ExQueryDepthSList(head)
static __forceinline void InitializeSListHead(PSLIST_HEADER head)
{
    /* all 16 bytes: an empty list at sequence 0 */
    head->Alignment = 0;
    head->Region = 0;
}
#else
/* x86: ntoskrnl's fastcall exports; the depth is read from the header. */
PSLIST_ENTRY FASTCALL InterlockedPopEntrySList(PSLIST_HEADER head);
PSLIST_ENTRY FASTCALL InterlockedPushEntrySList(PSLIST_HEADER head, PSLIST_ENTRY entry);
PSLIST_ENTRY FASTCALL ExInterlockedFlushSList(PSLIST_HEADER head);
#define InterlockedFlushSList(head) ExInterlockedFlushSList(head)
#define QueryDepthSList(head) ((USHORT)(head)->Depth)
static __forceinline void InitializeSListHead(PSLIST_HEADER head)
{
    head->Alignment = 0;
}

/* x86: the spin lock routines are hal.dll's fastcall ones. */
KIRQL FASTCALL KfAcquireSpinLock(PKSPIN_LOCK lock);
void FASTCALL KfReleaseSpinLock(PKSPIN_LOCK lock, KIRQL old_irql);
#define KeAcquireSpinLock(lock, old_irql) (*(old_irql) = KfAcquireSpinLock(lock))
#define KeReleaseSpinLock(lock, old_irql) KfReleaseSpinLock(lock, old_irql)
#endif

/* The WDK's name for completing an IRP is a macro over ntoskrnl's fastcall export. */
void FASTCALL IofCompleteRequest(PIRP irp, CCHAR priority_boost);
#define IoCompleteRequest(irp, priority_boost) IofCompleteRequest(irp, priority_boost)

/* The WDK's inline that makes an IRP's next stack location the current one (what IoCallDriver
 * does); Wine's wdm.h has only the opposite, IoSkipCurrentIrpStackLocation. */
static __forceinline void IoSetNextIrpStackLocation(PIRP irp)
{
    IoGetCurrentIrpStackLocation(irp) = IoGetNextIrpStackLocation(irp);
    irp->CurrentLocation--;
}

/* The WDK's macro for the bytes an MDL describes. */
#define MmGetMdlByteCount(mdl) ((mdl)->ByteCount)

/* The remove lock's wrappers over the *Ex functions (release builds' arguments). */
#define IoInitializeRemoveLock(lock, tag, minutes, watermark) \
    IoInitializeRemoveLockEx(lock, tag, minutes, watermark, sizeof(IO_REMOVE_LOCK))
#define IoAcquireRemoveLock(lock, tag) IoAcquireRemoveLockEx(lock, tag, "", 1, sizeof(IO_REMOVE_LOCK))
#define IoReleaseRemoveLock(lock, tag) IoReleaseRemoveLockEx(lock, tag, sizeof(IO_REMOVE_LOCK))
#define IoReleaseRemoveLockAndWait(lock, tag) IoReleaseRemoveLockAndWaitEx(lock, tag, sizeof(IO_REMOVE_LOCK))

/* ---- constants ------------------------------------------------------------------------------ */
#define NonPagedPoolNx ((POOL_TYPE)512)

/* ---- the role types drivers declare their routines with ------------------------------------- */
typedef NTSTATUS WINAPI DRIVER_INITIALIZE(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);
typedef void WINAPI DRIVER_UNLOAD(PDRIVER_OBJECT driver);
typedef NTSTATUS WINAPI DRIVER_DISPATCH(PDEVICE_OBJECT device, PIRP irp);
typedef void WINAPI DRIVER_CANCEL(PDEVICE_OBJECT device, PIRP irp);
typedef void WINAPI KDEFERRED_ROUTINE(PKDPC dpc, PVOID context, PVOID argument1, PVOID argument2);
typedef void WINAPI IO_WORKITEM_ROUTINE(PDEVICE_OBJECT device, PVOID context);
typedef void WINAPI KSTART_ROUTINE(PVOID context);

/* Wine's <ddk/wdm.h> declares it (the WDK: <ntifs.h>); a WDM driver that declares it itself
 * checks this first. */
#define KCOM_DDK_DECLARES_ZW_WAIT_FOR_SINGLE_OBJECT 1

#ifdef __cplusplus
}
#endif

#endif /* KCOM_WINE_DDK_H */
