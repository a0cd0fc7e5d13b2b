// The kernel heap: slabs of size classes for small blocks (16 .. 1024 bytes),
// whole page runs for everything larger. Pages come from the frame allocator
// and are used through the physical window (in the kernel: the HHDM, which
// the kernel's own page tables map with large pages), so the heap never
// edits page tables on its hot path.
//
// - A slab is one 4 KiB page: a 64-byte header, then equal slots. A block's
//   header (slab or large) is always at align_down(pointer - 1, 4 KiB), so
//   free() needs no size and no lookup structure.
// - Each CPU has free lists per size class (LIFO chains through the free
//   slots themselves, bounded in length): the common allocation and free
//   touch only it, with interrupts off and no atomic instruction. They are
//   inline (allocate() and free() below), so a caller's fast path is a size
//   table lookup, a per-CPU list pop or push, and no call. Behind the lists,
//   each size class has its own lock (interrupt-safe in the kernel) and a
//   list of slabs with room; slots come from a per-slab free list, then by
//   bumping through never-used space (a new slab costs no setup).
// - Memory goes back: a slab that becomes empty returns its page, except one
//   empty slab kept per class so an alloc/free pair does not thrash.
// - Debug builds (DEBUG_ASSERT on): each small block carries a 16-byte
//   header (state, requested size) and an 8-byte canary right after the
//   requested bytes; free() panics on a double free, a foreign pointer or a
//   damaged canary (an overrun), and poisons the block (0xDF); allocation
//   checks the poison (a write after free). Large blocks get the canary too.
//   The inline fast paths exist only without these checks: debug builds take
//   the out-of-line path every time.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/debug/assert.hpp"
#include "kernel/mm/frame_allocator.hpp"

#if !defined(HOST_TEST)
#include "kernel/arch/x86_64/cpu_local.hpp"
#endif

namespace mm {

struct HeapStats {
    uint64_t slab_pages = 0;   // pages holding small blocks (incl. cached empty slabs)
    uint64_t large_pages = 0;  // pages of large blocks (incl. their headers)
    uint64_t live_blocks = 0;  // allocated and not yet freed
};

namespace heap_detail {

inline constexpr size_t kClassCount = 19;
inline constexpr size_t kMaxSmall = 1024;
inline constexpr uint16_t kClassSizes[kClassCount] = {16,  32,  48,  64,  80,  96,  112, 128, 160, 192,
                                                      224, 256, 320, 384, 448, 512, 640, 768, 1024};
// Size in 16-byte steps (rounded up) -> the smallest class that holds it:
// one byte load instead of a search or a division.
struct ClassTable {
    uint8_t by_step[kMaxSmall / 16 + 1];
    constexpr ClassTable() : by_step() {
        unsigned size_class = 0;
        for (unsigned step = 0; step <= kMaxSmall / 16; ++step) {
            while (kClassSizes[size_class] < step * 16) ++size_class;
            by_step[step] = uint8_t(size_class);
        }
    }
    constexpr uint8_t operator[](size_t step) const { return by_step[step]; }
};

// A CPU's free list of a class holds up to about one slab's worth: 4 KiB,
// 4 to 32 slots (an even number: flushes and refills move half).
struct CacheLimits {
    uint8_t slots[kClassCount];
    constexpr CacheLimits() : slots() {
        for (size_t i = 0; i < kClassCount; ++i) {
            size_t limit = kPageSize / kClassSizes[i];
            limit = limit < 4 ? 4 : limit > 32 ? 32 : limit;
            slots[i] = uint8_t(limit & ~size_t(1));
        }
    }
};

}  // namespace heap_detail

class Heap {
public:
    static constexpr size_t kSlabBytes = kPageSize;
    static constexpr size_t kHeaderBytes = 64;
    static constexpr size_t kClassCount = heap_detail::kClassCount;
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
    [[gnu::always_inline]] void* allocate(size_t size, size_t alignment = kDefaultAlignment) {
        if constexpr (!kDebug) {
            // size - 1 wraps for 0, which the slow path treats as 1.
            if (__builtin_expect(size - 1 < kMaxSmall && alignment - 1 < kDefaultAlignment &&
                                     (alignment & (alignment - 1)) == 0,
                                 1)) {
                unsigned size_class = kClassBySteps[(size + 15) >> 4];
                CpuState state = enter_cpu();
                if (__builtin_expect(state.cpu < cache_cpus_, 1)) {
                    FreeList& list = caches_[state.cpu].lists[size_class];
                    void* slot = list.take.head;
                    if (__builtin_expect(slot == nullptr, 0)) {
                        // Take over what this CPU freed: no lock, no call.
                        slot = list.put.head;
                        list.take = list.put;
                        list.put = Chain{};
                    }
                    if (__builtin_expect(slot != nullptr, 1)) {
                        list.take.head = *static_cast<void**>(slot);
                        --list.take.count;
                        leave_cpu(state);
                        return slot;
                    }
                }
                leave_cpu(state);
            }
        }
        return allocate_slow(size, alignment);
    }
    void* allocate_zeroed(size_t count, size_t size);  // overflow-checked
    void* reallocate(void* pointer, size_t size);
    [[gnu::always_inline]] void free(void* pointer) {
        if constexpr (!kDebug) {
            // A block's header is at align_down(pointer - 1, 4 KiB); a slab's
            // first word is its magic (large blocks have another).
            auto* slab = reinterpret_cast<const Slab*>((reinterpret_cast<uintptr_t>(pointer) - 1) & ~(kSlabBytes - 1));
            if (__builtin_expect(pointer != nullptr && slab->magic == kSlabMagic, 1)) {
                unsigned size_class = slab->size_class;
                CpuState state = enter_cpu();
                if (__builtin_expect(state.cpu < cache_cpus_, 1)) {
                    Chain& put = caches_[state.cpu].lists[size_class].put;
                    if (__builtin_expect(put.count < kCacheLimits.slots[size_class], 1)) {
                        *static_cast<void**>(pointer) = put.head;
                        put.head = pointer;
                        ++put.count;
                        leave_cpu(state);
                        return;
                    }
                }
                leave_cpu(state);
            }
        }
        free_slow(pointer);
    }
    // Bytes the caller may use at `pointer` (at least what was asked for).
    size_t usable_size(const void* pointer) const;

    HeapStats stats() const;
    // Flushes this CPU's magazines and returns the empty slabs kept for reuse.
    void trim();

    // Gives CPUs 0 .. cpus - 1 free lists of their own (sized by the CPU
    // count the MADT gives, kernel/smp/); until then only CPU 0 has them and
    // other CPUs use the slabs directly. Once, on CPU 0, before other CPUs
    // allocate. kOutOfMemory leaves things as they were.
    [[nodiscard]] lib::Expected<void> set_cpu_count(uint32_t cpus);

    static constexpr size_t kMaxSmall = heap_detail::kMaxSmall;
    static constexpr uint32_t kSlabMagic = 0x534c4142;  // "SLAB"

private:
    // The first bytes of a slab page.
    struct Slab {
        uint32_t magic;
        uint16_t size_class;
        uint16_t in_use;
        void* free_list;  // slots freed earlier (link in the slot, see next_of)
        uint8_t* bump;    // first never-used slot
        uint8_t* end;     // end of the last whole slot
        Slab* next;       // in the class's partial list
        Slab* prev;
    };
    struct LargeBlock;
    struct SizeClass {
        FrameLock lock;
        Slab* partial = nullptr;  // slabs with at least one slot to give
        uint32_t empty_slabs = 0;
        uint64_t taken_slots = 0;  // out of the slabs (handed out or in a CPU's list)
    };

    static constexpr const uint16_t* kClassSizes = heap_detail::kClassSizes;
    static constexpr heap_detail::ClassTable kClassBySteps{};

    // Per CPU and class: free slots this CPU may hand out without any lock or
    // atomic instruction (only interrupts off), in two LIFO chains through
    // the slots: allocations pop from `take`, frees push onto `put` (as
    // mimalloc's free and local_free lists: an alloc+free pair then forms no
    // chain of dependent memory accesses through one list head and count).
    // An empty `take` takes over `put` (no lock), or is refilled from the
    // slabs with half a limit (heap_detail::CacheLimits); a `put` at the limit
    // gives its older half back to the slabs (both under the class lock). So a
    // CPU holds at most two limits' worth of slots per class.
    struct Chain {
        void* head = nullptr;
        uint32_t count = 0;
    };
    struct FreeList {
        Chain take;
        Chain put;
    };
    struct alignas(1024) CpuCache {  // a power of two: the address is a shift, not a multiply
        FreeList lists[kClassCount];
    };
    static constexpr heap_detail::CacheLimits kCacheLimits{};

    // This CPU, with interrupts off (kernel) until leave_cpu: the lists are
    // per CPU, and an interrupt handler may allocate too.
#if defined(HOST_TEST)
    // Host threads stand in for CPUs: each gets its own index on first use
    // (in the slow path: ~0u is beyond kCacheCpus). Constant-initialized, so
    // no TLS init wrapper on each use.
    static inline thread_local constinit unsigned host_cpu_ = ~0u;
    struct CpuState {
        unsigned cpu;
    };
    [[gnu::always_inline]] static CpuState enter_cpu() { return {host_cpu_}; }
    [[gnu::always_inline]] static void leave_cpu(CpuState) {}
#else
    struct CpuState {
        unsigned cpu;
        bool interrupts_were_on;
    };
    [[gnu::always_inline]] static CpuState enter_cpu() {
        bool were_on = (arch::read_rflags() & arch::rflags::kInterruptEnable) != 0;
        arch::cli();
        return {arch::cpu_index(), were_on};  // GS base is loaded at the kernel's first step
    }
    [[gnu::always_inline]] static void leave_cpu(CpuState state) {
        if (state.interrupts_were_on) arch::sti();
    }
#endif
    // The list of `size_class` for the CPU of `state` (assigning a host
    // thread its index on first use); nullptr for CPUs beyond cache_cpus_.
    FreeList* list_for(CpuState& state, unsigned size_class);

    [[gnu::noinline]] void* allocate_slow(size_t size, size_t alignment);
    [[gnu::noinline]] void free_slow(void* pointer);
    void* allocate_small(unsigned size_class, size_t size);
    void* allocate_large(size_t size, size_t alignment);
    void free_small(Slab* slab, void* pointer);
    void free_large(LargeBlock* block, void* pointer);
    bool refill(unsigned size_class, Chain& chain);
    void flush(unsigned size_class, Chain& chain, uint32_t keep);
    uint8_t* take_slot_locked(SizeClass& cls, unsigned size_class);
    void return_slot_locked(SizeClass& cls, unsigned size_class, uint8_t* slot);
    Slab* new_slab(unsigned size_class);
    void release_slab(Slab* slab);

    FrameAllocator* frames_ = nullptr;
    SizeClass classes_[kClassCount];
    // CPU 0's lists from the start; set_cpu_count() gives every CPU its own.
    CpuCache boot_cache_;
    CpuCache* caches_ = &boot_cache_;
    uint32_t cache_cpus_ = 1;  // CPUs at or beyond go straight to the slabs
    uint64_t slab_pages_ = 0;
    uint64_t large_pages_ = 0;
    uint64_t live_large_blocks_ = 0;
};

}  // namespace mm
