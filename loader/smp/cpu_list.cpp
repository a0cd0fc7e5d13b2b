#include "loader/smp/cpu_list.hpp"

#include "lib/x86_64/apic.hpp"

namespace loader::smp {

void build_cpu_list(const acpi::MadtInfo* madt, uint32_t bsp_apic_id, CpuList& out) {
    out.count = 0;
    out.bsp_index = 0;

    bool bsp_in_madt = false;
    size_t madt_count = madt != nullptr ? madt->cpu_count : 0;
    if (madt_count > kMaxCpus) madt_count = kMaxCpus;
    for (size_t i = 0; i < madt_count; ++i) {
        if (madt->cpus[i].apic_id == bsp_apic_id) bsp_in_madt = true;
    }

    if (!bsp_in_madt) {
        SmpCpu& bsp = out.cpus[out.count++];
        bsp.processor_uid = 0;
        bsp.apic_id = bsp_apic_id;
        bsp.is_bsp = true;
        bsp.online = true;
    }

    for (size_t i = 0; i < madt_count && out.count < kMaxCpus; ++i) {
        // Online-capable but not enabled processors are not running at boot
        // (ACPI 6.5 §5.2.12.2); Limine does not start them either.
        if (!madt->cpus[i].enabled && madt->cpus[i].apic_id != bsp_apic_id) continue;
        SmpCpu& cpu = out.cpus[out.count];
        cpu.processor_uid = madt->cpus[i].processor_uid;
        cpu.apic_id = madt->cpus[i].apic_id;
        cpu.is_bsp = cpu.apic_id == bsp_apic_id;
        cpu.online = cpu.is_bsp;
        if (cpu.is_bsp) out.bsp_index = out.count;
        ++out.count;
    }
}

bool can_send_ipi_to(uint32_t apic_id, bool x2apic_mode) {
    // x2APIC id 0xFFFFFFFF is the x2APIC broadcast address (SDM §11.12.9).
    if (x2apic_mode) return apic_id != 0xffffffffu;
    return apic_id <= x86_64::apic::kMaxXapicDestination;
}

}  // namespace loader::smp
