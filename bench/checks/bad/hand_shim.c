/* A benchmark case that builds its operation with the runtime of generated code instead of
 * calling a generated method: bench/checks/public_api.cmake must refuse it (test
 * bench_public_api_refuses_internals). Never compiled. */
#include <kcom/kcom.h>

static void *place(const kcom_async_task_desc *desc, void *storage, size_t size)
{
    kcom_async_op *op = NULL;
    (void)kcom_rt_async_op_in(desc, storage, size, &op);
    return op;
}
