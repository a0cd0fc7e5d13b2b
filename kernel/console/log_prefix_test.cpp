// Host tests of klog's line prefix and suffix: exact bytes, time layout.
#include "kernel/console/log_prefix.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

struct StringSink {
    std::string text;
    void put(char c) { text.push_back(c); }
};

std::string prefix(klog::Level level, bool has_time, uint64_t nanoseconds = 0) {
    StringSink sink;
    klog::detail::write_prefix(sink, level, has_time, nanoseconds);
    return sink.text;
}

std::string suffix(klog::Level level) {
    StringSink sink;
    klog::detail::write_suffix(sink, level);
    return sink.text;
}

TEST(LogPrefix, WithoutClock) {
    EXPECT_EQ(prefix(klog::Level::kInfo, false), "info: ");
    EXPECT_EQ(prefix(klog::Level::kWarn, false), "\x1b[93mwarn: ");
    EXPECT_EQ(prefix(klog::Level::kError, false), "\x1b[91merror: ");
    EXPECT_EQ(prefix(klog::Level::kDebug, false), "\x1b[90mdebug: ");
}

TEST(LogPrefix, WithClock) {
    EXPECT_EQ(prefix(klog::Level::kInfo, true, 0), "[    0.000000] info: ");
    EXPECT_EQ(prefix(klog::Level::kInfo, true, 1234567890), "[    1.234567] info: ");
    EXPECT_EQ(prefix(klog::Level::kInfo, true, 999), "[    0.000000] info: ");  // below a microsecond
    EXPECT_EQ(prefix(klog::Level::kInfo, true, 99999999999999), "[99999.999999] info: ");
    EXPECT_EQ(prefix(klog::Level::kInfo, true, 100000000000000), "[100000.000000] info: ");  // grows, no wrap
    EXPECT_EQ(prefix(klog::Level::kInfo, true, UINT64_MAX), "[18446744073.709551] info: ");
    EXPECT_EQ(prefix(klog::Level::kWarn, true, 5000), "\x1b[93m[    0.000005] warn: ");
}

TEST(LogPrefix, SuffixResetsColourOnlyWhenSet) {
    EXPECT_EQ(suffix(klog::Level::kInfo), "\n");
    EXPECT_EQ(suffix(klog::Level::kWarn), "\x1b[0m\n");
    EXPECT_EQ(suffix(klog::Level::kError), "\x1b[0m\n");
    EXPECT_EQ(suffix(klog::Level::kDebug), "\x1b[0m\n");
}

TEST(LogLevel, FromName) {
    EXPECT_EQ(*klog::level_from_name("debug"), klog::Level::kDebug);
    EXPECT_EQ(*klog::level_from_name("INFO"), klog::Level::kInfo);
    EXPECT_EQ(*klog::level_from_name("warn"), klog::Level::kWarn);
    EXPECT_EQ(*klog::level_from_name("Warning"), klog::Level::kWarn);
    EXPECT_EQ(*klog::level_from_name("error"), klog::Level::kError);
    EXPECT_FALSE(klog::level_from_name("").has_value());
    EXPECT_FALSE(klog::level_from_name("err").has_value());
    EXPECT_FALSE(klog::level_from_name("errors").has_value());
    EXPECT_FALSE(klog::level_from_name(lib::StringView("info\0", 5)).has_value());
}

TEST(LogPrefix, UnknownLevelDoesNotCrash) {
    EXPECT_EQ(prefix(static_cast<klog::Level>(42), false), "?: ");
}

}  // namespace
