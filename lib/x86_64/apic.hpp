// The local APIC as typed constexpr values (Intel SDM Vol. 3A chapter 11
// "Advanced Programmable Interrupt Controller (APIC)"): the IA32_APIC_BASE
// MSR (§11.4.4, Figure 11-5), the register map (§11.4.1, Table 11-1) and its
// x2APIC MSR form (§11.12.1.2), LVT entries (§11.5.1, Figure 11-8) including
// the timer's modes and divider (§11.5.4, Figures 11-10), the interrupt
// command register (§11.6.1, Figure 11-12; x2APIC §11.12.9), the spurious-
// interrupt vector register (§11.9, Figure 11-23), and the start-up IPI's
// target page (§9.4.4.1; MultiProcessor Specification 1.4 Appendix B.4).
// Older SDM editions number the APIC chapter 10 and MP start-up §8.4.
// Used by the loader (starting the APs) and the kernel (arch/x86_64);
// host-tested in apic_test.cpp.
#pragma once

#include <stdint.h>

namespace x86_64::apic {

// IA32_APIC_BASE (MSR 0x1B, x86_64::msr::kApicBase).
inline constexpr uint64_t kBaseBsp = 1ULL << 8;            // BSP flag, read-only
inline constexpr uint64_t kBaseX2apicEnable = 1ULL << 10;  // EXTD
inline constexpr uint64_t kBaseGlobalEnable = 1ULL << 11;  // EN
inline constexpr uint64_t kBaseAddressMask = 0x000f'ffff'ffff'f000ULL;

// Register offsets in the xAPIC MMIO page.
enum class Register : uint16_t {
    kId = 0x20,
    kVersion = 0x30,
    kTaskPriority = 0x80,
    kEoi = 0xb0,
    kSpuriousVector = 0xf0,
    kInService0 = 0x100,  // ISR bits 0..31; 0x110 for 32..63, ... 0x170
    kErrorStatus = 0x280,
    kLvtCmci = 0x2f0,  // exists when the Max LVT Entry is 6 or more
    kInterruptCommandLow = 0x300,
    kInterruptCommandHigh = 0x310,  // xAPIC only; x2APIC has one 64-bit ICR
    kLvtTimer = 0x320,
    kLvtThermal = 0x330,
    kLvtPerformance = 0x340,
    kLvtLint0 = 0x350,
    kLvtLint1 = 0x360,
    kLvtError = 0x370,
    kTimerInitialCount = 0x380,
    kTimerCurrentCount = 0x390,
    kTimerDivideConfiguration = 0x3e0,
};

// In x2APIC mode each register is the MSR 0x800 + offset / 16.
constexpr uint32_t x2apic_msr(Register r) {
    return 0x800u + (uint32_t(r) >> 4);
}
inline constexpr uint32_t kX2apicIcrMsr = x2apic_msr(Register::kInterruptCommandLow);  // 0x830

// The In-Service Register word and bit that hold `vector`.
constexpr Register in_service_register(uint8_t vector) {
    return Register(0x100 + (vector / 32) * 0x10);
}
constexpr uint32_t in_service_bit(uint8_t vector) {
    return 1u << (vector % 32);
}

// The ID register: xAPIC keeps the 8-bit ID in bits 24..31; x2APIC's is the
// whole 32-bit register (§11.12.5.1).
constexpr uint32_t xapic_id(uint32_t id_register) {
    return id_register >> 24;
}

// The Version register (§11.4.8, Figure 11-7): bits 16..23 hold the number
// of LVT entries minus one (4 on P6 family parts, 5 on the Pentium 4, 6 with
// CMCI); the optional entries exist only when it is high enough.
constexpr unsigned max_lvt_entry(uint32_t version_register) {
    return (version_register >> 16) & 0xff;
}

// Spurious-interrupt vector register: the vector plus APIC software enable.
inline constexpr uint32_t kSpuriousApicEnable = 1u << 8;
constexpr uint32_t spurious_vector_register(uint8_t vector) {
    return kSpuriousApicEnable | vector;
}

// Delivery modes, bits 8..10 of LVT entries and of the ICR.
enum class DeliveryMode : uint8_t {
    kFixed = 0,
    kLowestPriority = 1,  // ICR only
    kSmi = 2,
    kNmi = 4,
    kInit = 5,
    kStartup = 6,  // ICR only
    kExtInt = 7,
};

// --- Local vector table -------------------------------------------------------

inline constexpr uint32_t kLvtActiveLow = 1u << 13;  // LINT0/LINT1: the input pin is active low
inline constexpr uint32_t kLvtLevelTriggered = 1u << 15;
inline constexpr uint32_t kLvtMasked = 1u << 16;

constexpr uint32_t lvt_entry(uint8_t vector, DeliveryMode mode, bool masked) {
    return uint32_t(vector) | (uint32_t(mode) << 8) | (masked ? kLvtMasked : 0);
}

// The timer's LVT entry carries its mode in bits 17..18. In TSC-deadline
// mode (§11.5.4.1) the count registers are unused: the interrupt fires when
// the TSC reaches IA32_TSC_DEADLINE, and writing 0 there disarms it.
enum class TimerMode : uint32_t { kOneShot = 0, kPeriodic = 1u << 17, kTscDeadline = 2u << 17 };
constexpr uint32_t lvt_timer(uint8_t vector, TimerMode mode, bool masked) {
    return uint32_t(vector) | uint32_t(mode) | (masked ? kLvtMasked : 0);
}
// Divide Configuration (Figure 11-10): bits 0, 1 and 3 = 1011b divide by 1.
inline constexpr uint32_t kTimerDivideBy1 = 0b1011;

// --- Interrupt command register -------------------------------------------------

// Destination shorthand, ICR bits 18..19.
enum class Shorthand : uint8_t { kNone = 0, kSelf = 1, kAllIncludingSelf = 2, kAllExcludingSelf = 3 };
inline constexpr uint32_t kIcrDeliveryPending = 1u << 12;  // xAPIC only, read-only
inline constexpr uint32_t kIcrLevelAssert = 1u << 14;
inline constexpr uint32_t kIcrLevelTriggered = 1u << 15;

// The largest APIC ID an xAPIC can address in physical destination mode:
// the destination field is 8 bits wide and 0xFF means "all" (broadcast).
inline constexpr uint32_t kMaxXapicDestination = 0xfe;

struct IpiCommand {
    uint8_t vector = 0;
    DeliveryMode mode = DeliveryMode::kFixed;
    bool level_assert = true;      // 1 for everything but an INIT de-assert
    bool level_triggered = false;  // edge for INIT assert and STARTUP
    Shorthand shorthand = Shorthand::kNone;
    uint32_t destination = 0;  // physical APIC ID (with no shorthand)
};

// ICR bits 31:0: vector, delivery mode, physical destination mode (bit 11 =
// 0), level, trigger mode, shorthand.
constexpr uint32_t icr_low(const IpiCommand& command) {
    uint32_t value = uint32_t(command.vector) | (uint32_t(command.mode) << 8) | (uint32_t(command.shorthand) << 18);
    if (command.level_assert) value |= kIcrLevelAssert;
    if (command.level_triggered) value |= kIcrLevelTriggered;
    return value;
}
// xAPIC ICR high: destination APIC ID in bits 31:24 (ICR bits 63:56). It is
// written first: writing the low half sends the IPI.
constexpr uint32_t xapic_icr_high(uint32_t destination) {
    return (destination & 0xff) << 24;
}
// x2APIC's one 64-bit ICR: the 32-bit destination in bits 63:32.
constexpr uint64_t x2apic_icr(const IpiCommand& command) {
    return (uint64_t(command.destination) << 32) | icr_low(command);
}

// A fixed interrupt on `vector` to the sending CPU itself.
constexpr IpiCommand self_ipi(uint8_t vector) {
    IpiCommand command;
    command.vector = vector;
    command.shorthand = Shorthand::kSelf;
    return command;
}

// INIT, level assert, edge triggered: puts the target in wait-for-SIPI
// (§9.4.4.1, "Typical BSP Initialization Sequence").
constexpr IpiCommand init_ipi(uint32_t destination) {
    IpiCommand command;
    command.mode = DeliveryMode::kInit;
    command.destination = destination;
    return command;
}

// A STARTUP IPI makes the target start in real mode at CS:IP = VV00:0000,
// i.e. physical address VV000h, where VV is the vector (§9.4.4.1, §11.6.1).
constexpr IpiCommand startup_ipi(uint32_t destination, uint8_t vector) {
    IpiCommand command;
    command.mode = DeliveryMode::kStartup;
    command.vector = vector;
    command.destination = destination;
    return command;
}

// Whether a page can be a SIPI target: 4 KiB aligned, below 1 MiB, not page
// 0 (the real-mode IVT) and not one of the vectors A0h-BFh, which the
// MultiProcessor Specification 1.4 (Appendix B.4.2, "Using STARTUP IPI")
// reserves.
constexpr bool is_valid_startup_page(uint64_t physical) {
    if ((physical & 0xfff) != 0 || physical == 0 || physical >= 0x100000) return false;
    uint64_t vector = physical >> 12;
    return vector < 0xa0 || vector > 0xbf;
}
constexpr uint8_t startup_vector(uint64_t physical) {
    return uint8_t(physical >> 12);
}

}  // namespace x86_64::apic
