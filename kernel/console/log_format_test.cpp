// Host tests of klog::format_record: a record as the consoles show it.
#include "kernel/console/log.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace {

namespace flags = klog::record_flags;

klog::Record make(klog::Level level, uint8_t record_flags, const char* text, uint64_t ns = 0) {
    klog::Record record;
    record.level = level;
    record.flags = record_flags;
    record.timestamp_ns = ns;
    record.length = uint16_t(std::strlen(text));
    std::memcpy(record.text, text, record.length);
    return record;
}

std::string shown(const klog::Record& record, size_t size = 512) {
    std::string out(size, '\0');
    size_t length = klog::format_record(record, out.data(), size);
    EXPECT_EQ(out[length], '\0');
    out.resize(length);
    return out;
}

TEST(LogFormat, LeveledLineGetsPrefixAndSuffix) {
    EXPECT_EQ(shown(make(klog::Level::kInfo, flags::kHasTime, "ready", 1234567890)), "[    1.234567] info: ready\n");
    EXPECT_EQ(shown(make(klog::Level::kWarn, 0, "careful")), "\x1b[93mwarn: careful\x1b[0m\n");
}

TEST(LogFormat, RawTextIsShownAsIs) {
    EXPECT_EQ(shown(make(klog::Level::kError, flags::kRaw | flags::kHasTime, "0x12 ", 99)), "0x12 ");
}

TEST(LogFormat, PiecesOfALongLineShowAsOneLine) {
    std::string line = shown(make(klog::Level::kInfo, flags::kContinued, "first ")) +
                       shown(make(klog::Level::kInfo, flags::kContinuation | flags::kContinued, "middle ")) +
                       shown(make(klog::Level::kInfo, flags::kContinuation, "last"));
    EXPECT_EQ(line, "info: first middle last\n");
}

TEST(LogFormat, TruncatesToTheBuffer) {
    EXPECT_EQ(shown(make(klog::Level::kInfo, 0, "abcdef"), 9), "info: ab");
    char one[1] = {'x'};
    EXPECT_EQ(klog::format_record(make(klog::Level::kInfo, 0, "abc"), one, 1), 0u);
    EXPECT_EQ(one[0], '\0');
    EXPECT_EQ(klog::format_record(make(klog::Level::kInfo, 0, "abc"), one, 0), 0u);
}

}  // namespace
