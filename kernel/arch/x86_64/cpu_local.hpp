// What each CPU owns for itself: its GDT and TSS (a TSS is per CPU: LTR marks
// its descriptor busy, and RSP0/IST stacks must not be shared), the stacks
// its IST entries point to, and the fault expectation of expect_fault().
// IA32_GS_BASE points at the CPU's own CpuLocal, whose first word points at
// itself, so `mov %gs:0` finds it from any context, exceptions included.
// Only the BSP's instance exists now; SMP bring-up gives each AP one and
// calls init_application_processor() (init.hpp) on it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/fault_expect.hpp"

namespace arch {

// The IST slots (1-based as in gates; Tss::ist[slot - 1]). Each exception
// that can strike with a broken stack gets a known-good one (SDM Vol. 3A
// §6.14.5 "Interrupt Stack Table"): #DF (the stack overflow case: the #PF
// could not push its frame), NMI and #MC (they can arrive anywhere, even
// between a stack switch and its use).
enum class IstSlot : uint8_t { kNone = 0, kDoubleFault = 1, kNmi = 2, kMachineCheck = 3 };
inline constexpr size_t kIstStacksUsed = 3;

inline constexpr size_t kIstStackSize = 16 * 1024;

// A stack's extent: [bottom, top).
struct StackBounds {
    uint64_t bottom = 0;
    uint64_t top = 0;
    bool contains(uint64_t address) const { return address >= bottom && address < top; }
};

struct alignas(4096) CpuLocal {
    CpuLocal* self = nullptr;  // at %gs:0: points at this instance once loaded
    uint32_t index = 0;        // 0 = the BSP

    alignas(16) uint64_t gdt[gdt_index::kCount] = {};
    Tss tss;

    FaultExpectation fault_expectation;
    uint64_t breakpoints = 0;

    // The stacks the IST entries point at now (index: slot - 1).
    StackBounds ist_bounds[kIstStacksUsed];

    // The first IST stacks, page-aligned in .bss, so exceptions are safe
    // from the first moment; they have no guard pages because there is no
    // page mapper yet when the CPU tables are loaded. set_ist_stack() moves a
    // slot to a stack with a guard page once kernel/mm/ can allocate one.
    alignas(4096) uint8_t boot_ist_stacks[kIstStacksUsed][kIstStackSize];
};

// The current CPU's instance (through GS base; valid after load_cpu_tables).
inline CpuLocal& this_cpu() {
    CpuLocal* self;
    asm volatile("movq %%gs:0, %0" : "=r"(self));
    return *self;
}

// The BSP's instance.
CpuLocal& bsp_cpu_local();

// Builds `cpu`'s GDT and TSS, loads the GDT and every segment register (CS
// by a far return), LTR, points IA32_GS_BASE at `cpu` and loads the shared
// IDT. For each CPU, on that CPU.
void load_cpu_tables(CpuLocal& cpu);

// Bounds of the stack an IST slot of `cpu` uses now.
StackBounds ist_stack_bounds(const CpuLocal& cpu, IstSlot slot);

// Points this CPU's IST slot at [bottom, top) (16-byte aligned top), e.g. a
// stack from mm::allocate_kernel_stack() with its guard page, which the
// allocator registers for overflow reports. The .bss stack it replaces is
// no longer used. Call with interrupts off, on the CPU itself.
void set_ist_stack(IstSlot slot, uint64_t bottom, uint64_t top);

}  // namespace arch
