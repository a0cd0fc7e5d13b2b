// map_mmio(); see mmio.hpp.
#include "kernel/mm/mmio.hpp"

#include "kernel/boot/boot_info.hpp"
#include "kernel/mm/mm.hpp"

namespace mm {

lib::Expected<volatile void*> map_mmio(uint64_t physical, size_t length) {
    constexpr uint64_t kPage = 4096;
    uint64_t first = physical & ~(kPage - 1);
    uint64_t end = (physical + length + kPage - 1) & ~(kPage - 1);
    uint64_t virt = boot::info().hhdm_offset + first;
    PageFlags flags{.writable = true, .executable = false, .global = true, .cache = CacheType::kUncached};
    // Inside the HHDM the pages exist and only change their cache type;
    // above what the HHDM covers they are mapped fresh at the same place.
    if (translate(virt).has_value()) {
        TRY(protect(virt, end - first, flags));
    } else {
        TRY(map(virt, first, end - first, flags, PageSize::k4KiB));
    }
    return boot::phys_to_virt<volatile void>(physical);
}

}  // namespace mm
