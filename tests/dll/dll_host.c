/*
 * dll_host.c PLUGIN.dll - loads plugin.c's DLL, starts it with a trace hook of its own, and
 * unloads it on another thread: the DLL's DllMain then waits for ever for its pool's thread (the
 * loader lock), and kcom must say so through the hook within a few seconds. The host links no
 * kcom (its headers only, for the hook's type) and ends with TerminateProcess, which needs no
 * loader lock, as the unloading thread never returns.
 */
#include <kcom/trace.h>

#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef NTSTATUS start_fn(kcom_trace_hook *hook, void *context);

static char warning[1024];
static LONG volatile warned;

static void hook(void *context, kcom_trace_level level, const char *file, int line, const char *format, va_list args)
{
    char text[1024];
    (void)context;
    (void)file;
    (void)line;
    vsnprintf(text, sizeof(text), format, args);
    if (level == KCOM_TRACE_LEVEL_WARNING && strstr(text, "DllMain") != NULL && InterlockedExchange(&warned, 1) == 0)
        memcpy(warning, text, sizeof(warning));
}

static DWORD WINAPI unload(LPVOID module)
{
    FreeLibrary((HMODULE)module);
    return 0;
}

static void end(UINT code, const char *message)
{
    printf("%s\n", message);
    fflush(stdout);
    TerminateProcess(GetCurrentProcess(), code);
}

int main(int argc, char **argv)
{
    HMODULE module;
    FARPROC start;
    start_fn *start_plugin;
    HANDLE thread;
    NTSTATUS status;
    int waited;
    if (argc != 2)
        end(2, "usage: dll_host PLUGIN.dll");
    module = LoadLibraryA(argv[1]);
    start = module != NULL ? GetProcAddress(module, "plugin_start") : NULL;
    if (start == NULL)
        end(2, "the plugin does not load");
    memcpy(&start_plugin, &start, sizeof(start_plugin));
    status = start_plugin(hook, NULL);
    if (status != 0)
        end(2, "the plugin does not start");
    thread = CreateThread(NULL, 0, unload, module, 0, NULL);
    if (thread == NULL)
        end(2, "no thread");
    for (waited = 0; waited < 15000 && InterlockedCompareExchange(&warned, 0, 0) == 0; waited += 50) {
        if (WaitForSingleObject(thread, 50) == WAIT_OBJECT_0)
            end(1, "FreeLibrary returned: the join in DllMain did not wait for the loader lock");
    }
    if (InterlockedCompareExchange(&warned, 0, 0) == 0)
        end(1, "FreeLibrary hangs in DllMain, and kcom said nothing in 15 s");
    printf("ok after %d ms: %s\n", waited, warning);
    end(0, "kcom named the hang");
    return 0;
}
