// init_cpu(); see init.hpp.
#include "kernel/arch/x86_64/init.hpp"

#include "kernel/arch/x86_64/apic_registers.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/boot/entry_state.hpp"
#include "kernel/console/log.hpp"

namespace arch {
namespace {

// The loader's stack: RSP at entry is its top minus the 0 return address
// (facts sheet §3), and it is at least the 128 KiB the kernel asks for in
// its Stack Size request (kernel/boot/limine_requests.hpp). It has no guard
// page (it lies in the HHDM), so only an overflow that happens to fault is
// recognised; stacks from kernel/mm/ will have real guard pages.
constexpr uint64_t kBootStackSize = 128 * 1024;

void register_boot_stack() {
    uint64_t boot_top = boot::entry_state().rsp + 8;
    register_kernel_stack(boot_top - kBootStackSize, boot_top, "the boot stack");
}

}  // namespace

void init_cpu(const lib::CommandLine& cmdline) {
    CpuLocal& bsp = bsp_cpu_local();
    load_cpu_tables(bsp);
    register_boot_stack();
    klog::info("cpu: GDT, TSS (IST: #DF #NMI #MC) and IDT (256 vectors) loaded");
    init_legacy_pic();
    init_local_apic();
    klog::info("cpu: 8259 PICs remapped to {:#x}-{:#x} and masked; local APIC {} id {}, spurious vector {:#x}",
               pic::kMasterVectorBase, pic::kSlaveVectorBase + 7, apic_mode_name(local_apic_mode()), local_apic_id(),
               kApicSpuriousVector);
    if (auto faulttest = cmdline.find("faulttest"); faulttest.present) run_fault_selftest(faulttest.value);
}

void init_application_processor(CpuLocal& cpu, uint32_t index) {
    cpu.index = index;
    load_cpu_tables(cpu);
    init_local_apic();
}

}  // namespace arch
