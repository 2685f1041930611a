/*
 * The positive control in C++17: control.c's classes compile as C++ without a diagnostic, so that
 * each C++ case fails for its own slip only.
 * outcome: success
 * flags: -Wpedantic
 */
#include "control.c"
