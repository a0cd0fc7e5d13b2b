// The local APIC timer (Intel SDM Vol. 3A §11.5.4 "APIC Timer"): a 32-bit
// down-counter at the APIC bus/core crystal clock divided by the Divide
// Configuration register, in one-shot, periodic or TSC-deadline mode (LVT
// timer bits 17..18, Figure 11-8). In TSC-deadline mode (§11.5.4.1) the
// count registers are unused and the interrupt fires when the TSC reaches
// IA32_TSC_DEADLINE (MSR 0x6E0); writing 0 there disarms it.
#pragma once

#include <stdint.h>

namespace ktime::lapic_timer {

// Register offsets (Table 11-1).
inline constexpr uint16_t kLvtTimer = 0x320;
inline constexpr uint16_t kInitialCount = 0x380;
inline constexpr uint16_t kCurrentCount = 0x390;
inline constexpr uint16_t kDivideConfiguration = 0x3e0;

inline constexpr uint32_t kMsrTscDeadline = 0x6e0;

enum class Mode : uint32_t { kOneShot = 0, kPeriodic = 1u << 17, kTscDeadline = 2u << 17 };
inline constexpr uint32_t kMasked = 1u << 16;
// Divide Configuration (Figure 11-10): bits 0,1,3 = 1011b divide by 1.
inline constexpr uint32_t kDivideBy1 = 0b1011;

constexpr uint32_t lvt_value(uint8_t vector, Mode mode, bool masked) {
    return uint32_t(vector) | uint32_t(mode) | (masked ? kMasked : 0);
}

// Whether this CPU offers TSC-deadline mode (CPUID.01H:ECX bit 24).
bool tsc_deadline_supported();

// Raw programming of this CPU's timer.
void configure(uint8_t vector, Mode mode, bool masked);
void start_count(uint32_t initial_count);  // one-shot/periodic; 0 stops it
uint32_t current_count();
void set_tsc_deadline(uint64_t tsc);        // 0 disarms

}  // namespace ktime::lapic_timer
