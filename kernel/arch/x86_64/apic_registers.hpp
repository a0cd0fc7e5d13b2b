// Local APIC registers and the values written to them, as typed constexpr
// encoders (Intel SDM Vol. 3A chapter 11 "Advanced Programmable Interrupt
// Controller (APIC)": §11.4.1 Table 11-1 register map, §11.5.1 Figure 11-8
// LVT, §11.6.1 Figure 11-12 ICR, §11.9 Figure 11-23 spurious-interrupt
// vector register, §11.12.1.2 x2APIC register address space), and the 8259
// PIC's initialization words (Intel 8259A data sheet, ICW1..ICW4). Host-
// tested in apic_registers_test.cpp.
#pragma once

#include <stdint.h>

namespace arch::apic {

// IA32_APIC_BASE (SDM §11.4.4, Figure 11-5).
inline constexpr uint32_t kMsrApicBase = 0x1b;
inline constexpr uint64_t kApicBaseBsp = 1ULL << 8;
inline constexpr uint64_t kApicBaseX2apicEnable = 1ULL << 10;  // EXTD
inline constexpr uint64_t kApicBaseGlobalEnable = 1ULL << 11;  // EN
inline constexpr uint64_t kApicBaseAddressMask = 0x000f'ffff'ffff'f000ULL;

// Register offsets in the xAPIC MMIO page (Table 11-1).
enum class Register : uint16_t {
    kId = 0x20,
    kVersion = 0x30,
    kTaskPriority = 0x80,
    kEoi = 0xb0,
    kSpuriousVector = 0xf0,
    kInService0 = 0x100,  // ISR bits 0..31; 0x110 for 32..63, ... 0x170
    kErrorStatus = 0x280,
    kInterruptCommandLow = 0x300,
    kInterruptCommandHigh = 0x310,  // xAPIC only; x2APIC has one 64-bit ICR
    kLvtTimer = 0x320,
    kLvtThermal = 0x330,
    kLvtPerformance = 0x340,
    kLvtLint0 = 0x350,
    kLvtLint1 = 0x360,
    kLvtError = 0x370,
};

// In x2APIC mode each register is the MSR 0x800 + offset / 16 (§11.12.1.2).
constexpr uint32_t x2apic_msr(Register r) {
    return 0x800u + (uint32_t(r) >> 4);
}

// The In-Service Register word and bit that hold `vector`.
constexpr Register in_service_register(uint8_t vector) {
    return Register(0x100 + (vector / 32) * 0x10);
}
constexpr uint32_t in_service_bit(uint8_t vector) {
    return 1u << (vector % 32);
}

// Spurious-interrupt vector register: the vector plus APIC software enable.
inline constexpr uint32_t kSpuriousApicEnable = 1u << 8;
constexpr uint32_t spurious_vector_register(uint8_t vector) {
    return kSpuriousApicEnable | vector;
}

// LVT entries (Figure 11-8).
enum class DeliveryMode : uint8_t { kFixed = 0, kSmi = 2, kNmi = 4, kInit = 5, kExtInt = 7 };
inline constexpr uint32_t kLvtMasked = 1u << 16;
inline constexpr uint32_t kLvtLevelTriggered = 1u << 15;

constexpr uint32_t lvt_entry(uint8_t vector, DeliveryMode mode, bool masked) {
    return uint32_t(vector) | (uint32_t(mode) << 8) | (masked ? kLvtMasked : 0);
}

// Interrupt command (Figure 11-12): destination shorthand in bits 18..19.
enum class Shorthand : uint8_t { kNone = 0, kSelf = 1, kAllIncludingSelf = 2, kAllExcludingSelf = 3 };
inline constexpr uint32_t kIcrDeliveryPending = 1u << 12;  // xAPIC only
inline constexpr uint32_t kIcrAssert = 1u << 14;

constexpr uint32_t icr_low(uint8_t vector, DeliveryMode mode, Shorthand shorthand) {
    return uint32_t(vector) | (uint32_t(mode) << 8) | kIcrAssert | (uint32_t(shorthand) << 18);
}

// The ID register: xAPIC keeps the 8-bit ID in bits 24..31; x2APIC's is the
// whole 32-bit register (§11.12.5.1).
constexpr uint32_t xapic_id(uint32_t id_register) {
    return id_register >> 24;
}

}  // namespace arch::apic

namespace arch::pic {

// The two 8259As of the PC (master at 0x20, slave at 0xa0, cascaded on the
// master's IRQ 2).
inline constexpr uint16_t kMasterCommand = 0x20;
inline constexpr uint16_t kMasterData = 0x21;
inline constexpr uint16_t kSlaveCommand = 0xa0;
inline constexpr uint16_t kSlaveData = 0xa1;

inline constexpr uint8_t kIcw1Init = 0x10;  // start initialization
inline constexpr uint8_t kIcw1NeedIcw4 = 0x01;
inline constexpr uint8_t kIcw3MasterHasSlaveOnIrq2 = 1u << 2;  // bit mask of the cascade input
inline constexpr uint8_t kIcw3SlaveIdentity = 2;               // the slave's cascade identity
inline constexpr uint8_t kIcw4Mode8086 = 0x01;
inline constexpr uint8_t kOcw3ReadIsr = 0x0b;  // next read of the command port returns the ISR
inline constexpr uint8_t kOcw2Eoi = 0x20;      // non-specific end of interrupt

// Where the kernel moves the PIC's 16 IRQs: right after the exceptions, so a
// stray legacy IRQ can never be mistaken for one (the BIOS default, 0x08,
// overlaps #DF..#MF).
inline constexpr uint8_t kMasterVectorBase = 0x20;
inline constexpr uint8_t kSlaveVectorBase = 0x28;
// A spurious IRQ shows up as the lowest-priority input of a PIC: IRQ 7 on
// the master, IRQ 15 on the slave.
inline constexpr uint8_t kMasterSpuriousVector = kMasterVectorBase + 7;
inline constexpr uint8_t kSlaveSpuriousVector = kSlaveVectorBase + 7;

// ICW2 carries the vector base; its low 3 bits must be 0 in 8086 mode.
constexpr bool valid_vector_base(uint8_t base) {
    return (base & 7) == 0;
}

}  // namespace arch::pic
