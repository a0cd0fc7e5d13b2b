// IOMMU discovery and turn-off; see iommu.hpp.
#include "loader/core/iommu.hpp"

#include "lib/bytes.hpp"

namespace loader::iommu {
namespace {

// Both tables: the ACPI header (36 bytes) and 12 more before the first
// structure (DMAR: host address width, flags, 10 reserved; IVRS: IVinfo and
// 8 reserved).
constexpr size_t kFirstStructure = 48;

namespace vtd {
constexpr uint64_t kGlobalCommand = 0x18;
constexpr uint64_t kGlobalStatus = 0x1c;
constexpr uint32_t kTranslationEnable = 1u << 31;
constexpr uint32_t kQueuedInvalidationEnable = 1u << 26;
constexpr uint32_t kInterruptRemappingEnable = 1u << 25;
// GSTS bits that must not be written back into GCMD: the one-shot commands.
constexpr uint32_t kOneShotCommands = (1u << 30) | (1u << 29) | (1u << 27) | (1u << 24);
}  // namespace vtd

namespace amdvi {
constexpr uint64_t kControl = 0x18;
constexpr uint64_t kStatus = 0x2020;
constexpr uint32_t kIommuEnable = 1u << 0;
constexpr uint32_t kEventLogEnable = 1u << 2, kEventInterruptEnable = 1u << 3;
constexpr uint32_t kCommandBufferEnable = 1u << 12;
constexpr uint32_t kPprLogEnable = 1u << 13, kPprInterruptEnable = 1u << 14, kPprEnable = 1u << 15;
constexpr uint32_t kGaLogEnable = 1u << 28, kGaInterruptEnable = 1u << 29;
constexpr uint32_t kEngines = kEventLogEnable | kEventInterruptEnable | kCommandBufferEnable | kPprLogEnable |
                              kPprInterruptEnable | kPprEnable | kGaLogEnable | kGaInterruptEnable;
// Status: event log, command buffer, PPR log and GA log running.
constexpr uint32_t kRunning = (1u << 3) | (1u << 4) | (1u << 7) | (1u << 8);
}  // namespace amdvi

template <typename Accept>
size_t walk_structures(lib::Bytes table, size_t type_width, Accept accept, Unit* out, size_t capacity, Kind kind) {
    size_t count = 0;
    uint32_t length = lib::read_u32(table, 4);
    if (length > table.size()) length = uint32_t(table.size());
    for (size_t at = kFirstStructure; at + 4 <= length && count < capacity;) {
        uint16_t type = type_width == 2 ? lib::read_u16(table, at) : lib::read_u8(table, at);
        uint16_t size = lib::read_u16(table, at + 2);
        if (size < 4 || at + size > length) break;
        if (accept(type) && size >= 16) out[count++] = Unit{kind, lib::read_u64(table, at + 8)};
        at += size;
    }
    return count;
}

// Waits until (status & mask) == want; false after kMaxPolls reads.
bool wait_for(const RegisterAccess& access, uint64_t address, uint32_t mask, uint32_t want) {
    for (uint32_t i = 0; i < kMaxPolls; ++i)
        if ((access.read32(access.context, address) & mask) == want) return true;
    return false;
}

Outcome turn_off_vtd(uint64_t base, const RegisterAccess& access) {
    uint32_t status = access.read32(access.context, base + vtd::kGlobalStatus);
    constexpr uint32_t kOrder[] = {vtd::kTranslationEnable, vtd::kInterruptRemappingEnable,
                                   vtd::kQueuedInvalidationEnable};
    if ((status & (kOrder[0] | kOrder[1] | kOrder[2])) == 0) return Outcome::kWasOff;
    for (uint32_t bit : kOrder) {
        if ((status & bit) == 0) continue;
        access.write32(access.context, base + vtd::kGlobalCommand, (status & ~vtd::kOneShotCommands) & ~bit);
        if (!wait_for(access, base + vtd::kGlobalStatus, bit, 0)) return Outcome::kStuck;
        status = access.read32(access.context, base + vtd::kGlobalStatus);
    }
    return Outcome::kTurnedOff;
}

Outcome turn_off_amdvi(uint64_t base, const RegisterAccess& access) {
    uint32_t control = access.read32(access.context, base + amdvi::kControl);
    if ((control & amdvi::kIommuEnable) == 0) return Outcome::kWasOff;
    control &= ~amdvi::kEngines;
    access.write32(access.context, base + amdvi::kControl, control);
    if (!wait_for(access, base + amdvi::kStatus, amdvi::kRunning, 0)) return Outcome::kStuck;
    access.write32(access.context, base + amdvi::kControl, control & ~amdvi::kIommuEnable);
    return (access.read32(access.context, base + amdvi::kControl) & amdvi::kIommuEnable) ? Outcome::kStuck
                                                                                         : Outcome::kTurnedOff;
}

}  // namespace

size_t find_vtd_units(lib::Bytes dmar, Unit* out, size_t capacity) {
    // Remapping structure type 0 (DRHD): register base at offset 8.
    return walk_structures(
        dmar, 2, [](uint16_t type) { return type == 0; }, out, capacity, Kind::kVtd);
}

size_t find_amdvi_units(lib::Bytes ivrs, Unit* out, size_t capacity) {
    // IVHD types 10h, 11h, 40h: IOMMU base address at offset 8.
    return walk_structures(
        ivrs, 1, [](uint16_t type) { return type == 0x10 || type == 0x11 || type == 0x40; }, out, capacity,
        Kind::kAmdVi);
}

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::kWasOff: return "was off";
        case Outcome::kTurnedOff: return "turned off";
        case Outcome::kStuck: return "did not turn off";
    }
    return "?";
}

Outcome turn_off(const Unit& unit, const RegisterAccess& access) {
    return unit.kind == Kind::kVtd ? turn_off_vtd(unit.registers, access) : turn_off_amdvi(unit.registers, access);
}

}  // namespace loader::iommu
