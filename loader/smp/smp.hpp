// Starting the application processors for the Limine SMP feature (docs/limine-protocol.md
// §4 smp_info; issue: INIT-SIPI-SIPI through a real-mode trampoline
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

// ---------------------------------------------------------------------------
// Additions by the smp engineer (nothing above was changed).
// ---------------------------------------------------------------------------

// start_aps() returns nullptr only when prepare() was not called or failed.
// When the kernel did not ask for x2APIC but the firmware left it on,
// start_aps() puts every CPU back in xAPIC mode if all APIC ids fit in 8 bits
// and the platform allows it (as Limine 8.x does); otherwise x2APIC stays on
// and the response flag says so. Only processors the MADT lists are started;
// each gets INIT, then (after one shared 10 ms wait) SIPI, a second SIPI if
// it has not started after 200 us, and up to 1 s to report in.
//
// What an AP looks like when it enters goto_address(info) (checked by a test
// kernel under QEMU/OVMF, -smp 1/2/4/8, 4- and 5-level paging, page tables
// and stacks above 4 GiB):
//   RDI = info (HHDM address of its smp_info); every other GPR 0;
//   RSP = top of its own stack (PrepareInfo::stack_size bytes, HHDM,
//         bootloader-reclaimable) minus 8, where a return address of 0 is
//         stored (RSP % 16 == 8, as just after a CALL);
//   RFLAGS = 0x2 (IF, DF clear); CS = code_selector, DS/ES/SS/FS/GS =
//         data_selector, FS/GS base 0; GDTR = StartInfo's; IDTR: whatever
//         INIT left (base 0, limit 0xffff: unusable, load your own);
//   CR3 = pml4_physical; CR0 = PE|MP?|ET|NE?|WP|PG (MP, NE as on the BSP);
//   CR4 = PAE (+LA57) + the BSP's DE/MCE/PGE/PCE/OSFXSR/OSXMMEXCPT;
//   EFER = LME|LMA (+NXE); IA32_PAT = x86_64::paging::kPatLayout (the BSP's too); local APIC enabled, in
//   x2APIC mode iff the response flag says so.
// Until then it spins (PAUSE) on info->goto_address through the HHDM alias
// of the trampoline page, so the kernel may drop the identity map but must
// keep the HHDM, the trampoline page, the stacks and the response until it
// has sent every AP away.

// What prepare() and start_aps() found and did, for the loader's log (e.g.
// on the serial port after ExitBootServices). Valid after start_aps().
struct StartReport {
    bool madt_found = false;
    const char* madt_problem = nullptr;  // why the MADT was not used, if not found
    uint64_t cpus_listed = 0;            // processors in the MADT (+ the BSP if absent there)
    uint64_t aps_started = 0;            // APs that reported in and are parked
    uint64_t aps_failed = 0;             // APs that did not report in within the timeout
    uint64_t aps_unreachable = 0;        // APIC id > 254 while in xAPIC mode
    uint32_t first_failed_apic_id = 0;   // meaningful when aps_failed > 0
    uint64_t tsc_ticks_per_millisecond = 0;
    uint64_t slowest_report_in_microseconds = 0;  // first SIPI to "alive", over all APs
    uint64_t start_aps_microseconds = 0;          // the whole of start_aps()
    bool skipped_no_timer = false;                // TSC calibration failed: only the BSP listed
    bool x2apic_requested = false;
    bool x2apic_available = false;  // CPUID.01H:ECX[21]
    bool x2apic_enabled = false;    // on every listed CPU (the response flag)
};
const StartReport& start_report();

// Base revision 5's local APIC state on the BSP (entry_lapic.hpp; each AP
// sets its own in the trampoline): SVR 0x1FF, TPR 0, every LVT entry
// masked, LINT NMI from the MADT that `rsdp` leads to (none without one).
// For every kernel, whether it asked for MP or not, after start_aps() and
// just before the hand-off: with boot services gone, the firmware's
// identity map still reaches the xAPIC page.
void set_bsp_entry_lapic_state(const void* rsdp);

}  // namespace loader::smp
