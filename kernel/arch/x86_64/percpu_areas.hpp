// Where each CPU's per-CPU data lives: the offset table behind PerCpu<T>
// (percpu.hpp). Pure, so the host tests check the arithmetic.
//
// Every per-CPU variable is linked into one section, .percpu
// (kernel/linker.ld): that linked copy is only the template, the values
// every CPU starts with. Each CPU, the boot CPU included, has an area of
// the same size of its own, a copy of the template; its offset is the
// area's address minus the template's, so a variable's copy on CPU c is at
//
//     &variable + offset[c]
//
// and each CPU keeps its own offset in its hot block (percpu.hpp), one
// %gs-relative load away.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch {

class PerCpuAreas {
public:
    // Areas (and so the variables in them) start on cache-line boundaries, so
    // two CPUs' data never share a line.
    static constexpr size_t kAreaAlignment = 64;

    // `offsets` has room for `capacity` CPUs (the CPU limit) and stays valid
    // for good; the template is [section_start, section_start + section_size).
    constexpr void init(uintptr_t section_start, size_t section_size, intptr_t* offsets, uint32_t capacity) {
        section_start_ = section_start;
        section_size_ = section_size;
        offsets_ = offsets;
        capacity_ = capacity;
        for (uint32_t cpu = 0; cpu < capacity; ++cpu) offsets_[cpu] = kNoArea;
    }

    // Bytes (and alignment) an area needs.
    constexpr size_t area_size() const { return (section_size_ + kAreaAlignment - 1) & ~(kAreaAlignment - 1); }

    // Gives `cpu` the area at `base` (area_size() bytes, kAreaAlignment
    // aligned, holding a copy of the template). False if cpu is beyond the
    // limit, already has one, or base is misaligned.
    constexpr bool assign(uint32_t cpu, uintptr_t base) {
        if (cpu >= capacity_ || offsets_[cpu] != kNoArea || base % kAreaAlignment != 0) return false;
        offsets_[cpu] = intptr_t(base - section_start_);
        return true;
    }

    constexpr bool has_area(uint32_t cpu) const { return cpu < capacity_ && offsets_[cpu] != kNoArea; }
    constexpr intptr_t offset(uint32_t cpu) const { return offsets_[cpu]; }
    constexpr uintptr_t base(uint32_t cpu) const { return section_start_ + uintptr_t(offsets_[cpu]); }
    constexpr uint32_t capacity() const { return capacity_; }

    // `in_section` (a variable's linked address) as CPU `cpu` sees it.
    template <typename T>
    T* on(uint32_t cpu, T* in_section) const {
        return reinterpret_cast<T*>(reinterpret_cast<uintptr_t>(in_section) + uintptr_t(offsets_[cpu]));
    }

    // Whether `address` is inside the template (a per-CPU variable's own address).
    constexpr bool in_section(uintptr_t address) const {
        return address >= section_start_ && address - section_start_ < section_size_;
    }

private:
    static constexpr intptr_t kNoArea = INTPTR_MIN;

    uintptr_t section_start_ = 0;
    size_t section_size_ = 0;
    intptr_t* offsets_ = nullptr;
    uint32_t capacity_ = 0;
};

}  // namespace arch
