/*
 * kcom/detail/preprocessor_check.h - not for direct use: included first by kcom/compiler.h and
 * kcom/detail/pp.h.
 *
 * kcom's declaration macros split and count __VA_ARGS__ (kcom/detail/pp.h), which MSVC's
 * traditional preprocessor does not do: it passes the whole list on as one argument, and a source
 * would meet a wall of C4003 warnings and syntax errors far from the cause. cl.exe's conforming
 * preprocessor (/Zc:preprocessor, implied by /std:c11 and /std:c17) defines _MSVC_TRADITIONAL as
 * 0; the traditional one defines it as 1, and compilers before Visual Studio 2017 15.8 not at all.
 * clang-cl defines _MSC_VER and __clang__ and is always conforming.
 *
 * In C, kcom needs C11 (_Generic, _Static_assert, _Alignof). cl.exe has them only under /std:c11
 * or /std:c17, which define __STDC_VERSION__; its older C would stop at each use instead. gcc and
 * clang accept them in older dialects too, and are not refused.
 *
 * In C++, kcom needs C++17: its descriptors are constants through constexpr lambdas, which C++14
 * compilers (clang 14's and clang-cl's default) accept with a warning and turn into dynamic
 * initializers, code that a driver, without the C runtime's start-up, never runs. MSVC tells its
 * language in _MSVC_LANG (__cplusplus stays 199711L without /Zc:__cplusplus).
 */
#ifndef KCOM_DETAIL_PREPROCESSOR_CHECK_H
#define KCOM_DETAIL_PREPROCESSOR_CHECK_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

/* First: /std:c11 also gives the conforming preprocessor, so a C compile missing both hears of
 * the one flag that mends both. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(__cplusplus) && \
    (!defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L)
#error "kcom's headers need C11 or later in C: compile with /std:c11 or /std:c17 (Visual Studio 2019 16.8 or later; they imply /Zc:preprocessor; CMake: C_STANDARD 11)"
#endif

#if defined(_MSC_VER) && !defined(__clang__) && (!defined(_MSVC_TRADITIONAL) || _MSVC_TRADITIONAL)
#error "kcom needs MSVC's conforming preprocessor: compile with /Zc:preprocessor (Visual Studio 2019 16.5 or later; /std:c11 and /std:c17 imply it)"
#endif

#if defined(__cplusplus) && \
    ((defined(_MSVC_LANG) && _MSVC_LANG < 201703L) || (!defined(_MSVC_LANG) && __cplusplus < 201703L))
#error "kcom's headers need C++17 or later in C++ (-std=c++17, /std:c++17; CMake: CXX_STANDARD 17)"
#endif

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DETAIL_PREPROCESSOR_CHECK_H */
