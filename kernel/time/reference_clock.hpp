// Clocks of known frequency that the TSC and the local APIC timer are
// calibrated against, best first:
//   HPET        IA-PC HPET Specification 1.0a: the main counter (§2.3.1,
//               offset 0xF0), its period in femtoseconds in the General
//               Capabilities register (offset 0x00, bits 32..63, §2.3.4)
//   ACPI PM     ACPI 6.5 §4.8.3.3: 3.579545 MHz, 24 or 32 bits, in FADT's PM_TMR_BLK
//   8254 PIT    channel 2 as a free-running rate generator at 1.193182 MHz
//               (Intel 8254 data sheet, mode 2), gated through port 0x61
// Each is read as a 64-bit count that only grows; the narrow ones are
// extended in software, which holds while they are read at least once per
// wrap (4.6 s for a 24-bit PM timer, 55 ms for the PIT) — true of the
// calibration and test loops, which poll continuously.
#pragma once

#include <stdint.h>

#include "lib/string_view.hpp"

namespace ktime {

enum class ReferenceKind : uint8_t { kNone, kHpet, kPmTimer, kPit };

struct ReferenceClock {
    ReferenceKind kind = ReferenceKind::kNone;
    const char* name = "none";
    uint64_t hz = 0;
    uint64_t (*read)() = nullptr;

    bool present() const { return kind != ReferenceKind::kNone; }
};

// The best reference this machine offers, or the one `preference` names
// ("hpet", "pmtimer", "pit"; empty: the best) if it is present.
ReferenceClock select_reference_clock(lib::StringView preference);

// Each on its own, for tests (kind kNone when absent).
ReferenceClock hpet_reference();
ReferenceClock pm_timer_reference();
ReferenceClock pit_reference();

}  // namespace ktime
