// Host tests of apic_registers.hpp against the SDM's tables.
#include "kernel/arch/x86_64/apic_registers.hpp"

#include <gtest/gtest.h>

namespace arch::apic {
namespace {

TEST(X2apic, RegisterMsrsFollowTable11_6) {
    EXPECT_EQ(x2apic_msr(Register::kId), 0x802u);
    EXPECT_EQ(x2apic_msr(Register::kTaskPriority), 0x808u);
    EXPECT_EQ(x2apic_msr(Register::kEoi), 0x80bu);
    EXPECT_EQ(x2apic_msr(Register::kSpuriousVector), 0x80fu);
    EXPECT_EQ(x2apic_msr(Register::kInterruptCommandLow), 0x830u);
    EXPECT_EQ(x2apic_msr(Register::kLvtTimer), 0x832u);
    EXPECT_EQ(x2apic_msr(Register::kLvtError), 0x837u);
}

TEST(Lvt, VectorModeAndMask) {
    EXPECT_EQ(lvt_entry(0xfe, DeliveryMode::kFixed, false), 0xfeu);
    EXPECT_EQ(lvt_entry(0, DeliveryMode::kNmi, false), 0x400u);
    EXPECT_EQ(lvt_entry(0, DeliveryMode::kExtInt, true), 0x10700u);
    EXPECT_EQ(lvt_entry(0x20, DeliveryMode::kFixed, true), 0x10020u);
}

TEST(Icr, SelfIpi) {
    // Vector 0x42, fixed, level assert, shorthand self (bits 18..19 = 01).
    EXPECT_EQ(icr_low(0x42, DeliveryMode::kFixed, Shorthand::kSelf), 0x44042u);
    EXPECT_EQ(icr_low(0x02, DeliveryMode::kNmi, Shorthand::kAllExcludingSelf), 0xc4402u);
}

TEST(Registers, SpuriousInServiceAndId) {
    EXPECT_EQ(spurious_vector_register(0xff), 0x1ffu);
    EXPECT_EQ(in_service_register(0x00), Register::kInService0);
    EXPECT_EQ(uint16_t(in_service_register(0x42)), 0x120);
    EXPECT_EQ(in_service_bit(0x42), 1u << 2);
    EXPECT_EQ(uint16_t(in_service_register(0xff)), 0x170);
    EXPECT_EQ(in_service_bit(0xff), 1u << 31);
    EXPECT_EQ(xapic_id(0x0300'0000u), 3u);
}

TEST(Pic, VectorsClearOfExceptions) {
    EXPECT_TRUE(pic::valid_vector_base(pic::kMasterVectorBase));
    EXPECT_TRUE(pic::valid_vector_base(pic::kSlaveVectorBase));
    EXPECT_FALSE(pic::valid_vector_base(0x21));
    EXPECT_GE(pic::kMasterVectorBase, 32);
    EXPECT_EQ(pic::kMasterSpuriousVector, 0x27);
    EXPECT_EQ(pic::kSlaveSpuriousVector, 0x2f);
}

}  // namespace
}  // namespace arch::apic
