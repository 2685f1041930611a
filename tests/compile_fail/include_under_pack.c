/*
 * kcom's headers included inside a #pragma pack: the file would lay kcom's structures out
 * otherwise than the library (a timer awaitable 4 bytes shorter, its fields moved) and corrupt
 * them silently. The first error says why.
 * outcome: error
 * first: headers need the default structure packing
 * max-errors: 1
 */
#pragma pack(push, 4)
#include <kcom/kcom.h>
#pragma pack(pop)
