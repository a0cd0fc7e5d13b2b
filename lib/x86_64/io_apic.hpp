// I/O APIC registers and redirection-table entries as typed constexpr values
// (Intel 82093AA I/O APIC datasheet, §3.0 "Register Description": IOREGSEL at
// offset 0x00 and IOWIN at 0x10 of the MMIO block; IOAPICID 0x00, IOAPICVER
// 0x01, IOREDTBL[n] at 0x10 + 2n (low dword) and 0x11 + 2n (high dword),
// §3.2.4 Table "I/O Redirection Table Entry"). Used by the loader (masking
// at hand-off) and the kernel's driver (arch/x86_64/io_apic.hpp);
// host-tested in io_apic_test.cpp.
#pragma once

#include <stdint.h>

namespace x86_64::io_apic {

// MMIO offsets from the I/O APIC's base (datasheet §3.0).
inline constexpr uint32_t kRegisterSelect = 0x00;
inline constexpr uint32_t kRegisterWindow = 0x10;

// Indirect register indexes (written to IOREGSEL).
inline constexpr uint8_t kIdRegister = 0x00;
inline constexpr uint8_t kVersionRegister = 0x01;
constexpr uint8_t redirection_low(uint32_t input) {
    return uint8_t(0x10 + 2 * input);
}
constexpr uint8_t redirection_high(uint32_t input) {
    return uint8_t(0x11 + 2 * input);
}

// IOAPICVER: bits 0..7 version, bits 16..23 the highest redirection entry
// index (so the entry count is that plus one).
constexpr uint32_t redirection_entry_count(uint32_t version_register) {
    return ((version_register >> 16) & 0xff) + 1;
}
constexpr uint8_t version_of(uint32_t version_register) {
    return uint8_t(version_register);
}

// Redirection entry (datasheet §3.2.4): 64 bits, written as two dwords.
enum class Delivery : uint8_t { kFixed = 0, kLowestPriority = 1, kSmi = 2, kNmi = 4, kInit = 5, kExtInt = 7 };

struct RedirectionEntry {
    uint8_t vector = 0;
    Delivery delivery = Delivery::kFixed;
    bool logical_destination = false;  // bit 11: 0 physical (APIC ID), 1 logical
    bool active_low = false;           // bit 13 INTPOL
    bool level_triggered = false;      // bit 15 trigger mode
    bool masked = true;                // bit 16
    uint8_t destination = 0;           // bits 56..63: APIC ID in physical mode

    static constexpr uint64_t kMaskBit = 1ULL << 16;
    static constexpr uint64_t kRemoteIrrBit = 1ULL << 14;       // read-only, level mode
    static constexpr uint64_t kDeliveryStatusBit = 1ULL << 12;  // read-only

    constexpr uint64_t encode() const {
        return uint64_t(vector) | (uint64_t(delivery) << 8) | (logical_destination ? 1ULL << 11 : 0) |
               (active_low ? 1ULL << 13 : 0) | (level_triggered ? 1ULL << 15 : 0) | (masked ? kMaskBit : 0) |
               (uint64_t(destination) << 56);
    }
    static constexpr RedirectionEntry decode(uint64_t raw) {
        RedirectionEntry e;
        e.vector = uint8_t(raw);
        e.delivery = Delivery((raw >> 8) & 7);
        e.logical_destination = raw & (1ULL << 11);
        e.active_low = raw & (1ULL << 13);
        e.level_triggered = raw & (1ULL << 15);
        e.masked = raw & kMaskBit;
        e.destination = uint8_t(raw >> 56);
        return e;
    }
};

}  // namespace x86_64::io_apic
