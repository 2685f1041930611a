/*
 * The plain C baseline loops (see plain.h): the struct is opaque to this translation unit.
 */
#include "plain.h"

#include "../bench.h"

#include <stdlib.h>

BENCH_CASE uint64_t bench_plain_create_free(uint64_t n)
{
    uint64_t acc = 0;
    uint64_t i;
    for (i = 0; i < n; i++) {
        plain_object *object = bench_plain_new();
        if (object == NULL)
            abort();
        acc += bench_plain_free(object);
    }
    bench_sink = acc;
    return acc;
}

BENCH_CASE uint64_t bench_plain_call(uint64_t n)
{
    plain_object *object = bench_plain_new();
    uint64_t acc = 0;
    uint64_t i;
    if (object == NULL)
        abort();
    BENCH_OPAQUE(object);
    for (i = 0; i < n; i++)
        acc += (uint32_t)object->ping(object, (uint32_t)i);
    acc += object->total;
    bench_plain_free(object);
    bench_sink = acc;
    return acc;
}
