/*
 * The reference count laws in LEAKY mode (see test_refcount_body.h).
 */
#undef KCOM_REFCOUNT_HARDENING
#define KCOM_REFCOUNT_HARDENING 2 /* KCOM_REFCOUNT_LEAKY */
#define REFCOUNT_TEST_NAME kcom_test_refcount_leaky

#include "test_refcount_body.h"
