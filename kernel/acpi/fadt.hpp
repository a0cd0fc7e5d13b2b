// The Fixed ACPI Description Table ("FACP", ACPI 6.5 §5.2.9, Table 5.9):
// fixed-hardware register blocks (PM timer, PM1 control), the SCI interrupt,
// the reset register, the IA-PC boot architecture flags, the CMOS century
// index and the DSDT's address.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/acpi/generic_address.hpp"
#include "lib/acpi/diagnostics.hpp"
#include "lib/span.hpp"

namespace acpi {

// IA-PC Boot Architecture Flags (§5.2.9.3, Table 5.11).
struct BootArchitectureFlags {
    uint16_t raw = 0;

    constexpr bool legacy_devices() const { return raw & (1u << 0); }   // LPC/ISA devices the OS can't enumerate
    constexpr bool has_8042() const { return raw & (1u << 1); }         // PS/2 controller present
    constexpr bool vga_not_present() const { return raw & (1u << 2); }  // don't probe VGA ports/memory
    constexpr bool msi_not_supported() const { return raw & (1u << 3); }
    constexpr bool pcie_aspm_controls() const { return raw & (1u << 4); }
    constexpr bool cmos_rtc_not_present() const { return raw & (1u << 5); }
};

struct FadtInfo {
    uint8_t revision = 0;        // header revision (1 for ACPI 1.0's 116-byte table)
    uint8_t minor_revision = 0;  // FADT Minor Version (offset 131), ACPI 5.1+
    uint32_t length = 0;

    uint64_t dsdt_address = 0;   // X_DSDT when present, else DSDT
    uint64_t facs_address = 0;   // X_FIRMWARE_CTRL when present, else FIRMWARE_CTRL
    uint16_t sci_interrupt = 0;  // SCI_INT: an ISA IRQ on 8259 systems, a GSI otherwise
    uint32_t smi_command_port = 0;
    uint8_t acpi_enable_value = 0;
    uint8_t acpi_disable_value = 0;
    uint8_t preferred_pm_profile = 0;

    // The ACPI PM timer (§4.8.3.3): a 3.579545 MHz counter of 24 or 32 bits.
    GenericAddress pm_timer;    // X_PM_TMR_BLK, or PM_TMR_BLK as a 32-bit I/O register
    uint8_t pm_timer_bits = 0;  // 24 or 32 (TMR_VAL_EXT); 0 when there is no timer
    constexpr bool has_pm_timer() const { return pm_timer.present() && pm_timer_bits != 0; }

    GenericAddress pm1a_control;  // X_PM1a_CNT_BLK, or PM1a_CNT_BLK as I/O
    GenericAddress pm1b_control;  // X_PM1b_CNT_BLK, or PM1b_CNT_BLK; absent on most machines

    // §4.8.3.6: writing reset_value to reset_register resets the machine,
    // when the Flags say the register is supported.
    bool reset_supported = false;
    GenericAddress reset_register;
    uint8_t reset_value = 0;

    BootArchitectureFlags boot_architecture;
    uint8_t century_register = 0;  // CMOS RAM index of the century, 0 = none
    uint32_t flags = 0;            // Fixed Feature Flags (Table 5.10)
    constexpr bool hardware_reduced() const { return flags & (1u << 20); }
};

// Decodes a validated FADT. A table shorter than a field's offset leaves that
// field zero ("not provided"), which is how ACPI 1.0 tables are read.
void parse_fadt(lib::Bytes table, FadtInfo& out, Diagnostics& problems);

}  // namespace acpi
