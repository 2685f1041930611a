/*
 * Helpers shared by the suites (see test_common.h).
 */
#include "test_common.h"

const kcom_interface_info *test_common_derived_info(void)
{
    return KCOM_INTERFACE_INFO(IDerived);
}

const IID *test_common_other1_iid(void)
{
    return &IID_IOther1;
}

void check_refcount_(const char *file, int line, void *impl, LONG expected)
{
    LONG actual = kcom_object_refcount(impl);
    ok_(file, line)(actual == expected, "reference count %ld, expected %ld\n", (long)actual, (long)expected);
}

void check_interface_(const char *file, int line, IUnknown *iface, const IID *iid, int supported)
{
    char buffer[KCOM_GUID_STRING_SIZE];
    void *out = TEST_POISON_PTR;
    NTSTATUS expected = supported ? STATUS_SUCCESS : STATUS_NOINTERFACE;
    NTSTATUS status = iface->lpVtbl->QueryInterface(iface, iid, &out);
    ok_(file, line)(status == expected, "QueryInterface(%s) returned %s, expected %s\n",
                    kcom_guid_to_string(iid, buffer), kcom_status_name(status), kcom_status_name(expected));
    if (supported) {
        ok_(file, line)(out != NULL && out != TEST_POISON_PTR, "QueryInterface(%s) gave no pointer\n",
                        kcom_guid_to_string(iid, buffer));
        if (NT_SUCCESS(status) && out != NULL && out != TEST_POISON_PTR)
            ((IUnknown *)out)->lpVtbl->Release((IUnknown *)out);
    } else {
        ok_(file, line)(out == NULL, "QueryInterface(%s) failed but left %p in *ppv\n",
                        kcom_guid_to_string(iid, buffer), out);
    }
}

void check_release_(const char *file, int line, IUnknown *iface, ULONG expected)
{
    ULONG actual = iface->lpVtbl->Release(iface);
    ok_(file, line)(actual == expected, "Release returned %lu, expected %lu\n", (unsigned long)actual,
                    (unsigned long)expected);
}

void check_live_(const char *file, int line, const kcom_counting_allocator *counter, LONG expected)
{
    LONG actual = kcom_counting_allocator_live(counter);
    ok_(file, line)(actual == expected, "%ld live allocations, expected %ld\n", (long)actual, (long)expected);
}

void *test_platform_allocate(void *context, size_t size, size_t alignment)
{
    const kcom_allocator *platform = kcom_platform_allocator();
    (void)context;
    return platform->allocate(platform->context, size, alignment);
}

void test_platform_free(void *context, void *block, size_t size, size_t alignment)
{
    const kcom_allocator *platform = kcom_platform_allocator();
    (void)context;
    platform->free(platform->context, block, size, alignment);
}

int test_text_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int test_text_contains(const char *text, const char *part)
{
    if (text == NULL || part == NULL)
        return 0;
    for (; *text != '\0'; text++) {
        const char *t = text;
        const char *p = part;
        while (*p != '\0' && *t == *p) {
            t++;
            p++;
        }
        if (*p == '\0')
            return 1;
    }
    return *part == '\0';
}

/* ---- trace capture -------------------------------------------------------------------------------- */

static void capture_hook(void *context, kcom_trace_level level, const char *file, int line, const char *format,
                         va_list args)
{
    trace_capture *capture = (trace_capture *)context;
    (void)args;
    capture->total++;
    if ((int)level >= 0 && (int)level < 5)
        capture->by_level[level]++;
    capture->last_level = level;
    capture->last_file = file;
    capture->last_line = line;
    capture->last_format = format;
}

void trace_capture_install(trace_capture *capture)
{
    memset(capture, 0, sizeof(*capture));
    kcom_set_trace_hook(capture_hook, capture);
}

void trace_capture_remove(void)
{
    kcom_set_trace_hook(NULL, NULL);
}

/* ---- the arena ----------------------------------------------------------------------------------- */

static void *arena_allocate(void *context, size_t size, size_t alignment)
{
    test_arena *arena = (test_arena *)context;
    uintptr_t start = (uintptr_t)arena->base + arena->used;
    uintptr_t aligned;
    if (size == 0 || alignment == 0 || (alignment & (alignment - 1)) != 0)
        return NULL;
    aligned = (start + alignment - 1) & ~(uintptr_t)(alignment - 1);
    if (aligned + size > (uintptr_t)arena->base + arena->size)
        return NULL;
    arena->used = (size_t)(aligned + size - (uintptr_t)arena->base);
    arena->live++;
    arena->allocations++;
    return (void *)aligned;
}

static void arena_free(void *context, void *block, size_t size, size_t alignment)
{
    test_arena *arena = (test_arena *)context;
    (void)size;
    (void)alignment;
    if (block == NULL)
        return;
    arena->live--;
    arena->frees++;
}

void test_arena_init(test_arena *arena, void *buffer, size_t size)
{
    arena->allocator.allocate = arena_allocate;
    arena->allocator.free = arena_free;
    arena->allocator.context = arena;
    arena->base = (unsigned char *)buffer;
    arena->size = size;
    arena->used = 0;
    arena->live = 0;
    arena->allocations = 0;
    arena->frees = 0;
}
