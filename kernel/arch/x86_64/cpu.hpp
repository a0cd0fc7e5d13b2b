// Small wrappers around privileged x86_64 instructions. Raw asm lives only
// in tiny functions like these (architecture guide §2.1).
#pragma once

#include <stdint.h>

#include "lib/x86_64/instructions.hpp"

namespace arch {

// The instruction wrappers shared with the loader (lib/x86_64/instructions.hpp).
using x86_64::cli;
using x86_64::CpuidResult;
using x86_64::cpuid;
using x86_64::hlt;
using x86_64::memory_fence;
using x86_64::pause;
using x86_64::rdmsr;
using x86_64::rdtsc;
using x86_64::read_cr0;
using x86_64::read_cr2;
using x86_64::read_cr3;
using x86_64::read_cr4;
using x86_64::read_rflags;
using x86_64::sti;
using x86_64::write_cr0;
using x86_64::wrmsr;

// Stops this CPU for good: interrupts off, halt forever (an NMI would
// resume the HLT, hence the loop).
[[noreturn]] inline void halt_forever() {
    for (;;) {
        cli();
        hlt();
    }
}

// DR6 says why a #DB happened (SDM Vol. 3A §18.2.3).
inline uint64_t read_dr6() { uint64_t v; asm volatile("mov %%dr6, %0" : "=r"(v)); return v; }
inline void write_dr6(uint64_t v) { asm volatile("mov %0, %%dr6" ::"r"(v)); }

// Control register and MSR bits the kernel checks (Intel SDM Vol. 3A §2.5,
// §2.2.1 for EFER).
inline constexpr uint64_t kCr0Pe = 1ULL << 0;
inline constexpr uint64_t kCr0Ts = 1ULL << 3;   // task switched: x87/SSE use raises #NM
inline constexpr uint64_t kCr0Wp = 1ULL << 16;
inline constexpr uint64_t kCr0Am = 1ULL << 18;   // alignment mask (with RFLAGS.AC, CPL 3 only)
inline constexpr uint64_t kCr0Pg = 1ULL << 31;
inline constexpr uint64_t kCr4Pae = 1ULL << 5;
inline constexpr uint64_t kCr4La57 = 1ULL << 12;
inline constexpr uint32_t kMsrEfer = 0xC0000080;
inline constexpr uint64_t kEferLme = 1ULL << 8;
inline constexpr uint64_t kEferNxe = 1ULL << 11;
inline constexpr uint32_t kMsrPat = 0x277;
inline constexpr uint64_t kRflagsTf = 1ULL << 8;   // single-step trap
inline constexpr uint64_t kRflagsIf = 1ULL << 9;
inline constexpr uint64_t kRflagsDf = 1ULL << 10;
inline constexpr uint64_t kRflagsAc = 1ULL << 18;  // alignment check / SMAP access control
inline constexpr uint64_t kDr6SingleStep = 1ULL << 14;  // BS (SDM §18.2.3)

}  // namespace arch
