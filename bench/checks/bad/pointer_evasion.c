/* What a case could write to reach a function of kcom's runtime past both of the other checks: its
 * name pasted by a macro that names no part of it, and the call made through a pointer, which no
 * loop's disassembly shows as a call. scripts/bench.py's object check must refuse this file's
 * object (it fails the run if it does not); compiled for that alone, never linked. */
#include <kcom/kcom.h>

#define GLUE(a, b) a##b

typedef void *lookup_fn(const kcom_class *cls, void *impl, const IID *iid);

void *bench_evasion_lookup(const kcom_class *cls, void *impl);

void *bench_evasion_lookup(const kcom_class *cls, void *impl)
{
    lookup_fn *volatile lookup = GLUE(kco, m_rt_find_interface);
    return lookup(cls, impl, &IID_IUnknown);
}
