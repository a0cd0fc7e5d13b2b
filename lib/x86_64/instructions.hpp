// One-line wrappers around the x86_64 instructions both the loader and the
// kernel execute (Intel SDM Vol. 2; control registers Vol. 3A §2.5). Raw asm
// lives only in tiny functions like these (docs/architecture.md §4.1).
// The loader re-exports them as loader::cpu, the kernel as arch (its own
// cpu.hpp and io.hpp), so each program keeps its own vocabulary and there is
// one copy of the asm. The bits the registers hold are named in
// registers.hpp. Privileged (except CPUID): never called from host tests.
#pragma once

#include <stdint.h>

namespace x86_64 {

inline void cli() { asm volatile("cli" ::: "memory"); }
inline void sti() { asm volatile("sti" ::: "memory"); }
inline void hlt() { asm volatile("hlt" ::: "memory"); }
inline void pause() { asm volatile("pause" ::: "memory"); }

// WRMSR to the x2APIC ICR is not serializing: without a fence, stores a
// started AP must see could still sit in the store buffer when the IPI
// leaves (SDM Vol. 3A §11.12.3).
inline void memory_fence() { asm volatile("mfence" ::: "memory"); }

// Port I/O (SDM Vol. 1 §18.2).
inline void outb(uint16_t port, uint8_t value) { asm volatile("outb %0, %1" ::"a"(value), "Nd"(port)); }
inline void outw(uint16_t port, uint16_t value) { asm volatile("outw %0, %1" ::"a"(value), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t value) { asm volatile("outl %0, %1" ::"a"(value), "Nd"(port)); }
inline uint8_t inb(uint16_t port) {
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline uint16_t inw(uint16_t port) {
    uint16_t value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline uint32_t inl(uint16_t port) {
    uint32_t value;
    asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

// RDSEED / RDRAND (SDM Vol. 2B): CF=1 when the value is valid; the caller
// retries a few times (the hardware may be briefly out of entropy).
inline bool rdseed64(uint64_t& value) {
    unsigned char ok;
    asm volatile("rdseed %0; setc %1" : "=r"(value), "=qm"(ok));
    return ok != 0;
}
inline bool rdrand64(uint64_t& value) {
    unsigned char ok;
    asm volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
    return ok != 0;
}

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}
// The "memory" clobber keeps earlier stores (e.g. the SMP trampoline's
// parameters) in program order before an MSR write that may send an IPI.
inline void wrmsr(uint32_t msr, uint64_t value) {
    asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

inline uint64_t read_cr0() { uint64_t v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline uint64_t read_cr2() { uint64_t v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
inline uint64_t read_cr3() { uint64_t v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
inline uint64_t read_cr4() { uint64_t v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
inline uint64_t read_rflags() { uint64_t v; asm volatile("pushfq; popq %0" : "=r"(v)); return v; }
inline void write_cr0(uint64_t v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(uint64_t v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

// Drops the TLB entries (and paging-structure cache entries) for the page
// holding `virt` (SDM Vol. 3A §4.10.4.1).
inline void invlpg(uint64_t virt) { asm volatile("invlpg (%0)" ::"r"(virt) : "memory"); }

// RFLAGS.AC on/off: with CR4.SMAP, supervisor accesses to user pages are
// allowed only while AC is set (SDM Vol. 3A §4.6.1; STAC/CLAC Vol. 2B).
// #UD without SMAP: callers check CR4 first.
inline void stac() { asm volatile("stac" ::: "memory"); }
inline void clac() { asm volatile("clac" ::: "memory"); }

// DR6 says why a #DB happened (SDM Vol. 3A §18.2.3); its bits are sticky.
inline uint64_t read_dr6() { uint64_t v; asm volatile("mov %%dr6, %0" : "=r"(v)); return v; }
inline void write_dr6(uint64_t v) { asm volatile("mov %0, %%dr6" ::"r"(v)); }

}  // namespace x86_64
