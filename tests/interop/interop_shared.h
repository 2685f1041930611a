/*
 * interop_shared.h - the calls between the interop test's translation units, which see
 * different declarations of the same interfaces (kcom's, widl's C, widl's C++). Objects cross as
 * void * holding an IUnknown pointer (the object's identity).
 */
#ifndef KCOM_INTEROP_SHARED_H
#define KCOM_INTEROP_SHARED_H

#ifdef __cplusplus
extern "C" {
#endif

/* interop_kcom.c: a kcom object exposing IKcomNamed (IInteropNamed); its IUnknown in *unknown. */
long interop_kcom_create(unsigned long start, const char *name, void **unknown);
/* kcom objects of interop_kcom.c alive now. */
long interop_kcom_alive(void);
/* interop_kcom.c: drives any object with IInteropNamed's layout through kcom's wrappers and
 * client helpers, checking its behaviour (start total 0, the given name); leaves the count as
 * it found it. */
void interop_kcom_drive(void *unknown, const char *name);

/* interop_cxx.cpp: a C++ COM class deriving from widl's C++ IInteropNamed. */
void *interop_cxx_create(const char *name);
long interop_cxx_alive(void);

/* interop_main.c: one check, reported at the caller's line (for the C++ file, which does not
 * include the harness). */
int interop_check(int condition, const char *file, int line, const char *what);

/* The tests. */
void interop_test_layout(void);
void interop_test_widl_macros(void);
void interop_test_widl_implemented(void);
void interop_test_cxx_calls_kcom(void);
void interop_test_kcom_calls_cxx(void);

#ifdef __cplusplus
}
#endif

#endif /* KCOM_INTEROP_SHARED_H */
