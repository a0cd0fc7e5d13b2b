// The I/O APICs the MADT lists (ACPI 6.5 §5.2.12.3; Intel 82093AA datasheet):
// each serves the global system interrupts [gsi_base, gsi_base + inputs).
// init() maps every one, reads how many inputs it has and masks them all;
// the routing layer (irq.hpp) then programs single entries.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/io_apic_registers.hpp"
#include "lib/expected.hpp"

namespace arch::io_apic {

struct ChipInfo {
    uint8_t id;          // from the MADT
    uint8_t version;     // IOAPICVER bits 0..7
    uint32_t address;    // physical
    uint32_t gsi_base;
    uint32_t inputs;     // redirection entries
};

// Maps and masks every I/O APIC of acpi::madt(); logs one line per chip.
// Returns how many are usable (0 without a MADT or I/O APIC).
size_t init();
size_t chip_count();
ChipInfo chip(size_t index);

// Whether some I/O APIC has an input for `gsi`.
bool serves(uint32_t gsi);

// Writes the redirection entry of `gsi` (high dword first while masked, so
// a half-written entry never fires: datasheet §3.2.4).
lib::Expected<void> write_entry(uint32_t gsi, const RedirectionEntry& entry);
lib::Expected<RedirectionEntry> read_entry(uint32_t gsi);
lib::Expected<void> set_masked(uint32_t gsi, bool masked);

}  // namespace arch::io_apic
