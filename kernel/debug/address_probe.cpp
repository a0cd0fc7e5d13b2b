// Page-table walk for address_probe.hpp. Intel SDM Vol. 3A §4.5 (4-level and
// 5-level paging): each level indexes 9 bits of the linear address; bit 0 of
// an entry is Present, bit 7 (PS) in a PDPTE or PDE maps a 1 GiB or 2 MiB page;
// bits 51:12 hold the physical address of the next table.
#include "kernel/debug/address_probe.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/boot/boot_info.hpp"

namespace debug {
namespace {

constexpr uint64_t kHigherHalfStart = 0xffff800000000000ull;  // lowest canonical kernel address (4-level)
constexpr uint64_t kHigherHalfStart57 = 0xff00000000000000ull;  // with LA57
constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kPageSize = 1ull << 7;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;
constexpr uint64_t kPage = 4096;

bool is_page_mapped(uint64_t address, uint64_t hhdm, bool five_level) {
    uint64_t table = arch::read_cr3() & kAddressMask;
    int top_shift = five_level ? 48 : 39;
    for (int shift = top_shift; shift >= 12; shift -= 9) {
        uint64_t index = (address >> shift) & 0x1ff;
        const volatile uint64_t* entries = reinterpret_cast<const volatile uint64_t*>(table + hhdm);
        uint64_t entry = entries[index];
        if (!(entry & kPresent)) return false;
        // A large page ends the walk at the PDPT (shift 30) or PD (shift 21).
        if ((shift == 30 || shift == 21) && (entry & kPageSize)) return true;
        table = entry & kAddressMask;
    }
    return true;
}

}  // namespace

bool is_mapped_kernel_range(uint64_t address, uint64_t size) {
    uint64_t hhdm = boot::info().hhdm_offset;
    if (hhdm == 0 || size == 0) return false;
    uint64_t last = 0;
    if (__builtin_add_overflow(address, size - 1, &last)) return false;
    bool five_level = (arch::read_cr4() & arch::cr4::kFiveLevelPaging) != 0;
    if (address < (five_level ? kHigherHalfStart57 : kHigherHalfStart)) return false;
    for (uint64_t page = address & ~(kPage - 1);; page += kPage) {
        if (!is_page_mapped(page, hhdm, five_level)) return false;
        if (page >= (last & ~(kPage - 1))) return true;
    }
}

}  // namespace debug
