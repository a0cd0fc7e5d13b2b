// Host tests of the loader's I/O APIC list and masking rule.
#include "loader/ioapic.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace loader::ioapic {
namespace {

TEST(IoApic, EachAddressOnce) {
    auto madt = std::make_unique<acpi::MadtInfo>();
    madt->io_apics[0] = {0, 0xfec00000, 0};
    madt->io_apics[1] = {1, 0xfec01000, 24};
    madt->io_apics[2] = {2, 0xfec00000, 48};  // listed twice by the firmware
    madt->io_apic_count = 3;
    IoApicList list = list_from_madt(madt.get());
    ASSERT_EQ(list.count, 2u);
    EXPECT_EQ(list.addresses[0], 0xfec00000u);
    EXPECT_EQ(list.addresses[1], 0xfec01000u);
    EXPECT_EQ(list_from_madt(nullptr).count, 0u);
}

TEST(IoApic, MasksOnlyFixedAndLowestPriority) {
    EXPECT_TRUE(should_mask(0x00000030));   // fixed, vector 0x30
    EXPECT_TRUE(should_mask(0x00000130));   // lowest priority
    EXPECT_FALSE(should_mask(0x00000200));  // SMI
    EXPECT_FALSE(should_mask(0x00000400));  // NMI
    EXPECT_FALSE(should_mask(0x00000500));  // INIT
    EXPECT_FALSE(should_mask(0x00000700));  // ExtINT
    EXPECT_TRUE(should_mask(0x00010000));   // already masked, fixed
    // Base revision 5 masks NMI and ExtINT entries too, never SMI or INIT.
    EXPECT_TRUE(should_mask(0x00000400, 5));
    EXPECT_TRUE(should_mask(0x00000700, 6));
    EXPECT_FALSE(should_mask(0x00000400, 4));
    EXPECT_FALSE(should_mask(0x00000200, 5));
    EXPECT_FALSE(should_mask(0x00000500, 5));
}

}  // namespace
}  // namespace loader::ioapic
