// What each CPU owns for itself: its hot block (percpu.hpp: index, APIC id,
// current thread, preemption and interrupt counts, ...), its GDT and TSS (a
// TSS is per CPU: LTR marks its descriptor busy, and RSP0/IST stacks must
// not be shared), the stacks its IST entries point to, and the fault
// expectation of expect_fault(). IA32_GS_BASE points at the CPU's own
// CpuLocal, whose first member is the hot block, so `mov %gs:0` finds it
// from any context, exceptions included.
//
// The boot CPU's instance is static and in use from the kernel's first
// steps (start_boot_cpu); SMP bring-up (kernel/smp/) gives each AP one.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/fault_expect.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "lib/expected.hpp"

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

struct alignas(64) CpuLocal {
    CpuHot hot;  // at GS base: see percpu.hpp

    alignas(16) uint64_t gdt[gdt_index::kCount] = {};
    Tss tss;

    FaultExpectation fault_expectation;
    uint64_t breakpoints = 0;

    // The stacks the IST entries point at (index: slot - 1). The boot CPU
    // starts on stacks in .bss (there is no page mapper yet when its tables
    // are loaded) and moves to guarded ones later (set_ist_stack); an AP's
    // are given to it before it loads its tables.
    StackBounds ist_bounds[kIstStacksUsed];
};
static_assert(offsetof(CpuLocal, hot) == 0, "GS base points at the hot block");

// The current CPU's instance (through GS base). Only where the CPU can not
// change under the caller (cpu_is_pinned(): exception and interrupt
// handlers, interrupts off).
inline CpuLocal& this_cpu() {
    return *reinterpret_cast<CpuLocal*>(&this_cpu_hot());
}

// The BSP's instance.
CpuLocal& bsp_cpu_local();
// CPU `index`'s instance once it has one (start_boot_cpu, prepare_cpu), else null.
CpuLocal* cpu_local(uint32_t index);

// The kernel's first step on the boot CPU, before anything takes a lock or
// logs: the BSP's per-CPU copy of .percpu, its hot block (index 0, APIC id)
// and IA32_GS_BASE pointing at it.
void start_boot_cpu();

// Readies the CpuLocal of an AP before it runs (on the BSP): its hot block
// as CPU `index` with `apic_id`, its per-CPU area `area` (percpu_areas()
// .area_size() bytes, 64-byte aligned, filled here from the template) and
// its IST stacks, [bottom, top) each (index: slot - 1, each registered as a
// known stack by the caller). The AP itself then calls
// init_application_processor(). kInvalid if `index` is taken or beyond
// lib::kMaxCpus.
[[nodiscard]] lib::Expected<void> prepare_cpu(CpuLocal& cpu, uint32_t index, uint32_t apic_id, void* area,
                                              const StackBounds (&ist_stacks)[kIstStacksUsed]);

// Builds `cpu`'s GDT and TSS (IST entries from cpu.ist_bounds), loads the
// GDT and every segment register (CS by a far return), LTR, points
// IA32_GS_BASE at `cpu` and loads the shared IDT. For each CPU, on that CPU.
void load_cpu_tables(CpuLocal& cpu);

// Bounds of the stack an IST slot of `cpu` uses now.
StackBounds ist_stack_bounds(const CpuLocal& cpu, IstSlot slot);
// Whether that is still the boot CPU's first (.bss, unguarded) stack.
bool uses_boot_ist_stack(const CpuLocal& cpu, IstSlot slot);

// Points this CPU's IST slot at [bottom, top) (16-byte aligned top), e.g. a
// stack from mm::allocate_kernel_stack() with its guard page, which the
// allocator registers for overflow reports. The .bss stack it replaces is
// no longer used. Call with interrupts off, on the CPU itself.
void set_ist_stack(IstSlot slot, uint64_t bottom, uint64_t top);

}  // namespace arch
