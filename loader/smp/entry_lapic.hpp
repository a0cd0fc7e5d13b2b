// The local APIC state base revision 5 pins down for the kernel's entry, on
// the BSP and on every AP (docs/limine-protocol.md §7): the APIC software-
// enabled with the spurious vector 0xFF (SVR 0x1FF), task priority 0, every
// local vector table entry masked, and LINT0/LINT1 set up (still masked) as
// NMI inputs where the MADT's Local APIC NMI structures say so (ACPI 6.5
// §5.2.12.7 and §5.2.12.13, x2APIC form). Pure: the register writes for one CPU, which the
// BSP applies to itself (loader/limine_boot.cpp) and hands to each AP's
// trampoline (trampoline.S writes them, in order, before it parks).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/madt.hpp"
#include "lib/span.hpp"

namespace loader::smp {

// One register write: the offset in the xAPIC page (Intel SDM Vol. 3A
// Table 11-1; in x2APIC mode the MSR 0x800 + offset / 16) and the value.
struct LapicWrite {
    uint32_t offset;
    uint32_t value;
};

inline constexpr size_t kMaxLapicWrites = 10;

struct LapicProgram {
    LapicWrite writes[kMaxLapicWrites];
    uint32_t count = 0;
};

// The writes for the CPU whose ACPI processor UID is `processor_uid`, whose
// local APIC reports `max_lvt_entry` (Version register bits 16..23: the
// number of LVT entries minus one, SDM §11.4.8), given the MADT's local NMI
// structures. The SVR comes first: while the APIC is software-disabled its
// LVT mask bits cannot be cleared (SDM §11.4.7.2).
LapicProgram entry_lapic_program(lib::Span<const acpi::LocalNmi> local_nmis, uint32_t processor_uid,
                                 unsigned max_lvt_entry);

}  // namespace loader::smp
