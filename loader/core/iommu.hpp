// IOMMUs and how the loader turns them off before the kernel runs, as base
// revision 5 asks unless the kernel sent the Keep IOMMU request
// (docs/limine-protocol.md §7, §8): a kernel that knows nothing of IOMMUs
// must not find DMA remapped behind its back.
//
// Where they are: Intel VT-d units in the DMAR table's DMA Remapping
// Hardware Unit Definitions (Intel VT-d specification §8.1, §8.3), AMD-Vi
// units in the IVRS table's I/O Virtualization Hardware Definitions of types
// 10h, 11h and 40h (AMD I/O Virtualization Technology specification §5.2.2).
// How they go off:
// - VT-d (§11.4.4, §11.4.5): GCMD (offset 18h, write-only) takes the whole
//   command state at once, built from GSTS (1Ch) with the one-shot bits
//   (set root table pointer 30, set fault log 29, write buffer flush 27, set
//   interrupt remap table pointer 24) cleared; translation (TE, bit 31) goes
//   off first, then interrupt remapping (IRE, 25), which uses queued
//   invalidation, then queued invalidation (QIE, 26); each change is done
//   when GSTS shows it.
// - AMD-Vi (§3.4.3, §3.4.7): the command buffer, the event, PPR and guest
//   virtual APIC logs and their interrupts off in the control register (18h),
//   then, once the status register (2020h) says none of them runs, IommuEn.
// Pure: the registers are reached through RegisterAccess, so host tests give
// a simulated unit; every wait is bounded.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"

namespace loader::iommu {

enum class Kind : uint8_t { kVtd, kAmdVi };

struct Unit {
    Kind kind;
    uint64_t registers;  // physical base of the register block
};

// The units a DMAR or IVRS table (whole, header included) lists, at most
// `capacity`; malformed structures end the walk.
size_t find_vtd_units(lib::Bytes dmar, Unit* out, size_t capacity);
size_t find_amdvi_units(lib::Bytes ivrs, Unit* out, size_t capacity);

struct RegisterAccess {
    uint32_t (*read32)(void* context, uint64_t address);
    void (*write32)(void* context, uint64_t address, uint32_t value);
    void* context;
};

enum class Outcome : uint8_t { kWasOff, kTurnedOff, kStuck };
const char* outcome_name(Outcome outcome);

// Polls of a status register before giving up on a change: far more than
// hardware takes (it acts in microseconds).
inline constexpr uint32_t kMaxPolls = 10'000'000;

Outcome turn_off(const Unit& unit, const RegisterAccess& access);

}  // namespace loader::iommu
