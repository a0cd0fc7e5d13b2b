// Busy-wait delays measured with the time-stamp counter. After
// ExitBootServices there is no BS->Stall, so prepare() times a known stall
// with RDTSC once and start_aps() converts microseconds to TSC ticks with
// this. Pure arithmetic, tested on the host.
#pragma once

#include <stdint.h>

namespace loader::smp {

// The stall prepare() measures: long enough that the firmware's timer
// resolution (OVMF: ~1 us granularity, TCG scheduling jitter) is noise.
inline constexpr uint64_t kCalibrationMicroseconds = 10000;

// Below this rate the counter is considered not to run (a TSC that counts
// less than 1 tick per microsecond would make every delay meaningless).
inline constexpr uint64_t kMinimumTicksPerMicrosecond = 1;

class TscRate {
public:
    constexpr TscRate() = default;

    // `ticks` counted while `microseconds` elapsed. Invalid (is_valid()
    // false) when the counter did not visibly advance.
    static constexpr TscRate from_measurement(uint64_t ticks, uint64_t microseconds) {
        TscRate rate;
        if (microseconds == 0 || ticks / microseconds < kMinimumTicksPerMicrosecond) return rate;
        rate.ticks_ = ticks;
        rate.microseconds_ = microseconds;
        return rate;
    }

    constexpr bool is_valid() const { return microseconds_ != 0; }

    // Ticks for `microseconds`, rounded up, saturating instead of overflowing
    // (a delay can only get longer, never wrap into a short one).
    constexpr uint64_t ticks_for(uint64_t microseconds) const {
        if (!is_valid()) return 0;
        uint64_t whole = ticks_ / microseconds_;
        uint64_t remainder = ticks_ % microseconds_;
        uint64_t result;
        if (__builtin_mul_overflow(microseconds, whole, &result)) return UINT64_MAX;
        // remainder < microseconds_ (<= 2^64), so split to avoid overflow of
        // microseconds * remainder in the common case and saturate otherwise.
        uint64_t partial;
        if (__builtin_mul_overflow(microseconds, remainder, &partial)) return UINT64_MAX;
        uint64_t fraction = partial / microseconds_ + (partial % microseconds_ != 0 ? 1 : 0);
        if (__builtin_add_overflow(result, fraction, &result)) return UINT64_MAX;
        return result;
    }

    constexpr uint64_t ticks_per_millisecond() const { return ticks_for(1000); }

    // The other way, for reports: microseconds in `ticks`, rounded down
    // (0 when invalid; saturating).
    constexpr uint64_t microseconds_for(uint64_t ticks) const {
        if (!is_valid()) return 0;
        uint64_t whole = ticks / ticks_;
        uint64_t remainder = ticks % ticks_;
        uint64_t result;
        if (__builtin_mul_overflow(whole, microseconds_, &result)) return UINT64_MAX;
        uint64_t partial;
        if (__builtin_mul_overflow(remainder, microseconds_, &partial)) return UINT64_MAX;
        if (__builtin_add_overflow(result, partial / ticks_, &result)) return UINT64_MAX;
        return result;
    }

private:
    uint64_t ticks_ = 0;
    uint64_t microseconds_ = 0;
};

}  // namespace loader::smp
