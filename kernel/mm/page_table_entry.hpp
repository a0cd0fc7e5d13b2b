// Page-table entries of 4-level paging as a small typed value (Intel SDM
// Vol. 3A §4.5, Tables 4-15 .. 4-20), and the rights a mapping carries.
//
// Levels are numbered as the hardware walks them: 3 = PML4, 2 = PDPT
// (1 GiB leaves), 1 = page directory (2 MiB leaves), 0 = page table (4 KiB).
#pragma once

#include <stdint.h>

#include "lib/x86_64/page_table.hpp"

namespace mm {

namespace pte = x86_64::paging::pte;

// Cache types by PAT index, in the PAT layout the loader programmed and the
// kernel keeps (lib/x86_64/page_table.hpp, docs/limine-protocol.md §2).
using CacheType = x86_64::paging::CacheType;

struct PageFlags {
    bool writable = false;
    bool user = false;
    bool executable = false;
    bool global = false;
    CacheType cache = CacheType::kWriteBack;

    bool operator==(const PageFlags&) const = default;
};

enum class PageSize : uint8_t { k4KiB = 0, k2MiB = 1, k1GiB = 2 };  // value = level of the leaf

using x86_64::paging::level_coverage;
using x86_64::paging::table_index;
constexpr uint64_t page_bytes(PageSize size) {
    return level_coverage(unsigned(size));
}

// Paging features of the CPU that change what an entry may hold.
struct PagingFeatures {
    bool no_execute = true;  // EFER.NXE set: bit 63 is NX (else it is reserved and must stay 0)
    bool huge_1g = true;     // CPUID.80000001H:EDX.Page1GB[bit 26]
    bool global = true;      // CR4.PGE
};

class PageTableEntry {
public:
    static constexpr uint64_t kAddressMask = pte::kAddressMask;
    // Bits 52..61 are ignored by the CPU in entries that reference a table
    // (SDM Tables 4-15, 4-17, 4-19): the mapper keeps the number of present
    // entries of the referenced table there, so emptiness is O(1) to see.
    static constexpr unsigned kCountShift = 52;
    static constexpr uint64_t kCountMask = 0x3ffULL << kCountShift;

    constexpr PageTableEntry() = default;
    constexpr explicit PageTableEntry(uint64_t raw) : raw_(raw) {}

    // An entry pointing at the next table, for an address in the user half
    // (user = true) or the kernel half. Rights are decided at the leaf, so
    // intermediate entries allow writes (SDM §4.6: rights are the
    // intersection over all levels); only user-half entries carry the user
    // bit, so no kernel mapping is reachable from user mode whatever its
    // leaf says (SDM §4.6.1: a user-mode access needs U/S = 1 at every
    // level).
    static constexpr PageTableEntry table(uint64_t physical, bool user) {
        return PageTableEntry((physical & kAddressMask) | pte::kPresent | pte::kWritable | (user ? pte::kUser : 0));
    }

    static constexpr PageTableEntry leaf(uint64_t physical, unsigned level, PageFlags flags,
                                         const PagingFeatures& features) {
        uint64_t raw = (physical & kAddressMask) | pte::kPresent;
        if (flags.writable) raw |= pte::kWritable;
        if (flags.user) raw |= pte::kUser;
        if (!flags.executable && features.no_execute) raw |= pte::kNoExecute;
        if (flags.global && features.global) raw |= pte::kGlobal;
        if (level > 0) raw |= pte::kLargePage;
        raw |= x86_64::paging::cache_bits(flags.cache, level > 0);
        return PageTableEntry(raw);
    }

    constexpr uint64_t raw() const { return raw_; }
    constexpr bool present() const { return raw_ & pte::kPresent; }
    // A leaf at `level`: level 0 always, levels 1 and 2 with PS set.
    constexpr bool is_leaf(unsigned level) const { return x86_64::paging::is_leaf(raw_, level); }
    constexpr uint64_t table_address() const { return raw_ & kAddressMask; }
    constexpr uint64_t leaf_address(unsigned level) const { return x86_64::paging::leaf_frame(raw_, level); }
    constexpr PageFlags flags(unsigned level) const {
        PageFlags flags;
        flags.writable = raw_ & pte::kWritable;
        flags.user = raw_ & pte::kUser;
        flags.executable = !(raw_ & pte::kNoExecute);
        flags.global = raw_ & pte::kGlobal;
        flags.cache = x86_64::paging::cache_type_of(raw_, level > 0);
        return flags;
    }

    constexpr unsigned child_count() const { return unsigned((raw_ & kCountMask) >> kCountShift); }
    constexpr void set_child_count(unsigned count) {
        raw_ = (raw_ & ~kCountMask) | ((uint64_t(count) << kCountShift) & kCountMask);
    }

private:
    uint64_t raw_ = 0;
};

const char* cache_type_name(CacheType type);

}  // namespace mm
