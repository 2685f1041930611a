// classes.cpp - hand-written C++ COM classes, written the way such classes usually are: multiple
// inheritance from the interfaces, a std::atomic<int32_t> reference count, new/delete (or, for
// One and Four, also a free list of their own), and an if-chain QueryInterface comparing GUIDs,
// the class's first interface tested first (then IUnknown, as kcom does). The loops that use them
// live in cases.cpp and see only the interfaces (com.h) and the factories.
#include "com.h"

#include "../bench.h"

#if BENCH_ASYNC
#include "async_com.h"
#endif

#include <atomic>

namespace bench_cpp {
namespace {

template <class Allocation>
class OneT final : public IPing, public Allocation {
public:
    STATUS QueryInterface(const GUID &riid, void **ppv) override
    {
        if (ppv == nullptr)
            return kInvalidParameter;
        if (riid == IID_IPing || riid == IID_IUnknown) {
            *ppv = static_cast<IPing *>(this);
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
    STATUS Ping(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS GetTotal(uint32_t *total) override
    {
        if (total == nullptr)
            return kInvalidParameter;
        *total = total_;
        return kOk;
    }

private:
    std::atomic<int32_t> refs_{1};
    uint32_t total_ = 0;
};

template <class Allocation>
class FourT final : public IPing, public I1, public I2, public I3, public Allocation {
public:
    STATUS QueryInterface(const GUID &riid, void **ppv) override
    {
        if (ppv == nullptr)
            return kInvalidParameter;
        if (riid == IID_IPing || riid == IID_IUnknown) {
            *ppv = static_cast<IPing *>(this);
        } else if (riid == IID_I1) {
            *ppv = static_cast<I1 *>(this);
        } else if (riid == IID_I2) {
            *ppv = static_cast<I2 *>(this);
        } else if (riid == IID_I3) {
            *ppv = static_cast<I3 *>(this);
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
    STATUS Ping(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS GetTotal(uint32_t *total) override
    {
        if (total == nullptr)
            return kInvalidParameter;
        *total = total_;
        return kOk;
    }
    STATUS Op1(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op2(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op3(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }

private:
    std::atomic<int32_t> refs_{1};
    uint32_t total_ = 0;
};

class Eight final : public IPing, public I1, public I2, public I3, public I4, public I5, public I6, public I7 {
public:
    STATUS QueryInterface(const GUID &riid, void **ppv) override
    {
        if (ppv == nullptr)
            return kInvalidParameter;
        if (riid == IID_IPing || riid == IID_IUnknown) {
            *ppv = static_cast<IPing *>(this);
        } else if (riid == IID_I1) {
            *ppv = static_cast<I1 *>(this);
        } else if (riid == IID_I2) {
            *ppv = static_cast<I2 *>(this);
        } else if (riid == IID_I3) {
            *ppv = static_cast<I3 *>(this);
        } else if (riid == IID_I4) {
            *ppv = static_cast<I4 *>(this);
        } else if (riid == IID_I5) {
            *ppv = static_cast<I5 *>(this);
        } else if (riid == IID_I6) {
            *ppv = static_cast<I6 *>(this);
        } else if (riid == IID_I7) {
            *ppv = static_cast<I7 *>(this);
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
    STATUS Ping(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS GetTotal(uint32_t *total) override
    {
        if (total == nullptr)
            return kInvalidParameter;
        *total = total_;
        return kOk;
    }
    STATUS Op1(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op2(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op3(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op4(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op5(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op6(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }
    STATUS Op7(uint32_t value) override
    {
        total_ += value;
        return kOk;
    }

private:
    std::atomic<int32_t> refs_{1};
    uint32_t total_ = 0;
};

using One = OneT<GlobalNew>;
using Four = FourT<GlobalNew>;
class OneFreeList;  // tags: each class its own free list
class FourFreeList;
using OneCached = OneT<FreeListNew<OneFreeList>>;
using FourCached = FourT<FreeListNew<FourFreeList>>;

} // namespace

STATUS CreateOneByIid(const GUID &riid, void **ppv)
{
    if (ppv == nullptr)
        return kInvalidParameter;
    One *object = new One();
    if (riid == IID_IPing || riid == IID_IUnknown) {
        *ppv = static_cast<IPing *>(object);
        return kOk;
    }
    delete object;
    *ppv = nullptr;
    return kNoInterface;
}

STATUS CreateOne(IPing **out)
{
    *out = new One();
    return kOk;
}

STATUS CreateFour(IPing **out)
{
    *out = new Four();
    return kOk;
}

STATUS CreateOneFreeList(IPing **out)
{
    *out = new OneCached();
    return kOk;
}

STATUS CreateFourFreeList(IPing **out)
{
    *out = new FourCached();
    return kOk;
}

void DrainFreeLists()
{
    FreeListNew<OneFreeList>::Drain();
    FreeListNew<FourFreeList>::Drain();
}

STATUS CreateEight(IPing **out)
{
    *out = new Eight();
    return kOk;
}

} // namespace bench_cpp

void bench_cpp_drain_free_lists(void)
{
    bench_cpp::DrainFreeLists();
#if BENCH_ASYNC
    bench_cpp::DrainOperationFreeList();
#endif
}

uint64_t bench_cpp_object_bytes(int interfaces)
{
    using namespace bench_cpp;
    return interfaces == 1 ? sizeof(One) : interfaces == 4 ? sizeof(Four) : sizeof(Eight);
}

void *bench_cpp_create_object(int interfaces)
{
    using namespace bench_cpp;
    IPing *object = nullptr;
    STATUS status = interfaces == 1 ? CreateOne(&object) : interfaces == 4 ? CreateFour(&object) : CreateEight(&object);
    return status == kOk ? static_cast<IUnknown *>(object) : nullptr;
}

uint32_t bench_cpp_release_object(void *object)
{
    return static_cast<bench_cpp::IUnknown *>(object)->Release();
}
