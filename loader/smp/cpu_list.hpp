// Which processors the SMP response lists, in which order, and which of them
// the loader must start. Pure logic over the MADT's processor list, tested
// on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/madt.hpp"

namespace loader::smp {

inline constexpr size_t kMaxCpus = acpi::MadtInfo::kMaxCpus;

struct SmpCpu {
    uint32_t processor_uid = 0;  // ACPI processor UID (smp_info.processor_id)
    uint32_t apic_id = 0;        // local APIC / x2APIC id (smp_info.lapic_id)
    bool is_bsp = false;
    bool online = false;  // the BSP, or an AP that reported in
};

struct CpuList {
    SmpCpu cpus[kMaxCpus];
    size_t count = 0;
    size_t bsp_index = 0;

    size_t ap_count() const { return count - 1; }
};

// Lists the MADT's enabled processors in MADT order, marking the BSP (the
// one whose APIC id is `bsp_apic_id`) online. A BSP missing from the MADT (or
// no MADT at all: `madt` null) is put first with UID 0, so the list always
// holds at least the BSP; should the MADT already be full, its last processor
// gives way. The MADT parser (lib/acpi/madt.hpp) already listed each APIC id
// once.
void build_cpu_list(const acpi::MadtInfo* madt, uint32_t bsp_apic_id, CpuList& out);

// Whether an IPI can reach `apic_id`: in xAPIC mode the destination field is
// 8 bits and 0xFF is the broadcast address, so larger ids need x2APIC.
bool can_send_ipi_to(uint32_t apic_id, bool x2apic_mode);

}  // namespace loader::smp
