// map_mmio(); see mmio.hpp.
#include "kernel/dev/mmio.hpp"

#include "kernel/boot/boot_info.hpp"
#include "kernel/mm/mm.hpp"

namespace dev {

lib::Expected<volatile void*> map_mmio(uint64_t physical, size_t length) {
    constexpr uint64_t kPage = 4096;
    uint64_t first = physical & ~(kPage - 1);
    uint64_t end = (physical + length + kPage - 1) & ~(kPage - 1);
    uint64_t virt = boot::info().hhdm_offset + first;
    mm::PageFlags flags{.writable = true, .executable = false, .global = true, .cache = mm::CacheType::kUncached};
    // Inside the HHDM the pages exist and only change their cache type;
    // above what the HHDM covers they are mapped fresh at the same place.
    if (mm::translate(virt).has_value()) {
        TRY(mm::protect(virt, end - first, flags));
    } else {
        TRY(mm::map(virt, first, end - first, flags, mm::PageSize::k4KiB));
    }
    return boot::phys_to_virt<volatile void>(physical);
}

}  // namespace dev
