/*
 * widl's C declarations next to kcom's: every vtable slot at the same offset, the same IIDs, and a
 * kcom object driven through widl's COBJMACROS.
 */
#define COBJMACROS
/* lpVtbl as a pointer to a const vtable in widl's and the SDK's structs, as in kcom's */
#define CONST_VTABLE
#include "kcom_interop.h"

#include "interop_kcom.h"
#include "interop_shared.h"

#include "../harness/kcom_test.h"

#include <string.h>

#define SAME_SLOT(widl, kcom, slot)                                                         \
    KCOM_STATIC_ASSERT(offsetof(widl##Vtbl, slot) == offsetof(kcom##Vtbl, slot), #widl "::" #slot)

SAME_SLOT(IInteropCalc, IKcomCalc, QueryInterface);
SAME_SLOT(IInteropCalc, IKcomCalc, AddRef);
SAME_SLOT(IInteropCalc, IKcomCalc, Release);
SAME_SLOT(IInteropCalc, IKcomCalc, Add);
SAME_SLOT(IInteropCalc, IKcomCalc, GetCount);
SAME_SLOT(IInteropCalc, IKcomCalc, Mix);
SAME_SLOT(IInteropCalc, IKcomCalc, Reset);
KCOM_STATIC_ASSERT(sizeof(IInteropCalcVtbl) == sizeof(IKcomCalcVtbl), "IInteropCalc: no extra slots");
KCOM_STATIC_ASSERT(sizeof(IInteropCalcVtbl) == 7 * sizeof(void *), "IInteropCalc has seven slots");

SAME_SLOT(IInteropNamed, IKcomNamed, QueryInterface);
SAME_SLOT(IInteropNamed, IKcomNamed, AddRef);
SAME_SLOT(IInteropNamed, IKcomNamed, Release);
SAME_SLOT(IInteropNamed, IKcomNamed, Add);
SAME_SLOT(IInteropNamed, IKcomNamed, GetCount);
SAME_SLOT(IInteropNamed, IKcomNamed, Mix);
SAME_SLOT(IInteropNamed, IKcomNamed, Reset);
SAME_SLOT(IInteropNamed, IKcomNamed, Name);
SAME_SLOT(IInteropNamed, IKcomNamed, Rename);
KCOM_STATIC_ASSERT(sizeof(IInteropNamedVtbl) == sizeof(IKcomNamedVtbl), "IInteropNamed: no extra slots");

KCOM_STATIC_ASSERT(offsetof(IInteropCalc, lpVtbl) == offsetof(IKcomCalc, lpVtbl) &&
                       sizeof(IInteropCalc) == sizeof(IKcomCalc),
                   "interface structs");

void interop_test_layout(void)
{
    char widl_text[KCOM_GUID_STRING_SIZE], kcom_text[KCOM_GUID_STRING_SIZE];
    ok(kcom_guid_equal(&IID_IInteropCalc, &IID_IKcomCalc), "IIDs differ: widl %s, kcom %s\n",
       kcom_guid_to_string(&IID_IInteropCalc, widl_text), kcom_guid_to_string(&IID_IKcomCalc, kcom_text));
    ok(kcom_guid_equal(&IID_IInteropNamed, &IID_IKcomNamed), "IIDs differ: widl %s, kcom %s\n",
       kcom_guid_to_string(&IID_IInteropNamed, widl_text), kcom_guid_to_string(&IID_IKcomNamed, kcom_text));
    ok(kcom_guid_equal(&IID_IUnknown, &IID_IUnknown) && KCOM_INTERFACE_INFO(IKcomNamed)->method_count == 9,
       "IKcomNamed has %lu slots\n", (unsigned long)KCOM_INTERFACE_INFO(IKcomNamed)->method_count);
}

void interop_test_widl_macros(void)
{
    IUnknown *unknown = NULL;
    IInteropCalc *calc = NULL;
    IInteropNamed *named = NULL;
    ULONG sum = 0;
    ULONG64 mixed = 1;
    HRESULT hr;

    ok(interop_kcom_create(40, "kcom", (void **)&unknown) == STATUS_SUCCESS && unknown != NULL,
       "creating the kcom object\n");
    if (unknown == NULL)
        return;
    hr = IUnknown_QueryInterface(unknown, &IID_IInteropCalc, (void **)&calc);
    ok(SUCCEEDED(hr) && calc != NULL, "IUnknown_QueryInterface(IInteropCalc): 0x%08lx\n", (unsigned long)hr);
    if (calc != NULL) {
        ok(IInteropCalc_GetCount(calc) == 40, "GetCount %lu\n", (unsigned long)IInteropCalc_GetCount(calc));
        hr = IInteropCalc_Add(calc, 20, 22, &sum);
        ok(hr == S_OK && sum == 42, "Add: 0x%08lx, %lu\n", (unsigned long)hr, (unsigned long)sum);
        hr = IInteropCalc_Mix(calc, 1, 2, 3, &mixed);
        ok(hr == S_OK && mixed == 1000003u + 62u + 3u, "Mix: 0x%08lx, %llu\n", (unsigned long)hr,
           (unsigned long long)mixed);
        hr = IInteropCalc_Mix(calc, 0xFFFFFFFFu, 2, 3, &mixed);
        ok(FAILED(hr) && mixed == 0, "failing Mix: 0x%08lx, out value %llu\n", (unsigned long)hr,
           (unsigned long long)mixed);
        ok(IInteropCalc_Mix(calc, 1, 2, 3, NULL) == STATUS_INVALID_PARAMETER, "Mix with a NULL out pointer\n");
        IInteropCalc_Reset(calc);
        ok(IInteropCalc_GetCount(calc) == 0, "GetCount after Reset\n");
        hr = IInteropCalc_QueryInterface(calc, &IID_IInteropNamed, (void **)&named);
        ok(SUCCEEDED(hr) && named != NULL, "QueryInterface(IInteropNamed): 0x%08lx\n", (unsigned long)hr);
    }
    if (named != NULL) {
        ok(strcmp(IInteropNamed_Name(named), "kcom") == 0, "Name %s\n", IInteropNamed_Name(named));
        ok(IInteropNamed_Rename(named, "widl") == S_OK && strcmp(IInteropNamed_Name(named), "widl") == 0,
           "Rename\n");
        ok(IInteropNamed_Add(named, 1, 1, &sum) == S_OK && sum == 2, "Add through the derived interface\n");
        ok(IInteropNamed_Release(named) == 2, "Release IInteropNamed\n");
    }
    if (calc != NULL)
        ok(IInteropCalc_Release(calc) == 1, "Release IInteropCalc\n");
    ok(IUnknown_Release(unknown) == 0, "final Release\n");
    ok(interop_kcom_alive() == 0, "%ld kcom objects alive\n", interop_kcom_alive());
}
