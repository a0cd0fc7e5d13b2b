// use_guarded_ist_stacks(); see mm.hpp. The CPU tables are loaded before the
// memory manager exists, so arch starts the IST stacks in .bss; they move
// here once stacks with guard pages can be allocated.
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/mm/mm.hpp"

namespace mm {

void use_guarded_ist_stacks() {
    arch::CpuLocal& cpu = arch::this_cpu();
    const arch::IstSlot slots[] = {arch::IstSlot::kDoubleFault, arch::IstSlot::kNmi, arch::IstSlot::kMachineCheck};
    static const char* const kNames[] = {"the #DF IST stack", "the NMI IST stack", "the #MC IST stack"};
    for (arch::IstSlot slot : slots) {
        if (!arch::uses_boot_ist_stack(cpu, slot)) continue;  // moved already
        auto stack = allocate_kernel_stack(arch::kIstStackSize, kNames[uint8_t(slot) - 1]);
        if (!stack) PANIC("mm: no memory for an IST stack: {}", stack.error().message);
        arch::set_ist_stack(slot, stack->bottom, stack->top);
    }
}

}  // namespace mm
