// Masking the IO-APICs' fixed and lowest-priority interrupts before the
// kernel runs (facts sheet §3). The MADT lists the IO-APICs (ACPI 6.5
// §5.2.12.3, entry type 1); each is programmed through IOREGSEL/IOWIN
// (Intel 82093AA IO-APIC datasheet §3.1: version register 0x01 gives the
// highest redirection entry in bits 23:16; entry n is registers 0x10 + 2n
// (low dword: bit 16 mask, bits 10:8 delivery mode) and 0x11 + 2n).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace loader::ioapic {

inline constexpr size_t kMaxIoApics = 16;

struct IoApicList {
    uint64_t addresses[kMaxIoApics];
    size_t count = 0;
};

// The IO-APIC MMIO addresses of a MADT (the whole table, header included).
// Entries past the table's end or shorter than their type needs end the
// walk; more than kMaxIoApics are ignored. kTruncated if the table is shorter
// than its fixed part.
lib::Expected<IoApicList> parse_madt_ioapics(lib::Bytes madt);

// Whether a redirection entry's low dword is one the facts sheet wants masked:
// delivery mode fixed (000) or lowest priority (001).
constexpr bool should_mask(uint32_t redirection_low) {
    uint32_t delivery_mode = (redirection_low >> 8) & 7;
    return delivery_mode == 0 || delivery_mode == 1;
}
inline constexpr uint32_t kRedirectionMask = 1u << 16;

// Masks those entries on every IO-APIC in the list (MMIO, identity-mapped).
void mask_all(const IoApicList& list);

}  // namespace loader::ioapic
