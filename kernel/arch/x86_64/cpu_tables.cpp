// Building and loading the GDT, TSS and IDT; see cpu_local.hpp and init.hpp.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/exception_info.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"

extern "C" char arch_interrupt_stubs[];
extern "C" const uint64_t arch_interrupt_stubs_size;
extern "C" void arch_load_gdt(const arch::DescriptorTablePointer* gdtr, uint16_t code_selector, uint16_t data_selector);

namespace arch {
namespace {

constexpr size_t kVectorCount = 256;
constexpr uint64_t kStubSize = 16;  // interrupt_stubs.S: stub N at arch_interrupt_stubs + 16 * N

CpuLocal g_bsp;
// The boot CPU's first IST stacks, page-aligned in .bss, so exceptions are
// safe from the first moment; no guard pages (there is no page mapper yet
// when its tables are loaded). mm moves them to guarded stacks later.
alignas(4096) uint8_t g_boot_ist_stacks[kIstStacksUsed][kIstStackSize];

// One IDT for all CPUs: the gates are the same everywhere; what differs per
// CPU (the IST stacks) is found through each CPU's own TSS.
alignas(16) GateDescriptor g_idt[kVectorCount];
bool g_idt_built = false;

IstSlot ist_slot_for(uint8_t v) {
    switch (v) {
        case vector::kDoubleFault: return IstSlot::kDoubleFault;
        case vector::kNmi: return IstSlot::kNmi;
        case vector::kMachineCheck: return IstSlot::kMachineCheck;
        default: return IstSlot::kNone;
    }
}

void build_idt() {
    ASSERT(arch_interrupt_stubs_size == kVectorCount * kStubSize);
    uint64_t stubs = reinterpret_cast<uint64_t>(arch_interrupt_stubs);
    for (size_t v = 0; v < kVectorCount; ++v) {
        GateOptions options;
        options.ist = uint8_t(ist_slot_for(uint8_t(v)));
        // int3 from user mode (debuggers) must reach the handler, not #GP.
        if (v == vector::kBreakpoint) options.dpl = PrivilegeLevel::kUser;
        g_idt[v] = make_gate(stubs + v * kStubSize, kKernelCodeSelector, options);
    }
    g_idt_built = true;
}

void load_idt() {
    DescriptorTablePointer idtr{uint16_t(sizeof g_idt - 1), reinterpret_cast<uint64_t>(g_idt)};
    asm volatile("lidt %0" ::"m"(idtr) : "memory");
}

void build_gdt(CpuLocal& cpu) {
    cpu.gdt[gdt_index::kNull] = 0;
    cpu.gdt[gdt_index::kKernelCode] = code_segment_64(PrivilegeLevel::kKernel);
    cpu.gdt[gdt_index::kKernelData] = data_segment(PrivilegeLevel::kKernel);
    cpu.gdt[3] = 0;
    cpu.gdt[gdt_index::kSysretBase] = 0;
    cpu.gdt[gdt_index::kUserData] = data_segment(PrivilegeLevel::kUser);
    cpu.gdt[gdt_index::kUserCode] = code_segment_64(PrivilegeLevel::kUser);
    SystemDescriptor tss = tss_descriptor(reinterpret_cast<uint64_t>(&cpu.tss), sizeof(Tss) - 1);
    cpu.gdt[gdt_index::kTss] = tss.low;
    cpu.gdt[gdt_index::kTss + 1] = tss.high;
}

void build_tss(CpuLocal& cpu) {
    cpu.tss = Tss{};
    for (size_t i = 0; i < kIstStacksUsed; ++i) {
        ASSERT(cpu.ist_bounds[i].top != 0);
        cpu.tss.ist[i] = cpu.ist_bounds[i].top;
    }
    // RSP0 (the stack for entries from CPL 3) belongs to the scheduler's
    // current thread (set_kernel_stack_top).
    cpu.tss.rsp[0] = cpu.hot.kernel_stack_top;
}

// The BSP's .bss IST stacks; registered as known stacks so that running off
// one is reported as an overflow (no guard page: only RSP at the bottom tells).
void use_boot_ist_stacks(CpuLocal& cpu) {
    static const char* const kNames[kIstStacksUsed] = {"the #DF IST stack", "the NMI IST stack", "the #MC IST stack"};
    for (size_t i = 0; i < kIstStacksUsed; ++i) {
        uint64_t bottom = reinterpret_cast<uint64_t>(g_boot_ist_stacks[i]);
        cpu.ist_bounds[i] = StackBounds{bottom, bottom + kIstStackSize};
        if (!register_kernel_stack(cpu.ist_bounds[i].bottom, cpu.ist_bounds[i].top, kNames[i]))
            klog::warn("cpu: {} is not watched for overflows (the table of known stacks is full)", kNames[i]);
    }
}

}  // namespace

CpuLocal& bsp_cpu_local() {
    return g_bsp;
}

bool uses_boot_ist_stack(const CpuLocal& cpu, IstSlot slot) {
    return cpu.ist_bounds[uint8_t(slot) - 1].bottom == reinterpret_cast<uint64_t>(g_boot_ist_stacks[uint8_t(slot) - 1]);
}

StackBounds ist_stack_bounds(const CpuLocal& cpu, IstSlot slot) {
    ASSERT(slot != IstSlot::kNone && uint8_t(slot) <= kIstStacksUsed);
    return cpu.ist_bounds[uint8_t(slot) - 1];
}

void set_ist_stack(IstSlot slot, uint64_t bottom, uint64_t top) {
    ASSERT(slot != IstSlot::kNone && uint8_t(slot) <= kIstStacksUsed);
    ASSERT(bottom < top && (top & 15) == 0);
    CpuLocal& cpu = this_cpu();
    StackBounds old = cpu.ist_bounds[uint8_t(slot) - 1];
    cpu.ist_bounds[uint8_t(slot) - 1] = StackBounds{bottom, top};
    // The CPU reads the TSS at each delivery (SDM Vol. 3A §6.14.5): the next
    // exception on this slot already uses the new stack.
    cpu.tss.ist[uint8_t(slot) - 1] = top;
    unregister_kernel_stack(old.bottom);
}

void load_cpu_tables(CpuLocal& cpu) {
    cpu.hot.self = &cpu.hot;
    // GS base first: everything below may take a lock or log, which read
    // this CPU's hot block.
    wrmsr(msr::kGsBase, reinterpret_cast<uint64_t>(&cpu));
    if (&cpu == &g_bsp && cpu.ist_bounds[0].top == 0) use_boot_ist_stacks(cpu);
    build_gdt(cpu);
    build_tss(cpu);
    DescriptorTablePointer gdtr{uint16_t(sizeof cpu.gdt - 1), reinterpret_cast<uint64_t>(cpu.gdt)};
    arch_load_gdt(&gdtr, kKernelCodeSelector, kKernelDataSelector);
    // LTR marks the descriptor busy (SDM Vol. 3A §8.2.4); a CPU loads its
    // own TSS once.
    // Loading GS (arch_load_gdt reloads every segment register) replaced
    // its base with the descriptor's (SDM Vol. 3A §3.4.4.1): set it again.
    wrmsr(msr::kGsBase, reinterpret_cast<uint64_t>(&cpu));
    asm volatile("ltr %0" ::"r"(kTssSelector) : "memory");
    if (!g_idt_built) build_idt();
    load_idt();
}

}  // namespace arch
