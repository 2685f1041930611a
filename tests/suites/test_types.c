/*
 * GUIDs and statuses: equality, formatting, the real NTSTATUS values, NTSTATUS <-> HRESULT.
 */
#include "../harness/kcom_test.h"

static const GUID guid_a = KCOM_GUID_INIT(0x12345678, 0x9abc, 0xdef0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef);

static int text_equal(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

void kcom_test_guid(void)
{
    char buffer[KCOM_GUID_STRING_SIZE];
    GUID copy = guid_a;
    int byte;

    ok(kcom_guid_equal(&guid_a, &copy), "a GUID equals its copy\n");
    ok(kcom_guid_equal(&IID_IUnknown, &IID_IUnknown), "IID_IUnknown equals itself\n");
    ok(!kcom_guid_equal(&guid_a, &IID_IUnknown), "different GUIDs compare unequal\n");
    /* a difference in any single byte is seen */
    for (byte = 0; byte < 16; byte++) {
        GUID other = guid_a;
        ((unsigned char *)&other)[byte] ^= 0x10;
        ok(!kcom_guid_equal(&guid_a, &other), "difference in byte %d not seen\n", byte);
    }
    ok(text_equal(kcom_guid_to_string(&guid_a, buffer), "{12345678-9ABC-DEF0-0123-456789ABCDEF}"),
       "formatted as %s\n", buffer);
    /* uppercase, as StringFromGUID2 and RtlStringFromGUID write it (and the registry keeps it) */
    ok(text_equal(kcom_guid_to_string(&IID_IUnknown, buffer), "{00000000-0000-0000-C000-000000000046}"),
       "IID_IUnknown formatted as %s\n", buffer);
    /* a GUID at any address, as an IID copied out of a request's buffer arrives (UBSan's builds
     * stop at a misaligned field read) */
    {
        union {
            unsigned char bytes[sizeof(GUID) + 8];
            ULONG64 align;
        } raw;
        int offset;
        for (offset = 1; offset < 8; offset++) {
            memcpy(raw.bytes + offset, &guid_a, sizeof(GUID));
            ok(text_equal(kcom_guid_to_string((const GUID *)(const void *)(raw.bytes + offset), buffer),
                          "{12345678-9ABC-DEF0-0123-456789ABCDEF}"),
               "at offset %d formatted as %s\n", offset, buffer);
            ok(kcom_guid_equal((const GUID *)(const void *)(raw.bytes + offset), &guid_a),
               "at offset %d equal to its copy\n", offset);
        }
    }
    ok(text_equal(kcom_guid_to_string(NULL, buffer), "{null}"), "NULL formatted as %s\n", buffer);
    ok(text_equal(kcom_guid_to_string(&guid_a, NULL), "{null}"), "NULL buffer gives {null}\n");
    ok(sizeof(GUID) == 16 && sizeof(buffer) == 39, "GUID is 16 bytes, its text 38 characters\n");
}

void kcom_test_status(void)
{
    /* the real Windows values */
    ok((ULONG)STATUS_SUCCESS == 0x00000000u, "STATUS_SUCCESS\n");
    ok((ULONG)STATUS_PENDING == 0x00000103u, "STATUS_PENDING\n");
    ok((ULONG)STATUS_TIMEOUT == 0x00000102u, "STATUS_TIMEOUT\n");
    ok((ULONG)STATUS_UNSUCCESSFUL == 0xC0000001u, "STATUS_UNSUCCESSFUL\n");
    ok((ULONG)STATUS_NOT_IMPLEMENTED == 0xC0000002u, "STATUS_NOT_IMPLEMENTED\n");
    ok((ULONG)STATUS_INVALID_PARAMETER == 0xC000000Du, "STATUS_INVALID_PARAMETER\n");
    ok((ULONG)STATUS_NO_MEMORY == 0xC0000017u, "STATUS_NO_MEMORY\n");
    ok((ULONG)STATUS_INSUFFICIENT_RESOURCES == 0xC000009Au, "STATUS_INSUFFICIENT_RESOURCES\n");
    ok((ULONG)STATUS_NOT_SUPPORTED == 0xC00000BBu, "STATUS_NOT_SUPPORTED\n");
    ok((ULONG)STATUS_CANCELLED == 0xC0000120u, "STATUS_CANCELLED\n");
    ok((ULONG)STATUS_NOINTERFACE == 0xC00002B9u, "STATUS_NOINTERFACE\n");
    ok((ULONG)STATUS_NOT_FOUND == 0xC0000225u, "STATUS_NOT_FOUND\n");
    ok(NT_SUCCESS(STATUS_SUCCESS) && NT_SUCCESS(STATUS_PENDING) && NT_SUCCESS(STATUS_TIMEOUT),
       "success and informational codes are NT_SUCCESS\n");
    ok(!NT_SUCCESS(STATUS_NOINTERFACE) && !NT_SUCCESS(STATUS_BUFFER_OVERFLOW), "errors and warnings are not\n");

    /* NTSTATUS -> HRESULT */
    ok(kcom_hresult_from_ntstatus(STATUS_SUCCESS) == 0, "success -> S_OK\n");
    ok(kcom_hresult_from_ntstatus(STATUS_TIMEOUT) == 0, "informational -> S_OK\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_NOINTERFACE) == 0x80004002u, "-> E_NOINTERFACE\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_INVALID_PARAMETER) == 0x80070057u, "-> E_INVALIDARG\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_INSUFFICIENT_RESOURCES) == 0x8007000Eu, "-> E_OUTOFMEMORY\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_NO_MEMORY) == 0x8007000Eu, "-> E_OUTOFMEMORY\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_NOT_IMPLEMENTED) == 0x80004001u, "-> E_NOTIMPL\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_PENDING) == 0x8000000Au, "-> E_PENDING\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_CANCELLED) == 0x800704C7u, "-> ERROR_CANCELLED\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_UNSUCCESSFUL) == 0x80004005u, "-> E_FAIL\n");
    ok((ULONG)kcom_hresult_from_ntstatus(STATUS_NAME_TOO_LONG) == (0xC0000106u | 0x10000000u),
       "others -> HRESULT_FROM_NT\n");

    /* HRESULT -> NTSTATUS, and round trips */
    ok(kcom_ntstatus_from_hresult(0) == STATUS_SUCCESS, "S_OK -> success\n");
    ok(kcom_ntstatus_from_hresult(1) == STATUS_SUCCESS, "S_FALSE -> success\n");
    ok(kcom_ntstatus_from_hresult((HRESULT)0x80004002u) == STATUS_NOINTERFACE, "E_NOINTERFACE back\n");
    ok(kcom_ntstatus_from_hresult((HRESULT)0x8007000Eu) == STATUS_INSUFFICIENT_RESOURCES, "E_OUTOFMEMORY back\n");
    ok(kcom_ntstatus_from_hresult((HRESULT)0x80070002u) == STATUS_UNSUCCESSFUL, "unknown failure -> unsuccessful\n");
    /* COM's other names for a bad pointer argument and an abandoned operation (one way: the
     * statuses still map to E_INVALIDARG and ERROR_CANCELLED, checked above) */
    ok(kcom_ntstatus_from_hresult(E_POINTER) == STATUS_INVALID_PARAMETER, "E_POINTER -> %s\n",
       kcom_status_name(kcom_ntstatus_from_hresult(E_POINTER)));
    ok((ULONG)E_ABORT == 0x80004004u, "E_ABORT is 0x%lx\n", (unsigned long)(ULONG)E_ABORT);
    ok(kcom_ntstatus_from_hresult(E_ABORT) == STATUS_CANCELLED, "E_ABORT -> %s\n",
       kcom_status_name(kcom_ntstatus_from_hresult(E_ABORT)));
    {
        static const NTSTATUS round_trip[] = {STATUS_NOINTERFACE, STATUS_INVALID_PARAMETER,
                                              STATUS_INSUFFICIENT_RESOURCES, STATUS_CANCELLED,
                                              STATUS_NAME_TOO_LONG, STATUS_NOT_FOUND, STATUS_ACCESS_DENIED};
        size_t i;
        for (i = 0; i < sizeof(round_trip) / sizeof(round_trip[0]); i++)
            ok(kcom_ntstatus_from_hresult(kcom_hresult_from_ntstatus(round_trip[i])) == round_trip[i],
               "%s does not survive a round trip\n", kcom_status_name(round_trip[i]));
    }

    ok(text_equal(kcom_status_name(STATUS_NOINTERFACE), "STATUS_NOINTERFACE"), "status name\n");
    ok(text_equal(kcom_status_name((NTSTATUS)0xC0DE0001u), "STATUS_<unknown>"), "unknown status name\n");
}
