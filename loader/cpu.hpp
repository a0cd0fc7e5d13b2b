// Tiny wrappers around the x86_64 instructions the loader needs (Intel SDM
// Vol. 2). Raw asm stays in these one-line functions.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/instructions.hpp"

namespace loader::cpu {

// The instruction wrappers shared with the kernel (lib/x86_64/instructions.hpp).
using x86_64::cli;
using x86_64::CpuidResult;
using x86_64::cpuid;
using x86_64::hlt;
using x86_64::inb;
using x86_64::memory_fence;
using x86_64::outb;
using x86_64::pause;
using x86_64::rdmsr;
using x86_64::rdtsc;
using x86_64::read_cr0;
using x86_64::read_cr4;
using x86_64::wrmsr;

// CPU features the loader asks about (lib/x86_64/cpuid.hpp).
inline bool has_1gib_pages() {
    return x86_64::has(x86_64::feature::kPage1GiB);
}
inline bool has_nx() {
    return x86_64::has(x86_64::feature::kNoExecute);
}
inline bool has_pat() {
    return x86_64::has(x86_64::feature::kPat);
}
inline bool has_la57() {
    return x86_64::has(x86_64::feature::kFiveLevelPaging);
}
inline bool has_rdrand() {
    return x86_64::has(x86_64::feature::kRdrand);
}

// A random 64-bit number: RDRAND when it delivers (CF=1, SDM Vol. 2B RDRAND;
// retried a few times as Intel recommends), else the TSC stirred.
inline uint64_t random64() {
    if (has_rdrand()) {
        for (int attempt = 0; attempt < 10; ++attempt) {
            uint64_t value;
            if (x86_64::rdrand64(value)) return value;
        }
    }
    uint64_t x = rdtsc();
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;  // a 64-bit finaliser (MurmurHash3's fmix64)
    x ^= x >> 33;
    return x;
}

inline uint32_t mmio_read32(uint64_t address) {
    return *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(address));
}
inline void mmio_write32(uint64_t address, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(address)) = value;
}

}  // namespace loader::cpu
