// MCFG decoding (PCI Firmware Specification 3.2, Tables 4-3 and 4-4).
#include "kernel/acpi/mcfg.hpp"

#include "lib/bytes.hpp"

namespace acpi {

using lib::read_u16;
using lib::read_u64;
using lib::read_u8;
namespace {

constexpr size_t kEntriesOffset = 44;  // header + 8 reserved bytes
constexpr size_t kEntrySize = 16;      // base (8), segment (2), start bus, end bus, reserved (4)

}  // namespace

const EcamRange* McfgInfo::find(uint16_t segment, uint8_t bus) const {
    for (const EcamRange& range : range_list())
        if (range.segment == segment && range.start_bus <= bus && bus <= range.end_bus) return &range;
    return nullptr;
}

void parse_mcfg(lib::Bytes table, McfgInfo& out, Diagnostics& problems) {
    out = McfgInfo{};
    if (table.size() < kEntriesOffset) {
        problems.report(signature::kMcfg, "shorter than its 44-byte fixed part; ignored", table.size());
        return;
    }
    size_t entries = (table.size() - kEntriesOffset) / kEntrySize;
    if ((table.size() - kEntriesOffset) % kEntrySize != 0)
        problems.report(signature::kMcfg, "Length leaves a partial entry at the end; it is ignored", table.size());
    for (size_t i = 0; i < entries; ++i) {
        size_t at = kEntriesOffset + i * kEntrySize;
        EcamRange range{read_u64(table, at), read_u16(table, at + 8), read_u8(table, at + 10), read_u8(table, at + 11)};
        // ECAM gives each bus 1 MiB (PCIe Base Specification §7.2.2), so the
        // base must be 1 MiB aligned; an inverted bus range is meaningless.
        if (range.base == 0 || (range.base & 0xfffff) != 0) {
            problems.report(signature::kMcfg, "ECAM base is zero or not 1 MiB aligned; entry skipped", range.base);
            continue;
        }
        if (range.end_bus < range.start_bus) {
            problems.report(signature::kMcfg, "end bus below start bus; entry skipped", i);
            continue;
        }
        if (out.range_count == McfgInfo::kMaxRanges) {
            problems.report(signature::kMcfg, "more ECAM ranges than supported; extra ignored", entries);
            break;
        }
        out.ranges[out.range_count++] = range;
    }
}

}  // namespace acpi
