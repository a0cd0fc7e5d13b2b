// Timekeeping arithmetic; see calibration.hpp.
#include "kernel/time/calibration.hpp"

namespace ktime {

using u128 = unsigned __int128;

namespace {

// A 128-by-64-bit division whose quotient fits in 64 bits, with one DIV
// (Intel SDM Vol. 2A, DIV: RDX:RAX / r64). The freestanding kernel has no
// compiler runtime for a general 128-bit division (__udivti3).
uint64_t divide_to_64(u128 dividend, uint64_t divisor) {
    uint64_t quotient, remainder;
    asm("divq %4" : "=a"(quotient), "=d"(remainder) : "a"(uint64_t(dividend)), "d"(uint64_t(dividend >> 64)), "r"(divisor));
    return quotient;
}

}  // namespace

uint64_t scale(uint64_t value, uint64_t numerator, uint64_t denominator) {
    if (denominator == 0) return 0;
    u128 product = u128(value) * numerator;
    // The quotient fits in 64 bits exactly when the high half is below the divisor (else DIV would fault).
    if (uint64_t(product >> 64) >= denominator) return UINT64_MAX;
    return divide_to_64(product, denominator);
}

uint64_t measured_frequency(uint64_t counted, uint64_t reference_ticks, uint64_t reference_hz) {
    return scale(counted, reference_hz, reference_ticks);
}

TicksToNanoseconds TicksToNanoseconds::for_frequency(uint64_t hz) {
    if (hz == 0) return {};
    return {(kNanosecondsPerSecond << 32) / hz};  // 10^9 * 2^32 < 2^64
}

uint64_t median_of_three(uint64_t a, uint64_t b, uint64_t c) {
    if (a > b) { uint64_t t = a; a = b; b = t; }
    if (b > c) { uint64_t t = b; b = c; c = t; }
    if (a > b) { uint64_t t = a; a = b; b = t; }
    return b;
}

uint64_t deviation_ppm(uint64_t measured, uint64_t expected) {
    if (expected == 0) return UINT64_MAX;
    uint64_t difference = measured > expected ? measured - expected : expected - measured;
    return scale(difference, 1'000'000, expected);
}

}  // namespace ktime
