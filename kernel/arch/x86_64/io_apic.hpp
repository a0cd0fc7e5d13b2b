// The I/O APIC driver (Intel 82093AA datasheet; register facts:
// lib/x86_64/io_apic.hpp): each chip serves the global system interrupts
// [gsi_base, gsi_base + inputs). Which chips exist and where their registers
// are mapped is the interrupt layer's business (kernel/irq/, from the MADT);
// it hands each chip to add_chip() and then programs single entries.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/x86_64/io_apic.hpp"

namespace arch::io_apic {

using x86_64::io_apic::Delivery;
using x86_64::io_apic::RedirectionEntry;

struct ChipInfo {
    uint8_t id;          // from the MADT
    uint8_t version;     // IOAPICVER bits 0..7
    uint64_t address;    // physical
    uint32_t gsi_base;
    uint32_t inputs;     // redirection entries
};

inline constexpr size_t kMaxChips = 16;

// Takes the chip whose registers are mapped (uncached) at `registers`: reads
// how many inputs it has and masks them all (the firmware may have left
// entries programmed for its own use). kDevice if nothing answers there,
// kOutOfMemory if kMaxChips are known already.
[[nodiscard]] lib::Expected<ChipInfo> add_chip(uint8_t id, volatile void* registers, uint64_t physical,
                                               uint32_t gsi_base);
size_t chip_count();
ChipInfo chip(size_t index);

// Whether some I/O APIC has an input for `gsi`.
bool serves(uint32_t gsi);

// Writes the redirection entry of `gsi` (high dword first while masked, so
// a half-written entry never fires: datasheet §3.2.4).
[[nodiscard]] lib::Expected<void> write_entry(uint32_t gsi, const RedirectionEntry& entry);
[[nodiscard]] lib::Expected<RedirectionEntry> read_entry(uint32_t gsi);
[[nodiscard]] lib::Expected<void> set_masked(uint32_t gsi, bool masked);

}  // namespace arch::io_apic
