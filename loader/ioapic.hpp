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
// delivery mode fixed or lowest priority.
constexpr bool should_mask(uint32_t redirection_low) {
    x86_64::io_apic::Delivery delivery = x86_64::io_apic::RedirectionEntry::decode(redirection_low).delivery;
    return delivery == x86_64::io_apic::Delivery::kFixed || delivery == x86_64::io_apic::Delivery::kLowestPriority;
}

// Masks those entries on every I/O APIC in the list (MMIO, identity-mapped).
void mask_all(const IoApicList& list);

}  // namespace loader::ioapic
