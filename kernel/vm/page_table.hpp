// The user half of one address space's 4-level page tables (Intel SDM Vol.
// 3A §4.5): 4 KiB leaves only, one entry at a time, because each user page
// carries its own copy-on-write state. The kernel half (PML4 entries
// 256..511) is copied from the kernel's PML4 when the root is made and never
// touched here. (mm::PageMapper edits whole ranges with one set of rights,
// which the kernel's own tables need; user pages in one region differ: some
// are shared read-only after fork, some are private copies.)
//
// Each table counts the entries in it that hold a page (in the bits 52..61
// of the entry pointing at it, which the CPU ignores in entries that
// reference a table: SDM Tables 4-15, 4-17, 4-19; mm::PageMapper does the
// same), so a table
// whose last page goes is freed at once, after the TLB flush that the Gather
// performs (a CPU's paging-structure cache may still point at it until then).
//
// Leaf entries use two of the bits the CPU ignores (SDM Table 4-20, bits 9-11):
//   kAnonymous  the frame is private memory of this region (zero-filled or a
//               copy-on-write copy), so a write may reuse it when no other
//               address space holds it;
//   kProtNone   the page is kept but inaccessible (PROT_NONE): present is
//               clear, the frame stays recorded, mprotect can give it back.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/vm/frames.hpp"
#include "lib/expected.hpp"
#include "lib/x86_64/page_table.hpp"

namespace vm {

namespace pte {
inline constexpr uint64_t kPresent = x86_64::paging::pte::kPresent;
inline constexpr uint64_t kWritable = x86_64::paging::pte::kWritable;
inline constexpr uint64_t kUser = x86_64::paging::pte::kUser;
inline constexpr uint64_t kAccessed = x86_64::paging::pte::kAccessed;
inline constexpr uint64_t kDirty = x86_64::paging::pte::kDirty;
inline constexpr uint64_t kNoExecute = x86_64::paging::pte::kNoExecute;
inline constexpr uint64_t kFrameMask = x86_64::paging::pte::kAddressMask;
inline constexpr uint64_t kAnonymous = 1ULL << 9;
inline constexpr uint64_t kProtNone = 1ULL << 10;

constexpr bool has_page(uint64_t entry) {
    return entry & (kPresent | kProtNone);
}
constexpr bool present(uint64_t entry) {
    return entry & kPresent;
}
constexpr bool writable(uint64_t entry) {
    return (entry & (kPresent | kWritable)) == (kPresent | kWritable);
}
constexpr uint64_t frame(uint64_t entry) {
    return entry & kFrameMask;
}
}  // namespace pte

// Changes to present translations and the frames and tables they reached,
// collected so that one TLB flush covers them all and nothing is freed
// before it (Linux's mmu_gather). finish() (or the destructor) flushes and
// releases; a full batch flushes early.
class Gather {
public:
    using FlushFunction = void (*)(void* context, uint64_t start, uint64_t end);

    Gather(FrameSource& frames, FlushFunction flush, void* context)
        : frames_(frames), flush_(flush), context_(context) {}
    ~Gather() { finish(); }
    Gather(const Gather&) = delete;
    Gather& operator=(const Gather&) = delete;

    // A present translation of the page at `virt` changed or went.
    void changed(uint64_t virt) {
        if (virt < start_) start_ = virt;
        if (virt + 4096 > end_) end_ = virt + 4096;
    }
    // Unreference `frame` once no TLB can reach it any more.
    void release_later(uint64_t frame) {
        if (count_ == kCapacity) finish();
        pending_[count_++] = frame;
    }
    void finish();

private:
    static constexpr size_t kCapacity = 128;
    FrameSource& frames_;
    FlushFunction flush_;
    void* context_;
    uint64_t start_ = ~0ULL;
    uint64_t end_ = 0;
    uint64_t pending_[kCapacity];
    size_t count_ = 0;
};

class PageTable {
public:
    static constexpr unsigned kKernelHalfFirstEntry = 256;

    // Where a walk for one address ended: the entry used at each level
    // (entries[0] is the leaf), nullptr below the first missing table.
    struct Slot {
        uint64_t* entries[4] = {};
        uint64_t* leaf() const { return entries[0]; }
    };

    PageTable(FrameSource& frames, uint64_t root, bool no_execute)
        : frames_(frames), root_(root), no_execute_(no_execute) {}

    // A new PML4 whose user half is empty and whose kernel half is a copy of
    // `kernel_root`'s (0: left empty, for host tests).
    static lib::Expected<uint64_t> create_root(FrameSource& frames, uint64_t kernel_root);

    uint64_t root() const { return root_; }
    bool no_execute() const { return no_execute_; }

    // Walks to the leaf of `virt`; false (and a partial slot) when a table
    // on the way is missing.
    bool find(uint64_t virt, Slot& slot) const;
    // Walks to the leaf, making the missing tables (ENOMEM if no frame).
    lib::Expected<void> find_or_create(uint64_t virt, Slot& slot);

    // Stores `value` into the slot's leaf. Keeps the per-table counts; a
    // table left without pages is unlinked and handed to `gather`. The
    // caller deals with the frame of the old entry and reports a change of
    // a present entry to `gather`.
    void write(uint64_t virt, Slot& slot, uint64_t value, Gather& gather);

    // Calls visit(virt, slot) for every leaf holding a page in [start, end),
    // in address order, skipping missing tables. visit may write the leaf.
    template <typename Visit>
    void for_each(uint64_t start, uint64_t end, Visit&& visit) {
        walk_range(
            start, end, [](void* context, uint64_t virt, Slot& slot) { (*static_cast<Visit*>(context))(virt, slot); },
            &visit);
    }

    // Frees every user-half table (not the frames the leaves name: call
    // for_each first). For an address space no CPU runs any more, so no
    // TLB flush is needed: a CR3 switch without PCIDs dropped its entries
    // (SDM §4.10.4.1).
    void release_user_half();

    // The leaf value for `frame` with these rights.
    uint64_t make_leaf(uint64_t frame, bool writable, bool executable, uint64_t software_bits) const {
        uint64_t value = (frame & pte::kFrameMask) | pte::kPresent | pte::kUser | software_bits;
        if (writable) value |= pte::kWritable;
        if (!executable && no_execute_) value |= pte::kNoExecute;
        return value;
    }

private:
    using Visitor = void (*)(void* context, uint64_t virt, Slot& slot);
    void walk_range(uint64_t start, uint64_t end, Visitor visit, void* context);
    uint64_t* table(uint64_t physical) const { return frames_.at<uint64_t>(physical); }
    void release_table(uint64_t physical, unsigned level);

    FrameSource& frames_;
    uint64_t root_;
    bool no_execute_;
};

}  // namespace vm
