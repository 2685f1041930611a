/*
 * kcom/refcount.h - the object header and its interlocked reference count, with hardening.
 *
 * Modes (KCOM_REFCOUNT_HARDENING, chosen per translation unit that implements classes: by a
 * compile definition or a #define before the first kcom include, else the default the CMake option
 * recorded in kcom/config.h):
 *   KCOM_REFCOUNT_OFF       plain COM: a count past INT32_MAX wraps unchecked; a Release
 *                           without a reference (at 0) is traced at ERROR level.
 *   KCOM_REFCOUNT_FAILFAST  AddRef (or QueryInterface's reference) at INT32_MAX or Release at 0
 *                           fails fast (kernel: KeBugCheckEx).
 *   KCOM_REFCOUNT_LEAKY     an AddRef at INT32_MAX saturates the count there, and the object is
 *                           then never freed; a Release at 0 leaves the count at 0 and is traced
 *                           at ERROR level.
 * In every mode: an AddRef+Release pair inside the destroy callback does not destroy again, and a
 * reference that escapes the destroy callback (resurrection) is detected: fail fast in FAILFAST
 * mode, otherwise traced at ERROR level and the memory is leaked rather than freed under it.
 * AddRef on an object whose count is 0 (already destroyed) fails fast in FAILFAST mode and is
 * traced otherwise; the reference a successful QueryInterface adds checks the overflow only (its
 * caller holds a reference, so the count is at least 1 unless the caller's pointer is stale).
 *
 * The library implements the slow paths of all three modes, so translation units in different
 * modes link against the same library. A class whose descriptor and vtables are written by hand
 * (KCOM_CLASS_GENERATED clear) and count through kcom_object_addref / kcom_object_release counts
 * in the mode the library was built with, not its own file's.
 */
#ifndef KCOM_REFCOUNT_H
#define KCOM_REFCOUNT_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/atomic.h>

#define KCOM_REFCOUNT_OFF 0
#define KCOM_REFCOUNT_FAILFAST 1
#define KCOM_REFCOUNT_LEAKY 2

#ifndef KCOM_REFCOUNT_HARDENING
#define KCOM_REFCOUNT_HARDENING KCOM_REFCOUNT_FAILFAST
#endif

/* One of the three values, as a number or a name above: an identifier such as the CMake option's
 * words (OFF, LEAKY) reads as 0 in #if, would pass for OFF, and would then name a slow path no
 * library has (an undefined symbol at the link), so the value is pasted onto names that exist
 * only for the three. */
#define KCOM_RT_HARDENING_VALID_(value) KCOM_RT_HARDENING_VALID_I_(value)
#define KCOM_RT_HARDENING_VALID_I_(value) KCOM_RT_HARDENING_VALID_##value
#define KCOM_RT_HARDENING_VALID_0 1
#define KCOM_RT_HARDENING_VALID_1 1
#define KCOM_RT_HARDENING_VALID_2 1
#if !KCOM_RT_HARDENING_VALID_(KCOM_REFCOUNT_HARDENING)
#error "KCOM_REFCOUNT_HARDENING must be 0, 1 or 2 (KCOM_REFCOUNT_OFF, _FAILFAST, _LEAKY), not the option's words"
#endif

/* KCOM_POISON_RELEASED (0 or 1, default 0; for debug builds): 1 makes the final Release of a kcom
 * object poison the memory it frees (kcom_rt_poison_released, kcom/detail/object.h): every vtable
 * pointer of the object points to a table whose entries trace and fail fast, the count is 0 and
 * the rest of the struct is filled with KCOM_POISON_BYTE. A call through a stale interface pointer (a Release
 * too many, AddRef, QueryInterface or a method after the final Release) then stops at once,
 * as long as the allocator has not handed the block out again, instead of running on freed memory
 * (a vtable pointer in the block's first 16 bytes, and the count, may already hold the
 * allocator's own links: docs/safety.md).
 * Like the hardening mode it applies per translation unit that implements classes (the final
 * release is inline); 0 compiles it out. docs/safety.md. */
#ifndef KCOM_POISON_RELEASED
#define KCOM_POISON_RELEASED 0
#endif
#define KCOM_POISON_BYTE 0xDB

/* The saturated count of LEAKY mode. */
#define KCOM_REFCOUNT_SATURATED 0x7FFFFFFF

struct kcom_class;

/* Sits immediately before the implementation struct. 16 bytes on 64-bit targets. */
typedef struct kcom_object_header {
    LONG volatile refs;
    ULONG reserved; /* kcom's: the slot of the default allocator the object came from */
    const struct kcom_class *klass;
} kcom_object_header;

/* While the destroy callback runs the count holds this bias instead of 0, so that an AddRef+Release
 * pair inside the callback is ordinary counting and never a second destruction; a count other than
 * the bias when the callback returns is a reference that escaped it (resurrection). */
#define KCOM_REFCOUNT_DESTROYING 0x40000000

#if defined(_WIN64) || defined(__x86_64__) || defined(__aarch64__) || defined(_M_X64) || defined(_M_ARM64)
KCOM_STATIC_ASSERT(sizeof(kcom_object_header) == 16, "object header must be 16 bytes on 64-bit targets");
#endif

/* The inline AddRef and the slow paths behind it and behind the inline Release. */
#include <kcom/detail/refcount.h>

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_REFCOUNT_H */
