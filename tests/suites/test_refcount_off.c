/*
 * The reference count laws in OFF mode (see test_refcount_body.h).
 */
#undef KCOM_REFCOUNT_HARDENING
#define KCOM_REFCOUNT_HARDENING 0 /* KCOM_REFCOUNT_OFF */
#define REFCOUNT_TEST_NAME kcom_test_refcount_off

#include "test_refcount_body.h"
