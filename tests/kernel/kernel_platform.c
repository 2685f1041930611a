/*
 * kernel_platform - the kernel platform layer: pool allocation (natural and over-aligned), the
 * pool tag, repeated initialization, and the default trace sink.
 */
#include <kcom/kcom.h>

#include "../harness/kcom_test.h"

/* The runner looks for this text in the driver log: the default sink reached DbgPrint. */
#define TRACE_CHECK_FORMAT "kernel_platform trace check: %s %d %zu %lld %08x"

static BOOLEAN allocate_pool2_exported(void)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"ExAllocatePool2");
    return MmGetSystemRoutineAddress(&name) != NULL;
}

static void check_blocks(const kcom_allocator *allocator)
{
    static const size_t sizes[] = {1, 15, 16, 17, 100, 4095, 4096, 4097, 65536};
    static const size_t alignments[] = {1, 2, 8, 16, 32, 64, 256, 4096};
    size_t s, a;
    for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        for (a = 0; a < sizeof(alignments) / sizeof(alignments[0]); a++) {
            size_t size = sizes[s], alignment = alignments[a];
            /* pool blocks are 16-byte aligned on x64 whatever was asked */
            size_t expected = alignment < MEMORY_ALLOCATION_ALIGNMENT ? MEMORY_ALLOCATION_ALIGNMENT : alignment;
            unsigned char *block = (unsigned char *)kcom_allocate(allocator, size, alignment);
            ok(block != NULL, "allocate(%zu, %zu) failed\n", size, alignment);
            if (block == NULL)
                continue;
            ok(((ULONG_PTR)block & (expected - 1)) == 0, "allocate(%zu, %zu) returned %p\n", size, alignment,
               (void *)block);
            RtlFillMemory(block, size, 0xA5);
            ok(block[0] == 0xA5 && block[size - 1] == 0xA5, "block of %zu bytes not writable\n", size);
            kcom_free(allocator, block, size, alignment);
        }
    }
}

void kcom_test_kernel_platform(void)
{
    const kcom_allocator *platform = kcom_platform_allocator();
    void *block;

    ok(KeGetCurrentIrql() == PASSIVE_LEVEL, "IOCTLs are dispatched at IRQL %u\n", (unsigned)KeGetCurrentIrql());
    ok(kcom_initialize() == STATUS_SUCCESS, "kcom_initialize a second time failed\n");

    if (allocate_pool2_exported())
        kcom_test_print("kernel_platform: ExAllocatePool2 is exported and in use\n");
    else
        skip("ExAllocatePool2 is not exported by this kernel: only its ExAllocatePoolWithTag fallback ran\n");

    ok(kcom_pool_tag() == KCOM_DEFAULT_POOL_TAG, "pool tag 0x%08lx\n", (unsigned long)kcom_pool_tag());
    ok(kcom_set_pool_tag(0) == STATUS_INVALID_PARAMETER, "a zero pool tag was accepted\n");
    ok(kcom_set_pool_tag(0x74736574UL | 0x80000000UL) == STATUS_INVALID_PARAMETER,
       "a protected pool tag was accepted\n");
    check_blocks(platform);

    /* another tag: blocks are freed with the tag they were allocated with */
    ok(kcom_set_pool_tag(0x74736574UL) == STATUS_SUCCESS, "kcom_set_pool_tag failed\n");
    check_blocks(platform);
    ok(kcom_set_pool_tag(KCOM_DEFAULT_POOL_TAG) == STATUS_SUCCESS, "restoring the pool tag failed\n");

    /* requests the pool cannot satisfy fail cleanly */
    ok(kcom_allocate(platform, 0, 16) == NULL, "a zero-byte request succeeded\n");
    ok(kcom_allocate(platform, 16, 3) == NULL, "alignment 3 was accepted\n");
    block = kcom_allocate(platform, (size_t)-1 / 2, 16);
    ok(block == NULL, "an 8 EiB request succeeded\n");
    kcom_free(platform, block, (size_t)-1 / 2, 16);
    ok(kcom_allocate(platform, (size_t)-1 - 8, 64) == NULL, "an overflowing over-aligned request succeeded\n");

    /* the default sink: vDbgPrintExWithPrefix, C99 formats */
    {
        kcom_trace_level previous = kcom_set_trace_level(KCOM_TRACE_LEVEL_INFO);
        kcom_trace(KCOM_TRACE_LEVEL_WARNING, __FILE__, __LINE__, TRACE_CHECK_FORMAT, "ok", -42, (size_t)7,
                   -1LL, 0xbeefu);
        kcom_set_trace_level(previous);
    }
}
