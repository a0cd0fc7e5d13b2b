// In-kernel checks of the ACPI tables the firmware really gave this boot
// (run with test=acpi). The MADT and FADT exist on every machine; HPET and
// MCFG are checked on QEMU's q35 only (its pc machine has no MCFG).
#include "kernel/boot/boot_info.hpp"
#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/test/machine.hpp"

namespace {

void ensure_initialized() {
    if (!acpi::initialized()) acpi::init();
}

}  // namespace

KTEST(acpi, rsdp_and_root_table_are_valid) {
    ensure_initialized();
    KASSERT(boot::info().rsdp_physical != 0);
    KEXPECT(acpi::platform().tables.found_rsdp());
    KEXPECT(acpi::platform().tables.uses_xsdt());  // OVMF gives ACPI 2.0+
    KEXPECT_GE(acpi::platform().tables.tables().size(), 4u);
}

KTEST(acpi, madt_lists_every_cpu_the_loader_started) {
    ensure_initialized();
    const acpi::MadtInfo* madt = acpi::madt();
    KASSERT(madt != nullptr);
    KEXPECT_EQ(madt->usable_cpu_count(), boot::info().cpu_count);
    // The BSP's APIC ID is among them.
    bool found_bsp = false;
    for (const acpi::LocalApic& cpu : madt->cpu_list())
        if (cpu.apic_id == boot::info().bsp_lapic_id) found_bsp = true;
    KEXPECT(found_bsp);
    KEXPECT_EQ(madt->local_apic_address, 0xfee00000u);
}

KTEST(acpi, madt_has_an_io_apic_and_the_pit_override) {
    ensure_initialized();
    const acpi::MadtInfo* madt = acpi::madt();
    KASSERT(madt != nullptr);
    KASSERT_NE(madt->io_apic_count, 0u);
    KEXPECT_EQ(madt->io_apics[0].gsi_base, 0u);
    KEXPECT_EQ(madt->isa_irq_to_gsi(0), 2u);  // QEMU routes the PIT to GSI 2
}

KTEST(acpi, fadt_is_found_with_a_pm_timer) {
    ensure_initialized();
    const acpi::FadtInfo* fadt = acpi::fadt();
    KASSERT(fadt != nullptr);
    KEXPECT(fadt->has_pm_timer());
    KEXPECT_NE(fadt->sci_interrupt, 0);
    KEXPECT(!acpi::table_bytes(acpi::Signature::of("DSDT")).empty());
}

KTEST(acpi, q35_has_hpet_and_mcfg) {
    if (ktest::Machine m = ktest::machine(); m != ktest::Machine::kQemuQ35)
        KSKIP("not a QEMU q35 machine but {}", ktest::machine_name(m));
    ensure_initialized();
    const acpi::HpetInfo* hpet = acpi::hpet();
    KASSERT(hpet != nullptr);
    KEXPECT_EQ(hpet->base.address, 0xfed00000u);
    KEXPECT_GE(hpet->comparator_count, 3);
    const acpi::McfgInfo* mcfg = acpi::mcfg();
    KASSERT(mcfg != nullptr);
    KEXPECT_NE(mcfg->find(0, 0), nullptr);
}

KTEST(acpi, no_problems_in_the_firmware_tables) {
    ensure_initialized();
    KEXPECT_EQ(acpi::platform().problems.count(), 0u);
}

KTEST(acpi, tables_are_read_at_their_hhdm_address_through_write_back_pages) {
    ensure_initialized();
    // Every record's bytes are at HHDM + physical, whichever revision's HHDM
    // the loader gave (from revision 3 ACPI memory need not be in it: the
    // kernel maps the tables itself), and cached: memory, not registers.
    for (const acpi::TableRecord& table : acpi::platform().tables.tables()) {
        KEXPECT_EQ(table.bytes.data(), boot::phys_to_virt<const uint8_t>(table.physical));
        arch::Translation t = arch::translate(reinterpret_cast<uint64_t>(table.bytes.data()), boot::info().hhdm_offset);
        KEXPECT(t.present);
        KEXPECT_EQ(t.physical, table.physical);
        KEXPECT_EQ(t.pat_index, uint8_t(x86_64::paging::CacheType::kWriteBack));
        KEXPECT(!t.executable);
    }
}

KTEST(acpi, print_summary_runs) {
    ensure_initialized();
    acpi::print_summary();  // the boot log's ACPI section, for the test log
    KEXPECT(acpi::initialized());
}

KTEST(acpi, window_refuses_mmio_holes_and_wraparound) {
    const acpi::PhysicalWindow& window = acpi::table_window();
    uint64_t rsdp = boot::info().rsdp_physical;
    KASSERT(rsdp != 0);
    KEXPECT_EQ(window.view(rsdp, 20).size(), 20u);
    KEXPECT(window.view(0xfec00000, 16).empty());             // the IO-APIC's MMIO: not table memory
    KEXPECT(window.view(0xffff'ffff'ffff'fff8, 16).empty());  // wraps around
    KEXPECT(window.view(1ull << 50, 16).empty());             // far beyond RAM
    KEXPECT_EQ(window.view(0x1000, 16).size(), 16u);          // the legacy area below 1 MiB
}

// QEMU's DSDT (q35 and pc alike) defines \_S5 as Package(){0, 0, 0, 0}:
// soft-off is SLP_TYP 0 on the PIIX4/ICH9 PM1 control register.
KTEST(acpi, soft_off_sleep_type_is_found_in_the_dsdt) {
    ensure_initialized();
    auto s5 = acpi::soft_off_sleep_type();
    KASSERT(s5.has_value());
    KEXPECT_EQ(s5->a, 0);
    KEXPECT_EQ(s5->b, 0);
    const acpi::FadtInfo* fadt = acpi::fadt();
    KASSERT(fadt != nullptr);
    KEXPECT(fadt->pm1a_control.present());
    KEXPECT(!fadt->pm1b_control.present());
}
