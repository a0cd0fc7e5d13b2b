// The few privileged instructions the memory manager needs: loading CR3,
// CR4.PGE, INVLPG (Intel SDM Vol. 3A §4.10.4 "Invalidation of TLBs and
// Paging-Structure Caches"). Kernel only. (Candidates for
// kernel/arch/x86_64/cpu.hpp; kept here while that file is being edited.)
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.hpp"

namespace mm::paging {

inline constexpr uint64_t kCr4Pge = 1ULL << 7;  // global pages (SDM §2.5)
inline constexpr uint32_t kCpuidExtendedFeatures = 0x80000001;
inline constexpr uint32_t kCpuid1GiBPages = 1u << 26;  // CPUID.80000001H:EDX.Page1GB
inline constexpr uint32_t kCpuidPge = 1u << 13;        // CPUID.01H:EDX.PGE

inline void write_cr3(uint64_t value) {
    asm volatile("mov %0, %%cr3" ::"r"(value) : "memory");
}
inline void write_cr4(uint64_t value) {
    asm volatile("mov %0, %%cr4" ::"r"(value) : "memory");
}
inline void invlpg(uint64_t virt) {
    asm volatile("invlpg (%0)" ::"r"(virt) : "memory");
}

// Drops every TLB entry, global ones included: toggling CR4.PGE does that
// (SDM §4.10.4.1); a CR3 load alone keeps global entries.
inline void flush_tlb_all() {
    uint64_t cr4 = arch::read_cr4();
    if (cr4 & kCr4Pge) {
        write_cr4(cr4 & ~kCr4Pge);
        write_cr4(cr4);
    } else {
        write_cr3(arch::read_cr3());
    }
}

}  // namespace mm::paging
