// Hardware counters narrower than 64 bits (a 24-bit ACPI PM timer, a 32-bit
// HPET, the 8254's 16-bit down-counter) extended to 64-bit counts that only
// grow. Correct while the counter is read at least once per wrap. Pure;
// host-tested in counter_test.cpp.
#pragma once

#include <stdint.h>

namespace lib {

// Extends a counter of `bits` bits that counts up, given the previous
// extended value.
constexpr uint64_t extend_counter(uint64_t previous_extended, uint64_t raw, unsigned bits) {
    if (bits >= 64) return raw;
    uint64_t mask = (1ULL << bits) - 1;
    return previous_extended + ((raw - (previous_extended & mask)) & mask);
}

// The same for a 16-bit counter that counts down (the 8254's): a reload from
// 1 to 0xffff (reload value 0 = 65536) is a step of 2, which 16-bit
// wrap-around arithmetic gets right.
constexpr uint64_t extend_down_counter16(uint64_t previous_extended, uint16_t previous_raw, uint16_t raw) {
    return previous_extended + uint16_t(previous_raw - raw);
}

}  // namespace lib
