/* A case that declares internals of the library by hand and calls them: names no public header
 * declares (public_api.cmake must refuse each, at its line). */
#include <kcom/kcom.h>
ULONG kcom_platform_monotonic_ms(void);
struct kcom_async_op;
void kcom_async_op_addref(struct kcom_async_op *op);

ULONG bench_kcom_hand_declared(IKcomAsyncOperation *operation)
{
    kcom_async_op_addref((struct kcom_async_op *)(void *)operation);
    return kcom_platform_monotonic_ms();
}
