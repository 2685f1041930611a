/*
 * C++: a local string's capacity known only at run time. g++ would take the buffer for a
 * variable-length array (a GNU extension) and size it -1 for a capacity out of range; the capacity
 * must be a constant (kcom/unicode_string.h).
 * outcome: error
 * first: (not a constant expression|reference to local variable .units.)
 */
#include <kcom/unicode_string.h>

NTSTATUS name_device(ULONG units, ULONG index)
{
    KCOM_LOCAL_UNICODE_STRING(link, units);
    return kcom_unicode_string_format(&link, "\\DosDevices\\Kcom%u", index);
}
