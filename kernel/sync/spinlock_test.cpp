// Host tests of the spinlock logic: mutual exclusion under real thread
// contention (with the policy that leaves interrupts alone, the only one that
// runs in user mode), and the order in which a policy's enter/leave run.
#include "kernel/sync/spinlock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(Spinlock, MutualExclusionUnderContention) {
    ksync::SpinlockNoIrq lock;
    uint64_t counter = 0;  // deliberately not atomic: the lock must protect it
    constexpr int kThreads = 4, kIterations = 200000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < kIterations; ++i) {
                ksync::Guard guard(lock);
                counter = counter + 1;
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(counter, uint64_t(kThreads) * kIterations);
    EXPECT_FALSE(lock.is_locked());
}

// A policy that records what the lock asks of it.
struct RecordingPolicy {
    using State = int;
    static inline std::vector<std::string> events;
    static inline int next_state = 0;
    static State enter() {
        events.push_back("enter");
        return ++next_state;
    }
    static void leave(State state) { events.push_back("leave " + std::to_string(state)); }
};

TEST(Spinlock, PolicyStateTravelsFromEnterToLeave) {
    RecordingPolicy::events.clear();
    ksync::BasicSpinlock<RecordingPolicy> outer, inner;
    {
        ksync::Guard a(outer);
        ksync::Guard b(inner);
    }
    // Released in reverse order, each with the state its own enter returned.
    EXPECT_EQ(RecordingPolicy::events, (std::vector<std::string>{"enter", "enter", "leave 2", "leave 1"}));
}

TEST(Spinlock, FailedTryLockRestoresState) {
    RecordingPolicy::events.clear();
    ksync::BasicSpinlock<RecordingPolicy> lock;
    int first = 0, second = 0;
    ASSERT_TRUE(lock.try_lock(first));
    EXPECT_FALSE(lock.try_lock(second));
    lock.unlock(first);
    ASSERT_EQ(RecordingPolicy::events.size(), 4u);
    EXPECT_EQ(RecordingPolicy::events[2], "leave " + std::to_string(second));  // the failed attempt undone at once
}

TEST(Spinlock, BoundedGuardGivesUpOnAHeldLock) {
    ksync::SpinlockNoIrq lock;
    {
        ksync::BoundedGuard first(lock, 1000);
        EXPECT_TRUE(first.held());
        ksync::BoundedGuard second(lock, 1000);  // same thread: would deadlock with Guard
        EXPECT_FALSE(second.held());
        EXPECT_TRUE(lock.is_locked());
    }
    EXPECT_FALSE(lock.is_locked());  // only the guard that held it released it
}

TEST(Spinlock, BoundedGuardWaitsForARelease) {
    ksync::SpinlockNoIrq lock;
    std::atomic<bool> holding{false};
    std::thread holder([&] {
        ksync::Guard guard(lock);
        holding = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
    while (!holding) std::this_thread::yield();
    ksync::BoundedGuard waiter(lock, uint64_t(1) << 40);
    EXPECT_TRUE(waiter.held());
    holder.join();
}

TEST(Spinlock, RecordsItsOwner) {
    ksync::SpinlockNoIrq lock;
    EXPECT_EQ(lock.owner_cpu(), -1);
    {
        ksync::Guard guard(lock);
        EXPECT_EQ(lock.owner_cpu(), int64_t(ksync::platform::current_cpu()));
        int64_t seen_elsewhere = -2;
        std::thread other([&] { seen_elsewhere = lock.owner_cpu(); });
        other.join();
        EXPECT_EQ(seen_elsewhere, int64_t(ksync::platform::current_cpu()));
    }
    EXPECT_EQ(lock.owner_cpu(), -1);
}

TEST(SpinlockDeathTest, RecursiveLockIsCaught) {
    ksync::SpinlockNoIrq lock;
    ksync::Guard guard(lock);
    EXPECT_DEATH((void)lock.lock(), "takes it again while holding it");
}

TEST(SpinlockDeathTest, UnlockByAnotherCpuIsCaught) {
    ksync::SpinlockNoIrq lock;
    ksync::SpinlockNoIrq::State state{};
    std::thread holder([&] { state = lock.lock(); });  // takes it and leaves it held
    holder.join();
    EXPECT_DEATH(lock.unlock(state), "unlocks it, but [0-9]+ holds it");
    ksync::SpinlockNoIrq free_lock;
    EXPECT_DEATH(free_lock.unlock(state), "unlocks it, but -1 holds it");
}

TEST(Spinlock, WaitTooLongIsReportedOnceWithTheHolder) {
    ksync::SpinlockNoIrq lock;
    const uint64_t saved = ksync::held_too_long_ticks();
    ksync::set_held_too_long_ticks(uint64_t(1) << 20);  // well under a millisecond
    const uint64_t reports_before = ksync::detail::host_held_too_long_reports;
    std::atomic<bool> holding{false};
    std::atomic<uint32_t> holder_cpu{0};
    std::thread holder([&] {
        ksync::Guard guard(lock);
        holder_cpu = ksync::platform::current_cpu();
        holding = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    });
    while (!holding) std::this_thread::yield();
    {
        ksync::Guard waiter(lock);  // waits ~100 ms, far past the limit
    }
    holder.join();
    ksync::set_held_too_long_ticks(saved);
    EXPECT_EQ(ksync::detail::host_held_too_long_reports, reports_before + 1);  // once per wait
    EXPECT_EQ(ksync::detail::host_last_reported_owner, holder_cpu + 1);
}

TEST(Spinlock, ProtectedValue) {
    ksync::Protected<std::vector<int>, ksync::SpinlockNoIrq> values;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) values.with([&](std::vector<int>& v) { v.push_back(t); });
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(values.with([](std::vector<int>& v) { return v.size(); }), 4000u);
}

}  // namespace
