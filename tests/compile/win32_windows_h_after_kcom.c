/*
 * Windows user mode, C: kcom includes <windows.h> lean, so a later <windows.h> adds nothing; what
 * the lean header leaves out (ole2.h, shellapi.h, mmsystem.h...) the source includes itself, and
 * kcom's WIN32_LEAN_AND_MEAN does not outlive kcom's include. Built by the Windows configuration
 * (kcom_win32_include_order): compiling it is the test.
 */
#include <kcom/kcom.h>
#include <windows.h>

#ifdef WIN32_LEAN_AND_MEAN
#error "kcom defined WIN32_LEAN_AND_MEAN for the rest of a C source"
#endif

#include <ole2.h>
#include <shellapi.h>
#include <mmsystem.h>

int kcom_test_win32_windows_h_after_kcom(void);
int kcom_test_win32_windows_h_after_kcom(void)
{
    SHELLEXECUTEINFOA info;
    MMRESULT result = MMSYSERR_NOERROR;
    LPUNKNOWN unknown = NULL;
    IUnknown *same = unknown;
    info.cbSize = (DWORD)sizeof(info);
    return same == NULL && result == MMSYSERR_NOERROR && info.cbSize != 0 && COINIT_MULTITHREADED == 0 ? 0 : 1;
}
