/*
 * C++ and kcom through widl's C++ declarations (abstract classes deriving from the SDK's C++
 * IUnknown, as MIDL generates): a C++ client calls a kcom object through virtual methods, and a
 * C++ COM class is handed to kcom's C client helpers and wrappers.
 */
#include "kcom_interop.h"

#include <kcom/client.h>

#include "interop_shared.h"

#include <atomic>
#include <cstring>

#define check(condition, what) interop_check((condition) ? 1 : 0, __FILE__, __LINE__, (what))

namespace {

std::atomic<long> cxx_alive{0};

/* An ordinary C++ COM class: reference count, QueryInterface over its interface chain. */
class CxxCalc final : public IInteropNamed {
public:
    explicit CxxCalc(const char *name)
    {
        Rename(name);
        ++cxx_alive;
    }
    ~CxxCalc()
    {
        --cxx_alive;
    }
    CxxCalc(const CxxCalc &) = delete;
    CxxCalc &operator=(const CxxCalc &) = delete;

    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void **ppv) override
    {
        if (ppv == nullptr)
            return E_POINTER;
        if (IsEqualIID(riid, IID_IUnknown) || IsEqualIID(riid, IID_IInteropCalc) ||
            IsEqualIID(riid, IID_IInteropNamed)) {
            *ppv = static_cast<IInteropNamed *>(this);
            AddRef();
            return S_OK;
        }
        *ppv = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override
    {
        return ++refs_;
    }
    ULONG STDMETHODCALLTYPE Release() override
    {
        ULONG refs = --refs_;
        if (refs == 0)
            delete this;
        return refs;
    }
    HRESULT STDMETHODCALLTYPE Add(ULONG a, ULONG b, ULONG *sum) override
    {
        if (sum == nullptr)
            return E_POINTER;
        ++count_;
        *sum = a + b;
        return S_OK;
    }
    ULONG STDMETHODCALLTYPE GetCount() override
    {
        return count_;
    }
    HRESULT STDMETHODCALLTYPE Mix(ULONG a, ULONG64 b, USHORT c, ULONG64 *result) override
    {
        if (result == nullptr)
            return E_POINTER;
        if (a == 0xFFFFFFFFu) {
            *result = 0; /* the out value of a failed call is zero, as kcom's RESULT shims leave it */
            return E_INVALIDARG;
        }
        ++count_;
        *result = static_cast<ULONG64>(a) * 1000003u + b * 31u + c;
        return S_OK;
    }
    void STDMETHODCALLTYPE Reset() override
    {
        count_ = 0;
    }
    const char *STDMETHODCALLTYPE Name() override
    {
        return name_;
    }
    HRESULT STDMETHODCALLTYPE Rename(const char *name) override
    {
        if (name == nullptr)
            return E_INVALIDARG;
        std::size_t length = std::strlen(name);
        if (length >= sizeof(name_))
            length = sizeof(name_) - 1;
        std::memcpy(name_, name, length);
        name_[length] = '\0';
        return S_OK;
    }

private:
    std::atomic<ULONG> refs_{1};
    ULONG count_ = 0;
    char name_[32] = {};
};

} // namespace

extern "C" void *interop_cxx_create(const char *name)
{
    return static_cast<IUnknown *>(new CxxCalc(name));
}

extern "C" long interop_cxx_alive(void)
{
    return cxx_alive.load();
}

extern "C" void interop_test_cxx_calls_kcom(void)
{
    void *object = nullptr;
    check(interop_kcom_create(5, "kcom", &object) == 0 && object != nullptr, "creating the kcom object");
    if (object == nullptr)
        return;
    IUnknown *unknown = static_cast<IUnknown *>(object);
    IInteropNamed *named = nullptr;
    check(SUCCEEDED(unknown->QueryInterface(IID_IInteropNamed, reinterpret_cast<void **>(&named))) &&
              named != nullptr,
          "QueryInterface(IInteropNamed) through the C++ IUnknown");
    if (named != nullptr) {
        ULONG sum = 0;
        ULONG64 mixed = 1;
        check(named->GetCount() == 5, "GetCount through a virtual call");
        check(named->Add(2, 40, &sum) == S_OK && sum == 42, "Add through a virtual call");
        check(named->Mix(3, 4, 5, &mixed) == S_OK && mixed == 3u * 1000003u + 124u + 5u, "Mix through a virtual call");
        check(FAILED(named->Mix(0xFFFFFFFFu, 4, 5, &mixed)) && mixed == 0, "failing Mix leaves zero");
        check(named->Mix(3, 4, 5, nullptr) == static_cast<HRESULT>(STATUS_INVALID_PARAMETER),
              "Mix without an out pointer");
        named->Reset();
        check(named->GetCount() == 0, "Reset through a virtual call");
        check(std::strcmp(named->Name(), "kcom") == 0, "Name through a virtual call");
        check(named->Rename("c++") == S_OK && std::strcmp(named->Name(), "c++") == 0, "Rename");
        IInteropCalc *calc = named; /* the C++ base class is the same pointer: single inheritance */
        void *identity = nullptr;
        check(calc->QueryInterface(IID_IUnknown, &identity) == S_OK && identity == object,
              "QueryInterface(IUnknown) gives the identity");
        check(static_cast<IUnknown *>(identity)->Release() == 2, "Release the identity");
        void *none = &identity;
        check(calc->QueryInterface(IID_IClassFactory, &none) == static_cast<HRESULT>(STATUS_NOINTERFACE) &&
                  none == nullptr,
              "QueryInterface for what kcom does not implement");
        check(named->Release() == 1, "Release IInteropNamed");
    }
    /* kcom's client helper on a C++ pointer type */
    check(kcom_release_and_clear(&unknown) == 0 && unknown == nullptr, "kcom_release_and_clear");
    check(interop_kcom_alive() == 0, "the kcom object is gone");
}

extern "C" void interop_test_kcom_calls_cxx(void)
{
    void *object = interop_cxx_create("c++");
    /* through kcom's generated C wrappers and client helpers */
    interop_kcom_drive(object, "c++");
    check(interop_cxx_alive() == 1, "the C++ object is alive while referenced");
    IUnknown *unknown = static_cast<IUnknown *>(object);
    check(kcom_addref(unknown) == 2 && kcom_release(unknown) == 1, "kcom_addref/kcom_release");
    check(kcom_release(unknown) == 0, "final kcom_release");
    check(interop_cxx_alive() == 0, "the C++ object was destroyed");
}
