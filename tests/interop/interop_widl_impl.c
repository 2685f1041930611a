/*
 * kcom implementing an interface that widl declared: with the widl header first, kcom takes its
 * IUnknown, its IInteropCalc struct and vtable type and its IID; kcom only needs the method list
 * (parameter types as in the IDL) and the interface descriptor. The object is then used through
 * widl's macros and kcom's client helpers alike.
 */
#define COBJMACROS
#include "kcom_interop.h"

#include <kcom/kcom.h>

#include "interop_shared.h"

#include "../harness/kcom_test.h"

#define IInteropCalc_METHODS(M, I)                                                 \
    IUnknown_METHODS(M, I)                                                         \
    M(I, METHOD, HRESULT, Add, (ULONG, a)(ULONG, b)(ULONG *, sum))                 \
    M(I, METHOD, ULONG, GetCount, )                                                \
    M(I, METHOD, HRESULT, Mix, (ULONG, a)(ULONG64, b)(USHORT, c)(ULONG64 *, result)) \
    M(I, METHOD, void, Reset, )

KCOM_DEFINE_INTERFACE_INFO(IInteropCalc, KCOM_INTERFACE_INFO(IUnknown))

typedef struct Adder {
    IInteropCalc IInteropCalc_iface;
    ULONG count;
} Adder;

static HRESULT Adder_Add(Adder *self, ULONG a, ULONG b, ULONG *sum)
{
    if (sum == NULL)
        return E_POINTER;
    self->count++;
    *sum = a + b;
    return S_OK;
}

static ULONG Adder_GetCount(Adder *self)
{
    return self->count;
}

static HRESULT Adder_Mix(Adder *self, ULONG a, ULONG64 b, USHORT c, ULONG64 *result)
{
    if (result == NULL)
        return E_POINTER;
    self->count++;
    *result = (ULONG64)a * 1000003u + b * 31u + c;
    return S_OK;
}

static void Adder_Reset(Adder *self)
{
    self->count = 0;
}

KCOM_IMPLEMENT(Adder, IInteropCalc, IInteropCalc_iface)
KCOM_CLASS(Adder, NULL, (IInteropCalc, IInteropCalc_iface))

void interop_test_widl_implemented(void)
{
    IInteropCalc *calc = NULL;
    IInteropNamed *named = NULL;
    IUnknown *unknown = NULL;
    ULONG sum = 0;
    ULONG64 mixed = 0;
    NTSTATUS status;

    status = kcom_object_create(KCOM_CLASS_OF(Adder), NULL, NULL, NULL, &IID_IInteropCalc, (void **)&calc);
    ok(status == STATUS_SUCCESS && calc != NULL, "kcom_object_create: %s\n", kcom_status_name(status));
    if (calc == NULL)
        return;
    ok(IInteropCalc_Add(calc, 40, 2, &sum) == S_OK && sum == 42, "Add gave %lu\n", (unsigned long)sum);
    ok(IInteropCalc_Mix(calc, 0, 1, 2, &mixed) == S_OK && mixed == 33, "Mix gave %llu\n", (unsigned long long)mixed);
    ok(IInteropCalc_GetCount(calc) == 2, "GetCount %lu\n", (unsigned long)IInteropCalc_GetCount(calc));
    IInteropCalc_Reset(calc);
    ok(IInteropCalc_GetCount(calc) == 0, "GetCount after Reset\n");

    /* kcom's table-driven QueryInterface over a widl-declared interface */
    ok(IInteropCalc_QueryInterface(calc, &IID_IUnknown, (void **)&unknown) == S_OK &&
           (void *)unknown == (void *)calc,
       "QueryInterface(IUnknown)\n");
    status = IInteropCalc_QueryInterface(calc, &IID_IInteropNamed, (void **)&named);
    ok(status == STATUS_NOINTERFACE && named == NULL, "QueryInterface(IInteropNamed): 0x%08lx\n",
       (unsigned long)status);
    ok(KCOM_ADDREF(calc) == 3, "KCOM_ADDREF\n");
    ok(kcom_object_refcount(KCOM_IMPL_FROM(Adder, IInteropCalc_iface, calc)) == 3, "count\n");
    ok(KCOM_RELEASE(calc) == 2, "KCOM_RELEASE\n");
    ok(KCOM_RELEASE_AND_CLEAR(&unknown) == 1 && unknown == NULL, "KCOM_RELEASE_AND_CLEAR(IUnknown)\n");
    ok(IInteropCalc_Release(calc) == 0, "final Release through widl's macro\n");
}
