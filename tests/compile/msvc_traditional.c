/*
 * Compiled by the ctest test msvc_traditional_preprocessor_refused as cl.exe's traditional
 * preprocessor would see it (_MSC_VER, no __clang__, _MSVC_TRADITIONAL 1): the first kcom include
 * must stop the compile with an #error that names /Zc:preprocessor.
 */
#include <kcom/kcom.h>

int kcom_msvc_traditional_check(void);
int kcom_msvc_traditional_check(void)
{
    return 0;
}
