#include "loader/boot_time.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace loader {
namespace {

TEST(BootTime, KnownDates) {
    EXPECT_EQ(unix_seconds({1970, 1, 1, 0, 0, 0}), 0);
    EXPECT_EQ(unix_seconds({2000, 2, 29, 12, 0, 0}), 951825600);
    EXPECT_EQ(unix_seconds({2024, 3, 1, 0, 0, 0}), 1709251200);
    EXPECT_EQ(unix_seconds({2100, 3, 1, 0, 0, 0}), 4107542400);  // 2100 is not a leap year
    EXPECT_EQ(unix_seconds({1969, 12, 31, 23, 59, 59}), -1);
}

TEST(BootTime, HostileFieldsAreClamped) {
    EXPECT_EQ(unix_seconds({1970, 0, 0, 99, 99, 99}), 23 * 3600 + 59 * 60 + 60);
    EXPECT_EQ(unix_seconds({2023, 2, 31, 0, 0, 0}), unix_seconds({2023, 2, 28, 0, 0, 0}));
    EXPECT_EQ(unix_seconds({0, 1, 1, 0, 0, 0}), unix_seconds({1900, 1, 1, 0, 0, 0}));
    EXPECT_EQ(unix_seconds({60000, 1, 1, 0, 0, 0}), unix_seconds({9999, 1, 1, 0, 0, 0}));
}

// Randomized against the C library's timegm.
TEST(BootTime, RandomDatesMatchTimegm) {
    std::mt19937 random(2026);
    for (int i = 0; i < 5000; ++i) {
        auto next = [&](uint32_t range) { return uint32_t(random() % range); };
        CalendarTime t{1970 + next(400), 1 + next(12), 1 + next(28), next(24), next(60), next(60)};
        std::tm tm{};
        tm.tm_year = int(t.year) - 1900;
        tm.tm_mon = int(t.month) - 1;
        tm.tm_mday = int(t.day);
        tm.tm_hour = int(t.hour);
        tm.tm_min = int(t.minute);
        tm.tm_sec = int(t.second);
        EXPECT_EQ(unix_seconds(t), int64_t(timegm(&tm))) << t.year << "-" << t.month << "-" << t.day;
    }
}

}  // namespace
}  // namespace loader
