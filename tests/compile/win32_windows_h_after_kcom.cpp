/*
 * Windows user mode, C++: a source that implements kcom classes includes kcom first, which
 * includes <windows.h> lean there (the full one brings ole2.h, whose C++ IUnknown kcom's objects
 * cannot be built on: docs/building.md). What the lean header leaves out, the source includes
 * itself, and the macro does not outlive kcom's include. Built by the Windows configuration
 * (kcom_win32_include_order): compiling it is the test.
 */
#include <kcom/kcom.h>
#include <windows.h>
#include <winsock2.h>
#include <shellapi.h>
#include <mmsystem.h>

#ifdef WIN32_LEAN_AND_MEAN
#error "kcom defined WIN32_LEAN_AND_MEAN for the rest of a C++ source"
#endif

extern "C" int kcom_test_win32_windows_h_after_kcom_cxx(void);
extern "C" int kcom_test_win32_windows_h_after_kcom_cxx(void)
{
    SHELLEXECUTEINFOA info{};
    MMRESULT result = MMSYSERR_NOERROR;
    static_assert(sizeof(SOCKET) == sizeof(UINT_PTR), "winsock2.h after kcom");
    info.cbSize = static_cast<DWORD>(sizeof(info));
    return result == MMSYSERR_NOERROR && info.cbSize != 0 ? 0 : 1;
}
