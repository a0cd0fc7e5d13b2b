// Clocks of known frequency that the TSC and the local APIC timer are
// calibrated against, best first: the HPET (found through ACPI's HPET
// table), the ACPI PM timer (the FADT's PM_TMR_BLK), the 8254 PIT's channel
// 2. Each is read as a 64-bit count that only grows (the drivers:
// kernel/arch/x86_64/timers.hpp); the narrow ones hold while they are read
// at least once per wrap, true of the calibration and test loops, which poll
// continuously.
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
