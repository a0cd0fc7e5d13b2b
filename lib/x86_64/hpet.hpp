// The HPET's registers as typed values (IA-PC HPET Specification 1.0a §2.3):
// the register offsets in its 1 KiB MMIO block (§2.3.1, Table 2), the
// General Capabilities and ID register (§2.3.4) and the General
// Configuration register's enable bit (§2.3.5). The ACPI HPET table's Event
// Timer Block ID is the low 32 bits of the capabilities register (Table 3),
// so the table parser (kernel/acpi) and the driver (kernel/arch) decode the
// same fields here. Host-tested in apic_test.cpp.
#pragma once

#include <stdint.h>

namespace x86_64::hpet {

inline constexpr uint64_t kCapabilitiesRegister = 0x00;
inline constexpr uint64_t kConfigurationRegister = 0x10;
inline constexpr uint64_t kMainCounterRegister = 0xf0;

inline constexpr uint64_t kConfigurationEnable = 1u << 0;  // ENABLE_CNF: the main counter runs

// A period above 100 ns (in femtoseconds) is not a valid HPET (§2.3.4).
inline constexpr uint64_t kMaxPeriodFemtoseconds = 100'000'000;

struct Capabilities {
    uint8_t revision;          // REV_ID, bits 0..7
    uint8_t comparator_count;  // NUM_TIM_CAP (bits 8..12) + 1
    bool counter_64bit;        // COUNT_SIZE_CAP, bit 13
    bool legacy_replacement;   // LEG_RT_CAP, bit 15
    uint16_t vendor_id;        // bits 16..31
    uint32_t period_fs;        // COUNTER_CLK_PERIOD, bits 32..63 (0 in the ACPI table's 32-bit copy)
};

constexpr Capabilities decode_capabilities(uint64_t value) {
    Capabilities c{};
    c.revision = uint8_t(value & 0xff);
    c.comparator_count = uint8_t(((value >> 8) & 0x1f) + 1);
    c.counter_64bit = ((value >> 13) & 1) != 0;
    c.legacy_replacement = ((value >> 15) & 1) != 0;
    c.vendor_id = uint16_t(value >> 16);
    c.period_fs = uint32_t(value >> 32);
    return c;
}

}  // namespace x86_64::hpet
