// Little-endian reads and writes of fixed-width integers in byte buffers
// (ELF files, ACPI tables, UEFI maps handed over as bytes). Those buffers come
// from firmware or from disk: they are packed, often unaligned, and may be
// shorter than their own headers claim. So values are assembled byte by byte
// (no casts to packed structs: no alignment or aliasing UB), and every access
// is checked against the span: a read outside yields 0 and a write outside
// writes nothing. Callers check lengths first and report what is missing; the
// zero is the last line of defence against a wrong offset, not an answer.
// The one byte reader of the project (loader, kernel and host tests).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace lib {

// True if [offset, offset + length) lies inside `size` bytes (no overflow).
constexpr bool range_inside(uint64_t offset, uint64_t length, uint64_t size) {
    return offset <= size && length <= size - offset;
}

constexpr uint64_t read_le(Bytes bytes, size_t offset, size_t width) {
    if (width > 8 || !range_inside(offset, width, bytes.size())) return 0;
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value |= static_cast<uint64_t>(bytes.data()[offset + i]) << (8 * i);
    return value;
}
constexpr uint8_t read_u8(Bytes bytes, size_t offset) {
    return static_cast<uint8_t>(read_le(bytes, offset, 1));
}
constexpr uint16_t read_u16(Bytes bytes, size_t offset) {
    return static_cast<uint16_t>(read_le(bytes, offset, 2));
}
constexpr uint32_t read_u32(Bytes bytes, size_t offset) {
    return static_cast<uint32_t>(read_le(bytes, offset, 4));
}
constexpr uint64_t read_u64(Bytes bytes, size_t offset) {
    return read_le(bytes, offset, 8);
}

// Fixed-size loads and stores through a pointer, for blocks whose size the
// type already fixes (a hash's 64-byte block, a cipher's key): the same byte
// order without a span, for the inner loops of lib/hash and lib/random.
constexpr uint32_t load_le32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
constexpr uint64_t load_le64(const uint8_t* p) {
    return uint64_t(load_le32(p)) | uint64_t(load_le32(p + 4)) << 32;
}
constexpr void store_le32(uint8_t* p, uint32_t v) {
    p[0] = uint8_t(v), p[1] = uint8_t(v >> 8), p[2] = uint8_t(v >> 16), p[3] = uint8_t(v >> 24);
}

// Writes the low `width` bytes of `value`; ERANGE (writing nothing) if they
// do not fit.
constexpr Expected<void> write_le(Span<uint8_t> bytes, size_t offset, uint64_t value, size_t width) {
    if (width > 8 || !range_inside(offset, width, bytes.size()))
        return Error::make(Errno::kERANGE, "write outside the buffer").with(offset);
    for (size_t i = 0; i < width; ++i) bytes.data()[offset + i] = static_cast<uint8_t>(value >> (8 * i));
    return {};
}
constexpr Expected<void> write_u64(Span<uint8_t> bytes, size_t offset, uint64_t value) {
    return write_le(bytes, offset, value, 8);
}

// Whether the bytes at `offset` spell `text` (not NUL-terminated in the buffer).
constexpr bool bytes_equal(Bytes bytes, size_t offset, const char* text, size_t length) {
    if (!range_inside(offset, length, bytes.size())) return false;
    for (size_t i = 0; i < length; ++i)
        if (bytes.data()[offset + i] != static_cast<uint8_t>(text[i])) return false;
    return true;
}

// Sum of all bytes modulo 256. Every ACPI checksum makes this zero over the
// bytes it covers (ACPI 6.5 §5.2.5.3 RSDP, §5.2.6 system description tables).
constexpr uint8_t byte_sum(Bytes bytes) {
    uint8_t sum = 0;
    for (size_t i = 0; i < bytes.size(); ++i) sum = static_cast<uint8_t>(sum + bytes.data()[i]);
    return sum;
}

}  // namespace lib
