// Masking the I/O APICs' fixed and lowest-priority interrupts before the
// kernel runs (docs/limine-protocol.md §3). The MADT lists the I/O APICs
// (ACPI 6.5 §5.2.12.3); each is programmed through its IOREGSEL/IOWIN pair
// (register facts: lib/x86_64/io_apic.hpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/madt.hpp"
#include "lib/x86_64/io_apic.hpp"

namespace loader::ioapic {

inline constexpr size_t kMaxIoApics = acpi::MadtInfo::kMaxIoApics;

struct IoApicList {
    uint64_t addresses[kMaxIoApics];
    size_t count = 0;
};

// The MADT's I/O APIC addresses, each once (`madt` null: none).
IoApicList list_from_madt(const acpi::MadtInfo* madt);

// Whether a redirection entry's low dword is one the protocol wants masked:
// delivery mode fixed or lowest priority; from base revision 5 also NMI and
// ExtINT (docs/limine-protocol.md §7).
constexpr bool should_mask(uint32_t redirection_low, uint64_t base_revision = 2) {
    using x86_64::io_apic::Delivery;
    Delivery delivery = x86_64::io_apic::RedirectionEntry::decode(redirection_low).delivery;
    if (delivery == Delivery::kFixed || delivery == Delivery::kLowestPriority) return true;
    return base_revision >= 5 && (delivery == Delivery::kNmi || delivery == Delivery::kExtInt);
}

// Masks those entries on every I/O APIC in the list (MMIO, identity-mapped).
void mask_all(const IoApicList& list, uint64_t base_revision);

}  // namespace loader::ioapic
