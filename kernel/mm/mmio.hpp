// Device registers in physical memory (I/O APIC, HPET, ...): a pointer to
// them through the HHDM, with the pages made uncached first. The HHDM maps
// 0..4 GiB write-back (kernel/mm/mm.cpp), and device registers must not be
// cached or reads would see stale values and writes could be combined or
// delayed (Intel SDM Vol. 3A §12.3, "Methods of Caching Available": UC for
// memory-mapped I/O).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"

namespace mm {

// The virtual address of [physical, physical + length) with the covering
// pages mapped writable, not executable and uncached. Fails when the page
// tables can not be changed (no memory for a split page table).
lib::Expected<volatile void*> map_mmio(uint64_t physical, size_t length);

}  // namespace mm
