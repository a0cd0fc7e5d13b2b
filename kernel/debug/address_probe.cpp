// The probe behind address_probe.hpp: the shared page-table walk
// (arch::translate over lib/x86_64/page_table.hpp) at every page of the range.
#include "kernel/debug/address_probe.hpp"

#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/boot/boot_info.hpp"
#include "lib/x86_64/page_table.hpp"

namespace debug {

bool is_mapped_kernel_range(uint64_t address, uint64_t size) {
    uint64_t hhdm = boot::info().hhdm_offset;
    if (hhdm == 0 || size == 0) return false;
    uint64_t last = 0;
    if (__builtin_add_overflow(address, size - 1, &last)) return false;
    // The higher half: canonical with the top bit set (SDM Vol. 3A §4.5).
    if (int64_t(address) >= 0 || !x86_64::paging::is_canonical(address, arch::paging_levels())) return false;
    constexpr uint64_t kPage = x86_64::paging::kPageSize;
    for (uint64_t page = address & ~(kPage - 1);; page += kPage) {
        if (!arch::translate(page, hhdm).present) return false;
        if (page >= (last & ~(kPage - 1))) return true;
    }
}

}  // namespace debug
