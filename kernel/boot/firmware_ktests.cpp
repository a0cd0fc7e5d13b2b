// In-kernel tests of what the kernel reaches outside RAM, once its own page
// tables replaced the loader's: the firmware tables whose pointers the loader
// gave (physical or HHDM as the revision in force says, docs/limine-protocol.md
// §7; BootInfo holds them as physical addresses) read through the kernel's
// own mappings, and the device registers the drivers use mapped uncached at
// HHDM + physical. They hold under every base revision, which is the point:
// from revision 3 the loader's HHDM has none of this (kernel/mm/mmio.hpp).
// Run with test=firmware (or test=all).
#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/irq/irq.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/mm/mmio.hpp"
#include "kernel/test/ktest.hpp"
#include "lib/string_view.hpp"

namespace {

bool has_signature(uint64_t physical, const char* signature) {
    lib::StringView expected(signature);
    auto mapped = mm::map_firmware(physical, expected.size());
    if (!mapped) return false;
    return lib::StringView(static_cast<const char*>(*mapped), expected.size()) == expected;
}

// The mapping at HHDM + physical: present, to `physical`, with `cache`.
void expect_mapped(uint64_t physical, mm::CacheType cache) {
    arch::Translation t = arch::translate(boot::info().hhdm_offset + physical, boot::info().hhdm_offset);
    KEXPECT(t.present);
    KEXPECT_EQ(t.physical, physical);
    KEXPECT_EQ(t.pat_index, uint8_t(cache));
    KEXPECT(!t.executable);
}

}  // namespace

KTEST(firmware, rsdp_smbios_and_efi_system_table_carry_their_signatures) {
    const boot::BootInfo& info = boot::info();
    KASSERT(info.rsdp_physical != 0);
    KEXPECT(has_signature(info.rsdp_physical, "RSD PTR "));  // ACPI 6.5 §5.2.5.3
    auto rsdp = mm::map_firmware(info.rsdp_physical, 20);
    KASSERT(rsdp.has_value());
    uint8_t sum = 0;  // the first 20 bytes sum to 0
    for (int i = 0; i < 20; ++i) sum = uint8_t(sum + static_cast<const uint8_t*>(*rsdp)[i]);
    KEXPECT_EQ(sum, uint8_t(0));
    // OVMF gives both SMBIOS entry points (SMBIOS 3.7 §5.2.1, §5.2.2).
    KEXPECT(info.smbios_entry32_physical != 0 || info.smbios_entry64_physical != 0);
    if (info.smbios_entry32_physical) KEXPECT(has_signature(info.smbios_entry32_physical, "_SM_"));
    if (info.smbios_entry64_physical) KEXPECT(has_signature(info.smbios_entry64_physical, "_SM3_"));
    KASSERT(info.efi_system_table_physical != 0);
    KEXPECT(has_signature(info.efi_system_table_physical, "IBI SYST"));  // UEFI 2.10 §4.3.1
    // Read where the HHDM puts them, cached.
    expect_mapped(info.rsdp_physical, mm::CacheType::kWriteBack);
    expect_mapped(info.efi_system_table_physical, mm::CacheType::kWriteBack);
}

KTEST(firmware, device_registers_are_mapped_uncached) {
    // SDM Vol. 3A §12.3: memory-mapped I/O is UC. The local APIC (xAPIC
    // mode), every I/O APIC the interrupt layer drives and the HPET (when
    // the clock uses it) are mapped by the kernel, at HHDM + physical.
    if (uint64_t lapic = arch::local_apic_registers_physical()) expect_mapped(lapic, mm::CacheType::kUncached);
    const acpi::MadtInfo* madt = acpi::madt();
    KASSERT(madt != nullptr);
    if (irq::available())
        for (const acpi::IoApic& io_apic : madt->io_apic_list())
            expect_mapped(io_apic.address, mm::CacheType::kUncached);
    if (const acpi::HpetInfo* hpet = acpi::hpet()) {
        arch::Translation t = arch::translate(boot::info().hhdm_offset + hpet->base.address, boot::info().hhdm_offset);
        if (t.present) expect_mapped(hpet->base.address, mm::CacheType::kUncached);
    }
}

KTEST(firmware, device_memory_is_refused_as_firmware_data_and_ram_as_registers) {
    // A page mapped uncached stays so: map_firmware reads it as it is...
    uint64_t lapic = arch::local_apic_registers_physical();
    if (lapic) {
        KEXPECT(mm::map_firmware(lapic, 4).has_value());
        expect_mapped(lapic, mm::CacheType::kUncached);
    }
    // ...and memory the direct map holds write-back is never turned into
    // "registers": a hostile table naming RAM gets an error.
    auto frame = mm::frames().allocate();
    KASSERT(frame.has_value());
    KEXPECT(!mm::map_mmio(*frame, 16).has_value());
    expect_mapped(*frame, mm::CacheType::kWriteBack);
    mm::frames().free(*frame);
    KEXPECT(!mm::map_mmio(0xffff'ffff'ffff'fff0ULL, 32).has_value());  // wraps
    KEXPECT(!mm::map_firmware(1ULL << 50, 16).has_value());            // beyond the direct map
}
