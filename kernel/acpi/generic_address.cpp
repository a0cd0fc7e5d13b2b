#include "kernel/acpi/generic_address.hpp"

#include "lib/bytes.hpp"

namespace acpi {

using lib::read_u64;
using lib::read_u8;

GenericAddress GenericAddress::decode(lib::Bytes bytes, size_t offset) {
    GenericAddress result;
    result.space = static_cast<AddressSpace>(read_u8(bytes, offset));
    result.bit_width = read_u8(bytes, offset + 1);
    result.bit_offset = read_u8(bytes, offset + 2);
    result.access_size = read_u8(bytes, offset + 3);
    result.address = read_u64(bytes, offset + 4);
    return result;
}

const char* address_space_name(AddressSpace space) {
    switch (space) {
        case AddressSpace::kSystemMemory: return "memory";
        case AddressSpace::kSystemIo: return "I/O";
        case AddressSpace::kPciConfig: return "PCI config";
        case AddressSpace::kEmbeddedController: return "embedded controller";
        case AddressSpace::kSmbus: return "SMBus";
        case AddressSpace::kSystemCmos: return "CMOS";
        case AddressSpace::kPciBarTarget: return "PCI BAR";
        case AddressSpace::kIpmi: return "IPMI";
        case AddressSpace::kGeneralPurposeIo: return "GPIO";
        case AddressSpace::kGenericSerialBus: return "serial bus";
        case AddressSpace::kPlatformCommChannel: return "PCC";
        case AddressSpace::kFunctionalFixedHardware: return "FFH";
    }
    return "unknown";
}

}  // namespace acpi
