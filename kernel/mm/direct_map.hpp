// The kernel's direct map of physical memory (its HHDM: virtual = physical +
// the loader's HHDM offset), planned from the memory map; and the memory the
// frame allocator may touch before that map exists. Pure functions, tested
// on the host (direct_map_test.cpp); kernel/mm/mm.cpp applies them.
//
// What the kernel's HHDM maps: the memory-map regions that hold RAM or data
// the kernel reads as memory (usable, bootloader-reclaimable, kernel and
// modules, ACPI reclaimable, ACPI NVS) write-back, and the framebuffer
// write-combining. Not the holes between regions and not RESERVED or
// BAD_MEMORY regions: device registers (local APIC, I/O APIC, HPET, ECAM)
// are mapped one range at a time by map_mmio (uncached) and firmware tables
// outside RAM by map_firmware (write-back), both in mmio.hpp. A write-back
// mapping of device memory would allow speculative reads of registers
// (Intel SDM Vol. 3A §12.3: only UC forbids them), and one page mapped with
// two memory types is undefined (§12.12.4). This is also what base revision
// 3 and later promise of the loader's own HHDM (docs/limine-protocol.md §7),
// so the kernel asks nothing of the loader's map that it would not give.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot/boot_info.hpp"
#include "lib/span.hpp"

namespace mm {

struct PhysicalRange {
    uint64_t base = 0, end = 0;  // [base, end), page aligned
    bool empty() const { return end <= base; }
    bool operator==(const PhysicalRange&) const = default;
};

// Whether the kernel's HHDM maps regions of this type (write-back).
bool in_direct_map(boot::MemoryType type);

// The write-back ranges of the kernel's HHDM: the regions in_direct_map()
// accepts, widened to whole pages, sorted and merged, with `framebuffer`'s
// pages cut out (they are mapped write-combining on their own). Returns how
// many were written to `out`; a map that needs more than `capacity` ranges
// loses its last ones (the caller sizes `out` for the worst case).
size_t direct_map_ranges(lib::Span<const boot::MemoryRegion> map, PhysicalRange framebuffer, PhysicalRange* out,
                         size_t capacity);

// Before the kernel's tables exist, the frame allocator writes its records
// and free lists through the loader's HHDM. Every revision promises that
// the HHDM maps all usable memory (docs/limine-protocol.md §2, §7), but
// Limine 8.2.0 on a 4-CPU machine with memory above 4 GiB hands over
// tables whose HHDM entries above 4 GiB are zero; so the kernel checks
// before it writes. `probe` reports, for the run of pages starting at
// `physical` (below `end`), whether the loader maps them at HHDM + physical
// (writable, to that address) and where the run ends.
struct LoaderMapProbe {
    uint64_t (*run_end)(uint64_t physical, uint64_t end, bool& mapped, void* context) = nullptr;
    void* context = nullptr;
};

struct EarlyMemoryMap {
    size_t region_count = 0;  // regions written to `out`
    size_t later_count = 0;   // ranges written to `later`
    uint64_t later_bytes = 0;
    uint64_t lost_bytes = 0;  // usable but left out: `out` or `later` was full
};

// `map` with each USABLE region cut at the edges of what `probe` says is
// mapped: the mapped parts stay USABLE, the others become RESERVED in `out`
// and are listed in `later`, for the frame allocator to gain once the
// kernel's own tables map them. Other regions are copied unchanged.
EarlyMemoryMap split_by_loader_map(lib::Span<const boot::MemoryRegion> map, LoaderMapProbe probe,
                                   boot::MemoryRegion* out, size_t out_capacity, PhysicalRange* later,
                                   size_t later_capacity);

}  // namespace mm
