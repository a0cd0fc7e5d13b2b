// Host tests of base revision 5's local APIC program: the order (SVR first),
// every LVT masked that the APIC has, and LINT NMI from the MADT for the
// right CPUs only.
#include "loader/smp/entry_lapic.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace loader::smp {
namespace {

std::map<uint32_t, uint32_t> as_map(const LapicProgram& program) {
    std::map<uint32_t, uint32_t> registers;
    for (uint32_t i = 0; i < program.count; ++i) {
        EXPECT_EQ(registers.count(program.writes[i].offset), 0u) << "written twice: " << program.writes[i].offset;
        registers[program.writes[i].offset] = program.writes[i].value;
    }
    return registers;
}

acpi::LocalNmi nmi(uint32_t uid, uint8_t lint, acpi::Polarity polarity = acpi::Polarity::kConforms) {
    return acpi::LocalNmi{uid, lint, acpi::InterruptFlags{polarity, acpi::TriggerMode::kConforms}, false};
}

TEST(EntryLapic, EnablesFirstThenMasksEveryLvtEntryWithoutNmis) {
    LapicProgram program = entry_lapic_program({}, 0, 6);
    ASSERT_GT(program.count, 0u);
    EXPECT_EQ(program.writes[0].offset, 0xf0u);  // SVR before any LVT
    EXPECT_EQ(program.writes[0].value, 0x1ffu);
    auto registers = as_map(program);
    EXPECT_EQ(registers.at(0x80), 0u);  // TPR
    for (uint32_t lvt : {0x2f0u, 0x320u, 0x330u, 0x340u, 0x350u, 0x360u, 0x370u})
        EXPECT_EQ(registers.at(lvt) & 0x10000u, 0x10000u) << std::hex << lvt;
    EXPECT_EQ(registers.size(), 9u);
}

TEST(EntryLapic, LeavesOutLvtEntriesTheApicDoesNotHave) {
    auto p6 = as_map(entry_lapic_program({}, 0, 4));  // no thermal, no CMCI
    EXPECT_EQ(p6.count(0x330), 0u);
    EXPECT_EQ(p6.count(0x2f0), 0u);
    EXPECT_EQ(p6.count(0x340), 1u);
    auto p4 = as_map(entry_lapic_program({}, 0, 5));  // thermal, no CMCI
    EXPECT_EQ(p4.count(0x330), 1u);
    EXPECT_EQ(p4.count(0x2f0), 0u);
}

TEST(EntryLapic, LintNmiForEveryProcessorOrJustTheOneNamed) {
    // QEMU's MADT: NMI on LINT1 of every processor (UID 0xFF).
    std::vector<acpi::LocalNmi> all = {nmi(acpi::LocalNmi::kAllProcessors, 1)};
    auto registers = as_map(entry_lapic_program({all.data(), all.size()}, 3, 6));
    EXPECT_EQ(registers.at(0x360), 0x10400u);  // NMI delivery, edge, active high, still masked
    EXPECT_EQ(registers.at(0x350), 0x10000u);  // LINT0 masked

    std::vector<acpi::LocalNmi> one = {nmi(2, 0, acpi::Polarity::kActiveLow)};
    auto cpu2 = as_map(entry_lapic_program({one.data(), one.size()}, 2, 6));
    EXPECT_EQ(cpu2.at(0x350), 0x10400u | (1u << 13));  // active low
    EXPECT_EQ(cpu2.at(0x360), 0x10000u);
    auto cpu3 = as_map(entry_lapic_program({one.data(), one.size()}, 3, 6));
    EXPECT_EQ(cpu3.at(0x350), 0x10000u);
}

TEST(EntryLapic, AHostileLintNumberIsIgnored) {
    std::vector<acpi::LocalNmi> bad = {nmi(acpi::LocalNmi::kAllProcessors, 7)};
    auto registers = as_map(entry_lapic_program({bad.data(), bad.size()}, 0, 6));
    EXPECT_EQ(registers.at(0x350), 0x10000u);
    EXPECT_EQ(registers.at(0x360), 0x10000u);
}

}  // namespace
}  // namespace loader::smp
