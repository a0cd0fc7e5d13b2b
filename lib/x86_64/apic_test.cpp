// Host tests of the local APIC, I/O APIC and 8259 encodings against the
// SDM's and the datasheets' tables.
#include "lib/x86_64/apic.hpp"

#include <gtest/gtest.h>

#include "lib/x86_64/hpet.hpp"
#include "lib/x86_64/io_apic.hpp"
#include "lib/x86_64/pic.hpp"

namespace x86_64 {
namespace {

using namespace apic;

TEST(X2apic, RegisterMsrsFollowTheX2apicRegisterTable) {
    EXPECT_EQ(x2apic_msr(Register::kId), 0x802u);
    EXPECT_EQ(x2apic_msr(Register::kTaskPriority), 0x808u);
    EXPECT_EQ(x2apic_msr(Register::kEoi), 0x80bu);
    EXPECT_EQ(x2apic_msr(Register::kSpuriousVector), 0x80fu);
    EXPECT_EQ(x2apic_msr(Register::kInterruptCommandLow), 0x830u);
    EXPECT_EQ(kX2apicIcrMsr, 0x830u);
    EXPECT_EQ(x2apic_msr(Register::kLvtTimer), 0x832u);
    EXPECT_EQ(x2apic_msr(Register::kLvtCmci), 0x82fu);
    EXPECT_EQ(x2apic_msr(Register::kLvtError), 0x837u);
    EXPECT_EQ(x2apic_msr(Register::kTimerInitialCount), 0x838u);
    EXPECT_EQ(x2apic_msr(Register::kTimerCurrentCount), 0x839u);
    EXPECT_EQ(x2apic_msr(Register::kTimerDivideConfiguration), 0x83eu);
}

TEST(Lvt, VectorModeAndMask) {
    EXPECT_EQ(lvt_entry(0xfe, DeliveryMode::kFixed, false), 0xfeu);
    EXPECT_EQ(lvt_entry(0, DeliveryMode::kNmi, false), 0x400u);
    EXPECT_EQ(lvt_entry(0, DeliveryMode::kExtInt, true), 0x10700u);
    EXPECT_EQ(lvt_entry(0x20, DeliveryMode::kFixed, true), 0x10020u);
}

TEST(Lvt, TimerModesInBits17And18) {
    EXPECT_EQ(lvt_timer(0xf0, TimerMode::kOneShot, false), 0xf0u);
    EXPECT_EQ(lvt_timer(0xf0, TimerMode::kPeriodic, false), 0x200f0u);
    EXPECT_EQ(lvt_timer(0xf0, TimerMode::kTscDeadline, true), 0x500f0u);
    EXPECT_EQ(kTimerDivideBy1, 0xbu);
}

TEST(Icr, SelfIpiAndBroadcastNmi) {
    // Vector 0x42, fixed, level assert, shorthand self (bits 18..19 = 01).
    EXPECT_EQ(icr_low(self_ipi(0x42)), 0x44042u);
    IpiCommand nmi_others;
    nmi_others.vector = 0x02;
    nmi_others.mode = DeliveryMode::kNmi;
    nmi_others.shorthand = Shorthand::kAllExcludingSelf;
    EXPECT_EQ(icr_low(nmi_others), 0xc4402u);
}

TEST(Icr, InitIsLevelAssertEdgeTriggeredDeliveryModeFive) {
    IpiCommand init = init_ipi(3);
    EXPECT_EQ(icr_low(init), 0x00004500u);  // mode 101b in bits 10:8, level (bit 14)
    EXPECT_EQ(xapic_icr_high(init.destination), 0x03000000u);
    EXPECT_EQ(x2apic_icr(init), 0x0000000300004500ULL);
}

TEST(Icr, StartupCarriesTheVector) {
    IpiCommand sipi = startup_ipi(1, startup_vector(0x8000));
    EXPECT_EQ(icr_low(sipi), 0x00004608u);
    EXPECT_EQ(xapic_icr_high(1), 0x01000000u);
}

TEST(Icr, X2apicDestinationIsThirtyTwoBitsWide) {
    IpiCommand sipi = startup_ipi(0x12345, 0x9f);
    EXPECT_EQ(x2apic_icr(sipi), (0x12345ULL << 32) | 0x469f);
}

TEST(Icr, FixedAndLevelTriggeredBits) {
    IpiCommand command;
    command.vector = 0x40;
    command.mode = DeliveryMode::kFixed;
    command.level_assert = false;
    command.level_triggered = true;
    EXPECT_EQ(icr_low(command), 0x8040u);
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

TEST(Registers, VersionGivesTheMaxLvtEntry) {
    // QEMU's APIC: version 0x14, Max LVT Entry 5 (six entries, no CMCI).
    EXPECT_EQ(max_lvt_entry(0x0005'0014u), 5u);
    EXPECT_EQ(max_lvt_entry(0x0106'0015u), 6u);  // bit 24: EOI broadcast suppression, not part of it
}

TEST(Lvt, NmiInputActiveLowLevelAndMasked) {
    // LINT1 as an NMI input, active low (Figure 11-8: polarity bit 13).
    EXPECT_EQ(lvt_entry(0, DeliveryMode::kNmi, false) | kLvtActiveLow, 0x2400u);
    EXPECT_EQ(kLvtLevelTriggered, 0x8000u);
    EXPECT_EQ(lvt_entry(0, DeliveryMode::kFixed, true), 0x1'0000u);
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

TEST(Pic, VectorBaseMustBeEightAligned) {
    EXPECT_TRUE(pic::valid_vector_base(0x20));
    EXPECT_TRUE(pic::valid_vector_base(0x28));
    EXPECT_FALSE(pic::valid_vector_base(0x21));
}

TEST(RedirectionEntry, EncodesDatasheetBits) {
    io_apic::RedirectionEntry entry;
    EXPECT_EQ(entry.encode(), 1ULL << 16);  // default: masked, everything else zero
    entry.vector = 0x51;
    entry.masked = false;
    entry.active_low = true;
    entry.level_triggered = true;
    entry.destination = 3;
    EXPECT_EQ(entry.encode(), 0x0300'0000'0000'a051ULL);
    io_apic::RedirectionEntry back = io_apic::RedirectionEntry::decode(entry.encode());
    EXPECT_EQ(back.vector, 0x51);
    EXPECT_TRUE(back.active_low);
    EXPECT_TRUE(back.level_triggered);
    EXPECT_FALSE(back.masked);
    EXPECT_EQ(back.destination, 3);
    EXPECT_EQ(io_apic::RedirectionEntry::decode(0x700).delivery, io_apic::Delivery::kExtInt);
}

TEST(IoApicRegisters, IndexesAndVersion) {
    EXPECT_EQ(io_apic::redirection_low(0), 0x10);
    EXPECT_EQ(io_apic::redirection_high(0), 0x11);
    EXPECT_EQ(io_apic::redirection_low(23), 0x3e);
    EXPECT_EQ(io_apic::redirection_entry_count(0x00170020), 24u);  // QEMU: version 0x20, max entry 23
    EXPECT_EQ(io_apic::version_of(0x00170020), 0x20);
}

TEST(Hpet, CapabilitiesAsQemuReportsThem) {
    // QEMU's HPET: 100 MHz (10'000'000 fs per tick), vendor 0x8086, LEG_RT_CAP,
    // 64-bit counter, three comparators, revision 1 (HPET spec §2.3.4).
    hpet::Capabilities c = hpet::decode_capabilities(0x0098'9680'8086'a201ULL);
    EXPECT_EQ(c.revision, 1);
    EXPECT_EQ(c.comparator_count, 3);
    EXPECT_TRUE(c.counter_64bit);
    EXPECT_TRUE(c.legacy_replacement);
    EXPECT_EQ(c.vendor_id, 0x8086);
    EXPECT_EQ(c.period_fs, 10'000'000u);
    hpet::Capabilities narrow = hpet::decode_capabilities(0x1f01);  // 32 comparators, 32-bit counter
    EXPECT_EQ(narrow.comparator_count, 32);
    EXPECT_FALSE(narrow.counter_64bit);
    EXPECT_EQ(narrow.period_fs, 0u);
}

}  // namespace
}  // namespace x86_64
