// Which CPUs the kernel runs on, decided from what the firmware lists (the
// MADT's local APIC entries, ACPI 6.5 §5.2.12.2 and §5.2.12.12) and what the
// loader started (the Limine SMP response: docs/limine-protocol.md §4). Pure,
// host-tested (cpu_plan_test.cpp).
//
// A CPU runs when the MADT says it is enabled and the loader started it; the
// boot CPU is index 0, the others follow in MADT order. Every other CPU the
// MADT or the loader names is left out with a reason the boot log reports:
// disabled in the MADT (hot-pluggable slots: QEMU's -smp n,maxcpus=m lists
// m - n of them), enabled but not started by the loader, started by the
// loader but not (enabled) in the MADT, or beyond the kernel's CPU limit.
// Without a MADT (no ACPI) the loader's list is taken as it is.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/madt.hpp"
#include "lib/cpu_limit.hpp"
#include "lib/span.hpp"

namespace smp {

struct PlannedCpu {
    uint32_t index;  // 0 = the boot CPU
    uint32_t apic_id;
};

enum class LeftOutReason : uint8_t {
    kDisabledInMadt,        // not enabled (online capable at most): nothing to start
    kNotStartedByLoader,    // enabled, but the loader's SMP response does not have it
    kNotEnabledInMadt,      // the loader started it, but the MADT does not list it as enabled
    kBeyondCpuLimit,        // more CPUs than lib::kMaxCpus
};
const char* left_out_reason_text(LeftOutReason reason);

struct LeftOutCpu {
    uint32_t apic_id;
    LeftOutReason reason;
};

struct CpuPlan {
    PlannedCpu cpus[lib::kMaxCpus] = {};
    size_t count = 0;
    LeftOutCpu left_out[2 * lib::kMaxCpus] = {};
    size_t left_out_count = 0;

    lib::Span<const PlannedCpu> cpu_list() const { return {cpus, count}; }
    lib::Span<const LeftOutCpu> left_out_list() const { return {left_out, left_out_count}; }
    // The planned CPU with this APIC id, or null.
    const PlannedCpu* find(uint32_t apic_id) const;
};

// `madt_cpus` may be empty (no MADT); `loader_aps` are the APIC ids of the
// APs in the loader's response (the boot CPU's own entry excluded).
void plan_cpus(lib::Span<const acpi::LocalApic> madt_cpus, uint32_t bsp_apic_id,
               lib::Span<const uint32_t> loader_aps, CpuPlan& plan);

}  // namespace smp
