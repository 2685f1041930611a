/*
 * plugin.c - a DLL that links kcom and makes the mistake building.md warns of: it shuts its thread
 * pool down and calls kcom_uninitialize from DllMain (DLL_PROCESS_DETACH of a FreeLibrary). The
 * pool's thread cannot end while DllMain's caller holds the loader lock, so the join waits for
 * ever; dll_host.c checks that kcom says so through the trace hook the host installs.
 */
#include <kcom/kcom.h>

#include <windows.h>

static kcom_thread_pool *pool;

__declspec(dllexport) NTSTATUS plugin_start(kcom_trace_hook *hook, void *context);

__declspec(dllexport) NTSTATUS plugin_start(kcom_trace_hook *hook, void *context)
{
    const kcom_executor *executor = NULL;
    NTSTATUS status = kcom_initialize();
    if (!NT_SUCCESS(status))
        return status;
    kcom_set_trace_hook(hook, context);
    return kcom_thread_pool_create(1, &pool, &executor);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved);

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    if (reason == DLL_PROCESS_DETACH && reserved == NULL && pool != NULL) {
        (void)kcom_thread_pool_shutdown(pool, 1000); /* the mistake: its join waits for ever */
        (void)kcom_uninitialize();
    }
    return TRUE;
}
