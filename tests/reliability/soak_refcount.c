/*
 * soak_refcount.c - reference counting and QueryInterface on shared objects, across threads, for a
 * bounded time (rel_soak_seconds: argv[1], KCOM_SOAK_SECONDS, else 4 s).
 *
 * SLOTS slots each hold a reference to an object of one of the classes of rel_common.h (one
 * interface, four, an aggregate, an object with async methods). THREADS threads loop: take a
 * reference on a slot's object (under the slot's spin lock, through a random interface), then,
 * with no lock, QueryInterface for random IIDs on random interface pointers (checking each answer
 * against rel_expected_interface, and releasing it), AddRef/Release pairs, method calls (Tag;
 * ReadNow on readers, whose operation is allocated and released on that thread), and release the
 * reference; now and then a thread replaces a slot's object with a new one and releases the old,
 * so final releases happen on whichever thread lets go last, while others still use the object.
 *
 * At the end: no wrong answer, no count off, every object created was destroyed exactly once
 * (destroy callbacks per class), every async task state dropped, and nothing left allocated
 * (rel_alloc, the default and class allocator: counting allocator live == 0). The threads count
 * their findings; the main thread checks them (the harness counts are not thread-safe).
 */
#define _POSIX_C_SOURCE 200809L

#include "rel_common.h"

#include <stdio.h>
#include <string.h>

#define SLOTS 16
#define THREADS 4
#define USES_PER_REFERENCE 8

typedef struct slot {
    LONG volatile lock;
    rel_object obj;
} slot;

static slot slots[SLOTS];
static LONG volatile stop;

typedef struct worker {
    pthread_t thread;
    ULONG64 random;
    ULONG64 operations; /* AddRef, Release, QueryInterface, method calls, creations */
    ULONG64 replacements;
    LONG wrong_answers;
    LONG wrong_counts;
    LONG create_failures;
    ULONG64 async_calls;
} worker;

static worker workers[THREADS];

static void slot_lock(slot *s)
{
    while (kcom_atomic_exchange(&s->lock, 1) != 0)
        kcom_cpu_relax();
}

static void slot_unlock(slot *s)
{
    kcom_atomic_store(&s->lock, 0);
}

/* One reference's worth of work on an object the caller holds. */
static void use(worker *w, const rel_object *obj)
{
    int k;
    for (k = 0; k < USES_PER_REFERENCE; k++) {
        ULONG r = rel_random(&w->random);
        int i = (int)(r % (ULONG)obj->interface_count);
        IUnknown *p = obj->interfaces[i];
        switch ((r >> 8) % 4) {
        case 0: { /* QueryInterface */
            int iid = (int)((r >> 12) % REL_IID_COUNT);
            int expected = rel_expected_interface(obj->kind, iid);
            void *out = TEST_POISON_PTR;
            NTSTATUS status = p->lpVtbl->QueryInterface(p, rel_iid(iid), &out);
            w->operations++;
            if (expected < 0 ? (status != STATUS_NOINTERFACE || out != NULL)
                             : (status != STATUS_SUCCESS || out != rel_object_interface(obj, expected)))
                w->wrong_answers++;
            if (NT_SUCCESS(status) && out != NULL && out != TEST_POISON_PTR) {
                ((IUnknown *)out)->lpVtbl->Release((IUnknown *)out);
                w->operations++;
            }
            break;
        }
        case 1: { /* AddRef and Release: we hold one reference, so both stay above it */
            ULONG up = p->lpVtbl->AddRef(p);
            ULONG down = p->lpVtbl->Release(p);
            w->operations += 2;
            if (up < 2 || down < 1)
                w->wrong_counts++;
            break;
        }
        case 2: { /* a method */
            ULONG tag = 0, expected = 0;
            if (rel_call_tag(obj, i, &tag, &expected)) {
                w->operations++;
                if (tag != expected)
                    w->wrong_answers++;
            } else if (obj->kind == REL_READER) {
                IAsyncULONG *op = IRelReader_ReadNow((IRelReader *)(void *)p, r & 0xFFFF);
                ULONG value = 0;
                w->operations += 2;
                w->async_calls++;
                if (IAsyncULONG_get_result(op, &value) != STATUS_SUCCESS || value != REL_READ_NOW_VALUE(r & 0xFFFF))
                    w->wrong_answers++;
                IAsyncULONG_Release(op);
            }
            break;
        }
        default: { /* identity through any interface */
            void *out = NULL;
            if (p->lpVtbl->QueryInterface(p, &IID_IUnknown, &out) != STATUS_SUCCESS || out != obj->identity)
                w->wrong_answers++;
            if (out != NULL)
                ((IUnknown *)out)->lpVtbl->Release((IUnknown *)out);
            w->operations += 2;
            break;
        }
        }
    }
}

static void *worker_main(void *arg)
{
    worker *w = (worker *)arg;
    while (!kcom_atomic_load(&stop)) {
        ULONG r = rel_random(&w->random);
        slot *s = &slots[r % SLOTS];
        if ((r >> 16) % 64 == 0) {
            /* replace the slot's object; the old one goes when its last user lets go */
            rel_object fresh, old;
            NTSTATUS status = rel_create((int)((r >> 22) % REL_CLASS_COUNT), (int)((r >> 24) & 1), &fresh);
            w->operations++;
            if (!NT_SUCCESS(status)) {
                w->create_failures++;
                continue;
            }
            slot_lock(s);
            old = s->obj;
            s->obj = fresh;
            slot_unlock(s);
            if (old.identity != NULL) {
                old.identity->lpVtbl->Release(old.identity);
                w->operations++;
            }
            w->replacements++;
        } else {
            rel_object copy;
            IUnknown *held = NULL;
            slot_lock(s);
            copy = s->obj;
            if (copy.identity != NULL) {
                held = copy.interfaces[(r >> 8) % (ULONG)copy.interface_count];
                held->lpVtbl->AddRef(held);
            }
            slot_unlock(s);
            if (held == NULL)
                continue;
            w->operations++;
            use(w, &copy);
            held->lpVtbl->Release(held);
            w->operations++;
        }
    }
    return NULL;
}

/* Fills the slots and starts the threads. */
static void start(void)
{
    int i;
    for (i = 0; i < SLOTS; i++) {
        ok(rel_create(i % REL_CLASS_COUNT, i & 1, &slots[i].obj) == STATUS_SUCCESS, "slot %d\n", i);
        slots[i].lock = 0;
    }
    for (i = 0; i < THREADS; i++) {
        workers[i].random = 0x9E3779B97F4A7C15ULL * (ULONG64)(i + 1);
        ok(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0, "thread %d\n", i);
    }
}

/* Stops the threads, releases the slots, checks the invariants. */
static void finish(void)
{
    ULONG64 operations = 0, replacements = 0, async_calls = 0;
    LONG wrong_answers = 0, wrong_counts = 0, create_failures = 0, destroyed = 0;
    int i;
    kcom_atomic_store(&stop, 1);
    for (i = 0; i < THREADS; i++) {
        pthread_join(workers[i].thread, NULL);
        operations += workers[i].operations;
        replacements += workers[i].replacements;
        async_calls += workers[i].async_calls;
        wrong_answers += workers[i].wrong_answers;
        wrong_counts += workers[i].wrong_counts;
        create_failures += workers[i].create_failures;
    }
    for (i = 0; i < SLOTS; i++) {
        ULONG left = slots[i].obj.identity->lpVtbl->Release(slots[i].obj.identity);
        ok(left == 0, "slot %d: %lu references left\n", i, (unsigned long)left);
    }
    for (i = 0; i < REL_CLASS_COUNT; i++) {
        destroyed += kcom_atomic_load(&rel_destroyed[i]);
        ok(rel_created[i] == rel_destroyed[i], "%s: %ld created, %ld destroyed\n", rel_class_name(i),
           (long)rel_created[i], (long)rel_destroyed[i]);
    }
    ok(wrong_answers == 0, "%ld wrong answers\n", (long)wrong_answers);
    ok(wrong_counts == 0, "%ld reference counts off\n", (long)wrong_counts);
    ok(create_failures == 0, "%ld creations failed\n", (long)create_failures);
    ok(rel_reader_starts == rel_reader_drops, "%ld task states started, %ld dropped\n", (long)rel_reader_starts,
       (long)rel_reader_drops);
    ok(rel_alloc_live() == 0, "%ld blocks still allocated\n", (long)rel_alloc_live());
    kcom_test_print("soak_refcount: %llu operations (%llu async calls), %llu objects replaced, %ld destroyed\n",
                    (unsigned long long)operations, (unsigned long long)async_calls,
                    (unsigned long long)replacements, (long)destroyed);
}

int main(int argc, char **argv)
{
    const kcom_test_totals *totals;
    double seconds = rel_soak_seconds(argc, argv, 4.0);
    ULONG64 began;

    if (!NT_SUCCESS(kcom_initialize()))
        return 1;
    rel_alloc_init();
    kcom_atomic_store(&rel_alloc.record_sites, 0); /* no backtraces: more operations per second */
    kcom_set_default_allocator(&rel_alloc.allocator);
    printf("soak_refcount: %d threads, %d slots, %.1f s\n", THREADS, SLOTS, seconds);
    kcom_test_run("soak_refcount_start", start);
    began = rel_now_ms();
    while ((double)(rel_now_ms() - began) < seconds * 1000.0)
        rel_sleep_ms(10);
    kcom_test_run("soak_refcount", finish);
    kcom_set_default_allocator(NULL);
    kcom_uninitialize();
    totals = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed, (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
