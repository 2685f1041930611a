/*
 * test_refcount_body.h - the reference count laws, compiled once per hardening mode: each of
 * test_refcount_off.c, test_refcount_failfast.c and test_refcount_leaky.c defines
 * KCOM_REFCOUNT_HARDENING and REFCOUNT_TEST_NAME, then includes this file (the mode is per
 * translation unit that implements classes). The host hardening tests include it too.
 *
 * Covered in every mode: AddRef/Release return values, destroy exactly once, an AddRef+Release pair
 * (and QueryInterface+Release, nested pairs) inside the destroy callback destroys nothing twice and
 * frees the memory once, counts near INT32_MAX are plain. In OFF and LEAKY mode: a reference that
 * escapes the destroy callback (resurrection) is traced at ERROR level and the memory is leaked, not
 * freed (the object lives in a static arena, so nothing is reported as leaked). LEAKY: saturation at
 * INT32_MAX and over-release that does not go negative. OFF: no saturation. (FAILFAST's aborts are
 * tested in separate processes: tests/host/hardening.c.)
 */
#include "test_common.h"

#ifndef REFCOUNT_TEST_NAME
#error "define REFCOUNT_TEST_NAME before including test_refcount_body.h"
#endif

static kcom_counting_allocator rc_counter;

/* ---- Counted: counts its destructions; optionally plays with its count in destroy ------------ */

enum destroy_play {
    PLAY_NOTHING,
    PLAY_PAIR_IFACE,  /* IOther1_AddRef + IOther1_Release */
    PLAY_PAIR_OBJECT, /* kcom_object_addref + kcom_object_release */
    PLAY_QI_RELEASE,  /* QueryInterface + Release */
    PLAY_NESTED,      /* AddRef, AddRef, Release, Release */
    PLAY_RESURRECT    /* AddRef and keep the reference */
};

typedef struct Counted {
    ULONG first_state; /* not an interface */
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    ULONG value;
} Counted;

static LONG rc_destroyed;
static enum destroy_play rc_play;
static LONG rc_live_during_destroy;
static NTSTATUS rc_qi_status_in_destroy;
static Counted *rc_escaped;

static ULONG Counted_O1_Tag(Counted *self)
{
    return self->value;
}
static NTSTATUS Counted_O1_Store(Counted *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Counted_O1_Load(Counted *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
#define Counted_O2_Tag Counted_O1_Tag
#define Counted_O2_Store Counted_O1_Store
#define Counted_O2_Load Counted_O1_Load

static void Counted_destroy(Counted *self)
{
    void *other = NULL;
    rc_destroyed++;
    switch (rc_play) {
    case PLAY_NOTHING:
        break;
    case PLAY_PAIR_IFACE:
        IOther1_AddRef(&self->IOther1_iface);
        IOther1_Release(&self->IOther1_iface);
        break;
    case PLAY_PAIR_OBJECT:
        kcom_object_addref(self);
        kcom_object_release(self);
        break;
    case PLAY_QI_RELEASE:
        rc_qi_status_in_destroy = IOther1_QueryInterface(&self->IOther1_iface, &IID_IOther2, &other);
        if (other != NULL)
            IOther2_Release((IOther2 *)other);
        break;
    case PLAY_NESTED:
        IOther2_AddRef(&self->IOther2_iface);
        kcom_object_addref(self);
        IOther1_Release(&self->IOther1_iface);
        kcom_object_release(self);
        break;
    case PLAY_RESURRECT:
        IOther1_AddRef(&self->IOther1_iface);
        rc_escaped = self;
        break;
    }
    /* the memory is still there while the callback runs */
    rc_live_during_destroy = kcom_counting_allocator_live(&rc_counter);
}

KCOM_IMPLEMENT_WITH(Counted, IOther1, IOther1_iface, Counted_O1_)
KCOM_IMPLEMENT_WITH(Counted, IOther2, IOther2_iface, Counted_O2_)
KCOM_CLASS_EX(Counted, &rc_counter.allocator, Counted_destroy, NULL, (IOther1, IOther1_iface), (IOther2, IOther2_iface))

/* Objects that are leaked on purpose live here; the counting allocator sits on top of it. */
static unsigned char rc_arena_buffer[4096];
static test_arena rc_arena;

static void rc_reset(enum destroy_play play)
{
    test_arena_init(&rc_arena, rc_arena_buffer, sizeof(rc_arena_buffer));
    kcom_counting_allocator_init(&rc_counter, &rc_arena.allocator);
    rc_destroyed = 0;
    rc_play = play;
    rc_live_during_destroy = -1;
    rc_qi_status_in_destroy = STATUS_UNSUCCESSFUL;
    rc_escaped = NULL;
}

static Counted *rc_new(void)
{
    Counted *counted = NULL;
    NTSTATUS status = KCOM_NEW(Counted, NULL, &counted);
    ok(status == STATUS_SUCCESS && counted != NULL, "KCOM_NEW(Counted) returned %s\n", kcom_status_name(status));
    return counted;
}

static void rc_basic(void)
{
    Counted *counted;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    if (counted == NULL)
        return;
    check_live(&rc_counter, 1);
    check_refcount(counted, 1);
    ok(IOther1_AddRef(&counted->IOther1_iface) == 2, "AddRef returns the new count\n");
    ok(IOther2_AddRef(&counted->IOther2_iface) == 3, "AddRef through the second interface\n");
    ok(kcom_object_addref(counted) == 4, "kcom_object_addref\n");
    check_refcount(counted, 4);
    ok(IOther2_Release(&counted->IOther2_iface) == 3, "Release returns the new count\n");
    ok(kcom_object_release(counted) == 2, "kcom_object_release\n");
    ok(IOther1_Release(&counted->IOther1_iface) == 1, "Release\n");
    ok(rc_destroyed == 0, "destroyed early\n");
    check_live(&rc_counter, 1);
    ok(IOther2_Release(&counted->IOther2_iface) == 0, "final Release returns 0\n");
    ok(rc_destroyed == 1, "destroy ran %ld times\n", (long)rc_destroyed);
    ok(rc_live_during_destroy == 1, "memory freed before destroy ran (%ld live)\n", (long)rc_live_during_destroy);
    check_live(&rc_counter, 0);
    ok(rc_arena.live == 0 && rc_arena.allocations == 1 && rc_arena.frees == 1,
       "backing: %ld live, %ld allocations, %ld frees\n", (long)rc_arena.live, (long)rc_arena.allocations,
       (long)rc_arena.frees);
}

static void rc_destroy_play(enum destroy_play play, const char *what)
{
    trace_capture capture;
    Counted *counted;
    rc_reset(play);
    counted = rc_new();
    if (counted == NULL)
        return;
    trace_capture_install(&capture); /* the runtime may warn about the temporary reference */
    ok(IOther1_Release(&counted->IOther1_iface) == 0, "%s: final Release returns 0\n", what);
    trace_capture_remove();
    ok(rc_destroyed == 1, "%s: destroy ran %ld times\n", what, (long)rc_destroyed);
    ok(rc_live_during_destroy == 1, "%s: %ld live blocks during destroy\n", what, (long)rc_live_during_destroy);
    ok(kcom_counting_allocator_live(&rc_counter) == 0, "%s: %ld live blocks afterwards\n", what,
       (long)kcom_counting_allocator_live(&rc_counter));
    ok(rc_arena.allocations == 1 && rc_arena.frees == 1, "%s: %ld allocations, %ld frees\n", what,
       (long)rc_arena.allocations, (long)rc_arena.frees);
    ok(capture.by_level[KCOM_TRACE_LEVEL_ERROR] == 0, "%s: %ld errors traced\n", what,
       (long)capture.by_level[KCOM_TRACE_LEVEL_ERROR]);
    if (play == PLAY_QI_RELEASE)
        ok(rc_qi_status_in_destroy == STATUS_SUCCESS, "QueryInterface in destroy returned %s\n",
           kcom_status_name(rc_qi_status_in_destroy));
}

/* Near INT32_MAX: plain counting up to the maximum, in every mode; at the maximum itself LEAKY mode
 * considers the count saturated. */
static void rc_near_max(void)
{
    Counted *counted;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    if (counted == NULL)
        return;
    kcom_rt_header(counted)->refs = 0x7FFFFFFC;
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x7FFFFFFDu, "AddRef at 0x7FFFFFFC\n");
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x7FFFFFFEu, "AddRef at 0x7FFFFFFD\n");
    ok(IOther2_Release(&counted->IOther2_iface) == 0x7FFFFFFDu, "Release at 0x7FFFFFFE\n");
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x7FFFFFFEu, "AddRef at 0x7FFFFFFD\n");
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x7FFFFFFFu, "AddRef to INT32_MAX\n");
    check_refcount(counted, 0x7FFFFFFF);
    /* QueryInterface's reference up to INT32_MAX, through both interfaces (the first one's shim
     * holds the lookup inline) */
    kcom_rt_header(counted)->refs = 0x7FFFFFFD;
    {
        void *found = NULL;
        ok(IOther1_QueryInterface(&counted->IOther1_iface, &IID_IOther2, &found) == STATUS_SUCCESS &&
               found == &counted->IOther2_iface,
           "QueryInterface at 0x7FFFFFFD\n");
        check_refcount(counted, 0x7FFFFFFE);
        found = NULL;
        ok(IOther2_QueryInterface(&counted->IOther2_iface, &IID_IUnknown, &found) == STATUS_SUCCESS &&
               found == &counted->IOther1_iface,
           "QueryInterface to INT32_MAX\n");
        check_refcount(counted, 0x7FFFFFFF);
    }
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_LEAKY
    ok(IOther1_Release(&counted->IOther1_iface) == 0x7FFFFFFFu, "LEAKY: Release at INT32_MAX moved the count\n");
    check_refcount(counted, 0x7FFFFFFF);
#else
    ok(IOther1_Release(&counted->IOther1_iface) == 0x7FFFFFFEu, "Release from INT32_MAX\n");
    check_refcount(counted, 0x7FFFFFFE);
#endif
    ok(rc_destroyed == 0, "destroyed\n");
    kcom_rt_header(counted)->refs = 1;
    ok(kcom_object_release(counted) == 0 && rc_destroyed == 1, "final release\n");
    check_live(&rc_counter, 0);
}

#if KCOM_REFCOUNT_HARDENING != KCOM_REFCOUNT_FAILFAST
/* A reference escaping the destroy callback: traced, and the memory leaked (into the arena). */
static void rc_resurrection(void)
{
    trace_capture capture;
    Counted *counted;
    rc_reset(PLAY_RESURRECT);
    counted = rc_new();
    if (counted == NULL)
        return;
    trace_capture_install(&capture);
    ok(kcom_object_release(counted) == 0, "final Release\n");
    ok(rc_destroyed == 1, "destroy ran %ld times\n", (long)rc_destroyed);
    ok(rc_escaped == counted, "the reference did not escape\n");
    ok(capture.by_level[KCOM_TRACE_LEVEL_ERROR] >= 1, "resurrection not traced as an error (%ld errors)\n",
       (long)capture.by_level[KCOM_TRACE_LEVEL_ERROR]);
    ok(capture.last_level == KCOM_TRACE_LEVEL_ERROR && capture.last_file != NULL && capture.last_line > 0,
       "the resurrection message has no level/file/line\n");
    ok(kcom_counting_allocator_live(&rc_counter) == 1, "resurrected object freed: %ld live blocks\n",
       (long)kcom_counting_allocator_live(&rc_counter));
    ok(rc_arena.frees == 0, "the backing freed %ld blocks\n", (long)rc_arena.frees);
    if (rc_escaped != NULL) {
        /* the escaped reference can still be used and dropped: nothing is destroyed again */
        ok(IOther1_Tag(&rc_escaped->IOther1_iface) == 0, "the leaked object is not readable\n");
        IOther1_Release(&rc_escaped->IOther1_iface);
        ok(rc_destroyed == 1, "destroy ran again (%ld)\n", (long)rc_destroyed);
        ok(kcom_counting_allocator_live(&rc_counter) == 1 && rc_arena.frees == 0,
           "releasing the escaped reference freed the object\n");
    }
    trace_capture_remove();
}
#endif

#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_LEAKY
static void rc_leaky(void)
{
    trace_capture capture;
    Counted *counted;
    int i;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    if (counted == NULL)
        return;
    trace_capture_install(&capture);

    /* saturation: the count sticks at INT32_MAX and the object is never freed */
    kcom_rt_header(counted)->refs = 0x7FFFFFFE;
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x7FFFFFFFu, "AddRef to INT32_MAX\n");
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x7FFFFFFFu, "AddRef at INT32_MAX does not saturate\n");
    check_refcount(counted, 0x7FFFFFFF);
    ok(kcom_object_addref(counted) == 0x7FFFFFFFu, "kcom_object_addref when saturated\n");
    check_refcount(counted, 0x7FFFFFFF);
    for (i = 0; i < 3; i++)
        ok(IOther2_Release(&counted->IOther2_iface) == 0x7FFFFFFFu, "Release of a saturated object moved it\n");
    check_refcount(counted, 0x7FFFFFFF);
    ok(rc_destroyed == 0, "a saturated object was destroyed\n");
    check_live(&rc_counter, 1);

    /* over-release: Release at 0 leaves the count at 0 and destroys nothing */
    kcom_rt_header(counted)->refs = 0;
    ok(IOther1_Release(&counted->IOther1_iface) == 0, "Release at 0 returns 0\n");
    check_refcount(counted, 0);
    ok(kcom_object_release(counted) == 0, "second Release at 0 returns 0\n");
    check_refcount(counted, 0);
    ok(rc_destroyed == 0, "over-release destroyed the object\n");
    check_live(&rc_counter, 1);
    ok(capture.by_level[KCOM_TRACE_LEVEL_ERROR] >= 1, "over-release not traced as an error\n");

    /* clean up: give the object its one reference back and drop it */
    kcom_rt_header(counted)->refs = 1;
    ok(kcom_object_release(counted) == 0 && rc_destroyed == 1, "cleanup release\n");
    check_live(&rc_counter, 0);
    trace_capture_remove();
}
#endif

#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_OFF
static void rc_off(void)
{
    Counted *counted;
    rc_reset(PLAY_NOTHING);
    counted = rc_new();
    if (counted == NULL)
        return;
    /* plain arithmetic: no saturation at INT32_MAX */
    kcom_rt_header(counted)->refs = 0x7FFFFFFE;
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x7FFFFFFFu, "AddRef to INT32_MAX\n");
    ok(IOther1_AddRef(&counted->IOther1_iface) == 0x80000000u, "OFF mode saturated or checked the count\n");
    ok(rc_destroyed == 0, "destroyed\n");
    kcom_rt_header(counted)->refs = 1;
    ok(kcom_object_release(counted) == 0 && rc_destroyed == 1, "final release\n");
    check_live(&rc_counter, 0);
}
#endif

void REFCOUNT_TEST_NAME(void)
{
    ok(kcom_set_trace_level(KCOM_TRACE_LEVEL_WARNING) == KCOM_TRACE_LEVEL_WARNING, "trace level not the default\n");
    rc_basic();
    rc_destroy_play(PLAY_NOTHING, "no play");
    rc_destroy_play(PLAY_PAIR_IFACE, "AddRef+Release through the interface");
    rc_destroy_play(PLAY_PAIR_OBJECT, "kcom_object_addref+release");
    rc_destroy_play(PLAY_QI_RELEASE, "QueryInterface+Release");
    rc_destroy_play(PLAY_NESTED, "nested pairs");
    rc_near_max();
#if KCOM_REFCOUNT_HARDENING != KCOM_REFCOUNT_FAILFAST
    rc_resurrection();
#endif
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_LEAKY
    rc_leaky();
#endif
#if KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_OFF
    rc_off();
#endif
}
