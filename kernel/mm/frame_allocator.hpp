// The physical frame allocator: a binary buddy allocator over the usable
// regions of the memory map, plus a small cache of single frames in front of
// it so that the common case (one 4 KiB frame, then freeing it) never splits
// or merges blocks.
//
// - Cost independent of memory size: free lists per order (4 KiB .. 1 GiB)
//   with a bit mask of the non-empty ones; finding the region of a frame is
//   a binary search over at most kMaxZones regions (never over memory).
// - Metadata: one 8-byte FrameRecord per managed frame (0.195 % of managed
//   memory, under the 0.2 % budget), carved out of usable memory at init:
//   how many holders the frame has (the basis for shared and copy-on-write
//   mappings), what kind of owner, flags, and the allocator's own state. The
//   free-list links live inside the free blocks themselves, reached through
//   the PhysicalWindow.
// - Contiguous runs of any length with a power-of-two alignment; the unused
//   tail of the block that served them goes straight back.
// - One spinlock that disables interrupts (kernel) so a handler or another
//   CPU can allocate at any time.
// - Always checked (the reference counts make it free): a double free, a
//   free of a frame never handed out or of a shared frame, a free outside
//   managed memory and a misaligned free panic.
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

// Who holds an allocated frame, for accounting and for the code that may
// one day move or reclaim frames.
enum class FrameOwner : uint8_t {
    kFree,         // in the allocator
    kKernel,       // a kernel allocation of no more specific kind
    kPageTable,    // a paging structure
    kHeap,         // a slab or large block of the kernel heap
    kKernelStack,  // a page of a kernel stack
    kUser,         // memory of a user address space (anonymous)
    kPageCache,    // the cached contents of a file
};
inline constexpr size_t kFrameOwnerCount = 7;
const char* frame_owner_name(FrameOwner owner);

namespace frame_flags {
inline constexpr uint16_t kPinned = 1u << 0;       // must stay where it is (DMA, page tables in use)
inline constexpr uint16_t kCopyOnWrite = 1u << 1;  // mapped read-only in several places; copy before writing
inline constexpr uint16_t kDirty = 1u << 2;        // written since it was last clean (page cache)
}  // namespace frame_flags

// What the kernel knows about one 4 KiB frame. Fields other than
// allocator_state may be read and changed by their users with atomics while
// the frame is allocated; the allocator owns the record while it is free.
struct FrameRecord {
    uint32_t references;      // holders: 0 = free, 1 = allocated, more = shared
    uint8_t allocator_state;  // the buddy allocator's (frame_allocator.cpp)
    FrameOwner owner;
    uint16_t flags;  // frame_flags
};
static_assert(sizeof(FrameRecord) == 8, "8 bytes per 4 KiB frame keeps the metadata under 0.2 % of memory");

struct FrameStats {
    uint64_t managed_bytes = 0;  // usable memory handed to the allocator (after its metadata)
    uint64_t free_bytes = 0;
    uint64_t metadata_bytes = 0;  // the per-frame records
    // Usable memory never handed out: physical page 0, which every holder
    // of frames takes for "no frame" (FrameAllocator::init).
    uint64_t withheld_bytes = 0;
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
    // a new zone. Its records (one per frame) go to `records` when given
    // (length / 4 KiB records that stay valid for good, e.g. from the heap),
    // so every frame of the region is handed out; otherwise they take the
    // region's first frames. `was` is the type it was counted under in the
    // statistics until now.
    lib::Expected<void> add_region(uint64_t base, uint64_t length, boot::MemoryType was = boot::MemoryType::kUsable,
                                   FrameRecord* records = nullptr);

    // One 4 KiB frame, with one holder (references 1) of kind `owner`; its
    // physical address.
    lib::Expected<uint64_t> allocate(Zeroing zeroing = Zeroing::kNo, FrameOwner owner = FrameOwner::kKernel);

    // `count` contiguous frames whose physical address is a multiple of
    // `alignment` (a power of two, at least 4 KiB, at most 1 GiB), each with
    // one holder of kind `owner`.
    lib::Expected<uint64_t> allocate_run(uint64_t count, uint64_t alignment = kPageSize,
                                         Zeroing zeroing = Zeroing::kNo, FrameOwner owner = FrameOwner::kKernel);

    // Frees frames that were allocated and have one holder: any sub-range of
    // earlier allocations.
    void free(uint64_t physical) { free_run(physical, 1); }
    void free_run(uint64_t physical, uint64_t count);

    // Shared frames: share() adds a holder to an allocated frame (a second
    // mapping of it, e.g. copy-on-write after fork); release() removes one
    // and frees the frame when it was the last (returning true then).
    void share(uint64_t physical);
    bool release(uint64_t physical);

    // The record of a managed frame (nullptr otherwise). Records never move:
    // the pointer stays valid. Read fields with atomics (see FrameRecord).
    FrameRecord* record(uint64_t physical);
    uint32_t references(uint64_t physical) const;
    FrameOwner owner(uint64_t physical) const;

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
        FrameRecord* records;  // one per frame
        uint8_t& state(uint64_t frame) const { return records[frame - first_frame].allocator_state; }
        FrameRecord& record(uint64_t frame) const { return records[frame - first_frame]; }
    };
    struct FreeBlock;  // lives inside a free block

    int find_zone(uint64_t frame) const;
    lib::Expected<void> add_zone_locked(uint64_t first_frame, uint64_t frame_count, FrameRecord* records);
    void push_block(uint32_t zone, uint64_t frame, unsigned order);
    void unlink_block(uint64_t frame, unsigned order);
    uint64_t pop_block(unsigned order, uint32_t& zone);
    void free_block_locked(uint32_t zone, uint64_t frame, unsigned order);
    void free_range_locked(uint32_t zone, uint64_t frame, uint64_t count, bool merge);
    void check_and_reset_locked(uint64_t physical, uint64_t count, int zone_index);
    void hand_out_locked(uint64_t physical, uint64_t count, FrameOwner owner);
    void free_run_locked(uint64_t physical, uint64_t count, int zone_index);
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
    uint64_t withheld_bytes_ = 0;
    uint64_t reserved_bytes_[kMemoryTypeCount] = {};
};

}  // namespace mm
