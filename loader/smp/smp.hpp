// Starting the application processors for the Limine SMP feature (facts
// sheet §4 smp_info; issue: INIT-SIPI-SIPI through a real-mode trampoline
// below 1 MiB, each AP in long mode on the kernel's page tables and GDT,
// parked polling its goto_address).
//
// The contract with loader/main.cpp:
//   1. Before ExitBootServices: prepare() reads the MADT, allocates the
//      trampoline page (below 1 MiB), one stack per AP and the response, all
//      with the allocator given (memory the final map reports as
//      BOOTLOADER_RECLAIMABLE), and calibrates its delays with `stall`.
//   2. main.cpp builds the kernel's page tables and MUST identity-map the
//      page at trampoline_physical() (read/write/execute) in them, besides
//      the HHDM (through which the parked APs run and the response is read).
//   3. After ExitBootServices, before jumping to the kernel: start_aps()
//      sends INIT-SIPI-SIPI to each AP, waits (bounded) for it to report in,
//      and returns the response ready to hand over. A CPU that does not
//      answer in time is left out of the list, never waited on forever.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "protocol/limine.hpp"

namespace loader::smp {

struct PageAllocator {
    // Returns the physical address of `pages` zeroed 4 KiB pages lying wholly
    // below `max_physical_address` (exclusive), or 0 on failure.
    uint64_t (*allocate)(void* context, uint64_t pages, uint64_t max_physical_address);
    void* context;
};

struct PrepareInfo {
    const uint8_t* rsdp;        // identity pointer under boot services; null = no ACPI: BSP only
    uint64_t stack_size;        // per-AP stack in bytes (Stack Size request, or 64 KiB)
    bool want_x2apic;           // SMP request flag bit 0
    uint64_t hhdm_offset;       // for the pointers written into the response
    PageAllocator allocator;
    void (*stall_microseconds)(uint64_t microseconds);  // BS->Stall, used for calibration
};

// Step 1. An error here (no memory) means the loader reports it and stops;
// a missing or malformed MADT is not an error: the response lists the BSP.
lib::Expected<void> prepare(const PrepareInfo& info);

// Step 2: the page main.cpp must identity-map in the kernel's page tables.
uint64_t trampoline_physical();

struct StartInfo {
    uint64_t pml4_physical;      // the kernel's page tables (CR3 value)
    uint64_t gdtr_base_virtual;  // HHDM address of the GDT main.cpp hands to the kernel
    uint16_t gdtr_limit;
    uint16_t code_selector;      // 0x28
    uint16_t data_selector;      // 0x30
    bool five_level_paging;      // CR4.LA57 must be set before paging is enabled
    bool nx;                     // set EFER.NXE on each AP (the BSP has it)
};

// Step 3, with boot services gone and interrupts off. Returns the physical
// (identity) address of the limine::SmpResponse; every pointer inside it is
// an HHDM virtual address. x2APIC is enabled on every CPU (the BSP too) when
// requested and available, and the response flag says so.
limine::SmpResponse* start_aps(const StartInfo& info);

}  // namespace loader::smp
