/* hygiene.c as C++17 (the same check, C++'s expansions). */
#include "hygiene.c"
