/* strict_consumer.c as C++17, with the C++ consumer's strict warnings as errors. */
#include "strict_consumer.c"
