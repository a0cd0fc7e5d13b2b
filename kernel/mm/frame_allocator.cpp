// The buddy frame allocator (see frame_allocator.hpp for the design).
//
// A block of order k is 2^k frames whose physical frame number is a multiple
// of 2^k, so every block is naturally aligned: an order-9 block is a 2 MiB
// page, an order-18 block a 1 GiB page. A block's buddy is the other half of
// the order-(k+1) block containing it (frame XOR 2^k); two free buddies
// merge. Blocks never cross a zone (one usable memory-map region).
//
// allocator_state of each frame's record:
//   0                 allocated, or inside a free block but not its head
//   kFreeHead | k     first frame of a free block of order k
//   kCached           a free single frame held in the front cache
// Its `references` is 0 exactly when the frame is free (in a block or the
// cache), which is what the free-time checks rely on.
#include "kernel/mm/frame_allocator.hpp"

#include "kernel/debug/assert.hpp"

namespace mm {

const char* frame_owner_name(FrameOwner owner) {
    switch (owner) {
        case FrameOwner::kFree: return "free";
        case FrameOwner::kKernel: return "kernel";
        case FrameOwner::kPageTable: return "page table";
        case FrameOwner::kHeap: return "heap";
        case FrameOwner::kKernelStack: return "kernel stack";
        case FrameOwner::kUser: return "user";
        case FrameOwner::kPageCache: return "page cache";
    }
    return "?";
}

namespace {

constexpr uint8_t kFreeHead = 0x80;
constexpr uint8_t kCached = 0x40;
constexpr uint64_t kNone = ~0ULL;

// Frames that hold the records of the other frames of `frames` (records for
// the metadata frames themselves are not needed): the least m with
// m * 4 KiB >= (frames - m) * 8 bytes.
constexpr uint64_t metadata_frames_for(uint64_t frames) {
    constexpr uint64_t kPerFrame = kPageSize + sizeof(FrameRecord);
    return (frames * sizeof(FrameRecord) + kPerFrame - 1) / kPerFrame;
}

constexpr unsigned floor_log2(uint64_t value) {
    return 63u - unsigned(__builtin_clzll(value));
}
constexpr unsigned ceil_log2(uint64_t value) {
    return value <= 1 ? 0 : floor_log2(value - 1) + 1;
}

}  // namespace

// The links of a free block, stored in its first bytes.
struct FrameAllocator::FreeBlock {
    uint64_t next;  // frame number or kNone
    uint64_t prev;
    uint32_t zone;
};

lib::Expected<void> FrameAllocator::init(lib::Span<const boot::MemoryRegion> map, PhysicalWindow window) {
    ksync::Guard guard(lock_);
    window_ = window;
    for (auto& head : free_lists_) head = kNone;

    // Usable regions, adjacent ones merged, trimmed to whole frames.
    struct Range {
        uint64_t first, count;
    };
    Range ranges[kMaxZones];
    size_t range_count = 0;
    uint64_t total_frames = 0;
    for (const auto& region : map) {
        size_t type = size_t(region.type);
        if (region.type != boot::MemoryType::kUsable) {
            if (type < kMemoryTypeCount) reserved_bytes_[type] += region.length;
            continue;
        }
        uint64_t first = align_up(region.base, kPageSize) >> kPageShift;
        uint64_t end = align_down(region.base + region.length, kPageSize) >> kPageShift;
        // Physical page 0 is never handed out: page-cache indexes, page
        // tables and the VM's backing objects all take frame address 0 for
        // "no frame", so a file page or a mapping given frame 0 would read
        // as a hole (zeros). Firmware maps (OVMF) list it as usable.
        if (first == 0 && end > 0) {
            first = 1;
            withheld_bytes_ += kPageSize;
        }
        if (end <= first) continue;
        if (range_count > 0 && ranges[range_count - 1].first + ranges[range_count - 1].count == first) {
            ranges[range_count - 1].count += end - first;
        } else {
            if (range_count == kMaxZones) return lib::Error::make(lib::ErrorCode::kERANGE, "too many usable regions");
            if (range_count > 0 && first < ranges[range_count - 1].first + ranges[range_count - 1].count)
                return lib::Error::make(lib::ErrorCode::kEINVAL, "usable regions overlap or are not sorted");
            ranges[range_count++] = {first, end - first};
        }
        total_frames += end - first;
    }
    if (range_count == 0) return lib::Error::make(lib::ErrorCode::kENOMEM, "no usable memory");

    // The records: one per frame, carved from the front of the smallest
    // range that holds them (keeps large ranges whole for big blocks).
    uint64_t metadata_frames = metadata_frames_for(total_frames);
    size_t host = range_count;
    for (size_t i = 0; i < range_count; ++i) {
        if (ranges[i].count <= metadata_frames) continue;
        if (host == range_count || ranges[i].count < ranges[host].count) host = i;
    }
    if (host == range_count) return lib::Error::make(lib::ErrorCode::kENOMEM, "no region holds the frame metadata");
    auto* records = window_.at<FrameRecord>(ranges[host].first << kPageShift);
    ranges[host].first += metadata_frames;
    ranges[host].count -= metadata_frames;
    metadata_bytes_ = metadata_frames << kPageShift;
    __builtin_memset(records, 0, (total_frames - metadata_frames) * sizeof(FrameRecord));

    for (size_t i = 0; i < range_count; ++i) {
        TRY(add_zone_locked(ranges[i].first, ranges[i].count, records));
        records += ranges[i].count;
    }
    return {};
}

lib::Expected<void> FrameAllocator::add_region(uint64_t base, uint64_t length, boot::MemoryType was,
                                               FrameRecord* records) {
    if (!is_aligned(base, kPageSize) || !is_aligned(length, kPageSize) || length == 0)
        return lib::Error::make(lib::ErrorCode::kEINVAL, "region is not page aligned");
    uint64_t first = base >> kPageShift, count = length >> kPageShift;
    const uint64_t map_length = length;  // of the memory map's region, page 0 included
    if (first == 0) {  // page 0 is never handed out (see init)
        ksync::Guard guard(lock_);
        withheld_bytes_ += kPageSize;
        if (count == 1) {
            if (was != boot::MemoryType::kUsable && size_t(was) < kMemoryTypeCount) reserved_bytes_[size_t(was)] -= map_length;
            return {};
        }
        ++first, --count;
        if (records) ++records;
    }
    // Without outside storage, the new zone's records live at its own start.
    uint64_t metadata_frames = records ? 0 : metadata_frames_for(count);
    if (count <= metadata_frames) return lib::Error::make(lib::ErrorCode::kEINVAL, "region too small");
    ksync::Guard guard(lock_);
    for (size_t i = 0; i < zone_count_; ++i) {
        const Zone& zone = zones_[i];
        if (first < zone.first_frame + zone.frame_count && zone.first_frame < first + count)
            return lib::Error::make(lib::ErrorCode::kEEXIST, "region overlaps managed memory");
    }
    if (!records) records = window_.at<FrameRecord>(base);
    __builtin_memset(records, 0, (count - metadata_frames) * sizeof(FrameRecord));
    TRY(add_zone_locked(first + metadata_frames, count - metadata_frames, records));
    metadata_bytes_ += metadata_frames << kPageShift;
    if (was != boot::MemoryType::kUsable && size_t(was) < kMemoryTypeCount) reserved_bytes_[size_t(was)] -= map_length;
    return {};
}

lib::Expected<void> FrameAllocator::add_zone_locked(uint64_t first_frame, uint64_t frame_count,
                                                    FrameRecord* records) {
    if (zone_count_ == kMaxZones) return lib::Error::make(lib::ErrorCode::kERANGE, "too many memory zones");
    // Keep zones sorted by address for the binary search in find_zone.
    size_t position = zone_count_;
    while (position > 0 && zones_[position - 1].first_frame > first_frame) {
        zones_[position] = zones_[position - 1];
        --position;
    }
    zones_[position] = {first_frame, frame_count, records};
    ++zone_count_;
    // Free lists and the cache store zone indices: renumber after an insertion.
    if (position + 1 < zone_count_) {
        for (unsigned order = 0; order <= kMaxOrder; ++order) {
            for (uint64_t frame = free_lists_[order]; frame != kNone;) {
                auto* block = window_.at<FreeBlock>(frame << kPageShift);
                block->zone = uint32_t(find_zone(frame));
                frame = block->next;
            }
        }
        for (size_t i = 0; i < cache_count_; ++i) cache_[i].zone = uint32_t(find_zone(cache_[i].frame));
    }
    managed_frames_ += frame_count;
    free_range_locked(uint32_t(position), first_frame, frame_count, false);
    return {};
}

int FrameAllocator::find_zone(uint64_t frame) const {
    size_t hint = last_zone_;
    if (hint < zone_count_ && frame - zones_[hint].first_frame < zones_[hint].frame_count) return int(hint);
    size_t low = 0, high = zone_count_;
    while (low < high) {
        size_t middle = (low + high) / 2;
        const Zone& zone = zones_[middle];
        if (frame < zone.first_frame)
            high = middle;
        else if (frame - zone.first_frame >= zone.frame_count)
            low = middle + 1;
        else {
            last_zone_ = middle;
            return int(middle);
        }
    }
    return -1;
}

void FrameAllocator::push_block(uint32_t zone, uint64_t frame, unsigned order) {
    auto* block = window_.at<FreeBlock>(frame << kPageShift);
    uint64_t head = free_lists_[order];
    block->next = head;
    block->prev = kNone;
    block->zone = zone;
    if (head != kNone) window_.at<FreeBlock>(head << kPageShift)->prev = frame;
    free_lists_[order] = frame;
    non_empty_orders_ |= 1u << order;
    zones_[zone].state(frame) = uint8_t(kFreeHead | order);
}

void FrameAllocator::unlink_block(uint64_t frame, unsigned order) {
    auto* block = window_.at<FreeBlock>(frame << kPageShift);
    if (block->prev != kNone)
        window_.at<FreeBlock>(block->prev << kPageShift)->next = block->next;
    else
        free_lists_[order] = block->next;
    if (block->next != kNone) window_.at<FreeBlock>(block->next << kPageShift)->prev = block->prev;
    if (free_lists_[order] == kNone) non_empty_orders_ &= ~(1u << order);
    zones_[block->zone].state(frame) = 0;
}

uint64_t FrameAllocator::pop_block(unsigned order, uint32_t& zone) {
    uint64_t frame = free_lists_[order];
    zone = window_.at<FreeBlock>(frame << kPageShift)->zone;
    unlink_block(frame, order);
    return frame;
}

void FrameAllocator::free_block_locked(uint32_t zone_index, uint64_t frame, unsigned order) {
    const Zone& zone = zones_[zone_index];
    while (order < kMaxOrder) {
        uint64_t buddy = frame ^ (1ULL << order);
        uint64_t offset = buddy - zone.first_frame;
        if (buddy < zone.first_frame || offset >= zone.frame_count) break;
        if (zone.state(buddy) != uint8_t(kFreeHead | order)) break;
        unlink_block(buddy, order);
        frame &= ~(1ULL << order);
        ++order;
    }
    push_block(zone_index, frame, order);
}

// Splits [frame, frame + count) into the largest aligned blocks it holds.
// Without `merge` the caller promises no neighbour is free (init), and the
// blocks need no merging: the split is canonical, so no two are buddies.
void FrameAllocator::free_range_locked(uint32_t zone, uint64_t frame, uint64_t count, bool merge) {
    free_frames_ += count;
    while (count > 0) {
        unsigned order = floor_log2(count);
        if (frame != 0) order = lib::min(order, unsigned(__builtin_ctzll(frame)));
        order = lib::min(order, kMaxOrder);
        if (merge)
            free_block_locked(zone, frame, order);
        else
            push_block(zone, frame, order);
        frame += 1ULL << order;
        count -= 1ULL << order;
    }
}

// Every frame of a free must be allocated with one holder; as each is
// checked its record returns to the allocator (one pass over the records).
void FrameAllocator::check_and_reset_locked(uint64_t physical, uint64_t count, int zone_index) {
    if (zone_index < 0) PANIC("frame allocator: free of {:#x}, which is not managed memory", physical);
    const Zone& zone = zones_[zone_index];
    uint64_t frame = physical >> kPageShift;
    if (frame + count - zone.first_frame > zone.frame_count)
        PANIC("frame allocator: free of {} frames at {:#x} runs past the end of its region", count, physical);
    for (uint64_t i = 0; i < count; ++i) {
        FrameRecord& record = zone.record(frame + i);
        uint32_t references = __atomic_load_n(&record.references, __ATOMIC_RELAXED);
        if (references == 0)
            PANIC("frame allocator: double free (or free of a frame never allocated) of {:#x} in {:#x}..{:#x}",
                  (frame + i) << kPageShift, physical, physical + count * kPageSize);
        if (references > 1)
            PANIC("frame allocator: free of {:#x}, which is shared ({} holders): release() it instead",
                  (frame + i) << kPageShift, references);
        record = FrameRecord{0, 0, FrameOwner::kFree, 0};
    }
}

// The frames' records once they leave the allocator: one holder, `owner`.
// Nobody else looks at a record while its frame is in the allocator, so
// each is written whole, in one store.
void FrameAllocator::hand_out_locked(uint64_t physical, uint64_t count, FrameOwner owner) {
    uint64_t frame = physical >> kPageShift;
    FrameRecord* records = &zones_[find_zone(frame)].record(frame);
    const FrameRecord handed_out{1, 0, owner, 0};
    for (uint64_t i = 0; i < count; ++i) records[i] = handed_out;
}

lib::Expected<uint64_t> FrameAllocator::allocate(Zeroing zeroing, FrameOwner owner) {
    uint64_t physical;
    {
        ksync::Guard guard(lock_);
        if (cache_count_ > 0) {
            CachedFrame cached = cache_[--cache_count_];
            zones_[cached.zone].state(cached.frame) = 0;
            --free_frames_;
            physical = cached.frame << kPageShift;
        } else {
            physical = TRY(allocate_run_locked(1, 0));
        }
        hand_out_locked(physical, 1, owner);
    }
    if (zeroing == Zeroing::kYes) zero(physical, 1);
    return physical;
}

lib::Expected<uint64_t> FrameAllocator::allocate_run(uint64_t count, uint64_t alignment, Zeroing zeroing,
                                                     FrameOwner owner) {
    if (count == 0 || alignment == 0 || (alignment & (alignment - 1)) != 0)
        return lib::Error::make(lib::ErrorCode::kEINVAL, "bad frame count or alignment");
    unsigned order = ceil_log2(count);
    if (alignment > kPageSize) order = lib::max(order, floor_log2(alignment) - kPageShift);
    if (order > kMaxOrder) return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "run larger than 1 GiB");
    uint64_t physical;
    {
        ksync::Guard guard(lock_);
        auto result = allocate_run_locked(count, order);
        if (result) {
            physical = *result;
        } else {
            // Frames parked in the cache may be what keeps a block from merging.
            if (cache_count_ == 0) return result.error();
            drain_cache_locked();
            physical = TRY(allocate_run_locked(count, order));
        }
        hand_out_locked(physical, count, owner);
    }
    if (zeroing == Zeroing::kYes) zero(physical, count);
    return physical;
}

lib::Expected<uint64_t> FrameAllocator::allocate_run_locked(uint64_t count, unsigned order) {
    uint32_t usable = non_empty_orders_ & ~((1u << order) - 1);
    if (usable == 0) return lib::Error::make(lib::ErrorCode::kENOMEM, "no free block large enough");
    unsigned found = unsigned(__builtin_ctz(usable));
    uint32_t zone;
    uint64_t frame = pop_block(found, zone);
    // Split: the upper halves go back to the free lists.
    while (found > order) {
        --found;
        push_block(zone, frame + (1ULL << found), found);
    }
    free_frames_ -= 1ULL << order;
    uint64_t block = 1ULL << order;
    if (count < block) free_range_locked(zone, frame + count, block - count, true);
    return frame << kPageShift;
}

void FrameAllocator::drain_cache_locked() {
    while (cache_count_ > 0) {
        CachedFrame cached = cache_[--cache_count_];
        zones_[cached.zone].state(cached.frame) = 0;
        free_block_locked(cached.zone, cached.frame, 0);
    }
}

// Frames whose records are back to the allocator's.
void FrameAllocator::free_run_locked(uint64_t physical, uint64_t count, int zone_index) {
    uint64_t frame = physical >> kPageShift;
    const Zone& zone = zones_[zone_index];
    if (count == 1 && cache_count_ < kCacheCapacity) {
        zone.state(frame) = kCached;
        cache_[cache_count_++] = {frame, uint32_t(zone_index)};
        ++free_frames_;
        return;
    }
    free_range_locked(uint32_t(zone_index), frame, count, true);
}

void FrameAllocator::free_run(uint64_t physical, uint64_t count) {
    if (!is_aligned(physical, kPageSize)) PANIC("frame allocator: misaligned free of {:#x}", physical);
    if (count == 0) return;
    ksync::Guard guard(lock_);
    int zone_index = find_zone(physical >> kPageShift);
    check_and_reset_locked(physical, count, zone_index);
    free_run_locked(physical, count, zone_index);
}

void FrameAllocator::share(uint64_t physical) {
    ksync::Guard guard(lock_);
    int zone = find_zone(physical >> kPageShift);
    if (zone < 0) PANIC("frame allocator: share of {:#x}, which is not managed memory", physical);
    FrameRecord& record = zones_[zone].record(physical >> kPageShift);
    if (__atomic_load_n(&record.references, __ATOMIC_RELAXED) == 0)
        PANIC("frame allocator: share of {:#x}, which is free", physical);
    __atomic_fetch_add(&record.references, 1, __ATOMIC_RELAXED);
}

bool FrameAllocator::release(uint64_t physical) {
    if (!is_aligned(physical, kPageSize)) PANIC("frame allocator: misaligned release of {:#x}", physical);
    ksync::Guard guard(lock_);
    int zone = find_zone(physical >> kPageShift);
    if (zone < 0) PANIC("frame allocator: release of {:#x}, which is not managed memory", physical);
    FrameRecord& record = zones_[zone].record(physical >> kPageShift);
    uint32_t references = __atomic_load_n(&record.references, __ATOMIC_RELAXED);
    if (references == 0) PANIC("frame allocator: release of {:#x}, which is free", physical);
    if (references > 1) {
        __atomic_fetch_sub(&record.references, 1, __ATOMIC_RELAXED);
        return false;
    }
    record = FrameRecord{0, 0, FrameOwner::kFree, 0};
    free_run_locked(physical, 1, zone);
    return true;
}

FrameRecord* FrameAllocator::record(uint64_t physical) {
    ksync::Guard guard(lock_);
    int zone = find_zone(physical >> kPageShift);
    return zone < 0 ? nullptr : &zones_[zone].record(physical >> kPageShift);
}

uint32_t FrameAllocator::references(uint64_t physical) const {
    ksync::Guard guard(lock_);
    int zone = find_zone(physical >> kPageShift);
    return zone < 0 ? 0 : __atomic_load_n(&zones_[zone].record(physical >> kPageShift).references, __ATOMIC_RELAXED);
}

FrameOwner FrameAllocator::owner(uint64_t physical) const {
    ksync::Guard guard(lock_);
    int zone = find_zone(physical >> kPageShift);
    return zone < 0 ? FrameOwner::kFree : zones_[zone].record(physical >> kPageShift).owner;
}

bool FrameAllocator::is_managed(uint64_t physical) const {
    ksync::Guard guard(lock_);
    return find_zone(physical >> kPageShift) >= 0;
}

bool FrameAllocator::is_free(uint64_t physical) const {
    ksync::Guard guard(lock_);
    int zone = find_zone(physical >> kPageShift);
    return zone >= 0 &&
           __atomic_load_n(&zones_[zone].record(physical >> kPageShift).references, __ATOMIC_RELAXED) == 0;
}

FrameStats FrameAllocator::stats() const {
    ksync::Guard guard(lock_);
    FrameStats stats;
    stats.managed_bytes = managed_frames_ << kPageShift;
    stats.free_bytes = free_frames_ << kPageShift;
    stats.metadata_bytes = metadata_bytes_;
    stats.withheld_bytes = withheld_bytes_;
    for (size_t i = 0; i < kMemoryTypeCount; ++i) stats.reserved_bytes[i] = reserved_bytes_[i];
    return stats;
}

void FrameAllocator::zero(uint64_t physical, uint64_t count) const {
    __builtin_memset(window_.at(physical), 0, count << kPageShift);
}

}  // namespace mm
