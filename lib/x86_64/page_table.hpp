// x86_64 paging structures (Intel SDM Vol. 3A §4.5 "4-Level Paging and
// 5-Level Paging", Tables 4-15 .. 4-20): entry bits, the levels, the cache
// type an entry selects through the PAT (§12.12.3), and the one walk of a
// page-table tree that the loader, the kernel's mapper, its fault reports and
// its tests all use. Pure logic: the walk reaches tables through a function
// the caller gives (identity in the loader, the HHDM in the kernel, fake
// memory in host tests). Host-tested in page_table_test.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace x86_64::paging {

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t k2MiB = 2ULL << 20;
inline constexpr uint64_t k1GiB = 1ULL << 30;
inline constexpr unsigned kEntriesPerTable = 512;

// The two halves of a 4-level address space (SDM §3.3.7.1, canonical
// addresses): PML4 entries 0..255 map the lower half, user space (up to
// 0x0000'7fff'ffff'ffff); entries 256..511 the upper half, the kernel's
// (from 0xffff'8000'0000'0000). Every address space shares the kernel's
// entries 256..511 (docs/architecture.md, the kernel half).
inline constexpr unsigned kKernelHalfFirstEntry = kEntriesPerTable / 2;
constexpr bool in_kernel_half(uint64_t virt) {
    return (virt >> 63) != 0;
}

// Paging-structure entry bits.
namespace pte {
inline constexpr uint64_t kPresent = 1ULL << 0;
inline constexpr uint64_t kWritable = 1ULL << 1;
inline constexpr uint64_t kUser = 1ULL << 2;
inline constexpr uint64_t kWriteThrough = 1ULL << 3;  // PWT
inline constexpr uint64_t kCacheDisable = 1ULL << 4;  // PCD
inline constexpr uint64_t kAccessed = 1ULL << 5;
inline constexpr uint64_t kDirty = 1ULL << 6;
inline constexpr uint64_t kLargePage = 1ULL << 7;  // PS in a PDPTE or PDE: the entry maps 1 GiB / 2 MiB
inline constexpr uint64_t kPat4KiB = 1ULL << 7;    // PAT in a 4 KiB PTE
inline constexpr uint64_t kGlobal = 1ULL << 8;
inline constexpr uint64_t kPatLarge = 1ULL << 12;                   // PAT in a 2 MiB PDE or 1 GiB PDPTE
inline constexpr uint64_t kNoExecute = 1ULL << 63;                  // with EFER.NXE; reserved otherwise
inline constexpr uint64_t kAddressMask = 0x000f'ffff'ffff'f000ULL;  // bits 12..51 (MAXPHYADDR <= 52)
}  // namespace pte

// Levels as the hardware walks them, from the bottom: 0 = page table (4 KiB
// leaves), 1 = page directory (2 MiB leaves), 2 = PDPT (1 GiB leaves),
// 3 = PML4, 4 = PML5. A tree of `levels` levels (4 or 5) has its root at
// level `levels - 1`.
constexpr uint64_t level_coverage(unsigned level) {
    return 1ULL << (12 + 9 * level);
}
constexpr unsigned table_index(uint64_t virt, unsigned level) {
    return unsigned(virt >> (12 + 9 * level)) & (kEntriesPerTable - 1);
}
// Whether `entry` (present) at `level` maps memory rather than a table.
constexpr bool is_leaf(uint64_t entry, unsigned level) {
    return level == 0 || ((level == 1 || level == 2) && (entry & pte::kLargePage));
}
// The frame a leaf maps: in large leaves bit 12 is the PAT bit, not an address bit.
constexpr uint64_t leaf_frame(uint64_t entry, unsigned level) {
    return entry & pte::kAddressMask & ~(level_coverage(level) - 1);
}
// Bits above the top translated bit (47 with 4 levels, 56 with 5) copy it.
constexpr bool is_canonical(uint64_t virt, unsigned levels = 4) {
    unsigned top_bit = levels == 5 ? 56 : 47;
    return uint64_t(int64_t(virt << (63 - top_bit)) >> (63 - top_bit)) == virt;
}

// --- Cache types ------------------------------------------------------------

// The memory type encodings of IA32_PAT entries (SDM Vol. 3A §12.12.2, Table 12-10).
enum class MemoryType : uint8_t {
    kUncacheable = 0,
    kWriteCombining = 1,
    kWriteThrough = 4,
    kWriteProtected = 5,
    kWriteBack = 6,
    kUncachedMinus = 7,
};

// The PAT layout the boot protocol promises (docs/limine-protocol.md §2) and
// our loader programs: PAT0 WB, PAT1 WT, PAT2 UC-, PAT3 UC, PAT4 WP, PAT5 WC,
// PAT6 UC-, PAT7 UC. Entries 0..3 are the power-on default, so mappings the
// firmware made keep their meaning.
inline constexpr uint64_t kPatLayout = 0x0007'0105'0007'0406ULL;

// A cache type as the index of the PAT entry that gives it in kPatLayout.
enum class CacheType : uint8_t {
    kWriteBack = 0,
    kWriteThrough = 1,
    kUncachedMinus = 2,
    kUncached = 3,
    kWriteProtected = 4,
    kWriteCombining = 5,
};

constexpr MemoryType pat_entry(uint64_t pat, unsigned index) {
    return MemoryType((pat >> (8 * index)) & 7);
}

// The PAT index is PAT*4 + PCD*2 + PWT of the leaf entry (SDM §12.12.3);
// the PAT bit sits at bit 7 of a 4 KiB PTE and bit 12 of a large leaf.
constexpr uint64_t cache_bits(CacheType type, bool large_leaf) {
    unsigned index = unsigned(type);
    uint64_t bits = 0;
    if (index & 1) bits |= pte::kWriteThrough;
    if (index & 2) bits |= pte::kCacheDisable;
    if (index & 4) bits |= large_leaf ? pte::kPatLarge : pte::kPat4KiB;
    return bits;
}
constexpr CacheType cache_type_of(uint64_t entry, bool large_leaf) {
    bool pat = entry & (large_leaf ? pte::kPatLarge : pte::kPat4KiB);
    return CacheType((pat ? 4 : 0) | ((entry & pte::kCacheDisable) ? 2 : 0) | ((entry & pte::kWriteThrough) ? 1 : 0));
}

// --- The walk ----------------------------------------------------------------

struct Walk {
    bool present = false;
    int missing_level = -1;  // when not present: the level whose entry was not present
    // Where the walk ended: the leaf, or the entry that was not present.
    unsigned level = 0;
    uint64_t entry = 0;
    uint64_t* entry_pointer = nullptr;
    uint64_t physical = 0;  // what the address translates to
    uint64_t page_size = 0;
    // Access rights combine over all levels (SDM Vol. 3A §4.6): writable and
    // user only if every level says so, executable only if none sets NX.
    bool writable = false;
    bool user = false;
    bool executable = false;
};

// Walks the tree at `root` (physical) with `levels` levels for `virt`.
// `table_at(physical)` returns a pointer to the 512 entries of a table.
template <typename TableAt>
Walk walk(uint64_t root, uint64_t virt, unsigned levels, TableAt table_at) {
    Walk result;
    uint64_t table = root & pte::kAddressMask;
    bool writable = true, user = true, executable = true;
    for (int level = int(levels) - 1; level >= 0; --level) {
        uint64_t* entry_pointer = table_at(table) + table_index(virt, unsigned(level));
        uint64_t entry = *entry_pointer;
        if (!(entry & pte::kPresent)) {
            result.missing_level = level;
            result.level = unsigned(level);
            result.entry = entry;
            result.entry_pointer = entry_pointer;
            return result;
        }
        writable &= (entry & pte::kWritable) != 0;
        user &= (entry & pte::kUser) != 0;
        executable &= (entry & pte::kNoExecute) == 0;
        if (is_leaf(entry, unsigned(level))) {
            uint64_t size = level_coverage(unsigned(level));
            result.present = true;
            result.level = unsigned(level);
            result.entry = entry;
            result.entry_pointer = entry_pointer;
            result.physical = leaf_frame(entry, unsigned(level)) + (virt & (size - 1));
            result.page_size = size;
            result.writable = writable;
            result.user = user;
            result.executable = executable;
            return result;
        }
        table = entry & pte::kAddressMask;
    }
    return result;  // not reached: level 0 entries are always leaves
}

}  // namespace x86_64::paging
