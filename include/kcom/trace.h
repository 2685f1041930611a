/*
 * kcom/trace.h - the trace hook, KCOM_TRACE and KCOM_ENSURE.
 *
 * Every message kcom emits goes through one hook. The default writes to the platform's debug
 * output (kernel: vDbgPrintExWithPrefix, the DbgPrintEx family, component DPFLTR_IHVDRIVER_ID;
 * Windows user mode: stderr and OutputDebugStringA; host: stderr), one line per message. The
 * kernel's cuts a message after 399 characters (DbgPrint prints at most 512 bytes a call), Windows
 * user mode's after about 1,000 with its prefix; a cut message ends in "...". A hook gets every
 * message whole. A driver routes them elsewhere (WPP, TraceLogging) by installing its own hook.
 *
 * In the kernel, ERROR goes out at DPFLTR_ERROR_LEVEL (0), which Windows always passes to the
 * debugger; WARNING at DPFLTR_WARNING_LEVEL (1), INFO at DPFLTR_INFO_LEVEL (3), VERBOSE at
 * DPFLTR_TRACE_LEVEL (2), which Windows drops unless the component's filter mask has their bits:
 * "ed nt!Kd_IHVDRIVER_Mask 0xf" in the kernel debugger, or the DWORD value IHVDRIVER = 0xf under
 * HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Debug Print Filter (read at boot). So
 * kcom's warnings (the wait watchdog's "suspected deadlock", a saturated count) need that mask to
 * be seen. Under Wine (WINEDEBUG=warn+debugstr) a line reads "vDbgPrintExWithPrefix
 * 0000004d:00000001: kcom error: file.c:42: ...": the component, then the level as a mask bit.
 */
#ifndef KCOM_TRACE_H
#define KCOM_TRACE_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/status.h>

#include <stdarg.h>

typedef enum kcom_trace_level {
    KCOM_TRACE_LEVEL_NONE = 0,
    KCOM_TRACE_LEVEL_ERROR = 1,
    KCOM_TRACE_LEVEL_WARNING = 2,
    KCOM_TRACE_LEVEL_INFO = 3,
    KCOM_TRACE_LEVEL_VERBOSE = 4
} kcom_trace_level;

/* A trace sink. format and args are printf-style, in the subset every target prints alike: C99
 * integer conversions (%zu, %lld), %p, %c, %s (narrow text); no wide text (%ws, %S, %ls, %wZ: the
 * host's wchar_t is 32-bit, and %S cuts a message there) and no floating point. %p is the
 * platform's: 0x... on the host, 16 hex digits without 0x on Windows. The default sink prints one
 * line per message: `kcom <level>: <file>:<line>: <text>`, or `kcom <level>: <text>` for a NULL
 * file; a format's own newlines (DbgPrint code ends its formats with one) add lines, blank ones
 * too, so kcom's own formats have none. The host's sink cuts nothing. */
typedef void kcom_trace_hook(void *context, kcom_trace_level level, const char *file, int line,
                             const char *format, va_list args);

KCOM_BEGIN_DECLS

/*
 * kcom_set_trace_hook - routes kcom's messages to hook (NULL restores the default sink).
 * IRQL: PASSIVE_LEVEL, while no other thread traces (driver initialization). Never fails.
 * The hook is called at the IRQL of the code that traces: up to DISPATCH_LEVEL, except for the
 * reports of reference count misuse and fail-fast, which come at the IRQL of the failing call.
 */
_IRQL_requires_(PASSIVE_LEVEL)
void kcom_set_trace_hook(_In_opt_ kcom_trace_hook *hook, _In_opt_ void *context);

/*
 * kcom_set_trace_level - messages above level are dropped before formatting.
 * Default: KCOM_TRACE_LEVEL_WARNING. The lines that precede a stop are written whatever it says,
 * KCOM_TRACE_LEVEL_NONE included: kcom_fail_fast's report and the ERROR line kcom writes just
 * before each stop of its own (the call and the IRQL, the object's class, the sizes; the counting
 * allocator's misuse line, kcom/counting_allocator.h; the host simulation's reports of a broken
 * kernel rule); reports of misuse that do not stop (reference counts in the OFF and LEAKY modes)
 * are ERROR messages like any other. Returns the previous level; a level outside the enumeration
 * is ignored (the filter stays, and is returned). IRQL: any. Never fails.
 */
_IRQL_requires_max_(HIGH_LEVEL)
kcom_trace_level kcom_set_trace_level(_In_ kcom_trace_level level);

/* kcom_trace_level_name - "error", "warning", "info", "verbose", "none"; "unknown" for a value
 * outside the enumeration. IRQL: any. Never returns NULL. */
_IRQL_requires_max_(HIGH_LEVEL)
_Ret_z_ const char *kcom_trace_level_name(_In_ kcom_trace_level level);

/* kcom_trace_enabled - TRUE when a message at level would reach the hook (never for
 * KCOM_TRACE_LEVEL_NONE, nor for a value outside the enumeration). IRQL: any. */
_IRQL_requires_max_(HIGH_LEVEL)
BOOLEAN kcom_trace_enabled(_In_ kcom_trace_level level);

/*
 * kcom_trace - hands one message to the hook, if level is enabled. IRQL: <= DISPATCH_LEVEL.
 * file may be NULL; a NULL format is ignored. Never fails.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_trace(_In_ kcom_trace_level level, _In_opt_z_ const char *file, _In_ int line,
                _In_opt_z_ _Printf_format_string_ const char *format, ...) KCOM_PRINTF_FORMAT(4, 5);

/* kcom_vtrace - kcom_trace with a va_list (a NULL format is ignored). IRQL: <= DISPATCH_LEVEL.
 * Never fails. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void kcom_vtrace(_In_ kcom_trace_level level, _In_opt_z_ const char *file, _In_ int line,
                 _In_opt_z_ _Printf_format_string_ const char *format, _In_ va_list args) KCOM_PRINTF_FORMAT(4, 0);

KCOM_END_DECLS

/*
 * Call tracing - with KCOM_TRACE_CALLS defined to 1 where a class's KCOM_IMPLEMENT is (before
 * including kcom), the generated shims trace each call at KCOM_TRACE_LEVEL_VERBOSE, with the
 * file and line of the KCOM_IMPLEMENT, as Wine's TRACE does on every method entry:
 *   on entry                               KCOM_TRACE_CALL_FORMAT: interface, method, This
 *   on return of QueryInterface, of RESULT methods and of METHODs returning NTSTATUS
 *                                          KCOM_TRACE_CALL_STATUS_FORMAT: the same, then the
 *                                          status's name (kcom_status_name) and its value
 *   AddRef and Release, on return only     KCOM_TRACE_CALL_COUNT_FORMAT: the same, then the new
 *                                          count (unsigned long)
 * (interface and method: const char *; This: const void *; value: unsigned). ASYNC methods trace
 * their entry. The delegating IUnknown of an aggregatable class traces the same around its
 * forward to the outer (the object's own inner IUnknown when it has none): the status or count
 * is the outer's.
 * The shims then call kcom_trace: IRQL <= DISPATCH_LEVEL for every method, AddRef included. Where
 * KCOM_TRACE_CALLS is not defined (or 0), the shims contain no trace at all.
 */
#define KCOM_TRACE_CALL_FORMAT "call %s::%s(%p)"
#define KCOM_TRACE_CALL_STATUS_FORMAT "call %s::%s(%p) -> %s (0x%08x)"
#define KCOM_TRACE_CALL_COUNT_FORMAT "call %s::%s(%p) -> %lu"

/* KCOM_TRACE(ERROR|WARNING|INFO|VERBOSE, format, ...) - traces with the caller's file and line. */
#define KCOM_TRACE(level, ...) kcom_trace(KCOM_TRACE_LEVEL_##level, __FILE__, __LINE__, __VA_ARGS__)

/*
 * KCOM_ENSURE(cond, status) - in a function returning NTSTATUS: when cond is false, traces the
 * condition with file and line at ERROR level and returns status from the enclosing function.
 */
#define KCOM_ENSURE(cond, status)                                                         \
    do {                                                                                  \
        if (KCOM_UNLIKELY(!(cond))) {                                                     \
            NTSTATUS kcom_ensure_status_ = (status);                                      \
            kcom_trace(KCOM_TRACE_LEVEL_ERROR, __FILE__, __LINE__,                        \
                       "ensure failed: %s -> %s (0x%08x)", #cond,                         \
                       kcom_status_name(kcom_ensure_status_), (unsigned)kcom_ensure_status_); \
            return kcom_ensure_status_;                                                   \
        }                                                                                 \
    } while (0)

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_TRACE_H */
