/*
 * GUID formatting (no CRT: usable in the kernel at any IRQL).
 */
#include <kcom/guid.h>

static char *put_hex(char *out, uint32_t value, int digits)
{
    static const char hex[] = "0123456789ABCDEF";
    int i;
    for (i = digits - 1; i >= 0; i--)
        *out++ = hex[(value >> (i * 4)) & 0xF];
    return out;
}

const char *kcom_guid_to_string(const GUID *guid, char *buffer)
{
    static const char null_text[] = "{null}";
    char *out = buffer;
    int i;
    if (buffer == NULL)
        return null_text;
    if (guid == NULL) {
        for (i = 0; null_text[i] != '\0'; i++)
            buffer[i] = null_text[i];
        buffer[i] = '\0';
        return buffer;
    }
    *out++ = '{';
    out = put_hex(out, guid->Data1, 8);
    *out++ = '-';
    out = put_hex(out, guid->Data2, 4);
    *out++ = '-';
    out = put_hex(out, guid->Data3, 4);
    *out++ = '-';
    out = put_hex(out, guid->Data4[0], 2);
    out = put_hex(out, guid->Data4[1], 2);
    *out++ = '-';
    for (i = 2; i < 8; i++)
        out = put_hex(out, guid->Data4[i], 2);
    *out++ = '}';
    *out = '\0';
    return buffer;
}
