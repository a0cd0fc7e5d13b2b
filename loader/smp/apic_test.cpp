#include "loader/smp/apic.hpp"

#include <gtest/gtest.h>

namespace loader::smp::apic {
namespace {

TEST(IcrEncoding, InitIsLevelAssertEdgeTriggeredDeliveryModeFive) {
    IpiCommand init = init_ipi(3);
    EXPECT_EQ(icr_low(init), 0x00004500u);  // mode 101b in bits 10:8, level (bit 14)
    EXPECT_EQ(xapic_icr_high(init.destination), 0x03000000u);
    EXPECT_EQ(x2apic_icr(init), 0x0000000300004500ULL);
}

TEST(IcrEncoding, StartupCarriesTheVector) {
    IpiCommand sipi = startup_ipi(1, startup_vector(0x8000));
    EXPECT_EQ(icr_low(sipi), 0x00004608u);
    EXPECT_EQ(xapic_icr_high(1), 0x01000000u);
}

TEST(IcrEncoding, X2apicDestinationIsThirtyTwoBitsWide) {
    IpiCommand sipi = startup_ipi(0x12345, 0x9f);
    EXPECT_EQ(x2apic_icr(sipi), (0x12345ULL << 32) | 0x469f);
}

TEST(IcrEncoding, FixedAndLevelTriggeredBits) {
    IpiCommand command;
    command.vector = 0x40;
    command.mode = DeliveryMode::kFixed;
    command.level_assert = false;
    command.level_triggered = true;
    EXPECT_EQ(icr_low(command), 0x8040u);
}

TEST(StartupPage, OnlyAlignedPagesBelowOneMegabyteOutsideTheReservedVectors) {
    EXPECT_TRUE(is_valid_startup_page(0x1000));
    EXPECT_TRUE(is_valid_startup_page(0x8000));
    EXPECT_TRUE(is_valid_startup_page(0x9f000));
    EXPECT_TRUE(is_valid_startup_page(0xc0000));
    EXPECT_TRUE(is_valid_startup_page(0xff000));
    EXPECT_FALSE(is_valid_startup_page(0));
    EXPECT_FALSE(is_valid_startup_page(0x8800));
    EXPECT_FALSE(is_valid_startup_page(0xa0000));
    EXPECT_FALSE(is_valid_startup_page(0xbf000));
    EXPECT_FALSE(is_valid_startup_page(0x100000));
    EXPECT_EQ(startup_vector(0x9f000), 0x9f);
}

}  // namespace
}  // namespace loader::smp::apic
