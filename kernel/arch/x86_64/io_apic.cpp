// The I/O APIC driver; see io_apic.hpp.
#include "kernel/arch/x86_64/io_apic.hpp"

#include "kernel/acpi/acpi.hpp"
#include "kernel/console/log.hpp"
#include "kernel/dev/mmio.hpp"
#include "kernel/sync/spinlock.hpp"

namespace arch::io_apic {
namespace {

// One chip: the select/window pair is a two-step access, so each chip's
// accesses are serialized by its own lock (taken with interrupts off: an
// IRQ handler may mask its line).
struct Chip {
    ChipInfo info{};
    volatile uint32_t* registers = nullptr;
    ksync::Spinlock lock;

    uint32_t read(uint8_t index) {
        registers[kRegisterSelect / 4] = index;
        return registers[kRegisterWindow / 4];
    }
    void write(uint8_t index, uint32_t value) {
        registers[kRegisterSelect / 4] = index;
        registers[kRegisterWindow / 4] = value;
    }
    bool serves(uint32_t gsi) const { return gsi >= info.gsi_base && gsi - info.gsi_base < info.inputs; }
};

constexpr size_t kMaxChips = 16;
Chip g_chips[kMaxChips];
size_t g_chip_count = 0;

Chip* chip_for(uint32_t gsi) {
    for (size_t i = 0; i < g_chip_count; ++i)
        if (g_chips[i].serves(gsi)) return &g_chips[i];
    return nullptr;
}

constexpr lib::Error kNoChip = lib::Error::make(lib::ErrorCode::kNotFound, "no I/O APIC serves this GSI");

}  // namespace

size_t init() {
    const acpi::MadtInfo* madt = acpi::madt();
    if (!madt || madt->io_apic_count == 0) {
        klog::warn("ioapic: the MADT lists no I/O APIC; external interrupts stay off");
        return 0;
    }
    for (const acpi::IoApic& entry : madt->io_apic_list()) {
        if (g_chip_count == kMaxChips) break;
        auto mapped = dev::map_mmio(entry.address, 0x20);
        if (!mapped.has_value()) {
            klog::error("ioapic: can not map the I/O APIC at {:#x}: {}", entry.address, mapped.error().message);
            continue;
        }
        Chip& chip = g_chips[g_chip_count];
        chip.registers = static_cast<volatile uint32_t*>(mapped.value());
        uint32_t version = chip.read(kVersionRegister);
        if (version == 0xffffffff) {  // nothing answers at that address
            klog::error("ioapic: no I/O APIC answers at {:#x}; skipped", entry.address);
            continue;
        }
        chip.info = ChipInfo{entry.id, version_of(version), entry.address, entry.gsi_base,
                             redirection_entry_count(version)};
        // Everything masked until a driver asks for its line: the firmware
        // may have left entries programmed for its own use.
        RedirectionEntry masked;
        for (uint32_t input = 0; input < chip.info.inputs; ++input) {
            uint64_t raw = masked.encode();
            chip.write(redirection_low(input), uint32_t(raw));
            chip.write(redirection_high(input), uint32_t(raw >> 32));
        }
        ++g_chip_count;
        klog::info("ioapic: id {} version {:#x} at {:#x}: GSIs {}-{}, all masked", chip.info.id, chip.info.version,
                   chip.info.address, chip.info.gsi_base, chip.info.gsi_base + chip.info.inputs - 1);
    }
    return g_chip_count;
}

size_t chip_count() {
    return g_chip_count;
}

ChipInfo chip(size_t index) {
    return index < g_chip_count ? g_chips[index].info : ChipInfo{};
}

bool serves(uint32_t gsi) {
    return chip_for(gsi) != nullptr;
}

lib::Expected<void> write_entry(uint32_t gsi, const RedirectionEntry& entry) {
    Chip* chip = chip_for(gsi);
    if (!chip) return kNoChip;
    uint32_t input = gsi - chip->info.gsi_base;
    uint64_t raw = entry.encode();
    ksync::Guard guard(chip->lock);
    // Mask first, then the destination, then the low dword (which may unmask).
    chip->write(redirection_low(input), chip->read(redirection_low(input)) | uint32_t(RedirectionEntry::kMaskBit));
    chip->write(redirection_high(input), uint32_t(raw >> 32));
    chip->write(redirection_low(input), uint32_t(raw));
    return {};
}

lib::Expected<RedirectionEntry> read_entry(uint32_t gsi) {
    Chip* chip = chip_for(gsi);
    if (!chip) return kNoChip;
    uint32_t input = gsi - chip->info.gsi_base;
    ksync::Guard guard(chip->lock);
    uint64_t raw = chip->read(redirection_low(input)) | (uint64_t(chip->read(redirection_high(input))) << 32);
    return RedirectionEntry::decode(raw);
}

lib::Expected<void> set_masked(uint32_t gsi, bool masked) {
    Chip* chip = chip_for(gsi);
    if (!chip) return kNoChip;
    uint32_t input = gsi - chip->info.gsi_base;
    ksync::Guard guard(chip->lock);
    uint32_t low = chip->read(redirection_low(input));
    low = masked ? (low | uint32_t(RedirectionEntry::kMaskBit)) : (low & ~uint32_t(RedirectionEntry::kMaskBit));
    chip->write(redirection_low(input), low);
    return {};
}

}  // namespace arch::io_apic
