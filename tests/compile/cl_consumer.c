/*
 * cl_consumer.c - a consumer's file as cl.exe compiles it (_MSC_VER without __clang__), at /W4 /WX,
 * without kcom's own KCOM_HEADER_WARNINGS: every public header, and a class declared with the
 * macros. The headers' warning-level pragmas (cl.exe's stand-in for a system header) are then
 * compiled, balanced, around the inline code of every header.
 */
#include <kcom/kcom.h>
#if KCOM_TARGET_NTKERNEL
#include <kcom/irp.h>
#endif

#define ICounter_METHODS(M, I)                                                           \
    IUnknown_METHODS(M, I)                                                               \
    M(I, METHOD, NTSTATUS, Add, (ULONG, value))                                          \
    M(I, RESULT, ULONG, Total, )

KCOM_DECLARE_INTERFACE(ICounter, IUnknown, 0x5d0f1c2a, 0x3b4e, 0x4f60, 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8)

typedef struct Counter {
    ICounter ICounter_iface;
    ULONG total;
} Counter;

static NTSTATUS Counter_Add(Counter *self, ULONG value)
{
    self->total += value;
    return STATUS_SUCCESS;
}

static NTSTATUS Counter_Total(Counter *self, ULONG *total)
{
    *total = self->total;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(Counter, ICounter, ICounter_iface)
KCOM_CLASS(Counter, NULL, (ICounter, ICounter_iface))

NTSTATUS cl_consumer_create(ICounter **out);
NTSTATUS cl_consumer_create(ICounter **out)
{
    return kcom_object_create(KCOM_CLASS_OF(Counter), NULL, NULL, NULL, &IID_ICounter, (void **)out);
}
