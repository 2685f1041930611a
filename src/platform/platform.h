/*
 * platform.h - the seam between kcom's portable runtime and each target.
 *
 * Every target directory (posix: the Linux host; win32: Windows user mode; ntkernel: the Windows
 * kernel) implements exactly these functions, and nothing outside src/platform/ knows which target
 * it is built for. Interlocked operations are compiler intrinsics (kcom/atomic.h), not part of it.
 */
#ifndef KCOM_SRC_PLATFORM_H
#define KCOM_SRC_PLATFORM_H

#include <kcom/allocator.h>
#include <kcom/failfast.h>
#include <kcom/trace.h>

/* Resolves what the platform needs before first use (kcom_initialize); PASSIVE_LEVEL. */
NTSTATUS kcom_platform_initialize(void);
void kcom_platform_uninitialize(void);

/* The platform allocator (kcom_platform_allocator(), the default allocator unless replaced), as
 * kcom_allocator functions so the object creation path calls them directly: size bytes of memory
 * usable at IRQL <= DISPATCH_LEVEL (kernel: non-paged pool with kcom_pool_tag()), aligned to
 * alignment (a power of two; above 2 * sizeof(void *), what malloc, HeapAlloc and the pool give,
 * the platform uses kcom_aligned_allocate), or NULL. */
void *kcom_platform_allocate(void *context, size_t size, size_t alignment);
void kcom_platform_free(void *context, void *block, size_t size, size_t alignment);

/* What malloc, HeapAlloc and the pool guarantee on every target kcom builds for. */
#define KCOM_PLATFORM_NATURAL_ALIGNMENT (2 * sizeof(void *))

/* The two functions above, over a platform's natural allocation pair: the natural function for
 * the usual alignments (inlined into the caller when it is static there), kcom_aligned_allocate
 * above them. */
static KCOM_FORCEINLINE void *kcom_platform_allocate_over(void *(*allocate_natural)(void *context, size_t size),
                                                         void *context, size_t size, size_t alignment)
{
    if (KCOM_LIKELY(alignment <= KCOM_PLATFORM_NATURAL_ALIGNMENT))
        return allocate_natural(context, size);
    return kcom_aligned_allocate(allocate_natural, context, size, alignment);
}

static KCOM_FORCEINLINE void kcom_platform_free_over(void (*free_natural)(void *context, void *block), void *context,
                                                    void *block, size_t alignment)
{
    if (block == NULL)
        return;
    if (KCOM_LIKELY(alignment <= KCOM_PLATFORM_NATURAL_ALIGNMENT))
        free_natural(context, block);
    else
        kcom_aligned_free(free_natural, context, block, alignment);
}

/* The file name part of a __FILE__ path, for trace prefixes. */
static KCOM_FORCEINLINE const char *kcom_platform_base_name(const char *path)
{
    const char *base = path;
    for (; *path != '\0'; path++)
        if (*path == '/' || *path == '\\')
            base = path + 1;
    return base;
}

/* The default trace sink (a kcom_trace_hook). */
void kcom_platform_trace(void *context, kcom_trace_level level, const char *file, int line,
                         const char *format, va_list args);

/* Stops the program or the machine; the reason has already been traced. */
KCOM_NORETURN void kcom_platform_fail_fast(kcom_failfast_reason reason, const void *object,
                                           ULONG_PTR detail1, ULONG_PTR detail2);

#endif /* KCOM_SRC_PLATFORM_H */
