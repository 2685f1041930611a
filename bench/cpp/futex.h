// futex.h - the C++ worker's locks and wake-ups on Linux: futex words, as kcom's host platform
// uses (src/platform/posix/threads_posix.c), so that the woken-task rows compare the two designs
// and not glibc's pthread mutex and condition variable (100 to 200 instructions per operation)
// against kcom's futex words. No system call unless a thread sleeps or must be woken. Elsewhere,
// the standard library's.
#pragma once

#include <atomic>
#include <mutex>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <condition_variable>
#endif

namespace bench_cpp {

#if defined(__linux__)

namespace futex_detail {

static_assert(sizeof(std::atomic<int>) == sizeof(int), "a futex word is an int");

inline void Wait(std::atomic<int> *word, int expected)
{
    (void)syscall(SYS_futex, reinterpret_cast<int *>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

// Names the address only: a stray wake of whatever lives there next is a spurious wake-up.
inline void Wake(std::atomic<int> *word, int count)
{
    (void)syscall(SYS_futex, reinterpret_cast<int *>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

} // namespace futex_detail

// 0 free, 1 held, 2 held and a thread may sleep on it.
class Mutex {
public:
    void lock()
    {
        int state = 0;
        if (state_.compare_exchange_strong(state, 1, std::memory_order_acquire))
            return;
        if (state != 2)
            state = state_.exchange(2, std::memory_order_acquire);
        while (state != 0) {
            futex_detail::Wait(&state_, 2);
            state = state_.exchange(2, std::memory_order_acquire);
        }
    }
    void unlock()
    {
        if (state_.exchange(0, std::memory_order_release) == 2)
            futex_detail::Wake(&state_, 1);
    }

private:
    std::atomic<int> state_{0};
};

// A sequence the waiter sleeps on and the count of waiters (a signal with nobody waiting is one
// load). The waiter counts itself and reads the sequence with the mutex held, so a signal after a
// change made under the mutex finds it counted and moves the sequence: no wake is lost.
class Condition {
public:
    void wait(std::unique_lock<Mutex> &lock)
    {
        waiters_.fetch_add(1);
        int sequence = sequence_.load();
        lock.unlock();
        futex_detail::Wait(&sequence_, sequence);
        lock.lock();
        waiters_.fetch_sub(1);
    }
    void notify_one()
    {
        if (waiters_.load() == 0)
            return;
        sequence_.fetch_add(1);
        futex_detail::Wake(&sequence_, 1);
    }

private:
    std::atomic<int> sequence_{0};
    std::atomic<int> waiters_{0};
};

// A one-shot event: clear, set, or clear with a waiter asleep (or about to be). The set's exchange
// is its last access to the event's memory, so the waiter may return (and the event go) as soon
// as it sees it set.
class Event {
public:
    void Set()
    {
        if (state_.exchange(kSet) == kWaited)
            futex_detail::Wake(&state_, 1);
    }
    void Wait()
    {
        if (state_.load(std::memory_order_acquire) == kSet)
            return;
        for (;;) {
            int state = kClear;
            if (!state_.compare_exchange_strong(state, kWaited) && state == kSet)
                return;
            futex_detail::Wait(&state_, kWaited);
            if (state_.load(std::memory_order_acquire) == kSet)
                return;
        }
    }

private:
    enum { kClear, kSet, kWaited };
    std::atomic<int> state_{kClear};
};

#else

using Mutex = std::mutex;

class Condition {
public:
    void wait(std::unique_lock<Mutex> &lock) { condition_.wait(lock); }
    void notify_one() { condition_.notify_one(); }

private:
    std::condition_variable condition_;
};

class Event {
public:
    void Set()
    {
        std::lock_guard<Mutex> lock(mutex_); // the waiter cannot return before the unlock
        set_ = true;
        condition_.notify_one();
    }
    void Wait()
    {
        std::unique_lock<Mutex> lock(mutex_);
        condition_.wait(lock, [this] { return set_; });
    }

private:
    Mutex mutex_;
    std::condition_variable condition_;
    bool set_ = false;
};

#endif

} // namespace bench_cpp
