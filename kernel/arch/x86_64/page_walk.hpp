// A read-only walk of the current 4-level page tables (Intel SDM Vol. 3A
// §4.5, "4-Level Paging"): what a virtual address maps to and with which
// rights. Used by the boot protocol tests and fault reports; the memory
// manager will bring its own mapper.
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.hpp"

namespace arch {

// Page-table entry bits (SDM Vol. 3A Tables 4-15 .. 4-20).
inline constexpr uint64_t kPtePresent = 1ULL << 0;
inline constexpr uint64_t kPteWritable = 1ULL << 1;
inline constexpr uint64_t kPteUser = 1ULL << 2;
inline constexpr uint64_t kPtePwt = 1ULL << 3;
inline constexpr uint64_t kPtePcd = 1ULL << 4;
inline constexpr uint64_t kPteLarge = 1ULL << 7;       // PS in PDPTE/PDE
inline constexpr uint64_t kPtePat4K = 1ULL << 7;       // PAT in a 4 KiB PTE
inline constexpr uint64_t kPtePatLarge = 1ULL << 12;   // PAT in a 2 MiB/1 GiB entry
inline constexpr uint64_t kPteGlobal = 1ULL << 8;
inline constexpr uint64_t kPteNoExecute = 1ULL << 63;
inline constexpr uint64_t kPteAddressMask = 0x000ffffffffff000ULL;

struct Translation {
    bool present = false;
    uint64_t physical = 0;
    uint64_t page_size = 0;   // 4 KiB, 2 MiB or 1 GiB
    bool writable = false;    // writable at every level
    bool user = false;        // user at every level
    bool executable = false;  // no NX bit at any level
    bool global = false;
    uint8_t pat_index = 0;    // PAT*4 + PCD*2 + PWT of the final entry (SDM §12.12.3)
};

// Walks the tables at CR3 reading them through the HHDM at `hhdm_offset`.
inline Translation translate(uint64_t virtual_address, uint64_t hhdm_offset) {
    Translation result;
    uint64_t table_physical = read_cr3() & kPteAddressMask;
    bool writable = true, user = true, executable = true;
    for (int level = 3; level >= 0; --level) {
        unsigned index = (virtual_address >> (12 + 9 * level)) & 0x1ff;
        auto* table = reinterpret_cast<const volatile uint64_t*>(table_physical + hhdm_offset);
        uint64_t entry = table[index];
        if (!(entry & kPtePresent)) return result;
        writable &= (entry & kPteWritable) != 0;
        user &= (entry & kPteUser) != 0;
        executable &= (entry & kPteNoExecute) == 0;
        bool leaf = level == 0 || ((level == 1 || level == 2) && (entry & kPteLarge));
        if (leaf) {
            uint64_t size = 1ULL << (12 + 9 * level);
            bool pat = level == 0 ? (entry & kPtePat4K) : (entry & kPtePatLarge);
            uint64_t frame = entry & kPteAddressMask & ~(size - 1);
            result.present = true;
            result.physical = frame + (virtual_address & (size - 1));
            result.page_size = size;
            result.writable = writable;
            result.user = user;
            result.executable = executable;
            result.global = (entry & kPteGlobal) != 0;
            result.pat_index = uint8_t((pat ? 4 : 0) | ((entry & kPtePcd) ? 2 : 0) | ((entry & kPtePwt) ? 1 : 0));
            return result;
        }
        table_physical = entry & kPteAddressMask;
    }
    return result;
}

}  // namespace arch
