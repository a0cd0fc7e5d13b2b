#include "loader/gdt.hpp"

#include <gtest/gtest.h>

namespace loader {
namespace {

struct Decoded {
    uint32_t base, limit;
    bool present, code, granularity, default_big, long_mode;
    unsigned dpl;
};

Decoded decode(uint64_t d) {
    Decoded r{};
    r.base = uint32_t(((d >> 16) & 0xffffff) | ((d >> 56) << 24));
    r.limit = uint32_t((d & 0xffff) | (((d >> 48) & 0xf) << 16));
    r.present = d & (1ULL << 47);
    r.dpl = unsigned((d >> 45) & 3);
    r.code = d & (1ULL << 43);
    r.long_mode = d & (1ULL << 53);
    r.default_big = d & (1ULL << 54);
    r.granularity = d & (1ULL << 55);
    return r;
}

TEST(Gdt, LayoutMatchesFactsSheet) {
    uint64_t gdt[kGdtEntries] = {};
    fill_limine_gdt(gdt);
    EXPECT_EQ(gdt[0], 0u);
    for (size_t i = 1; i < kTssSelector / 8; ++i) {
        Decoded d = decode(gdt[i]);
        EXPECT_TRUE(d.present) << i;
        EXPECT_EQ(d.dpl, 0u) << i;
        EXPECT_EQ(d.base, 0u) << i;
        EXPECT_TRUE(gdt[i] & (1ULL << 44)) << "S bit " << i;
        EXPECT_EQ(d.code, i % 2 == 1) << i;
    }
    Decoded code16 = decode(gdt[1]), data16 = decode(gdt[2]);
    EXPECT_EQ(code16.limit, 0xffffu);
    EXPECT_FALSE(code16.default_big || code16.granularity || code16.long_mode);
    EXPECT_EQ(data16.limit, 0xffffu);
    Decoded code32 = decode(gdt[3]), data32 = decode(gdt[4]);
    EXPECT_TRUE(code32.default_big && code32.granularity && !code32.long_mode);
    EXPECT_EQ(code32.limit, 0xfffffu);
    EXPECT_TRUE(data32.default_big && data32.granularity);
    Decoded code64 = decode(gdt[kKernelCodeSelector / 8]);
    EXPECT_TRUE(code64.long_mode);
    EXPECT_FALSE(code64.default_big);  // L=1 requires D=0 (SDM Vol. 3A §3.4.5)
    Decoded data64 = decode(gdt[kKernelDataSelector / 8]);
    EXPECT_FALSE(data64.code);
    // The empty TSS: a present, available 64-bit TSS (type 9) with base and
    // limit 0, upper half 0 (SDM Vol. 3A §8.2.3).
    uint64_t tss = gdt[kTssSelector / 8];
    EXPECT_EQ((tss >> 40) & 0xff, 0x89u);
    EXPECT_EQ(tss & 0xffff, 0u);                 // limit 15:0
    EXPECT_EQ((tss >> 48) & 0xf, 0u);            // limit 19:16
    EXPECT_EQ(tss & 0xff000000ffff0000ULL, 0u);  // base 31:0
    EXPECT_EQ(gdt[kTssSelector / 8 + 1], 0u);    // base 63:32
    EXPECT_EQ(kCode32Selector / 8, 3);
    EXPECT_EQ(kData32Selector / 8, 4);
}

}  // namespace
}  // namespace loader
