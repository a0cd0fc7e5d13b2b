// map_mmio() and map_firmware(); see mmio.hpp.
#include "kernel/mm/mmio.hpp"

#include "kernel/boot/boot_info.hpp"
#include "kernel/mm/mm.hpp"

namespace mm {
namespace {

// Maps every page of [physical, physical + length) that is not mapped yet
// with `flags`, at HHDM + physical. A page mapped already is accepted as it
// is when `any_type_will_do`, and otherwise only with the same memory type.
lib::Expected<uint64_t> map_pages(uint64_t physical, size_t length, PageFlags flags, bool any_type_will_do) {
    uint64_t last;
    if (length == 0 || !lib::checked_add(physical, length - 1, last))
        return lib::Error::make(lib::ErrorCode::kEINVAL, "physical range is empty or wraps");
    uint64_t hhdm = boot::info().hhdm_offset;
    // The direct map spans 2^46 bytes of physical memory in the canonical
    // upper half (the CPU's physical address width is at most 52 bits, but
    // no more fits beside the kernel's other areas).
    if (last >= (1ULL << 46)) return lib::Error::make(lib::ErrorCode::kERANGE, "physical address too high");
    for (uint64_t page = align_down(physical, kPageSize); page <= last; page += kPageSize) {
        uint64_t virt = hhdm + page;
        // Twice at most: a page another CPU maps between the look and the
        // map makes map() fail, and the second look sees that mapping.
        for (int attempt = 0;; ++attempt) {
            if (auto mapping = translate(virt)) {
                if (!any_type_will_do && mapping->flags.cache != flags.cache)
                    return lib::Error::make(lib::ErrorCode::kEEXIST, "page already mapped with another memory type");
                break;
            }
            auto mapped = map(virt, page, kPageSize, flags, PageSize::k4KiB);
            if (mapped || attempt == 1) {
                TRY(mapped);
                break;
            }
        }
    }
    return hhdm + physical;
}

}  // namespace

lib::Expected<volatile void*> map_mmio(uint64_t physical, size_t length) {
    PageFlags flags{.writable = true, .executable = false, .global = true, .cache = CacheType::kUncached};
    uint64_t virt = TRY(map_pages(physical, length, flags, false));
    return reinterpret_cast<volatile void*>(virt);
}

lib::Expected<const void*> map_firmware(uint64_t physical, size_t length) {
    PageFlags flags{.writable = false, .executable = false, .global = true, .cache = CacheType::kWriteBack};
    uint64_t virt = TRY(map_pages(physical, length, flags, true));
    return reinterpret_cast<const void*>(virt);
}

}  // namespace mm
