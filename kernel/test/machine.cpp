// The machine type from the PCI host bridge (see machine.hpp).
#include "kernel/test/machine.hpp"

#include "kernel/arch/x86_64/io.hpp"

namespace ktest {
namespace {

// PCI configuration mechanism #1 (PCI Local Bus Specification 3.0
// §3.2.2.3.2): the address of a dword of configuration space goes to port
// 0xcf8 with bit 31 set, the dword is read at 0xcfc. Both QEMU machines
// implement it; offset 0 holds the vendor ID (low) and device ID (high).
constexpr uint16_t kConfigAddress = 0xcf8;
constexpr uint16_t kConfigData = 0xcfc;
constexpr uint32_t kEnable = 1u << 31;

uint32_t host_bridge_ids() {
    arch::outl(kConfigAddress, kEnable);  // bus 0, device 0, function 0, offset 0
    return arch::inl(kConfigData);
}

constexpr uint32_t ids(uint16_t vendor, uint16_t device) {
    return uint32_t(device) << 16 | vendor;
}

}  // namespace

Machine machine() {
    switch (host_bridge_ids()) {
        case ids(0x8086, 0x29c0): return Machine::kQemuQ35;
        case ids(0x8086, 0x1237): return Machine::kQemuPc;
        default: return Machine::kOther;
    }
}

const char* machine_name(Machine machine) {
    switch (machine) {
        case Machine::kQemuQ35: return "QEMU q35 (82G33 MCH)";
        case Machine::kQemuPc: return "QEMU pc (i440FX)";
        case Machine::kOther: return "another machine";
    }
    return "?";
}

}  // namespace ktest
