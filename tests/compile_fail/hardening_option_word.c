/*
 * The reference count hardening written with the CMake option's word (LEAKY) instead of its
 * value: an identifier the preprocessor reads as 0, which would pass for OFF and then name a
 * slow path no library has (an undefined symbol at the link). The first error says what the
 * macro takes.
 * outcome: error
 * first: KCOM_REFCOUNT_HARDENING must be 0, 1 or 2
 * max-errors: 1
 */
#define KCOM_REFCOUNT_HARDENING LEAKY
#include <kcom/kcom.h>
