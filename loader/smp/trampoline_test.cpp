#include "loader/smp/trampoline.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "loader/smp/trampoline_labels.hpp"

namespace loader::smp {
namespace {

size_t at(const uint8_t* label) {
    return static_cast<size_t>(label - smp_trampoline_start);
}

template <typename T>
T read(const std::vector<uint8_t>& page, const uint8_t* label, size_t extra = 0) {
    T value;
    std::memcpy(&value, page.data() + at(label) + extra, sizeof value);
    return value;
}

TrampolineSetup example_setup() {
    TrampolineSetup setup{};
    setup.page_physical = 0x8000;
    setup.hhdm_offset = 0xffff800000000000ULL;
    setup.registers = ApControlRegisters{0x80010033, 0x6a0, 0x900};
    setup.temporary_cr3 = 0x7f000000;
    setup.kernel_cr3 = 0x123456000ULL;  // above 4 GiB on purpose
    setup.gdtr_base_virtual = 0xffff80000badc000ULL;
    setup.gdtr_limit = 55;
    setup.code_selector = 0x28;
    setup.data_selector = 0x30;
    setup.set_pat = true;
    setup.pat = 0x0007010500070406ULL;
    setup.enable_x2apic = true;
    return setup;
}

TEST(Trampoline, FitsInOnePageWithAlignedSharedFlags) {
    EXPECT_GT(trampoline_size(), 0x40u);
    EXPECT_LE(trampoline_size(), 4096u);
    // The flags the BSP polls and the 64-bit fields the AP loads are
    // naturally aligned (atomic single accesses).
    EXPECT_EQ(at(smp_tp_alive) % 4, 0u);
    EXPECT_EQ(at(smp_tp_started) % 4, 0u);
    EXPECT_EQ(at(smp_tp_stack_top) % 8, 0u);
    EXPECT_EQ(at(smp_tp_info) % 8, 0u);
    EXPECT_EQ(at(smp_tp_park) % 8, 0u);
    EXPECT_EQ(at(smp_tp_kernel_cr3) % 8, 0u);
    EXPECT_EQ(at(smp_trampoline_gdt) % 8, 0u);
    EXPECT_EQ(park_offset(), at(smp_trampoline_park));
}

TEST(Trampoline, StartsWithCliCldAtOffsetZero) {
    std::vector<uint8_t> page(4096, 0xcc);
    install_trampoline(page.data(), example_setup());
    EXPECT_EQ(page[0], 0xfa);  // cli: the SIPI starts the AP at offset 0
    EXPECT_EQ(page[1], 0xfc);  // cld
    // The code is copied as assembled; the GDT after it is filled from
    // lib/x86_64/descriptors.hpp (checked below).
    EXPECT_EQ(std::memcmp(page.data(), smp_trampoline_start, at(smp_trampoline_gdt)), 0);
}

TEST(Trampoline, PositionDependentFieldsPointIntoThePage) {
    std::vector<uint8_t> page(4096, 0);
    TrampolineSetup setup = example_setup();
    install_trampoline(page.data(), setup);

    EXPECT_EQ(read<uint16_t>(page, smp_tp_temporary_gdtr), 7 * 8 - 1);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_temporary_gdtr, 2), 0x8000 + at(smp_trampoline_gdt));
    EXPECT_EQ(read<uint32_t>(page, smp_tp_far_jump_32), 0x8000 + at(smp_trampoline_protected_mode));
    EXPECT_EQ(read<uint16_t>(page, smp_tp_far_jump_32, 4), 0x18);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_far_jump_64), 0x8000 + at(smp_trampoline_long_mode));
    EXPECT_EQ(read<uint16_t>(page, smp_tp_far_jump_64, 4), 0x28);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_park), setup.hhdm_offset + 0x8000 + park_offset());
}

TEST(Trampoline, BootWideParametersAreWritten) {
    std::vector<uint8_t> page(4096, 0);
    TrampolineSetup setup = example_setup();
    install_trampoline(page.data(), setup);
    EXPECT_EQ(read<uint16_t>(page, smp_tp_kernel_gdtr), 55);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_kernel_gdtr, 2), setup.gdtr_base_virtual);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_cr0), 0x80010033u);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_cr4), 0x6a0u);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_efer_set), 0x900u);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_temporary_cr3), 0x7f000000u);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_kernel_cr3), 0x123456000ULL);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_code_selector), 0x28u);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_data_selector), 0x30u);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_set_pat), 1u);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_pat), setup.pat);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_enable_x2apic), 1u);

    setup.enable_x2apic = false;
    setup.set_pat = false;
    install_trampoline(page.data(), setup);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_enable_x2apic), 0u);
    EXPECT_EQ(read<uint32_t>(page, smp_tp_set_pat), 0u);
}

TEST(Trampoline, TemporaryGdtMatchesTheProtocolLayout) {
    std::vector<uint8_t> page(4096, 0);
    install_trampoline(page.data(), example_setup());
    auto descriptor = [&](size_t selector) { return read<uint64_t>(page, smp_trampoline_gdt, selector); };
    auto access = [&](size_t selector) { return (descriptor(selector) >> 40) & 0xff; };
    auto flags = [&](size_t selector) { return (descriptor(selector) >> 52) & 0xf; };
    EXPECT_EQ(descriptor(0), 0u);
    EXPECT_EQ(access(0x18) & 0x9a, 0x9au);  // present, code, readable
    EXPECT_EQ(flags(0x18), 0xcu);           // G + D: 32-bit, 4 GiB
    EXPECT_EQ(access(0x20) & 0x92, 0x92u);  // present, data, writable
    EXPECT_EQ(flags(0x20), 0xcu);
    EXPECT_EQ(access(0x28) & 0x9a, 0x9au);
    EXPECT_EQ(flags(0x28), 0xau);  // G + L: 64-bit code, D clear
    EXPECT_EQ(access(0x30) & 0x92, 0x92u);
}

TEST(Trampoline, PerApParametersAndFlags) {
    std::vector<uint8_t> page(4096, 0);
    install_trampoline(page.data(), example_setup());
    page[at(smp_tp_alive)] = 2;
    page[at(smp_tp_started)] = 1;
    set_ap_parameters(page.data(), 0xffff800001234000ULL, 0xffff800000555020ULL);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_stack_top), 0xffff800001234000ULL);
    EXPECT_EQ(read<uint64_t>(page, smp_tp_info), 0xffff800000555020ULL);
    EXPECT_EQ(read_ap_alive(page.data()), 0u);
    EXPECT_EQ(read_ap_started(page.data()), 0u);
    page[at(smp_tp_alive)] = kApAliveX2apic;
    page[at(smp_tp_started)] = 1;
    EXPECT_EQ(read_ap_alive(page.data()), kApAliveX2apic);
    EXPECT_EQ(read_ap_started(page.data()), 1u);
}

TEST(Trampoline, LocalApicProgramFillsItsTable) {
    std::vector<uint8_t> page(4096, 0);
    install_trampoline(page.data(), example_setup());
    EXPECT_EQ(read<uint32_t>(page, smp_tp_lapic_count), 0u);  // nothing until set
    EXPECT_EQ(at(smp_tp_lapic_count) % 4, 0u);
    EXPECT_LE(at(smp_tp_lapic_writes) + 8 * kMaxLapicWrites, trampoline_size());
    std::vector<acpi::LocalNmi> nmis = {
        acpi::LocalNmi{acpi::LocalNmi::kAllProcessors, 1, acpi::InterruptFlags{}, false}};
    LapicProgram program = entry_lapic_program({nmis.data(), nmis.size()}, 0, 6);
    set_ap_lapic_program(page.data(), program);
    ASSERT_EQ(read<uint32_t>(page, smp_tp_lapic_count), program.count);
    for (uint32_t i = 0; i < program.count; ++i) {
        EXPECT_EQ(read<uint32_t>(page, smp_tp_lapic_writes, 8 * i), program.writes[i].offset);
        EXPECT_EQ(read<uint32_t>(page, smp_tp_lapic_writes, 8 * i + 4), program.writes[i].value);
    }
    EXPECT_EQ(read<uint32_t>(page, smp_tp_lapic_writes), 0xf0u);  // the SVR first
}

TEST(ApControlRegisters, OnlyWhatBaseRevision5Allows) {
    // A typical OVMF BSP: CR0 = PG|WP|NE|ET|MP|PE plus CD; CR4 =
    // OSXMMEXCPT|OSFXSR|PGE|MCE|PAE plus OSXSAVE and SMEP: none of the extras
    // reach the AP.
    uint64_t bsp_cr0 = 0x80010033ULL | (1ULL << 30);
    uint64_t bsp_cr4 = 0x6e0ULL | (1ULL << 18) | (1ULL << 20);
    ApControlRegisters registers = ap_control_registers(bsp_cr0, bsp_cr4, false, true);
    EXPECT_EQ(registers.cr0, 0x80010011u);
    EXPECT_EQ(registers.cr4, 0x20u);
    EXPECT_EQ(registers.efer_set, efer::kLongModeEnable | efer::kNoExecuteEnable);
}

TEST(ApControlRegisters, MinimalBspAndFiveLevelPaging) {
    ApControlRegisters registers = ap_control_registers(0, 0, true, false);
    EXPECT_EQ(registers.cr0, cr0::kProtectionEnable | cr0::kPaging | cr0::kWriteProtect | cr0::kExtensionType);
    EXPECT_EQ(registers.cr4, cr4::kPhysicalAddressExtension | cr4::kFiveLevelPaging);
    EXPECT_EQ(registers.efer_set, efer::kLongModeEnable);
}

TEST(TemporaryTables, FourLevelsMapTheFirstTwoMegabytes) {
    std::vector<uint64_t> tables(kTemporaryTablePages * 512, 0);
    uint64_t cr3 = build_temporary_tables(tables.data(), 0x70000, false);
    EXPECT_EQ(cr3, 0x70000u);
    EXPECT_EQ(tables[0], 0x71003u);    // PML4[0] -> PDPT
    EXPECT_EQ(tables[512], 0x72003u);  // PDPT[0] -> PD
    EXPECT_EQ(tables[1024], 0x83u);    // PD[0]: 2 MiB page at 0, present, writable
    EXPECT_EQ(tables[1536], 0u);       // fourth page unused
    for (size_t i = 0; i < tables.size(); ++i)
        if (i % 512 != 0) EXPECT_EQ(tables[i], 0u) << i;
}

TEST(TemporaryTables, FiveLevelsAddAPml5) {
    std::vector<uint64_t> tables(kTemporaryTablePages * 512, 0);
    uint64_t cr3 = build_temporary_tables(tables.data(), 0x200000, true);
    EXPECT_EQ(cr3, 0x200000u);
    EXPECT_EQ(tables[0], 0x201003u);
    EXPECT_EQ(tables[512], 0x202003u);
    EXPECT_EQ(tables[1024], 0x203003u);
    EXPECT_EQ(tables[1536], 0x83u);
}

}  // namespace
}  // namespace loader::smp
