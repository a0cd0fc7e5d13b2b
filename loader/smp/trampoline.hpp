// The BSP's side of the AP trampoline (trampoline.S): copying it into its
// page below 1 MiB, filling the parameter block, the small identity page
// tables the AP enables paging with, and the control-register values the AP
// loads. The register arithmetic and the tables are pure and host-tested;
// install/set/read work on whatever writable pointer the caller gives.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/x86_64/registers.hpp"
#include "loader/smp/entry_lapic.hpp"

namespace loader::smp {

// --- Control registers (bits: lib/x86_64/registers.hpp) -------------------

namespace cr0 = x86_64::cr0;
namespace cr4 = x86_64::cr4;
namespace efer = x86_64::efer;

struct ApControlRegisters {
    uint32_t cr0;       // loaded with paging: PE, PG, WP, ET + the BSP's MP/NE
    uint32_t cr4;       // loaded before paging: PAE (+LA57) + the BSP's harmless bits
    uint32_t efer_set;  // ORed into EFER: LME (+NXE)
};

// What an AP loads so that it ends up like the BSP at kernel entry: base
// revision 5's state (docs/limine-protocol.md §7), CR0 = PE, ET, WP, PG;
// CR4 = PAE (+ LA57); EFER gains LME (+ NXE). The BSP's values are ignored.
ApControlRegisters ap_control_registers(uint64_t bsp_cr0, uint64_t bsp_cr4, bool five_level_paging, bool nx);

// --- Temporary identity tables --------------------------------------------

// The AP first enables paging on tables that identity-map the first 2 MiB
// (one 2 MiB page), where the trampoline is, because in 32-bit mode CR3 only
// takes 32 bits; in 64-bit mode it then switches to the kernel's tables.
inline constexpr size_t kTemporaryTablePages = 4;  // PML5 (if used), PML4, PDPT, PD

// Writes the tables into `tables` (kTemporaryTablePages zeroed 4 KiB pages,
// writable by the caller, physically at `tables_physical`). Returns the CR3
// value: the physical address of the top-level table.
uint64_t build_temporary_tables(uint64_t* tables, uint64_t tables_physical, bool five_level_paging);

// --- The trampoline page --------------------------------------------------

// Bytes of trampoline.S to copy; always less than a page.
size_t trampoline_size();

// The boot-wide parameters, the same for every AP.
struct TrampolineSetup {
    uint64_t page_physical;  // where the page is (below 1 MiB)
    uint64_t hhdm_offset;    // to reach the parking loop through the HHDM
    ApControlRegisters registers;
    uint32_t temporary_cr3;  // from build_temporary_tables (below 4 GiB)
    uint64_t kernel_cr3;
    uint64_t gdtr_base_virtual;
    uint16_t gdtr_limit;
    uint16_t code_selector;
    uint16_t data_selector;
    bool set_pat;  // the CPU has PAT (CPUID.01H:EDX[16])
    uint64_t pat;
    bool enable_x2apic;  // the BSP runs in x2APIC mode
};

// Copies the trampoline to `page` (the caller's pointer to the page at
// setup.page_physical) and writes the boot-wide parameters.
void install_trampoline(uint8_t* page, const TrampolineSetup& setup);

// Per-AP parameters; also clears the started/alive flags. Call before
// sending this AP its INIT-SIPI-SIPI.
void set_ap_parameters(uint8_t* page, uint64_t stack_top_virtual, uint64_t info_virtual);

// The local APIC writes this AP makes in 32-bit mode, before paging
// (entry_lapic.hpp); none until set.
void set_ap_lapic_program(uint8_t* page, const LapicProgram& program);

// Set by the AP: `started` as its first real-mode instruction after the
// SIPI, `alive` (kApAliveXapic / kApAliveX2apic) once it is in long mode on
// its own stack and about to park.
inline constexpr uint32_t kApAliveXapic = 1;
inline constexpr uint32_t kApAliveX2apic = 2;
uint32_t read_ap_started(const uint8_t* page);
uint32_t read_ap_alive(const uint8_t* page);

// Offset of the parking loop inside the page (for tests and diagnostics).
size_t park_offset();

}  // namespace loader::smp
