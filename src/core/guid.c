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
    const unsigned char *bytes;
    int i;
    if (buffer == NULL)
        return null_text;
    if (guid == NULL) {
        for (i = 0; null_text[i] != '\0'; i++)
            buffer[i] = null_text[i];
        buffer[i] = '\0';
        return buffer;
    }
    /* read by bytes: the GUID may sit at any address (an IID out of a request's buffer), where its
     * fields' reads would be misaligned; Data1 to Data3 are little-endian on every kcom target */
    bytes = (const unsigned char *)guid;
    *out++ = '{';
    out = put_hex(out, (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
                           (uint32_t)bytes[3] << 24, 8);
    *out++ = '-';
    out = put_hex(out, (uint32_t)bytes[4] | (uint32_t)bytes[5] << 8, 4);
    *out++ = '-';
    out = put_hex(out, (uint32_t)bytes[6] | (uint32_t)bytes[7] << 8, 4);
    *out++ = '-';
    out = put_hex(out, bytes[8], 2);
    out = put_hex(out, bytes[9], 2);
    *out++ = '-';
    for (i = 10; i < 16; i++)
        out = put_hex(out, bytes[i], 2);
    *out++ = '}';
    *out = '\0';
    return buffer;
}
