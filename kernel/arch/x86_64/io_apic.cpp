// The I/O APIC driver; see io_apic.hpp.
#include "kernel/arch/x86_64/io_apic.hpp"

#include "kernel/sync/spinlock.hpp"

namespace arch::io_apic {

using namespace x86_64::io_apic;

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

Chip g_chips[kMaxChips];
size_t g_chip_count = 0;

Chip* chip_for(uint32_t gsi) {
    for (size_t i = 0; i < g_chip_count; ++i)
        if (g_chips[i].serves(gsi)) return &g_chips[i];
    return nullptr;
}

constexpr lib::Error kNoChip = lib::Error::make(lib::ErrorCode::kENOENT, "no I/O APIC serves this GSI");

}  // namespace

lib::Expected<ChipInfo> add_chip(uint8_t id, volatile void* registers, uint64_t physical, uint32_t gsi_base) {
    if (g_chip_count == kMaxChips) return lib::Error::make(lib::ErrorCode::kENOMEM, "more I/O APICs than supported");
    Chip& chip = g_chips[g_chip_count];
    chip.registers = static_cast<volatile uint32_t*>(registers);
    uint32_t version = chip.read(kVersionRegister);
    if (version == 0xffffffff) return lib::Error::make(lib::ErrorCode::kEIO, "no I/O APIC answers at this address");
    chip.info = ChipInfo{id, version_of(version), physical, gsi_base, redirection_entry_count(version)};
    RedirectionEntry masked;
    for (uint32_t input = 0; input < chip.info.inputs; ++input) {
        uint64_t raw = masked.encode();
        chip.write(redirection_low(input), uint32_t(raw));
        chip.write(redirection_high(input), uint32_t(raw >> 32));
    }
    ++g_chip_count;
    return chip.info;
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
