// use_guarded_ist_stacks(); see init.hpp. The only place kernel/arch asks
// kernel/mm for memory: the CPU tables are loaded before the memory manager
// exists, so the IST stacks start in .bss and move here once it does.
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/mm/mm.hpp"

namespace arch {

void use_guarded_ist_stacks() {
    CpuLocal& cpu = this_cpu();
    const IstSlot slots[] = {IstSlot::kDoubleFault, IstSlot::kNmi, IstSlot::kMachineCheck};
    for (IstSlot slot : slots) {
        uint64_t boot_bottom = reinterpret_cast<uint64_t>(cpu.boot_ist_stacks[uint8_t(slot) - 1]);
        if (ist_stack_bounds(cpu, slot).bottom != boot_bottom) continue;  // moved already
        auto stack = mm::allocate_kernel_stack(kIstStackSize);
        if (!stack) PANIC("cpu: no memory for an IST stack: {}", stack.error().message);
        set_ist_stack(slot, stack->bottom, stack->top);
    }
}

}  // namespace arch
