// Converting the final UEFI memory map into the Limine memory map (docs/limine-protocol.md
// §4 memmap_entry rules). Pure logic: input is the UEFI descriptor
// array as bytes plus the ranges the loader wants typed specially.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace loader {

// UEFI memory types (UEFI spec 2.10, §7.2 EFI_MEMORY_TYPE).
enum EfiMemoryType : uint32_t {
    kEfiReservedMemoryType = 0,
    kEfiLoaderCode = 1,
    kEfiLoaderData = 2,
    kEfiBootServicesCode = 3,
    kEfiBootServicesData = 4,
    kEfiRuntimeServicesCode = 5,
    kEfiRuntimeServicesData = 6,
    kEfiConventionalMemory = 7,
    kEfiUnusableMemory = 8,
    kEfiACPIReclaimMemory = 9,
    kEfiACPIMemoryNVS = 10,
    kEfiMemoryMappedIO = 11,
    kEfiMemoryMappedIOPortSpace = 12,
    kEfiPalCode = 13,
    kEfiPersistentMemory = 14,
    // Types from the OS-loader range (UEFI 2.10 §7.2, 0x80000000..0xFFFFFFFF)
    // that this loader passes to AllocatePages/AllocatePool to tag what it
    // leaves for the kernel, so the final map says what each page is without
    // any bookkeeping:
    kEfiLoaderReclaimable = 0x80000001,       // -> BOOTLOADER_RECLAIMABLE
    kEfiLoaderKernelAndModules = 0x80000002,  // -> KERNEL_AND_MODULES
};

// One UEFI descriptor as laid out in memory (desc_size may be larger).
struct EfiMemoryDescriptor {
    uint32_t type;
    uint32_t pad;
    uint64_t physical_start;
    uint64_t virtual_start;
    uint64_t number_of_pages;
    uint64_t attribute;
};

struct MemoryRange {
    uint64_t base;
    uint64_t length;
    uint64_t type;  // a limine::MemmapType
};

// `overrides`: ranges reported with a given Limine type whatever the UEFI
// map says for those bytes (the framebuffer as FRAMEBUFFER; anything the
// loader could not tag with the types above), with one exception: an
// override never turns bytes the firmware calls non-usable into USABLE.
// Overrides may cover bytes no descriptor mentions (the framebuffer usually
// is not in the UEFI map); those are reported too. Where descriptors overlap
// each other (or overrides overlap each other) the more conservative type
// wins: USABLE < BOOTLOADER_RECLAIMABLE < ACPI_RECLAIMABLE <
// KERNEL_AND_MODULES < FRAMEBUFFER < ACPI_NVS < RESERVED < BAD_MEMORY.
//
// Rules of the output (docs/limine-protocol.md §4): sorted by base, adjacent entries of
// the same type merged, USABLE and BOOTLOADER_RECLAIMABLE 4 KiB aligned in
// base and length (shrunk inward; the cut-off parts are dropped) and
// overlapping nothing, the first page never USABLE (cut off and dropped).
// Type mapping (the protocol's table, as Limine 11+ applies it to every
// revision): conventional memory -> USABLE; UEFI loader code/data, boot
// services code/data and kEfiLoaderReclaimable -> BOOTLOADER_RECLAIMABLE;
// kEfiLoaderKernelAndModules -> KERNEL_AND_MODULES; ACPI reclaim ->
// ACPI_RECLAIMABLE; ACPI NVS -> ACPI_NVS; unusable -> BAD; runtime services
// code/data -> RESERVED_MAPPED from revision 5, RESERVED before; everything
// else (MMIO, persistent, unknown) -> RESERVED. A RESERVED_MAPPED override
// (ACPI, SMBIOS and EFI tables the loader maps for the kernel) leaves bytes
// the firmware calls ACPI memory as they are.
//
// Cost: O(boundaries x (descriptors + overrides)), no allocation; fine for
// the few hundred descriptors real firmware reports.
//
// Writes at most `capacity` entries to `out` and returns the count;
// kOutOfMemory if they do not fit, kInvalid for a malformed map (desc_size
// smaller than a descriptor, size not a multiple of it, page counts that
// overflow, an override that wraps past 2^64 or has a type above 8).
// What changes with the base revision (docs/limine-protocol.md §7): from
// revision 5, EFI runtime services code and data are RESERVED_MAPPED rather
// than RESERVED.
struct MemmapRules {
    uint64_t base_revision = 2;
};

lib::Expected<size_t> convert_memory_map(lib::Bytes efi_map, size_t desc_size, lib::Span<const MemoryRange> overrides,
                                         MemoryRange* out, size_t capacity, const MemmapRules& rules = {});

}  // namespace loader
