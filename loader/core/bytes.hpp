// Little-endian reads of fixed-width integers from byte buffers that may be
// unaligned (ELF files, ACPI tables, UEFI maps handed over as bytes). Reading
// byte by byte keeps the parsers free of alignment and aliasing UB; callers
// check bounds first.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"

namespace loader::bytes {

inline uint64_t read_le(const uint8_t* at, size_t width) {
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value |= static_cast<uint64_t>(at[i]) << (8 * i);
    return value;
}
inline uint16_t read_u16(const uint8_t* at) {
    return static_cast<uint16_t>(read_le(at, 2));
}
inline uint32_t read_u32(const uint8_t* at) {
    return static_cast<uint32_t>(read_le(at, 4));
}
inline uint64_t read_u64(const uint8_t* at) {
    return read_le(at, 8);
}

inline void write_u64(uint8_t* at, uint64_t value) {
    for (size_t i = 0; i < 8; ++i) at[i] = static_cast<uint8_t>(value >> (8 * i));
}

// True if [offset, offset + length) lies inside a buffer of `size` bytes,
// without overflowing.
inline bool range_inside(uint64_t offset, uint64_t length, uint64_t size) {
    return offset <= size && length <= size - offset;
}

// Sum of the bytes modulo 256: ACPI tables are valid when this is 0 (ACPI 6.5
// §5.2.5.3, §5.2.6).
inline uint8_t byte_sum(const uint8_t* at, size_t length) {
    uint8_t sum = 0;
    for (size_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + at[i]);
    return sum;
}

}  // namespace loader::bytes
