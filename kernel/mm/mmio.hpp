// Physical memory outside the kernel's direct map (direct_map.hpp): device
// registers and firmware tables, each mapped when first asked for, with the
// memory type its use needs, at the address the HHDM would give it
// (virtual = physical + HHDM offset, so a physical address has one virtual
// address whichever way it was mapped). Mappings stay for good.
//
//   auto regs = TRY(mm::map_mmio(hpet_base, 1024));       // uncached
//   auto rsdp = TRY(mm::map_firmware(rsdp_physical, 36));  // write-back, read-only
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"

namespace mm {

// Device registers (I/O APIC, HPET, the xAPIC page, a reset register, ...):
// the covering pages mapped writable, not executable and uncached (Intel SDM
// Vol. 3A §12.3: UC for memory-mapped I/O, no speculative reads, no combined
// or reordered writes). Fails for RAM (memory the memory map lists as
// usable, loader or kernel memory: a hostile table must not turn the
// kernel's own memory into "registers") and for pages already mapped with
// another memory type, or when the page tables cannot grow.
lib::Expected<volatile void*> map_mmio(uint64_t physical, size_t length);

// Firmware data the kernel reads (ACPI tables, SMBIOS entry points, the EFI
// system table) wherever the firmware put it: pages the direct map already
// holds are used as they are (ACPI reclaimable and NVS memory are in it);
// the others are mapped write-back and read-only. Fails when the range
// wraps or the page tables cannot grow.
lib::Expected<const void*> map_firmware(uint64_t physical, size_t length);

}  // namespace mm
