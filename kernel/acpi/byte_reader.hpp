// Bounds-checked little-endian reads from ACPI table bytes. Firmware tables
// are packed and often unaligned, so values are assembled byte by byte (no
// casts to packed structs, no alignment or aliasing UB). A read outside the
// span yields 0: callers check lengths first and report what is missing, and
// the zero is only the last line of defence against a wrong offset.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"

namespace acpi {

// True if [offset, offset + length) lies inside `size` bytes (no overflow).
constexpr bool range_inside(uint64_t offset, uint64_t length, uint64_t size) {
    return offset <= size && length <= size - offset;
}

constexpr uint64_t read_le(lib::Bytes bytes, size_t offset, size_t width) {
    if (!range_inside(offset, width, bytes.size())) return 0;
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value |= static_cast<uint64_t>(bytes[offset + i]) << (8 * i);
    return value;
}
constexpr uint8_t read_u8(lib::Bytes bytes, size_t offset) {
    return static_cast<uint8_t>(read_le(bytes, offset, 1));
}
constexpr uint16_t read_u16(lib::Bytes bytes, size_t offset) {
    return static_cast<uint16_t>(read_le(bytes, offset, 2));
}
constexpr uint32_t read_u32(lib::Bytes bytes, size_t offset) {
    return static_cast<uint32_t>(read_le(bytes, offset, 4));
}
constexpr uint64_t read_u64(lib::Bytes bytes, size_t offset) {
    return read_le(bytes, offset, 8);
}

// Sum of all bytes modulo 256. Every ACPI checksum makes this zero over the
// bytes it covers (ACPI 6.5 §5.2.5.3 RSDP, §5.2.6 system description tables).
constexpr uint8_t byte_sum(lib::Bytes bytes) {
    uint8_t sum = 0;
    for (uint8_t byte : bytes) sum = static_cast<uint8_t>(sum + byte);
    return sum;
}

// Copies a fixed-width text field (OEM ID, OEM Table ID) into `out`, which
// holds `width + 1` chars; bytes that are not printable ASCII become '?',
// trailing spaces and NULs are dropped, so the boot log never prints garbage.
inline void copy_printable(lib::Bytes bytes, size_t offset, size_t width, char* out) {
    size_t length = 0;
    for (size_t i = 0; i < width; ++i) {
        uint8_t c = read_u8(bytes, offset + i);
        out[i] = (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : (c == 0 ? ' ' : '?');
        if (out[i] != ' ') length = i + 1;
    }
    out[length] = '\0';
}

}  // namespace acpi
