// Host tests of descriptors.hpp: encodings against values worked out by hand
// from the SDM's Figure 3-8 and Table 3-1, and the protocol's GDT layout
// (docs/limine-protocol.md §3).
#include "lib/x86_64/descriptors.hpp"

#include <gtest/gtest.h>

namespace x86_64 {
namespace {

TEST(Descriptors, SixteenBitSegmentsAreByteGranular64KiB) {
    // Access 0x9b / 0x93 (P, DPL 0, S, readable/writable, accessed), flags 0.
    EXPECT_EQ(code_segment(SegmentWidth::k16, PrivilegeLevel::kKernel), 0x0000'9b00'0000'ffffULL);
    EXPECT_EQ(data_segment(SegmentWidth::k16, PrivilegeLevel::kKernel), 0x0000'9300'0000'ffffULL);
}

TEST(Descriptors, ThirtyTwoBitSegmentsAreFlat4GiB) {
    // Flags 0xc: G (4 KiB units) and D/B (32-bit), limit 0xfffff.
    EXPECT_EQ(code_segment(SegmentWidth::k32, PrivilegeLevel::kKernel), 0x00cf'9b00'0000'ffffULL);
    EXPECT_EQ(data_segment(SegmentWidth::k32, PrivilegeLevel::kKernel), 0x00cf'9300'0000'ffffULL);
}

TEST(Descriptors, SixtyFourBitCodeHasLAndNotD) {
    // Flags 0xa: G and L; L = 1 with D = 1 is reserved (SDM §5.2.1).
    uint64_t code = code_segment(SegmentWidth::k64, PrivilegeLevel::kKernel);
    EXPECT_EQ(code, 0x00af'9b00'0000'ffffULL);
    EXPECT_EQ(code & descriptor_bits::kDefaultBig, 0u);
    // A "64-bit" data segment is the flat 32-bit one: L is for code only.
    EXPECT_EQ(data_segment(SegmentWidth::k64, PrivilegeLevel::kKernel), 0x00cf'9300'0000'ffffULL);
}

TEST(Descriptors, DplIsTheOnlyDifferenceForUserSegments) {
    for (SegmentWidth width : {SegmentWidth::k16, SegmentWidth::k32, SegmentWidth::k64}) {
        uint64_t kernel = code_segment(width, PrivilegeLevel::kKernel);
        uint64_t user = code_segment(width, PrivilegeLevel::kUser);
        EXPECT_EQ(kernel ^ user, 3ULL << descriptor_bits::kDplShift);
        EXPECT_EQ(descriptor_dpl(user), 3u);
        EXPECT_EQ(descriptor_dpl(kernel), 0u);
    }
}

TEST(Descriptors, TssDescriptorRoundTrips) {
    for (uint64_t base : {0ULL, 0x1234'5678'9abc'def0ULL, ~0ULL}) {
        for (uint32_t limit : {0u, 103u, 0xfffffu}) {
            SystemDescriptor d = tss_descriptor(base, limit);
            EXPECT_EQ(system_descriptor_base(d), base);
            EXPECT_EQ(system_descriptor_limit(d), limit);
            EXPECT_EQ(d.low & (0xfULL << 40), descriptor_bits::kTypeTss64Available);
        }
    }
    // The loader's empty TSS: only type 9 and P in the access byte.
    EXPECT_EQ(tss_descriptor(0, 0).low, 0x0000'8900'0000'0000ULL);
    EXPECT_EQ(tss_descriptor(0, 0).high, 0u);
}

TEST(LimineGdt, LayoutIsTheProtocols) {
    using namespace limine_gdt;
    EXPECT_EQ(kSegments[0], 0u);
    EXPECT_EQ(kCode16, 0x08);
    EXPECT_EQ(kData16, 0x10);
    EXPECT_EQ(kCode32, 0x18);
    EXPECT_EQ(kData32, 0x20);
    EXPECT_EQ(kCode64, 0x28);
    EXPECT_EQ(kData64, 0x30);
    EXPECT_EQ(kSegments[kCode16 / 8], 0x0000'9b00'0000'ffffULL);
    EXPECT_EQ(kSegments[kData16 / 8], 0x0000'9300'0000'ffffULL);
    EXPECT_EQ(kSegments[kCode32 / 8], 0x00cf'9b00'0000'ffffULL);
    EXPECT_EQ(kSegments[kData32 / 8], 0x00cf'9300'0000'ffffULL);
    EXPECT_EQ(kSegments[kCode64 / 8], 0x00af'9b00'0000'ffffULL);
    EXPECT_EQ(kSegments[kData64 / 8], 0x00cf'9300'0000'ffffULL);
}

}  // namespace
}  // namespace x86_64
