// The kernel heap: slabs of size classes for small blocks (16 .. 1024 bytes),
// whole page runs for everything larger. Pages come from the frame allocator
// and are used through the physical window (in the kernel: the HHDM, which
// the kernel's own page tables map with large pages), so the heap never
// edits page tables on its hot path.
//
// - A slab is one 4 KiB page: a 64-byte header, then equal slots. A block's
//   header (slab or large) is always at align_down(pointer - 1, 4 KiB), so
//   free() needs no size and no lookup structure.
// - Each CPU has a magazine of free slots per size class: the common
//   allocation and free touch only it, with interrupts off and no atomic
//   instruction. Behind the magazines, each size class has its own lock
//   (interrupt-safe in the kernel) and a list of slabs with room; slots come
//   from a per-slab free list, then by bumping through never-used space (a
//   new slab costs no setup).
// - Memory goes back: a slab that becomes empty returns its page, except one
//   empty slab kept per class so an alloc/free pair does not thrash.
// - Debug builds (DEBUG_ASSERT on): each small block carries a 16-byte
//   header (state, requested size) and an 8-byte canary right after the
//   requested bytes; free() panics on a double free, a foreign pointer or a
//   damaged canary (an overrun), and poisons the block (0xDF); allocation
//   checks the poison (a write after free). Large blocks get the canary too.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/debug/assert.hpp"
#include "kernel/mm/frame_allocator.hpp"

namespace mm {

struct HeapStats {
    uint64_t slab_pages = 0;   // pages holding small blocks (incl. cached empty slabs)
    uint64_t large_pages = 0;  // pages of large blocks (incl. their headers)
    uint64_t live_blocks = 0;  // allocated and not yet freed
};

class Heap {
public:
    static constexpr size_t kSlabBytes = kPageSize;
    static constexpr size_t kHeaderBytes = 64;
    static constexpr size_t kClassCount = 19;
    static constexpr size_t kDefaultAlignment = 16;
#if DEBUG_ASSERTS_ENABLED
    static constexpr bool kDebug = true;
#else
    static constexpr bool kDebug = false;
#endif
    static constexpr uint8_t kPoison = 0xdf;

    constexpr Heap() = default;
    Heap(const Heap&) = delete;
    Heap& operator=(const Heap&) = delete;

    void init(FrameAllocator& frames) {
        frames_ = &frames;
    }
    bool ready() const {
        return frames_ != nullptr;
    }

    // nullptr when the memory can not be found (or size is absurd). Alignment
    // must be a power of two; up to 16 comes from the slabs.
    void* allocate(size_t size, size_t alignment = kDefaultAlignment);
    void* allocate_zeroed(size_t count, size_t size);  // overflow-checked
    void* reallocate(void* pointer, size_t size);
    void free(void* pointer);
    // Bytes the caller may use at `pointer` (at least what was asked for).
    size_t usable_size(const void* pointer) const;

    HeapStats stats() const;
    // Flushes this CPU's magazines and returns the empty slabs kept for reuse.
    void trim();

private:
    struct Slab;
    struct LargeBlock;
    struct SizeClass {
        FrameLock lock;
        Slab* partial = nullptr;  // slabs with at least one slot to give
        uint32_t empty_slabs = 0;
        uint64_t taken_slots = 0;  // out of the slabs (handed out or in a magazine)
    };
    // Per CPU and class: free slots this CPU may hand out without any lock
    // or atomic instruction (only interrupts off). Refilled from and flushed
    // to the slabs half a magazine at a time, under the class lock.
    static constexpr size_t kMagazineSize = 16;
    static constexpr size_t kMagazineCpus = 32;  // CPUs beyond go straight to the slabs
    struct Magazine {
        uint32_t count = 0;
        void* slots[kMagazineSize] = {};
    };

    void* allocate_small(unsigned size_class, size_t size);
    void* allocate_large(size_t size, size_t alignment);
    void free_small(Slab* slab, void* pointer);
    void free_large(LargeBlock* block, void* pointer);
    Magazine* magazine_for(unsigned size_class);
    bool refill(unsigned size_class, Magazine& magazine);
    void flush(unsigned size_class, Magazine& magazine, size_t count);
    uint8_t* take_slot_locked(SizeClass& cls, unsigned size_class);
    void return_slot_locked(SizeClass& cls, unsigned size_class, uint8_t* slot);
    Slab* new_slab(unsigned size_class);
    void release_slab(Slab* slab);

    FrameAllocator* frames_ = nullptr;
    SizeClass classes_[kClassCount];
    Magazine magazines_[kMagazineCpus][kClassCount];
    uint64_t slab_pages_ = 0;
    uint64_t large_pages_ = 0;
    uint64_t live_large_blocks_ = 0;
};

}  // namespace mm
