/*
 * KCOM_DECLARE_ASYNC_OPERATION where kcom's async layer is off: one error naming
 * KCOM_ENABLE_ASYNC and how to turn it on, not a parse error.
 * outcome: error
 * first: KCOM_DECLARE_ASYNC_OPERATION\(IAsyncLONG, \.\.\.\) needs the kcom async layer.*KCOM_ENABLE_ASYNC=1
 * max-errors: 1
 * flags: -UKCOM_ENABLE_ASYNC -DKCOM_ENABLE_ASYNC=0
 */
#include <kcom/kcom.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncLONG, LONG,
                             0x5c2e7a12, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x13)
