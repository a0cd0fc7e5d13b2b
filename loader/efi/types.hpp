// Basic UEFI types (UEFI 2.10 §2.3.1 "Data Types", Appendix D "Status Codes").
// Written from the specification; only what the loader uses. Every function
// pointer in the protocol tables uses the target's default convention, which
// for x86_64-unknown-windows is the UEFI (Microsoft x64) one (§2.3.4.2).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace efi {

using Status = uint64_t;  // UINTN
using Handle = void*;
using Event = void*;
using Char16 = uint16_t;  // UCS-2
using PhysicalAddress = uint64_t;

// Appendix D: error codes have the top bit set.
inline constexpr Status kErrorBit = 1ULL << 63;
inline constexpr Status kSuccess = 0;
inline constexpr Status kLoadError = kErrorBit | 1;
inline constexpr Status kInvalidParameter = kErrorBit | 2;
inline constexpr Status kUnsupported = kErrorBit | 3;
inline constexpr Status kBufferTooSmall = kErrorBit | 5;
inline constexpr Status kNotReady = kErrorBit | 6;
inline constexpr Status kDeviceError = kErrorBit | 7;
inline constexpr Status kOutOfResources = kErrorBit | 9;
inline constexpr Status kNotFound = kErrorBit | 14;

constexpr bool is_error(Status status) {
    return (status & kErrorBit) != 0;
}

// §2.3.1 EFI_GUID: 32-bit, two 16-bit, eight bytes (the first three fields
// little-endian in memory).
struct Guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
};

constexpr bool operator==(const Guid& a, const Guid& b) {
    if (a.data1 != b.data1 || a.data2 != b.data2 || a.data3 != b.data3) return false;
    for (int i = 0; i < 8; ++i)
        if (a.data4[i] != b.data4[i]) return false;
    return true;
}

// §4.2 EFI_TABLE_HEADER.
struct TableHeader {
    uint64_t signature;
    uint32_t revision;
    uint32_t header_size;
    uint32_t crc32;
    uint32_t reserved;
};

// §8.3 EFI_TIME.
struct Time {
    uint16_t year;  // 1900..9999
    uint8_t month;  // 1..12
    uint8_t day;    // 1..31
    uint8_t hour;
    uint8_t minute;
    uint8_t second;
    uint8_t pad1;
    uint32_t nanosecond;
    int16_t time_zone;  // minutes from UTC, 0x07FF = unspecified (local time)
    uint8_t daylight;
    uint8_t pad2;
};

static_assert(sizeof(Guid) == 16);
static_assert(sizeof(TableHeader) == 24);
static_assert(sizeof(Time) == 16);

}  // namespace efi
