/*
 * C++14: kcom's constant descriptors would need dynamic initializers there, which a driver never
 * runs. kcom's headers stop the build with a message naming the standard it needs.
 * outcome: error
 * first: kcom's headers need C\+\+17 or later
 * flags: -std=c++14
 */
#include "thermo.h"
