// The integer arithmetic of timekeeping (the kernel has no floating point):
// a frequency measured against a reference clock, and fixed-point factors
// that turn counter ticks into nanoseconds and back without overflowing.
// Pure logic, host-tested in calibration_test.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ktime {

inline constexpr uint64_t kNanosecondsPerSecond = 1'000'000'000;

// The frequency of a counter that advanced `counted` ticks while a reference
// of `reference_hz` advanced `reference_ticks` (0 if reference_ticks is 0).
uint64_t measured_frequency(uint64_t counted, uint64_t reference_ticks, uint64_t reference_hz);

// `value` * `numerator` / `denominator` with a 128-bit intermediate,
// saturated at UINT64_MAX (0 if the denominator is 0).
uint64_t scale(uint64_t value, uint64_t numerator, uint64_t denominator);

// ticks -> nanoseconds as (ticks * factor) >> 32, exact to about one part in
// 2^32 of the factor, valid for any tick count below 2^64 (128-bit product).
struct TicksToNanoseconds {
    uint64_t factor = 0;  // nanoseconds per tick, in 32.32 fixed point

    static TicksToNanoseconds for_frequency(uint64_t hz);
    // Inline: now_ns() runs it at every context switch.
    uint64_t operator()(uint64_t ticks) const { return uint64_t((static_cast<unsigned __int128>(ticks) * factor) >> 32); }
};

// The median of three samples: one disturbed measurement (the host
// preempted the virtual CPU, an SMI on real hardware) can not move it.
uint64_t median_of_three(uint64_t a, uint64_t b, uint64_t c);

// Rounds `hz` to whole MHz for the log ("2994 MHz").
inline constexpr uint64_t to_mhz(uint64_t hz) { return (hz + 500'000) / 1'000'000; }

// Parts-per-million difference of `measured` from `expected` (absolute).
uint64_t deviation_ppm(uint64_t measured, uint64_t expected);

}  // namespace ktime
