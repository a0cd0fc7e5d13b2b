// Host tests of ISA IRQ resolution through MADT overrides and of the I/O
// APIC redirection entry encoding (82093AA datasheet §3.2.4).
#include "kernel/arch/x86_64/irq_routing.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "kernel/arch/x86_64/io_apic_registers.hpp"

namespace arch {
namespace {

using acpi::InterruptFlags;
using acpi::Polarity;
using acpi::TriggerMode;

std::unique_ptr<acpi::MadtInfo> qemu_like_madt() {
    auto madt = std::make_unique<acpi::MadtInfo>();
    madt->io_apics[0] = {0, 0xfec00000, 0};
    madt->io_apic_count = 1;
    // What QEMU's q35 reports: IRQ 0 -> GSI 2; IRQ 9 level, active high;
    // and an active-low level override as real chipsets have for the SCI.
    madt->overrides[0] = {0, 0, 2, InterruptFlags{}};
    madt->overrides[1] = {0, 9, 9, InterruptFlags{Polarity::kActiveHigh, TriggerMode::kLevel}};
    madt->overrides[2] = {0, 11, 20, InterruptFlags{Polarity::kActiveLow, TriggerMode::kLevel}};
    madt->override_count = 3;
    return madt;
}

TEST(IsaIrqLine, WithoutMadtIsIdentityHighEdge) {
    EXPECT_EQ(irq::isa_irq_line(nullptr, 1), (irq::Line{1, false, false}));
    EXPECT_EQ(irq::isa_irq_line(nullptr, 15), (irq::Line{15, false, false}));
}

TEST(IsaIrqLine, OverridesMoveAndReshapeLines) {
    auto madt = qemu_like_madt();
    EXPECT_EQ(irq::isa_irq_line(madt.get(), 0), (irq::Line{2, false, false}));  // conforms = ISA: high, edge
    EXPECT_EQ(irq::isa_irq_line(madt.get(), 1), (irq::Line{1, false, false}));  // no override
    EXPECT_EQ(irq::isa_irq_line(madt.get(), 9), (irq::Line{9, false, true}));
    EXPECT_EQ(irq::isa_irq_line(madt.get(), 11), (irq::Line{20, true, true}));
}

TEST(GsiLine, PciDefaultsAreLowLevel) {
    EXPECT_EQ(irq::gsi_line(16, InterruptFlags{}), (irq::Line{16, true, true}));
    EXPECT_EQ(irq::gsi_line(16, InterruptFlags{Polarity::kActiveHigh, TriggerMode::kEdge}), (irq::Line{16, false, false}));
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
}

TEST(IoApicRegisters, IndexesAndVersion) {
    EXPECT_EQ(io_apic::redirection_low(0), 0x10);
    EXPECT_EQ(io_apic::redirection_high(0), 0x11);
    EXPECT_EQ(io_apic::redirection_low(23), 0x3e);
    EXPECT_EQ(io_apic::redirection_entry_count(0x00170020), 24u);  // QEMU: version 0x20, max entry 23
    EXPECT_EQ(io_apic::version_of(0x00170020), 0x20);
}

}  // namespace
}  // namespace arch
