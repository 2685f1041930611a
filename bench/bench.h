/*
 * bench.h - what the benchmark harness (main.c) and the benchmark cases share. Valid C11 and C++17.
 *
 * Every case is a function `uint64_t case(uint64_t n)` that runs n iterations of the operation and
 * returns a checksum of the results it consumed (the harness checks it against the value the case
 * must produce, so a case whose work was dropped or done wrong fails the smoke run).
 *
 * Layout, per implementation:
 *   kcom/  classes.c (kcom classes and their factories)   cases.c (the loops)
 *   cpp/   classes.cpp (hand-written C++ COM classes)     cases.cpp (the loops)
 *   plain/ plain.c (plain C struct + function pointer)    cases.c (the loops)
 * and, where kcom's async layer is built (BENCH_ASYNC below):
 *   kcom/  async_classes.c (an ASYNC method, a task)      async_cases.c
 *   cpp/   async_classes.cpp (an operation class, a worker thread)  async_cases.cpp
 * Objects are always created by a factory in the classes file and used by a loop in the cases
 * file: the loop's translation unit never sees the class, its vtable or its methods, so the
 * compiler cannot devirtualize, inline or delete the calls being measured.
 */
#ifndef KCOM_BENCH_H
#define KCOM_BENCH_H

#include <stdint.h>

#ifdef __cplusplus
#define BENCH_EXTERN_C extern "C"
#define BENCH_BEGIN_DECLS extern "C" {
#define BENCH_END_DECLS }
#else
#define BENCH_EXTERN_C
#define BENCH_BEGIN_DECLS
#define BENCH_END_DECLS
#endif

/* A case function: never inlined into the harness, never cloned or renamed (callgrind's
 * --toggle-collect and the disassembly check find it by its exact name). */
#if defined(__clang__)
#define BENCH_CASE BENCH_EXTERN_C __attribute__((noinline, used))
#elif defined(__GNUC__)
#define BENCH_CASE BENCH_EXTERN_C __attribute__((noinline, noclone, used))
#else
#define BENCH_CASE BENCH_EXTERN_C
#endif

/* The value of x becomes unknown to the optimizer (it must assume an arbitrary pointer came back),
 * at no cost: an empty asm statement that claims to modify a register. */
#if defined(__GNUC__) || defined(__clang__)
#define BENCH_OPAQUE(x) __asm__ volatile("" : "+r"(x))
#else
#define BENCH_OPAQUE(x) ((void)0)
#endif

typedef uint64_t bench_case_fn(uint64_t n);

BENCH_BEGIN_DECLS

/* Written by every case once, after its loop: results are consumed. */
extern volatile uint64_t bench_sink;

/* ---- the cases ---------------------------------------------------------------------------------
 * create_release_1  create an object with 1 interface, final Release through its vtable
 * create_release_4  the same with a 4-interface object
 * create_by_iid     create a 1-interface object asking for an interface by IID (kcom_object_create;
 *                   C++: new and the IID test a factory's CreateInstance makes), final Release
 * create_by_iid_other  the same from another file than the class's (kcom: its descriptor through
 *                   a pointer the class's file exports; C++: the same factory)
 * addref_release    AddRef + Release through the vtable on a live object
 * call              Ping(i) through the vtable: adds i to the object's state
 * call_4th          the same method shape on the 4th interface of a 4-interface object
 * qi_first          QueryInterface hit on the 1st interface of an 8-interface object, + Release
 * qi_last           QueryInterface hit on the 8th interface, + Release
 * qi_miss           QueryInterface for an IID the 8-interface object does not implement
 */
#define BENCH_KCOM_AND_CPP_CASES(X) \
    X(create_release_1)             \
    X(create_release_4)             \
    X(create_by_iid)                \
    X(create_by_iid_other)          \
    X(addref_release)               \
    X(call)                         \
    X(call_4th)                     \
    X(qi_first)                     \
    X(qi_last)                      \
    X(qi_miss)

#define BENCH_DECLARE_KCOM_CPP_(name)                  \
    uint64_t bench_kcom_##name(uint64_t n); \
    uint64_t bench_cpp_##name(uint64_t n);
BENCH_KCOM_AND_CPP_CASES(BENCH_DECLARE_KCOM_CPP_)

/* The cases that also run with kcom classes over a caching allocator (kcom/caching_allocator.h,
 * KCOM_CLASS_EX): bench_kcom_cached_<case>. */
#define BENCH_KCOM_CACHED_CASES(X) \
    X(create_release_1)            \
    X(create_release_4)

/* ... and their C++ counterparts, the same C++ classes with a free list of their own
 * (cpp/com.h, FreeListNew): bench_cpp_cached_<case>. */
#define BENCH_DECLARE_KCOM_CACHED_(name)             \
    uint64_t bench_kcom_cached_##name(uint64_t n); \
    uint64_t bench_cpp_cached_##name(uint64_t n);
BENCH_KCOM_CACHED_CASES(BENCH_DECLARE_KCOM_CACHED_)

/* The caching allocators of those classes: allocations they passed to their backing allocator
 * (the platform's) so far, misses and bypassed requests; and a drain of both. */
uint64_t bench_kcom_cache_backing_allocs(void);
void bench_kcom_drain_caches(void);
/* The C++ free lists give their blocks back to operator delete. */
void bench_cpp_drain_free_lists(void);

/* ---- the async cases ---------------------------------------------------------------------------
 * Built where kcom's async layer is (CMake's KCOM_ENABLE_ASYNC, which kcom::kcom passes on as a
 * compile definition); without it BENCH_ASYNC is 0 and the table has no async rows.
 *
 * async_call     an async method whose work is ready at its first poll, called through the vtable:
 *                the completed operation it returns, get_result, the final Release (kcom: an ASYNC
 *                method, one allocation; C++: new of a hand-written operation class)
 * async_call_in  the same with the operation in caller storage reused every iteration (kcom: an
 *                ASYNC_IN method; C++: placement new): no allocation
 * spawn_in       the same through the general API, a task built by hand in caller storage (kcom:
 *                kcom_async_spawn_begin_in + kcom_async_spawn_run; C++: placement new, as above)
 * spawn_in_other the same with the task's descriptor another file's (kcom: a KCOM_ASYNC_TASK
 *                descriptor, reached through a pointer that file exports)
 * spawn_in_other_desc  the same with a descriptor from KCOM_ASYNC_TASK_DESC alone
 * run_in         the same task in one call (kcom: kcom_async_run_in, the spawn and its first poll
 *                together; C++: placement new, as above)
 * run_in_other   the same with the task's descriptor another file's (KCOM_ASYNC_TASK's)
 * run_in_other_desc  the same with a descriptor from KCOM_ASYNC_TASK_DESC alone
 * run_in_tracked run_in_other on an executor with a tracker (kcom/tracker.h), which counts the
 *                task only if its first poll leaves it pending
 * spawn_in_tracked  spawn_in_other on that executor: the tracker counts the task from its begin
 * async_status   get_status on a completed operation
 * async_wake     end to end on a thread: a completion source, a task awaiting it spawned on a
 *                one-thread executor (kcom: kcom_thread_pool; C++: std::thread + condition variable),
 *                the source completed (the wake), the caller blocked until the task's operation is
 *                done, get_result, both released
 * async_dpc_wake the same with the task on a DPC executor of the host's simulation of the kernel
 *                (built where the simulation is: BENCH_DPC), the source completed on the caller's
 *                thread, the task polled on a simulated processor's thread; C++: the same worker
 *                thread with its intrusive queue, which is what a DPC queue and the thread of its
 *                processor are on the host
 */
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#define BENCH_ASYNC 1
#else
#define BENCH_ASYNC 0
#endif

#if BENCH_ASYNC
#define BENCH_ASYNC_CASES(X) \
    X(async_call)            \
    X(async_call_in)         \
    X(spawn_in)              \
    X(spawn_in_other)        \
    X(spawn_in_other_desc)   \
    X(run_in)                \
    X(run_in_other)          \
    X(run_in_other_desc)     \
    X(run_in_tracked)        \
    X(spawn_in_tracked)      \
    X(async_status)          \
    X(async_wake)
BENCH_ASYNC_CASES(BENCH_DECLARE_KCOM_CPP_)
#if defined(BENCH_DPC) && BENCH_DPC
BENCH_DECLARE_KCOM_CPP_(async_dpc_wake)
#endif
/* async_call also runs with the class whose operations come from a caching allocator (C++: a
 * free list); that cache's allocations from its backing allocator so far, and its drain. */
BENCH_DECLARE_KCOM_CACHED_(async_call)
uint64_t bench_kcom_async_cache_backing_allocs(void);
void bench_kcom_async_drain_cache(void);

/* Bytes of the caller storage async_call_in hands to the method, on both sides. */
#define BENCH_ASYNC_STORAGE_BYTES 320

/* The most bytes the async call's operation (a ULONG result, a 16-byte state) may take, allocated
 * or in caller storage: the operation cache's 128-byte class (docs/performance.md's target). */
#define BENCH_ASYNC_OP_BYTES_TARGET 128

/* For the bytes column: kcom, the caller storage kcom_async_spawn_begin_in needs for ReadIn
 * (kcom_async_storage_size); C++, sizeof the operation class (in_place: the placement-new one). */
uint64_t bench_kcom_async_storage_bytes(void);
uint64_t bench_cpp_async_op_bytes(int in_place);
/* An object with the async method (NULL on failure), an operation from its Read(value), and Release
 * of either, for measuring what one operation asks its allocator for. */
/* The pending pair: a completion source with a ULONG result and a task awaiting it, created
 * (begin: the task's operation, *source the source; NULL on failure), then ended (end: the source
 * completed, both released; 1 when all went as expected). C++: the bytes operator new gave the
 * same pair (CreateSource, SpawnAwait), counted by new_bytes (bench_cpp_new_bytes), or
 * BENCH_NOT_COUNTED. */
void *bench_kcom_async_pending_begin(void **source);
int bench_kcom_async_pending_end(void *source, void *operation);
uint64_t bench_cpp_async_pending_bytes(uint64_t (*new_bytes)(void));
void *bench_kcom_async_create_object(void);
void *bench_kcom_async_read(void *object, uint32_t value);
uint32_t bench_kcom_async_release(void *unknown);
void *bench_cpp_async_create_object(void);
void *bench_cpp_async_read(void *object, uint32_t value);
uint32_t bench_cpp_async_release(void *unknown);
#endif

/* Plain C baselines (no COM): malloc + init + free through two opaque functions, and a call
 * through a plain function pointer stored in the struct. */
uint64_t bench_plain_create_free(uint64_t n);
uint64_t bench_plain_call(uint64_t n);

/* ---- object sizes ------------------------------------------------------------------------------
 * Bytes one object occupies as the program sees it: kcom, header + implementation struct (what
 * kcom_object_new asks its allocator for); C++, sizeof the class (what operator new is asked for).
 * Allocator overhead is not counted on either side. Classes: 1, 4, 8 interfaces. */
uint64_t bench_kcom_object_bytes(int interfaces);
uint64_t bench_cpp_object_bytes(int interfaces);
uint64_t bench_plain_object_bytes(void);

/* One object of a class (1, 4, 8 interfaces), for the allocation-size check: created (NULL on
 * failure) and released (returns Release's result). */
void *bench_kcom_create_object(int interfaces);
uint32_t bench_kcom_release_object(void *object);
void *bench_cpp_create_object(int interfaces);
uint32_t bench_cpp_release_object(void *object);

/* ---- allocation counting (only in kcom_bench_allocs, which links cpp/counting_new.cpp) ---------
 * Calls and bytes so far; BENCH_NOT_COUNTED when operator new could not be replaced (TSan). */
#define BENCH_NOT_COUNTED UINT64_MAX
uint64_t bench_cpp_new_calls(void);
uint64_t bench_cpp_delete_calls(void);
uint64_t bench_cpp_new_bytes(void);

BENCH_END_DECLS

#endif /* KCOM_BENCH_H */
