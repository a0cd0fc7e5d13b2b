// The kernel side of user address spaces: the real frames (the frame
// allocator's per-frame records hold the reference counts), TLB shootdown,
// the shared kernel half, randomness for ASLR, and switching CR3. Kernel
// only; the rest of kernel/vm is pure logic over these interfaces.
//
//   vm::AddressSpace* space = TRY(vm::AddressSpace::create(vm::kernel_services()));
//   vm::switch_address_space(space);            // CR3 on this CPU
//   // the #PF handler, for a fault in user mode:
//   vm::FaultResult result = vm::handle_page_fault(cr2, error_code);
//
// Faults in the kernel's user accesses (arch::copy_from_user & co.) go
// the same way once the process layer's uaccess resolver
// (arch::set_uaccess_fault_resolver) calls handle_page_fault: a copy to a
// page not yet touched, copy-on-write or below a stack then works as the
// same access from the program would; what it cannot resolve ends the
// copy (EFAULT).
//
// The kernel command line's `aslr=off` turns address space layout
// randomisation off for every exec (reproducible addresses for tests and
// debugging, as Linux's norandmaps).
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/layout.hpp"
#include "kernel/vm/tlb.hpp"

namespace vm {

// Made on first use, after mm::init().
const Services& kernel_services();
bool aslr_enabled();
RandomSource& kernel_random();

// User TLB flushes reach the other CPUs whose CR3 holds the address space
// through the shootdown IPI (kernel_services.cpp; docs/vm.md, "TLB
// shootdown"). How many flushes needed other CPUs since boot (tests, bench):
struct TlbStatistics {
    uint64_t remote_flushes = 0;
};
TlbStatistics tlb_statistics();

// Ranges up to this many pages are dropped page by page (INVLPG), larger
// ones by a CR3 reload.
inline constexpr uint64_t kFlushPagesOneByOne = 32;

// Loads `space` into CR3 on this CPU (nullptr: the kernel's own tables) and
// returns what was loaded before.
AddressSpace* switch_address_space(AddressSpace* space);
AddressSpace* current_address_space();

namespace kernel_services_detail {
// The address space each CPU's CR3 holds (nullptr: the kernel's tables);
// each CPU's own entry, read and written with interrupts off or by itself.
extern AddressSpace* g_current[kMaxCpus];
}  // namespace kernel_services_detail

// switch_address_space(&space) inline, for the scheduler's switch hook
// (docs/scheduler.md, "Costs"): the call and its frame cost as much as
// the switch. Interrupts off.
[[gnu::always_inline]] inline void enter_address_space(AddressSpace& space) {
    uint32_t cpu = arch::cpu_index();
    AddressSpace*& current = kernel_services_detail::g_current[cpu];
    AddressSpace* previous = current;
    if (previous == &space) return;
    // Join the new address space's CPU set before CR3 can cache anything of
    // it, so no flush misses this CPU; leave the old one's after the load,
    // which drops this CPU's non-global translations (no PCIDs; SDM Vol. 3A
    // §4.10.4.1), so it no longer needs flushing here.
    space.entered(cpu);
    arch::write_cr3(space.root());
    if (previous) previous->left(cpu);
    current = &space;
}

// Whether this CPU's CR3 holds a user address space (interrupts off).
[[gnu::always_inline]] inline bool user_address_space_loaded() {
    return kernel_services_detail::g_current[arch::cpu_index()] != nullptr;
}

// A page fault at user address `address` (CR2) with the #PF error code, in
// the address space this CPU runs: demand paging, copy-on-write, stack
// growth. Anything but kResolved is a signal for the program (docs/vm.md,
// "The fault path": kMapError SIGSEGV/SEGV_MAPERR, kAccessError
// SIGSEGV/SEGV_ACCERR, kBusError SIGBUS/BUS_ADRERR, si_addr = address).
// Without an address space: kMapError. Interrupts may be on or off.
FaultResult handle_page_fault(uint64_t address, uint64_t error_code);

// The access a page fault's error code describes (Intel SDM Vol. 3A §4.7,
// "Page-Fault Exceptions": bit 1 W/R, bit 4 I/D).
constexpr Access fault_access(uint64_t error_code) {
    if (error_code & (1u << 4)) return Access::kExecute;
    if (error_code & (1u << 1)) return Access::kWrite;
    return Access::kRead;
}

}  // namespace vm
