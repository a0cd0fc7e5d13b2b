// Host tests of IOMMU discovery (DMAR and IVRS walks, hostile lengths) and of
// the turn-off sequences against simulated VT-d and AMD-Vi register blocks
// that act as the specifications say (GCMD commands reflected in GSTS, the
// AMD-Vi engines stopping a while after they are told to).
#include "loader/core/iommu.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace loader::iommu {
namespace {

std::vector<uint8_t> table(const char* signature, std::vector<std::vector<uint8_t>> structures) {
    std::vector<uint8_t> t(48, 0);
    std::memcpy(t.data(), signature, 4);
    for (auto& s : structures) t.insert(t.end(), s.begin(), s.end());
    uint32_t length = uint32_t(t.size());
    std::memcpy(t.data() + 4, &length, 4);
    return t;
}

std::vector<uint8_t> structure(uint16_t type, uint16_t length, uint64_t base, bool one_byte_type = false) {
    std::vector<uint8_t> s(length < 4 ? 4 : length, 0);  // room for type and length
    if (one_byte_type)
        s[0] = uint8_t(type);
    else
        std::memcpy(s.data(), &type, 2);
    std::memcpy(s.data() + 2, &length, 2);
    if (length >= 16) std::memcpy(s.data() + 8, &base, 8);
    return s;
}

TEST(Iommu, DmarListsEachRemappingUnit) {
    // Two DRHDs around a reserved-memory (RMRR, type 1) structure.
    auto dmar = table("DMAR", {structure(0, 16, 0xfed90000), structure(1, 24, 0x1234), structure(0, 24, 0xfed91000)});
    Unit units[4];
    ASSERT_EQ(find_vtd_units({dmar.data(), dmar.size()}, units, 4), 2u);
    EXPECT_EQ(units[0].registers, 0xfed90000u);
    EXPECT_EQ(units[1].registers, 0xfed91000u);
    EXPECT_EQ(units[0].kind, Kind::kVtd);
    EXPECT_EQ(find_vtd_units({dmar.data(), dmar.size()}, units, 1), 1u);  // capacity respected
}

TEST(Iommu, IvrsListsEveryHardwareDefinitionType) {
    auto ivrs = table("IVRS", {structure(0x10, 24, 0xfeb80000, true), structure(0x20, 32, 0, true),
                               structure(0x11, 40, 0xfeb90000, true), structure(0x40, 40, 0xfeba0000, true)});
    Unit units[4];
    ASSERT_EQ(find_amdvi_units({ivrs.data(), ivrs.size()}, units, 4), 3u);
    EXPECT_EQ(units[2].registers, 0xfeba0000u);
    EXPECT_EQ(units[0].kind, Kind::kAmdVi);
}

TEST(Iommu, HostileLengthsEndTheWalk) {
    auto zero = table("DMAR", {structure(0, 16, 0xfed90000), structure(0, 0, 0)});
    Unit units[4];
    EXPECT_EQ(find_vtd_units({zero.data(), zero.size()}, units, 4), 1u);  // a 0-length structure stops it
    auto overlong = table("DMAR", {structure(0, 16, 0xfed90000)});
    overlong[48 + 2] = 0xff;  // longer than the table
    EXPECT_EQ(find_vtd_units({overlong.data(), overlong.size()}, units, 4), 0u);
    auto lying = table("DMAR", {structure(0, 16, 0xfed90000)});
    uint32_t huge = 0x10000000;
    std::memcpy(lying.data() + 4, &huge, 4);  // header longer than the bytes given
    EXPECT_EQ(find_vtd_units({lying.data(), lying.size()}, units, 4), 1u);
    EXPECT_EQ(find_vtd_units({lying.data(), 40}, units, 4), 0u);  // truncated
}

// A VT-d unit: GCMD writes take effect in GSTS after `delay` status reads;
// it records the order in which enables went off and any one-shot bit written.
struct VtdUnit {
    static constexpr uint32_t kOneShot = (1u << 30) | (1u << 29) | (1u << 27) | (1u << 24);
    uint32_t status = 0;
    uint32_t pending = 0;
    int delay = 3, countdown = 0;
    bool oneshot_written = false;
    bool never_acts = false;
    std::vector<uint32_t> cleared;

    static uint32_t read(void* context, uint64_t address) {
        auto* u = static_cast<VtdUnit*>(context);
        EXPECT_EQ(address, 0x1000u + 0x1c) << "only GSTS is read";
        if (u->countdown > 0 && --u->countdown == 0 && !u->never_acts) {
            // The enables follow the command; the status bits of one-shot
            // commands (root table pointer set, ...) stay as they were.
            uint32_t next = (u->status & kOneShot) | (u->pending & ~kOneShot);
            for (uint32_t bit = 1u << 31; bit; bit >>= 1)
                if ((u->status & bit) && !(next & bit)) u->cleared.push_back(bit);
            u->status = next;
        }
        return u->status;
    }
    static void write(void* context, uint64_t address, uint32_t value) {
        auto* u = static_cast<VtdUnit*>(context);
        EXPECT_EQ(address, 0x1000u + 0x18) << "only GCMD is written";
        if (value & kOneShot) u->oneshot_written = true;
        u->pending = value;
        u->countdown = u->delay;
    }
    RegisterAccess access() { return {&read, &write, this}; }
};

TEST(Iommu, VtdGoesOffInOrderWithoutOneShotCommands) {
    VtdUnit unit;
    // On: translation, queued invalidation, interrupt remapping; the root
    // table pointer status bit (30) set too, as after its one-shot command.
    unit.status = (1u << 31) | (1u << 30) | (1u << 26) | (1u << 25);
    EXPECT_EQ(turn_off(Unit{Kind::kVtd, 0x1000}, unit.access()), Outcome::kTurnedOff);
    EXPECT_EQ(unit.status & ((1u << 31) | (1u << 26) | (1u << 25)), 0u);
    EXPECT_EQ(unit.cleared, (std::vector<uint32_t>{1u << 31, 1u << 25, 1u << 26}));  // TE, IRE, QIE
    EXPECT_FALSE(unit.oneshot_written);
}

TEST(Iommu, VtdAlreadyOffIsLeftAlone) {
    VtdUnit unit;
    unit.status = 1u << 30;
    EXPECT_EQ(turn_off(Unit{Kind::kVtd, 0x1000}, unit.access()), Outcome::kWasOff);
    EXPECT_EQ(unit.countdown, 0);  // nothing written
}

TEST(Iommu, AUnitThatNeverActsIsReportedNotWaitedOnForever) {
    VtdUnit unit;
    unit.status = 1u << 31;
    unit.never_acts = true;
    unit.delay = 1;
    EXPECT_EQ(turn_off(Unit{Kind::kVtd, 0x1000}, unit.access()), Outcome::kStuck);
}

// An AMD-Vi unit: the engines named in the control register run (status)
// until `drain` status reads after they are told to stop.
struct AmdViUnit {
    uint32_t control = 0;
    uint32_t running = 0;
    int drain = 5;
    bool enable_cleared_while_running = false;

    static uint32_t read(void* context, uint64_t address) {
        auto* u = static_cast<AmdViUnit*>(context);
        if (address == 0x2000 + 0x18) return u->control;
        EXPECT_EQ(address, 0x2000u + 0x2020);
        if (u->running && --u->drain <= 0) u->running = 0;
        return u->running;
    }
    static void write(void* context, uint64_t address, uint32_t value) {
        auto* u = static_cast<AmdViUnit*>(context);
        EXPECT_EQ(address, 0x2000u + 0x18);
        if (!(value & 1) && u->running) u->enable_cleared_while_running = true;
        u->control = value;
    }
    RegisterAccess access() { return {&read, &write, this}; }
};

TEST(Iommu, AmdViStopsItsEnginesBeforeTheUnit) {
    AmdViUnit unit;
    unit.control = 1 | (1u << 2) | (1u << 12) | (1u << 28);  // IommuEn, event log, command buffer, GA log
    unit.running = (1u << 3) | (1u << 4);
    EXPECT_EQ(turn_off(Unit{Kind::kAmdVi, 0x2000}, unit.access()), Outcome::kTurnedOff);
    EXPECT_EQ(unit.control, 0u);
    EXPECT_FALSE(unit.enable_cleared_while_running);
    AmdViUnit off;
    EXPECT_EQ(turn_off(Unit{Kind::kAmdVi, 0x2000}, off.access()), Outcome::kWasOff);
}

}  // namespace
}  // namespace loader::iommu
