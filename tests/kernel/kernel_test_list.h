/*
 * kernel_test_list.h - tests that exist only in the kernel test driver, run after the portable
 * ones (suites/test_list.h). Each name N is a function `void kcom_test_N(void)` in tests/kernel/.
 */
#ifndef KCOM_KERNEL_TEST_LIST_H
#define KCOM_KERNEL_TEST_LIST_H

#define KCOM_KERNEL_TEST_LIST(X) \
    X(kernel_platform)           \
    X(kernel_punknown_first)     \
    X(kernel_punknown_last)

#endif /* KCOM_KERNEL_TEST_LIST_H */
