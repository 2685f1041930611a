/*
 * The kcom side of the interop tests: a kcom class implementing IKcomNamed (kcom's declaration of
 * kcom_interop.idl's IInteropNamed), and a driver that exercises any object of that layout, kcom
 * or not, through kcom's generated wrappers and client helpers.
 */
#include "interop_kcom.h"
#include "interop_shared.h"

#include "../harness/kcom_test.h"

#include <string.h>

typedef struct Calc {
    IKcomNamed IKcomNamed_iface;
    ULONG count;
    char name[32];
} Calc;

static LONG volatile calcs_alive;

static void copy_name(char *to, const char *from)
{
    size_t length = strlen(from);
    if (length > 31)
        length = 31;
    memcpy(to, from, length);
    to[length] = '\0';
}

static NTSTATUS Calc_Add(Calc *self, ULONG a, ULONG b, ULONG *sum)
{
    self->count++;
    *sum = a + b;
    return STATUS_SUCCESS;
}

static ULONG Calc_GetCount(Calc *self)
{
    return self->count;
}

/* Mixes all three arguments so that a slot or argument mix-up shows; a == ~0 fails. */
static NTSTATUS Calc_Mix(Calc *self, ULONG a, ULONG64 b, USHORT c, ULONG64 *result)
{
    if (a == 0xFFFFFFFFu)
        return STATUS_INTEGER_OVERFLOW;
    self->count++;
    *result = (ULONG64)a * 1000003u + b * 31u + c;
    return STATUS_SUCCESS;
}

static void Calc_Reset(Calc *self)
{
    self->count = 0;
}

static const char *Calc_Name(Calc *self)
{
    return self->name;
}

static NTSTATUS Calc_Rename(Calc *self, const char *name)
{
    if (name == NULL)
        return STATUS_INVALID_PARAMETER;
    copy_name(self->name, name);
    return STATUS_SUCCESS;
}

static void Calc_destroy(Calc *self)
{
    (void)self;
    kcom_atomic_fetch_add(&calcs_alive, -1);
}

KCOM_IMPLEMENT(Calc, IKcomNamed, IKcomNamed_iface)
KCOM_CLASS(Calc, Calc_destroy, (IKcomNamed, IKcomNamed_iface))

struct calc_args {
    ULONG start;
    const char *name;
};

static NTSTATUS calc_init(void *impl, void *context)
{
    Calc *calc = (Calc *)impl;
    const struct calc_args *args = (const struct calc_args *)context;
    calc->count = args->start;
    copy_name(calc->name, args->name);
    kcom_atomic_fetch_add(&calcs_alive, 1);
    return STATUS_SUCCESS;
}

long interop_kcom_create(unsigned long start, const char *name, void **unknown)
{
    struct calc_args args;
    args.start = (ULONG)start;
    args.name = name;
    return kcom_object_create(KCOM_CLASS_OF(Calc), NULL, calc_init, &args, &IID_IUnknown, unknown);
}

long interop_kcom_alive(void)
{
    return kcom_atomic_load(&calcs_alive);
}

void interop_kcom_drive(void *object, const char *name)
{
    static const IID iid_unsupported =
        KCOM_GUID_INIT(0x5b0d2c1e, 0x7a43, 0x4f6e, 0x9c, 0x21, 0x3d, 0x8e, 0x4f, 0x5a, 0x6b, 0x7f);
    IUnknown *unknown = (IUnknown *)object;
    IKcomCalc *calc = NULL;
    IKcomNamed *named = NULL;
    void *other = NULL;
    ULONG sum = 0, count;
    ULONG64 mixed = 1;
    NTSTATUS status;

    status = KCOM_QUERY_INTERFACE(unknown, IKcomCalc, &calc);
    ok(status == STATUS_SUCCESS && calc != NULL, "QueryInterface(IKcomCalc): 0x%08lx\n", (unsigned long)status);
    if (calc == NULL)
        return;
    count = IKcomCalc_GetCount(calc);
    ok(IKcomCalc_Add(calc, 2, 3, &sum) == STATUS_SUCCESS && sum == 5, "Add gave %lu\n", (unsigned long)sum);
    ok(IKcomCalc_Mix(calc, 7, 0x100000000ull, 9, &mixed) == STATUS_SUCCESS &&
           mixed == 7ull * 1000003u + 0x100000000ull * 31u + 9u,
       "Mix gave 0x%llx\n", (unsigned long long)mixed);
    ok(IKcomCalc_GetCount(calc) == count + 2, "GetCount %lu after two calls from %lu\n",
       (unsigned long)IKcomCalc_GetCount(calc), (unsigned long)count);
    status = IKcomCalc_Mix(calc, 0xFFFFFFFFu, 1, 1, &mixed);
    ok(!NT_SUCCESS(status) && mixed == 0, "failing Mix: 0x%08lx, out value 0x%llx\n", (unsigned long)status,
       (unsigned long long)mixed);
    IKcomCalc_Reset(calc);
    ok(IKcomCalc_GetCount(calc) == 0, "GetCount after Reset\n");

    /* derived interface, and back to the identity */
    status = KCOM_QUERY_INTERFACE(calc, IKcomNamed, &named);
    ok(status == STATUS_SUCCESS && named != NULL, "QueryInterface(IKcomNamed): 0x%08lx\n", (unsigned long)status);
    if (named != NULL) {
        ok(strcmp(IKcomNamed_Name(named), name) == 0, "Name gave %s\n", IKcomNamed_Name(named));
        ok(IKcomNamed_Rename(named, "renamed") == STATUS_SUCCESS && strcmp(IKcomNamed_Name(named), "renamed") == 0,
           "Rename\n");
        ok(IKcomNamed_Rename(named, name) == STATUS_SUCCESS, "Rename back\n");
    }
    status = kcom_query_interface(KCOM_UNKNOWN(calc), &IID_IUnknown, &other);
    ok(status == STATUS_SUCCESS && other == (void *)unknown, "identity: %p, not %p\n", other, (void *)unknown);
    kcom_release_and_clear(&other);
    other = (void *)&sum;
    status = kcom_query_interface(unknown, &iid_unsupported, &other);
    /* a C++ object answers E_NOINTERFACE, a kcom one STATUS_NOINTERFACE: the same to a client */
    ok((status == STATUS_NOINTERFACE || kcom_ntstatus_from_hresult((HRESULT)status) == STATUS_NOINTERFACE) &&
           other == NULL,
       "QueryInterface(unknown IID): 0x%08lx\n", (unsigned long)status);
    ok(KCOM_RELEASE_AND_CLEAR(&named) != 0 && named == NULL, "release IKcomNamed\n");
    ok(KCOM_RELEASE_AND_CLEAR(&calc) != 0 && calc == NULL, "release IKcomCalc\n");
}
