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
 */
#ifndef KCOM_DETAIL_PREPROCESSOR_CHECK_H
#define KCOM_DETAIL_PREPROCESSOR_CHECK_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif

#if defined(_MSC_VER) && !defined(__clang__) && (!defined(_MSVC_TRADITIONAL) || _MSVC_TRADITIONAL)
#error "kcom needs MSVC's conforming preprocessor: compile with /Zc:preprocessor (Visual Studio 2019 16.5 or later; /std:c11 and /std:c17 imply it)"
#endif

#endif /* KCOM_DETAIL_PREPROCESSOR_CHECK_H */
