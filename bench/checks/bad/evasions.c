/* What a case could write to reach kcom's internals past a check that looks for names line by
 * line: bench/checks/public_api.cmake must refuse each (test bench_public_api_refuses_evasions).
 * Never compiled. */
#define RT_(name) kcom_##rt_##name
#include "../../../src/internal.h"
#include <kcom/det\
ail/async.h>

static void *place(void)
{
    return kcom_\
rt_async_op_allocate(0, 0);
}
