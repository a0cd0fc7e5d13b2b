// The physical frame allocator: a binary buddy allocator over the usable
// regions of the memory map, plus a small cache of single frames in front of
// it so that the common case (one 4 KiB frame, then freeing it) never splits
// or merges blocks.
//
// - Cost independent of memory size: free lists per order (4 KiB .. 1 GiB)
//   with a bit mask of the non-empty ones; finding the region of a frame is
//   a binary search over at most kMaxZones regions (never over memory).
// - Metadata: one state byte per managed frame (0.024% of managed memory),
//   carved out of usable memory at init; the free-list links live inside the
//   free blocks themselves, reached through the PhysicalWindow.
// - Contiguous runs of any length with a power-of-two alignment; the unused
//   tail of the block that served them goes straight back.
// - One spinlock that disables interrupts (kernel) so a handler or another
//   CPU can allocate at any time.
// - Debug builds (DEBUG_ASSERT on) panic on a double free, a free of a frame
//   never handed out (it is still free), a free outside managed memory and a
//   misaligned free.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot/boot_info.hpp"
#include "kernel/mm/physical_window.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace mm {

enum class Zeroing : uint8_t { kNo, kYes };

#if defined(HOST_TEST)
using FrameLock = ksync::SpinlockNoIrq;  // user mode can not CLI
#else
using FrameLock = ksync::Spinlock;
#endif

inline constexpr size_t kMemoryTypeCount = 8;  // boot::MemoryType values

struct FrameStats {
    uint64_t managed_bytes = 0;  // usable memory handed to the allocator (after its metadata)
    uint64_t free_bytes = 0;
    uint64_t metadata_bytes = 0;  // the per-frame state array
    // Bytes of the memory map by type that the allocator does not hand out
    // (index: boot::MemoryType); kUsable counts nothing here.
    uint64_t reserved_bytes[kMemoryTypeCount] = {};
};

class FrameAllocator {
public:
    static constexpr unsigned kMaxOrder = 18;  // 2^18 frames = 1 GiB
    static constexpr size_t kMaxZones = 256;
    static constexpr size_t kCacheCapacity = 64;

    constexpr FrameAllocator() = default;
    FrameAllocator(const FrameAllocator&) = delete;
    FrameAllocator& operator=(const FrameAllocator&) = delete;

    // Takes every USABLE region of `map` (other types are only counted). The
    // memory must be reachable through `window`. Fails if there is no usable
    // memory or too many regions.
    lib::Expected<void> init(lib::Span<const boot::MemoryRegion> map, PhysicalWindow window);

    // Adds more memory (e.g. bootloader-reclaimable regions once released).
    // The range must be page aligned and inside no existing zone; it becomes
    // a new zone. Its state bytes (one per frame) go to `state` when given
    // (length / 4 KiB bytes that stay valid for good, e.g. from the heap), so
    // every frame of the region is handed out; otherwise they take the
    // region's first frames. `was` is the type it was counted under in the
    // statistics until now.
    lib::Expected<void> add_region(uint64_t base, uint64_t length, boot::MemoryType was = boot::MemoryType::kUsable,
                                   uint8_t* state = nullptr);

    // One 4 KiB frame; its physical address.
    lib::Expected<uint64_t> allocate(Zeroing zeroing = Zeroing::kNo);

    // `count` contiguous frames whose physical address is a multiple of
    // `alignment` (a power of two, at least 4 KiB, at most 1 GiB).
    lib::Expected<uint64_t> allocate_run(uint64_t count, uint64_t alignment = kPageSize,
                                         Zeroing zeroing = Zeroing::kNo);

    // Frees frames that were allocated: any sub-range of earlier allocations.
    void free(uint64_t physical) { free_run(physical, 1); }
    void free_run(uint64_t physical, uint64_t count);

    FrameStats stats() const;
    uint64_t free_frames() const { return __atomic_load_n(&free_frames_, __ATOMIC_RELAXED); }
    PhysicalWindow window() const { return window_; }

    // For tests and fault reports: is this frame managed, and is it free?
    bool is_managed(uint64_t physical) const;
    bool is_free(uint64_t physical) const;

private:
    struct Zone {
        uint64_t first_frame;  // physical frame number
        uint64_t frame_count;
        uint8_t* state;  // one byte per frame, see kState*
    };
    struct FreeBlock;  // lives inside a free block

    int find_zone(uint64_t frame) const;
    lib::Expected<void> add_zone_locked(uint64_t first_frame, uint64_t frame_count, uint8_t* state);
    void push_block(uint32_t zone, uint64_t frame, unsigned order);
    void unlink_block(uint64_t frame, unsigned order);
    uint64_t pop_block(unsigned order, uint32_t& zone);
    void free_block_locked(uint32_t zone, uint64_t frame, unsigned order);
    void free_range_locked(uint32_t zone, uint64_t frame, uint64_t count, bool merge);
    bool frame_is_free_locked(const Zone& zone, uint64_t frame) const;
    void check_free_is_valid_locked(uint64_t physical, uint64_t count, int zone_index) const;
    lib::Expected<uint64_t> allocate_run_locked(uint64_t count, unsigned order);
    void drain_cache_locked();
    void zero(uint64_t physical, uint64_t count) const;

    mutable FrameLock lock_;
    PhysicalWindow window_;
    Zone zones_[kMaxZones] = {};
    size_t zone_count_ = 0;
    mutable size_t last_zone_ = 0;             // a hint: frees usually hit the zone of the last one
    uint64_t free_lists_[kMaxOrder + 1] = {};  // physical frame number of the first block, or kNone
    uint32_t non_empty_orders_ = 0;            // bit k: free_lists_[k] is not empty
    struct CachedFrame {
        uint64_t frame;
        uint32_t zone;
    };
    CachedFrame cache_[kCacheCapacity] = {};
    size_t cache_count_ = 0;
    uint64_t free_frames_ = 0;
    uint64_t managed_frames_ = 0;
    uint64_t metadata_bytes_ = 0;
    uint64_t reserved_bytes_[kMemoryTypeCount] = {};
};

}  // namespace mm
