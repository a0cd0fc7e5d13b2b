#include "loader/smp/trampoline.hpp"

#include "loader/smp/trampoline_labels.hpp"
#include "lib/x86_64/descriptors.hpp"
#include "lib/x86_64/page_table.hpp"

namespace loader::smp {
namespace {

using x86_64::paging::kEntriesPerTable;
using x86_64::paging::pte::kLargePage;  // PS in a PD entry: a 2 MiB page
using x86_64::paging::pte::kPresent;
using x86_64::paging::pte::kWritable;

size_t offset_of(const uint8_t* label) {
    return static_cast<size_t>(label - smp_trampoline_start);
}

// Parameter stores go through volatile pointers: the page is read by
// another processor, so the compiler must neither drop nor merge them.
// Byte by byte, little-endian: some fields (the GDTR base) are not aligned.
template <typename T>
void store(uint8_t* page, const uint8_t* label, T value) {
    volatile uint8_t* field = page + offset_of(label);
    for (size_t i = 0; i < sizeof(T); ++i) field[i] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i));
}

template <typename T>
T load(const uint8_t* page, const uint8_t* label) {
    return *reinterpret_cast<const volatile T*>(page + offset_of(label));
}

}  // namespace

ApControlRegisters ap_control_registers(uint64_t bsp_cr0, uint64_t bsp_cr4, bool five_level_paging, bool nx) {
    ApControlRegisters registers{};
    // Base revision 5's entry state (docs/limine-protocol.md §7), which the
    // BSP gets too (handoff.S): nothing but the bits long mode needs. The
    // BSP's own values no longer matter; the parameters stay for callers.
    (void)bsp_cr0;
    (void)bsp_cr4;
    registers.cr0 = static_cast<uint32_t>(cr0::kProtectionEnable | cr0::kPaging | cr0::kWriteProtect |
                                          cr0::kExtensionType);
    uint64_t value = cr4::kPhysicalAddressExtension;
    if (five_level_paging) value |= cr4::kFiveLevelPaging;
    registers.cr4 = static_cast<uint32_t>(value);

    registers.efer_set = uint32_t(efer::kLongModeEnable | (nx ? efer::kNoExecuteEnable : 0));
    return registers;
}

uint64_t build_temporary_tables(uint64_t* tables, uint64_t tables_physical, bool five_level_paging) {
    // Chain: [PML5 ->] PML4 -> PDPT -> PD, each entry 0 pointing at the next
    // page; the PD's entry 0 maps physical 0..2 MiB with one large page.
    size_t levels = five_level_paging ? 4 : 3;
    for (size_t level = 0; level + 1 < levels; ++level) {
        volatile uint64_t* table = tables + level * kEntriesPerTable;
        uint64_t next_physical = tables_physical + (level + 1) * 4096;
        table[0] = next_physical | kPresent | kWritable;
    }
    volatile uint64_t* page_directory = tables + (levels - 1) * kEntriesPerTable;
    page_directory[0] = 0 | kPresent | kWritable | kLargePage;
    return tables_physical;
}

size_t trampoline_size() {
    return offset_of(smp_trampoline_end);
}

size_t park_offset() {
    return offset_of(smp_trampoline_park);
}

void install_trampoline(uint8_t* page, const TrampolineSetup& setup) {
    volatile uint8_t* destination = page;
    for (size_t i = 0; i < trampoline_size(); ++i) destination[i] = smp_trampoline_start[i];

    const uint32_t base = static_cast<uint32_t>(setup.page_physical);
    // GDTR: limit (kept from the image), then the 32-bit linear base.
    store<uint32_t>(page, smp_tp_temporary_gdtr + 2, base + static_cast<uint32_t>(offset_of(smp_trampoline_gdt)));
    // The temporary GDT: the protocol's layout (docs/limine-protocol.md §3),
    // accessed bits preset so the CPU never writes to it.
    for (size_t i = 0; i < x86_64::limine_gdt::kSegmentCount; ++i)
        store<uint64_t>(page, smp_trampoline_gdt + 8 * i, x86_64::limine_gdt::kSegments[i]);
    store<uint32_t>(page, smp_tp_far_jump_32, base + static_cast<uint32_t>(offset_of(smp_trampoline_protected_mode)));
    store<uint32_t>(page, smp_tp_far_jump_64, base + static_cast<uint32_t>(offset_of(smp_trampoline_long_mode)));

    store<uint16_t>(page, smp_tp_kernel_gdtr, setup.gdtr_limit);
    store<uint64_t>(page, smp_tp_kernel_gdtr + 2, setup.gdtr_base_virtual);

    store<uint32_t>(page, smp_tp_cr0, setup.registers.cr0);
    store<uint32_t>(page, smp_tp_cr4, setup.registers.cr4);
    store<uint32_t>(page, smp_tp_efer_set, setup.registers.efer_set);
    store<uint32_t>(page, smp_tp_temporary_cr3, setup.temporary_cr3);
    store<uint32_t>(page, smp_tp_set_pat, setup.set_pat ? 1 : 0);
    store<uint32_t>(page, smp_tp_enable_x2apic, setup.enable_x2apic ? 1 : 0);
    store<uint64_t>(page, smp_tp_kernel_cr3, setup.kernel_cr3);
    store<uint64_t>(page, smp_tp_code_selector, setup.code_selector);
    store<uint64_t>(page, smp_tp_data_selector, setup.data_selector);
    store<uint64_t>(page, smp_tp_pat, setup.pat);
    store<uint64_t>(page, smp_tp_park, setup.hhdm_offset + setup.page_physical + park_offset());
}

void set_ap_parameters(uint8_t* page, uint64_t stack_top_virtual, uint64_t info_virtual) {
    store<uint64_t>(page, smp_tp_stack_top, stack_top_virtual);
    store<uint64_t>(page, smp_tp_info, info_virtual);
    store<uint32_t>(page, smp_tp_started, 0);
    store<uint32_t>(page, smp_tp_alive, 0);
}

void set_ap_lapic_program(uint8_t* page, const LapicProgram& program) {
    uint32_t count = program.count < kMaxLapicWrites ? program.count : uint32_t(kMaxLapicWrites);
    for (uint32_t i = 0; i < count; ++i) {
        store<uint32_t>(page, smp_tp_lapic_writes + 8 * i, program.writes[i].offset);
        store<uint32_t>(page, smp_tp_lapic_writes + 8 * i + 4, program.writes[i].value);
    }
    store<uint32_t>(page, smp_tp_lapic_count, count);
}

uint32_t read_ap_started(const uint8_t* page) {
    return load<uint32_t>(page, smp_tp_started);
}

uint32_t read_ap_alive(const uint8_t* page) {
    return load<uint32_t>(page, smp_tp_alive);
}

}  // namespace loader::smp
