// Sleeping in the VFS (pipes, FIFOs, poll): the scheduler's wait queues and
// sleeping mutex in the kernel (docs/scheduler.md), and stand-ins built on
// std::condition_variable in host tests, so the same pipe code runs on both.
//
//   TRY(fs::wait_interruptible(queue, [&] { return ready(); }));  // ERESTARTSYS on a signal
//   fs::wait(queue, [&] { return ready(); });                     // not interruptible
//   queue.wake_all();                                             // any context
#pragma once

#include "kernel/sync/spinlock.hpp"
#include "lib/expected.hpp"
#include "lib/utility.hpp"

#if defined(HOST_TEST)
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#else
#include "kernel/sched/sync.hpp"
#include "kernel/sched/wait_queue.hpp"
#include "kernel/time/time.hpp"
#endif

namespace fs {

// A spinlock interrupt handlers may take too (poll heads: a tty's receive
// interrupt notifies). Host tests cannot CLI: there it is the plain kind.
#if defined(HOST_TEST)
using IrqSpinlock = ksync::SpinlockNoIrq;
#else
using IrqSpinlock = ksync::Spinlock;
#endif

#if defined(HOST_TEST)

// Host tests: a thread may be "interrupted" (a pending signal) by
// host_interrupt(thread id flag); waits poll the predicate under the
// condition variable's mutex, so no wake-up is lost.
bool host_interrupt_pending();
uint64_t now_ns();
void host_set_interrupt_pending(bool pending);  // for the calling thread

class WaitQueue {
public:
    explicit WaitQueue(const char* = "") {}
    template <typename Predicate>
    lib::Expected<void> wait_event(Predicate&& predicate, bool interruptible, uint64_t deadline_ns = ~uint64_t(0)) {
        std::unique_lock<std::mutex> lock(mutex_);
        Waiting counted(waiters_);
        while (!predicate()) {
            if (interruptible && host_interrupt_pending())
                return lib::Error::make(lib::Errno::kEINTR, "interrupted");
            if (deadline_ns != ~uint64_t(0) && now_ns() >= deadline_ns)
                return lib::Error::make(lib::Errno::kETIMEDOUT, "deadline passed");
            condition_.wait_for(lock, std::chrono::milliseconds(2));
        }
        return {};
    }
    void wake_all() {
        std::lock_guard<std::mutex> lock(mutex_);
        condition_.notify_all();
    }
    void wake_one() { wake_all(); }
    // A thread is in wait_event (counted from before its first look at
    // the predicate, as the kernel's queue joins before it looks).
    bool has_waiters() const { return waiters_.load() != 0; }
    // How many threads are in some queue's wait_event.
    static std::atomic<int>& all_waiters() {
        static std::atomic<int> count{0};
        return count;
    }

private:
    struct Waiting {
        explicit Waiting(std::atomic<int>& count) : count_(count) { ++count_, ++all_waiters(); }
        ~Waiting() { --count_, --all_waiters(); }
        std::atomic<int>& count_;
    };

    std::mutex mutex_;
    std::condition_variable condition_;
    std::atomic<int> waiters_{0};
};

// How many threads are asleep in a WaitQueue (a test's way to know that the
// threads it started are waiting).
inline int host_waiting_threads() { return WaitQueue::all_waiters().load(); }

class Mutex {
public:
    explicit Mutex(const char* = "") {}
    void lock() { mutex_.lock(); }
    void unlock() { mutex_.unlock(); }

private:
    std::mutex mutex_;
};

template <typename Predicate>
lib::Expected<void> wait(WaitQueue& queue, Predicate&& predicate) {
    return queue.wait_event(predicate, false);
}
template <typename Predicate>
lib::Expected<void> wait_interruptible(WaitQueue& queue, Predicate&& predicate, uint64_t deadline_ns = ~uint64_t(0)) {
    auto waited = queue.wait_event(predicate, true, deadline_ns);
    if (!waited && waited.error().code == lib::Errno::kEINTR)
        return lib::Error::make(lib::Errno::kERESTARTSYS, "interrupted by a signal");
    return waited;
}

#else

using WaitQueue = sched::WaitQueue;
using Mutex = sched::Mutex;

template <typename Predicate>
lib::Expected<void> wait(WaitQueue& queue, Predicate&& predicate) {
    auto copy = predicate;  // sched's wait_event takes it by value category
    return queue.wait_event(lib::move(copy));
}
// A signal ends the wait with ERESTARTSYS (the syscall layer restarts the
// call or returns EINTR as the handler's SA_RESTART says).
inline uint64_t now_ns() { return ktime::now_ns(); }

// Also ends at `deadline_ns` (ktime::now_ns() time) with kETIMEDOUT.
template <typename Predicate>
lib::Expected<void> wait_interruptible(WaitQueue& queue, Predicate&& predicate, uint64_t deadline_ns = ~uint64_t(0)) {
    auto copy = predicate;
    auto waited = queue.wait_event(lib::move(copy), sched::WaitOptions::interruptible_until(deadline_ns));
    if (!waited) {
        if (waited.error().code == lib::Errno::kEINTR)
            return lib::Error::make(lib::Errno::kERESTARTSYS, "interrupted by a signal");
        return waited.error();
    }
    return {};
}

#endif

class MutexGuard {
public:
    explicit MutexGuard(Mutex& mutex) : mutex_(mutex) { mutex_.lock(); }
    ~MutexGuard() { mutex_.unlock(); }
    MutexGuard(const MutexGuard&) = delete;
    MutexGuard& operator=(const MutexGuard&) = delete;

private:
    Mutex& mutex_;
};

}  // namespace fs
