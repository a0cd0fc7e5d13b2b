// Host tests of the timekeeping arithmetic.
#include "kernel/time/calibration.hpp"

#include <gtest/gtest.h>

namespace ktime {
namespace {

TEST(MeasuredFrequency, AgainstHpetAndPit) {
    // 2.994 GHz TSC over 25 ms of a 100 MHz HPET.
    EXPECT_EQ(measured_frequency(74'850'000, 2'500'000, 100'000'000), 2'994'000'000u);
    // 1 GHz over 50 ms of the 8254's 1.193182 MHz.
    EXPECT_EQ(measured_frequency(50'000'000, 59'659, 1'193'182), 1'000'001'676u);
    EXPECT_EQ(measured_frequency(1, 0, 100), 0u);
}

TEST(Scale, NoOverflowAndSaturation) {
    EXPECT_EQ(scale(UINT64_MAX / 2, 4, 2), UINT64_MAX - 1);
    EXPECT_EQ(scale(UINT64_MAX, 3, 1), UINT64_MAX);
    EXPECT_EQ(scale(123, 1, 0), 0u);
    EXPECT_EQ(scale(10'000'000'000ULL, 3'000'000'000ULL, 1'000'000'000ULL), 30'000'000'000ULL);
}

TEST(TicksToNanoseconds, CommonFrequencies) {
    auto one_ghz = TicksToNanoseconds::for_frequency(1'000'000'000);
    EXPECT_EQ(one_ghz(12345), 12345u);
    auto tsc = TicksToNanoseconds::for_frequency(2'994'000'000);
    EXPECT_NEAR(double(tsc(2'994'000'000)), 1e9, 1.0);
    // A year of a 5 GHz TSC: no overflow, and off by less than 1 part in 10^9
    // (the 32-bit fraction of 0.2 ns).
    auto fast = TicksToNanoseconds::for_frequency(5'000'000'000);
    uint64_t year_ticks = 5'000'000'000ULL * 365 * 24 * 3600;
    EXPECT_NEAR(double(fast(year_ticks)), 365.0 * 24 * 3600 * 1e9, 365.0 * 24 * 3600);
    EXPECT_EQ(TicksToNanoseconds::for_frequency(0)(100), 0u);
}

TEST(Median, OfThree) {
    EXPECT_EQ(median_of_three(1, 2, 3), 2u);
    EXPECT_EQ(median_of_three(3, 1, 2), 2u);
    EXPECT_EQ(median_of_three(2, 3, 1), 2u);
    EXPECT_EQ(median_of_three(5, 5, 1), 5u);
    EXPECT_EQ(median_of_three(100, 7, 99), 99u);
}

TEST(Deviation, PartsPerMillion) {
    EXPECT_EQ(deviation_ppm(1010, 1000), 10'000u);
    EXPECT_EQ(deviation_ppm(990, 1000), 10'000u);
    EXPECT_EQ(deviation_ppm(1000, 0), UINT64_MAX);
}

}  // namespace
}  // namespace ktime
