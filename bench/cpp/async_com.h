// async_com.h - the hand-written C++ COM async interfaces the async cases compare kcom with: an
// operation interface in the shape of IKcomAsyncOperation (and of WinRT's IAsyncOperation: status,
// result, cancel, a completion callback), an interface with an async method, and the small thread
// worker and task of the wake case (async_classes.cpp).
#ifndef KCOM_BENCH_CPP_ASYNC_COM_H
#define KCOM_BENCH_CPP_ASYNC_COM_H

#include "com.h"

#include <cstddef>

namespace bench_cpp {

using AsyncStatus = int32_t;
constexpr AsyncStatus kAsyncStarted = 0;
constexpr AsyncStatus kAsyncCompleted = 1;
constexpr AsyncStatus kAsyncCanceled = 2;
constexpr AsyncStatus kAsyncError = 3;

constexpr STATUS kPending = 0x00000103;
constexpr STATUS kCancelled = static_cast<STATUS>(0xC0000120u);
constexpr STATUS kInvalidDeviceState = static_cast<STATUS>(0xC0000184u);
constexpr STATUS kAlreadyRegistered = static_cast<STATUS>(0xC0000718u);

struct IAsyncULong;
using AsyncULongCompleted = void(IAsyncULong *operation, AsyncStatus status, void *context);

struct IAsyncULong : IUnknown {
    virtual STATUS get_status(AsyncStatus *status) = 0;
    virtual STATUS get_result(uint32_t *result) = 0; // kPending, kCancelled or the error until Completed
    virtual STATUS cancel() = 0;
    virtual STATUS set_completed(AsyncULongCompleted *callback, void *context) = 0;
};

struct IReader : IUnknown {
    // A completed operation with value * 2, allocated with new.
    virtual IAsyncULong *Read(uint32_t value) = 0;
    // The same operation constructed in the caller's storage (placement new; size bytes).
    virtual IAsyncULong *ReadIn(uint32_t value, void *storage, std::size_t size) = 0;
};

extern const GUID IID_IAsyncULong;
extern const GUID IID_IReader;

STATUS CreateReader(IReader **out);
// The same class with its operations from a free list of their own (FreeListNew, com.h).
STATUS CreateReaderFreeList(IReader **out);
void DrainOperationFreeList();

// The wake case: a worker thread with a lock-free queue (std::thread; it sleeps on a futex word,
// futex.h), a completion source, and a task that awaits it on the worker.
class Worker;
Worker *CreateWorker();
void DestroyWorker(Worker *worker); // runs what is queued, then joins
// A Started operation, completed later by CompleteSource.
IAsyncULong *CreateSource();
STATUS CompleteSource(IAsyncULong *source, uint32_t value);
// An operation that completes with source's value + 1, computed on worker once source completes.
IAsyncULong *SpawnAwait(IAsyncULong *source, Worker *worker);
// Blocks until operation (one of this file's) has finished, asleep on its status word.
STATUS Wait(IAsyncULong *operation);

// Bytes of an operation (the heap one, the in-place one).
std::size_t OperationBytes(bool in_place);

} // namespace bench_cpp

#endif // KCOM_BENCH_CPP_ASYNC_COM_H
