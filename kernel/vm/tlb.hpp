// Keeping TLBs right when a user address space changes. Every CPU that has
// run an address space since its last full flush may still hold its
// translations (CR3 switches without PCID flush the non-global entries, but
// a CPU running the address space right now does not switch), so the
// address space records those CPUs and asks the shootdown hook to flush
// them after each change and before freeing a frame or a page table that
// the old translations reached (Intel SDM Vol. 3A §4.10.4, "Invalidation of
// TLBs and Paging-Structure Caches", §4.10.5 "Propagation of Paging-Structure
// Changes to Multiple Processors").
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vm {

inline constexpr size_t kMaxCpus = 256;  // as boot::kMaxCpus

// A set of CPU indexes (the kernel's dense CPU numbering).
class CpuSet {
public:
    // A full barrier (a locked instruction): a CPU joins before it loads
    // CR3, so a flush that misses it finds entries it has not cached yet.
    // On x86-64 one LOCK BTS / LOCK BTR each: with a register bit offset
    // the instruction finds the word itself (SDM Vol. 2A, BT: "bit base
    // ... memory"), where OR / AND need the word's index and the mask
    // computed first (every switch between processes does both:
    // enter_address_space, docs/scheduler.md "Costs").
    void add(size_t cpu) {
#if defined(__x86_64__)
        asm volatile("lock btsq %[bit], %[words]" : [words] "+m"(words_) : [bit] "r"(uint64_t(cpu)) : "memory", "cc");
#else
        __atomic_fetch_or(&words_[cpu / 64], 1ULL << (cpu % 64), __ATOMIC_SEQ_CST);
#endif
    }
    void remove(size_t cpu) {
#if defined(__x86_64__)
        asm volatile("lock btrq %[bit], %[words]" : [words] "+m"(words_) : [bit] "r"(uint64_t(cpu)) : "memory", "cc");
#else
        __atomic_fetch_and(&words_[cpu / 64], ~(1ULL << (cpu % 64)), __ATOMIC_RELAXED);
#endif
    }
    bool contains(size_t cpu) const { return (__atomic_load_n(&words_[cpu / 64], __ATOMIC_RELAXED) >> (cpu % 64)) & 1; }
    bool empty() const {
        for (uint64_t word : words_)
            if (word) return false;
        return true;
    }
    template <typename Visit>
    void for_each(Visit&& visit) const {
        for (size_t w = 0; w < kMaxCpus / 64; ++w) {
            uint64_t word = __atomic_load_n(&words_[w], __ATOMIC_RELAXED);
            while (word) {
                unsigned bit = unsigned(__builtin_ctzll(word));
                visit(w * 64 + bit);
                word &= word - 1;
            }
        }
    }

private:
    uint64_t words_[kMaxCpus / 64] = {};
};

// The TLB shootdown hook: flush the translations of [start, end) of the
// address space whose PML4 is `root` on every CPU of `cpus`, and return
// only when they are gone. A large range may be flushed whole.
class TlbShootdown {
public:
    virtual void flush(const CpuSet& cpus, uint64_t root, uint64_t start, uint64_t end) = 0;

protected:
    ~TlbShootdown() = default;
};

}  // namespace vm
