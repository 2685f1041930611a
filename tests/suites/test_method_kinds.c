/*
 * Method kinds. RESULT ("Result -> NTSTATUS"): a NULL out pointer is rejected with
 * STATUS_INVALID_PARAMETER before the implementation runs; when the implementation fails (error or
 * warning status) after writing garbage, the caller sees the out value zeroed; on success (including
 * informational statuses) it sees what was written. Out types: an integer, a pointer, a struct.
 * METHOD: void and VOID returns, pointer returns, several parameters of mixed types, a method with
 * sixteen parameters, and statuses passed through untouched.
 */
#include "test_common.h"

typedef struct kinds_record {
    ULONG64 a;
    ULONG b;
    UCHAR c[5];
} kinds_record;

/* mode argument of the RESULT methods */
#define MODE_SUCCESS 0        /* write the value, STATUS_SUCCESS */
#define MODE_GARBAGE_ERROR 1  /* write garbage, STATUS_NOT_FOUND */
#define MODE_GARBAGE_WARNING 2 /* write garbage, STATUS_BUFFER_OVERFLOW (a warning: not NT_SUCCESS) */
#define MODE_INFORMATIONAL 3  /* write the value, STATUS_PENDING (NT_SUCCESS) */
#define MODE_ERROR_NO_WRITE 4 /* fail without touching the out value */

#define IKinds_METHODS(M, I)                                                              \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, ULONG, GetValue, (ULONG, mode))                                          \
    M(I, RESULT, kinds_record, GetRecord, (ULONG, mode))                                  \
    M(I, RESULT, void *, GetPointer, (ULONG, mode))                                       \
    M(I, RESULT, ULONG64, NoParams, )                                                     \
    M(I, RESULT, ULONG, Combine, (ULONG, a)(USHORT, b)(UCHAR, c)(ULONG, mode))            \
    M(I, METHOD, void, Poke, (ULONG, value))                                              \
    M(I, METHOD, VOID, PokeTwo, (ULONG, a)(ULONG64, b))                                   \
    M(I, METHOD, void, Nothing, )                                                         \
    M(I, METHOD, void *, Self, )                                                          \
    M(I, METHOD, const char *, Name, )                                                    \
    M(I, METHOD, NTSTATUS, Mixed, (ULONG, a)(ULONG64, b)(const char *, c)(void *, d)(NTSTATUS, result)) \
    M(I, METHOD, ULONG64, Many,                                                           \
      (UCHAR, p1)(USHORT, p2)(ULONG, p3)(ULONG64, p4)(LONG, p5)(const char *, p6)(void *, p7)(BOOLEAN, p8) \
      (ULONG_PTR, p9)(SIZE_T, p10)(const GUID *, p11)(ULONG, p12)(LONG64, p13)(ULONG, p14)(USHORT, p15) \
      (UCHAR, p16))                                                                       \
    M(I, RESULT, ULONG64, ManyResult,                                                     \
      (ULONG, p1)(ULONG, p2)(ULONG, p3)(ULONG, p4)(ULONG, p5)(ULONG, p6)(ULONG, p7)(ULONG, p8) \
      (ULONG, p9)(ULONG, p10))

#ifndef __IKinds_INTERFACE_DEFINED__
#define __IKinds_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IKinds, IUnknown,
                       0x6b630031, 0x7e57, 0x4c31, 0x9d, 0x31, 0x6f, 0x88, 0x3e, 0xd8, 0x13, 0x31)
#endif

typedef struct Kinds {
    ULONG64 state_first;
    IKinds IKinds_iface;
    LONG calls;      /* implementation calls */
    ULONG value;     /* what GetValue writes */
    ULONG poked;
    ULONG64 poked64;
    LONG nothing_calls;
    ULONG64 many_args[16];
    const char *many_text;
    void *many_pointer;
    const GUID *many_guid;
} Kinds;

static NTSTATUS mode_status(ULONG mode)
{
    switch (mode) {
    case MODE_SUCCESS:
        return STATUS_SUCCESS;
    case MODE_GARBAGE_ERROR:
        return STATUS_NOT_FOUND;
    case MODE_GARBAGE_WARNING:
        return STATUS_BUFFER_OVERFLOW;
    case MODE_INFORMATIONAL:
        return STATUS_PENDING;
    default:
        return STATUS_ACCESS_DENIED;
    }
}

static NTSTATUS Kinds_GetValue(Kinds *self, ULONG mode, ULONG *out)
{
    self->calls++;
    if (mode == MODE_ERROR_NO_WRITE)
        return mode_status(mode);
    *out = (mode == MODE_SUCCESS || mode == MODE_INFORMATIONAL) ? self->value : 0xDEADBEEFu;
    return mode_status(mode);
}

static NTSTATUS Kinds_GetRecord(Kinds *self, ULONG mode, kinds_record *out)
{
    self->calls++;
    if (mode == MODE_ERROR_NO_WRITE)
        return mode_status(mode);
    if (mode == MODE_SUCCESS || mode == MODE_INFORMATIONAL) {
        out->a = 0x0123456789ABCDEFull;
        out->b = self->value;
        out->c[0] = 1;
        out->c[4] = 5;
    } else {
        memset(out, 0xCD, sizeof(*out));
    }
    return mode_status(mode);
}

static NTSTATUS Kinds_GetPointer(Kinds *self, ULONG mode, void **out)
{
    self->calls++;
    if (mode == MODE_ERROR_NO_WRITE)
        return mode_status(mode);
    *out = (mode == MODE_SUCCESS || mode == MODE_INFORMATIONAL) ? (void *)self : TEST_POISON_PTR;
    return mode_status(mode);
}

static NTSTATUS Kinds_NoParams(Kinds *self, ULONG64 *out)
{
    self->calls++;
    *out = 0xFEDCBA9876543210ull;
    return STATUS_SUCCESS;
}

static NTSTATUS Kinds_Combine(Kinds *self, ULONG a, USHORT b, UCHAR c, ULONG mode, ULONG *out)
{
    self->calls++;
    *out = mode == MODE_SUCCESS ? a + (ULONG)b * 0x100u + (ULONG)c * 0x10000u : 0xBADu;
    return mode_status(mode);
}

static void Kinds_Poke(Kinds *self, ULONG value)
{
    self->poked = value;
}

static VOID Kinds_PokeTwo(Kinds *self, ULONG a, ULONG64 b)
{
    self->poked = a;
    self->poked64 = b;
}

static void Kinds_Nothing(Kinds *self)
{
    self->nothing_calls++;
}

static void *Kinds_Self(Kinds *self)
{
    return self;
}

static const char *Kinds_Name(Kinds *self)
{
    (void)self;
    return "Kinds";
}

static NTSTATUS Kinds_Mixed(Kinds *self, ULONG a, ULONG64 b, const char *c, void *d, NTSTATUS result)
{
    self->many_args[0] = a;
    self->many_args[1] = b;
    self->many_text = c;
    self->many_pointer = d;
    return result;
}

static ULONG64 Kinds_Many(Kinds *self, UCHAR p1, USHORT p2, ULONG p3, ULONG64 p4, LONG p5, const char *p6, void *p7,
                          BOOLEAN p8, ULONG_PTR p9, SIZE_T p10, const GUID *p11, ULONG p12, LONG64 p13, ULONG p14,
                          USHORT p15, UCHAR p16)
{
    self->many_args[0] = p1;
    self->many_args[1] = p2;
    self->many_args[2] = p3;
    self->many_args[3] = p4;
    self->many_args[4] = (ULONG64)(LONG64)p5;
    self->many_text = p6;
    self->many_pointer = p7;
    self->many_args[7] = p8;
    self->many_args[8] = p9;
    self->many_args[9] = p10;
    self->many_guid = p11;
    self->many_args[11] = p12;
    self->many_args[12] = (ULONG64)p13;
    self->many_args[13] = p14;
    self->many_args[14] = p15;
    self->many_args[15] = p16;
    return p4 ^ p13 ^ p16;
}

static NTSTATUS Kinds_ManyResult(Kinds *self, ULONG p1, ULONG p2, ULONG p3, ULONG p4, ULONG p5, ULONG p6, ULONG p7,
                                 ULONG p8, ULONG p9, ULONG p10, ULONG64 *out)
{
    self->calls++;
    /* positional weights: a swapped pair of arguments gives a different sum */
    *out = p1 * 1ull + p2 * 2ull + p3 * 3ull + p4 * 4ull + p5 * 5ull + p6 * 6ull + p7 * 7ull + p8 * 8ull + p9 * 9ull +
           p10 * 10ull;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Kinds, IKinds, IKinds_iface)
KCOM_CLASS(Kinds, NULL, (IKinds, IKinds_iface))

static void test_result_kind(Kinds *kinds, IKinds *k)
{
    ULONG value;
    kinds_record record;
    void *pointer;
    ULONG64 value64;
    NTSTATUS status;
    LONG calls;

    kinds->value = 0x600D;

    /* NULL out pointer: rejected, the implementation not called */
    calls = kinds->calls;
    status = IKinds_GetValue(k, MODE_SUCCESS, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "GetValue(NULL) returned %s\n", kcom_status_name(status));
    status = k->lpVtbl->GetRecord(k, MODE_SUCCESS, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "GetRecord(NULL) returned %s\n", kcom_status_name(status));
    status = IKinds_GetPointer(k, MODE_SUCCESS, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "GetPointer(NULL) returned %s\n", kcom_status_name(status));
    status = IKinds_NoParams(k, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "NoParams(NULL) returned %s\n", kcom_status_name(status));
    status = IKinds_Combine(k, 1, 2, 3, MODE_SUCCESS, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "Combine(NULL) returned %s\n", kcom_status_name(status));
    status = IKinds_ManyResult(k, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NULL);
    ok(status == STATUS_INVALID_PARAMETER, "ManyResult(NULL) returned %s\n", kcom_status_name(status));
    ok(kinds->calls == calls, "the implementation ran %ld times with a NULL out pointer\n",
       (long)(kinds->calls - calls));

    /* success: written */
    value = 0x11111111u;
    status = IKinds_GetValue(k, MODE_SUCCESS, &value);
    ok(status == STATUS_SUCCESS && value == 0x600D, "GetValue: %s 0x%lx\n", kcom_status_name(status),
       (unsigned long)value);
    /* an informational status is a success: written, not zeroed */
    value = 0x11111111u;
    status = IKinds_GetValue(k, MODE_INFORMATIONAL, &value);
    ok(status == STATUS_PENDING && value == 0x600D, "GetValue(informational): %s 0x%lx\n", kcom_status_name(status),
       (unsigned long)value);
    /* failure after writing garbage: zeroed */
    value = 0x11111111u;
    status = IKinds_GetValue(k, MODE_GARBAGE_ERROR, &value);
    ok(status == STATUS_NOT_FOUND && value == 0, "GetValue(error): %s 0x%lx\n", kcom_status_name(status),
       (unsigned long)value);
    value = 0x11111111u;
    status = IKinds_GetValue(k, MODE_GARBAGE_WARNING, &value);
    ok(status == STATUS_BUFFER_OVERFLOW && value == 0, "GetValue(warning): %s 0x%lx\n", kcom_status_name(status),
       (unsigned long)value);
    /* failure without writing: zeroed all the same */
    value = 0x11111111u;
    status = IKinds_GetValue(k, MODE_ERROR_NO_WRITE, &value);
    ok(status == STATUS_ACCESS_DENIED && value == 0, "GetValue(no write): %s 0x%lx\n", kcom_status_name(status),
       (unsigned long)value);

    /* a struct out value: zeroed whole */
    {
        static const kinds_record zero_record;
        memset(&record, 0x77, sizeof(record));
        status = IKinds_GetRecord(k, MODE_SUCCESS, &record);
        ok(status == STATUS_SUCCESS && record.a == 0x0123456789ABCDEFull && record.b == 0x600D && record.c[0] == 1 &&
               record.c[4] == 5,
           "GetRecord: %s\n", kcom_status_name(status));
        memset(&record, 0x77, sizeof(record));
        status = IKinds_GetRecord(k, MODE_GARBAGE_ERROR, &record);
        ok(status == STATUS_NOT_FOUND && memcmp(&record, &zero_record, sizeof(record)) == 0,
           "GetRecord(error): %s, record not zeroed\n", kcom_status_name(status));
        memset(&record, 0x77, sizeof(record));
        status = IKinds_GetRecord(k, MODE_ERROR_NO_WRITE, &record);
        ok(status == STATUS_ACCESS_DENIED && memcmp(&record, &zero_record, sizeof(record)) == 0,
           "GetRecord(no write): %s, record not zeroed\n", kcom_status_name(status));
    }

    /* a pointer out value */
    pointer = NULL;
    status = IKinds_GetPointer(k, MODE_SUCCESS, &pointer);
    ok(status == STATUS_SUCCESS && pointer == (void *)kinds, "GetPointer: %s %p\n", kcom_status_name(status), pointer);
    pointer = TEST_POISON_PTR;
    status = IKinds_GetPointer(k, MODE_GARBAGE_WARNING, &pointer);
    ok(status == STATUS_BUFFER_OVERFLOW && pointer == NULL, "GetPointer(warning): %s %p\n", kcom_status_name(status),
       pointer);

    /* no parameters but the out value */
    value64 = 0;
    status = IKinds_NoParams(k, &value64);
    ok(status == STATUS_SUCCESS && value64 == 0xFEDCBA9876543210ull, "NoParams: 0x%llx\n",
       (unsigned long long)value64);

    /* parameters and the out value, in order */
    value = 0;
    status = IKinds_Combine(k, 0x12, 0x34, 0x56, MODE_SUCCESS, &value);
    ok(status == STATUS_SUCCESS && value == 0x563412u, "Combine: 0x%lx\n", (unsigned long)value);
    value = 7;
    status = IKinds_Combine(k, 0x12, 0x34, 0x56, MODE_GARBAGE_ERROR, &value);
    ok(status == STATUS_NOT_FOUND && value == 0, "Combine(error): 0x%lx\n", (unsigned long)value);
    value64 = 0;
    status = IKinds_ManyResult(k, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, &value64);
    ok(status == STATUS_SUCCESS && value64 == 385, "ManyResult: %llu\n", (unsigned long long)value64);
    status = IKinds_ManyResult(k, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, &value64);
    ok(status == STATUS_SUCCESS && value64 == 220, "ManyResult reversed: %llu\n", (unsigned long long)value64);
}

static void test_method_kind(Kinds *kinds, IKinds *k)
{
    static const char text[] = "sixth";
    static const GUID guid = KCOM_GUID_INIT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    int marker;
    ULONG64 result;
    NTSTATUS status;

    /* void and VOID returns */
    IKinds_Poke(k, 0xAB);
    ok(kinds->poked == 0xAB, "Poke: %lu\n", (unsigned long)kinds->poked);
    IKinds_PokeTwo(k, 0xCD, 0x1122334455667788ull);
    ok(kinds->poked == 0xCD && kinds->poked64 == 0x1122334455667788ull, "PokeTwo\n");
    IKinds_Nothing(k);
    k->lpVtbl->Nothing(k);
    ok(kinds->nothing_calls == 2, "Nothing ran %ld times\n", (long)kinds->nothing_calls);

    /* pointer returns (not taken for void) */
    ok(IKinds_Self(k) == (void *)kinds, "Self\n");
    ok(test_text_equal(IKinds_Name(k), "Kinds"), "Name\n");

    /* several mixed parameters; the status passes through untouched, failures included */
    status = IKinds_Mixed(k, 5, 0x500000000ull, text, &marker, STATUS_NOT_FOUND);
    ok(status == STATUS_NOT_FOUND, "Mixed returned %s\n", kcom_status_name(status));
    ok(kinds->many_args[0] == 5 && kinds->many_args[1] == 0x500000000ull && kinds->many_text == text &&
           kinds->many_pointer == &marker,
       "Mixed received the wrong arguments\n");
    status = IKinds_Mixed(k, 0, 0, NULL, NULL, STATUS_PENDING);
    ok(status == STATUS_PENDING, "Mixed returned %s\n", kcom_status_name(status));

    /* sixteen parameters */
    memset(kinds->many_args, 0, sizeof(kinds->many_args));
    result = IKinds_Many(k, 0xF1, 0xF2F2, 0xF3F3F3F3u, 0xF4F4F4F4F4F4F4F4ull, -5, text, &marker, TRUE,
                         (ULONG_PTR)0x9999, (SIZE_T)0x1010, &guid, 0xC12u, -13, 0xE14u, 0xF15, 0x16);
    ok(result == (0xF4F4F4F4F4F4F4F4ull ^ (ULONG64)(LONG64)-13 ^ 0x16ull), "Many returned 0x%llx\n",
       (unsigned long long)result);
    ok(kinds->many_args[0] == 0xF1 && kinds->many_args[1] == 0xF2F2 && kinds->many_args[2] == 0xF3F3F3F3u &&
           kinds->many_args[3] == 0xF4F4F4F4F4F4F4F4ull && kinds->many_args[4] == (ULONG64)(LONG64)-5,
       "Many: parameters 1-5 wrong\n");
    ok(kinds->many_text == text && kinds->many_pointer == &marker && kinds->many_args[7] == TRUE &&
           kinds->many_args[8] == 0x9999 && kinds->many_args[9] == 0x1010 && kinds->many_guid == &guid,
       "Many: parameters 6-11 wrong\n");
    ok(kinds->many_args[11] == 0xC12u && kinds->many_args[12] == (ULONG64)(LONG64)-13 &&
           kinds->many_args[13] == 0xE14u && kinds->many_args[14] == 0xF15 && kinds->many_args[15] == 0x16,
       "Many: parameters 12-16 wrong\n");
}

void kcom_test_method_kinds(void)
{
    Kinds *kinds = NULL;
    IKinds *k = NULL;
    NTSTATUS status;

    /* the slot types the kinds generate */
    ok(_Generic(((IKindsVtbl *)0)->GetValue, NTSTATUS(KCOM_STDCALL *)(IKinds *, ULONG, ULONG *): 1, default: 0),
       "RESULT slot type\n");
    ok(_Generic(((IKindsVtbl *)0)->GetRecord,
                NTSTATUS(KCOM_STDCALL *)(IKinds *, ULONG, kinds_record *): 1, default: 0),
       "RESULT slot type with a struct\n");
    ok(_Generic(((IKindsVtbl *)0)->NoParams, NTSTATUS(KCOM_STDCALL *)(IKinds *, ULONG64 *): 1, default: 0),
       "RESULT slot type without parameters\n");
    ok(_Generic(((IKindsVtbl *)0)->Poke, void(KCOM_STDCALL *)(IKinds *, ULONG): 1, default: 0), "void slot type\n");
    ok(_Generic(((IKindsVtbl *)0)->Self, void *(KCOM_STDCALL *)(IKinds *): 1, default: 0), "void * slot type\n");
    ok(KCOM_INTERFACE_INFO(IKinds)->method_count == 16, "IKinds has %lu slots\n",
       (unsigned long)KCOM_INTERFACE_INFO(IKinds)->method_count);

    status = kcom_object_create(KCOM_CLASS_OF(Kinds), NULL, NULL, NULL, &IID_IKinds, (void **)&k);
    ok(status == STATUS_SUCCESS && k != NULL, "kcom_object_create(Kinds) returned %s\n", kcom_status_name(status));
    if (k == NULL)
        return;
    kinds = KCOM_IMPL_FROM(Kinds, IKinds_iface, k);
    test_result_kind(kinds, k);
    test_method_kind(kinds, k);
    ok(kinds->state_first == 0, "state_first overwritten\n");
    check_refcount(kinds, 1);
    check_release(k, 0);
}
