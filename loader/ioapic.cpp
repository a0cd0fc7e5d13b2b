// The I/O APIC masking at hand-off; see ioapic.hpp.
#include "loader/ioapic.hpp"

namespace loader::ioapic {

using namespace x86_64::io_apic;

IoApicList list_from_madt(const acpi::MadtInfo* madt) {
    IoApicList list;
    if (madt == nullptr) return list;
    for (const acpi::IoApic& io_apic : madt->io_apic_list()) {
        bool seen = false;
        for (size_t i = 0; i < list.count; ++i) seen |= list.addresses[i] == io_apic.address;
        if (!seen && list.count < kMaxIoApics) list.addresses[list.count++] = io_apic.address;
    }
    return list;
}

#ifndef HOST_TEST
namespace {
uint32_t read_register(uint64_t base, uint8_t index) {
    *reinterpret_cast<volatile uint32_t*>(base + kRegisterSelect) = index;
    return *reinterpret_cast<volatile uint32_t*>(base + kRegisterWindow);
}
void write_register(uint64_t base, uint8_t index, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(base + kRegisterSelect) = index;
    *reinterpret_cast<volatile uint32_t*>(base + kRegisterWindow) = value;
}
}  // namespace

void mask_all(const IoApicList& list, uint64_t base_revision) {
    for (size_t i = 0; i < list.count; ++i) {
        uint64_t base = list.addresses[i];
        uint32_t entries = redirection_entry_count(read_register(base, kVersionRegister));
        for (uint32_t entry = 0; entry < entries; ++entry) {
            uint32_t low = read_register(base, redirection_low(entry));
            if (should_mask(low, base_revision))
                write_register(base, redirection_low(entry), low | uint32_t(RedirectionEntry::kMaskBit));
        }
    }
}
#endif

}  // namespace loader::ioapic
