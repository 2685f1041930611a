/*
 * The C half of the C++ test: a kcom class the C++ code calls through C++ interfaces, and a C
 * client that drives the C++ class through kcom's wrappers.
 */
#include "cxx_shared.h"

typedef struct CxxCounter {
    ULONG64 leading_state;
    ICxxDerived ICxxDerived_iface;
    ULONG total;
    ICxxNamed ICxxNamed_iface;
    const char *name;
} CxxCounter;

static LONG destroyed;

static NTSTATUS CxxCounter_Add(CxxCounter *self, ULONG amount)
{
    if (amount == 0)
        return STATUS_INVALID_PARAMETER;
    self->total += amount;
    return STATUS_SUCCESS;
}
static NTSTATUS CxxCounter_GetTotal(CxxCounter *self, ULONG *total)
{
    *total = self->total;
    return self->total != 0 ? STATUS_SUCCESS : STATUS_NOT_FOUND;
}
static ULONG64 CxxCounter_Mix(CxxCounter *self, ULONG a, ULONG64 b, USHORT c)
{
    (void)self;
    return ((ULONG64)a << 32) ^ b ^ ((ULONG64)c << 16);
}
static ULONG CxxCounter_Extra(CxxCounter *self)
{
    return (ULONG)self->leading_state;
}
static const char *CxxCounter_Name(CxxCounter *self)
{
    return self->name;
}
static void CxxCounter_Rename(CxxCounter *self, const char *name)
{
    self->name = name;
}
static void CxxCounter_destroy(CxxCounter *self)
{
    (void)self;
    destroyed++;
}

KCOM_IMPLEMENT(CxxCounter, ICxxDerived, ICxxDerived_iface)
KCOM_IMPLEMENT(CxxCounter, ICxxNamed, ICxxNamed_iface)
KCOM_CLASS(CxxCounter, CxxCounter_destroy, (ICxxDerived, ICxxDerived_iface), (ICxxNamed, ICxxNamed_iface))

static NTSTATUS init_counter(void *impl, void *context)
{
    CxxCounter *self = (CxxCounter *)impl;
    (void)context;
    self->leading_state = 0xC0FFEEu;
    self->name = "kcom counter";
    return STATUS_SUCCESS;
}

NTSTATUS cxx_create_counter(ICxxDerived **out)
{
    return kcom_object_create(KCOM_CLASS_OF(CxxCounter), NULL, init_counter, NULL, &IID_ICxxDerived, (void **)out);
}

LONG cxx_counter_refcount(ICxxDerived *counter)
{
    return kcom_object_refcount(KCOM_IMPL_FROM(CxxCounter, ICxxDerived_iface, counter));
}

LONG cxx_counters_destroyed(void)
{
    return destroyed;
}

int cxx_drive_from_c(IUnknown *object)
{
    ICxxCounter *counter = NULL;
    ICxxDerived *derived = NULL;
    ICxxNamed *named = NULL;
    IUnknown *identity = NULL;
    ULONG total = 0;
    int failed = 0;

    if (KCOM_QUERY_INTERFACE(object, ICxxDerived, &derived) != STATUS_SUCCESS || derived == NULL)
        return 1;
    if (KCOM_QUERY_INTERFACE(derived, ICxxCounter, &counter) != STATUS_SUCCESS || (void *)counter != (void *)derived)
        failed = failed ? failed : 2;
    if (counter != NULL) {
        ULONG before = 0;
        if (ICxxCounter_GetTotal(counter, &before) != STATUS_SUCCESS)
            failed = failed ? failed : 3;
        if (ICxxCounter_Add(counter, 40) != STATUS_SUCCESS || ICxxDerived_Add(derived, 2) != STATUS_SUCCESS)
            failed = failed ? failed : 3;
        if (ICxxCounter_GetTotal(counter, &total) != STATUS_SUCCESS || total != before + 42)
            failed = failed ? failed : 4;
        if (ICxxCounter_Mix(counter, 1, 2, 3) != ((1ull << 32) ^ 2ull ^ (3ull << 16)))
            failed = failed ? failed : 5;
    }
    if (ICxxDerived_Extra(derived) != 0xE7u)
        failed = failed ? failed : 6;
    if (kcom_query_interface((IUnknown *)(void *)derived, &IID_ICxxNamed, (void **)&named) != STATUS_SUCCESS)
        failed = failed ? failed : 7;
    if (named != NULL) {
        ICxxNamed_Rename(named, "renamed from C");
        if (kcom_query_interface((IUnknown *)(void *)named, &IID_IUnknown, (void **)&identity) != STATUS_SUCCESS ||
            identity != object)
            failed = failed ? failed : 8;
    }
    kcom_release_and_clear(&identity);
    kcom_release_and_clear(&named);
    KCOM_RELEASE_AND_CLEAR(&counter);
    KCOM_RELEASE_AND_CLEAR(&derived);
    return failed;
}
