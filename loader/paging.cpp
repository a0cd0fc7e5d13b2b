#include "loader/paging.hpp"

#include "lib/utility.hpp"
#include "protocol/limine.hpp"

namespace loader::paging {
namespace {

using lib::Error;
using lib::ErrorCode;

// Loader levels count from 1 (1 = page table .. 5 = PML5); lib/x86_64/page_table.hpp
// counts from 0.
constexpr unsigned index_at(uint64_t virtual_address, unsigned level) {
    return x86_64::paging::table_index(virtual_address, level - 1);
}

}  // namespace

lib::Expected<PageTableBuilder> PageTableBuilder::create(PageTableMemory memory, unsigned levels, bool allow_1gib,
                                                         bool use_nx) {
    if (levels != 4 && levels != 5) return Error::make(ErrorCode::kEOPNOTSUPP, "paging: only 4 or 5 levels exist");
    uint64_t root = memory.allocate(memory.context);
    if (root == 0) return Error::make(ErrorCode::kENOMEM, "paging: no page for the top-level table");
    return PageTableBuilder(memory, root, levels, allow_1gib, use_nx);
}

lib::Expected<void> PageTableBuilder::map_one(uint64_t virtual_address, uint64_t physical, uint64_t page_size,
                                              MapFlags flags) {
    unsigned leaf_level = page_size == k1GiB ? 3 : page_size == k2MiB ? 2 : 1;
    uint64_t table = root_;
    for (unsigned level = levels_; level > leaf_level; --level) {
        uint64_t* entries = memory_.access(memory_.context, table);
        uint64_t& entry = entries[index_at(virtual_address, level)];
        if (!(entry & pte::kPresent)) {
            uint64_t next = memory_.allocate(memory_.context);
            if (next == 0) return Error::make(ErrorCode::kENOMEM, "paging: no page for a page table");
            ++tables_allocated_;
            // Non-leaf entries grant everything; the leaf decides (SDM Vol. 3A
            // §4.6: access rights combine over all levels).
            entry = next | pte::kPresent | pte::kWritable;
        } else if (level <= 3 && (entry & pte::kLargePage)) {
            return Error::make(ErrorCode::kEEXIST, "paging: address already mapped by a large page");
        }
        table = entry & pte::kAddressMask;
    }
    uint64_t* entries = memory_.access(memory_.context, table);
    uint64_t& leaf = entries[index_at(virtual_address, leaf_level)];
    if (leaf & pte::kPresent) return Error::make(ErrorCode::kEEXIST, "paging: address already mapped");

    uint64_t value = physical | pte::kPresent;
    if (flags.writable) value |= pte::kWritable;
    if (!flags.executable && use_nx_) value |= pte::kNoExecute;
    if (leaf_level > 1) value |= pte::kLargePage;
    value |= x86_64::paging::cache_bits(flags.cache, leaf_level > 1);
    leaf = value;
    return {};
}

lib::Expected<void> PageTableBuilder::map_with(uint64_t virtual_address, uint64_t physical, uint64_t length,
                                               MapFlags flags, bool large_pages) {
    if (!lib::is_aligned(virtual_address, kPageSize) || !lib::is_aligned(physical, kPageSize) ||
        !lib::is_aligned(length, kPageSize))
        return Error::make(ErrorCode::kEINVAL, "paging: range not 4 KiB aligned");
    uint64_t last_virtual, last_physical;
    if (length == 0) return {};
    if (!lib::checked_add(physical, length - 1, last_physical) || last_physical > pte::kAddressMask)
        return Error::make(ErrorCode::kERANGE, "paging: physical range beyond 52 bits");
    if (!lib::checked_add(virtual_address, length - 1, last_virtual))
        return Error::make(ErrorCode::kERANGE, "paging: virtual range wraps around");
    if (!x86_64::paging::is_canonical(virtual_address, levels_) || !x86_64::paging::is_canonical(last_virtual, levels_))
        return Error::make(ErrorCode::kERANGE, "paging: virtual range not canonical");

    uint64_t offset = 0;
    while (offset < length) {
        uint64_t va = virtual_address + offset, pa = physical + offset, left = length - offset;
        uint64_t size = kPageSize;
        if (large_pages) {
            if (allow_1gib_ && lib::is_aligned(va | pa, k1GiB) && left >= k1GiB)
                size = k1GiB;
            else if (lib::is_aligned(va | pa, k2MiB) && left >= k2MiB)
                size = k2MiB;
        }
        TRY(map_one(va, pa, size, flags));
        offset += size;
    }
    return {};
}

lib::Expected<void> PageTableBuilder::map(uint64_t virtual_address, uint64_t physical, uint64_t length,
                                          MapFlags flags) {
    return map_with(virtual_address, physical, length, flags, true);
}

lib::Expected<void> PageTableBuilder::map_small(uint64_t virtual_address, uint64_t physical, uint64_t length,
                                                MapFlags flags) {
    return map_with(virtual_address, physical, length, flags, false);
}

lib::Expected<uint64_t> PageTableBuilder::translate(uint64_t virtual_address, uint64_t* leaf,
                                                    uint64_t* page_size) const {
    x86_64::paging::Walk walk = x86_64::paging::walk(
        root_, virtual_address, levels_, [this](uint64_t table) { return memory_.access(memory_.context, table); });
    if (!walk.present) return Error::make(ErrorCode::kENOENT, "paging: not mapped");
    if (leaf) *leaf = walk.entry;
    if (page_size) *page_size = walk.page_size;
    return walk.physical;
}

// ---------------------------------------------------------------------------

lib::Expected<size_t> plan_hhdm(lib::Span<const PhysicalRange> memory_map, uint64_t framebuffer_base,
                                uint64_t framebuffer_size, HhdmRange* out, size_t capacity, uint64_t base_revision) {
    // The physical address space ends at 2^52 (SDM Vol. 3A §4.1.4, MAXPHYADDR <= 52).
    constexpr uint64_t kPhysicalLimit = 1ULL << 52;
    size_t count = 0;
    auto push = [&](uint64_t base, uint64_t end) -> bool {
        if (count == capacity) return false;
        out[count++] = HhdmRange{base, end - base, Cache::kWriteBack};
        return true;
    };
    auto too_many = Error::make(ErrorCode::kENOMEM, "paging: too many HHDM ranges for the buffer");

    // Revisions 0 to 2 map the first 4 GiB whole; from 3 only regions count.
    bool whole_low_4gib = base_revision <= 2;
    if (whole_low_4gib && !push(0, k4GiB)) return too_many;
    for (const PhysicalRange& range : memory_map) {
        if (!limine::hhdm_maps_type(range.type, base_revision)) continue;
        if (range.length == 0 || range.base >= kPhysicalLimit) continue;
        uint64_t end = range.length > kPhysicalLimit - range.base ? kPhysicalLimit : range.base + range.length;
        uint64_t base = lib::align_down(range.base, kPageSize);
        end = lib::align_up(end, kPageSize);
        if (whole_low_4gib) {
            if (end <= k4GiB) continue;
            if (base < k4GiB) base = k4GiB;
        }
        if (!push(base, end)) return too_many;
    }
    uint64_t fb_base = 0, fb_end = 0;
    if (framebuffer_size != 0 && framebuffer_base < kPhysicalLimit) {
        fb_base = lib::align_down(framebuffer_base, kPageSize);
        fb_end =
            framebuffer_size > kPhysicalLimit - framebuffer_base ? kPhysicalLimit : framebuffer_base + framebuffer_size;
        fb_end = lib::align_up(fb_end, kPageSize);
        if (!push(fb_base, fb_end)) return too_many;
    }

    // Sort by base (insertion sort: a few dozen ranges), then merge overlaps
    // and neighbours in place.
    for (size_t i = 1; i < count; ++i) {
        HhdmRange key = out[i];
        size_t j = i;
        while (j > 0 && out[j - 1].base > key.base) {
            out[j] = out[j - 1];
            --j;
        }
        out[j] = key;
    }
    size_t merged = 0;
    for (size_t i = 0; i < count; ++i) {
        if (merged > 0 && out[i].base <= out[merged - 1].base + out[merged - 1].length) {
            uint64_t end = lib::max(out[merged - 1].base + out[merged - 1].length, out[i].base + out[i].length);
            out[merged - 1].length = end - out[merged - 1].base;
        } else {
            out[merged++] = out[i];
        }
    }
    count = merged;
    if (fb_end == fb_base) return count;

    // The framebuffer lies wholly inside one merged range: split it in up to
    // three pieces, the middle one write-combining.
    for (size_t i = 0; i < count; ++i) {
        uint64_t base = out[i].base, end = base + out[i].length;
        if (fb_base < base || fb_end > end) continue;
        size_t pieces = (fb_base > base ? 1 : 0) + 1 + (fb_end < end ? 1 : 0);
        if (count + pieces - 1 > capacity) return too_many;
        for (size_t j = count; j > i + 1; --j) out[j + pieces - 2] = out[j - 1];
        size_t at = i;
        if (fb_base > base) out[at++] = HhdmRange{base, fb_base - base, Cache::kWriteBack};
        out[at++] = HhdmRange{fb_base, fb_end - fb_base, Cache::kWriteCombining};
        if (fb_end < end) out[at++] = HhdmRange{fb_end, end - fb_end, Cache::kWriteBack};
        count += pieces - 1;
        break;
    }
    return count;
}

}  // namespace loader::paging
