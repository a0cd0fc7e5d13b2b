// The kernel's page tables (docs/limine-protocol.md §2) built with loader/paging.hpp on
// memory from AllocatePages: kernel segments at their link addresses with
// their ELF permissions, the HHDM, and the identity pages the hand-off and
// the SMP trampoline need while CR3 switches.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "loader/core/elf.hpp"

namespace loader {

struct PagingChoice {
    unsigned levels;
    uint64_t hhdm_offset;
};

struct KernelTablesInput {
    uint64_t kernel_physical;  // the loaded image block
    const LoadPlan* plan;
    uint64_t hhdm_offset;
    uint64_t framebuffer_base;  // mapped write-combining; size 0 = none
    uint64_t framebuffer_size;
    bool nx;                 // CPU has NX (EFER.NXE will be set)
    uint64_t handoff_code;   // the hand-off code page, identity-mapped RX
    uint64_t trampoline;     // SMP trampoline page, identity-mapped RWX; 0 = none
    uint64_t state_page;     // the hand-off state + GDT page, identity-mapped RW
    unsigned levels;         // 4 or 5
    uint64_t base_revision;  // which regions the HHDM covers (paging.hpp); 0 adds the identity map
};

// Must run while boot services are up, after every other allocation whose
// memory lies above 4 GiB. Returns the physical address of the top table.
// Every table page lies below 4 GiB: the SMP trampoline and the 5-level
// switch load CR3 from 32-bit code.
lib::Expected<uint64_t> build_kernel_tables(const KernelTablesInput& input);

}  // namespace loader
