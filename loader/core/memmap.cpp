// UEFI memory map -> Limine memory map (docs/limine-protocol.md §4, UEFI 2.10 §7.2).
//
// Method: every descriptor and every override is a typed interval. A sweep
// walks the distinct interval boundaries in increasing order; for each piece
// between two boundaries it decides one type, so the output cannot overlap
// and comes out sorted. Deciding a piece's type:
// - among UEFI descriptors covering it, the most conservative type wins
//   (firmware maps sometimes overlap; reporting reserved bytes as usable would
//   let the kernel overwrite firmware data, the opposite only wastes memory);
// - an override covering it wins over the UEFI type, except that an override
//   can never turn bytes the firmware calls non-usable into USABLE;
// - among overlapping overrides, the most conservative type wins too.
// Same-typed neighbours are merged before USABLE and BOOTLOADER_RECLAIMABLE
// entries are shrunk inward to 4 KiB boundaries, and the first page is cut
// out of USABLE memory.
//
// The sweep is O(boundaries x intervals) with no allocation: a few hundred
// descriptors cost well under a million steps.
#include "loader/core/memmap.hpp"

#include "lib/bytes.hpp"
#include "lib/utility.hpp"
#include "protocol/limine.hpp"

namespace loader {
namespace {

using lib::Error;
using lib::ErrorCode;
using lib::read_u32;
using lib::read_u64;

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kNoType = UINT64_MAX;

uint64_t limine_type_of(uint32_t efi_type, const MemmapRules& rules) {
    switch (efi_type) {
        case kEfiConventionalMemory: return limine::kMemmapUsable;
        case kEfiLoaderCode:
        case kEfiLoaderData:
        case kEfiBootServicesCode:
        case kEfiBootServicesData:
        case kEfiLoaderReclaimable: return limine::kMemmapBootloaderReclaimable;
        case kEfiRuntimeServicesCode:
        case kEfiRuntimeServicesData:
            return rules.base_revision >= 5 ? limine::kMemmapReservedMapped : limine::kMemmapReserved;
        case kEfiLoaderKernelAndModules: return limine::kMemmapKernelAndModules;
        case kEfiACPIReclaimMemory: return limine::kMemmapAcpiReclaimable;
        case kEfiACPIMemoryNVS: return limine::kMemmapAcpiNvs;
        case kEfiUnusableMemory: return limine::kMemmapBadMemory;
        default: return limine::kMemmapReserved;
    }
}

// Higher = more conservative: which type a byte keeps when two claims meet.
// Ordered by how much harm reusing the memory would do: usable < reclaimable
// by the kernel later < never reusable < firmware-owned < broken.
int conservativeness(uint64_t type) {
    switch (type) {
        case limine::kMemmapUsable: return 0;
        case limine::kMemmapBootloaderReclaimable: return 1;
        case limine::kMemmapAcpiReclaimable: return 2;
        case limine::kMemmapKernelAndModules: return 3;
        case limine::kMemmapFramebuffer: return 4;
        case limine::kMemmapAcpiNvs: return 5;
        case limine::kMemmapReservedMapped: return 6;
        case limine::kMemmapReserved: return 6;
        case limine::kMemmapBadMemory: return 7;
        default: return 6;
    }
}

uint64_t more_conservative(uint64_t a, uint64_t b) {
    if (a == kNoType) return b;
    if (b == kNoType) return a;
    return conservativeness(b) > conservativeness(a) ? b : a;
}

struct Interval {
    uint64_t start;
    uint64_t end;  // exclusive
    uint64_t type;
};

// Reads descriptor `index` (validated: its end does not overflow).
Interval descriptor_interval(lib::Bytes efi_map, size_t desc_size, size_t index, const MemmapRules& rules) {
    size_t at = index * desc_size;
    uint64_t start = read_u64(efi_map, at + 8);
    uint64_t pages = read_u64(efi_map, at + 24);
    return Interval{start, start + pages * kPageSize, limine_type_of(read_u32(efi_map, at + 0), rules)};
}

class Writer {
public:
    Writer(MemoryRange* out, size_t capacity) : out_(out), capacity_(capacity) {}

    // Takes one raw piece, merging it with the pending entry when it
    // continues it with the same type.
    bool add(uint64_t start, uint64_t end, uint64_t type) {
        if (has_pending_ && pending_.type == type && pending_.base + pending_.length == start) {
            pending_.length = end - pending_.base;
            return true;
        }
        if (!flush()) return false;
        pending_ = MemoryRange{start, end - start, type};
        has_pending_ = true;
        return true;
    }

    // Applies the alignment and first-page rules to the pending entry and
    // writes it out. False when `out` is full.
    bool flush() {
        if (!has_pending_) return true;
        has_pending_ = false;
        uint64_t start = pending_.base;
        uint64_t end = pending_.base + pending_.length;
        if (pending_.type == limine::kMemmapUsable || pending_.type == limine::kMemmapBootloaderReclaimable) {
            // Shrink inward; start + 4095 cannot overflow because every end
            // is at most UINT64_MAX and start < end.
            start = lib::align_up(start, kPageSize);
            end = lib::align_down(end, kPageSize);
            if (pending_.type == limine::kMemmapUsable) start = lib::max(start, kPageSize);
            if (end <= start) return true;
        }
        if (count_ > 0) {
            MemoryRange& last = out_[count_ - 1];
            if (last.type == pending_.type && last.base + last.length == start) {
                last.length = end - last.base;
                return true;
            }
        }
        if (count_ == capacity_) return false;
        out_[count_++] = MemoryRange{start, end - start, pending_.type};
        return true;
    }

    size_t count() const { return count_; }

private:
    MemoryRange* out_;
    size_t capacity_;
    size_t count_ = 0;
    MemoryRange pending_{};
    bool has_pending_ = false;
};

}  // namespace

lib::Expected<size_t> convert_memory_map(lib::Bytes efi_map, size_t desc_size, lib::Span<const MemoryRange> overrides,
                                         MemoryRange* out, size_t capacity, const MemmapRules& rules) {
    if (desc_size < sizeof(EfiMemoryDescriptor))
        return Error::make(ErrorCode::kEINVAL, "memmap: UEFI descriptor size is smaller than EFI_MEMORY_DESCRIPTOR");
    if (efi_map.size() % desc_size != 0)
        return Error::make(ErrorCode::kEINVAL, "memmap: UEFI map size is not a multiple of the descriptor size");
    size_t descriptor_count = efi_map.size() / desc_size;

    // Validate first so the sweep can compute ends without checks.
    for (size_t i = 0; i < descriptor_count; ++i) {
        size_t at = i * desc_size;
        uint64_t start = read_u64(efi_map, at + 8);
        uint64_t pages = read_u64(efi_map, at + 24);
        uint64_t end = 0;
        if (pages > UINT64_MAX / kPageSize || !lib::checked_add(start, pages * kPageSize, end))
            return Error::make(ErrorCode::kEINVAL, "memmap: a UEFI descriptor's page count runs past 2^64");
    }
    for (const MemoryRange& range : overrides) {
        uint64_t end = 0;
        if (!lib::checked_add(range.base, range.length, end))
            return Error::make(ErrorCode::kEINVAL, "memmap: an override range runs past 2^64");
        if (range.type > limine::kMemmapReservedMapped)
            return Error::make(ErrorCode::kEINVAL, "memmap: an override has an unknown Limine memory type");
    }

    // The sweep: `position` is the start of the next piece; every boundary
    // strictly above it is a candidate for the piece's end.
    bool any = false;
    uint64_t position = UINT64_MAX;
    for (size_t i = 0; i < descriptor_count; ++i) {
        Interval interval = descriptor_interval(efi_map, desc_size, i, rules);
        if (interval.start < interval.end) position = lib::min(position, interval.start), any = true;
    }
    for (const MemoryRange& range : overrides)
        if (range.length != 0) position = lib::min(position, range.base), any = true;

    Writer writer(out, capacity);
    while (any) {
        uint64_t efi_type = kNoType, override_type = kNoType;
        uint64_t next = UINT64_MAX;
        bool has_next = false;
        auto consider = [&](uint64_t start, uint64_t end, uint64_t type, uint64_t& best) {
            if (start >= end) return;
            if (start <= position && position < end) best = more_conservative(best, type);
            if (start > position && start <= next) next = start, has_next = true;
            if (end > position && end <= next) next = end, has_next = true;
        };
        for (size_t i = 0; i < descriptor_count; ++i) {
            Interval interval = descriptor_interval(efi_map, desc_size, i, rules);
            consider(interval.start, interval.end, interval.type, efi_type);
        }
        for (const MemoryRange& range : overrides)
            consider(range.base, range.base + range.length, range.type, override_type);
        if (!has_next) break;  // nothing ends above `position`: past the last interval

        uint64_t type = efi_type;
        if (override_type != kNoType) {
            bool firmware_says_not_usable = efi_type != kNoType && efi_type != limine::kMemmapUsable;
            bool firmware_says_acpi = efi_type == limine::kMemmapAcpiReclaimable || efi_type == limine::kMemmapAcpiNvs;
            type = (override_type == limine::kMemmapUsable && firmware_says_not_usable) ||
                           (override_type == limine::kMemmapReservedMapped && firmware_says_acpi)
                       ? efi_type
                       : override_type;
        }
        if (type != kNoType && !writer.add(position, next, type))
            return Error::make(ErrorCode::kENOMEM, "memmap: more entries than the output array holds");
        position = next;
    }
    if (!writer.flush())
        return Error::make(ErrorCode::kENOMEM, "memmap: more entries than the output array holds");
    return writer.count();
}

}  // namespace loader
