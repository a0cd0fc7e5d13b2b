#include "loader/exit_boot.hpp"

#include "lib/utility.hpp"
#include "loader/console.hpp"
#include "loader/core/memmap.hpp"
#include "loader/cpu.hpp"
#include "loader/uefi.hpp"

namespace loader {

using console::fatal;
using console::must;

// Sizes a buffer for the map with room for the descriptors later
// allocations add (each may split one region in three).
FinalMap allocate_final_map_buffer() {
    FinalMap map{};
    uint64_t size = 0, key = 0;
    uefi::boot_services()->get_memory_map(&size, nullptr, &key, &map.descriptor_size, &map.descriptor_version);
    if (map.descriptor_size < sizeof(EfiMemoryDescriptor))
        fatal("firmware memory map has a bad descriptor size", "GetMemoryMap");
    map.capacity = size + 64 * map.descriptor_size;
    map.buffer = reinterpret_cast<uint8_t*>(
        must(uefi::allocate_pages(lib::align_up(map.capacity, uefi::kPageSize) / uefi::kPageSize, kEfiLoaderReclaimable,
                                  "out of memory for the memory map"),
             "EFI memory map"));
    return map;
}

// GetMemoryMap then ExitBootServices; a changed map key (EFI_INVALID_PARAMETER,
// UEFI 2.10 §7.4.6) means the map moved under us: fetch it again and retry.
void exit_boot_services(FinalMap& map) {
    console::flush();
    for (int attempt = 0; attempt < 8; ++attempt) {
        uint64_t size = map.capacity, key = 0;
        efi::Status status = uefi::boot_services()->get_memory_map(&size, map.buffer, &key, &map.descriptor_size,
                                                                   &map.descriptor_version);
        if (efi::is_error(status)) fatal("could not read the final memory map", "GetMemoryMap");
        map.size = size;
        status = uefi::boot_services()->exit_boot_services(uefi::image_handle(), key);
        if (!efi::is_error(status)) {
            // The firmware's timer interrupt has no handler any more that we
            // may rely on: interrupts stay off from here to the kernel.
            cpu::cli();
            console::switch_to_serial();
            return;
        }
        // After a failed ExitBootServices only the memory map services may be
        // used (UEFI 2.10 §7.4.6): any message from here goes to COM1.
        console::switch_to_serial();
        if (status != efi::kInvalidParameter) fatal("the firmware refused ExitBootServices", "ExitBootServices");
    }
    fatal("the memory map kept changing", "ExitBootServices");
}

}  // namespace loader
