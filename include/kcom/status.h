/*
 * kcom/status.h - NTSTATUS codes kcom returns, NT_SUCCESS, and NTSTATUS <-> HRESULT conversion.
 *
 * Values are the real Windows ones. Each is defined only if the platform headers have not already
 * defined it (the DDK's ntstatus.h, winnt.h), so kcom coexists with them.
 */
#ifndef KCOM_STATUS_H
#define KCOM_STATUS_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/types.h>

#define KCOM_NTSTATUS_(value) ((NTSTATUS)(value))

#ifndef NT_SUCCESS
#define NT_SUCCESS(status) (((NTSTATUS)(status)) >= 0)
#endif

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS KCOM_NTSTATUS_(0x00000000L)
#endif
#ifndef STATUS_TIMEOUT
#define STATUS_TIMEOUT KCOM_NTSTATUS_(0x00000102L)
#endif
#ifndef STATUS_PENDING
#define STATUS_PENDING KCOM_NTSTATUS_(0x00000103L)
#endif
#ifndef STATUS_BUFFER_OVERFLOW
#define STATUS_BUFFER_OVERFLOW KCOM_NTSTATUS_(0x80000005L)
#endif
#ifndef STATUS_UNSUCCESSFUL
#define STATUS_UNSUCCESSFUL KCOM_NTSTATUS_(0xC0000001L)
#endif
#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED KCOM_NTSTATUS_(0xC0000002L)
#endif
#ifndef STATUS_INVALID_PARAMETER
#define STATUS_INVALID_PARAMETER KCOM_NTSTATUS_(0xC000000DL)
#endif
#ifndef STATUS_INVALID_DEVICE_REQUEST
#define STATUS_INVALID_DEVICE_REQUEST KCOM_NTSTATUS_(0xC0000010L)
#endif
#ifndef STATUS_NO_MEMORY
#define STATUS_NO_MEMORY KCOM_NTSTATUS_(0xC0000017L)
#endif
#ifndef STATUS_ACCESS_DENIED
#define STATUS_ACCESS_DENIED KCOM_NTSTATUS_(0xC0000022L)
#endif
#ifndef STATUS_BUFFER_TOO_SMALL
#define STATUS_BUFFER_TOO_SMALL KCOM_NTSTATUS_(0xC0000023L)
#endif
#ifndef STATUS_DELETE_PENDING
#define STATUS_DELETE_PENDING KCOM_NTSTATUS_(0xC0000056L)
#endif
#ifndef STATUS_INTEGER_OVERFLOW
#define STATUS_INTEGER_OVERFLOW KCOM_NTSTATUS_(0xC0000095L)
#endif
#ifndef STATUS_IO_TIMEOUT
#define STATUS_IO_TIMEOUT KCOM_NTSTATUS_(0xC00000B5L)
#endif
#ifndef STATUS_INTERNAL_ERROR
#define STATUS_INTERNAL_ERROR KCOM_NTSTATUS_(0xC00000E5L)
#endif
#ifndef STATUS_INSUFFICIENT_RESOURCES
#define STATUS_INSUFFICIENT_RESOURCES KCOM_NTSTATUS_(0xC000009AL)
#endif
#ifndef STATUS_NOT_SUPPORTED
#define STATUS_NOT_SUPPORTED KCOM_NTSTATUS_(0xC00000BBL)
#endif
#ifndef STATUS_NAME_TOO_LONG
#define STATUS_NAME_TOO_LONG KCOM_NTSTATUS_(0xC0000106L)
#endif
#ifndef STATUS_CANCELLED
#define STATUS_CANCELLED KCOM_NTSTATUS_(0xC0000120L)
#endif
#ifndef STATUS_INVALID_DEVICE_STATE
#define STATUS_INVALID_DEVICE_STATE KCOM_NTSTATUS_(0xC0000184L)
#endif
#ifndef STATUS_NOT_FOUND
#define STATUS_NOT_FOUND KCOM_NTSTATUS_(0xC0000225L)
#endif
#ifndef STATUS_NOINTERFACE
#define STATUS_NOINTERFACE KCOM_NTSTATUS_(0xC00002B9L)
#endif
#ifndef STATUS_ALREADY_REGISTERED
#define STATUS_ALREADY_REGISTERED KCOM_NTSTATUS_(0xC0000718L)
#endif

/* HRESULT values used by the conversions. Windows has them from <winerror.h>: user mode through
 * <windows.h>, the kernel here (<wdm.h> does not include it; drivers include it after <ntddk.h>).
 * It defines them unconditionally, so kcom must not define them first: a driver including
 * <winerror.h> after kcom would redefine them (cl.exe's C4005, an error under /WX). The host gets
 * them here, each only if missing. */
#if KCOM_TARGET_NTKERNEL
#include <winerror.h>
#elif KCOM_TARGET_POSIX
#define KCOM_HRESULT_(value) ((HRESULT)(value))
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#endif
#ifndef FAILED
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif
#ifndef S_OK
#define S_OK KCOM_HRESULT_(0x00000000L)
#endif
#ifndef S_FALSE
#define S_FALSE KCOM_HRESULT_(0x00000001L)
#endif
#ifndef E_NOTIMPL
#define E_NOTIMPL KCOM_HRESULT_(0x80004001L)
#endif
#ifndef E_NOINTERFACE
#define E_NOINTERFACE KCOM_HRESULT_(0x80004002L)
#endif
#ifndef E_POINTER
#define E_POINTER KCOM_HRESULT_(0x80004003L)
#endif
#ifndef E_ABORT
#define E_ABORT KCOM_HRESULT_(0x80004004L)
#endif
#ifndef E_FAIL
#define E_FAIL KCOM_HRESULT_(0x80004005L)
#endif
#ifndef E_PENDING
#define E_PENDING KCOM_HRESULT_(0x8000000AL)
#endif
#ifndef E_ACCESSDENIED
#define E_ACCESSDENIED KCOM_HRESULT_(0x80070005L)
#endif
#ifndef E_OUTOFMEMORY
#define E_OUTOFMEMORY KCOM_HRESULT_(0x8007000EL)
#endif
#ifndef E_INVALIDARG
#define E_INVALIDARG KCOM_HRESULT_(0x80070057L)
#endif
#endif

/* FACILITY_NT_BIT: HRESULT_FROM_NT(status) == status | KCOM_FACILITY_NT_BIT. */
#define KCOM_FACILITY_NT_BIT 0x10000000L

KCOM_BEGIN_DECLS

/*
 * kcom_hresult_from_ntstatus - the HRESULT a COM client expects for an NTSTATUS.
 * IRQL: any. Never fails.
 * Success codes map to S_OK, except STATUS_PENDING (-> E_PENDING). Well-known failures map to their
 * COM equivalents (STATUS_NOINTERFACE -> E_NOINTERFACE, STATUS_INVALID_PARAMETER -> E_INVALIDARG,
 * STATUS_INSUFFICIENT_RESOURCES and STATUS_NO_MEMORY -> E_OUTOFMEMORY, STATUS_NOT_IMPLEMENTED ->
 * E_NOTIMPL, STATUS_ACCESS_DENIED -> E_ACCESSDENIED, STATUS_CANCELLED ->
 * HRESULT_FROM_WIN32(ERROR_CANCELLED), which is 0x800704C7, STATUS_UNSUCCESSFUL -> E_FAIL); every
 * other failure becomes HRESULT_FROM_NT(status).
 */
_IRQL_requires_max_(HIGH_LEVEL)
HRESULT kcom_hresult_from_ntstatus(_In_ NTSTATUS status);

/*
 * kcom_ntstatus_from_hresult - the inverse of kcom_hresult_from_ntstatus.
 * IRQL: any. Never fails.
 * Success HRESULTs (S_OK, S_FALSE, ...) map to STATUS_SUCCESS; the COM equivalents above map back
 * (E_OUTOFMEMORY -> STATUS_INSUFFICIENT_RESOURCES, E_PENDING -> STATUS_PENDING), and so do
 * E_POINTER (-> STATUS_INVALID_PARAMETER) and E_ABORT (-> STATUS_CANCELLED); other failures with
 * the FACILITY_NT bit (HRESULT_FROM_NT values) give back their NTSTATUS; any other failure ->
 * STATUS_UNSUCCESSFUL.
 */
_IRQL_requires_max_(HIGH_LEVEL)
NTSTATUS kcom_ntstatus_from_hresult(_In_ HRESULT hr);

/*
 * kcom_status_name - the symbolic name of a status kcom knows ("STATUS_NOINTERFACE"), or
 * "STATUS_<unknown>" for others. For traces and test messages. IRQL: any. Never returns NULL.
 */
_IRQL_requires_max_(HIGH_LEVEL)
_Ret_z_ const char *kcom_status_name(_In_ NTSTATUS status);

KCOM_END_DECLS

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_STATUS_H */
