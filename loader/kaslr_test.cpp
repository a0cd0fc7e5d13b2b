#include "loader/kaslr.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace loader {
namespace {

TEST(Kaslr, StaysInTheTopTwoGiBAndAligned) {
    std::mt19937_64 random(3);
    std::set<uint64_t> seen;
    for (int i = 0; i < 10000; ++i) {
        uint64_t size = (1 + random() % 4096) * 4096;
        uint64_t alignment = 4096ULL << (random() % 10);
        uint64_t base = kaslr_base(size, alignment, random());
        EXPECT_GE(base, kKaslrRegionBase);
        EXPECT_EQ(base % alignment, 0u);
        EXPECT_LE(size, 0 - base);  // base + size <= 2^64
        seen.insert(base);
    }
    EXPECT_GT(seen.size(), 1000u);  // it does move
}

TEST(Kaslr, EdgeCases) {
    EXPECT_EQ(kaslr_base(0x80000000ULL, 4096, 12345), kKaslrRegionBase);  // fills the region
    EXPECT_EQ(kaslr_base(0x80001000ULL, 4096, 12345), kKaslrRegionBase);  // too big
    EXPECT_EQ(kaslr_base(0x1000, 3000, 12345), kKaslrRegionBase);         // bad alignment
    EXPECT_EQ(kaslr_base(0x1000, 0, 12345), kKaslrRegionBase);
    EXPECT_EQ(kaslr_base(0, 4096, 12345), kKaslrRegionBase);
    EXPECT_EQ(kaslr_base(0x1000, 4096, 524287), 0xfffffffffffff000ULL);  // the last slot ends at 2^64
    EXPECT_EQ(kaslr_base(0x1000, 4096, 524288), kKaslrRegionBase);       // wraps to the first
    EXPECT_EQ(kaslr_base(0x1000, 1ULL << 31, 7), kKaslrRegionBase);      // one slot only
}

}  // namespace
}  // namespace loader
