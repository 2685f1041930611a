// async_classes.cpp - a hand-written C++ COM async operation and the classes around it, written the
// way such code usually is: an operation class with virtual get_status/get_result/cancel/
// set_completed, a std::atomic reference count, the status and its claims in one std::atomic word,
// the result stored inside, allocated with new by the async method (or constructed in the caller's
// storage with placement new); a worker thread on std::thread with a lock-free intrusive queue,
// which sleeps on a futex word of its own, and a caller that sleeps on the operation's status word
// (futex.h); a task that is the completion callback of the operation it awaits. The loops that use
// them live in async_cases.cpp and see only async_com.h.
#include "async_com.h"

#include "../bench.h"

#include "futex.h"

#include <atomic>
#include <new>
#include <thread>

namespace bench_cpp {

const GUID IID_IAsyncULong = {0x6b1e0c3a, 0x2f4d, 0x4c8e, {0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x20}};
const GUID IID_IReader = {0x6b1e0c3a, 0x2f4d, 0x4c8e, {0xa1, 0x37, 0x0d, 0x5e, 0x9b, 0x42, 0x10, 0x21}};

namespace {

// The operation's word: the status in the low two bits, then who has claimed what.
constexpr uint32_t kStatusMask = 0x3;
constexpr uint32_t kFinished = 0x4;             // the work has ended (set once, with the status)
constexpr uint32_t kCallbackRegistering = 0x8;  // set_completed was called
constexpr uint32_t kCallbackSet = 0x10;         // callback fields written
constexpr uint32_t kCallbackClaimed = 0x20;     // someone is invoking the callback
constexpr uint32_t kWaiter = 0x40;              // a thread sleeps (or is about to) on the word

// Everything but the final Release, which depends on where the operation lives.
class OperationBase : public IAsyncULong {
public:
    STATUS QueryInterface(const GUID &riid, void **ppv) override
    {
        if (ppv == nullptr)
            return kInvalidParameter;
        if (riid == IID_IAsyncULong || riid == IID_IUnknown) {
            *ppv = static_cast<IAsyncULong *>(this);
        } else {
            *ppv = nullptr;
            return kNoInterface;
        }
        AddRef();
        return kOk;
    }
    uint32_t AddRef() override { return static_cast<uint32_t>(refs_.fetch_add(1) + 1); }
    STATUS get_status(AsyncStatus *status) override
    {
        if (status == nullptr)
            return kInvalidParameter;
        *status = static_cast<AsyncStatus>(word_.load(std::memory_order_acquire) & kStatusMask);
        return kOk;
    }
    STATUS get_result(uint32_t *result) override
    {
        if (result == nullptr)
            return kInvalidParameter;
        switch (word_.load(std::memory_order_acquire) & kStatusMask) {
        case kAsyncStarted:
            return kPending;
        case kAsyncCompleted:
            *result = result_;
            return kOk;
        case kAsyncCanceled:
            return kCancelled;
        default:
            return error_;
        }
    }
    STATUS cancel() override
    {
        uint32_t old = word_.load();
        do {
            if ((old & kStatusMask) != kAsyncStarted)
                return kInvalidDeviceState;
        } while (!word_.compare_exchange_weak(old, (old & ~kStatusMask) | kAsyncCanceled));
        return kOk;
    }
    STATUS set_completed(AsyncULongCompleted *callback, void *context) override
    {
        if (callback == nullptr)
            return kInvalidParameter;
        if (word_.fetch_or(kCallbackRegistering) & kCallbackRegistering)
            return kAlreadyRegistered;
        callback_ = callback;
        context_ = context;
        uint32_t old = word_.fetch_or(kCallbackSet);
        // finished before the fields were visible: the finisher left the call to us
        if ((old & kFinished) && !(word_.fetch_or(kCallbackClaimed) & kCallbackClaimed))
            callback_(this, static_cast<AsyncStatus>(old & kStatusMask), context_);
        return kOk;
    }

    // The producer: finishes the operation with value (status kOk) or a failure; a canceled one
    // stays canceled. Calls the callback back. False when it had finished before.
    bool Finish(STATUS status, uint32_t value)
    {
        uint32_t old = word_.load(), next;
        AsyncStatus final_status = status >= 0 ? kAsyncCompleted : status == kCancelled ? kAsyncCanceled : kAsyncError;
        if ((old & kStatusMask) == kAsyncStarted) {
            result_ = value;
            error_ = status;
        }
        do {
            if (old & kFinished)
                return false;
            next = old | kFinished;
            if ((old & kStatusMask) == kAsyncStarted)
                next = (next & ~kStatusMask) | static_cast<uint32_t>(final_status);
            if (old & kCallbackSet)
                next |= kCallbackClaimed;
        } while (!word_.compare_exchange_weak(old, next));
        if (old & kWaiter) // every thread asleep on the word: any number may wait
            futex_detail::Wake(&word_, INT32_MAX);
        if ((next & kCallbackClaimed) && !(old & kCallbackClaimed))
            callback_(this, static_cast<AsyncStatus>(next & kStatusMask), context_);
        return true;
    }

    // Blocks until the operation has finished, asleep on its word: a waiter marks the word, and
    // the finish that finds the mark wakes every waiter.
    void WaitFinished()
    {
        uint32_t old = word_.load(std::memory_order_acquire);
        while (!(old & kFinished)) {
            if (!(old & kWaiter) && !word_.compare_exchange_weak(old, old | kWaiter))
                continue;
            futex_detail::Wait(&word_, old | kWaiter);
            old = word_.load(std::memory_order_acquire);
        }
    }

protected:
    OperationBase() = default;
    // Already completed with value: what an async method whose work is done at once returns.
    explicit OperationBase(uint32_t value) : word_(kAsyncCompleted | kFinished), result_(value) {}
    int32_t DropReference() { return refs_.fetch_sub(1) - 1; }

private:
    std::atomic<int32_t> refs_{1};
    std::atomic<uint32_t> word_{kAsyncStarted};
    uint32_t result_ = 0;
    STATUS error_ = kOk;
    AsyncULongCompleted *callback_ = nullptr;
    void *context_ = nullptr;
};

// Allocated with new; the final Release deletes it.
template <class Allocation>
class OperationT final : public OperationBase, public Allocation {
public:
    OperationT() = default;
    explicit OperationT(uint32_t value) : OperationBase(value) {}
    uint32_t Release() override
    {
        int32_t refs = DropReference();
        if (refs == 0)
            delete this;
        return static_cast<uint32_t>(refs);
    }
};

class OperationFreeList; // the tag of the operations' own free list
using Operation = OperationT<GlobalNew>;
using CachedOperation = OperationT<FreeListNew<OperationFreeList>>;

// Constructed in the caller's storage; the final Release only ends its lifetime.
class InPlaceOperation final : public OperationBase {
public:
    explicit InPlaceOperation(uint32_t value) : OperationBase(value) {}
    uint32_t Release() override
    {
        int32_t refs = DropReference();
        if (refs == 0)
            this->~InPlaceOperation();
        return static_cast<uint32_t>(refs);
    }
};

template <class Op>
class ReaderT final : public IReader {
public:
    STATUS QueryInterface(const GUID &riid, void **ppv) override
    {
        if (ppv == nullptr)
            return kInvalidParameter;
        if (riid == IID_IReader || riid == IID_IUnknown) {
            *ppv = static_cast<IReader *>(this);
        } else {
            *ppv = nullptr;
            return kNoInterface;
        }
        AddRef();
        return kOk;
    }
    uint32_t AddRef() override { return static_cast<uint32_t>(refs_.fetch_add(1) + 1); }
    uint32_t Release() override
    {
        int32_t refs = refs_.fetch_sub(1) - 1;
        if (refs == 0)
            delete this;
        return static_cast<uint32_t>(refs);
    }
    IAsyncULong *Read(uint32_t value) override { return new Op(value * 2); }
    IAsyncULong *ReadIn(uint32_t value, void *storage, std::size_t size) override
    {
        if (storage == nullptr || size < sizeof(InPlaceOperation))
            return nullptr;
        return new (storage) InPlaceOperation(value * 2);
    }

private:
    std::atomic<int32_t> refs_{1};
};

using Reader = ReaderT<Operation>;
using ReaderFreeList = ReaderT<CachedOperation>;

} // namespace

STATUS CreateReader(IReader **out)
{
    *out = new Reader();
    return kOk;
}

STATUS CreateReaderFreeList(IReader **out)
{
    *out = new ReaderFreeList();
    return kOk;
}

void DrainAwaitFreeList(); // below, after the wake case's task

void DrainOperationFreeList()
{
    FreeListNew<OperationFreeList>::Drain();
    DrainAwaitFreeList();
}

std::size_t OperationBytes(bool in_place)
{
    return in_place ? sizeof(InPlaceOperation) : sizeof(Operation);
}

// ---- the wake case -----------------------------------------------------------------------------------

struct WorkItem {
    WorkItem *next;
    void (*run)(WorkItem *item);
};

// One thread, a lock-free intrusive queue: a post pushes onto a stack with one compare-exchange,
// the worker takes the whole stack with one exchange and runs it in posting order. The worker
// sleeps on a flag of its own, which a post tests after its push (both sequentially consistent, so
// either the worker sees the item or the post sees the flag).
class Worker {
public:
    Worker() : thread_([this] { Loop(); }) {}
    ~Worker()
    {
        stopping_.store(true);
        if (sleeping_.exchange(0) != 0)
            futex_detail::Wake(&sleeping_, 1);
        thread_.join();
    }
    void Post(WorkItem *item)
    {
        WorkItem *head = head_.load(std::memory_order_relaxed);
        do
            item->next = head;
        while (!head_.compare_exchange_weak(head, item));
        if (sleeping_.load() != 0 && sleeping_.exchange(0) != 0)
            futex_detail::Wake(&sleeping_, 1);
    }

private:
    void Loop()
    {
        for (;;) {
            WorkItem *taken = head_.exchange(nullptr, std::memory_order_acquire);
            if (taken == nullptr) {
                if (stopping_.load())
                    break;
                sleeping_.store(1);
                if (head_.load() == nullptr && !stopping_.load())
                    futex_detail::Wait(&sleeping_, 1);
                sleeping_.store(0, std::memory_order_relaxed);
                continue;
            }
            WorkItem *ordered = nullptr; // the stack is newest first
            while (taken != nullptr) {
                WorkItem *next = taken->next;
                taken->next = ordered;
                ordered = taken;
                taken = next;
            }
            while (ordered != nullptr) {
                WorkItem *next = ordered->next; // run may end the item
                ordered->run(ordered);
                ordered = next;
            }
        }
    }

    std::atomic<WorkItem *> head_{nullptr};
    std::atomic<uint32_t> sleeping_{0};
    std::atomic<bool> stopping_{false};
    std::thread thread_; // last: started once the rest is constructed
};

Worker *CreateWorker()
{
    return new Worker();
}

void DestroyWorker(Worker *worker)
{
    delete worker;
}

// From a free list of its own, as kcom's completion sources come from its operation cache.
IAsyncULong *CreateSource()
{
    return new CachedOperation();
}

STATUS CompleteSource(IAsyncULong *source, uint32_t value)
{
    return static_cast<OperationBase *>(source)->Finish(kOk, value) ? kOk : kInvalidDeviceState;
}

namespace {

// The task: an operation that is also the completion callback of the one it awaits and a work item
// of the worker, in one allocation, from a free list of its own (as kcom's task operations come
// from its operation cache).
class AwaitOperation final : public OperationBase, private WorkItem, public FreeListNew<AwaitOperation, 2> {
public:
    AwaitOperation(IAsyncULong *source, Worker *worker) : WorkItem{nullptr, Run}, source_(source), worker_(worker) {}
    uint32_t Release() override
    {
        int32_t refs = DropReference();
        if (refs == 0)
            delete this;
        return static_cast<uint32_t>(refs);
    }
    // Called when source finishes: the continuation goes to the worker, with the reference the
    // registration took.
    static void OnSourceDone(IAsyncULong *, AsyncStatus, void *context)
    {
        AwaitOperation *self = static_cast<AwaitOperation *>(context);
        self->worker_->Post(self);
    }

private:
    static void Run(WorkItem *item)
    {
        AwaitOperation *self = static_cast<AwaitOperation *>(item);
        uint32_t value = 0;
        STATUS status = self->source_->get_result(&value);
        self->source_->Release();
        self->source_ = nullptr;
        self->Finish(status, value + 1);
        self->Release(); // the queue's
    }

    IAsyncULong *source_;
    Worker *worker_;
};

} // namespace

void DrainAwaitFreeList()
{
    FreeListNew<AwaitOperation, 2>::Drain();
}

IAsyncULong *SpawnAwait(IAsyncULong *source, Worker *worker)
{
    AwaitOperation *operation = new AwaitOperation(source, worker);
    source->AddRef();    // the task's, released once it has read the result
    operation->AddRef(); // the queue's, released after the continuation ran
    STATUS status = source->set_completed(AwaitOperation::OnSourceDone, operation);
    if (status != kOk) {
        source->Release();
        operation->Finish(status, 0);
        operation->Release();
    }
    return operation;
}

STATUS Wait(IAsyncULong *operation)
{
    static_cast<OperationBase *>(operation)->WaitFinished();
    return kOk;
}

} // namespace bench_cpp

// ---- sizes (bench.h) ------------------------------------------------------------------------------------

uint64_t bench_cpp_async_op_bytes(int in_place)
{
    return bench_cpp::OperationBytes(in_place != 0);
}

uint64_t bench_cpp_async_pending_bytes(uint64_t (*new_bytes)(void))
{
    using namespace bench_cpp;
    Worker *worker = CreateWorker();
    uint64_t before = new_bytes();
    IAsyncULong *source = CreateSource();
    IAsyncULong *operation = SpawnAwait(source, worker);
    uint64_t after = new_bytes();
    bool ok = CompleteSource(source, 1) == kOk && Wait(operation) == kOk;
    operation->Release();
    source->Release();
    DestroyWorker(worker);
    return ok && before != BENCH_NOT_COUNTED ? after - before : BENCH_NOT_COUNTED;
}

void *bench_cpp_async_create_object(void)
{
    bench_cpp::IReader *reader = nullptr;
    return bench_cpp::CreateReader(&reader) == bench_cpp::kOk ? static_cast<bench_cpp::IUnknown *>(reader) : nullptr;
}

void *bench_cpp_async_read(void *object, uint32_t value)
{
    bench_cpp::IUnknown *operation = static_cast<bench_cpp::IReader *>(static_cast<bench_cpp::IUnknown *>(object))->Read(value);
    return operation;
}

uint32_t bench_cpp_async_release(void *object)
{
    return static_cast<bench_cpp::IUnknown *>(object)->Release();
}
