/*
 * soak_async.c - async operations completed, canceled, queried, given callbacks and released
 * concurrently, for a bounded time (rel_soak_seconds: argv[1], KCOM_SOAK_SECONDS, else 4 s).
 *
 * Each round the main thread makes OPS operations: half completion sources, half async method
 * calls (IRelReader_ReadLater, waiting for a source of their own, run on a thread pool as the
 * default executor). Each source also gets a cancel routine and a watcher: another ReadLater
 * awaiting it, so that a source has several waiters (the watcher, role 4's blocked thread) when it
 * finishes. Five role threads then act on every operation at the same time, each holding one of
 * its references and releasing it when done (no other reference is kept, so the final Release
 * lands on whichever thread is last, possibly the pool thread finishing the task):
 *   0 takes back a source's cancel routine, then completes it (a source) or its source (a method
 *     call) with a value of the round;
 *   1 cancels it;
 *   2 reads its status and result, and asks QueryInterface for its interfaces;
 *   3 sets its completion callback, then tries a second one (STATUS_ALREADY_REGISTERED);
 *   4 blocks until it has finished (any number of waiters per operation).
 * The roles walk the operations in orders that change every round, so each pair of roles meets
 * on the same operation at the same time. After the round (once every callback has fired):
 * every callback fired exactly once; each operation reached exactly one terminal state,
 * consistent with who won (a successful cancel: Canceled, and the source's completion returned
 * STATUS_CANCELLED; otherwise Completed with the right value); a source's cancel routine ran
 * exactly when the cancel won before role 0 took it back; the blocked thread woke with the
 * operation finished; the watcher saw the source's outcome; no query saw an inconsistent result. At the end: every task state dropped once, the pool drained, nothing left allocated.
 */
#define _POSIX_C_SOURCE 200809L

#include "rel_common.h"

#include <stdio.h>
#include <string.h>

#define OPS 32
#define ROLES 5

typedef struct soak_op {
    IKcomAsyncOperation *op;
    IKcomAsyncOperation *source; /* method calls: what they wait for */
    BOOLEAN method;
    NTSTATUS complete_status;
    NTSTATUS cancel_status;
    NTSTATUS set_status;
    NTSTATUS second_set_status;
    NTSTATUS clear_status;    /* role 0's take-back of a source's cancel routine */
    NTSTATUS block_status;    /* role 4's wait */
    LONG volatile unfinished_after_wait;
    LONG volatile routine_calls;
    IAsyncULONG *watcher;     /* sources: a ReadLater awaiting it too */
    LONG volatile calls;
    LONG volatile status;
    LONG volatile result_status;
    ULONG volatile value;
} soak_op;

static struct {
    pthread_barrier_t start, end;
    soak_op ops[OPS];
    LONG round;
    LONG volatile stop;
    LONG bad_queries; /* role 2's, read by the main thread after the round's barrier */
    ULONG64 role_calls[ROLES];
} soak;

static ULONG value_of(LONG round, int i)
{
    return (ULONG)round * 100u + (ULONG)i;
}

static void on_completed(IKcomAsyncOperation *operation, kcom_async_status status, void *context)
{
    soak_op *s = (soak_op *)context;
    ULONG value = 0;
    NTSTATUS result = IKcomAsyncOperation_get_result(operation, &value);
    kcom_atomic_store(&s->result_status, result);
    s->value = value;
    kcom_atomic_store(&s->status, status);
    kcom_atomic_fetch_add(&s->calls, 1); /* last: the main thread waits for it */
}

static void on_cancel(IKcomAsyncOperation *operation, void *context)
{
    kcom_async_status status = -1;
    (void)IKcomAsyncOperation_get_status(operation, &status);
    if (status != KCOM_ASYNC_CANCELED)
        kcom_atomic_fetch_add(&((soak_op *)context)->unfinished_after_wait, 1); /* counted as broken */
    kcom_atomic_fetch_add(&((soak_op *)context)->routine_calls, 1);
}

static void act(int role, LONG round, int k)
{
    soak_op *s = &soak.ops[k];
    IKcomAsyncOperation *op = s->op;
    ULONG value = value_of(round, k);
    switch (role) {
    case 0:
        if (s->method) {
            s->complete_status = kcom_async_operation_complete(s->source, &value);
            IKcomAsyncOperation_Release(s->source);
            soak.role_calls[role] += 2;
        } else {
            s->clear_status = kcom_async_operation_clear_cancel_routine(op);
            s->complete_status = kcom_async_operation_complete(op, &value);
            soak.role_calls[role] += 2;
        }
        break;
    case 1:
        s->cancel_status = IKcomAsyncOperation_cancel(op);
        soak.role_calls[role]++;
        break;
    case 2: {
        kcom_async_status st = -1;
        NTSTATUS status;
        void *out = NULL;
        value = 0;
        status = IKcomAsyncOperation_get_result(op, &value);
        (void)IKcomAsyncOperation_get_status(op, &st);
        /* a result is final: a later status agrees with it */
        if ((status == STATUS_SUCCESS && (value != value_of(round, k) + (s->method ? 1u : 0u) ||
                                          st != KCOM_ASYNC_COMPLETED)) ||
            (status == STATUS_CANCELLED && st != KCOM_ASYNC_CANCELED) || (status == STATUS_PENDING && value != 0) ||
            (status != STATUS_SUCCESS && status != STATUS_PENDING && status != STATUS_CANCELLED))
            soak.bad_queries++;
        if (IKcomAsyncOperation_QueryInterface(op, &IID_IAsyncULONG, &out) != STATUS_SUCCESS || out != (void *)op)
            soak.bad_queries++;
        if (out != NULL)
            IKcomAsyncOperation_Release((IKcomAsyncOperation *)out);
        soak.role_calls[role] += 4;
        break;
    }
    case 3:
        s->set_status = IKcomAsyncOperation_set_completed(op, on_completed, s);
        s->second_set_status = IKcomAsyncOperation_set_completed(op, on_completed, s);
        soak.role_calls[role] += 2;
        break;
    default: {
        kcom_async_status st = KCOM_ASYNC_STARTED;
        s->block_status = kcom_async_block_on(op, KCOM_ASYNC_INFINITE);
        /* finished: for a source Completed or Canceled; a canceled method call may still be
         * Canceled before its task ends, but block_on waited for the end */
        (void)IKcomAsyncOperation_get_status(op, &st);
        if (st == KCOM_ASYNC_STARTED)
            kcom_atomic_fetch_add(&s->unfinished_after_wait, 1);
        soak.role_calls[role] += 2;
        break;
    }
    }
    soak.role_calls[role]++;
    IKcomAsyncOperation_Release(op); /* each role held one reference */
}

static void *role_main(void *arg)
{
    int role = (int)(ULONG_PTR)arg;
    for (;;) {
        LONG round;
        int i;
        pthread_barrier_wait(&soak.start);
        if (kcom_atomic_load(&soak.stop))
            break;
        round = soak.round;
        for (i = 0; i < OPS; i++) {
            /* two roles walk up, two down, paired differently each round */
            int bits[3], k;
            bits[0] = role & 1;
            bits[1] = (role >> 1) & 1;
            bits[2] = (role ^ (role >> 1)) & 1;
            k = bits[round % 3] ? i : OPS - 1 - i;
            act(role, round, k);
        }
        pthread_barrier_wait(&soak.end);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const kcom_test_totals *totals;
    double seconds = rel_soak_seconds(argc, argv, 4.0);
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    rel_object reader;
    pthread_t threads[ROLES];
    ULONG64 began, operations = 0;
    LONG rounds = 0, broken = 0, canceled = 0, completed = 0, unfinished = 0, setup_failures = 0;
    int i;

    if (!NT_SUCCESS(kcom_initialize()))
        return 1;
    rel_alloc_init();
    kcom_atomic_store(&rel_alloc.record_sites, 0);
    kcom_set_default_allocator(&rel_alloc.allocator);
    printf("soak_async: %d roles on %d operations a round, %.1f s\n", ROLES, OPS, seconds);
    ok(kcom_thread_pool_create(2, &pool, &executor) == STATUS_SUCCESS, "thread pool\n");
    ok(kcom_set_default_executor(executor) == STATUS_SUCCESS, "default executor\n");
    ok(rel_create(REL_READER, 1, &reader) == STATUS_SUCCESS, "reader\n");
    memset(&soak, 0, sizeof(soak));
    pthread_barrier_init(&soak.start, NULL, ROLES + 1);
    pthread_barrier_init(&soak.end, NULL, ROLES + 1);
    for (i = 0; i < ROLES; i++)
        ok(pthread_create(&threads[i], NULL, role_main, (void *)(ULONG_PTR)i) == 0, "role thread %d\n", i);

    began = rel_now_ms();
    while ((double)(rel_now_ms() - began) < seconds * 1000.0) {
        ULONG64 deadline;
        soak.round = rounds;
        for (i = 0; i < OPS; i++) {
            soak_op *s = &soak.ops[i];
            memset(s, 0, sizeof(*s));
            s->method = (BOOLEAN)(i & 1);
            if (s->method) {
                if (kcom_async_operation_create(NULL, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG),
                                                &s->source) != STATUS_SUCCESS)
                    setup_failures++;
                s->op = IAsyncULONG_generic(IRelReader_ReadLater((IRelReader *)(void *)reader.identity, s->source));
            } else if (kcom_async_operation_create(NULL, &IID_IAsyncULONG, sizeof(ULONG), KCOM_ALIGNOF(ULONG),
                                                   &s->op) != STATUS_SUCCESS ||
                       kcom_async_operation_set_cancel_routine(s->op, on_cancel, s) != STATUS_SUCCESS) {
                setup_failures++;
            } else {
                s->watcher = IRelReader_ReadLater((IRelReader *)(void *)reader.identity, s->op); /* its own reference */
            }
            IKcomAsyncOperation_AddRef(s->op);
            IKcomAsyncOperation_AddRef(s->op);
            IKcomAsyncOperation_AddRef(s->op);
            IKcomAsyncOperation_AddRef(s->op); /* five: one per role, the creation's included */
        }
        pthread_barrier_wait(&soak.start);
        pthread_barrier_wait(&soak.end);
        /* method calls finish on the pool: wait for their callbacks */
        deadline = rel_now_ms() + 20000;
        for (i = 0; i < OPS; i++)
            while (kcom_atomic_load(&soak.ops[i].calls) == 0 && rel_now_ms() < deadline)
                rel_yield();
        for (i = 0; i < OPS; i++) {
            soak_op *s = &soak.ops[i];
            BOOLEAN was_canceled = (BOOLEAN)(s->cancel_status == STATUS_SUCCESS);
            ULONG expected = value_of(rounds, i) + (s->method ? 1u : 0u);
            if (kcom_atomic_load(&s->calls) == 0) {
                unfinished++;
                continue;
            }
            if (s->set_status != STATUS_SUCCESS || s->second_set_status != STATUS_ALREADY_REGISTERED ||
                kcom_atomic_load(&s->calls) != 1 || s->block_status != STATUS_SUCCESS ||
                kcom_atomic_load(&s->unfinished_after_wait) != 0)
                broken++;
            if (!s->method) {
                /* the routine ran exactly when a cancel won while it was registered */
                LONG routine = kcom_atomic_load(&s->routine_calls);
                ULONG watched = 0;
                NTSTATUS watched_status;
                if (routine != (s->clear_status == STATUS_CANCELLED ? 1 : 0) ||
                    (s->clear_status != STATUS_CANCELLED && s->clear_status != STATUS_SUCCESS) ||
                    (s->clear_status == STATUS_CANCELLED && !was_canceled))
                    broken++;
                /* the watcher saw the source's outcome: its value + 1, or a failure after a cancel */
                if (kcom_async_block_on(IAsyncULONG_generic(s->watcher), 20000) != STATUS_SUCCESS)
                    broken++;
                watched_status = IAsyncULONG_get_result(s->watcher, &watched);
                if (was_canceled ? NT_SUCCESS(watched_status) : (watched_status != STATUS_SUCCESS ||
                                                                  watched != value_of(rounds, i) + 1u))
                    broken++;
                IAsyncULONG_Release(s->watcher);
            }
            if (was_canceled) {
                canceled++;
                /* a source canceled before its completion: the completion is dropped */
                if (s->status != KCOM_ASYNC_CANCELED || s->result_status != STATUS_CANCELLED ||
                    (!s->method && s->complete_status != STATUS_CANCELLED) ||
                    (s->method && s->complete_status != STATUS_SUCCESS))
                    broken++;
            } else {
                completed++;
                if (s->cancel_status != STATUS_INVALID_DEVICE_STATE || s->complete_status != STATUS_SUCCESS ||
                    s->status != KCOM_ASYNC_COMPLETED || s->result_status != STATUS_SUCCESS || s->value != expected)
                    broken++;
            }
        }
        operations += OPS * 5; /* the main thread's: creations (a source and a call for a method), AddRefs */
        rounds++;
    }
    kcom_atomic_store(&soak.stop, 1);
    pthread_barrier_wait(&soak.start);
    for (i = 0; i < ROLES; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&soak.start);
    pthread_barrier_destroy(&soak.end);

    for (i = 0; i < ROLES; i++)
        operations += soak.role_calls[i];
    ok(rounds > 0, "no round ran\n");
    ok(setup_failures == 0, "%ld operations could not be made\n", (long)setup_failures);
    ok(unfinished == 0, "%ld operations never called back\n", (long)unfinished);
    ok(broken == 0, "%ld operations broke a rule\n", (long)broken);
    ok(soak.bad_queries == 0, "%ld inconsistent queries\n", (long)soak.bad_queries);
    ok(IUnknown_Release(reader.identity) == 0, "the reader's last reference\n");
    ok(kcom_thread_pool_shutdown(pool, 20000) == STATUS_SUCCESS, "the pool drained\n");
    kcom_set_default_executor(NULL);
    ok(rel_reader_starts == rel_reader_drops, "%ld task states started, %ld dropped\n", (long)rel_reader_starts,
       (long)rel_reader_drops);
    ok(rel_created[REL_READER] == rel_destroyed[REL_READER], "the reader destroyed\n");
    ok(rel_alloc_live() == 0, "%ld blocks still allocated\n", (long)rel_alloc_live());
    printf("soak_async: %ld rounds, %ld operations (%ld canceled, %ld completed), %llu kcom calls\n", (long)rounds,
           (long)(rounds * OPS), (long)canceled, (long)completed, (unsigned long long)operations);
    kcom_set_default_allocator(NULL);
    kcom_uninitialize();
    totals = kcom_test_get_totals();
    printf("%ld passed, %ld failed, %ld skipped\n", (long)totals->passed, (long)totals->failed, (long)totals->skipped);
    return totals->failed == 0 ? 0 : 1;
}
