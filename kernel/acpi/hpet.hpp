// The HPET description table ("HPET", IA-PC HPET Specification 1.0a §3.2.4,
// Table 3): where the event timer block is and what it can do. ACPI 6.5
// Table 5.6 reserves the signature and points to that specification.
#pragma once

#include <stdint.h>

#include "kernel/acpi/generic_address.hpp"
#include "lib/acpi/diagnostics.hpp"
#include "lib/span.hpp"

namespace acpi {

struct HpetInfo {
    GenericAddress base;              // system memory, the register block's base
    uint8_t hardware_revision = 0;    // Event Timer Block ID bits 0..7
    uint8_t comparator_count = 0;     // bits 8..12 hold the count minus one
    bool counter_64bit = false;       // bit 13 COUNT_SIZE_CAP
    bool legacy_replacement = false;  // bit 15 LegacyReplacement IRQ routing capable
    uint16_t pci_vendor_id = 0;       // bits 16..31
    uint8_t hpet_number = 0;
    uint16_t minimum_tick = 0;    // main counter minimum clock tick in periodic mode
    uint8_t page_protection = 0;  // bits 0..3: 0 none, 1 4 KiB, 2 64 KiB
};

// Decodes a validated HPET table. Returns false (and reports) when it is too
// short or its base is unusable; `out` is then not to be used.
[[nodiscard]] bool parse_hpet(lib::Bytes table, HpetInfo& out, Diagnostics& problems);

}  // namespace acpi
