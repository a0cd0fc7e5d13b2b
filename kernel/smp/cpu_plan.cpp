// The CPU plan (see cpu_plan.hpp).
#include "kernel/smp/cpu_plan.hpp"

namespace smp {
namespace {

bool contains(lib::Span<const uint32_t> ids, uint32_t id) {
    for (uint32_t candidate : ids)
        if (candidate == id) return true;
    return false;
}

const acpi::LocalApic* madt_entry(lib::Span<const acpi::LocalApic> madt_cpus, uint32_t apic_id) {
    for (const acpi::LocalApic& cpu : madt_cpus)
        if (cpu.apic_id == apic_id) return &cpu;
    return nullptr;
}

void leave_out(CpuPlan& plan, uint32_t apic_id, LeftOutReason reason) {
    if (plan.left_out_count < sizeof plan.left_out / sizeof plan.left_out[0])
        plan.left_out[plan.left_out_count++] = {apic_id, reason};
}

void add(CpuPlan& plan, uint32_t apic_id) {
    if (plan.find(apic_id)) return;  // listed twice: once is enough
    if (plan.count == lib::kMaxCpus) return leave_out(plan, apic_id, LeftOutReason::kBeyondCpuLimit);
    plan.cpus[plan.count] = {uint32_t(plan.count), apic_id};
    ++plan.count;
}

}  // namespace

const char* left_out_reason_text(LeftOutReason reason) {
    switch (reason) {
        case LeftOutReason::kDisabledInMadt: return "disabled in the MADT";
        case LeftOutReason::kNotStartedByLoader: return "enabled in the MADT but not started by the loader";
        case LeftOutReason::kNotEnabledInMadt: return "started by the loader but not enabled in the MADT";
        case LeftOutReason::kBeyondCpuLimit: return "beyond the kernel's CPU limit";
    }
    return "?";
}

const PlannedCpu* CpuPlan::find(uint32_t apic_id) const {
    for (size_t i = 0; i < count; ++i)
        if (cpus[i].apic_id == apic_id) return &cpus[i];
    return nullptr;
}

void plan_cpus(lib::Span<const acpi::LocalApic> madt_cpus, uint32_t bsp_apic_id,
               lib::Span<const uint32_t> loader_aps, CpuPlan& plan) {
    plan.count = 0;
    plan.left_out_count = 0;
    add(plan, bsp_apic_id);  // the CPU running this is index 0, whatever the tables say
    if (madt_cpus.size() == 0) {
        for (uint32_t apic_id : loader_aps) add(plan, apic_id);
        return;
    }
    for (const acpi::LocalApic& cpu : madt_cpus) {
        if (cpu.apic_id == bsp_apic_id) continue;
        if (!cpu.enabled) {
            // One the loader started anyway is reported below, once.
            if (!contains(loader_aps, cpu.apic_id)) leave_out(plan, cpu.apic_id, LeftOutReason::kDisabledInMadt);
        } else if (!contains(loader_aps, cpu.apic_id)) leave_out(plan, cpu.apic_id, LeftOutReason::kNotStartedByLoader);
        else add(plan, cpu.apic_id);
    }
    for (uint32_t apic_id : loader_aps) {
        const acpi::LocalApic* entry = madt_entry(madt_cpus, apic_id);
        if (!entry || !entry->enabled) leave_out(plan, apic_id, LeftOutReason::kNotEnabledInMadt);
    }
}

}  // namespace smp
