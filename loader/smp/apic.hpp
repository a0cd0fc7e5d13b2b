// Local APIC facts and the interrupt command register (ICR) encoding used to
// start application processors. Pure values: the hardware access lives in
// smp.cpp. Numbers from Intel SDM Vol. 3A §11.4 (local APIC base MSR),
// §11.6.1 (ICR layout), §11.12 (x2APIC), and §9.4.4 (MP initialization);
// older editions number these chapters one lower (APIC in chapter 10, MP
// start-up in §8.4).
#pragma once

#include <stdint.h>

namespace loader::smp::apic {

// IA32_APIC_BASE (MSR 0x1B): bit 11 enables the APIC, bit 10 (EXTD) selects
// x2APIC mode; the physical base of the xAPIC MMIO page sits in bits 12+.
inline constexpr uint32_t kApicBaseMsr = 0x1b;
inline constexpr uint64_t kApicBaseX2apicEnable = 1ULL << 10;
inline constexpr uint64_t kApicBaseGlobalEnable = 1ULL << 11;
inline constexpr uint64_t kApicBaseAddressMask = 0x000ffffffffff000ULL;

// x2APIC registers are MSRs 0x800 + (xAPIC offset >> 4); the ICR becomes one
// 64-bit MSR with the destination in bits 63:32 (§11.12.9).
inline constexpr uint32_t kX2apicIcrMsr = 0x830;

// xAPIC MMIO register offsets (Table 11-1). Writing ICR low sends the IPI,
// so ICR high (destination in bits 31:24) is written first.
inline constexpr uint32_t kXapicIcrLow = 0x300;
inline constexpr uint32_t kXapicIcrHigh = 0x310;

// ICR low bits (§11.6.1, Figure 11-12).
inline constexpr uint32_t kIcrDeliveryStatusPending = 1u << 12;  // xAPIC only, read-only
inline constexpr uint32_t kIcrLevelAssert = 1u << 14;
inline constexpr uint32_t kIcrTriggerLevel = 1u << 15;

enum class DeliveryMode : uint32_t {
    kFixed = 0,
    kInit = 5,
    kStartup = 6,
};

// The largest APIC id an xAPIC can address with physical destination mode:
// the destination field is 8 bits wide and 0xFF means "all" (broadcast).
inline constexpr uint32_t kMaxXapicDestination = 0xfe;

struct IpiCommand {
    uint8_t vector = 0;
    DeliveryMode mode = DeliveryMode::kFixed;
    bool level_assert = true;      // must be 1 for everything but INIT de-assert
    bool level_triggered = false;  // edge for INIT assert and STARTUP
    uint32_t destination = 0;      // physical APIC id (no shorthand)
};

// ICR bits 31:0: vector, delivery mode (bits 10:8), physical destination mode
// (bit 11 = 0), level, trigger mode, no shorthand (bits 19:18 = 0).
constexpr uint32_t icr_low(const IpiCommand& command) {
    uint32_t value = command.vector;
    value |= static_cast<uint32_t>(command.mode) << 8;
    if (command.level_assert) value |= kIcrLevelAssert;
    if (command.level_triggered) value |= kIcrTriggerLevel;
    return value;
}

// xAPIC ICR high: destination APIC id in bits 31:24 (ICR bits 63:56).
constexpr uint32_t xapic_icr_high(uint32_t destination) {
    return (destination & 0xff) << 24;
}

// x2APIC ICR MSR value: 32-bit destination in bits 63:32.
constexpr uint64_t x2apic_icr(const IpiCommand& command) {
    return (static_cast<uint64_t>(command.destination) << 32) | icr_low(command);
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
// 0 (vector 0 is never handed out by the allocator and is the IVT) and not
// one of the vectors A0h-BFh, which Intel's MultiProcessor Specification
// 1.4 (Appendix B.4.2, "Using STARTUP IPI") reserves.
constexpr bool is_valid_startup_page(uint64_t physical) {
    if ((physical & 0xfff) != 0 || physical == 0 || physical >= 0x100000) return false;
    uint64_t vector = physical >> 12;
    return vector < 0xa0 || vector > 0xbf;
}

constexpr uint8_t startup_vector(uint64_t physical) {
    return static_cast<uint8_t>(physical >> 12);
}

}  // namespace loader::smp::apic
