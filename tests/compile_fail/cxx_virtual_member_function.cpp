/*
 * A C++ implementation struct with a virtual function: kcom zero-fills the struct and runs no
 * constructor, so its vtable pointer would never be set (and the interfaces' offsets would not be
 * what offsetof promises). One error, naming the class.
 * outcome: error
 * first: KCOM_IMPLEMENT\(VirtualThermo, ITempSensor, ITempSensor_iface\): VirtualThermo has virtual functions
 * max-errors: 1
 */
#include "thermo.h"

struct VirtualThermo {
    ITempSensor ITempSensor_iface;
    LONG offset;
    virtual ~VirtualThermo() = default;
};

static NTSTATUS VirtualThermo_Read(VirtualThermo *self, LONG *value)
{
    *value = 20 + self->offset;
    return STATUS_SUCCESS;
}

KCOM_IMPLEMENT(VirtualThermo, ITempSensor, ITempSensor_iface)
KCOM_CLASS(VirtualThermo, NULL, (ITempSensor, ITempSensor_iface))
