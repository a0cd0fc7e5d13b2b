// The CPU as the kernel sees it: the instruction wrappers and register bits
// shared with the loader (lib/x86_64/), re-exported under arch::, plus the
// few operations only the kernel needs. Raw asm lives only in tiny
// functions like these (docs/architecture.md §4.1).
#pragma once

#include <stdint.h>

#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/instructions.hpp"
#include "lib/x86_64/registers.hpp"

namespace arch {

using x86_64::clac;
using x86_64::cli;
using x86_64::cpuid;
using x86_64::CpuidResult;
using x86_64::hlt;
using x86_64::invlpg;
using x86_64::memory_fence;
using x86_64::pause;
using x86_64::rdmsr;
using x86_64::rdtsc;
using x86_64::read_cr0;
using x86_64::read_cr2;
using x86_64::read_cr3;
using x86_64::read_cr4;
using x86_64::read_dr6;
using x86_64::read_rflags;
using x86_64::stac;
using x86_64::sti;
using x86_64::write_cr0;
using x86_64::write_cr3;
using x86_64::write_cr4;
using x86_64::write_dr6;
using x86_64::wrmsr;

// Register bits and MSR numbers by name: arch::rflags::kInterruptEnable, ...
namespace cr0 = x86_64::cr0;
namespace cr4 = x86_64::cr4;
namespace rflags = x86_64::rflags;
namespace dr6 = x86_64::dr6;
namespace msr = x86_64::msr;
namespace efer = x86_64::efer;

// CPU features: arch::has(arch::feature::kX2apic).
namespace feature = x86_64::feature;
using x86_64::has;

// Stops this CPU for good: interrupts off, halt forever (an NMI would
// resume the HLT, hence the loop).
[[noreturn]] inline void halt_forever() {
    for (;;) {
        cli();
        hlt();
    }
}

inline bool interrupts_enabled() {
    return (read_rflags() & rflags::kInterruptEnable) != 0;
}

// Drops every TLB entry, global ones included: toggling CR4.PGE does that
// (SDM Vol. 3A §4.10.4.1); a CR3 load alone keeps global entries.
inline void flush_tlb_all() {
    uint64_t value = read_cr4();
    if (value & cr4::kPageGlobalEnable) {
        write_cr4(value & ~cr4::kPageGlobalEnable);
        write_cr4(value);
    } else {
        write_cr3(read_cr3());
    }
}

}  // namespace arch
