/*
 * pool_slow_join.c - a program (no DLL) whose thread pool shutdown waits for a poll that takes
 * 2.5 s: a legitimate wait, which must not bring the warning about joins from DllMain (that
 * warning is for a thread that has left its work and still cannot end: plugin.c, dll_host.c).
 */
#include <kcom/kcom.h>

#include <windows.h>

#include <stdio.h>
#include <string.h>

typedef struct slow_state {
    KCOM_TASK_RESUME_POINT;
} slow_state;

static LONG volatile polls;
static LONG volatile warnings;

static kcom_poll_result slow_poll(void *state, kcom_task_context *cx)
{
    (void)state;
    (void)cx;
    InterlockedIncrement(&polls);
    Sleep(2500);
    return KCOM_POLL_READY;
}

KCOM_ASYNC_TASK_NO_VALUE(slow_desc, slow_state, slow_poll, NULL)

static void hook(void *context, kcom_trace_level level, const char *file, int line, const char *format, va_list args)
{
    char text[1024];
    (void)context;
    (void)file;
    (void)line;
    vsnprintf(text, sizeof(text), format, args);
    fprintf(stderr, "%s\n", text);
    if (level <= KCOM_TRACE_LEVEL_WARNING)
        InterlockedIncrement(&warnings);
}

int main(void)
{
    kcom_thread_pool *pool = NULL;
    const kcom_executor *executor = NULL;
    IKcomAsyncOperation *op = NULL;
    NTSTATUS spawned, shutdown;
    if (!NT_SUCCESS(kcom_initialize()) || !NT_SUCCESS(kcom_thread_pool_create(1, &pool, &executor))) {
        printf("no pool\n");
        return 2;
    }
    kcom_set_trace_hook(hook, NULL);
    spawned = kcom_async_spawn(&slow_desc, executor, NULL, NULL, &op);
    while (InterlockedCompareExchange(&polls, 0, 0) == 0)
        Sleep(1);
    shutdown = kcom_thread_pool_shutdown(pool, 0); /* waits for the poll under way: 2.5 s */
    IKcomAsyncOperation_Release(op);
    kcom_set_trace_hook(NULL, NULL);
    if (spawned != STATUS_SUCCESS || shutdown != STATUS_SUCCESS || warnings != 0 || kcom_uninitialize() != 0) {
        printf("spawn 0x%08lx, shutdown 0x%08lx, %ld warnings\n", (unsigned long)spawned, (unsigned long)shutdown,
               (long)warnings);
        return 1;
    }
    printf("ok: the shutdown waited for the poll without a warning\n");
    return 0;
}
