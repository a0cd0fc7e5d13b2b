// The PCI Express memory-mapped configuration table ("MCFG", PCI Firmware
// Specification 3.2 §4.1.2, Table 4-3): one ECAM window per segment and bus
// range. ACPI 6.5 Table 5.6 reserves the signature.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/diagnostics.hpp"
#include "lib/span.hpp"

namespace acpi {

struct EcamRange {
    uint64_t base;  // ECAM base: bus b's config space is at base + (b << 20)
    uint16_t segment;
    uint8_t start_bus;
    uint8_t end_bus;
};

struct McfgInfo {
    static constexpr size_t kMaxRanges = 16;

    EcamRange ranges[kMaxRanges];
    size_t range_count = 0;

    lib::Span<const EcamRange> range_list() const { return {ranges, range_count}; }
    // The range covering (segment, bus), or null.
    const EcamRange* find(uint16_t segment, uint8_t bus) const;
};

// Decodes a validated MCFG; bad entries are reported and skipped.
void parse_mcfg(lib::Bytes table, McfgInfo& out, Diagnostics& problems);

}  // namespace acpi
