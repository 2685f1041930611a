/*
 * host_threads.h - the example's threads (the simulated device's) and a signal for the completion
 * callback, on POSIX threads or Win32. Not part of kcom: a driver has IRPs and KEVENTs instead.
 */
#ifndef EXAMPLE_HOST_THREADS_H
#define EXAMPLE_HOST_THREADS_H

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <process.h>
#else
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#endif

typedef struct host_thread {
#ifdef _WIN32
    HANDLE handle;
#else
    pthread_t handle;
#endif
    void (*fn)(void *);
    void *arg;
} host_thread;

#ifdef _WIN32
static unsigned __stdcall host_thread_entry(void *context)
{
    host_thread *t = (host_thread *)context;
    t->fn(t->arg);
    return 0;
}
#else
static void *host_thread_entry(void *context)
{
    host_thread *t = (host_thread *)context;
    t->fn(t->arg);
    return NULL;
}
#endif

/* Runs fn(arg) on a new thread; 0 when it could not be started. */
static int host_thread_start(host_thread *t, void (*fn)(void *), void *arg)
{
    t->fn = fn;
    t->arg = arg;
#ifdef _WIN32
    t->handle = (HANDLE)_beginthreadex(NULL, 0, host_thread_entry, t, 0, NULL);
    return t->handle != NULL;
#else
    return pthread_create(&t->handle, NULL, host_thread_entry, t) == 0;
#endif
}

static void host_thread_join(host_thread *t)
{
#ifdef _WIN32
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
#else
    pthread_join(t->handle, NULL);
#endif
}

static void host_sleep_ms(unsigned long ms)
{
#ifdef _WIN32
    Sleep((DWORD)ms);
#else
    struct timespec delay = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&delay, NULL);
#endif
}

/* A signal: a post lets one wait through (the example posts once per wait). */
#ifdef _WIN32
typedef HANDLE host_signal; /* an auto-reset event: posts here never overlap */
#else
typedef sem_t host_signal;
#endif

static int host_signal_init(host_signal *s)
{
#ifdef _WIN32
    return (*s = CreateEventW(NULL, FALSE, FALSE, NULL)) != NULL;
#else
    return sem_init(s, 0, 0) == 0;
#endif
}

static void host_signal_post(host_signal *s)
{
#ifdef _WIN32
    SetEvent(*s);
#else
    sem_post(s);
#endif
}

static void host_signal_wait(host_signal *s)
{
#ifdef _WIN32
    WaitForSingleObject(*s, INFINITE);
#else
    sem_wait(s);
#endif
}

static void host_signal_destroy(host_signal *s)
{
#ifdef _WIN32
    CloseHandle(*s);
#else
    sem_destroy(s);
#endif
}

#endif /* EXAMPLE_HOST_THREADS_H */
