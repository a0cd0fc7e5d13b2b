// How the memory manager reaches physical memory: a window that turns a
// physical address into a pointer. In the kernel the window is the HHDM
// (pointer = physical + hhdm_offset); host tests and benchmarks reserve a
// large host mapping and use it as "physical memory", so the same allocator,
// page-table and heap code runs unchanged on both sides (docs/architecture.md §4.2).
//
// It is a plain offset rather than a virtual interface on purpose: the frame
// allocator touches it on every allocation, and both real users are linear.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mm {

inline constexpr unsigned kPageShift = 12;
inline constexpr uint64_t kPageSize = 1ULL << kPageShift;  // 4 KiB

constexpr uint64_t align_down(uint64_t value, uint64_t alignment) {
    return value & ~(alignment - 1);
}
constexpr uint64_t align_up(uint64_t value, uint64_t alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}
constexpr bool is_aligned(uint64_t value, uint64_t alignment) {
    return (value & (alignment - 1)) == 0;
}

class PhysicalWindow {
public:
    constexpr PhysicalWindow() = default;
    // Physical address p is reached at host/kernel address p + offset.
    constexpr explicit PhysicalWindow(uintptr_t offset) : offset_(offset) {}

    template <typename T = void>
    T* at(uint64_t physical) const {
        return reinterpret_cast<T*>(uintptr_t(physical) + offset_);
    }
    uint64_t to_physical(const void* pointer) const { return uint64_t(reinterpret_cast<uintptr_t>(pointer) - offset_); }
    uintptr_t offset() const { return offset_; }

private:
    uintptr_t offset_ = 0;
};

}  // namespace mm
