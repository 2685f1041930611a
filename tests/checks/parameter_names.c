/* A method's parameters may have any name but This (docs/macros.md): the ones kcom's own slots and
 * wrappers add are kcom_-prefixed, so a driver's storage or storage_size (a natural name in a
 * storage driver) declares in every method kind. */
#include <kcom/kcom.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncParamNames, ULONG,
                             0x4b434f4d, 0x7e57, 0x0004, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04)

#define IParamNames_METHODS(M, I)                                                           \
    IUnknown_METHODS(M, I)                                                                  \
    M(I, METHOD, NTSTATUS, Set, (ULONG, storage)(ULONG, storage_size))                     \
    M(I, RESULT, ULONG, Get, (ULONG, storage)(ULONG, storage_size))                        \
    M(I, ASYNC, IAsyncParamNames, Read, (ULONG, storage)(ULONG, storage_size))             \
    M(I, ASYNC_IN, IAsyncParamNames, ReadIn, (ULONG, storage)(ULONG, storage_size))
#define IParamNames_ReadIn_STORAGE 256
KCOM_DECLARE_INTERFACE(IParamNames, IUnknown, 0x4b434f4d, 0x7e57, 0x0005, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
                       0x00, 0x05)
