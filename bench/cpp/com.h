// com.h - the hand-written C++ COM interfaces the benchmark compares kcom with: the classic style,
// pure virtual interfaces deriving from IUnknown, IIDs defined once in another translation unit (as
// MIDL's foo_i.c or DEFINE_GUID with INITGUID do), GUID equality as the SDK's IsEqualGUID (memcmp).
// Status values are the NTSTATUS ones kcom returns, so both sides produce the same checksums.
#ifndef KCOM_BENCH_CPP_COM_H
#define KCOM_BENCH_CPP_COM_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bench_cpp {

struct GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
};

inline bool operator==(const GUID &a, const GUID &b)
{
    return std::memcmp(&a, &b, sizeof(GUID)) == 0;
}

using STATUS = int32_t;
constexpr STATUS kOk = 0;
constexpr STATUS kInvalidParameter = static_cast<STATUS>(0xC000000Du);
constexpr STATUS kNoInterface = static_cast<STATUS>(0xC00002B9u);

struct IUnknown {
    virtual STATUS QueryInterface(const GUID &riid, void **ppv) = 0;
    virtual uint32_t AddRef() = 0;
    virtual uint32_t Release() = 0;
};

struct IPing : IUnknown {
    virtual STATUS Ping(uint32_t value) = 0; // total += value
    virtual STATUS GetTotal(uint32_t *total) = 0;
};

struct I1 : IUnknown {
    virtual STATUS Op1(uint32_t value) = 0;
};
struct I2 : IUnknown {
    virtual STATUS Op2(uint32_t value) = 0;
};
struct I3 : IUnknown {
    virtual STATUS Op3(uint32_t value) = 0;
};
struct I4 : IUnknown {
    virtual STATUS Op4(uint32_t value) = 0;
};
struct I5 : IUnknown {
    virtual STATUS Op5(uint32_t value) = 0;
};
struct I6 : IUnknown {
    virtual STATUS Op6(uint32_t value) = 0;
};
struct I7 : IUnknown {
    virtual STATUS Op7(uint32_t value) = 0;
};

// guids.cpp
extern const GUID IID_IUnknown;
extern const GUID IID_IPing;
extern const GUID IID_I1;
extern const GUID IID_I2;
extern const GUID IID_I3;
extern const GUID IID_I4;
extern const GUID IID_I5;
extern const GUID IID_I6;
extern const GUID IID_I7;
extern const GUID IID_Missing; // implemented by no class

// The strongest hand-written counterpart of kcom's caching allocator: a class's own operator new
// and delete over a free list of Slots blocks in atomic slots (the first one taken and given back
// with one exchange each, as kcom's cache takes its hot block), the heap behind it. Thread-safe,
// as kcom's cache is; it keeps no statistics. Drain gives the kept blocks back to the heap. A
// class of which two objects may be freed out of order across threads (the wake case's task,
// whose last reference the worker may still hold when the next one is made) keeps two.
template <class Self, int Slots = 1>
class FreeListNew {
public:
    static void *operator new(std::size_t size)
    {
        for (std::atomic<void *> &slot : slots_)
            if (void *block = slot.exchange(nullptr, std::memory_order_acquire))
                return block;
        return ::operator new(size);
    }
    static void operator delete(void *block)
    {
        for (int i = 0; i < Slots - 1; i++) {
            void *empty = nullptr;
            if (slots_[i].compare_exchange_strong(empty, block, std::memory_order_acq_rel))
                return;
        }
        void *kept = slots_[Slots - 1].exchange(block, std::memory_order_acq_rel);
        if (kept != nullptr)
            ::operator delete(kept);
    }
    static void Drain()
    {
        for (std::atomic<void *> &slot : slots_)
            if (void *kept = slot.exchange(nullptr, std::memory_order_acquire))
                ::operator delete(kept);
    }

private:
    static inline std::atomic<void *> slots_[Slots] = {};
};

// The global operator new and delete, for the classes without a free list.
struct GlobalNew {};

// classes.cpp: a new object with one reference, owned by *out.
STATUS CreateOne(IPing **out);   // One: IPing
STATUS CreateFour(IPing **out);  // Four: IPing, I1, I2, I3
STATUS CreateEight(IPing **out); // Eight: IPing, I1 ... I7
// A One for the interface riid names (what a class factory's CreateInstance does), without a
// QueryInterface's AddRef and Release: the new object's reference becomes the caller's.
STATUS CreateOneByIid(const GUID &riid, void **ppv);
// The same classes, allocated from a free list of their own (FreeListNew).
STATUS CreateOneFreeList(IPing **out);
STATUS CreateFourFreeList(IPing **out);
void DrainFreeLists();

} // namespace bench_cpp

#endif // KCOM_BENCH_CPP_COM_H
