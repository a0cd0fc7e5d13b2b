#include "loader/ioapic.hpp"

namespace loader::ioapic {
namespace {

constexpr size_t kSdtHeaderSize = 36;
constexpr size_t kMadtFixedSize = kSdtHeaderSize + 8;  // + local APIC address, flags
constexpr uint8_t kTypeIoApic = 1;
constexpr uint8_t kIoApicEntryLength = 12;

uint32_t read_u32(const uint8_t* at) {
    return uint32_t(at[0]) | uint32_t(at[1]) << 8 | uint32_t(at[2]) << 16 | uint32_t(at[3]) << 24;
}

}  // namespace

lib::Expected<IoApicList> parse_madt_ioapics(lib::Bytes madt) {
    if (madt.size() < kMadtFixedSize)
        return lib::Error::make(lib::ErrorCode::kTruncated, "MADT: shorter than its header");
    // The table's own length, if smaller than the bytes given, bounds the walk.
    size_t length = read_u32(madt.data() + 4);
    if (length > madt.size()) length = madt.size();
    IoApicList list;
    size_t offset = kMadtFixedSize;
    while (offset + 2 <= length) {
        uint8_t type = madt[offset];
        uint8_t entry_length = madt[offset + 1];
        if (entry_length < 2 || offset + entry_length > length) break;
        if (type == kTypeIoApic && entry_length >= kIoApicEntryLength && list.count < kMaxIoApics) {
            uint64_t address = read_u32(madt.data() + offset + 4);
            bool seen = false;
            for (size_t i = 0; i < list.count; ++i) seen |= list.addresses[i] == address;
            if (!seen && address != 0) list.addresses[list.count++] = address;
        }
        offset += entry_length;
    }
    return list;
}

#ifndef HOST_TEST
namespace {
uint32_t read_register(uint64_t base, uint32_t index) {
    *reinterpret_cast<volatile uint32_t*>(base) = index;
    return *reinterpret_cast<volatile uint32_t*>(base + 0x10);
}
void write_register(uint64_t base, uint32_t index, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(base) = index;
    *reinterpret_cast<volatile uint32_t*>(base + 0x10) = value;
}
}  // namespace

void mask_all(const IoApicList& list) {
    for (size_t i = 0; i < list.count; ++i) {
        uint64_t base = list.addresses[i];
        uint32_t highest_entry = (read_register(base, 0x01) >> 16) & 0xff;
        for (uint32_t entry = 0; entry <= highest_entry; ++entry) {
            uint32_t low = read_register(base, 0x10 + 2 * entry);
            if (should_mask(low)) write_register(base, 0x10 + 2 * entry, low | kRedirectionMask);
        }
    }
}
#endif

}  // namespace loader::ioapic
