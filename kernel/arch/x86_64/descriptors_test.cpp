// Host tests of descriptors.hpp: the encodings against values worked out by
// hand from the SDM figures, and each encoder against its decoder.
#include "kernel/arch/x86_64/descriptors.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace arch {
namespace {

TEST(Selectors, IndexTableAndRpl) {
    EXPECT_EQ(make_selector(1), 0x08);
    EXPECT_EQ(make_selector(4, PrivilegeLevel::kUser), 0x23);
    EXPECT_EQ(kKernelCodeSelector, 0x08);
    EXPECT_EQ(kKernelDataSelector, 0x10);
    // Linux's __USER_DS and __USER_CS, as programs see them in signal frames.
    EXPECT_EQ(kUserDataSelector, 0x2b);
    EXPECT_EQ(kUserCodeSelector, 0x33);
    EXPECT_EQ(kTssSelector, 0x38);
    // SYSRET (SDM Vol. 2B): SS = base + 8, CS = base + 16, both with RPL 3.
    EXPECT_EQ((kSysretBaseSelector + 8) | 3, kUserDataSelector);
    EXPECT_EQ((kSysretBaseSelector + 16) | 3, kUserCodeSelector);
    // SYSCALL: SS = STAR[47:32] + 8 with STAR[47:32] = kernel code.
    EXPECT_EQ(kKernelCodeSelector + 8, kKernelDataSelector);
}

TEST(SegmentDescriptors, KernelCodeIsTheWellKnownValue) {
    // Access 0x9b (P, DPL 0, S, code, readable, accessed), flags 0xa (G, L).
    EXPECT_EQ(code_segment_64(PrivilegeLevel::kKernel), 0x00af'9b00'0000'ffffULL);
}

TEST(SegmentDescriptors, KernelDataIsTheWellKnownValue) {
    // Access 0x93 (P, DPL 0, S, writable, accessed), flags 0xc (G, D/B).
    EXPECT_EQ(data_segment(PrivilegeLevel::kKernel), 0x00cf'9300'0000'ffffULL);
}

TEST(SegmentDescriptors, UserSegmentsDifferOnlyInDpl) {
    EXPECT_EQ(code_segment_64(PrivilegeLevel::kUser), 0x00af'fb00'0000'ffffULL);
    EXPECT_EQ(data_segment(PrivilegeLevel::kUser), 0x00cf'f300'0000'ffffULL);
    EXPECT_EQ(descriptor_dpl(code_segment_64(PrivilegeLevel::kUser)), 3u);
    EXPECT_EQ(descriptor_dpl(data_segment(PrivilegeLevel::kKernel)), 0u);
}

TEST(SegmentDescriptors, CodeIsLongModeWithoutDefaultBig) {
    // L = 1 with D = 1 is reserved (SDM §5.2.1): the pair must never appear.
    uint64_t code = code_segment_64(PrivilegeLevel::kKernel);
    EXPECT_NE(code & descriptor_bits::kLongMode, 0u);
    EXPECT_EQ(code & descriptor_bits::kDefaultBig, 0u);
    EXPECT_EQ(data_segment(PrivilegeLevel::kKernel) & descriptor_bits::kLongMode, 0u);
}

TEST(TssDescriptor, SplitsBaseAndLimitAcrossBothQuadwords) {
    SystemDescriptor d = tss_descriptor(0xffff'ffff'8012'3456ULL, 103);
    // limit 0x67; base 15:0 = 0x3456, 23:16 = 0x12; type 9, P; base 31:24 = 0x80; base 63:32.
    EXPECT_EQ(d.low, 0x8000'8912'3456'0067ULL);
    EXPECT_EQ(d.high, 0xffff'ffffULL);
    EXPECT_EQ(system_descriptor_base(d), 0xffff'ffff'8012'3456ULL);
    EXPECT_EQ(system_descriptor_limit(d), 103u);
    EXPECT_EQ(descriptor_dpl(d.low), 0u);
}

TEST(TssDescriptor, RoundTripsLargeLimitsAndOddBases) {
    for (uint64_t base : {0ULL, 1ULL, 0x1234'5678'9abc'def0ULL, ~0ULL}) {
        for (uint32_t limit : {0u, 0xffffu, 0x10000u, 0xfffffu}) {
            SystemDescriptor d = tss_descriptor(base, limit);
            EXPECT_EQ(system_descriptor_base(d), base);
            EXPECT_EQ(system_descriptor_limit(d), limit);
            EXPECT_EQ(d.low & (0xfULL << 40), descriptor_bits::kTypeTss64Available);
            EXPECT_NE(d.low & descriptor_bits::kPresent, 0u);
            EXPECT_EQ(d.low & descriptor_bits::kCodeOrData, 0u);  // a system descriptor
        }
    }
}

TEST(Tss, LayoutMatchesFigure8_11) {
    Tss tss;
    EXPECT_EQ(sizeof tss, 104u);
    EXPECT_EQ(tss.io_map_base, 104u);
    tss.ist[0] = 0x1122334455667788ULL;
    uint8_t bytes[sizeof tss];
    std::memcpy(bytes, &tss, sizeof tss);
    EXPECT_EQ(bytes[36], 0x88);  // IST1 at offset 0x24
    EXPECT_EQ(bytes[43], 0x11);
}

TEST(Gates, InterruptGateForKernel) {
    GateDescriptor g = make_gate(0xffff'ffff'8000'1234ULL, kKernelCodeSelector, GateOptions{});
    // offset 15:0 = 0x1234, selector 0x08, IST 0, type 0xe, DPL 0, P, offset 31:16 = 0x8000.
    EXPECT_EQ(g.low, 0x8000'8e00'0008'1234ULL);
    EXPECT_EQ(g.high, 0xffff'ffffULL);
}

TEST(Gates, IstDplAndTypeLandInTheirFields) {
    GateOptions options;
    options.type = GateType::kTrap;
    options.dpl = PrivilegeLevel::kUser;
    options.ist = 3;
    GateDescriptor g = make_gate(0x0123'4567'89ab'cdefULL, 0x08, options);
    EXPECT_EQ(g.low, 0x89ab'ef03'0008'cdefULL);
    EXPECT_EQ(gate_handler(g), 0x0123'4567'89ab'cdefULL);
    EXPECT_EQ(gate_selector(g), 0x08);
    EXPECT_EQ(gate_ist(g), 3);
    EXPECT_EQ(gate_dpl(g), 3u);
    EXPECT_TRUE(gate_present(g));
    EXPECT_EQ(gate_type(g), GateType::kTrap);
}

TEST(Gates, IstIsThreeBits) {
    GateOptions options;
    options.ist = 9;  // out of range: only the low 3 bits are kept, never spilling into the type
    GateDescriptor g = make_gate(0, 0x08, options);
    EXPECT_EQ(gate_ist(g), 1);
    EXPECT_EQ(gate_type(g), GateType::kInterrupt);
}

TEST(Gates, RoundTripEveryIstSlot) {
    for (uint8_t ist = 0; ist <= kIstSlots; ++ist) {
        GateOptions options;
        options.ist = ist;
        GateDescriptor g = make_gate(0xffff'8000'dead'beefULL + ist, 0x08, options);
        EXPECT_EQ(gate_ist(g), ist);
        EXPECT_EQ(gate_handler(g), 0xffff'8000'dead'beefULL + ist);
    }
}

static_assert(code_segment_64(PrivilegeLevel::kKernel) == 0x00af'9b00'0000'ffffULL, "usable in constant expressions");
static_assert(gate_handler(make_gate(0xffffffff80001000ULL, 8, GateOptions{})) == 0xffffffff80001000ULL);

}  // namespace
}  // namespace arch
