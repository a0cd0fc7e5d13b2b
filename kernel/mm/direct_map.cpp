// The plan of the kernel's direct map; see direct_map.hpp.
#include "kernel/mm/direct_map.hpp"

#include "kernel/mm/physical_window.hpp"
#include "lib/utility.hpp"

namespace mm {

bool in_direct_map(boot::MemoryType type) {
    switch (type) {
        case boot::MemoryType::kUsable:
        case boot::MemoryType::kBootloaderReclaimable:
        case boot::MemoryType::kKernelAndModules:
        case boot::MemoryType::kAcpiReclaimable:
        case boot::MemoryType::kAcpiNvs: return true;
        case boot::MemoryType::kReserved:
        case boot::MemoryType::kBadMemory:
        case boot::MemoryType::kFramebuffer: return false;  // the framebuffer is mapped write-combining
    }
    return false;
}

size_t direct_map_ranges(lib::Span<const boot::MemoryRegion> map, PhysicalRange framebuffer, PhysicalRange* out,
                         size_t capacity) {
    size_t count = 0;
    auto add = [&](uint64_t base, uint64_t end) {
        if (end > base && count < capacity) out[count++] = {base, end};
    };
    for (const boot::MemoryRegion& region : map) {
        if (!in_direct_map(region.type) || region.length == 0) continue;
        uint64_t base = align_down(region.base, kPageSize);
        uint64_t end = region.base + region.length < region.base ? align_down(~0ULL, kPageSize)
                                                                 : align_up(region.base + region.length, kPageSize);
        if (!framebuffer.empty() && base < framebuffer.end && framebuffer.base < end) {
            add(base, framebuffer.base);
            add(framebuffer.end, end);
        } else {
            add(base, end);
        }
    }
    for (size_t i = 1; i < count; ++i)  // insertion sort: the map is sorted already, or nearly
        for (size_t j = i; j > 0 && out[j].base < out[j - 1].base; --j) lib::swap(out[j], out[j - 1]);
    size_t merged = 0;
    for (size_t i = 0; i < count; ++i) {
        if (merged > 0 && out[i].base <= out[merged - 1].end) {
            if (out[i].end > out[merged - 1].end) out[merged - 1].end = out[i].end;
        } else {
            out[merged++] = out[i];
        }
    }
    return merged;
}

EarlyMemoryMap split_by_loader_map(lib::Span<const boot::MemoryRegion> map, LoaderMapProbe probe,
                                   boot::MemoryRegion* out, size_t out_capacity, PhysicalRange* later,
                                   size_t later_capacity) {
    EarlyMemoryMap result;
    auto emit = [&](uint64_t base, uint64_t length, boot::MemoryType type) {
        if (result.region_count < out_capacity) {
            out[result.region_count++] = boot::MemoryRegion{base, length, type};
            return true;
        }
        return false;
    };
    for (const boot::MemoryRegion& region : map) {
        if (region.type != boot::MemoryType::kUsable) {
            emit(region.base, region.length, region.type);
            continue;
        }
        uint64_t physical = align_up(region.base, kPageSize);
        uint64_t end = align_down(region.base + region.length, kPageSize);
        while (physical < end) {
            bool mapped = false;
            uint64_t run_end = probe.run_end(physical, end, mapped, probe.context);
            if (run_end <= physical || run_end > end) run_end = end;  // a probe that makes no progress
            // Keep one slot free, so an unmapped tail can always be recorded.
            bool room = result.region_count + 1 < out_capacity;
            if (mapped && room) {
                emit(physical, run_end - physical, boot::MemoryType::kUsable);
            } else {
                if (!room) run_end = end;  // the rest of this region, unchecked: not used early
                bool listed = emit(physical, run_end - physical, boot::MemoryType::kReserved);
                if (listed && result.later_count < later_capacity) {
                    later[result.later_count++] = {physical, run_end};
                    result.later_bytes += run_end - physical;
                } else {
                    result.lost_bytes += run_end - physical;
                }
            }
            physical = run_end;
        }
    }
    return result;
}

}  // namespace mm
