/*
 * The reference count laws in FAILFAST mode (see test_refcount_body.h).
 */
#undef KCOM_REFCOUNT_HARDENING
#define KCOM_REFCOUNT_HARDENING 1 /* KCOM_REFCOUNT_FAILFAST */
#define REFCOUNT_TEST_NAME kcom_test_refcount_failfast

#include "test_refcount_body.h"
