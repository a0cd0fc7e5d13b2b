// A set of CPUs by index (0 = the boot CPU): thread affinity masks, the
// balancer's candidate sets, the targets of a cross-CPU call.
#pragma once

#include <stdint.h>

#include "lib/cpu_limit.hpp"

namespace lib {

class CpuSet {
public:
    constexpr CpuSet() = default;

    static constexpr CpuSet all() {
        CpuSet set;
        for (uint64_t& word : set.words_) word = ~0ULL;
        return set;
    }
    static constexpr CpuSet only(uint32_t cpu) {
        CpuSet set;
        set.add(cpu);
        return set;
    }

    constexpr void add(uint32_t cpu) {
        if (cpu < kMaxCpus) words_[cpu / 64] |= 1ULL << (cpu % 64);
    }
    constexpr void remove(uint32_t cpu) {
        if (cpu < kMaxCpus) words_[cpu / 64] &= ~(1ULL << (cpu % 64));
    }
    constexpr bool contains(uint32_t cpu) const {
        return cpu < kMaxCpus && (words_[cpu / 64] >> (cpu % 64)) & 1;
    }
    constexpr bool empty() const {
        for (uint64_t word : words_)
            if (word) return false;
        return true;
    }
    // The lowest CPU in the set below `limit`, or `limit` if none.
    constexpr uint32_t first(uint32_t limit) const {
        for (uint32_t cpu = 0; cpu < limit; ++cpu)
            if (contains(cpu)) return cpu;
        return limit;
    }
    constexpr bool operator==(const CpuSet& other) const {
        for (uint32_t i = 0; i < kWords; ++i)
            if (words_[i] != other.words_[i]) return false;
        return true;
    }

private:
    static constexpr uint32_t kWords = kMaxCpus / 64;
    uint64_t words_[kWords] = {};
};

}  // namespace lib
