// The loader's small reading of the ACPI MADT: which processors exist and are
// enabled, for SMP start-up (ACPI 6.5 §5.2.12). Pure logic over table bytes;
// every length is checked, a malformed table yields an error, never a fault.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace loader {

inline constexpr size_t kMaxCpus = 256;

struct MadtCpu {
    uint32_t processor_uid;  // ACPI processor UID
    uint32_t apic_id;        // local APIC or x2APIC id
    bool enabled;            // flags bit 0: running now. Online-capable only (bit 1)
                             // means it can be hot-added later: not started at boot.
};

struct MadtCpus {
    uint64_t local_apic_address;  // from the MADT header or the 64-bit override
    MadtCpu cpus[kMaxCpus];
    size_t count = 0;
    size_t ignored_count = 0;  // usable processors beyond kMaxCpus, not listed
};

// `madt` is the whole table including its 36-byte SDT header. Enabled (flags
// bit 0) or online-capable (bit 1) type 0 (local APIC) and type 9 (x2APIC)
// entries are listed, each APIC id once; type 5 overrides the APIC address.
lib::Expected<MadtCpus> parse_madt_cpus(lib::Bytes madt);

// Finds a table by signature through the RSDP (v1 RSDT or v2 XSDT, checksums
// verified). `phys_to_ptr` turns a physical address into a readable pointer
// (identity under UEFI boot services). Returns the table bytes.
using PhysToPtr = const uint8_t* (*)(uint64_t phys);
lib::Expected<lib::Bytes> find_acpi_table(const uint8_t* rsdp, const char signature[4], PhysToPtr phys_to_ptr);

}  // namespace loader
