/*
 * debug.c - the debug options (kcom/debug.h).
 */
#include <kcom/atomic.h>
#include <kcom/debug.h>

#include "internal.h"

/* Each field is read on its own by the checks, so plain atomics suffice. */
LONG volatile kcom_rt_debug_assert_irql = KCOM_DEBUG;
LONG volatile kcom_rt_debug_wait_watchdog_ms = KCOM_DEBUG ? 30000 : 0;

NTSTATUS kcom_set_debug_options(const kcom_debug_options *options)
{
    if (options == NULL)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_store(&kcom_rt_debug_assert_irql, options->assert_irql ? 1 : 0);
    kcom_atomic_store(&kcom_rt_debug_wait_watchdog_ms, (LONG)options->wait_watchdog_ms);
    return STATUS_SUCCESS;
}

void kcom_get_debug_options(kcom_debug_options *options)
{
    if (options == NULL)
        return;
    options->assert_irql = kcom_rt_debug_asserts_irql();
    options->wait_watchdog_ms = kcom_rt_debug_watchdog_ms();
}
