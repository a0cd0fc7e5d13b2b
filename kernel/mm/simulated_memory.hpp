// Host-only: "physical memory" for the memory manager's tests and benchmarks.
// A sparse host mapping (MAP_NORESERVE) stands for physical addresses
// 0 .. limit, so a test can describe 64 GiB machines and regions above 4 GiB
// while the host only backs the pages actually touched.
#pragma once

#if !defined(HOST_TEST)
#error "simulated_memory.hpp is for host tests and benchmarks only"
#endif

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "kernel/boot/boot_info.hpp"
#include "kernel/mm/physical_window.hpp"

namespace mm::testing {

class SimulatedMemory {
public:
    explicit SimulatedMemory(uint64_t limit) : limit_(limit) {
        base_ = mmap(nullptr, limit, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base_ == MAP_FAILED) std::abort();
    }
    ~SimulatedMemory() { munmap(base_, limit_); }
    SimulatedMemory(const SimulatedMemory&) = delete;
    SimulatedMemory& operator=(const SimulatedMemory&) = delete;

    PhysicalWindow window() const { return PhysicalWindow(reinterpret_cast<uintptr_t>(base_)); }
    uint64_t limit() const { return limit_; }

private:
    void* base_;
    uint64_t limit_;
};

inline boot::MemoryRegion region(uint64_t base, uint64_t length, boot::MemoryType type = boot::MemoryType::kUsable) {
    return boot::MemoryRegion{base, length, type};
}

}  // namespace mm::testing
