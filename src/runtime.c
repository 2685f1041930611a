/*
 * Runtime start-up and shut-down: whatever the platform must resolve before first use, and what
 * kcom keeps for reuse given back before unload.
 */
#include <kcom/runtime.h>

#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#include <kcom/async.h>
#endif

#include "platform/platform.h"

NTSTATUS kcom_initialize(void)
{
    return kcom_platform_initialize();
}

void kcom_uninitialize(void)
{
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
    /* cached operation blocks are pool the driver would otherwise leak at unload */
    kcom_async_operation_cache_drain();
#endif
    kcom_platform_uninitialize();
}
