/*
 * A derived interface that promises an inherited ASYNC_IN method more storage than its parent
 * does: an implementation checked against the derived interface's number could then need more
 * than the parent's callers provide. The first error names both numbers.
 * outcome: error
 * first: IDerived::Go \(ASYNC_IN\): IDerived_Go_STORAGE is larger than IBase_Go_STORAGE
 * max-errors: 1
 */
#include <kcom/kcom.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncGo, ULONG,
                             0x5c2e7a19, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x19)

#define IBase_METHODS(M, I)                                                               \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC_IN, IAsyncGo, Go, (ULONG, count))
#define IBase_Go_STORAGE 256

KCOM_DECLARE_INTERFACE(IBase, IUnknown,
                       0x5c2e7a1a, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x1a)

#define IDerived_METHODS(M, I)                                                            \
    IBase_METHODS(M, I)                                                                   \
    M(I, METHOD, NTSTATUS, Stop, )
#define IDerived_Go_STORAGE 4096

KCOM_DECLARE_INTERFACE(IDerived, IBase,
                       0x5c2e7a1b, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x1b)
