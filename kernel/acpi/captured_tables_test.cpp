// The parser against the tables QEMU and OVMF really produce (captured by
// tests/data/acpi/capture.py): q35 and pc machines, each with two CPUs, and
// q35 with four.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kernel/acpi/platform.hpp"
#include "lib/acpi/test_support.hpp"

namespace acpi {
namespace {

using test::FakeMemory;

std::string problems_text(const Diagnostics& problems) {
    std::string text;
    for (size_t i = 0; i < problems.count(); ++i)
        text += std::string(problems[i].table.text) + ": " + problems[i].message + "\n";
    return text;
}

struct Machine {
    FakeMemory memory;
    std::unique_ptr<Platform> platform = std::make_unique<Platform>();

    explicit Machine(const std::string& directory) {
        uint64_t rsdp = test::load_captured_machine(directory, memory);
        platform->parse(memory, rsdp);
    }
};

TEST(CapturedTables, Q35ParsesWithoutProblems) {
    Machine machine("q35");
    const Platform& p = *machine.platform;
    EXPECT_TRUE(p.problems.empty()) << problems_text(p.problems);
    EXPECT_TRUE(p.tables.found_rsdp());
    EXPECT_EQ(p.tables.rsdp().revision, 2);
    EXPECT_TRUE(p.tables.uses_xsdt());
    // The XSDT lists FACP, APIC, HPET, MCFG, WAET, BGRT; the DSDT joins
    // through the FADT.
    for (const char* name : {"FACP", "APIC", "HPET", "MCFG", "WAET", "BGRT", "DSDT"})
        EXPECT_EQ(p.tables.count(test::signature(name)), 1u) << name;
    EXPECT_EQ(p.tables.find(Signature::of("DSDT"))->physical, 0x7779000u);
    EXPECT_EQ(std::string(p.tables.find(Signature::of("APIC"))->header.oem_id), "BOCHS");
}

TEST(CapturedTables, Q35Madt) {
    Machine machine("q35");
    const MadtInfo& madt = machine.platform->madt;
    ASSERT_TRUE(machine.platform->has_madt);
    EXPECT_EQ(madt.local_apic_address, 0xfee00000u);
    EXPECT_TRUE(madt.pcat_compat);
    ASSERT_EQ(madt.cpu_count, 2u);
    EXPECT_EQ(madt.usable_cpu_count(), 2u);
    EXPECT_EQ(madt.cpus[0].apic_id, 0u);
    EXPECT_EQ(madt.cpus[1].apic_id, 1u);
    EXPECT_EQ(madt.cpus[1].processor_uid, 1u);
    ASSERT_EQ(madt.io_apic_count, 1u);
    EXPECT_EQ(madt.io_apics[0].address, 0xfec00000u);
    EXPECT_EQ(madt.io_apics[0].gsi_base, 0u);
    // QEMU: IRQ0 -> GSI2 (ISA conforming), IRQ 5, 9, 10, 11 level/active high.
    ASSERT_EQ(madt.override_count, 5u);
    EXPECT_EQ(madt.isa_irq_to_gsi(0), 2u);
    EXPECT_EQ(madt.isa_irq_to_gsi(1), 1u);
    const InterruptOverride* sci = madt.override_for_isa_irq(9);
    ASSERT_NE(sci, nullptr);
    EXPECT_EQ(sci->flags.trigger, TriggerMode::kLevel);
    EXPECT_EQ(sci->flags.polarity, Polarity::kActiveHigh);
    EXPECT_EQ(madt.override_for_isa_irq(0)->flags.trigger, TriggerMode::kConforms);
    ASSERT_EQ(madt.local_nmi_count, 1u);
    EXPECT_EQ(madt.local_nmis[0].processor_uid, LocalNmi::kAllProcessors);
    EXPECT_EQ(madt.local_nmis[0].lint, 1);
    EXPECT_EQ(madt.io_apic_for_gsi(9), &madt.io_apics[0]);
}

TEST(CapturedTables, Q35FadtHpetMcfg) {
    Machine machine("q35");
    const Platform& p = *machine.platform;
    ASSERT_TRUE(p.has_fadt);
    EXPECT_EQ(p.fadt.revision, 3);
    EXPECT_EQ(p.fadt.sci_interrupt, 9);
    EXPECT_EQ(p.fadt.dsdt_address, 0x7779000u);
    EXPECT_EQ(p.fadt.facs_address, 0x77dc000u);
    EXPECT_TRUE(p.fadt.has_pm_timer());
    EXPECT_EQ(p.fadt.pm_timer.space, AddressSpace::kSystemIo);
    EXPECT_EQ(p.fadt.pm_timer.address, 0x608u);
    EXPECT_EQ(p.fadt.pm_timer_bits, 24);
    EXPECT_TRUE(p.fadt.reset_supported);
    EXPECT_EQ(p.fadt.reset_register.space, AddressSpace::kSystemIo);
    EXPECT_EQ(p.fadt.reset_register.address, 0xcf9u);
    EXPECT_EQ(p.fadt.reset_value, 0x0f);
    EXPECT_TRUE(p.fadt.boot_architecture.has_8042());
    EXPECT_FALSE(p.fadt.boot_architecture.vga_not_present());
    EXPECT_EQ(p.fadt.century_register, 0x32);
    EXPECT_EQ(p.fadt.pm1a_control.address, 0x604u);
    EXPECT_EQ(p.fadt.pm1a_control.space, AddressSpace::kSystemIo);
    EXPECT_EQ(p.fadt.pm1a_control.bit_width, 16);
    EXPECT_FALSE(p.fadt.pm1b_control.present());

    ASSERT_TRUE(p.has_hpet);
    EXPECT_EQ(p.hpet.base.address, 0xfed00000u);
    EXPECT_EQ(p.hpet.base.space, AddressSpace::kSystemMemory);
    EXPECT_EQ(p.hpet.comparator_count, 3);
    EXPECT_EQ(p.hpet.pci_vendor_id, 0x8086);

    ASSERT_TRUE(p.has_mcfg);
    ASSERT_EQ(p.mcfg.range_count, 1u);
    EXPECT_EQ(p.mcfg.ranges[0].base, 0xb0000000u);
    EXPECT_EQ(p.mcfg.ranges[0].segment, 0);
    EXPECT_EQ(p.mcfg.ranges[0].start_bus, 0);
    EXPECT_EQ(p.mcfg.ranges[0].end_bus, 0xff);
    EXPECT_NE(p.mcfg.find(0, 3), nullptr);
    EXPECT_EQ(p.mcfg.find(1, 0), nullptr);

    lib::Bytes dsdt = p.tables.table_bytes(Signature::of("DSDT"));
    EXPECT_EQ(dsdt.size(), 8411u);
}

TEST(CapturedTables, Q35FourCpus) {
    Machine machine("q35-smp4");
    const Platform& p = *machine.platform;
    EXPECT_TRUE(p.problems.empty()) << problems_text(p.problems);
    ASSERT_EQ(p.madt.cpu_count, 4u);
    for (uint32_t i = 0; i < 4; ++i) {
        EXPECT_EQ(p.madt.cpus[i].apic_id, i);
        EXPECT_TRUE(p.madt.cpus[i].enabled);
    }
}

TEST(CapturedTables, PcAcpi1Fadt) {
    Machine machine("pc");
    const Platform& p = *machine.platform;
    EXPECT_TRUE(p.problems.empty()) << problems_text(p.problems);
    EXPECT_EQ(p.madt.cpu_count, 2u);
    EXPECT_EQ(p.madt.io_apic_count, 1u);
    // The pc machine's FADT is the 116-byte ACPI 1.0 layout: no reset
    // register, no boot architecture flags, the timer through PM_TMR_BLK.
    ASSERT_TRUE(p.has_fadt);
    EXPECT_EQ(p.fadt.revision, 1);
    EXPECT_EQ(p.fadt.length, 116u);
    EXPECT_FALSE(p.fadt.reset_supported);
    EXPECT_EQ(p.fadt.boot_architecture.raw, 0);
    EXPECT_TRUE(p.fadt.has_pm_timer());
    EXPECT_EQ(p.fadt.pm_timer.address, 0xb008u);
    EXPECT_EQ(p.fadt.pm_timer.space, AddressSpace::kSystemIo);
    EXPECT_EQ(p.fadt.pm_timer_bits, 24);
    EXPECT_EQ(p.fadt.dsdt_address, 0x777a000u);
    EXPECT_NE(p.tables.find(Signature::of("DSDT")), nullptr);
    EXPECT_TRUE(p.has_hpet);
    EXPECT_FALSE(p.has_mcfg);  // i440FX has no PCIe ECAM
}

}  // namespace
}  // namespace acpi
