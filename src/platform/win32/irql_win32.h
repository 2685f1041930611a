/*
 * irql_win32.h - platform.h's IRQL functions in user mode, which has no IRQL: every thread is at
 * PASSIVE_LEVEL and may block, and "raising" (around the async layer's spin locks) only marks the
 * code that the kernel runs at DISPATCH_LEVEL.
 */
#ifndef KCOM_SRC_PLATFORM_WIN32_IRQL_H
#define KCOM_SRC_PLATFORM_WIN32_IRQL_H

static KCOM_FORCEINLINE UCHAR kcom_platform_irql(void)
{
    return KCOM_PLATFORM_PASSIVE_LEVEL;
}

static KCOM_FORCEINLINE BOOLEAN kcom_platform_can_block(void)
{
    return TRUE;
}

static KCOM_FORCEINLINE UCHAR kcom_platform_raise_to_dispatch(void)
{
    return KCOM_PLATFORM_PASSIVE_LEVEL;
}

static KCOM_FORCEINLINE void kcom_platform_lower_irql(UCHAR old_irql)
{
    (void)old_irql;
}

#endif /* KCOM_SRC_PLATFORM_WIN32_IRQL_H */
