/*
 * cxx_runtime_probe.cpp - what check-cxx-object.sh must refuse, compiled with the kernel
 * toolchain's C++ flags: a global constructor and destructor, operator new and delete, and a
 * function-local static with a destructor (a guard and atexit). Never linked into a driver: the
 * test kernel_cxx_object_check expects the check to name each of these.
 */
struct kcom_probe_global {
    kcom_probe_global();
    ~kcom_probe_global();
    int value;
};

kcom_probe_global kcom_probe_instance;

int *kcom_probe_new(void)
{
    return new int(1);
}

void kcom_probe_delete(int *p)
{
    delete p;
}

int kcom_probe_static(void)
{
    static kcom_probe_global local;
    return local.value;
}
