// Host tests of the load-average arithmetic (load_average.hpp): Linux's
// fixed-point decay, the catch-up of missed intervals, and the figures
// /proc/loadavg prints.
#include "kernel/sched/load_average.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sched {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ull;

TEST(LoadAverage, TheConstantsAreLinuxsDecayPerFiveSeconds) {
    // 2048 / e^(5/60), e^(5/300), e^(5/900), rounded.
    EXPECT_EQ(kLoadExp[0], uint64_t(std::lround(2048 / std::exp(5.0 / 60))));
    EXPECT_EQ(kLoadExp[1], uint64_t(std::lround(2048 / std::exp(5.0 / 300))));
    EXPECT_EQ(kLoadExp[2], uint64_t(std::lround(2048 / std::exp(5.0 / 900))));
}

TEST(LoadAverage, NothingBeforeTheFirstIntervalEnds) {
    LoadAverage load;
    load.update(kSecond, 3);
    load.update(kSecond + kLoadIntervalNs - 1, 3);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(load.average(i), 0u);
    load.update(kSecond + kLoadIntervalNs, 3);
    EXPECT_GT(load.average(0), load.average(1));
    EXPECT_GT(load.average(1), load.average(2));
    EXPECT_GT(load.average(2), 0u);
}

TEST(LoadAverage, OneBusyThreadForAMinuteIsAboutOneMinusOneOverE) {
    LoadAverage load;
    load.update(0, 1);
    for (uint64_t t = 1; t <= 12; ++t) load.update(t * kLoadIntervalNs, 1);
    LoadFigure one = load_figure(load.average(0));
    EXPECT_EQ(one.whole, 0u);
    EXPECT_NEAR(one.hundredths, 100 * (1 - std::exp(-1.0)), 1.5);
    EXPECT_LT(load.average(1), load.average(0));
    EXPECT_LT(load.average(2), load.average(1));
}

TEST(LoadAverage, ConvergesToTheActiveCountExactlyAndDecaysToZero) {
    LoadAverage load;
    load.update(0, 2);
    uint64_t t = 0;
    for (int i = 0; i < 2000; ++i) load.update(t += kLoadIntervalNs, 2);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(load.average(i), 2 * kLoadOne);
        EXPECT_EQ(load_figure(load.average(i)).whole, 2u);
        EXPECT_EQ(load_figure(load.average(i)).hundredths, 0u);
    }
    for (int i = 0; i < 2000; ++i) load.update(t += kLoadIntervalNs, 0);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(load.average(i), 0u);
}

TEST(LoadAverage, MissedIntervalsAreCaughtUpAtOnce) {
    // A stopped tick: 10 intervals pass before the next sample, which
    // applies all of them (calc_load_n), within rounding of 10 samples.
    LoadAverage stepwise, at_once;
    stepwise.update(0, 0), at_once.update(0, 0);
    stepwise.update(kLoadIntervalNs, 4), at_once.update(kLoadIntervalNs, 4);
    for (uint64_t i = 2; i <= 11; ++i) stepwise.update(i * kLoadIntervalNs, 1);
    at_once.update(11 * kLoadIntervalNs + kLoadIntervalNs / 2, 1);
    EXPECT_EQ(at_once.next_ns(), stepwise.next_ns());
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(double(at_once.average(i)), double(stepwise.average(i)), 12.0);
    EXPECT_EQ(power_of_exp(kLoadExp[0], 1), kLoadExp[0]);
    EXPECT_EQ(power_of_exp(kLoadExp[0], 0), kLoadOne);
}

TEST(LoadAverage, FiguresRoundToTheNearestHundredth) {
    EXPECT_EQ(load_figure(0).whole, 0u);
    EXPECT_EQ(load_figure(0).hundredths, 0u);
    EXPECT_EQ(load_figure(kLoadOne / 2).hundredths, 50u);
    EXPECT_EQ(load_figure(3 * kLoadOne + kLoadOne / 4).whole, 3u);
    EXPECT_EQ(load_figure(3 * kLoadOne + kLoadOne / 4).hundredths, 25u);
    EXPECT_EQ(load_figure(kLoadOne - 1).whole, 1u);  // 0.9995 shows as 1.00
    EXPECT_EQ(load_figure(kLoadOne - 1).hundredths, 0u);
}

}  // namespace
}  // namespace sched
