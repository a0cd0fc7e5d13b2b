// The load averages of /proc/loadavg (docs/scheduler.md "Load averages"):
// Linux's exponentially decayed 1-, 5- and 15-minute averages of the
// number of active threads (runnable, the running ones included; Linux
// adds uninterruptible sleepers, which this kernel does not have), sampled
// every 5 seconds in 11-bit fixed point with Linux's constants
// (kernel/sched/loadavg.c: FSHIFT 11, EXP_1 1884, EXP_5 2014, EXP_15 2037),
// so the same history gives the same figures.
//
// A CPU whose tick has stopped samples nothing: the next sample (a tick
// on any CPU, or a reader) applies the intervals missed with the count
// seen then, as Linux's NO_HZ catch-up does (calc_load_n). Pure
// arithmetic, host-tested (load_average_test.cpp).
#pragma once

#include <stdint.h>

namespace sched {

inline constexpr uint32_t kLoadShift = 11;
inline constexpr uint64_t kLoadOne = 1ull << kLoadShift;                       // 1.0 in fixed point
inline constexpr uint64_t kLoadExp[3] = {1884, 2014, 2037};                    // 2048 / e^(5 s / 1, 5, 15 min)
inline constexpr uint64_t kLoadIntervalNs = 5'000'000'000ull + 10'000'000ull;  // LOAD_FREQ: 5 s and a tick

// One sample: `load` decayed by `exp` towards `active` (fixed point),
// rounded up while the load rises (Linux's calc_load).
constexpr uint64_t decay_load(uint64_t load, uint64_t exp, uint64_t active) {
    uint64_t next = load * exp + active * (kLoadOne - exp);
    if (active >= load) next += kLoadOne - 1;
    return next / kLoadOne;
}

// exp^n in fixed point (rounded at each step, as Linux's fixed_power_int).
constexpr uint64_t power_of_exp(uint64_t exp, uint64_t n) {
    uint64_t result = kLoadOne;
    while (n) {
        if (n & 1) result = (result * exp + kLoadOne / 2) >> kLoadShift;
        n >>= 1;
        if (n) exp = (exp * exp + kLoadOne / 2) >> kLoadShift;
    }
    return result;
}

// `n` samples of the same `active` at once (calc_load_n).
constexpr uint64_t decay_load_n(uint64_t load, uint64_t exp, uint64_t active, uint64_t n) {
    return n == 1 ? decay_load(load, exp, active) : decay_load(load, power_of_exp(exp, n), active);
}

// The three averages and when the next sample is due.
class LoadAverage {
public:
    // Samples `active_threads` for every interval that ended by `now_ns`
    // (nothing when none did). The first interval ends kLoadIntervalNs
    // after the first call.
    void update(uint64_t now_ns, uint32_t active_threads) {
        if (next_ns_ == 0) next_ns_ = now_ns + kLoadIntervalNs;
        if (now_ns < next_ns_) return;
        uint64_t n = (now_ns - next_ns_) / kLoadIntervalNs + 1;
        uint64_t active = uint64_t(active_threads) * kLoadOne;
        for (int i = 0; i < 3; ++i) average_[i] = decay_load_n(average_[i], kLoadExp[i], active, n);
        next_ns_ += n * kLoadIntervalNs;
    }
    // When update() has work again.
    uint64_t next_ns() const { return next_ns_; }
    // Average `i` (0: 1 min, 1: 5 min, 2: 15 min) in fixed point.
    uint64_t average(int i) const { return average_[i]; }

private:
    uint64_t average_[3] = {};
    uint64_t next_ns_ = 0;
};

// An average as /proc/loadavg prints it ("%lu.%02lu"): its whole part and
// hundredths, rounded to the nearest hundredth (LOAD_INT/LOAD_FRAC after
// adding FIXED_1/200).
struct LoadFigure {
    uint64_t whole;
    uint32_t hundredths;
};
constexpr LoadFigure load_figure(uint64_t average) {
    uint64_t rounded = average + kLoadOne / 200;
    return {rounded >> kLoadShift, uint32_t(((rounded & (kLoadOne - 1)) * 100) >> kLoadShift)};
}

}  // namespace sched
