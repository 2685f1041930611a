/*
 * irql_ntkernel.h - platform.h's IRQL functions on the kernel: the kernel's own, inline (every wake
 * and wait goes through them; the WDK and mingw-w64's DDK make them CR8 accesses on x64).
 */
#ifndef KCOM_SRC_PLATFORM_NTKERNEL_IRQL_H
#define KCOM_SRC_PLATFORM_NTKERNEL_IRQL_H

static KCOM_FORCEINLINE UCHAR kcom_platform_irql(void)
{
    return (UCHAR)KeGetCurrentIrql();
}

static KCOM_FORCEINLINE BOOLEAN kcom_platform_can_block(void)
{
    return KeGetCurrentIrql() < DISPATCH_LEVEL ? TRUE : FALSE;
}

static KCOM_FORCEINLINE UCHAR kcom_platform_raise_to_dispatch(void)
{
    return (UCHAR)KeRaiseIrqlToDpcLevel();
}

static KCOM_FORCEINLINE void kcom_platform_lower_irql(UCHAR old_irql)
{
    KeLowerIrql((KIRQL)old_irql);
}

#endif /* KCOM_SRC_PLATFORM_NTKERNEL_IRQL_H */
