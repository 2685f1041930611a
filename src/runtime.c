/*
 * Runtime start-up and shut-down: whatever the platform must resolve before first use.
 */
#include <kcom/runtime.h>

#include "platform/platform.h"

NTSTATUS kcom_initialize(void)
{
    return kcom_platform_initialize();
}

void kcom_uninitialize(void)
{
    kcom_platform_uninitialize();
}
