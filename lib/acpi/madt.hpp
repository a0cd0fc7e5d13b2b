// The Multiple APIC Description Table (ACPI 6.5 §5.2.12): the CPUs' local
// APICs, the I/O APICs, how ISA IRQs map onto global system interrupts, and
// which APIC inputs carry NMIs. Decoded into fixed-size lists; entries that
// are too short, run past the table or carry reserved values are reported and
// skipped, unknown entry types are skipped silently (later ACPI versions add
// types), and a zero-length entry ends the walk.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/diagnostics.hpp"
#include "lib/cpu_limit.hpp"
#include "lib/span.hpp"

namespace acpi {

// MPS INTI flags (§5.2.12.5, Table 5.26): polarity in bits 0..1, trigger
// mode in bits 2..3. "Conforms" means "as the bus says": for ISA that is
// active high, edge triggered.
enum class Polarity : uint8_t { kConforms = 0, kActiveHigh = 1, kReserved = 2, kActiveLow = 3 };
enum class TriggerMode : uint8_t { kConforms = 0, kEdge = 1, kReserved = 2, kLevel = 3 };

struct InterruptFlags {
    Polarity polarity = Polarity::kConforms;
    TriggerMode trigger = TriggerMode::kConforms;

    static constexpr InterruptFlags decode(uint16_t raw) {
        return InterruptFlags{static_cast<Polarity>(raw & 3), static_cast<TriggerMode>((raw >> 2) & 3)};
    }
    constexpr bool has_reserved_value() const {
        return polarity == Polarity::kReserved || trigger == TriggerMode::kReserved;
    }
    // Resolved for an ISA source (the only bus the MADT overrides name).
    constexpr bool active_low() const { return polarity == Polarity::kActiveLow; }
    constexpr bool level_triggered() const { return trigger == TriggerMode::kLevel; }
};

const char* polarity_name(Polarity polarity);
const char* trigger_name(TriggerMode trigger);

struct LocalApic {
    uint32_t processor_uid;  // ACPI processor UID
    uint32_t apic_id;        // xAPIC ID, or x2APIC ID for type 9 entries
    bool enabled;            // Local APIC Flags bit 0 (§5.2.12.2, Table 5.23)
    bool online_capable;     // bit 1: may be enabled later
    bool x2apic;             // came from a Processor Local x2APIC entry (§5.2.12.12)

    constexpr bool usable() const { return enabled || online_capable; }
};

struct IoApic {
    uint8_t id;
    uint32_t address;   // physical MMIO base
    uint32_t gsi_base;  // first global system interrupt it serves
};

// §5.2.12.5: an ISA IRQ that is not identity-mapped to a GSI, or whose
// polarity/trigger differ from ISA's.
struct InterruptOverride {
    uint8_t bus;     // 0 = ISA
    uint8_t source;  // the ISA IRQ
    uint32_t gsi;
    InterruptFlags flags;
};

// §5.2.12.6: a GSI wired to NMI.
struct NmiSource {
    uint32_t gsi;
    InterruptFlags flags;
};

// §5.2.12.7 (Local APIC NMI) and §5.2.12.13 (Local x2APIC NMI): which LINT
// pin of which processor carries NMI.
struct LocalNmi {
    static constexpr uint32_t kAllProcessors = 0xffffffff;  // 0xFF in the 8-bit form, widened

    uint32_t processor_uid;
    uint8_t lint;  // 0 or 1
    InterruptFlags flags;
    bool x2apic;
};

struct MadtInfo {
    static constexpr size_t kMaxCpus = lib::kMaxCpus;  // the one CPU limit (lib/cpu_limit.hpp)
    static constexpr size_t kMaxIoApics = 16;
    static constexpr size_t kMaxOverrides = 48;
    static constexpr size_t kMaxNmiSources = 16;
    static constexpr size_t kMaxLocalNmis = 64;

    uint64_t local_apic_address = 0;  // 32-bit field, or the 64-bit override (§5.2.12.8)
    bool pcat_compat = false;         // Flags bit 0: dual 8259s present (must be masked)

    LocalApic cpus[kMaxCpus] = {};
    size_t cpu_count = 0;
    IoApic io_apics[kMaxIoApics] = {};
    size_t io_apic_count = 0;
    InterruptOverride overrides[kMaxOverrides] = {};
    size_t override_count = 0;
    NmiSource nmi_sources[kMaxNmiSources] = {};
    size_t nmi_source_count = 0;
    LocalNmi local_nmis[kMaxLocalNmis] = {};
    size_t local_nmi_count = 0;
    size_t unknown_entry_count = 0;

    lib::Span<const LocalApic> cpu_list() const { return {cpus, cpu_count}; }
    lib::Span<const IoApic> io_apic_list() const { return {io_apics, io_apic_count}; }
    lib::Span<const InterruptOverride> override_list() const { return {overrides, override_count}; }
    lib::Span<const NmiSource> nmi_source_list() const { return {nmi_sources, nmi_source_count}; }
    lib::Span<const LocalNmi> local_nmi_list() const { return {local_nmis, local_nmi_count}; }

    // CPUs that are enabled or may be brought online.
    size_t usable_cpu_count() const;
    // The override for an ISA IRQ, or null (then the IRQ is GSI == IRQ,
    // active high, edge triggered).
    const InterruptOverride* override_for_isa_irq(uint8_t irq) const;
    // The global system interrupt an ISA IRQ arrives on.
    uint32_t isa_irq_to_gsi(uint8_t irq) const;
    // The I/O APIC serving `gsi`, or null. Without knowing each I/O APIC's
    // size (a register read), the one with the greatest base <= gsi is taken.
    const IoApic* io_apic_for_gsi(uint32_t gsi) const;
};

// Decodes a validated MADT ("APIC") into `out`. Problems are reported under
// "APIC"; the valid part is kept.
void parse_madt(lib::Bytes table, MadtInfo& out, Diagnostics& problems);

}  // namespace acpi
