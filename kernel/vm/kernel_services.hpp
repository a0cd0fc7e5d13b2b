// The kernel side of user address spaces: the real frames (the frame
// allocator's per-frame records hold the reference counts), TLB shootdown,
// the shared kernel half, randomness for ASLR, and switching CR3. Kernel
// only; the rest of kernel/vm is pure logic over these interfaces.
//
//   vm::AddressSpace* space = TRY(vm::AddressSpace::create(vm::kernel_services()));
//   vm::switch_address_space(space);            // CR3 on this CPU
//   // from the #PF handler, for a user address:
//   auto result = space->handle_fault(cr2, vm::fault_access(error_code));
//
// The kernel command line's `aslr=off` turns address space layout
// randomisation off for every exec (reproducible addresses for tests and
// debugging, as Linux's norandmaps).
#pragma once

#include <stdint.h>

#include "kernel/vm/address_space.hpp"
#include "kernel/vm/layout.hpp"
#include "kernel/vm/tlb.hpp"

namespace vm {

// Made on first use, after mm::init().
const Services& kernel_services();
bool aslr_enabled();
RandomSource& kernel_random();

// The shootdown that reaches other CPUs (SMP bring-up installs it); until
// then only this CPU is flushed, which is all there is while no other CPU
// runs user code.
void set_tlb_shootdown(TlbShootdown* shootdown);

// Loads `space` into CR3 on this CPU (nullptr: the kernel's own tables) and
// returns what was loaded before.
AddressSpace* switch_address_space(AddressSpace* space);
AddressSpace* current_address_space();

// The access a page fault's error code describes (Intel SDM Vol. 3A §4.7,
// "Page-Fault Exceptions": bit 1 W/R, bit 4 I/D).
constexpr Access fault_access(uint64_t error_code) {
    if (error_code & (1u << 4)) return Access::kExecute;
    if (error_code & (1u << 1)) return Access::kWrite;
    return Access::kRead;
}

}  // namespace vm
