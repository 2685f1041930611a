/*
 * debug.c - the debug options (kcom/debug.h).
 */
#include <kcom/atomic.h>
#include <kcom/debug.h>

#include "internal.h"

/* Each field is read on its own by the checks, so plain atomics suffice. */
static LONG volatile assert_irql = KCOM_DEBUG;
static LONG volatile wait_watchdog_ms = KCOM_DEBUG ? 30000 : 0;

NTSTATUS kcom_set_debug_options(const kcom_debug_options *options)
{
    if (options == NULL)
        return STATUS_INVALID_PARAMETER;
    kcom_atomic_store(&assert_irql, options->assert_irql ? 1 : 0);
    kcom_atomic_store(&wait_watchdog_ms, (LONG)options->wait_watchdog_ms);
    return STATUS_SUCCESS;
}

void kcom_get_debug_options(kcom_debug_options *options)
{
    if (options == NULL)
        return;
    options->assert_irql = (BOOLEAN)(kcom_atomic_load(&assert_irql) != 0);
    options->wait_watchdog_ms = (ULONG)kcom_atomic_load(&wait_watchdog_ms);
}
