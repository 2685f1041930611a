/*
 * The caching allocator under concurrency, host only (POSIX threads): 4 threads allocate and free
 * through one cache for about a second, mostly blocks of the cached size, some of another size
 * (which bypass the cache), while one of them drains the cache now and then.
 *
 * Every block carries an owner word (the backing allocator zero-fills new blocks): a thread that
 * receives a block swaps its id in and must find 0, and swaps 0 back before freeing it, so a block
 * handed to two threads at once is caught; the thread also fills the block with its id and checks
 * the fill is intact before freeing it, so a block written by someone else while held is caught.
 * At the end: every allocation is accounted for in the statistics (hits + misses, bypassed), the
 * cache never held more than its depth (the host's free list is exact), and after a drain the
 * backing allocator has nothing live.
 *
 * Built for the sanitizer configurations and run under valgrind memcheck like the other host
 * programs; time-bounded, so a slow configuration runs fewer iterations, not longer.
 */
#define _POSIX_C_SOURCE 200809L

#include "../harness/kcom_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS 4
#define DEPTH 8
#define HELD_MAX 16
#define RUN_NS 1000000000LL     /* how long the threads run */
#define MAX_ITERATIONS 4000000L /* per thread, whatever the time */

#define CACHED_SIZE 64
#define CACHED_ALIGNMENT 16
#define OTHER_SIZE 96
#define OWNER_OFFSET 16 /* past the free list's link */
#define FILL_OFFSET 20

void kcom_test_vprint(const char *format, va_list args)
{
    vprintf(format, args);
    fflush(stdout);
}

/* ---- a zero-filling, counting backing allocator ----------------------------------------------- */

static LONG volatile backing_live;
static LONG volatile backing_allocations;

static void *zeroing_allocate(void *context, size_t size, size_t alignment)
{
    void *block = kcom_allocate(kcom_platform_allocator(), size, alignment);
    (void)context;
    if (block != NULL) {
        memset(block, 0, size);
        kcom_atomic_fetch_add(&backing_live, 1);
        kcom_atomic_fetch_add(&backing_allocations, 1);
    }
    return block;
}

static void zeroing_free(void *context, void *block, size_t size, size_t alignment)
{
    (void)context;
    kcom_atomic_fetch_add(&backing_live, -1);
    kcom_free(kcom_platform_allocator(), block, size, alignment);
}

static const kcom_allocator zeroing = {zeroing_allocate, zeroing_free, NULL};

static kcom_caching_allocator cache;

/* ---- the threads ------------------------------------------------------------------------------- */

typedef struct held_block {
    unsigned char *block;
    size_t size;
} held_block;

typedef struct worker {
    pthread_t thread;
    LONG id; /* 1..THREADS */
    long iterations;
    long cached_allocations; /* of the cached size */
    long other_allocations;
    long failed_allocations;
    long twice;              /* blocks found owned by another thread when received */
    long corrupted;          /* blocks whose fill changed while held */
    long over_depth;         /* statistics showing more cached blocks than the depth */
    long drains;
} worker;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static ULONG next_random(ULONG *state)
{
    ULONG x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static LONG volatile *owner_of(unsigned char *block)
{
    return (LONG volatile *)(void *)(block + OWNER_OFFSET);
}

static void receive(worker *self, held_block *held)
{
    LONG previous = kcom_atomic_exchange(owner_of(held->block), self->id);
    if (previous != 0)
        self->twice++;
    memset(held->block + FILL_OFFSET, (int)self->id, held->size - FILL_OFFSET);
}

static void give_back(worker *self, held_block *held)
{
    size_t i;
    for (i = FILL_OFFSET; i < held->size; i++)
        if (held->block[i] != (unsigned char)self->id)
            break;
    if (i != held->size)
        self->corrupted++;
    if (kcom_atomic_exchange(owner_of(held->block), 0) != self->id)
        self->twice++;
    kcom_free(&cache.allocator, held->block, held->size, CACHED_ALIGNMENT);
}

static void *work(void *argument)
{
    worker *self = (worker *)argument;
    held_block held[HELD_MAX];
    int count = 0;
    ULONG random = 0x9E3779B9u * (ULONG)self->id;
    long long deadline = now_ns() + RUN_NS;

    for (self->iterations = 0; self->iterations < MAX_ITERATIONS; self->iterations++) {
        ULONG r = next_random(&random);
        if ((self->iterations & 1023) == 0 && now_ns() > deadline)
            break;
        if (count < HELD_MAX && (count == 0 || (r & 1) != 0)) {
            held_block *slot = &held[count];
            slot->size = (r >> 1) % 10 == 0 ? OTHER_SIZE : CACHED_SIZE;
            slot->block = (unsigned char *)kcom_allocate(&cache.allocator, slot->size, CACHED_ALIGNMENT);
            if (slot->block == NULL) {
                self->failed_allocations++;
                continue;
            }
            if (slot->size == CACHED_SIZE)
                self->cached_allocations++;
            else
                self->other_allocations++;
            receive(self, slot);
            count++;
        } else {
            int victim = (int)((r >> 1) % (ULONG)count);
            give_back(self, &held[victim]);
            held[victim] = held[--count];
        }
        if (self->id == 1 && (self->iterations & 4095) == 4095) {
            kcom_caching_allocator_stats stats;
            kcom_caching_allocator_query_stats(&cache, &stats);
            if (stats.cached > DEPTH)
                self->over_depth++;
            if (kcom_caching_allocator_drain(&cache) == STATUS_SUCCESS)
                self->drains++;
        }
    }
    while (count > 0)
        give_back(self, &held[--count]);
    return NULL;
}

int main(void)
{
    worker workers[THREADS];
    kcom_caching_allocator_stats stats;
    const kcom_test_totals *totals;
    long iterations = 0, cached = 0, other = 0, failed = 0, twice = 0, corrupted = 0, over_depth = 0, drains = 0;
    int i;

    if (!NT_SUCCESS(kcom_initialize())) {
        fprintf(stderr, "kcom_initialize failed\n");
        return 2;
    }
    ok(kcom_caching_allocator_init(&cache, DEPTH, &zeroing) == STATUS_SUCCESS, "init\n");
    /* fix the cached size before the threads start, so every allocation is a hit, a miss or bypassed */
    {
        void *first = kcom_allocate(&cache.allocator, CACHED_SIZE, CACHED_ALIGNMENT);
        ok(first != NULL, "first allocation\n");
        kcom_free(&cache.allocator, first, CACHED_SIZE, CACHED_ALIGNMENT);
        kcom_caching_allocator_drain(&cache);
    }

    for (i = 0; i < THREADS; i++) {
        memset(&workers[i], 0, sizeof(workers[i]));
        workers[i].id = i + 1;
        if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(workers[i].thread, NULL);
        iterations += workers[i].iterations;
        cached += workers[i].cached_allocations;
        other += workers[i].other_allocations;
        failed += workers[i].failed_allocations;
        twice += workers[i].twice;
        corrupted += workers[i].corrupted;
        over_depth += workers[i].over_depth;
        drains += workers[i].drains;
    }

    ok(kcom_caching_allocator_query_stats(&cache, &stats) == STATUS_SUCCESS, "query_stats\n");
    kcom_test_print("%d threads, %ld iterations: %ld allocations of the cached size (%lu hits, %lu misses), "
                    "%ld bypassed, %lu overflows, %ld drains\n",
                    THREADS, iterations, cached, (unsigned long)stats.hits, (unsigned long)stats.misses, other,
                    (unsigned long)stats.overflows, drains);
    ok(failed == 0, "%ld allocations failed\n", failed);
    ok(twice == 0, "%ld blocks were handed out while another thread held them\n", twice);
    ok(corrupted == 0, "%ld blocks were written by another thread while held\n", corrupted);
    ok(over_depth == 0, "the cache held more than %d blocks %ld times\n", DEPTH, over_depth);
    ok(stats.cached <= DEPTH, "%lu blocks cached at the end, depth %d\n", (unsigned long)stats.cached, DEPTH);
    /* the first allocation (main thread) was a miss */
    ok((long)stats.hits + (long)stats.misses == cached + 1, "hits %lu + misses %lu != %ld allocations + 1\n",
       (unsigned long)stats.hits, (unsigned long)stats.misses, cached);
    ok((long)stats.bypassed == other, "bypassed %lu, expected %ld\n", (unsigned long)stats.bypassed, other);
    ok(stats.hits > 0 && stats.overflows > 0 && drains > 0, "the run exercised hits, overflows and drains\n");
    ok(backing_live == (LONG)stats.cached, "%ld blocks live in the backing allocator, %lu cached\n",
       (long)backing_live, (unsigned long)stats.cached);

    ok(kcom_caching_allocator_drain(&cache) == STATUS_SUCCESS, "final drain\n");
    ok(backing_live == 0, "%ld blocks still live after the drain\n", (long)backing_live);
    ok(backing_allocations == (LONG)stats.misses + (LONG)stats.bypassed,
       "the backing allocator served %ld allocations, the cache counted %lu misses + %lu bypassed\n",
       (long)backing_allocations, (unsigned long)stats.misses, (unsigned long)stats.bypassed);

    kcom_uninitialize();
    totals = kcom_test_get_totals();
    printf("caching_stress: %ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed,
           (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
