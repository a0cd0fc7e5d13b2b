// HPET table decoding (IA-PC HPET Specification 1.0a, Table 3).
#include "kernel/acpi/hpet.hpp"

#include "lib/bytes.hpp"
#include "lib/x86_64/hpet.hpp"

namespace acpi {

using lib::read_u16;
using lib::read_u32;
using lib::read_u8;
namespace {

constexpr size_t kEventTimerBlockId = 36;
constexpr size_t kBaseAddress = 40;
constexpr size_t kHpetNumber = 52;
constexpr size_t kMinimumTick = 53;
constexpr size_t kPageProtection = 55;
constexpr size_t kLength = 56;

}  // namespace

bool parse_hpet(lib::Bytes table, HpetInfo& out, Diagnostics& problems) {
    out = HpetInfo{};
    if (table.size() < kLength) {
        problems.report(signature::kHpet, "shorter than its 56-byte layout; ignored", table.size());
        return false;
    }
    x86_64::hpet::Capabilities id = x86_64::hpet::decode_capabilities(read_u32(table, kEventTimerBlockId));
    out.hardware_revision = id.revision;
    out.comparator_count = id.comparator_count;
    out.counter_64bit = id.counter_64bit;
    out.legacy_replacement = id.legacy_replacement;
    out.pci_vendor_id = id.vendor_id;
    out.base = GenericAddress::decode(table, kBaseAddress);
    out.hpet_number = read_u8(table, kHpetNumber);
    out.minimum_tick = read_u16(table, kMinimumTick);
    out.page_protection = read_u8(table, kPageProtection);

    // The block is memory-mapped (HPET spec §2.3.1); anything else is garbage.
    if (out.base.space != AddressSpace::kSystemMemory) {
        problems.report(signature::kHpet, "base address is not in system memory; ignored (space id)",
                        static_cast<uint8_t>(out.base.space));
        return false;
    }
    if (!out.base.present() || (out.base.address & 0x3ff) != 0) {
        // The register block is 1 KiB and 1 KiB aligned (HPET spec §2.3.1).
        problems.report(signature::kHpet, "base address is zero or not 1 KiB aligned; ignored", out.base.address);
        return false;
    }
    return true;
}

}  // namespace acpi
