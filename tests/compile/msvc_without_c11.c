/*
 * Compiled by the ctest test msvc_c_without_c11_refused as cl.exe compiles C without /std:c11 or
 * /std:c17 but with /Zc:preprocessor (_MSC_VER, no __clang__, _MSVC_TRADITIONAL 0, a C before
 * C11): the first kcom include must stop the compile with one #error that names /std:c11, not
 * leave it to the errors of _Static_assert, _Alignof and _Generic that cl.exe's older C rejects.
 */
#include <kcom/kcom.h>

int kcom_msvc_without_c11_check(void);
int kcom_msvc_without_c11_check(void)
{
    return 0;
}
