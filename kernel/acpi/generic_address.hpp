// The Generic Address Structure (ACPI 6.5 §5.2.3.2, Table 5.1): where a
// register lives (system memory, system I/O, PCI configuration space, ...)
// and how wide it is. The FADT's reset and PM timer registers and the HPET
// base address are given this way.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"

namespace acpi {

enum class AddressSpace : uint8_t {
    kSystemMemory = 0,
    kSystemIo = 1,
    kPciConfig = 2,
    kEmbeddedController = 3,
    kSmbus = 4,
    kSystemCmos = 5,
    kPciBarTarget = 6,
    kIpmi = 7,
    kGeneralPurposeIo = 8,
    kGenericSerialBus = 9,
    kPlatformCommChannel = 0x0a,
    kFunctionalFixedHardware = 0x7f,
};

const char* address_space_name(AddressSpace space);

struct GenericAddress {
    static constexpr size_t kSize = 12;

    AddressSpace space = AddressSpace::kSystemMemory;
    uint8_t bit_width = 0;
    uint8_t bit_offset = 0;
    uint8_t access_size = 0;  // 0 undefined, 1 byte, 2 word, 3 dword, 4 qword
    uint64_t address = 0;

    // A zero address means "not provided" (§5.2.9: unused GAS fields are zero).
    constexpr bool present() const { return address != 0; }

    static GenericAddress decode(lib::Bytes bytes, size_t offset);

    // PCI configuration space addresses pack the location (§5.2.3.2, Table
    // 5.1 note): device in bits 32..47, function in 16..31, register offset
    // in 0..15, on segment 0 bus 0.
    constexpr uint16_t pci_device() const { return static_cast<uint16_t>(address >> 32); }
    constexpr uint16_t pci_function() const { return static_cast<uint16_t>(address >> 16); }
    constexpr uint16_t pci_offset() const { return static_cast<uint16_t>(address); }
};

}  // namespace acpi
