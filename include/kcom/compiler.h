/*
 * kcom/compiler.h - compiler and target detection, attributes, calling convention.
 *
 * Everything here differs by compiler or target only; the runtime's platform seam (allocation,
 * fail-fast, default trace sink) lives in src/platform/<target>/.
 */
#ifndef KCOM_COMPILER_H
#define KCOM_COMPILER_H

/* ---- target ------------------------------------------------------------------------------
 * Exactly one of KCOM_TARGET_NTKERNEL, KCOM_TARGET_WIN32, KCOM_TARGET_POSIX is 1.
 * The kernel target is chosen by defining KCOM_KERNEL (the kcom CMake kernel configuration does),
 * or by the WDK's _KERNEL_MODE. */
#if defined(KCOM_KERNEL) || defined(_KERNEL_MODE)
#define KCOM_TARGET_NTKERNEL 1
#define KCOM_TARGET_WIN32 0
#define KCOM_TARGET_POSIX 0
#elif defined(_WIN32)
#define KCOM_TARGET_NTKERNEL 0
#define KCOM_TARGET_WIN32 1
#define KCOM_TARGET_POSIX 0
#else
#define KCOM_TARGET_NTKERNEL 0
#define KCOM_TARGET_WIN32 0
#define KCOM_TARGET_POSIX 1
#endif

/* ---- language linkage ----------------------------------------------------------------------- */
#ifdef __cplusplus
#define KCOM_EXTERN_C extern "C"
#define KCOM_BEGIN_DECLS extern "C" {
#define KCOM_END_DECLS }
#else
#define KCOM_EXTERN_C
#define KCOM_BEGIN_DECLS
#define KCOM_END_DECLS
#endif

/* ---- calling convention: what MIDL's STDMETHODCALLTYPE is ------------------------------------ */
#if defined(_WIN32) && !defined(_WIN64) && (defined(_M_IX86) || defined(__i386__))
#define KCOM_STDCALL __stdcall
#else
#define KCOM_STDCALL
#endif

/* ---- attributes ---------------------------------------------------------------------------- */
#if defined(_MSC_VER) && !defined(__clang__)
#define KCOM_FORCEINLINE __forceinline
#define KCOM_NOINLINE __declspec(noinline)
#define KCOM_NORETURN __declspec(noreturn)
#define KCOM_UNUSED
#define KCOM_LIKELY(x) (x)
#define KCOM_UNLIKELY(x) (x)
#define KCOM_PRINTF_FORMAT(fmt_index, first_arg)
#else
#define KCOM_FORCEINLINE inline __attribute__((always_inline))
#define KCOM_NOINLINE __attribute__((noinline))
#define KCOM_NORETURN __attribute__((noreturn))
#define KCOM_UNUSED __attribute__((unused))
#define KCOM_LIKELY(x) __builtin_expect(!!(x), 1)
#define KCOM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#if defined(__MINGW32__) && !defined(__clang__)
/* mingw-w64's gcc checks `printf` formats against the old msvcrt (no %zu, %lld, %hh). kcom's
 * formatters on Windows take C99 formats: mingw-w64's own stdio in user mode (C11 builds select it),
 * ntoskrnl's _vsnprintf and DbgPrint in the kernel. */
#define KCOM_PRINTF_FORMAT(fmt_index, first_arg) __attribute__((format(gnu_printf, fmt_index, first_arg)))
#else
#define KCOM_PRINTF_FORMAT(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#endif
#endif

/* One definition per program for constants defined in headers (IIDs, interface descriptors),
 * the way DEFINE_GUID with INITGUID and MIDL's selectany IIDs behave. */
#if defined(_MSC_VER)
#define KCOM_SELECTANY __declspec(selectany)
#elif defined(_WIN32)
#define KCOM_SELECTANY __attribute__((selectany))
#else
#define KCOM_SELECTANY __attribute__((weak))
#endif

/* Unroll the next loop completely when its trip count is a constant: the loops over a class's
 * interface table then become straight-line code in the generated functions. (clang does so
 * unasked, and warns about the pragma where the count is not a constant.) */
#if defined(__GNUC__) && !defined(__clang__)
#define KCOM_UNROLL_LOOP _Pragma("GCC unroll 64")
#else
#define KCOM_UNROLL_LOOP
#endif

/* ---- static assertion usable in C11 and C++17 ------------------------------------------------ */
#ifdef __cplusplus
#define KCOM_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define KCOM_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* Alignment of a type, C11 and C++ alike. */
#ifdef __cplusplus
#define KCOM_ALIGNOF(type) alignof(type)
#else
#define KCOM_ALIGNOF(type) _Alignof(type)
#endif

/* Scope-exit cleanup (gcc, clang): enables KCOM_SCOPED in kcom/client.h. */
#if !defined(_MSC_VER) || defined(__clang__)
#define KCOM_HAVE_CLEANUP 1
#else
#define KCOM_HAVE_CLEANUP 0
#endif

/* ---- IRQL / SAL annotations -------------------------------------------------------------------
 * kcom's declarations state their IRQL range and their parameters' roles the WDK's way. The
 * WDK's sal.h / driverspecs.h supply these for MSVC's static analysis (/analyze); elsewhere they
 * are documentation only and expand to nothing. Each is defined here only if still undefined, with
 * the parameter names mingw-w64's sal.h and driverspecs.h use, so that their later (equally empty)
 * definitions are identical redefinitions. With the WDK, include <ntddk.h> or <wdm.h> before kcom
 * so that its real definitions are the ones seen. */
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(x)
#endif
#ifndef _IRQL_requires_
#define _IRQL_requires_(x)
#endif
#ifndef _In_
#define _In_
#endif
#ifndef _In_opt_
#define _In_opt_
#endif
#ifndef _In_z_
#define _In_z_
#endif
#ifndef _In_opt_z_
#define _In_opt_z_
#endif
#ifndef _Out_
#define _Out_
#endif
#ifndef _Outptr_
#define _Outptr_
#endif
#ifndef _Outptr_result_maybenull_
#define _Outptr_result_maybenull_
#endif
#ifndef _Outptr_result_nullonfailure_
#define _Outptr_result_nullonfailure_
#endif
#ifndef _COM_Outptr_
#define _COM_Outptr_
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Inout_opt_
#define _Inout_opt_
#endif
#ifndef _Out_writes_
#define _Out_writes_(s)
#endif
#ifndef _Out_writes_opt_
#define _Out_writes_opt_(s)
#endif
#ifndef _Frees_ptr_opt_
#define _Frees_ptr_opt_
#endif
#ifndef _Printf_format_string_
#define _Printf_format_string_
#endif
#ifndef _Ret_notnull_
#define _Ret_notnull_
#endif
#ifndef _Ret_maybenull_
#define _Ret_maybenull_
#endif
#ifndef _Ret_z_
#define _Ret_z_
#endif
#ifndef _Post_writable_byte_size_
#define _Post_writable_byte_size_(s)
#endif
#ifndef _Must_inspect_result_
#define _Must_inspect_result_
#endif
#ifndef _Success_
#define _Success_(expr)
#endif
/* The IRQL levels the annotations name. The kernel target takes them from <wdm.h> (HIGH_LEVEL is
 * 15 on x64 and 31 on x86), which kcom/types.h includes before any annotated declaration. */
#if !KCOM_TARGET_NTKERNEL
#ifndef PASSIVE_LEVEL
#define PASSIVE_LEVEL 0
#endif
#ifndef APC_LEVEL
#define APC_LEVEL 1
#endif
#ifndef DISPATCH_LEVEL
#define DISPATCH_LEVEL 2
#endif
#ifndef HIGH_LEVEL
#define HIGH_LEVEL 15
#endif
#endif

#endif /* KCOM_COMPILER_H */
