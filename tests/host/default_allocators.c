/*
 * Default allocators, host only, in a process of its own: kcom records every allocator that has
 * been the default (objects of classes without an allocator go back to the one they came from),
 * in a fixed number of slots that are never reused. This program uses them all up: the next new
 * default is refused with STATUS_INSUFFICIENT_RESOURCES and the default stays what it was, while
 * any allocator already recorded can still be made the default again, and every object still goes
 * back to the allocator it came from.
 */
#include "../harness/kcom_test.h"

#include <stdio.h>

#define MANY 80 /* more than kcom's slots */

void kcom_test_vprint(const char *format, va_list args)
{
    vprintf(format, args);
    fflush(stdout);
}

#define ICounted_METHODS(M, I) IUnknown_METHODS(M, I)
KCOM_DECLARE_INTERFACE(ICounted, IUnknown, 0x5d1e8a20, 0x7c3b, 0x4f19, 0x8e, 0x02, 0x6a, 0x9b, 0x31, 0xc4, 0x7d, 0x55)

typedef struct Counted {
    ICounted ICounted_iface;
} Counted;

KCOM_IMPLEMENT(Counted, ICounted, ICounted_iface)
KCOM_CLASS(Counted, NULL, (ICounted, ICounted_iface))

static kcom_counting_allocator counters[MANY];

int main(void)
{
    const kcom_test_totals *totals;
    Counted *objects[MANY];
    int i, accepted = 0, refused = 0;

    if (!NT_SUCCESS(kcom_initialize())) {
        fprintf(stderr, "kcom_initialize failed\n");
        return 2;
    }
    for (i = 0; i < MANY; i++) {
        NTSTATUS status;
        objects[i] = NULL;
        kcom_counting_allocator_init(&counters[i], NULL);
        status = kcom_set_default_allocator(&counters[i].allocator);
        if (status == STATUS_SUCCESS) {
            accepted++;
            ok(refused == 0, "allocator %d accepted after a refusal\n", i);
            ok(KCOM_NEW(Counted, NULL, &objects[i]) == STATUS_SUCCESS, "object %d\n", i);
            ok(counters[i].live == 1, "object %d from allocator %d\n", i, i);
        } else {
            refused++;
            ok(status == STATUS_INSUFFICIENT_RESOURCES, "allocator %d: %s\n", i, kcom_status_name(status));
            ok(kcom_default_allocator() == &counters[accepted - 1].allocator, "the default stayed the last accepted\n");
        }
    }
    ok(accepted >= 15 && refused > 0, "%d accepted, %d refused\n", accepted, refused);
    /* one already recorded is accepted again, and the platform's always */
    ok(kcom_set_default_allocator(&counters[0].allocator) == STATUS_SUCCESS, "a recorded one again\n");
    ok(kcom_set_default_allocator(kcom_platform_allocator()) == STATUS_SUCCESS, "the platform's\n");
    for (i = 0; i < accepted; i++) {
        ok(objects[i] != NULL && kcom_object_release(objects[i]) == 0, "release %d\n", i);
        ok(counters[i].live == 0, "object %d went back to allocator %d: %ld live\n", i, i, (long)counters[i].live);
    }
    ok(kcom_set_default_allocator(NULL) == STATUS_SUCCESS, "NULL\n");
    ok(kcom_uninitialize() == STATUS_SUCCESS, "uninitialize\n");
    totals = kcom_test_get_totals();
    printf("default_allocators: %ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed,
           (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
