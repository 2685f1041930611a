/*
 * Allocators: over-aligned classes get implementation pointers (and members) at their alignment,
 * through a per-class allocator and through the platform's; the per-class allocator of
 * KCOM_CLASS_EX is the one used whatever the default is; kcom_set_default_allocator routes default
 * allocations (objects and kcom_allocate) and NULL restores the platform's; kcom_allocate honours
 * alignments up to a page; kcom_aligned_allocate over a natural allocator that returns badly aligned
 * blocks; the counting allocator's counts, fail-nth and backing.
 */
#include "test_common.h"

/* ---- a recording allocator over a counting one ---------------------------------------------------- */

typedef struct recorder {
    kcom_allocator allocator;
    kcom_counting_allocator counter;
    size_t last_size;
    size_t last_alignment;
    size_t freed_size;
    size_t freed_alignment;
} recorder;

static void *recorder_allocate(void *context, size_t size, size_t alignment)
{
    recorder *r = (recorder *)context;
    r->last_size = size;
    r->last_alignment = alignment;
    return r->counter.allocator.allocate(r->counter.allocator.context, size, alignment);
}
static void recorder_free(void *context, void *block, size_t size, size_t alignment)
{
    recorder *r = (recorder *)context;
    r->freed_size = size;
    r->freed_alignment = alignment;
    r->counter.allocator.free(r->counter.allocator.context, block, size, alignment);
}
static void recorder_init(recorder *r)
{
    memset(r, 0, sizeof(*r));
    r->allocator.allocate = recorder_allocate;
    r->allocator.free = recorder_free;
    r->allocator.context = r;
    kcom_counting_allocator_init(&r->counter, NULL);
}

static recorder class_recorder;
static kcom_counting_allocator default_counter;

/* ---- classes ----------------------------------------------------------------------------------- */

#define OTHER_IMPL(Class, field)                                                          \
    static ULONG Class##_Tag(Class *self)                                                 \
    {                                                                                     \
        return (ULONG)self->field;                                                        \
    }                                                                                     \
    static NTSTATUS Class##_Store(Class *self, ULONG value)                               \
    {                                                                                     \
        self->field = value;                                                              \
        return STATUS_SUCCESS;                                                            \
    }                                                                                     \
    static NTSTATUS Class##_Load(Class *self, ULONG *value)                               \
    {                                                                                     \
        *value = (ULONG)self->field;                                                      \
        return STATUS_SUCCESS;                                                            \
    }

/* 64-aligned, through the class's own allocator */
typedef struct Aligned64 {
    IOther1 IOther1_iface;
    _Alignas(64) UCHAR line[64];
    ULONG value;
    IOther2 IOther2_iface;
} Aligned64;
OTHER_IMPL(Aligned64, value)
#define Aligned64_O2_Tag Aligned64_Tag
#define Aligned64_O2_Store Aligned64_Store
#define Aligned64_O2_Load Aligned64_Load
KCOM_IMPLEMENT(Aligned64, IOther1, IOther1_iface)
KCOM_IMPLEMENT_WITH(Aligned64, IOther2, IOther2_iface, Aligned64_O2_)
KCOM_CLASS_EX(Aligned64, &class_recorder.allocator, NULL, NULL, (IOther1, IOther1_iface), (IOther2, IOther2_iface))

/* 256-aligned aggregatable (a 32-byte header in front), through the default allocator */
typedef struct Aligned256 {
    IOther3 IOther3_iface;
    _Alignas(256) ULONG64 block[4];
    ULONG value;
} Aligned256;
OTHER_IMPL(Aligned256, value)
KCOM_IMPLEMENT(Aligned256, IOther3, IOther3_iface)
KCOM_AGGREGATABLE_CLASS(Aligned256, NULL, (IOther3, IOther3_iface))

/* 4096-aligned (a page), through the default allocator */
typedef struct AlignedPage {
    _Alignas(4096) IOther1 IOther1_iface;
    ULONG value;
} AlignedPage;
OTHER_IMPL(AlignedPage, value)
KCOM_IMPLEMENT(AlignedPage, IOther1, IOther1_iface)
KCOM_CLASS(AlignedPage, NULL, (IOther1, IOther1_iface))

/* ordinary, through the class's own allocator */
typedef struct OwnAllocator {
    IOther2 IOther2_iface;
    ULONG value;
} OwnAllocator;
OTHER_IMPL(OwnAllocator, value)
KCOM_IMPLEMENT(OwnAllocator, IOther2, IOther2_iface)
KCOM_CLASS_EX(OwnAllocator, &class_recorder.allocator, NULL, NULL, (IOther2, IOther2_iface))

/* ordinary, through the default allocator */
typedef struct UsesDefault {
    IOther2 IOther2_iface;
    ULONG value;
} UsesDefault;
OTHER_IMPL(UsesDefault, value)
KCOM_IMPLEMENT(UsesDefault, IOther2, IOther2_iface)
KCOM_CLASS(UsesDefault, NULL, (IOther2, IOther2_iface))

#define is_aligned(pointer, alignment) (((uintptr_t)(pointer) & ((uintptr_t)(alignment) - 1)) == 0)

static void test_over_aligned(void)
{
    Aligned64 *a64 = NULL;
    IOther3 *o3 = NULL;
    AlignedPage *page = NULL;
    NTSTATUS status;
    ULONG value = 0;

    recorder_init(&class_recorder);
    status = KCOM_NEW(Aligned64, NULL, &a64);
    ok(status == STATUS_SUCCESS && a64 != NULL, "KCOM_NEW(Aligned64) returned %s\n", kcom_status_name(status));
    if (a64 != NULL) {
        ok(is_aligned(a64, 64), "Aligned64 at %p is not 64-aligned\n", (void *)a64);
        ok(is_aligned(a64->line, 64), "Aligned64.line at %p is not 64-aligned\n", (void *)a64->line);
        ok(class_recorder.last_alignment >= 64, "the allocator was asked for alignment %lu\n",
           (unsigned long)class_recorder.last_alignment);
        ok(class_recorder.last_size >= sizeof(Aligned64) + sizeof(kcom_object_header),
           "the allocator was asked for %lu bytes\n", (unsigned long)class_recorder.last_size);
        check_live(&class_recorder.counter, 1);
        memset(a64->line, 0xA5, sizeof(a64->line)); /* the whole struct is ours */
        ok(IOther2_Store(&a64->IOther2_iface, 64) == STATUS_SUCCESS && IOther1_Load(&a64->IOther1_iface, &value) ==
                                                                             STATUS_SUCCESS && value == 64,
           "Aligned64 methods\n");
        ok(a64->line[63] == 0xA5, "state overwritten\n");
        ok(kcom_object_release(a64) == 0, "release\n");
        ok(class_recorder.freed_size == class_recorder.last_size && class_recorder.freed_alignment ==
                                                                        class_recorder.last_alignment,
           "freed with %lu/%lu, allocated with %lu/%lu\n", (unsigned long)class_recorder.freed_size,
           (unsigned long)class_recorder.freed_alignment, (unsigned long)class_recorder.last_size,
           (unsigned long)class_recorder.last_alignment);
        check_live(&class_recorder.counter, 0);
    }

    /* aggregatable, 256, platform allocator */
    status = kcom_object_create(KCOM_CLASS_OF(Aligned256), NULL, NULL, NULL, &IID_IOther3, (void **)&o3);
    ok(status == STATUS_SUCCESS && o3 != NULL, "create(Aligned256) returned %s\n", kcom_status_name(status));
    if (o3 != NULL) {
        Aligned256 *a256 = KCOM_IMPL_FROM(Aligned256, IOther3_iface, o3);
        IUnknown *unknown = NULL;
        ok(is_aligned(a256, 256) && is_aligned(a256->block, 256), "Aligned256 at %p is not 256-aligned\n",
           (void *)a256);
        memset(a256->block, 0x5A, sizeof(a256->block));
        ok(IOther3_Store(o3, 256) == STATUS_SUCCESS && a256->value == 256, "Aligned256 methods\n");
        ok(KCOM_QUERY_INTERFACE(o3, IUnknown, &unknown) == STATUS_SUCCESS &&
               unknown == kcom_object_inner_unknown(a256),
           "Aligned256 identity\n");
        KCOM_RELEASE_AND_CLEAR(&unknown);
        check_release(o3, 0);
    }

    /* a page, platform allocator */
    status = KCOM_NEW(AlignedPage, NULL, &page);
    ok(status == STATUS_SUCCESS && page != NULL, "KCOM_NEW(AlignedPage) returned %s\n", kcom_status_name(status));
    if (page != NULL) {
        ok(is_aligned(page, 4096), "AlignedPage at %p is not page-aligned\n", (void *)page);
        ok(IOther1_Store(&page->IOther1_iface, 4096) == STATUS_SUCCESS && page->value == 4096, "AlignedPage methods\n");
        ok(kcom_object_release(page) == 0, "release\n");
    }
}

static void test_class_and_default_allocators(void)
{
    const kcom_allocator *saved = kcom_default_allocator(); /* the runner's, restored at the end */
    OwnAllocator *own = NULL;
    UsesDefault *def = NULL;
    void *block;

    recorder_init(&class_recorder);
    kcom_counting_allocator_init(&default_counter, NULL);

    /* the per-class allocator is used, even with another default installed */
    ok(kcom_set_default_allocator(&default_counter.allocator) == STATUS_SUCCESS, "kcom_set_default_allocator\n");
    ok(kcom_default_allocator() == &default_counter.allocator, "kcom_default_allocator is not the one installed\n");
    ok(KCOM_NEW(OwnAllocator, NULL, &own) == STATUS_SUCCESS && own != NULL, "KCOM_NEW(OwnAllocator)\n");
    check_live(&class_recorder.counter, 1);
    check_live(&default_counter, 0);
    ok(default_counter.attempts == 0, "the default allocator was asked for a class with its own\n");

    /* default allocations: objects of classes without one (inline and library paths), kcom_allocate */
    ok(KCOM_NEW(UsesDefault, NULL, &def) == STATUS_SUCCESS && def != NULL, "KCOM_NEW(UsesDefault)\n");
    check_live(&default_counter, 1);
    {
        void *impl = NULL;
        ok(kcom_object_new(KCOM_CLASS_OF(UsesDefault), NULL, &impl) == STATUS_SUCCESS && impl != NULL,
           "kcom_object_new(UsesDefault)\n");
        check_live(&default_counter, 2);
        ok(kcom_object_release(impl) == 0, "release\n");
        check_live(&default_counter, 1);
    }
    {
        LONG bytes_before = default_counter.live_bytes;
        ok(bytes_before >= (LONG)(sizeof(UsesDefault) + sizeof(kcom_object_header)), "object bytes %ld\n",
           (long)bytes_before);
        block = kcom_allocate(NULL, 40, 8);
        ok(block != NULL, "kcom_allocate(default)\n");
        check_live(&default_counter, 2);
        ok(default_counter.live_bytes == bytes_before + 40, "live bytes %ld, expected %ld\n",
           (long)default_counter.live_bytes, (long)(bytes_before + 40));
    }
    kcom_free(NULL, block, 40, 8);
    check_live(&default_counter, 1);
    ok(kcom_object_release(def) == 0, "release\n");
    check_live(&default_counter, 0);
    ok(kcom_object_release(own) == 0, "release\n");
    check_live(&class_recorder.counter, 0);

    /* NULL restores the platform's */
    ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "kcom_set_default_allocator(NULL)\n");
    ok(kcom_default_allocator() == kcom_platform_allocator(), "NULL did not restore the platform allocator\n");
    {
        LONG attempts = default_counter.attempts;
        def = NULL;
        ok(KCOM_NEW(UsesDefault, NULL, &def) == STATUS_SUCCESS && def != NULL, "KCOM_NEW after restoring\n");
        block = kcom_allocate(NULL, 24, 16);
        ok(block != NULL, "kcom_allocate after restoring\n");
        ok(default_counter.attempts == attempts, "the replaced allocator is still used\n");
        kcom_free(NULL, block, 24, 16);
        if (def != NULL)
            ok(kcom_object_release(def) == 0, "release\n");
        /* over-aligned blocks of the platform allocator take its functions, not the natural pair */
        block = kcom_allocate(NULL, 24, 64);
        ok(block != NULL && ((ULONG_PTR)block & 63) == 0, "kcom_allocate(24, 64) from the platform: %p\n", block);
        kcom_free(NULL, block, 24, 64);
    }
    /* naming the platform allocator is the same as NULL */
    ok(kcom_set_default_allocator(kcom_platform_allocator()) == STATUS_SUCCESS &&
           kcom_default_allocator() == kcom_platform_allocator(),
       "kcom_set_default_allocator(kcom_platform_allocator())\n");
    ok(kcom_set_default_allocator(saved == kcom_platform_allocator() ? NULL : saved) == STATUS_SUCCESS &&
           kcom_default_allocator() == saved,
       "restoring the default allocator\n");
}

/* An object goes back to the default allocator it came from, whatever the default is when it is
 * released. */
static void test_default_replaced_while_objects_live(void)
{
    const kcom_allocator *saved = kcom_default_allocator();
    kcom_counting_allocator first, second;
    UsesDefault *a = NULL, *b = NULL, *c = NULL;
    void *impl = NULL;

    kcom_counting_allocator_init(&first, NULL);
    kcom_counting_allocator_init(&second, NULL);
    ok(kcom_set_default_allocator(&first.allocator) == STATUS_SUCCESS, "first default\n");
    ok(KCOM_NEW(UsesDefault, NULL, &a) == STATUS_SUCCESS && a != NULL, "KCOM_NEW under the first\n");
    ok(kcom_object_new(KCOM_CLASS_OF(UsesDefault), NULL, &impl) == STATUS_SUCCESS && impl != NULL,
       "kcom_object_new under the first\n");
    check_live(&first, 2);
    ok(kcom_set_default_allocator(&second.allocator) == STATUS_SUCCESS, "second default\n");
    ok(KCOM_NEW(UsesDefault, NULL, &b) == STATUS_SUCCESS && b != NULL, "KCOM_NEW under the second\n");
    check_live(&second, 1);
    ok(kcom_object_release(a) == 0 && kcom_object_release(impl) == 0, "release the first's objects\n");
    check_live(&first, 0);
    check_live(&second, 1);
    ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "the platform's\n");
    ok(KCOM_NEW(UsesDefault, NULL, &c) == STATUS_SUCCESS && c != NULL, "KCOM_NEW under the platform's\n");
    ok(kcom_set_default_allocator(&first.allocator) == STATUS_SUCCESS, "the first again\n");
    ok(kcom_object_release(b) == 0, "release the second's object\n");
    check_live(&second, 0);
    ok(kcom_object_release(c) == 0, "release the platform's object\n");
    check_live(&first, 0);
    ok(first.attempts == 2 && second.attempts == 1, "allocations: %ld and %ld\n", (long)first.attempts,
       (long)second.attempts);
    ok(kcom_set_default_allocator(saved == kcom_platform_allocator() ? NULL : saved) == STATUS_SUCCESS,
       "restoring the default allocator\n");
}

static void test_kcom_allocate(void)
{
    kcom_counting_allocator counter;
    size_t alignment;

    kcom_counting_allocator_init(&counter, NULL);
    for (alignment = 1; alignment <= 4096; alignment *= 2) {
        size_t size = 3 * alignment + 5;
        unsigned char *a = (unsigned char *)kcom_allocate(NULL, size, alignment);
        unsigned char *b = (unsigned char *)kcom_allocate(&counter.allocator, size, alignment);
        ok(a != NULL && is_aligned(a, alignment), "kcom_allocate(platform, %lu, %lu) gave %p\n", (unsigned long)size,
           (unsigned long)alignment, (void *)a);
        ok(b != NULL && is_aligned(b, alignment), "kcom_allocate(counting, %lu, %lu) gave %p\n", (unsigned long)size,
           (unsigned long)alignment, (void *)b);
        if (a != NULL) {
            memset(a, 0xA1, size); /* every byte is usable */
            kcom_free(NULL, a, size, alignment);
        }
        if (b != NULL) {
            memset(b, 0xB2, size);
            ok(counter.live == 1 && counter.live_bytes == (LONG)size, "counting: %ld live, %ld bytes\n",
               (long)counter.live, (long)counter.live_bytes);
            kcom_free(&counter.allocator, b, size, alignment);
        }
    }
    check_live(&counter, 0);
    ok(counter.live_bytes == 0, "%ld live bytes\n", (long)counter.live_bytes);
}

/* ---- kcom_aligned_allocate over a natural allocator that aligns only to 8, never to 16 ------------ */

static unsigned char natural_buffer[3 * 4096];
static struct {
    size_t used;
    LONG live;
    void *last_raw;
    size_t last_size;
    void *last_freed;
    int fail;
} natural;

static void *natural_allocate(void *context, size_t size)
{
    uintptr_t start;
    (void)context;
    if (natural.fail)
        return NULL;
    start = ((uintptr_t)natural_buffer + natural.used + 15) & ~(uintptr_t)15;
    start += 8; /* 8 mod 16: as badly aligned as a natural allocator may be */
    if (start + size > (uintptr_t)natural_buffer + sizeof(natural_buffer))
        return NULL;
    natural.used = (size_t)(start + size - (uintptr_t)natural_buffer);
    natural.live++;
    natural.last_raw = (void *)start;
    natural.last_size = size;
    return (void *)start;
}
static void natural_free(void *context, void *block)
{
    (void)context;
    natural.live--;
    natural.last_freed = block;
}

static void test_aligned_allocate(void)
{
    size_t alignment;
    for (alignment = 1; alignment <= 4096; alignment *= 2) {
        size_t size = 100;
        unsigned char *block;
        memset(&natural, 0, sizeof(natural));
        block = (unsigned char *)kcom_aligned_allocate(natural_allocate, NULL, size, alignment);
        ok(block != NULL && is_aligned(block, alignment), "kcom_aligned_allocate(%lu) gave %p\n",
           (unsigned long)alignment, (void *)block);
        if (block == NULL)
            continue;
        ok(block >= (unsigned char *)natural.last_raw &&
               block + size <= (unsigned char *)natural.last_raw + natural.last_size,
           "alignment %lu: block [%p, +%lu) outside the natural block [%p, +%lu)\n", (unsigned long)alignment,
           (void *)block, (unsigned long)size, natural.last_raw, (unsigned long)natural.last_size);
        memset(block, 0xC3, size);
        kcom_aligned_free(natural_free, NULL, block, alignment);
        ok(natural.live == 0 && natural.last_freed == natural.last_raw,
           "alignment %lu: freed %p, the natural block was %p\n", (unsigned long)alignment, natural.last_freed,
           natural.last_raw);
    }

    memset(&natural, 0, sizeof(natural));
    ok(kcom_aligned_allocate(natural_allocate, NULL, 0, 16) == NULL, "kcom_aligned_allocate(size 0)\n");
    ok(kcom_aligned_allocate(natural_allocate, NULL, 16, 0) == NULL, "kcom_aligned_allocate(alignment 0)\n");
    ok(kcom_aligned_allocate(natural_allocate, NULL, 16, 48) == NULL, "kcom_aligned_allocate(alignment 48)\n");
    ok(kcom_aligned_allocate(natural_allocate, NULL, (size_t)-1 - 8, 64) == NULL, "kcom_aligned_allocate(huge)\n");
    ok(natural.live == 0 && natural.used == 0, "invalid requests reached the natural allocator\n");
    natural.fail = 1;
    ok(kcom_aligned_allocate(natural_allocate, NULL, 16, 64) == NULL, "natural allocation failure\n");
    ok(natural.live == 0, "natural allocator live %ld\n", (long)natural.live);
    kcom_aligned_free(natural_free, NULL, NULL, 64);
    ok(natural.live == 0 && natural.last_freed == NULL, "kcom_aligned_free(NULL block) reached the allocator\n");
}

/* Hands out two small blocks for requests of any size: the counting allocator writes only its
 * record in front of a block, so sizes past 2^31 can be counted without the memory. */
static union {
    LONG64 align;
    char bytes[64];
} huge_blocks[2];
static int huge_next;

static void *huge_allocate(void *context, size_t size, size_t alignment)
{
    (void)context;
    (void)size;
    (void)alignment;
    return huge_next < 2 ? huge_blocks[huge_next++].bytes : NULL;
}

static void huge_free(void *context, void *block, size_t size, size_t alignment)
{
    (void)context;
    (void)block;
    (void)size;
    (void)alignment;
}

static const kcom_allocator huge_allocator = {huge_allocate, huge_free, NULL};

static void test_counting_allocator(void)
{
    kcom_counting_allocator counter, backing;
    void *blocks[5];
    int i;

    ok(kcom_counting_allocator_init(&backing, NULL) == STATUS_SUCCESS, "init\n");
    ok(backing.backing == kcom_platform_allocator(), "NULL backing is not the platform allocator\n");
    ok(kcom_counting_allocator_init(&counter, &backing.allocator) == STATUS_SUCCESS, "init over a backing\n");
    ok(counter.allocator.allocate != NULL && counter.allocator.free != NULL && counter.allocator.context == &counter,
       "the counting allocator's kcom_allocator\n");
    ok(counter.live == 0 && counter.attempts == 0 && counter.failures == 0 && counter.fail_at == 0 &&
           counter.live_bytes == 0,
       "fresh counters\n");

    /* counts blocks and bytes; the backing sees one block per block */
    blocks[0] = kcom_allocate(&counter.allocator, 10, 8);
    blocks[1] = kcom_allocate(&counter.allocator, 20, 64);
    blocks[2] = kcom_allocate(&counter.allocator, 30, 1);
    ok(blocks[0] && blocks[1] && blocks[2], "allocations\n");
    ok(is_aligned(blocks[1], 64), "64-aligned block at %p\n", blocks[1]);
    ok(kcom_counting_allocator_live(&counter) == 3 && counter.live_bytes == 60, "live %ld, bytes %ld\n",
       (long)kcom_counting_allocator_live(&counter), (long)counter.live_bytes);
    ok(kcom_counting_allocator_live(&backing) == 3, "backing live %ld\n", (long)kcom_counting_allocator_live(&backing));
    ok(counter.attempts == 3 && counter.failures == 0, "attempts %ld failures %ld\n", (long)counter.attempts,
       (long)counter.failures);
    kcom_free(&counter.allocator, blocks[1], 20, 64);
    ok(counter.live == 2 && counter.live_bytes == 40 && backing.live == 2, "after one free\n");
    kcom_free(&counter.allocator, blocks[0], 10, 8);
    kcom_free(&counter.allocator, blocks[2], 30, 1);
    check_live(&counter, 0);
    check_live(&backing, 0);
    ok(counter.live_bytes == 0, "live bytes %ld\n", (long)counter.live_bytes);

    /* requests past 2^31 - 1 (a long soak): the count wraps, with no signed overflow (UBSan's
     * builds stop at one), and every request is still served */
    counter.attempts = 0x7FFFFFFE;
    blocks[0] = kcom_allocate(&counter.allocator, 10, 8);
    blocks[1] = kcom_allocate(&counter.allocator, 10, 8);
    ok(blocks[0] != NULL && blocks[1] != NULL && counter.attempts == (LONG)0x80000000u,
       "requests past INT32_MAX: attempts %ld\n", (long)counter.attempts);
    kcom_free(&counter.allocator, blocks[0], 10, 8);
    kcom_free(&counter.allocator, blocks[1], 10, 8);
    check_live(&counter, 0);

    /* live bytes past 2^31 (counted, not allocated: the backing refuses them) */
    {
        static const kcom_allocator no_functions = {NULL, NULL, NULL};
        kcom_counting_allocator big, refused;
        kcom_counting_allocator_init(&big, &huge_allocator);
        blocks[0] = kcom_allocate(&big.allocator, (size_t)0x80000000u, 16);
        blocks[1] = kcom_allocate(&big.allocator, (size_t)0x80000000u, 16);
        ok(blocks[0] != NULL && blocks[1] != NULL && big.live_bytes == (LONG64)0x100000000ll,
           "two 2 GiB blocks: %lld live bytes\n", (long long)big.live_bytes);
        kcom_free(&big.allocator, blocks[0], (size_t)0x80000000u, 16);
        kcom_free(&big.allocator, blocks[1], (size_t)0x80000000u, 16);
        ok(big.live == 0 && big.live_bytes == 0, "freed: %lld live bytes\n", (long long)big.live_bytes);
        /* an allocator without functions: refused, as backing and by kcom_allocate */
        memset(&refused, 0x5a, sizeof(refused));
        ok(kcom_counting_allocator_init(&refused, &no_functions) == STATUS_INVALID_PARAMETER,
           "a backing without functions is refused\n");
        ok(kcom_allocate(&no_functions, 8, 8) == NULL, "kcom_allocate through an allocator without functions\n");
    }

    /* fail the third request from now, and only it */
    kcom_counting_allocator_fail_nth(&backing, 0); /* resets the backing's request count */
    kcom_counting_allocator_fail_nth(&counter, 3);
    ok(counter.attempts == 0 && counter.failures == 0 && counter.fail_at == 3, "fail_nth resets the counters\n");
    for (i = 0; i < 5; i++)
        blocks[i] = kcom_allocate(&counter.allocator, 8, 8);
    ok(blocks[0] != NULL && blocks[1] != NULL && blocks[2] == NULL && blocks[3] != NULL && blocks[4] != NULL,
       "fail_nth(3): %p %p %p %p %p\n", blocks[0], blocks[1], blocks[2], blocks[3], blocks[4]);
    ok(counter.attempts == 5 && counter.failures == 1 && counter.live == 4, "attempts %ld failures %ld live %ld\n",
       (long)counter.attempts, (long)counter.failures, (long)counter.live);
    ok(backing.attempts == 4, "the failed request reached the backing (%ld requests)\n", (long)backing.attempts);
    for (i = 0; i < 5; i++)
        kcom_free(&counter.allocator, blocks[i], 8, 8);
    check_live(&counter, 0);

    /* fail the very next one; then 0 disables */
    kcom_counting_allocator_fail_nth(&counter, 1);
    ok(kcom_allocate(&counter.allocator, 8, 8) == NULL, "fail_nth(1)\n");
    blocks[0] = kcom_allocate(&counter.allocator, 8, 8);
    ok(blocks[0] != NULL, "only the first fails\n");
    kcom_free(&counter.allocator, blocks[0], 8, 8);
    kcom_counting_allocator_fail_nth(&counter, 2);
    kcom_counting_allocator_fail_nth(&counter, 0);
    for (i = 0; i < 3; i++)
        blocks[i] = kcom_allocate(&counter.allocator, 8, 8);
    ok(blocks[0] && blocks[1] && blocks[2] && counter.failures == 0, "fail_nth(0) disables\n");
    for (i = 0; i < 3; i++)
        kcom_free(&counter.allocator, blocks[i], 8, 8);
    kcom_counting_allocator_fail_nth(&counter, -4);
    ok(counter.fail_at == 0, "a negative n disables (fail_at %ld)\n", (long)counter.fail_at);

    /* a failing backing makes the counting allocator fail, without counting a block */
    kcom_counting_allocator_fail_nth(&backing, 1);
    kcom_counting_allocator_fail_nth(&counter, 0);
    ok(kcom_allocate(&counter.allocator, 8, 8) == NULL, "backing failure\n");
    ok(counter.live == 0 && counter.live_bytes == 0 && backing.live == 0, "backing failure counted a block\n");
    check_live(&counter, 0);
    check_live(&backing, 0);
}

void kcom_test_allocators(void)
{
    test_over_aligned();
    test_class_and_default_allocators();
    test_default_replaced_while_objects_live();
    test_kcom_allocate();
    test_aligned_allocate();
    test_counting_allocator();
}
