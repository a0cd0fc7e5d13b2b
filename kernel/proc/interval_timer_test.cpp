// ITIMER_REAL's arithmetic against setitimer(2), getitimer(2), alarm(2).
#include "kernel/proc/interval_timer.hpp"

#include <gtest/gtest.h>

namespace proc {
namespace {

constexpr uint64_t kMs = 1'000'000, kSec = 1'000'000'000;

uapi::Itimerval itv(int64_t interval_us, int64_t value_us) {
    return uapi::Itimerval{{interval_us / 1'000'000, interval_us % 1'000'000},
                           {value_us / 1'000'000, value_us % 1'000'000}};
}

TEST(IntervalTimer, SetGetAndValidation) {
    IntervalTimer timer;
    uint64_t now = 100 * kSec;
    auto old = timer.set(itv(20'000, 20'000), now);
    ASSERT_TRUE(old);
    EXPECT_EQ(old.value().value.tv_sec, 0);
    EXPECT_EQ(old.value().value.tv_usec, 0);
    auto now_value = timer.get(now + 5 * kMs);
    EXPECT_EQ(now_value.value.tv_usec, 15'000);
    EXPECT_EQ(now_value.interval.tv_usec, 20'000) << "the interval as set";
    EXPECT_EQ(timer.set(itv(0, 0), now).value().value.tv_usec, 20'000) << "the old value comes back";
    EXPECT_FALSE(timer.armed()) << "a zero value disarms";
    EXPECT_EQ(timer.get(now).interval.tv_usec, 0);
    uapi::Itimerval bad{{0, 0}, {0, 1'000'000}};
    EXPECT_EQ(timer.set(bad, now).error().code, lib::Errno::kEINVAL);
    uapi::Itimerval negative{{0, 0}, {-1, 0}};
    EXPECT_EQ(timer.set(negative, now).error().code, lib::Errno::kEINVAL);
    uapi::Itimerval bad_interval{{0, -5}, {1, 0}};
    EXPECT_EQ(timer.set(bad_interval, now).error().code, lib::Errno::kEINVAL);
    EXPECT_FALSE(timer.armed()) << "a refused value changes nothing";
}

TEST(IntervalTimer, FiringPeriodicAndOneShot) {
    IntervalTimer timer;
    ASSERT_TRUE(timer.set(itv(20'000, 50'000), 0));
    EXPECT_FALSE(timer.fire(49 * kMs)) << "not yet";
    EXPECT_TRUE(timer.fire(50 * kMs));
    EXPECT_EQ(timer.deadline_ns, 70 * kMs);
    EXPECT_TRUE(timer.fire(135 * kMs)) << "late: one signal";
    EXPECT_EQ(timer.deadline_ns, 150 * kMs) << "missed periods skipped, the phase kept";
    ASSERT_TRUE(timer.set(itv(0, 1'000), 0));
    EXPECT_TRUE(timer.fire(1 * kMs));
    EXPECT_FALSE(timer.armed());
    EXPECT_FALSE(timer.fire(2 * kMs));
    // Still armed but its time not come: 1 µs left at least.
    ASSERT_TRUE(timer.set(itv(0, 1'000), 0));
    EXPECT_EQ(timer.get(5 * kMs).value.tv_usec, 1);
}

TEST(IntervalTimer, AlarmRoundsLikeLinux) {
    IntervalTimer timer;
    EXPECT_EQ(timer.alarm(5, 0), 0u);
    EXPECT_EQ(timer.alarm(0, 0), 5u) << "alarm(0) cancels and returns the seconds left";
    EXPECT_FALSE(timer.armed());
    timer.alarm(5, 0);
    EXPECT_EQ(timer.alarm(0, 2 * kSec + 600 * kMs), 2u) << "2.4 s left: 2";
    timer.alarm(5, 0);
    EXPECT_EQ(timer.alarm(0, 2 * kSec + 400 * kMs), 3u) << "2.6 s left: 3";
    timer.alarm(1, 0);
    EXPECT_EQ(timer.alarm(0, 999 * kMs), 1u) << "never 0 while one is pending";
}

}  // namespace
}  // namespace proc
