/*
 * A stand-in for the WDK's driverspecs.h, first on the include path: the WDK's defines each annotation
 * unconditionally, so one defined before it (an empty fallback of kcom's) would make the WDK's a
 * redefinition (cl.exe's C4005, an error under /WX). kcom's headers must include the toolset's
 * driverspecs.h before defining their fallbacks; this stops the build where one was defined first.
 */
#pragma once
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC system_header /* #include_next below */
#endif
#if defined(_IRQL_requires_max_) || defined(_IRQL_requires_)
#error "a SAL annotation was defined before <driverspecs.h>: the WDK's definition would redefine it (C4005)"
#endif
#include_next <driverspecs.h>
