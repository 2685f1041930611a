/*
 * test_common.h - what several suites share: the test interfaces (a three-level chain
 * IDerived : IMiddle : IBase : IUnknown, three unrelated IOther interfaces and a few interfaces no
 * test class exposes), Wine-style check helpers that report the caller's line, a trace capture hook
 * and a static arena allocator (for objects a test deliberately leaks).
 *
 * Portable C11: no CRT beyond string.h's memset/memcmp. Suites that choose a refcount hardening mode
 * define KCOM_REFCOUNT_HARDENING before including this header.
 */
#ifndef KCOM_TEST_COMMON_H
#define KCOM_TEST_COMMON_H

#include "../harness/kcom_test.h"

/* ---- interfaces ----------------------------------------------------------------------------------- */

/* IBase : IUnknown */
#define IBase_METHODS(M, I)                                                               \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, ULONG, BaseTag, )                                                        \
    M(I, METHOD, NTSTATUS, BaseSet, (ULONG, value))                                       \
    M(I, RESULT, ULONG, BaseGet, )

/* IMiddle : IBase */
#define IMiddle_METHODS(M, I)                                                             \
    IBase_METHODS(M, I)                                                                   \
    M(I, METHOD, ULONG, MiddleTag, )                                                      \
    M(I, METHOD, void, MiddleAdd, (ULONG, a)(ULONG, b))

/* IDerived : IMiddle */
#define IDerived_METHODS(M, I)                                                            \
    IMiddle_METHODS(M, I)                                                                 \
    M(I, METHOD, ULONG, DerivedTag, )                                                     \
    M(I, RESULT, ULONG64, DerivedSum, (ULONG, a)(ULONG64, b))

/* IOther1, IOther2, IOther3 : IUnknown - the same method names, so classes implementing several of
 * them use KCOM_IMPLEMENT_WITH. */
#define IOther1_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, ULONG, Tag, )                                                            \
    M(I, METHOD, NTSTATUS, Store, (ULONG, value))                                         \
    M(I, RESULT, ULONG, Load, )
#define IOther2_METHODS IOther1_METHODS
#define IOther3_METHODS IOther1_METHODS

/* Interfaces no test class exposes: a child of an exposed interface, a sibling in the chain, and an
 * unrelated one (implemented by hand by the aggregation test's outer object). */
#define IOtherChild_METHODS(M, I)                                                         \
    IOther1_METHODS(M, I)                                                                 \
    M(I, METHOD, ULONG, ChildTag, )
#define IBaseSibling_METHODS(M, I)                                                        \
    IBase_METHODS(M, I)                                                                   \
    M(I, METHOD, ULONG, SiblingTag, )
#define IUnrelated_METHODS(M, I)                                                          \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, ULONG, UnrelatedTag, )

#ifndef __IBase_INTERFACE_DEFINED__
#define __IBase_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBase, IUnknown,
                       0x6b630001, 0x7e57, 0x4c01, 0x9a, 0x10, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x01)
#endif
#ifndef __IMiddle_INTERFACE_DEFINED__
#define __IMiddle_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IMiddle, IBase,
                       0x6b630002, 0x7e57, 0x4c02, 0x9a, 0x20, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x02)
#endif
#ifndef __IDerived_INTERFACE_DEFINED__
#define __IDerived_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IDerived, IMiddle,
                       0x6b630003, 0x7e57, 0x4c03, 0x9a, 0x30, 0x3c, 0x55, 0x0b, 0xa5, 0xe0, 0x03)
#endif
#ifndef __IOther1_INTERFACE_DEFINED__
#define __IOther1_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IOther1, IUnknown,
                       0x6b630011, 0x7e57, 0x4c11, 0x9b, 0x11, 0x4d, 0x66, 0x1c, 0xb6, 0xf1, 0x11)
#endif
#ifndef __IOther2_INTERFACE_DEFINED__
#define __IOther2_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IOther2, IUnknown,
                       0x6b630012, 0x7e57, 0x4c12, 0x9b, 0x12, 0x4d, 0x66, 0x1c, 0xb6, 0xf1, 0x12)
#endif
#ifndef __IOther3_INTERFACE_DEFINED__
#define __IOther3_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IOther3, IUnknown,
                       0x6b630013, 0x7e57, 0x4c13, 0x9b, 0x13, 0x4d, 0x66, 0x1c, 0xb6, 0xf1, 0x13)
#endif
#ifndef __IOtherChild_INTERFACE_DEFINED__
#define __IOtherChild_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IOtherChild, IOther1,
                       0x6b630021, 0x7e57, 0x4c21, 0x9c, 0x21, 0x5e, 0x77, 0x2d, 0xc7, 0x02, 0x21)
#endif
#ifndef __IBaseSibling_INTERFACE_DEFINED__
#define __IBaseSibling_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IBaseSibling, IBase,
                       0x6b630022, 0x7e57, 0x4c22, 0x9c, 0x22, 0x5e, 0x77, 0x2d, 0xc7, 0x02, 0x22)
#endif
#ifndef __IUnrelated_INTERFACE_DEFINED__
#define __IUnrelated_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IUnrelated, IUnknown,
                       0x6b630023, 0x7e57, 0x4c23, 0x9c, 0x23, 0x5e, 0x77, 0x2d, 0xc7, 0x02, 0x23)
#endif

/* The values the test classes' Tag methods return, one per implementation function. */
#define TAG_BASE 0xBA5E0001u
#define TAG_MIDDLE 0x3ADD0002u
#define TAG_DERIVED 0xDE120003u
#define TAG_OTHER1 0x07E10011u
#define TAG_OTHER2 0x07E20012u
#define TAG_OTHER3 0x07E30013u

/* The descriptors and IIDs as test_common.c sees them: IIDs are one object per program (selectany),
 * interface descriptors one per translation unit with the same contents. */
const kcom_interface_info *test_common_derived_info(void);
const IID *test_common_other1_iid(void);

/* ---- check helpers (Wine style: the caller's line) ---------------------------------------------- */

/* kcom_object_refcount(impl) == expected. */
#define check_refcount(impl, expected) check_refcount_(__FILE__, __LINE__, (impl), (expected))
void check_refcount_(const char *file, int line, void *impl, LONG expected);

/* QueryInterface(iid) on iface: succeeds (and is released again, the count unchanged overall) or
 * fails with STATUS_NOINTERFACE and a NULL pointer. */
#define check_interface(iface, iid, supported)                                            \
    check_interface_(__FILE__, __LINE__, KCOM_UNKNOWN(iface), (iid), (supported))
void check_interface_(const char *file, int line, IUnknown *iface, const IID *iid, int supported);

/* Release returns expected. */
#define check_release(iface, expected) check_release_(__FILE__, __LINE__, KCOM_UNKNOWN(iface), (expected))
void check_release_(const char *file, int line, IUnknown *iface, ULONG expected);

/* Counting allocator: live blocks == expected. */
#define check_live(counter, expected) check_live_(__FILE__, __LINE__, (counter), (expected))
void check_live_(const char *file, int line, const kcom_counting_allocator *counter, LONG expected);

/* Zero-terminated strings, without the CRT. */
int test_text_equal(const char *a, const char *b);
int test_text_contains(const char *text, const char *part);

/* A recognizable non-NULL value for out pointers that must be overwritten. */
#define TEST_POISON_PTR ((void *)(uintptr_t)0x5A5A5A5A)

/* ---- trace capture -------------------------------------------------------------------------------- */

typedef struct trace_capture {
    LONG total;
    LONG by_level[5]; /* indexed by kcom_trace_level */
    kcom_trace_level last_level;
    const char *last_file;
    int last_line;
    const char *last_format;
} trace_capture;

/* Routes kcom's messages into capture (cleared first) instead of the default sink. */
void trace_capture_install(trace_capture *capture);
/* Restores the default sink. */
void trace_capture_remove(void);

/* The platform allocator's functions behind functions of the test's own, for allocators built
 * with one of them left NULL (an allocator kcom must refuse rather than call). */
void *test_platform_allocate(void *context, size_t size, size_t alignment);
void test_platform_free(void *context, void *block, size_t size, size_t alignment);

/* ---- a static arena allocator -------------------------------------------------------------------- */

/* Hands out blocks from a caller-supplied buffer and never reuses them: memory a test leaks on
 * purpose (a resurrected object, a saturated count) stays inside the buffer, where no leak checker
 * looks. Counts live blocks like the counting allocator. */
typedef struct test_arena {
    kcom_allocator allocator; /* &arena.allocator is the allocator */
    unsigned char *base;
    size_t size;
    size_t used;
    LONG live;
    LONG allocations;
    LONG frees;
} test_arena;

void test_arena_init(test_arena *arena, void *buffer, size_t size);

#endif /* KCOM_TEST_COMMON_H */
