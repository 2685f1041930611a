/*
 * kcom/detail/pp.h - not for direct use: included by kcom/interface.h (and, for the hardening
 * mode's slow paths, by kcom/detail/refcount.h). Needs nothing else, so it also compiles alone.
 *
 * The preprocessor toolkit behind kcom's declaration macros.
 *
 * Two iteration forms:
 *  - sequences `(a, b)(c, d)` (method parameters): unbounded and may be empty. Each element is
 *    handed to a fixed macro whose expansion is deferred until after the terminator is pasted,
 *    so elements may expand to text containing commas.
 *  - comma lists with a context argument (interfaces of a class): at most 64 elements.
 * Requires a conforming preprocessor (MSVC: /Zc:preprocessor; kcom/detail/preprocessor_check.h
 * refuses the traditional one).
 */
#ifndef KCOM_DETAIL_PP_H
#define KCOM_DETAIL_PP_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/detail/preprocessor_check.h>

#define KCOM_PP_CAT(a, b) KCOM_PP_CAT_I(a, b)
#define KCOM_PP_CAT_I(a, b) a##b
#define KCOM_PP_EMPTY()
#define KCOM_PP_EXPAND(...) __VA_ARGS__

/* KCOM_PP_IF(c)(then, else) for c in {0, 1}. */
#define KCOM_PP_IF(c) KCOM_PP_CAT(KCOM_PP_IF_, c)
#define KCOM_PP_IF_1(t, f) t
#define KCOM_PP_IF_0(t, f) f

/* 1 if the (unparenthesized) argument text contains a top-level comma. */
#define KCOM_PP_ARG3_(a, b, c, ...) c
#define KCOM_PP_HAS_COMMA_I(...) KCOM_PP_ARG3_(__VA_ARGS__)
#define KCOM_PP_HAS_COMMA(...) KCOM_PP_HAS_COMMA_I(__VA_ARGS__, 1, 0, 0)
#define KCOM_PP_COMMA_TRIGGER_(...) ,

/* 1 if a return type is exactly `void` (or VOID): `void *` and every other type give 0. */
#define KCOM_PP_IS_VOID(type) KCOM_PP_IS_VOID_I(KCOM_PP_EAT_VOID_##type)
#define KCOM_PP_IS_VOID_I(rest) KCOM_PP_HAS_COMMA(KCOM_PP_COMMA_TRIGGER_ rest ())
#define KCOM_PP_EAT_VOID_void
#define KCOM_PP_EAT_VOID_VOID

/* 1 if a type is exactly `NTSTATUS`. */
#define KCOM_PP_IS_NTSTATUS(type) KCOM_PP_IS_VOID_I(KCOM_PP_EAT_NTSTATUS_##type)
#define KCOM_PP_EAT_NTSTATUS_NTSTATUS

/* `return` unless the type is void: lets one wrapper body serve both. */
#define KCOM_PP_RETURN_UNLESS_VOID(type) KCOM_PP_IF(KCOM_PP_IS_VOID(type))(, return)

/* ---- parameter sequences: (type, name)(type, name)... ----------------------------------------- */

/* `, type name` for each element: a parameter list tail after `This`. */
#define KCOM_PP_PARAMS(seq) KCOM_PP_CAT(KCOM_PP_PARAMS_A_ seq, _END)
#define KCOM_PP_PARAMS_A_(t, n) KCOM_PP_PARAM_ KCOM_PP_EMPTY() (t, n) KCOM_PP_PARAMS_B_
#define KCOM_PP_PARAMS_B_(t, n) KCOM_PP_PARAM_ KCOM_PP_EMPTY() (t, n) KCOM_PP_PARAMS_A_
#define KCOM_PP_PARAMS_A__END
#define KCOM_PP_PARAMS_B__END
#define KCOM_PP_PARAM_(t, n) , t n

/* `, name` for each element: an argument list tail after `This`. */
#define KCOM_PP_ARGS(seq) KCOM_PP_CAT(KCOM_PP_ARGS_A_ seq, _END)
#define KCOM_PP_ARGS_A_(t, n) KCOM_PP_ARG_ KCOM_PP_EMPTY() (t, n) KCOM_PP_ARGS_B_
#define KCOM_PP_ARGS_B_(t, n) KCOM_PP_ARG_ KCOM_PP_EMPTY() (t, n) KCOM_PP_ARGS_A_
#define KCOM_PP_ARGS_A__END
#define KCOM_PP_ARGS_B__END
#define KCOM_PP_ARG_(t, n) , n

/* ---- comma lists with a context: KCOM_PP_FOR_EACH(M, ctx, a, b, c) -> M(ctx, a) M(ctx, b) M(ctx, c)
 * (at most 64 elements; of a longer list the first 64). */

/* The count of its arguments, up to 64; 65 for 65 to 128 (a list longer than KCOM_PP_FOR_EACH takes,
 * which a macro then refuses by name). */
#define KCOM_PP_NARGS(...) KCOM_PP_NARGS_I(__VA_ARGS__, 65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,65,64,63,62,61,60,59,58,57,56,55,54,53,52,51,50,49,48,47,46,45,44,43,42,41,40,39,38,37,36,35,34,33,32,31,30,29,28,27,26,25,24,23,22,21,20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1, 0)
#define KCOM_PP_NARGS_I(_1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,_21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44,_45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64,_65,_66,_67,_68,_69,_70,_71,_72,_73,_74,_75,_76,_77,_78,_79,_80,_81,_82,_83,_84,_85,_86,_87,_88,_89,_90,_91,_92,_93,_94,_95,_96,_97,_98,_99,_100,_101,_102,_103,_104,_105,_106,_107,_108,_109,_110,_111,_112,_113,_114,_115,_116,_117,_118,_119,_120,_121,_122,_123,_124,_125,_126,_127,_128, n, ...) n
/* 0 for a list longer than 64 (KCOM_PP_NARGS' 65), else 1. */
#define KCOM_PP_FITS(...) KCOM_PP_IF(KCOM_PP_HAS_COMMA(KCOM_PP_CAT(KCOM_PP_TOO_MANY_, KCOM_PP_NARGS(__VA_ARGS__))))(0, 1)
#define KCOM_PP_TOO_MANY_65 ,
#define KCOM_PP_FOR_EACH(M, ctx, ...) KCOM_PP_CAT(KCOM_PP_FE_, KCOM_PP_NARGS(__VA_ARGS__))(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_1(M, ctx, x) M(ctx, x)
#define KCOM_PP_FE_2(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_1(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_3(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_2(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_4(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_3(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_5(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_4(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_6(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_5(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_7(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_6(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_8(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_7(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_9(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_8(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_10(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_9(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_11(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_10(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_12(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_11(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_13(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_12(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_14(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_13(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_15(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_14(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_16(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_15(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_17(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_16(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_18(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_17(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_19(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_18(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_20(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_19(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_21(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_20(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_22(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_21(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_23(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_22(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_24(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_23(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_25(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_24(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_26(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_25(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_27(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_26(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_28(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_27(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_29(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_28(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_30(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_29(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_31(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_30(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_32(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_31(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_33(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_32(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_34(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_33(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_35(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_34(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_36(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_35(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_37(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_36(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_38(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_37(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_39(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_38(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_40(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_39(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_41(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_40(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_42(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_41(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_43(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_42(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_44(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_43(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_45(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_44(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_46(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_45(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_47(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_46(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_48(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_47(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_49(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_48(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_50(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_49(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_51(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_50(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_52(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_51(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_53(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_52(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_54(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_53(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_55(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_54(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_56(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_55(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_57(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_56(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_58(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_57(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_59(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_58(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_60(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_59(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_61(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_60(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_62(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_61(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_63(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_62(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_64(M, ctx, x, ...) M(ctx, x) KCOM_PP_FE_63(M, ctx, __VA_ARGS__)
/* More than 64: the first 64 only, so that what refuses the list is the one diagnostic. */
#define KCOM_PP_FE_65(M, ctx, ...) KCOM_PP_FE_65_I(M, ctx, __VA_ARGS__)
#define KCOM_PP_FE_65_I(M, ctx, _1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,_21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44,_45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64, ...) KCOM_PP_FE_64(M, ctx, _1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,_21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44,_45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64)

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_DETAIL_PP_H */
