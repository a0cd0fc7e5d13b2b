// Host tests of the one byte reader (lib/bytes.hpp): little-endian order,
// and no access outside the span whatever the offset.
#include "lib/bytes.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace lib {
namespace {

constexpr uint8_t kSample[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xf0};

TEST(Bytes, ReadsAreLittleEndian) {
    Bytes bytes(kSample);
    EXPECT_EQ(read_u8(bytes, 8), 0xf0);
    EXPECT_EQ(read_u16(bytes, 0), 0x0201);
    EXPECT_EQ(read_u32(bytes, 1), 0x05040302u);
    EXPECT_EQ(read_u64(bytes, 0), 0x0807060504030201ULL);
    EXPECT_EQ(read_u64(bytes, 1), 0xf008070605040302ULL);
    EXPECT_EQ(read_le(bytes, 2, 3), 0x050403u);
}

TEST(Bytes, ReadsOutsideTheSpanGiveZero) {
    Bytes bytes(kSample);
    EXPECT_EQ(read_u16(bytes, 8), 0);  // one byte short
    EXPECT_EQ(read_u64(bytes, 2), 0u);
    EXPECT_EQ(read_u32(bytes, 9), 0u);
    EXPECT_EQ(read_u32(bytes, std::numeric_limits<size_t>::max() - 1), 0u);  // offset + width wraps
    EXPECT_EQ(read_le(bytes, 0, 9), 0u);                                     // wider than 64 bits
    EXPECT_EQ(read_u8(Bytes(), 0), 0);
}

TEST(Bytes, RangeInsideWithoutOverflow) {
    EXPECT_TRUE(range_inside(0, 9, 9));
    EXPECT_TRUE(range_inside(9, 0, 9));
    EXPECT_FALSE(range_inside(10, 0, 9));
    EXPECT_FALSE(range_inside(1, std::numeric_limits<uint64_t>::max(), 9));
}

TEST(Bytes, WritesInsideOnlyAndReportErange) {
    uint8_t buffer[10] = {};
    Span<uint8_t> span(buffer);
    ASSERT_TRUE(write_u64(span, 2, 0x1122334455667788ULL).has_value());
    EXPECT_EQ(read_u64(Bytes(buffer), 2), 0x1122334455667788ULL);
    EXPECT_EQ(buffer[2], 0x88);
    Expected<void> outside = write_u64(span, 3, 1);
    ASSERT_FALSE(outside.has_value());
    EXPECT_EQ(outside.error().code, Errno::kERANGE);
    EXPECT_EQ(buffer[9], 0x11);  // nothing was written
}

TEST(Bytes, FixedSizeLoadsAndStoresAgreeWithTheReader) {
    EXPECT_EQ(load_le32(kSample), read_u32(Bytes(kSample), 0));
    EXPECT_EQ(load_le64(kSample + 1), read_u64(Bytes(kSample), 1));
    uint8_t out[4] = {};
    store_le32(out, 0xdeadbeef);
    EXPECT_EQ(out[0], 0xef);
    EXPECT_EQ(out[3], 0xde);
    EXPECT_EQ(load_le32(out), 0xdeadbeefu);
    static_assert(load_le32(kSample) == 0x04030201u);
}

TEST(Bytes, EqualityAndChecksum) {
    constexpr uint8_t text[] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
    EXPECT_TRUE(bytes_equal(Bytes(text), 0, "RSD PTR ", 8));
    EXPECT_FALSE(bytes_equal(Bytes(text), 1, "RSD PTR ", 8));  // would run past the end
    EXPECT_FALSE(bytes_equal(Bytes(text), 0, "RSD PTX ", 8));
    constexpr uint8_t summed[] = {0x10, 0xf0, 0x01, 0xff};  // 0x200 mod 256
    EXPECT_EQ(byte_sum(Bytes(summed)), 0);
    EXPECT_EQ(byte_sum(Bytes(kSample)), uint8_t(36 + 0xf0));
}

}  // namespace
}  // namespace lib
