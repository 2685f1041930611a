/*
 * The plain C baseline "class": see plain.h.
 */
#include "plain.h"

#include "../bench.h"

#include <stdlib.h>

static int32_t plain_ping(plain_object *self, uint32_t value)
{
    self->total += value;
    return 0;
}

plain_object *bench_plain_new(void)
{
    plain_object *object = (plain_object *)malloc(sizeof(*object));
    if (object == NULL)
        return NULL;
    object->ping = plain_ping;
    object->total = 0;
    return object;
}

uint32_t bench_plain_free(plain_object *object)
{
    free(object);
    return 0;
}

uint64_t bench_plain_object_bytes(void)
{
    return sizeof(plain_object);
}
