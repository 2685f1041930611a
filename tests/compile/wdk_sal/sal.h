/*
 * A stand-in for the WDK's sal.h, first on the include path: the WDK's defines each annotation
 * unconditionally, so one defined before it (an empty fallback of kcom's) would make the WDK's a
 * redefinition (cl.exe's C4005, an error under /WX). kcom's headers must include the toolset's
 * sal.h before defining their fallbacks; this stops the build where one was defined first.
 */
#pragma once
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC system_header /* #include_next below */
#endif
#if defined(_In_) || defined(_In_opt_) || defined(_In_z_) || defined(_In_opt_z_) || \
    defined(_Out_) || defined(_Out_opt_) || defined(_Outptr_) || \
    defined(_Outptr_result_maybenull_) || \
    defined(_Outptr_result_nullonfailure_) || defined(_COM_Outptr_) || defined(_Inout_) || \
    defined(_Inout_opt_) || defined(_Out_writes_) || defined(_Out_writes_opt_) || \
    defined(_Frees_ptr_opt_) || defined(_Printf_format_string_) || defined(_Ret_notnull_) || \
    defined(_Ret_maybenull_) || defined(_Ret_z_) || defined(_Post_writable_byte_size_) || \
    defined(_Must_inspect_result_) || defined(_Success_)
#error "a SAL annotation was defined before <sal.h>: the WDK's definition would redefine it (C4005)"
#endif
#include_next <sal.h>
