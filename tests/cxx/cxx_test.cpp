/*
 * kcom from C++17 (host executable kcom_cxx_test).
 *  (a) every public header compiles as C++17 with -Wall -Wextra -Wpedantic -Werror (here all of
 *      them together; the build also compiles each one alone, in C and in C++);
 *  (b) C++ interfaces with virtual methods (struct ICxxCounter : IUnknown ..., in a namespace so as
 *      not to clash with kcom's C IUnknown) call a kcom object written in C: same vtable layout;
 *  (c) a C++ COM class (virtual methods, std::atomic count, two interfaces by multiple inheritance)
 *      is driven by kcom's C client helpers and by the C wrappers of kcom-declared interfaces of the
 *      same layout, from C++ and from C;
 *  (d) kcom classes implemented in C++ with kcom's macros (cxx_classes.cpp).
 */
#include <kcom/kcom.h>

#include <kcom/allocator.h>
#include <kcom/atomic.h>
#include <kcom/client.h>
#include <kcom/compiler.h>
#include <kcom/counting_allocator.h>
#include <kcom/failfast.h>
#include <kcom/guid.h>
#include <kcom/implement.h>
#include <kcom/interface.h>
#include <kcom/object.h>
#include <kcom/refcount.h>
#include <kcom/runtime.h>
#include <kcom/status.h>
#include <kcom/trace.h>
#include <kcom/types.h>
#include <kcom/unknown.h>

#include "../harness/kcom_test.h"
#include "cxx_shared.h"

#include <atomic>
#include <cstdio>
#include <cstring>

#ifdef KCOM_TEST_CXX_CLASSES
/* kcom classes implemented in C++ (cxx_classes.cpp) */
extern "C" void kcom_test_cxx_classes(void);
#endif

extern "C" void kcom_test_vprint(const char *format, va_list args)
{
    std::vprintf(format, args);
    std::fflush(stdout);
}

/* ---- C++ interfaces of the same layout --------------------------------------------------------- */

namespace cxx {

struct IUnknown {
    virtual NTSTATUS KCOM_STDCALL QueryInterface(const IID *riid, void **ppv) = 0;
    virtual ULONG KCOM_STDCALL AddRef() = 0;
    virtual ULONG KCOM_STDCALL Release() = 0;
};

struct ICxxCounter : IUnknown {
    virtual NTSTATUS KCOM_STDCALL Add(ULONG amount) = 0;
    virtual NTSTATUS KCOM_STDCALL GetTotal(ULONG *result) = 0;
    virtual ULONG64 KCOM_STDCALL Mix(ULONG a, ULONG64 b, USHORT c) = 0;
};

struct ICxxDerived : ICxxCounter {
    virtual ULONG KCOM_STDCALL Extra() = 0;
};

struct ICxxNamed : IUnknown {
    virtual const char *KCOM_STDCALL Name() = 0;
    virtual void KCOM_STDCALL Rename(const char *name) = 0;
};

} // namespace cxx

static bool text_equal(const char *a, const char *b)
{
    return a != nullptr && b != nullptr && std::strcmp(a, b) == 0;
}

/* ---- (b) C++ calls a kcom object through C++ interfaces ------------------------------------------ */

static void cxx_calls_kcom(void)
{
    ::ICxxDerived *c_derived = nullptr;
    NTSTATUS status = cxx_create_counter(&c_derived);
    ok(status == STATUS_SUCCESS && c_derived != nullptr, "cxx_create_counter returned %s\n", kcom_status_name(status));
    if (c_derived == nullptr)
        return;
    LONG destroyed_before = cxx_counters_destroyed();

    /* the same object, seen as a C++ object */
    cxx::ICxxDerived *derived = reinterpret_cast<cxx::ICxxDerived *>(c_derived);
    ok(cxx_counter_refcount(c_derived) == 1, "refcount %ld\n", static_cast<long>(cxx_counter_refcount(c_derived)));

    ok(derived->Add(5) == STATUS_SUCCESS, "Add(5)\n");
    ok(derived->Add(0) == STATUS_INVALID_PARAMETER, "Add(0) status passes through\n");
    ULONG total = 0;
    ok(derived->GetTotal(&total) == STATUS_SUCCESS && total == 5, "GetTotal gave %lu\n",
       static_cast<unsigned long>(total));
    ok(derived->GetTotal(nullptr) == STATUS_INVALID_PARAMETER, "GetTotal(nullptr): the RESULT shim's check\n");
    ok(derived->Mix(7, 0x100000000ull, 9) == ((7ull << 32) ^ 0x100000000ull ^ (9ull << 16)), "Mix\n");
    ok(derived->Extra() == 0xC0FFEEu, "Extra read 0x%lx\n", static_cast<unsigned long>(derived->Extra()));

    /* through the base C++ interface */
    cxx::ICxxCounter *counter = derived;
    ok(counter->Add(10) == STATUS_SUCCESS && counter->GetTotal(&total) == STATUS_SUCCESS && total == 15,
       "ICxxCounter calls\n");

    /* reference counting through the C++ interface */
    ok(derived->AddRef() == 2, "AddRef\n");
    ok(cxx_counter_refcount(c_derived) == 2, "refcount after AddRef\n");
    ok(derived->Release() == 1, "Release\n");

    /* QueryInterface through the C++ interface */
    void *pv = nullptr;
    ok(derived->QueryInterface(&IID_ICxxNamed, &pv) == STATUS_SUCCESS && pv != nullptr, "QI(ICxxNamed)\n");
    ok(cxx_counter_refcount(c_derived) == 2, "refcount after QI\n");
    cxx::ICxxNamed *named = static_cast<cxx::ICxxNamed *>(pv);
    if (named != nullptr) {
        ok(text_equal(named->Name(), "kcom counter"), "Name gave %s\n", named->Name());
        named->Rename("renamed by C++");
        ok(text_equal(named->Name(), "renamed by C++"), "Rename\n");
        void *unknown = nullptr;
        ok(named->QueryInterface(&IID_IUnknown, &unknown) == STATUS_SUCCESS &&
               unknown == static_cast<void *>(derived),
           "identity through the C++ interface\n");
        ok(named->Release() == 2, "Release through ICxxNamed\n");
        ok(derived->Release() == 1, "Release the identity\n");
    }
    pv = reinterpret_cast<void *>(1);
    ok(derived->QueryInterface(&IID_ICxxNobody, &pv) == STATUS_NOINTERFACE && pv == nullptr, "QI(unsupported)\n");
    ok(derived->QueryInterface(&IID_ICxxCounter, nullptr) == STATUS_INVALID_PARAMETER, "QI(nullptr ppv)\n");

    ok(cxx_counters_destroyed() == destroyed_before, "destroyed early\n");
    ok(derived->Release() == 0, "final Release\n");
    ok(cxx_counters_destroyed() == destroyed_before + 1, "destroyed %ld times\n",
       static_cast<long>(cxx_counters_destroyed() - destroyed_before));
}

/* ---- (c) a C++ COM class driven by kcom's C helpers -------------------------------------------------- */

static int widgets_destroyed;

class Widget final : public cxx::ICxxDerived, public cxx::ICxxNamed {
public:
    NTSTATUS KCOM_STDCALL QueryInterface(const IID *riid, void **ppv) override
    {
        if (ppv == nullptr)
            return STATUS_INVALID_PARAMETER;
        *ppv = nullptr;
        if (riid == nullptr)
            return STATUS_INVALID_PARAMETER;
        if (kcom_guid_equal(riid, &IID_IUnknown) || kcom_guid_equal(riid, &IID_ICxxCounter) ||
            kcom_guid_equal(riid, &IID_ICxxDerived))
            *ppv = static_cast<cxx::ICxxDerived *>(this);
        else if (kcom_guid_equal(riid, &IID_ICxxNamed))
            *ppv = static_cast<cxx::ICxxNamed *>(this);
        else
            return STATUS_NOINTERFACE;
        AddRef();
        return STATUS_SUCCESS;
    }
    ULONG KCOM_STDCALL AddRef() override
    {
        return refs_.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    ULONG KCOM_STDCALL Release() override
    {
        ULONG remaining = refs_.fetch_sub(1, std::memory_order_acq_rel) - 1;
        if (remaining == 0)
            delete this;
        return remaining;
    }
    NTSTATUS KCOM_STDCALL Add(ULONG amount) override
    {
        total_ += amount;
        return STATUS_SUCCESS;
    }
    NTSTATUS KCOM_STDCALL GetTotal(ULONG *result) override
    {
        if (result == nullptr)
            return STATUS_INVALID_PARAMETER;
        *result = total_;
        return STATUS_SUCCESS;
    }
    ULONG64 KCOM_STDCALL Mix(ULONG a, ULONG64 b, USHORT c) override
    {
        return (static_cast<ULONG64>(a) << 32) ^ b ^ (static_cast<ULONG64>(c) << 16);
    }
    ULONG KCOM_STDCALL Extra() override
    {
        return 0xE7u;
    }
    const char *KCOM_STDCALL Name() override
    {
        return name_;
    }
    void KCOM_STDCALL Rename(const char *name) override
    {
        name_ = name;
    }

    ULONG refs() const
    {
        return refs_.load();
    }
    ULONG total() const
    {
        return total_;
    }

private:
    ~Widget()
    {
        widgets_destroyed++;
    }

    std::atomic<ULONG> refs_{1};
    ULONG total_ = 0;
    const char *name_ = "widget";
};

static void c_helpers_drive_cxx(void)
{
    widgets_destroyed = 0;
    Widget *widget = new Widget;
    ::IUnknown *unknown = reinterpret_cast<::IUnknown *>(static_cast<cxx::ICxxDerived *>(widget));

    /* kcom_query_interface */
    void *pv = nullptr;
    NTSTATUS status = kcom_query_interface(unknown, &IID_ICxxNamed, &pv);
    ok(status == STATUS_SUCCESS && pv == static_cast<void *>(static_cast<cxx::ICxxNamed *>(widget)),
       "kcom_query_interface(ICxxNamed) on a C++ object: %s\n", kcom_status_name(status));
    ok(widget->refs() == 2, "refs %lu\n", static_cast<unsigned long>(widget->refs()));
    ::ICxxNamed *named = static_cast<::ICxxNamed *>(pv);

    /* the C wrappers of the kcom declaration call the C++ virtual methods (secondary base: thunks) */
    if (named != nullptr) {
        ok(text_equal(ICxxNamed_Name(named), "widget"), "ICxxNamed_Name on a C++ object\n");
        ICxxNamed_Rename(named, "renamed through C");
        ok(text_equal(widget->Name(), "renamed through C"), "ICxxNamed_Rename on a C++ object\n");
        ok(ICxxNamed_AddRef(named) == 3 && widget->refs() == 3, "ICxxNamed_AddRef through a thunk\n");
        ok(ICxxNamed_Release(named) == 2, "ICxxNamed_Release through a thunk\n");
        ::IUnknown *identity = nullptr;
        ok(KCOM_QUERY_INTERFACE(named, IUnknown, &identity) == STATUS_SUCCESS && identity == unknown,
           "identity of the C++ object from its second interface\n");
        ok(kcom_release_and_clear(&identity) == 2 && identity == nullptr, "kcom_release_and_clear\n");
    }

    /* KCOM_QUERY_INTERFACE, typed */
    ::ICxxCounter *counter = nullptr;
    status = KCOM_QUERY_INTERFACE(unknown, ICxxCounter, &counter);
    ok(status == STATUS_SUCCESS && counter != nullptr, "KCOM_QUERY_INTERFACE(ICxxCounter): %s\n",
       kcom_status_name(status));
    ok(widget->refs() == 3, "refs %lu\n", static_cast<unsigned long>(widget->refs()));
    if (counter != nullptr) {
        ok(ICxxCounter_Add(counter, 30) == STATUS_SUCCESS && widget->total() == 30, "ICxxCounter_Add\n");
        ULONG total = 0;
        ok(ICxxCounter_GetTotal(counter, &total) == STATUS_SUCCESS && total == 30, "ICxxCounter_GetTotal\n");
        ok(ICxxCounter_GetTotal(counter, nullptr) == STATUS_INVALID_PARAMETER, "ICxxCounter_GetTotal(nullptr)\n");
        ok(ICxxCounter_Mix(counter, 1, 2, 3) == ((1ull << 32) ^ 2ull ^ (3ull << 16)), "ICxxCounter_Mix\n");
    }
    ::ICxxDerived *derived = nullptr;
    ok(KCOM_QUERY_INTERFACE(counter, ICxxDerived, &derived) == STATUS_SUCCESS && derived != nullptr,
       "KCOM_QUERY_INTERFACE(ICxxDerived)\n");
    if (derived != nullptr)
        ok(ICxxDerived_Extra(derived) == 0xE7u && ICxxDerived_Add(derived, 1) == STATUS_SUCCESS, "ICxxDerived\n");
    ::ICxxNamed *nobody = reinterpret_cast<::ICxxNamed *>(1);
    status = kcom_query_interface(unknown, &IID_ICxxNobody, reinterpret_cast<void **>(&nobody));
    ok(status == STATUS_NOINTERFACE && nobody == nullptr, "unsupported IID on a C++ object\n");
    ok(kcom_query_interface(unknown, nullptr, &pv) == STATUS_INVALID_PARAMETER && pv == nullptr,
       "kcom_query_interface(nullptr riid)\n");

    /* KCOM_ADDREF / KCOM_RELEASE / KCOM_RELEASE_AND_CLEAR / KCOM_SCOPED */
    ok(KCOM_ADDREF(counter) == 5 && KCOM_RELEASE(counter) == 4, "KCOM_ADDREF/KCOM_RELEASE\n");
    ok(KCOM_RELEASE_AND_CLEAR(&derived) == 3 && derived == nullptr, "KCOM_RELEASE_AND_CLEAR\n");
    ok(KCOM_RELEASE_AND_CLEAR(&derived) == 0, "KCOM_RELEASE_AND_CLEAR on a cleared slot\n");
#if KCOM_HAVE_CLEANUP
    {
        KCOM_SCOPED(ICxxDerived) scoped = nullptr;
        ok(KCOM_QUERY_INTERFACE(counter, ICxxDerived, &scoped) == STATUS_SUCCESS, "QI into a scoped pointer\n");
        ok(widget->refs() == 4, "refs %lu\n", static_cast<unsigned long>(widget->refs()));
    }
    ok(widget->refs() == 3, "KCOM_SCOPED released: refs %lu\n", static_cast<unsigned long>(widget->refs()));
#endif

    /* the same from C */
    int c_result = cxx_drive_from_c(unknown);
    ok(c_result == 0, "cxx_drive_from_c failed at check %d\n", c_result);
    ok(text_equal(widget->Name(), "renamed from C"), "C renamed the widget to %s\n", widget->Name());
    ok(widget->refs() == 3, "refs after the C client %lu\n", static_cast<unsigned long>(widget->refs()));

    ok(kcom_release_and_clear(&named) == 2 && named == nullptr, "release named\n");
    ok(kcom_release_and_clear(&counter) == 1 && counter == nullptr, "release counter\n");
    ok(widgets_destroyed == 0, "destroyed early\n");
    ok(kcom_release(unknown) == 0, "final kcom_release\n");
    ok(widgets_destroyed == 1, "the C++ object was destroyed %d times\n", widgets_destroyed);
}

/* Layout facts the two previous tests rely on. */
static void layout(void)
{
    ok(sizeof(::ICxxDerived) == sizeof(void *) && sizeof(cxx::ICxxDerived) == sizeof(void *),
       "an interface is one vtable pointer in C and C++\n");
    ok(KCOM_INTERFACE_INFO(ICxxDerived)->method_count == 7 && KCOM_INTERFACE_INFO(ICxxNamed)->method_count == 5,
       "method counts\n");
    ok(KCOM_INTERFACE_INFO(ICxxDerived)->parent == KCOM_INTERFACE_INFO(ICxxCounter), "parent chain\n");
    ok(text_equal(KCOM_INTERFACE_INFO(ICxxNamed)->name, "ICxxNamed"), "name\n");
    static_assert(offsetof(::ICxxDerivedVtbl, Extra) == 6 * sizeof(void *), "ICxxDerived's own slot");
    static_assert(offsetof(::ICxxNamedVtbl, Rename) == 4 * sizeof(void *), "ICxxNamed's slots");
}

int main()
{
    NTSTATUS status = kcom_initialize();
    if (!NT_SUCCESS(status)) {
        std::printf("kcom_initialize failed: %s\n", kcom_status_name(status));
        return 1;
    }
    kcom_test_run("cxx_layout", layout);
    kcom_test_run("cxx_calls_kcom", cxx_calls_kcom);
    kcom_test_run("c_helpers_drive_cxx", c_helpers_drive_cxx);
#ifdef KCOM_TEST_CXX_CLASSES
    kcom_test_run("cxx_classes", kcom_test_cxx_classes);
#endif
    kcom_uninitialize();
    const kcom_test_totals *totals = kcom_test_get_totals();
    std::printf("%ld passed, %ld failed, %ld skipped\n", static_cast<long>(totals->passed),
                static_cast<long>(totals->failed), static_cast<long>(totals->skipped));
    return totals->failed == 0 ? 0 : 1;
}
