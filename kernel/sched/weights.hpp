// Nice levels and the weights the fair policy gives them.
//
// A nice level n in [-20, 19] (the range of setpriority(2) and nice(2))
// maps to a weight: nice 0 weighs 1024, and each level is 1.25x lighter than
// the one below it, so two CPU-bound threads one nice level apart share a
// CPU about 55 % : 45 % (1.25 : 1), whatever their absolute levels. Linux
// uses the same 1.25 ratio per level; the table here is computed from that
// rule at compile time (rounded to the nearest integer), not copied.
#pragma once

#include <stdint.h>

namespace sched {

inline constexpr int kNiceMin = -20;
inline constexpr int kNiceMax = 19;
inline constexpr uint32_t kNiceZeroWeight = 1024;

namespace detail {

// weight(n) = 1024 / 1.25^n = 1024 * 0.8^n, in exact integer steps:
// 0.8 = 4/5 and 1.25 = 5/4, carried in 40 fractional bits so that rounding
// happens once, at the end.
constexpr uint32_t nice_weight(int nice) {
    constexpr int kShift = 40;
    unsigned __int128 value = static_cast<unsigned __int128>(kNiceZeroWeight) << kShift;
    for (int i = 0; i < nice; ++i) value = value * 4 / 5;
    for (int i = 0; i > nice; --i) value = value * 5 / 4;
    return static_cast<uint32_t>((value + (static_cast<unsigned __int128>(1) << (kShift - 1))) >> kShift);
}

struct WeightTable {
    uint32_t weight[kNiceMax - kNiceMin + 1];
};

constexpr WeightTable make_weight_table() {
    WeightTable table{};
    for (int nice = kNiceMin; nice <= kNiceMax; ++nice) table.weight[nice - kNiceMin] = nice_weight(nice);
    return table;
}

inline constexpr WeightTable kWeights = make_weight_table();

}  // namespace detail

constexpr int clamp_nice(int nice) { return nice < kNiceMin ? kNiceMin : nice > kNiceMax ? kNiceMax : nice; }

// The weight of a nice level (clamped to the valid range).
constexpr uint32_t weight_of_nice(int nice) { return detail::kWeights.weight[clamp_nice(nice) - kNiceMin]; }

static_assert(weight_of_nice(0) == kNiceZeroWeight);
static_assert(weight_of_nice(19) >= 14, "the lightest weight stays large enough for integer vruntime steps");

}  // namespace sched
