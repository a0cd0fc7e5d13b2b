// FADT decoding (ACPI 6.5 §5.2.9, Table 5.9 gives every offset below).
#include "kernel/acpi/fadt.hpp"

#include "lib/bytes.hpp"

namespace acpi {

using lib::range_inside;
using lib::read_u16;
using lib::read_u32;
using lib::read_u64;
using lib::read_u8;
namespace {

constexpr size_t kFirmwareCtrl = 36;
constexpr size_t kDsdt = 40;
constexpr size_t kPreferredPmProfile = 45;
constexpr size_t kSciInt = 46;
constexpr size_t kSmiCmd = 48;
constexpr size_t kAcpiEnable = 52;
constexpr size_t kAcpiDisable = 53;
constexpr size_t kPm1aCntBlk = 64;
constexpr size_t kPm1bCntBlk = 68;
constexpr size_t kPm1CntLen = 89;
constexpr size_t kPmTmrBlk = 76;
constexpr size_t kPmTmrLen = 91;
constexpr size_t kCentury = 108;
constexpr size_t kIapcBootArch = 109;
constexpr size_t kFlags = 112;
constexpr size_t kResetReg = 116;
constexpr size_t kResetValue = 128;
constexpr size_t kMinorVersion = 131;
constexpr size_t kXFirmwareCtrl = 132;
constexpr size_t kXDsdt = 140;
constexpr size_t kXPm1aCntBlk = 172;
constexpr size_t kXPm1bCntBlk = 184;
constexpr size_t kXPmTmrBlk = 208;

constexpr size_t kAcpi1Length = 116;  // the ACPI 1.0 FADT ends before RESET_REG

constexpr uint32_t kFlagTimerValueExtended = 1u << 8;       // TMR_VAL_EXT: the PM timer has 32 bits
constexpr uint32_t kFlagResetRegisterSupported = 1u << 10;  // RESET_REG_SUP

// A field is present when the table reaches its end.
constexpr bool has_field(lib::Bytes table, size_t offset, size_t size) {
    return range_inside(offset, size, table.size());
}

GenericAddress io_register(uint32_t port, uint8_t bytes) {
    GenericAddress result;
    result.space = AddressSpace::kSystemIo;
    result.bit_width = static_cast<uint8_t>(bytes * 8);
    result.address = port;
    return result;
}

}  // namespace

void parse_fadt(lib::Bytes table, FadtInfo& out, Diagnostics& problems) {
    out = FadtInfo{};
    out.length = static_cast<uint32_t>(table.size());
    out.revision = read_u8(table, 8);
    if (table.size() < kAcpi1Length)
        problems.report(signature::kFadt, "shorter than the 116-byte ACPI 1.0 layout; missing fields read as absent",
                        table.size());

    out.facs_address = read_u32(table, kFirmwareCtrl);
    out.dsdt_address = read_u32(table, kDsdt);
    // §5.2.9: X_FIRMWARE_CTRL and X_DSDT, when non-zero, replace the 32-bit fields.
    if (uint64_t x_facs = read_u64(table, kXFirmwareCtrl); has_field(table, kXFirmwareCtrl, 8) && x_facs != 0)
        out.facs_address = x_facs;
    if (uint64_t x_dsdt = read_u64(table, kXDsdt); has_field(table, kXDsdt, 8) && x_dsdt != 0) {
        if (out.dsdt_address != 0 && out.dsdt_address != x_dsdt)
            problems.report(signature::kFadt, "DSDT and X_DSDT disagree; using X_DSDT", x_dsdt);
        out.dsdt_address = x_dsdt;
    }

    out.preferred_pm_profile = read_u8(table, kPreferredPmProfile);
    out.sci_interrupt = read_u16(table, kSciInt);
    out.smi_command_port = read_u32(table, kSmiCmd);
    out.acpi_enable_value = read_u8(table, kAcpiEnable);
    out.acpi_disable_value = read_u8(table, kAcpiDisable);
    out.century_register = read_u8(table, kCentury);
    out.flags = read_u32(table, kFlags);
    // IAPC_BOOT_ARCH arrived with ACPI 2.0 (revision 3); in a revision 1
    // table these bytes are reserved and must not be read as flags.
    if (out.revision >= 2) out.boot_architecture.raw = read_u16(table, kIapcBootArch);

    // PM timer: X_PM_TMR_BLK wins when present; otherwise the 32-bit port
    // with PM_TMR_LEN == 4 (§5.2.9, Table 5.9: any other length means none).
    uint8_t timer_bits = (out.flags & kFlagTimerValueExtended) ? 32 : 24;
    GenericAddress x_timer = GenericAddress::decode(table, kXPmTmrBlk);
    if (has_field(table, kXPmTmrBlk, GenericAddress::kSize) && x_timer.present()) {
        out.pm_timer = x_timer;
        out.pm_timer_bits = timer_bits;
    } else if (uint32_t port = read_u32(table, kPmTmrBlk); port != 0) {
        if (read_u8(table, kPmTmrLen) == 4) {
            out.pm_timer = io_register(port, 4);
            out.pm_timer_bits = timer_bits;
        } else {
            problems.report(signature::kFadt, "PM_TMR_LEN is not 4; PM timer ignored", read_u8(table, kPmTmrLen));
        }
    }

    // PM1 control blocks (§4.8.3.2.1): the 16-bit registers power-off
    // writes SLP_TYPx and SLP_EN to; the X_ forms win when present.
    // PM1_CNT_LEN must be at least 2 (Table 5.9).
    uint8_t pm1_control_bytes = read_u8(table, kPm1CntLen) >= 2 ? 2 : 0;
    GenericAddress x_pm1a = GenericAddress::decode(table, kXPm1aCntBlk);
    if (has_field(table, kXPm1aCntBlk, GenericAddress::kSize) && x_pm1a.present())
        out.pm1a_control = x_pm1a;
    else if (uint32_t port = read_u32(table, kPm1aCntBlk); port != 0 && pm1_control_bytes != 0)
        out.pm1a_control = io_register(port, pm1_control_bytes);
    GenericAddress x_pm1b = GenericAddress::decode(table, kXPm1bCntBlk);
    if (has_field(table, kXPm1bCntBlk, GenericAddress::kSize) && x_pm1b.present())
        out.pm1b_control = x_pm1b;
    else if (uint32_t port = read_u32(table, kPm1bCntBlk); port != 0 && pm1_control_bytes != 0)
        out.pm1b_control = io_register(port, pm1_control_bytes);

    out.minor_revision = has_field(table, kMinorVersion, 1) ? read_u8(table, kMinorVersion) : 0;
    if (has_field(table, kResetValue, 1) && (out.flags & kFlagResetRegisterSupported)) {
        out.reset_register = GenericAddress::decode(table, kResetReg);
        out.reset_value = read_u8(table, kResetValue);
        bool usable_space = out.reset_register.space == AddressSpace::kSystemIo ||
                            out.reset_register.space == AddressSpace::kSystemMemory ||
                            out.reset_register.space == AddressSpace::kPciConfig;
        // §4.8.3.6: the reset register is 8 bits wide at offset 0.
        if (!out.reset_register.present()) {
            problems.report(signature::kFadt, "RESET_REG_SUP set but the reset register address is zero");
        } else if (!usable_space) {
            problems.report(signature::kFadt, "reset register in an address space we cannot write (space id)",
                            static_cast<uint8_t>(out.reset_register.space));
        } else if (out.reset_register.bit_width != 8 || out.reset_register.bit_offset != 0) {
            problems.report(signature::kFadt, "reset register is not 8 bits at bit 0; not used (bit width)",
                            out.reset_register.bit_width);
        } else {
            out.reset_supported = true;
        }
    }
    if (out.dsdt_address == 0) problems.report(signature::kFadt, "no DSDT address");
}

}  // namespace acpi
