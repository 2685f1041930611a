/*
 * The Windows kernel: non-paged pool with kcom's tag, the DbgPrintEx family, KeBugCheckEx.
 *
 * Built freestanding against ntoskrnl only: nothing here may call the C runtime.
 */
#include "../platform.h"

#include "internal_ntkernel.h"

/* ExAllocatePool2 (Windows 10 2004 and later) is not in mingw-w64's DDK, and older kernels (and
 * Wine) do not export it: a static import would keep the driver from loading there. It is
 * looked up at run time instead. */
#ifndef POOL_FLAG_NON_PAGED
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#endif
typedef PVOID(NTAPI kcom_ex_allocate_pool2_fn)(ULONG64 flags, SIZE_T size, ULONG tag);

/* Set at PASSIVE_LEVEL by kcom_initialize, before the driver allocates; read-only afterwards. */
static kcom_ex_allocate_pool2_fn *ex_allocate_pool2;
kcom_ke_remove_queue_dpc_fn *kcom_ntkernel_remove_queue_dpc;
kcom_ke_get_current_processor_number_ex_fn *kcom_ntkernel_current_processor_number_ex;
kcom_ke_get_processor_number_from_index_fn *kcom_ntkernel_processor_number_from_index;
kcom_ke_set_target_processor_dpc_ex_fn *kcom_ntkernel_set_target_processor_dpc_ex;
kcom_ke_set_target_processor_dpc_fn *kcom_ntkernel_set_target_processor_dpc;

/* The DbgPrintEx filter values the WDK's dpfilter.h defines; mingw-w64 has none of them. */
#ifndef DPFLTR_IHVDRIVER_ID
#define DPFLTR_IHVDRIVER_ID 77
#endif
#define KCOM_DPFLTR_ERROR_LEVEL 0
#define KCOM_DPFLTR_WARNING_LEVEL 1
#define KCOM_DPFLTR_TRACE_LEVEL 2
#define KCOM_DPFLTR_INFO_LEVEL 3

/* ntoskrnl's CRT formatter: Microsoft semantics (returns -1 and does not terminate when the
 * text does not fit). Declared here because the CRT's <stdio.h> does not belong in a driver. */
int __cdecl _vsnprintf(char *buffer, size_t count, const char *format, va_list args);

/* MmGetSystemRoutineAddress returns a function's address as a PVOID. ISO C has no conversion from
 * an object pointer to a function pointer (MSVC reports one as C4152 at /W4); Windows represents
 * both alike, so the address's bytes are copied into the function pointer. */
KCOM_STATIC_ASSERT(sizeof(PVOID) == sizeof(kcom_ex_allocate_pool2_fn *) &&
                       sizeof(PVOID) == sizeof(kcom_ke_remove_queue_dpc_fn *),
                   "a kernel routine's address fits a function pointer");
static void load_system_routine(PCWSTR name, void *function_pointer)
{
    UNICODE_STRING text;
    PVOID routine;
    RtlInitUnicodeString(&text, name);
    routine = MmGetSystemRoutineAddress(&text);
    RtlCopyMemory(function_pointer, &routine, sizeof(routine));
}

ULONG kcom_platform_processor_hint(void)
{
    return kcom_rt_processor_hint();
}

#if !(defined(_M_X64) || defined(__x86_64__) || defined(_M_IX86) || defined(__i386__))
ULONG kcom_rt_processor_number(void)
{
    kcom_ke_get_current_processor_number_ex_fn *current = kcom_ntkernel_current_processor_number_ex;
    return current != NULL ? current(NULL) : 0;
}
#endif

NTSTATUS kcom_platform_initialize(void)
{
    load_system_routine(L"ExAllocatePool2", &ex_allocate_pool2);
    load_system_routine(L"KeRemoveQueueDpc", &kcom_ntkernel_remove_queue_dpc);
    load_system_routine(L"KeGetCurrentProcessorNumberEx", &kcom_ntkernel_current_processor_number_ex);
    load_system_routine(L"KeGetProcessorNumberFromIndex", &kcom_ntkernel_processor_number_from_index);
    load_system_routine(L"KeSetTargetProcessorDpcEx", &kcom_ntkernel_set_target_processor_dpc_ex);
    load_system_routine(L"KeSetTargetProcessorDpc", &kcom_ntkernel_set_target_processor_dpc);
    return STATUS_SUCCESS;
}

void kcom_platform_uninitialize(void)
{
    /* a timer's DPC that has woken its task is still returning through this image's code */
    KeFlushQueuedDpcs();
}

void *kcom_rt_platform_allocate_natural(size_t size)
{
    kcom_ex_allocate_pool2_fn *allocate_pool2 = ex_allocate_pool2;
    /* ExAllocatePool2 zeroes the block and ExAllocatePoolWithTag does not; kcom needs neither.
     * Both blocks go back through ExFreePoolWithTag, without a tag check. */
    if (allocate_pool2 != NULL)
        return allocate_pool2(POOL_FLAG_NON_PAGED, size, kcom_pool_tag());
    /* POOL_TAGGING (set by the kernel toolchain) keeps this the tagged function. */
    return ExAllocatePoolWithTag(NonPagedPoolNx, size, kcom_pool_tag());
}

/* Tag 0: no tag check. The tag may have changed since the block was allocated (kcom_set_pool_tag),
 * and a mismatched tag is a bugcheck. */
void kcom_rt_platform_free_natural(void *block)
{
    ExFreePoolWithTag(block, 0);
}

static ULONG dpfltr_level(kcom_trace_level level)
{
    switch (level) {
    case KCOM_TRACE_LEVEL_ERROR:
        return KCOM_DPFLTR_ERROR_LEVEL;
    case KCOM_TRACE_LEVEL_WARNING:
        return KCOM_DPFLTR_WARNING_LEVEL;
    case KCOM_TRACE_LEVEL_INFO:
        return KCOM_DPFLTR_INFO_LEVEL;
    default:
        return KCOM_DPFLTR_TRACE_LEVEL;
    }
}

/* Small, CRT-free text builder for the prefix "kcom LEVEL: FILE:LINE: ". */
static size_t put_text(char *out, size_t size, size_t used, const char *text)
{
    while (*text != '\0' && used + 1 < size)
        out[used++] = *text++;
    out[used] = '\0';
    return used;
}

static size_t put_decimal(char *out, size_t size, size_t used, int value)
{
    char digits[12];
    int count = 0;
    unsigned magnitude = value < 0 ? 0u - (unsigned)value : (unsigned)value;
    do {
        digits[count++] = (char)('0' + magnitude % 10u);
        magnitude /= 10u;
    } while (magnitude != 0 && count < (int)sizeof(digits));
    if (value < 0 && used + 1 < size)
        out[used++] = '-';
    while (count > 0 && used + 1 < size)
        out[used++] = digits[--count];
    out[used] = '\0';
    return used;
}

/* vDbgPrintExWithPrefix takes a va_list: this builds one for ("%s\n", message). */
static void print_with_prefix(const char *prefix, ULONG level, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vDbgPrintExWithPrefix(prefix, DPFLTR_IHVDRIVER_ID, level, format, args);
    va_end(args);
}

void kcom_platform_trace(void *context, kcom_trace_level level, const char *file, int line,
                         const char *format, va_list args)
{
    /* The message is formatted first so that it reaches the debugger as one line with its
     * newline (DbgPrint adds none, and prints at most 512 bytes per call anyway). Callable up
     * to DISPATCH_LEVEL: no %wZ/%ws, which need PASSIVE_LEVEL, is used by kcom. */
    char prefix[128];
    char message[400];
    size_t used;
    (void)context;
    used = put_text(prefix, sizeof(prefix), 0, "kcom ");
    used = put_text(prefix, sizeof(prefix), used, kcom_trace_level_name(level));
    used = put_text(prefix, sizeof(prefix), used, ": ");
    if (file != NULL) {
        used = put_text(prefix, sizeof(prefix), used, kcom_platform_base_name(file));
        used = put_text(prefix, sizeof(prefix), used, ":");
        used = put_decimal(prefix, sizeof(prefix), used, line);
        used = put_text(prefix, sizeof(prefix), used, ": ");
    }
    if (_vsnprintf(message, sizeof(message) - 1, format, args) < 0) /* cut: say so */
        RtlCopyMemory(message + sizeof(message) - 4, "...", 3);
    message[sizeof(message) - 1] = '\0';
    print_with_prefix(prefix, dpfltr_level(level), "%s\n", message);
}

void kcom_platform_fail_fast(kcom_failfast_reason reason, const void *object, ULONG_PTR detail1,
                             ULONG_PTR detail2)
{
    KeBugCheckEx(KCOM_BUGCHECK_CODE, (ULONG_PTR)reason, (ULONG_PTR)object, detail1, detail2);
}
