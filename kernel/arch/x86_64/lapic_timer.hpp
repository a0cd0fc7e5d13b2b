// This CPU's local APIC timer (Intel SDM Vol. 3A §11.5.4 "APIC Timer"): a
// 32-bit down-counter at the APIC bus/core crystal clock divided by the
// Divide Configuration register, in one-shot, periodic or TSC-deadline mode
// (encodings: lib/x86_64/apic.hpp). In TSC-deadline mode (§11.5.4.1) the
// count registers are unused and the interrupt fires when the TSC reaches
// IA32_TSC_DEADLINE; writing 0 there disarms it. Policy (calibration, the
// tick, deadlines) is kernel/time's.
#pragma once

#include <stdint.h>

#include "lib/x86_64/apic.hpp"

namespace arch::lapic_timer {

using Mode = x86_64::apic::TimerMode;

// Whether this CPU offers TSC-deadline mode (CPUID.01H:ECX bit 24).
bool tsc_deadline_supported();

// Divide by 1, the LVT timer entry for `vector` in `mode`.
void configure(uint8_t vector, Mode mode, bool masked);
void start_count(uint32_t initial_count);  // one-shot/periodic; 0 stops it
uint32_t current_count();
void set_tsc_deadline(uint64_t tsc);  // 0 disarms

}  // namespace arch::lapic_timer
