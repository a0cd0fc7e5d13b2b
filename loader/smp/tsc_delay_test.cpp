#include "loader/smp/tsc_delay.hpp"

#include <gtest/gtest.h>

namespace loader::smp {
namespace {

TEST(TscRate, DefaultIsInvalidAndGivesZeroTicks) {
    TscRate rate;
    EXPECT_FALSE(rate.is_valid());
    EXPECT_EQ(rate.ticks_for(1000), 0u);
}

TEST(TscRate, CounterThatDidNotMoveIsInvalid) {
    EXPECT_FALSE(TscRate::from_measurement(0, 10000).is_valid());
    EXPECT_FALSE(TscRate::from_measurement(9999, 10000).is_valid());  // below 1 tick per us
    EXPECT_FALSE(TscRate::from_measurement(1000000, 0).is_valid());
}

TEST(TscRate, ScalesAMeasurement) {
    // 2.5 GHz: 25,000,000 ticks in 10 ms.
    TscRate rate = TscRate::from_measurement(25000000, 10000);
    ASSERT_TRUE(rate.is_valid());
    EXPECT_EQ(rate.ticks_for(1), 2500u);
    EXPECT_EQ(rate.ticks_for(200), 500000u);
    EXPECT_EQ(rate.ticks_for(10000), 25000000u);
    EXPECT_EQ(rate.ticks_per_millisecond(), 2500000u);
}

TEST(TscRate, RoundsUpSoThatADelayIsNeverShort) {
    TscRate rate = TscRate::from_measurement(10001, 10000);  // 1.0001 ticks per us
    EXPECT_EQ(rate.ticks_for(1), 2u);
    EXPECT_EQ(rate.ticks_for(10000), 10001u);
    EXPECT_EQ(rate.ticks_for(5000), 5001u);  // 5000.5 rounded up
}

TEST(TscRate, SaturatesInsteadOfWrapping) {
    TscRate rate = TscRate::from_measurement(UINT64_MAX / 2, 3);
    EXPECT_EQ(rate.ticks_for(UINT64_MAX / 4), UINT64_MAX);
    TscRate fast = TscRate::from_measurement(50000000ULL, 10000);  // 5 GHz
    EXPECT_EQ(fast.ticks_for(UINT64_MAX), UINT64_MAX);
    EXPECT_EQ(fast.ticks_for(1000000), 5000000000ULL);
}

}  // namespace
}  // namespace loader::smp

namespace loader::smp {
namespace {

TEST(TscRate, ConvertsTicksBackToMicroseconds) {
    TscRate rate = TscRate::from_measurement(25000000, 10000);  // 2.5 GHz
    EXPECT_EQ(rate.microseconds_for(2500), 1u);
    EXPECT_EQ(rate.microseconds_for(2499), 0u);
    EXPECT_EQ(rate.microseconds_for(25000000), 10000u);
    EXPECT_EQ(rate.microseconds_for(UINT64_MAX), UINT64_MAX / 2500);
    EXPECT_EQ(TscRate().microseconds_for(1000), 0u);
    TscRate odd = TscRate::from_measurement(30000, 10000);  // 3 ticks per us
    EXPECT_EQ(odd.microseconds_for(10), 3u);
}

}  // namespace
}  // namespace loader::smp
