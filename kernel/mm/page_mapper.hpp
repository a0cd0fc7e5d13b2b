// The page mapper: edits one tree of 4-level page tables (Intel SDM Vol. 3A
// §4.5) reached through a PhysicalWindow, taking table frames from the frame
// allocator. The same code edits the live kernel tables (window = HHDM, TLB
// hooks = INVLPG / CR4.PGE toggle) and simulated tables in host tests.
//
// - map / unmap / protect / translate, single pages and ranges; ranges use
//   the largest page size that alignment and length allow (1 GiB only when
//   the CPU has it).
// - Intermediate tables are allocated on demand. In the user half they are
//   freed as soon as they become empty (each table's present-entry count
//   lives in ignored bits of the entry pointing at it); in the kernel half
//   never, since other address spaces may share them: the kernel's mapper
//   gives all 256 kernel-half PML4 entries a table at boot
//   (populate_kernel_half), and each address space copies those entries.
// - A large page that a range covers only partly is split first.
// - Every change of a present entry is followed by an INVLPG; past
//   kFullFlushThreshold changes in one call, one full flush instead.
// - A call that fails (out of memory for a table, address already mapped)
//   leaves the mappings as they were before the call.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/mm/frame_allocator.hpp"
#include "kernel/mm/page_table_entry.hpp"
#include "kernel/mm/physical_window.hpp"
#include "lib/expected.hpp"

namespace mm {

struct TlbHooks {
    void (*invalidate_page)(uint64_t virt) = nullptr;  // INVLPG
    void (*flush_all)() = nullptr;                     // including global pages
    // Where an emptied page table goes once unlinked; nullptr: straight back
    // to the frame allocator. A table other CPUs may still reach through
    // their paging-structure caches must wait for their TLB shootdown.
    void (*release_table)(uint64_t physical) = nullptr;
};

struct Mapping {
    uint64_t physical = 0;  // of the address asked about (not of the page start)
    PageSize size = PageSize::k4KiB;
    PageFlags flags;
};

// Where a walk ended, for fault reports: the level whose entry was not
// present (3 = PML4 .. 0 = PT), or -1 if the address is mapped.
struct WalkResult {
    int missing_level = -1;
    Mapping mapping;
};

class PageMapper {
public:
    static constexpr size_t kFullFlushThreshold = 32;

    PageMapper(PhysicalWindow window, FrameAllocator& frames, uint64_t root_physical, PagingFeatures features,
               TlbHooks tlb = {})
        : window_(window), frames_(frames), root_(root_physical), features_(features), tlb_(tlb) {}

    // A fresh, empty PML4.
    static lib::Expected<uint64_t> create_root(FrameAllocator& frames) {
        return frames.allocate(Zeroing::kYes, FrameOwner::kPageTable);
    }

    // Gives each kernel-half PML4 entry (256..511) that has none a page
    // directory pointer table, so that the kernel half's top level never
    // changes again: an address space whose PML4 copies entries 256..511 of
    // this root sees every later kernel mapping. Tables in the kernel half
    // are never freed. Fails (ENOMEM) with the root as it was.
    lib::Expected<void> populate_kernel_half();

    uint64_t root() const { return root_; }
    const PagingFeatures& features() const { return features_; }
    void set_tlb_hooks(TlbHooks tlb) { tlb_ = tlb; }

    // One page of `size` at `virt` -> `physical` (both aligned to the size).
    lib::Expected<void> map(uint64_t virt, uint64_t physical, PageSize size, PageFlags flags);
    // [virt, virt + length) -> [physical, ...), largest pages first (up to
    // `largest`); all three page aligned. Fails if any page is already mapped.
    lib::Expected<void> map_range(uint64_t virt, uint64_t physical, uint64_t length, PageFlags flags,
                                  PageSize largest = PageSize::k1GiB);
    // Unmaps whatever is mapped in the range (holes are fine); large pages the
    // range covers in part are split so the rest stays mapped.
    lib::Expected<void> unmap_range(uint64_t virt, uint64_t length);
    lib::Expected<void> unmap(uint64_t virt) { return unmap_range(virt, kPageSize); }
    // New rights and cache type for every page mapped in the range.
    lib::Expected<void> protect_range(uint64_t virt, uint64_t length, PageFlags flags);

    lib::Expected<Mapping> translate(uint64_t virt) const;
    WalkResult walk(uint64_t virt) const;

    // Frees every table below the root (not the mapped frames), the kernel
    // half's too; for tests. (The kernel's own root is never destroyed.)
    void destroy();

    static bool is_canonical(uint64_t virt) { return x86_64::paging::is_canonical(virt); }
    static bool in_kernel_half(uint64_t virt) { return x86_64::paging::in_kernel_half(virt); }

private:
    enum class Change { kUnmap, kProtect };
    struct Path {
        PageTableEntry* entries[4] = {};  // the entry used at each level
    };

    PageTableEntry* table_at(uint64_t physical) const { return window_.at<PageTableEntry>(physical); }
    lib::Expected<void> change_range(uint64_t virt, uint64_t length, Change change, PageFlags flags);
    lib::Expected<void> split(PageTableEntry* entry, unsigned level, uint64_t virt);
    void on_entry_set(Path& path, unsigned level);
    void on_entry_cleared(Path& path, unsigned level);
    void free_empty_tables(Path& path, unsigned level, uint64_t virt);
    void invalidate(uint64_t virt);
    void finish_flush();
    void destroy_table(uint64_t physical, unsigned level);

    PhysicalWindow window_;
    FrameAllocator& frames_;
    uint64_t root_;
    PagingFeatures features_;
    TlbHooks tlb_;
    size_t changes_ = 0;  // present entries changed in the current call
};

}  // namespace mm
