// init_cpu(); see init.hpp.
#include "kernel/arch/x86_64/init.hpp"

#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"

namespace arch {
namespace {

uint64_t g_physical_map_offset = 0;

}  // namespace

void init_cpu(const CpuSetup& setup) {
    g_physical_map_offset = setup.physical_map_offset;
    CpuLocal& bsp = bsp_cpu_local();
    load_cpu_tables(bsp);
    // The boot stack has no guard page of its own (it lies in the HHDM), so
    // only an overflow that happens to fault is recognised.
    if (setup.boot_stack_top > setup.boot_stack_bottom &&
        !register_kernel_stack(setup.boot_stack_bottom, setup.boot_stack_top, "the boot stack"))
        klog::warn("cpu: the known-stack table is full; the boot stack is not watched for overflows");
    klog::info("cpu: GDT, TSS (IST: #DF #NMI #MC) and IDT (256 vectors) loaded");
    enable_user_protections();
    klog::info("cpu: user-mode protections: SMEP {}, SMAP {}, UMIP {}", smep_active() ? "on" : "absent",
               smap_active() ? "on" : "absent", umip_active() ? "on" : "absent");
    init_legacy_pic();
    klog::info("cpu: 8259 PICs remapped to {:#x}-{:#x} and masked", kPicVectorBase, kPicVectorBase + 15);
}

void init_boot_local_apic(volatile void* xapic_registers) {
    if (xapic_registers) set_local_apic_registers(xapic_registers);
    init_local_apic();
    klog::info("cpu: local APIC {} id {}, spurious vector {:#x}", apic_mode_name(local_apic_mode()), local_apic_id(),
               kApicSpuriousVector);
}

uint64_t physical_map_offset() {
    return g_physical_map_offset;
}

void init_application_processor(CpuLocal& cpu) {
    load_cpu_tables(cpu);
    enable_user_protections();
    init_local_apic();
}

}  // namespace arch
