/*
 * A consumer's own choice of the reference count hardening (kcom/refcount.h) for its translation
 * unit, given as a compile definition by its build while it links kcom::kcom: it must be the one
 * the file sees, with no redefinition warning (the library's default comes from kcom/config.h,
 * which defines it only when nobody has). Compile only, warnings as errors.
 */
#include <kcom/kcom.h>

KCOM_STATIC_ASSERT(KCOM_REFCOUNT_HARDENING == KCOM_REFCOUNT_OFF,
                   "the consumer's KCOM_REFCOUNT_HARDENING=0 must win over the library's default");

int kcom_hardening_choice_probe(void);

int kcom_hardening_choice_probe(void)
{
    return KCOM_REFCOUNT_HARDENING;
}
