// The GDT the kernel is entered with (docs/limine-protocol.md §3): null, 16-bit code,
// 16-bit data, 32-bit code, 32-bit data, 64-bit code (0x28), 64-bit data
// (0x30), then the 16-byte descriptor of an empty TSS (0x38: base 0, limit 0)
// that TR holds at entry, as base revision 5 asks (docs/limine-protocol.md §7).
// Pure data, built by the loader in reclaimable memory.
#pragma once

#include <stdint.h>

#include "loader/gdt_selectors.h"

namespace loader {

inline constexpr uint16_t kKernelCodeSelector = LOADER_GDT_CODE64;
inline constexpr uint16_t kKernelDataSelector = LOADER_GDT_DATA64;
inline constexpr uint16_t kCode32Selector = LOADER_GDT_CODE32;
inline constexpr uint16_t kData32Selector = LOADER_GDT_DATA32;
inline constexpr uint16_t kTssSelector = LOADER_GDT_TSS;
inline constexpr uint64_t kGdtEntries = 9;  // the TSS descriptor takes two

// Fills `gdt` (kGdtEntries descriptors).
void fill_limine_gdt(uint64_t* gdt);

}  // namespace loader
