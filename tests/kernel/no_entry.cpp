/*
 * no_entry.cpp - a driver whose DriverEntry has C++ linkage (the extern "C" left out), so that no
 * symbol DriverEntry exists: the test kernel_driver_entry_required expects the kernel toolchain's
 * link to fail, not to write a driver whose entry point is 0.
 */
#include <kcom/kcom.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    (void)driver;
    (void)registry_path;
    return STATUS_SUCCESS;
}
