/*
 * The plain C baselines: no COM, no reference count, no vtable. A struct holding one function
 * pointer and a total, created with malloc and destroyed with free by two functions in plain.c.
 * They show the floor under the COM cases: what an indirect call costs, and what a malloc + free
 * pair of a small block costs.
 */
#ifndef KCOM_BENCH_PLAIN_H
#define KCOM_BENCH_PLAIN_H

#include <stdint.h>

typedef struct plain_object plain_object;
struct plain_object {
    int32_t (*ping)(plain_object *self, uint32_t value); /* total += value; returns 0 */
    uint32_t total;
};

/* malloc + initialization; NULL when out of memory. */
plain_object *bench_plain_new(void);
/* free; returns 0 (a Release's final count, so the loop consumes a result as the COM ones do). */
uint32_t bench_plain_free(plain_object *object);

#endif /* KCOM_BENCH_PLAIN_H */
