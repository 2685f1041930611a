// futex.h - where the C++ worker and the C++ caller sleep on Linux: futex words, as kcom's host
// platform does (src/platform/posix/threads_posix.c), so that the woken-task rows compare the two
// designs and not glibc's pthread mutex and condition variable (100 to 200 instructions per
// operation) against kcom's futex words. The C++ side has no lock at all: its worker's queue is a
// lock-free intrusive stack, and each side sleeps on a word of its own (the worker on its sleeping
// flag, the caller on the operation's status word), with no system call unless a thread sleeps or
// must be woken. Elsewhere the sleep is a yielding spin (the bench runs on Linux).
#pragma once

#include <atomic>
#include <cstdint>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <thread>
#endif

namespace bench_cpp {
namespace futex_detail {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "a futex word is 32 bits");

// Sleeps while *word holds expected (or returns at once if it does not).
inline void Wait(std::atomic<uint32_t> *word, uint32_t expected)
{
#if defined(__linux__)
    (void)syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
#else
    while (word->load(std::memory_order_acquire) == expected)
        std::this_thread::yield();
#endif
}

// Wakes up to count sleepers. Names the address only: a stray wake of whatever lives there next is
// a spurious wake-up.
inline void Wake(std::atomic<uint32_t> *word, int count)
{
#if defined(__linux__)
    (void)syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
#else
    (void)word;
    (void)count;
#endif
}

} // namespace futex_detail
} // namespace bench_cpp
