/*
 * C++: an async operation whose result type has a copy constructor of its own. kcom copies
 * results as bytes (get_result, complete), which would bypass it. One error, naming the type.
 * outcome: error
 * first: KCOM_DECLARE_ASYNC_OPERATION\(IAsyncCounted, Counted, \.\.\.\): the result type must be trivially copyable
 * max-errors: 1
 */
#include <kcom/kcom.h>

struct Counted {
    LONG value;
    Counted() : value(0) {}
    Counted(const Counted &other) : value(other.value + 1) {}
};

KCOM_DECLARE_ASYNC_OPERATION(IAsyncCounted, Counted,
                             0x6b630052, 0x7e57, 0x4c51, 0x9e, 0x51, 0x70, 0x99, 0x4f, 0xe9, 0x24, 0x52)
