// The few privileged instructions SMP start-up needs, each in a tiny inline
// function so that the logic around them reads as plain C++. Only the loader
// (ring 0 under UEFI) calls these; host tests never include this header.
#pragma once

#include <stdint.h>

namespace loader::smp::cpu {

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline uint64_t read_msr(uint32_t msr) {
    uint32_t low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return (static_cast<uint64_t>(high) << 32) | low;
}

// The "memory" clobber keeps every earlier store (trampoline parameters) in
// program order before an MSR write that may send an IPI.
inline void write_msr(uint32_t msr, uint64_t value) {
    asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<uint32_t>(value)), "d"(static_cast<uint32_t>(value >> 32))
                 : "memory");
}

inline uint64_t read_tsc() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (static_cast<uint64_t>(high) << 32) | low;
}

inline uint64_t read_cr0() {
    uint64_t value;
    asm volatile("mov %%cr0, %0" : "=r"(value));
    return value;
}

inline uint64_t read_cr4() {
    uint64_t value;
    asm volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}

inline void pause() {
    asm volatile("pause" ::: "memory");
}

// WRMSR to the x2APIC ICR is not serializing: without a fence, stores the
// started AP must see could still sit in the store buffer when the IPI
// leaves (Intel SDM Vol. 3A §11.12.3, "x2APIC Register Address Space").
inline void memory_fence() {
    asm volatile("mfence" ::: "memory");
}

inline uint32_t mmio_read32(uint64_t address) {
    return *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(address));
}

inline void mmio_write32(uint64_t address, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(address)) = value;
}

}  // namespace loader::smp::cpu
