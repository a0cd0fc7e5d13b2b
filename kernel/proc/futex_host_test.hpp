// The host side of the futex tests: threads that sleep on condition
// variables (the table's Platform), and this process's memory as the
// futex words' memory, with the first page and one chosen word faulting.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "kernel/proc/futex_table.hpp"

namespace proc {

inline uint64_t host_now_ns() {
    return uint64_t(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

// Threads sleep on a condition variable; a parker pointed at a flag is
// "interrupted" (a signal came) when the flag is set.
struct HostPlatform {
    using Lock = ksync::SpinlockNoIrq;
    struct Parker {
        std::mutex mutex;
        std::condition_variable cv;
        bool unparked = false;
        std::atomic<bool>* interrupt = nullptr;
    };
    static WakeReason park(Parker& parker, uint64_t deadline_ns, bool interruptible) {
        std::unique_lock lock(parker.mutex);
        for (;;) {
            if (parker.unparked) return WakeReason::kWoken;
            if (interruptible && parker.interrupt && parker.interrupt->load()) return WakeReason::kInterrupted;
            if (deadline_ns != kFutexNoDeadline && host_now_ns() >= deadline_ns) return WakeReason::kTimedOut;
            parker.cv.wait_for(lock, std::chrono::milliseconds(1));
        }
    }
    static void unpark(Parker& parker) {
        std::lock_guard lock(parker.mutex);
        parker.unparked = true;
        parker.cv.notify_one();
    }
};

using Table = FutexTable<HostPlatform>;

// This process's memory, with the first page and a "bad" word faulting.
struct HostMemory final : FutexMemory {
    uint64_t bad = 1;
    bool ok(uint64_t address) const { return address >= 4096 && address != bad; }
    bool load(uint64_t address, uint32_t& value) override {
        if (!ok(address)) return false;
        value = __atomic_load_n(reinterpret_cast<uint32_t*>(address), __ATOMIC_SEQ_CST);
        return true;
    }
    bool load_pointer(uint64_t address, uint64_t& value) override {
        if (!ok(address)) return false;
        value = __atomic_load_n(reinterpret_cast<uint64_t*>(address), __ATOMIC_SEQ_CST);
        return true;
    }
    bool compare_exchange(uint64_t address, uint32_t expected, uint32_t desired, uint32_t& actual) override {
        if (!ok(address)) return false;
        actual = expected;
        __atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(address), &actual, desired, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
        return true;
    }
};

using HostFutexTable = FutexTable<HostPlatform>;

}  // namespace proc
