/*
 * test_list.h - every portable test, in the order runners call them. Each name N is a function
 * `void kcom_test_N(void)` in suites/. The host runner and the kernel test driver both use this.
 */
#ifndef KCOM_TEST_LIST_H
#define KCOM_TEST_LIST_H

#define KCOM_TEST_LIST(X) \
    X(guid)               \
    X(status)

#endif /* KCOM_TEST_LIST_H */
