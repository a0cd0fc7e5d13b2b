// The CPU's own descriptor tables and exception handling, set up first thing
// in kernel_main (the loader's GDT lies in bootloader-reclaimable memory and
// there is no IDT before this).
#pragma once

#include <stdint.h>

#include "lib/string_view.hpp"

namespace arch {

struct CpuLocal;

// What arch needs to know of the machine, from the layers above it.
struct CpuSetup {
    // Where the kernel sees physical memory: virtual = physical + this (the
    // HHDM). Used for walks of the live page tables.
    uint64_t physical_map_offset = 0;
    // The stack the boot CPU runs on now, [bottom, top): registered so that
    // running off its end is reported as a stack overflow.
    uint64_t boot_stack_bottom = 0;
    uint64_t boot_stack_top = 0;
};

// On the BSP: loads the kernel's GDT (reloading every segment register),
// the TSS with its IST stacks for #DF, NMI and #MC, and the IDT with all 256
// vectors; registers the boot and IST stacks for stack-overflow reports;
// remaps and masks the 8259 PICs (interrupt_controllers.hpp), leaving
// interrupts disabled; logs two lines.
void init_cpu(const CpuSetup& setup);

// Once memory can be mapped: the boot CPU's local APIC, with its xAPIC
// register page (local_apic_registers_physical()) mapped uncached by the
// caller at `xapic_registers` (null in x2APIC mode); logs one line.
void init_boot_local_apic(volatile void* xapic_registers);

// The offset given to init_cpu (0 before).
uint64_t physical_map_offset();

// On an application processor, once SMP bring-up runs it: the same GDT,
// TSS (with `cpu`'s own IST stacks) and IDT as the BSP, GS base pointing at
// `cpu`, and its local APIC in the mode the BSP's is in. `cpu` was readied
// by prepare_cpu() (cpu_local.hpp) and lives for good. Interrupts stay off.
void init_application_processor(CpuLocal& cpu);

// Deliberate fatal faults for the scenario tests (faulttest=<what>): each
// must end in an exception report and a panic that exits QEMU with failure.
//   pf              read of the unmapped address 0x10: page fault, not-present read
//   pf_write        write to .rodata: page fault, protection-violation write
//   gp              read of a non-canonical address: #GP with error code 0
//   gp_selector     a bad selector loaded into DS: #GP naming the GDT index
//   ud              ud2: invalid opcode
//   de              division by zero: divide error
//   stack_overflow  unbounded recursion on a stack with a guard page below:
//                   the #PF can not be delivered, the double fault arrives
//                   on its IST stack and is reported as a stack overflow
[[noreturn]] void run_fault_selftest(lib::StringView what);

}  // namespace arch
