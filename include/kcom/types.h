/*
 * kcom/types.h - the Windows base types kcom's API is written in: ULONG, LONG, NTSTATUS, GUID, IID.
 *
 * In the kernel build they come from the DDK (<wdm.h>), in Windows user mode from <windows.h>;
 * on the host kcom defines them with their Windows sizes (ULONG is 32-bit everywhere).
 */
#ifndef KCOM_TYPES_H
#define KCOM_TYPES_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/compiler.h>

#include <stddef.h>
#include <stdint.h>

#if KCOM_TARGET_NTKERNEL
/* The DDK: NTSTATUS and the STATUS_* codes (ntstatus.h), GUID/IID and REFIID (guiddef.h: a pointer
 * in C, a reference in C++). A driver that needs <ntddk.h> or <ntifs.h> includes it before kcom;
 * each includes <wdm.h> itself. */
#if defined(__cplusplus) && defined(__MINGW32__) && !defined(_WDMDDK_)
/* mingw-w64's wdm.h defines InterlockedBitTestAndSet/Reset inline after its intrin.h has defined
 * them: C accepts the second definition, C++ does not. Marking intrin.h's as defined leaves wdm.h's. */
#define __INTRINSIC_DEFINED_InterlockedBitTestAndSet
#define __INTRINSIC_DEFINED_InterlockedBitTestAndReset
#endif
#include <wdm.h>
/* wdm.h has included ntstatus.h. A later <punknown.h> includes winnt.h, which would redefine
 * STATUS_PENDING and a few others as DWORD (turning status comparisons unsigned) unless this
 * is defined. */
#ifndef WIN32_NO_STATUS
#define WIN32_NO_STATUS
#endif
#elif KCOM_TARGET_WIN32
/* <windows.h> without what WIN32_LEAN_AND_MEAN leaves out (ole2.h among it), unless it came
 * first: kcom's IUnknown is then its own, the C struct with an lpVtbl (in C++, the whole header's
 * is a class kcom's objects cannot be built on: docs/building.md). A later #include of it adds
 * nothing; a source includes what the lean header leaves out itself. The macro does not outlive
 * this include. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#define KCOM_LEAN_WINDOWS_H_ 1
#endif
/* winnt.h defines a few STATUS_* codes as DWORD, which would make `status == STATUS_PENDING` an
 * unsigned comparison; WIN32_NO_STATUS keeps them out so ntstatus.h can define every code as
 * NTSTATUS. (When windows.h came first, ntstatus.h's later definitions replace winnt.h's.) */
#if !defined(_WINNT_) && !defined(WIN32_NO_STATUS)
#define WIN32_NO_STATUS
#include <windows.h>
#undef WIN32_NO_STATUS
#else
#include <windows.h>
#endif
#ifdef KCOM_LEAN_WINDOWS_H_
#undef WIN32_LEAN_AND_MEAN
#undef KCOM_LEAN_WINDOWS_H_
#endif
/* The SDK declares NTSTATUS only in NT-flavoured headers (ntdef.h, winternl.h, bcrypt.h...); C11
 * and C++ allow this identical typedef to repeat theirs. */
typedef LONG NTSTATUS;
/* ntstatus.h defines nothing while WIN32_NO_STATUS is set (an application may keep it set). */
#pragma push_macro("WIN32_NO_STATUS")
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#pragma pop_macro("WIN32_NO_STATUS")
#else /* host */

typedef void VOID;
typedef uint8_t UCHAR;
typedef uint8_t BOOLEAN;
typedef uint16_t USHORT;
typedef uint16_t WCHAR;
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef int64_t LONG64;
typedef uint64_t ULONG64;
typedef uintptr_t ULONG_PTR;
typedef intptr_t LONG_PTR;
typedef size_t SIZE_T;
typedef void *PVOID;
typedef LONG NTSTATUS;
typedef LONG HRESULT;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} GUID;
#endif

#ifndef __IID_DEFINED__
#define __IID_DEFINED__
typedef GUID IID;
typedef IID *LPIID;
#endif

/* A pointer in C and C++ alike on the host. The DDK and the SDK make REFIID a reference in C++
 * (same ABI); kcom's own functions therefore take `const IID *`, and only vtable slots use REFIID. */
typedef const IID *REFIID;

/* UTF-16 strings as Windows has them (WCHAR is 16-bit here too, unlike the host's wchar_t): the
 * DDK's ntdef.h layout, lengths in bytes. Windows user mode gets UNICODE_STRING from <winternl.h>
 * (kcom/unicode_string.h includes it), the kernel from <wdm.h>. */
typedef WCHAR *PWCH;
typedef WCHAR *PWSTR;
typedef const WCHAR *PCWSTR;
#ifndef __UNICODE_STRING_DEFINED
#define __UNICODE_STRING_DEFINED
typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes of text, the terminating NUL (if any) excluded */
    USHORT MaximumLength; /* bytes of Buffer */
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
#endif
typedef const UNICODE_STRING *PCUNICODE_STRING;

#endif /* host */

KCOM_STATIC_ASSERT(sizeof(GUID) == 16, "GUID must be 16 bytes");
KCOM_STATIC_ASSERT(sizeof(ULONG) == 4 && sizeof(LONG) == 4, "ULONG and LONG are 32-bit");
KCOM_STATIC_ASSERT(sizeof(NTSTATUS) == 4, "NTSTATUS is 32-bit");

/* kcom's structures are laid out at the compiler's default packing, as the library was built: a
 * file that includes kcom inside a #pragma pack, or is built with /Zp4 or -fpack-struct, would see
 * other layouts (a timer awaitable 4 bytes shorter, its fields moved) and corrupt them silently. A
 * pointer, and on Windows and 64-bit targets an 8-byte integer (i386's System V ABI aligns one to
 * 4 in a struct), sit at their natural offsets. */
struct kcom_rt_packing_ {
    char c;
    void *p;
    char d;
    LONG64 v;
};
#if defined(_WIN32) || defined(__LP64__) || defined(_LP64)
#define KCOM_RT_LONG64_GAP_ 8
#else
#define KCOM_RT_LONG64_GAP_ (offsetof(struct kcom_rt_packing_, v) - offsetof(struct kcom_rt_packing_, d))
#endif
KCOM_STATIC_ASSERT(offsetof(struct kcom_rt_packing_, p) == sizeof(void *) &&
                       offsetof(struct kcom_rt_packing_, v) - offsetof(struct kcom_rt_packing_, d) ==
                           KCOM_RT_LONG64_GAP_,
                   "kcom's headers need the default structure packing: include them outside #pragma pack, "
                   "and build without /Zp or -fpack-struct");
#undef KCOM_RT_LONG64_GAP_

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_TYPES_H */
