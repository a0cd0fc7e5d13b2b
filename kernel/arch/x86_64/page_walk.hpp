// A read-only walk of the live page tables (the tables at CR3, 4- or
// 5-level): what a virtual address maps to and with which rights. For fault
// tests and the boot protocol tests; the walk itself is the shared one
// (lib/x86_64/page_table.hpp), reading tables through the HHDM.
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.hpp"
#include "lib/x86_64/page_table.hpp"

namespace arch {

namespace pte = x86_64::paging::pte;

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

inline unsigned paging_levels() {
    return (read_cr4() & cr4::kFiveLevelPaging) ? 5 : 4;
}

// Walks the tables at CR3, reading them at physical + `hhdm_offset`.
inline Translation translate(uint64_t virtual_address, uint64_t hhdm_offset) {
    x86_64::paging::Walk walk = x86_64::paging::walk(
        read_cr3(), virtual_address, paging_levels(),
        [hhdm_offset](uint64_t table) { return reinterpret_cast<uint64_t*>(table + hhdm_offset); });
    Translation result;
    if (!walk.present) return result;
    result.present = true;
    result.physical = walk.physical;
    result.page_size = walk.page_size;
    result.writable = walk.writable;
    result.user = walk.user;
    result.executable = walk.executable;
    result.global = (walk.entry & pte::kGlobal) != 0;
    result.pat_index = uint8_t(x86_64::paging::cache_type_of(walk.entry, walk.level > 0));
    return result;
}

}  // namespace arch
