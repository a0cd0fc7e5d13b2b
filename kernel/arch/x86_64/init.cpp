// init_cpu(); see init.hpp.
#include "arch/x86_64/init.hpp"

#include "arch/x86_64/apic_registers.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/interrupt_controllers.hpp"
#include "arch/x86_64/kernel_stacks.hpp"
#include "boot/entry_state.hpp"
#include "console/log.hpp"

namespace arch {
namespace {

// The loader's stack: RSP at entry is its top minus the 0 return address
// (facts sheet §3), and it is at least the 128 KiB the kernel asks for in
// its Stack Size request (kernel/boot/limine_requests.hpp). It has no guard
// page (it lies in the HHDM), so only an overflow that happens to fault is
// recognised; stacks from kernel/mm/ will have real guard pages.
constexpr uint64_t kBootStackSize = 128 * 1024;

void register_stacks(const CpuLocal& cpu) {
    uint64_t boot_top = boot::entry_state().rsp + 8;
    register_kernel_stack(boot_top - kBootStackSize, boot_top, "the boot stack");
    StackBounds df = ist_stack_bounds(cpu, IstSlot::kDoubleFault);
    StackBounds nmi = ist_stack_bounds(cpu, IstSlot::kNmi);
    StackBounds mc = ist_stack_bounds(cpu, IstSlot::kMachineCheck);
    register_kernel_stack(df.bottom, df.top, "the #DF IST stack");
    register_kernel_stack(nmi.bottom, nmi.top, "the NMI IST stack");
    register_kernel_stack(mc.bottom, mc.top, "the #MC IST stack");
}

}  // namespace

void init_cpu(const lib::CommandLine& cmdline) {
    CpuLocal& bsp = bsp_cpu_local();
    load_cpu_tables(bsp);
    register_stacks(bsp);
    klog::info("cpu: GDT, TSS (IST: #DF #NMI #MC) and IDT (256 vectors) loaded");
    init_legacy_pic();
    init_local_apic();
    klog::info("cpu: 8259 PICs remapped to {:#x}-{:#x} and masked; local APIC {} id {}, spurious vector {:#x}",
               pic::kMasterVectorBase, pic::kSlaveVectorBase + 7, apic_mode_name(local_apic_mode()), local_apic_id(),
               kApicSpuriousVector);
    if (auto faulttest = cmdline.find("faulttest"); faulttest.present) run_fault_selftest(faulttest.value);
}

}  // namespace arch
