// Page-table entries of 4-level paging as a small typed value (Intel SDM
// Vol. 3A §4.5, Tables 4-15 .. 4-20), and the rights a mapping carries.
//
// Levels are numbered as the hardware walks them: 3 = PML4, 2 = PDPT
// (1 GiB leaves), 1 = page directory (2 MiB leaves), 0 = page table (4 KiB).
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/page_walk.hpp"

namespace mm {

// Cache types by PAT index: the loader programmed IA32_PAT as PAT0 WB,
// PAT1 WT, PAT2 UC-, PAT3 UC, PAT4 WP, PAT5 WC (facts sheet §2), and the
// kernel keeps that layout. The index is PAT*4 + PCD*2 + PWT (SDM §12.12.3).
enum class CacheType : uint8_t {
    kWriteBack = 0,
    kWriteThrough = 1,
    kUncachedMinus = 2,
    kUncached = 3,
    kWriteProtected = 4,
    kWriteCombining = 5,
};

struct PageFlags {
    bool writable = false;
    bool user = false;
    bool executable = false;
    bool global = false;
    CacheType cache = CacheType::kWriteBack;

    bool operator==(const PageFlags&) const = default;
};

enum class PageSize : uint8_t { k4KiB = 0, k2MiB = 1, k1GiB = 2 };  // value = level of the leaf

constexpr uint64_t level_coverage(unsigned level) {
    return 1ULL << (12 + 9 * level);
}
constexpr uint64_t page_bytes(PageSize size) {
    return level_coverage(unsigned(size));
}
constexpr unsigned table_index(uint64_t virt, unsigned level) {
    return unsigned(virt >> (12 + 9 * level)) & 0x1ff;
}

// Paging features of the CPU that change what an entry may hold.
struct PagingFeatures {
    bool no_execute = true;  // EFER.NXE set: bit 63 is NX (else it is reserved and must stay 0)
    bool huge_1g = true;     // CPUID.80000001H:EDX.Page1GB[bit 26]
    bool global = true;      // CR4.PGE
};

class PageTableEntry {
public:
    static constexpr uint64_t kAddressMask = arch::kPteAddressMask;
    // Bits 52..61 are ignored by the CPU in entries that reference a table
    // (SDM Tables 4-15, 4-17, 4-19): the mapper keeps the number of present
    // entries of the referenced table there, so emptiness is O(1) to see.
    static constexpr unsigned kCountShift = 52;
    static constexpr uint64_t kCountMask = 0x3ffULL << kCountShift;

    constexpr PageTableEntry() = default;
    constexpr explicit PageTableEntry(uint64_t raw) : raw_(raw) {}

    // An entry pointing at the next table. Rights are decided at the leaf,
    // so intermediate entries allow everything (SDM §4.6: rights are the
    // intersection over all levels).
    static constexpr PageTableEntry table(uint64_t physical) {
        return PageTableEntry((physical & kAddressMask) | arch::kPtePresent | arch::kPteWritable | arch::kPteUser);
    }

    static constexpr PageTableEntry leaf(uint64_t physical, unsigned level, PageFlags flags,
                                         const PagingFeatures& features) {
        uint64_t raw = (physical & kAddressMask) | arch::kPtePresent;
        if (flags.writable) raw |= arch::kPteWritable;
        if (flags.user) raw |= arch::kPteUser;
        if (!flags.executable && features.no_execute) raw |= arch::kPteNoExecute;
        if (flags.global && features.global) raw |= arch::kPteGlobal;
        if (level > 0) raw |= arch::kPteLarge;
        unsigned pat = unsigned(flags.cache);
        if (pat & 1) raw |= arch::kPtePwt;
        if (pat & 2) raw |= arch::kPtePcd;
        if (pat & 4) raw |= level > 0 ? arch::kPtePatLarge : arch::kPtePat4K;
        return PageTableEntry(raw);
    }

    constexpr uint64_t raw() const { return raw_; }
    constexpr bool present() const { return raw_ & arch::kPtePresent; }
    // A leaf at `level`: level 0 always, levels 1 and 2 with PS set.
    constexpr bool is_leaf(unsigned level) const { return level == 0 || (level < 3 && (raw_ & arch::kPteLarge)); }
    constexpr uint64_t table_address() const { return raw_ & kAddressMask; }
    constexpr uint64_t leaf_address(unsigned level) const {
        // In large leaves bit 12 is the PAT bit, not an address bit.
        return raw_ & kAddressMask & ~(level_coverage(level) - 1);
    }
    constexpr PageFlags flags(unsigned level) const {
        PageFlags flags;
        flags.writable = raw_ & arch::kPteWritable;
        flags.user = raw_ & arch::kPteUser;
        flags.executable = !(raw_ & arch::kPteNoExecute);
        flags.global = raw_ & arch::kPteGlobal;
        bool pat = level > 0 ? (raw_ & arch::kPtePatLarge) : (raw_ & arch::kPtePat4K);
        flags.cache = CacheType((pat ? 4 : 0) | ((raw_ & arch::kPtePcd) ? 2 : 0) | ((raw_ & arch::kPtePwt) ? 1 : 0));
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
