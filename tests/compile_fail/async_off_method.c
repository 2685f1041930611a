/*
 * An interface with an ASYNC method, implemented, where kcom's async layer is off: the first
 * error names the method and KCOM_ENABLE_ASYNC.
 * outcome: error
 * first: the ASYNC method IReader::Read needs the kcom async layer.*KCOM_ENABLE_ASYNC=1
 * max-errors: 1
 * flags: -UKCOM_ENABLE_ASYNC -DKCOM_ENABLE_ASYNC=0
 */
#include <kcom/kcom.h>

#define IReader_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC, IAsyncLONG, Read, (ULONG, count))

KCOM_DECLARE_INTERFACE(IReader, IUnknown,
                       0x5c2e7a16, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x16)

typedef struct Reader {
    IReader IReader_iface;
} Reader;

KCOM_IMPLEMENT(Reader, IReader, IReader_iface)
KCOM_CLASS(Reader, NULL, (IReader, IReader_iface))
