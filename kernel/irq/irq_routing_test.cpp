// Host tests of ISA IRQ resolution through MADT overrides.
#include "kernel/irq/irq_routing.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace irq {
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
    EXPECT_EQ(isa_irq_line(nullptr, 1), (Line{1, false, false}));
    EXPECT_EQ(isa_irq_line(nullptr, 15), (Line{15, false, false}));
}

TEST(IsaIrqLine, OverridesMoveAndReshapeLines) {
    auto madt = qemu_like_madt();
    EXPECT_EQ(isa_irq_line(madt.get(), 0), (Line{2, false, false}));  // conforms = ISA: high, edge
    EXPECT_EQ(isa_irq_line(madt.get(), 1), (Line{1, false, false}));  // no override
    EXPECT_EQ(isa_irq_line(madt.get(), 9), (Line{9, false, true}));
    EXPECT_EQ(isa_irq_line(madt.get(), 11), (Line{20, true, true}));
}

TEST(GsiLine, PciDefaultsAreLowLevel) {
    EXPECT_EQ(gsi_line(16, InterruptFlags{}), (Line{16, true, true}));
    EXPECT_EQ(gsi_line(16, InterruptFlags{Polarity::kActiveHigh, TriggerMode::kEdge}), (Line{16, false, false}));
}

}  // namespace
}  // namespace irq
