// Building the kernel's x86_64 page tables (Intel SDM Vol. 3A §4.5, 4-level
// and 5-level paging). Pure logic: the tables live in "physical" pages the
// caller hands out through PageTableMemory, so host tests can run it against
// a fake physical memory and the loader against AllocatePages.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"
#include "lib/x86_64/page_table.hpp"

namespace loader::paging {

using x86_64::paging::k1GiB;
using x86_64::paging::k2MiB;
using x86_64::paging::kPageSize;
inline constexpr uint64_t k4GiB = 4ULL << 30;

// docs/limine-protocol.md §2: Limine's HHDM offsets (no randomisation here).
inline constexpr uint64_t kHhdmOffset4Level = 0xffff800000000000ULL;
inline constexpr uint64_t kHhdmOffset5Level = 0xff00000000000000ULL;

// Entry bits, levels and cache types: the facts loader and kernel share.
namespace pte = x86_64::paging::pte;
using Cache = x86_64::paging::CacheType;  // kWriteBack and kWriteCombining are used here

struct MapFlags {
    bool writable = false;
    bool executable = false;
    Cache cache = Cache::kWriteBack;
};

// Where table pages come from. `allocate` returns the physical address of a
// zeroed 4 KiB page (0 on failure); `access` turns such an address into a
// pointer to its 512 entries.
struct PageTableMemory {
    uint64_t (*allocate)(void* context);
    uint64_t* (*access)(void* context, uint64_t physical);
    void* context;
};

class PageTableBuilder {
public:
    // levels: 4 or 5. allow_1gib: CPUID says 1 GiB pages exist. use_nx: the
    // CPU has NX and EFER.NXE will be set (bit 63 is reserved otherwise).
    static lib::Expected<PageTableBuilder> create(PageTableMemory memory, unsigned levels, bool allow_1gib,
                                                  bool use_nx = true);

    // Maps [virtual_address, +length) to [physical, +length) with the largest
    // pages that alignment allows (1 GiB if allowed, 2 MiB, else 4 KiB).
    // Addresses and length must be 4 KiB aligned; virtual addresses must be
    // canonical. Mapping a page that is already mapped is kDuplicate.
    lib::Expected<void> map(uint64_t virtual_address, uint64_t physical, uint64_t length, MapFlags flags);
    // The same with 4 KiB pages only.
    lib::Expected<void> map_small(uint64_t virtual_address, uint64_t physical, uint64_t length, MapFlags flags);

    // Walks the tables: the physical address `virtual_address` maps to, and
    // the leaf entry (with its page size) if `leaf`/`page_size` are given.
    // kNotFound if unmapped.
    lib::Expected<uint64_t> translate(uint64_t virtual_address, uint64_t* leaf = nullptr,
                                      uint64_t* page_size = nullptr) const;

    uint64_t root() const { return root_; }
    unsigned levels() const { return levels_; }
    uint64_t tables_allocated() const { return tables_allocated_; }

private:
    PageTableBuilder(PageTableMemory memory, uint64_t root, unsigned levels, bool allow_1gib, bool use_nx)
        : memory_(memory), root_(root), levels_(levels), allow_1gib_(allow_1gib), use_nx_(use_nx) {}
    lib::Expected<void> map_one(uint64_t virtual_address, uint64_t physical, uint64_t page_size, MapFlags flags);
    lib::Expected<void> map_with(uint64_t virtual_address, uint64_t physical, uint64_t length, MapFlags flags,
                                 bool large_pages);

    PageTableMemory memory_;
    uint64_t root_;
    unsigned levels_;
    bool allow_1gib_;
    bool use_nx_;
    uint64_t tables_allocated_ = 1;
};

// ---------------------------------------------------------------------------
// Which physical ranges the HHDM covers, by base revision
// (docs/limine-protocol.md §2, §7):
//   0     0..4 GiB and every memory-map range
//   1, 2  0..4 GiB and every range above except RESERVED and BAD_MEMORY
//   3     only USABLE, BOOTLOADER_RECLAIMABLE, KERNEL_AND_MODULES, FRAMEBUFFER
//   4+    those and ACPI_RECLAIMABLE, ACPI_NVS, RESERVED_MAPPED
// always with the framebuffer, which is mapped write-combining.
// ---------------------------------------------------------------------------

struct PhysicalRange {
    uint64_t base;
    uint64_t length;
    uint64_t type;  // a limine::MemmapType
};

struct HhdmRange {
    uint64_t base;  // physical, 4 KiB aligned
    uint64_t length;
    Cache cache;
};

// Sorted, merged, 4 KiB aligned (outward) ranges; the framebuffer
// [framebuffer_base, +framebuffer_size) (size 0: none) is cut out and given
// as its own write-combining range. kOutOfMemory if more than `capacity`.
lib::Expected<size_t> plan_hhdm(lib::Span<const PhysicalRange> memory_map, uint64_t framebuffer_base,
                                uint64_t framebuffer_size, HhdmRange* out, size_t capacity,
                                uint64_t base_revision = 2);

}  // namespace loader::paging
