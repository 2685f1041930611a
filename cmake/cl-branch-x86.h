/*
 * cl-branch-x86.h - force-included (after the DDK headers) into the x86 compile of the code only
 * cl.exe takes (KCOM_CL_BRANCH_CHECK, cmake/KcomWarnings.cmake). cl.exe for x86 has no 64-bit
 * Interlocked intrinsics but _InterlockedCompareExchange64 (the WDK's 64-bit Interlocked functions
 * are inline functions over it); clang accepts them all as builtins, so a use would compile here
 * and fail with cl.exe. Poisoned: a use fails here too.
 */
/* In C++, kcom_wine_ddk.h has made some of them macros that rename Wine's inline definitions:
 * those are compiled by now, and the names themselves are what must not be used. */
#undef _InterlockedExchangeAdd64
#undef _InterlockedOr64
#undef _InterlockedAnd64
#undef _InterlockedXor64
#undef _InterlockedIncrement64
#undef _InterlockedDecrement64
#pragma GCC poison _InterlockedExchangeAdd64 _InterlockedOr64 _InterlockedAnd64 _InterlockedXor64
#pragma GCC poison _InterlockedIncrement64 _InterlockedDecrement64 _InterlockedExchange64
