// Leaving the firmware: the final UEFI memory map and ExitBootServices
// (UEFI 2.10 §7.2.3, §7.4.6).
#pragma once

#include <stdint.h>

namespace loader {

struct FinalMap {
    uint8_t* buffer;    // the UEFI map, in reclaimable memory (EFI memmap response)
    uint64_t capacity;  // bytes
    uint64_t size;      // bytes used
    uint64_t descriptor_size;
    uint32_t descriptor_version;
};

// Sizes a buffer for the map (reclaimable: it becomes the EFI memory map
// response) with room for the descriptors later allocations add.
FinalMap allocate_final_map_buffer();

// GetMemoryMap into the buffer, then ExitBootServices; retried when the map
// key went stale. Afterwards console output goes to COM1.
void exit_boot_services(FinalMap& map);

}  // namespace loader
