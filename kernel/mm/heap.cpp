// The kernel heap (see heap.hpp).
#include "kernel/mm/heap.hpp"

#include "kernel/debug/assert.hpp"

namespace mm {
namespace {

constexpr uint32_t kLargeMagic = 0x4c524745;  // "LRGE"
constexpr uint32_t kLargeFreed = 0x46524545;  // "FREE"

// Debug-build block header and canary (see heap.hpp).
constexpr uint32_t kBlockLive = 0xa110c8ed;
constexpr uint32_t kBlockFreed = 0xf4eed000;
constexpr uint64_t kCanary = 0xc0ffee00deadbeefULL;
constexpr size_t kBlockHeaderBytes = 16;
constexpr size_t kCanaryBytes = 8;
constexpr size_t kDebugOverhead = Heap::kDebug ? kBlockHeaderBytes + kCanaryBytes : 0;

struct BlockHeader {
    uint32_t state;
    uint32_t requested;
    void* next_free;  // while free: the slab's free-list link
};
static_assert(sizeof(BlockHeader) == kBlockHeaderBytes);

[[maybe_unused]] void write_canary(uint8_t* at) {
    __builtin_memcpy(at, &kCanary, kCanaryBytes);
}
[[maybe_unused]] bool canary_intact(const uint8_t* at) {
    uint64_t value;
    __builtin_memcpy(&value, at, kCanaryBytes);
    return value == kCanary;
}

}  // namespace

struct Heap::LargeBlock {
    uint32_t magic;
    uint32_t unused;
    uint64_t first_physical;  // the run: this header's page ..
    uint64_t pages;
    uint64_t requested;
    uint64_t capacity;  // bytes usable from the block pointer
    // Set on free. Past the bytes the frame allocator writes into a free
    // block (its list links), so a second free can still see it.
    uint32_t freed_marker;
};

namespace {
// Where a free slot keeps its free-list link: after the debug header's
// fields in debug builds, at the slot's start otherwise.
void*& next_of(void* slot) {
    auto* bytes = static_cast<uint8_t*>(slot);
    return *reinterpret_cast<void**>(Heap::kDebug ? bytes + 8 : bytes);
}
}  // namespace

// Everything the inline allocate() does not serve: debug builds, an empty
// list, large or aligned blocks, bad alignments.
void* Heap::allocate_slow(size_t size, size_t alignment) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) return nullptr;
    if (size == 0) size = 1;
    if (alignment <= kDefaultAlignment && size <= kMaxSmall - kDebugOverhead) {
        size_t slot_bytes = size + kDebugOverhead;
        return allocate_small(kClassBySteps[(slot_bytes + 15) / 16], size);
    }
    return allocate_large(size, alignment);
}

Heap::FreeList* Heap::list_for(CpuState& state, unsigned size_class) {
#if defined(HOST_TEST)
    static unsigned next_host_cpu = 0;
    if (__builtin_expect(state.cpu == ~0u, 0))
        state.cpu = host_cpu_ = __atomic_fetch_add(&next_host_cpu, 1, __ATOMIC_RELAXED);
#endif
    return state.cpu < cache_cpus_ ? &caches_[state.cpu].lists[size_class] : nullptr;
}

lib::Expected<void> Heap::set_cpu_count(uint32_t cpus) {
    if (cpus <= cache_cpus_) return {};
    uint64_t pages = (uint64_t(cpus) * sizeof(CpuCache) + kPageSize - 1) >> kPageShift;
    uint64_t physical = TRY(frames_->allocate_run(pages, kPageSize, Zeroing::kYes, FrameOwner::kHeap));
    auto* caches = frames_->window().at<CpuCache>(physical);
    // Interrupts off: a handler on this CPU must not use CPU 0's lists while
    // they move.
    CpuState state = enter_cpu();
    caches[0] = caches_[0];
    __atomic_store_n(&caches_, caches, __ATOMIC_RELEASE);
    __atomic_store_n(&cache_cpus_, cpus, __ATOMIC_RELEASE);
    leave_cpu(state);
    return {};
}

// Takes one slot out of the class's slabs (a new slab if none has room).
uint8_t* Heap::take_slot_locked(SizeClass& cls, unsigned size_class) {
    Slab* slab = cls.partial;
    if (!slab) {
        slab = new_slab(size_class);
        if (!slab) return nullptr;
        cls.partial = slab;
        ++cls.empty_slabs;
    }
    if (slab->in_use == 0) --cls.empty_slabs;
    uint8_t* slot;
    if (slab->free_list) {
        slot = static_cast<uint8_t*>(slab->free_list);
        slab->free_list = next_of(slot);
    } else {
        slot = slab->bump;
        slab->bump += kClassSizes[size_class];
        // Fresh memory: make sure no stale header reads as "freed" (debug).
        if (kDebug) reinterpret_cast<BlockHeader*>(slot)->state = 0;
    }
    ++slab->in_use;
    ++cls.taken_slots;
    if (!slab->free_list && slab->bump + kClassSizes[size_class] > slab->end) {
        // Full: off the partial list until a slot comes back.
        cls.partial = slab->next;
        if (slab->next) slab->next->prev = nullptr;
        slab->next = slab->prev = nullptr;
    }
    return slot;
}

// Out of line: keeps the fast paths small (no spills for the slow path).
[[gnu::noinline]] bool Heap::refill(unsigned size_class, Chain& chain) {
    SizeClass& cls = classes_[size_class];
    ksync::Guard guard(cls.lock);
    while (chain.count < kCacheLimits.slots[size_class] / 2u) {
        uint8_t* slot = take_slot_locked(cls, size_class);
        if (!slot) break;
        next_of(slot) = chain.head;
        chain.head = slot;
        ++chain.count;
    }
    return chain.head != nullptr;
}

void* Heap::allocate_small(unsigned size_class, size_t size) {
    uint8_t* slot;
    {
        CpuState state = enter_cpu();
        FreeList* list = list_for(state, size_class);
        if (list) {
            if (!list->take.head) {
                if (list->put.head) {
                    list->take = list->put;
                    list->put = Chain{};
                } else if (!refill(size_class, list->take)) {
                    leave_cpu(state);
                    return nullptr;
                }
            }
            slot = static_cast<uint8_t*>(list->take.head);
            list->take.head = next_of(slot);
            --list->take.count;
        } else {
            SizeClass& cls = classes_[size_class];
            ksync::Guard guard(cls.lock);
            slot = take_slot_locked(cls, size_class);
        }
        leave_cpu(state);
        if (!slot) return nullptr;
    }
    if constexpr (!kDebug) {
        return slot;
    } else {
        auto* header = reinterpret_cast<BlockHeader*>(slot);
        uint8_t* user = slot + kBlockHeaderBytes;
        if (header->state == kBlockFreed) {
            // A freed slot is poisoned from the user bytes to the slot's end.
            for (size_t i = 0; i < kClassSizes[size_class] - kBlockHeaderBytes; ++i)
                if (user[i] != kPoison) PANIC("heap: block {} was written after it was freed (byte {})", user, i);
        }
        header->state = kBlockLive;
        header->requested = uint32_t(size);
        header->next_free = nullptr;
        write_canary(user + size);
        return user;
    }
}

Heap::Slab* Heap::new_slab(unsigned size_class) {
    static_assert(sizeof(Slab) <= kHeaderBytes);
    auto page = frames_->allocate(Zeroing::kNo, FrameOwner::kHeap);
    if (!page) return nullptr;
    __atomic_add_fetch(&slab_pages_, 1, __ATOMIC_RELAXED);
    auto* base = frames_->window().at<uint8_t>(*page);
    auto* slab = reinterpret_cast<Slab*>(base);
    size_t slot = kClassSizes[size_class];
    slab->magic = kSlabMagic;
    slab->size_class = uint16_t(size_class);
    slab->in_use = 0;
    slab->free_list = nullptr;
    slab->bump = base + kHeaderBytes;
    slab->end = base + kHeaderBytes + (kSlabBytes - kHeaderBytes) / slot * slot;
    slab->next = slab->prev = nullptr;
    return slab;
}

void Heap::release_slab(Slab* slab) {
    slab->magic = 0;
    frames_->free(frames_->window().to_physical(slab));
    __atomic_sub_fetch(&slab_pages_, 1, __ATOMIC_RELAXED);
}

void* Heap::allocate_large(size_t size, size_t alignment) {
    static_assert(sizeof(LargeBlock) <= kHeaderBytes);
    if (size > (1ULL << 40)) return nullptr;
    size_t data_bytes = size + (kDebug ? kCanaryBytes : 0);
    uint64_t header_physical, run_physical, run_pages;
    uint8_t* user;
    if (alignment <= kHeaderBytes) {
        // Header and data share the first page.
        run_pages = align_up(kHeaderBytes + data_bytes, kPageSize) >> kPageShift;
        auto run = frames_->allocate_run(run_pages, kPageSize, Zeroing::kNo, FrameOwner::kHeap);
        if (!run) return nullptr;
        run_physical = header_physical = *run;
        user = frames_->window().at<uint8_t>(*run) + kHeaderBytes;
    } else {
        // The header gets the page just before the aligned data.
        uint64_t data_pages = align_up(data_bytes, kPageSize) >> kPageShift;
        uint64_t lead_pages = alignment <= kPageSize ? 1 : alignment >> kPageShift;
        auto run = frames_->allocate_run(lead_pages + data_pages, lead_pages == 1 ? kPageSize : alignment, Zeroing::kNo,
                                         FrameOwner::kHeap);
        if (!run) return nullptr;
        header_physical = *run + ((lead_pages - 1) << kPageShift);
        if (lead_pages > 1) frames_->free_run(*run, lead_pages - 1);  // not needed: only the header page
        run_physical = header_physical;
        run_pages = 1 + data_pages;
        user = frames_->window().at<uint8_t>(header_physical + kPageSize);
    }
    auto* block = frames_->window().at<LargeBlock>(header_physical);
    block->magic = kLargeMagic;
    block->freed_marker = 0;
    block->first_physical = run_physical;
    block->pages = run_pages;
    block->requested = size;
    block->capacity = (run_pages << kPageShift) - (frames_->window().to_physical(user) - run_physical);
    if (kDebug) {
        block->capacity = size;
        write_canary(user + size);
    }
    __atomic_add_fetch(&large_pages_, run_pages, __ATOMIC_RELAXED);
    __atomic_add_fetch(&live_large_blocks_, 1, __ATOMIC_RELAXED);
    return user;
}

void Heap::free_slow(void* pointer) {
    if (!pointer) return;
    auto address = reinterpret_cast<uintptr_t>(pointer);
    auto* header = reinterpret_cast<uint32_t*>(align_down(address - 1, kPageSize));
    if (*header == kSlabMagic)
        free_small(reinterpret_cast<Slab*>(header), pointer);
    else if (*header == kLargeMagic)
        free_large(reinterpret_cast<LargeBlock*>(header), pointer);
    else if (reinterpret_cast<LargeBlock*>(header)->freed_marker == kLargeFreed)
        PANIC("heap: double free of large block {}", pointer);
    else
        PANIC("heap: free of {}, which the heap did not hand out", pointer);
}

void Heap::free_small(Slab* slab, void* pointer) {
    unsigned size_class = slab->size_class;
    auto* slot = static_cast<uint8_t*>(pointer) - (kDebug ? kBlockHeaderBytes : 0);
    if constexpr (kDebug) {
        size_t slot_bytes = kClassSizes[size_class];
        auto* base = reinterpret_cast<uint8_t*>(slab);
        size_t offset = size_t(slot - base);
        if (offset < kHeaderBytes || (offset - kHeaderBytes) % slot_bytes != 0 || slot >= slab->bump)
            PANIC("heap: free of {}, which is not the start of a block", pointer);
        auto* header = reinterpret_cast<BlockHeader*>(slot);
        if (header->state == kBlockFreed) PANIC("heap: double free of {}", pointer);
        if (header->state != kBlockLive)
            PANIC("heap: block {} has a damaged header (underrun of the block before it?)", pointer);
        auto* user = static_cast<uint8_t*>(pointer);
        if (!canary_intact(user + header->requested))
            PANIC("heap: overrun past the end of block {} ({} bytes asked for)", pointer, header->requested);
        header->state = kBlockFreed;
        __builtin_memset(user, kPoison, slot_bytes - kBlockHeaderBytes);
    }
    CpuState state = enter_cpu();
    FreeList* list = list_for(state, size_class);
    if (!list) {
        SizeClass& cls = classes_[size_class];
        {
            ksync::Guard guard(cls.lock);
            return_slot_locked(cls, size_class, slot);
        }
        leave_cpu(state);
        return;
    }
    // Debug builds hand a freed slot out again first (one LIFO chain), so a
    // write after free shows at the next allocation of its class.
    Chain& put = kDebug ? list->take : list->put;
    if (put.count >= kCacheLimits.slots[size_class]) flush(size_class, put, kCacheLimits.slots[size_class] / 2u);
    next_of(slot) = put.head;
    put.head = slot;
    ++put.count;
    leave_cpu(state);
}

// Gives all but the first `keep` slots of a chain (the most recently freed,
// likeliest to be in the cache still) back to their slabs.
[[gnu::noinline]] void Heap::flush(unsigned size_class, Chain& chain, uint32_t keep) {
    if (chain.count <= keep) return;
    void* last_kept = nullptr;
    void* slot = chain.head;
    for (uint32_t i = 0; i < keep; ++i) {
        last_kept = slot;
        slot = next_of(slot);
    }
    if (last_kept)
        next_of(last_kept) = nullptr;
    else
        chain.head = nullptr;
    chain.count = keep;
    SizeClass& cls = classes_[size_class];
    ksync::Guard guard(cls.lock);
    while (slot) {
        void* next = next_of(slot);
        return_slot_locked(cls, size_class, static_cast<uint8_t*>(slot));
        slot = next;
    }
}

void Heap::return_slot_locked(SizeClass& cls, unsigned size_class, uint8_t* slot) {
    auto* slab = reinterpret_cast<Slab*>(align_down(reinterpret_cast<uintptr_t>(slot), kPageSize));
    size_t slot_bytes = kClassSizes[size_class];
    bool was_full = !slab->free_list && slab->bump + slot_bytes > slab->end;
    next_of(slot) = slab->free_list;
    slab->free_list = slot;
    --slab->in_use;
    --cls.taken_slots;
    if (was_full) {
        slab->prev = nullptr;
        slab->next = cls.partial;
        if (cls.partial) cls.partial->prev = slab;
        cls.partial = slab;
    }
    if (slab->in_use == 0) {
        if (cls.empty_slabs >= 1) {
            if (slab->prev)
                slab->prev->next = slab->next;
            else
                cls.partial = slab->next;
            if (slab->next) slab->next->prev = slab->prev;
            release_slab(slab);  // lock order: class lock, then the frame allocator's
        } else {
            ++cls.empty_slabs;
        }
    }
}

void Heap::free_large(LargeBlock* block, void* pointer) {
    if constexpr (kDebug) {
        if (!canary_intact(static_cast<uint8_t*>(pointer) + block->requested))
            PANIC("heap: overrun past the end of block {} ({} bytes asked for)", pointer, block->requested);
    }
    uint64_t first = block->first_physical, pages = block->pages;
    block->magic = 0;
    block->freed_marker = kLargeFreed;
    __atomic_sub_fetch(&large_pages_, pages, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&live_large_blocks_, 1, __ATOMIC_RELAXED);
    frames_->free_run(first, pages);
}

size_t Heap::usable_size(const void* pointer) const {
    auto address = reinterpret_cast<uintptr_t>(pointer);
    auto* header = reinterpret_cast<const uint32_t*>(align_down(address - 1, kPageSize));
    if (*header == kSlabMagic) {
        if constexpr (kDebug) return reinterpret_cast<const BlockHeader*>(address - kBlockHeaderBytes)->requested;
        return kClassSizes[reinterpret_cast<const Slab*>(header)->size_class];
    }
    if (*header == kLargeMagic) return reinterpret_cast<const LargeBlock*>(header)->capacity;
    PANIC("heap: usable_size of {}, which the heap did not hand out", pointer);
}

void* Heap::allocate_zeroed(size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) return nullptr;
    void* pointer = allocate(total);
    if (pointer) __builtin_memset(pointer, 0, total);
    return pointer;
}

void* Heap::reallocate(void* pointer, size_t size) {
    if (!pointer) return allocate(size);
    if (size == 0) {
        free(pointer);
        return nullptr;
    }
    size_t old_size = usable_size(pointer);
    // In debug builds the canary sits right after the requested bytes, so a
    // block never grows in place there.
    if (!kDebug && size <= old_size) return pointer;
    void* moved = allocate(size);
    if (!moved) return nullptr;  // the old block stays valid, as with realloc
    __builtin_memcpy(moved, pointer, old_size < size ? old_size : size);
    free(pointer);
    return moved;
}

HeapStats Heap::stats() const {
    HeapStats stats;
    stats.slab_pages = __atomic_load_n(&slab_pages_, __ATOMIC_RELAXED);
    stats.large_pages = __atomic_load_n(&large_pages_, __ATOMIC_RELAXED);
    stats.live_blocks = __atomic_load_n(&live_large_blocks_, __ATOMIC_RELAXED);
    // Racy sums (statistics only): slots taken from slabs minus those held
    // in the CPUs' lists.
    for (const SizeClass& cls : classes_) stats.live_blocks += __atomic_load_n(&cls.taken_slots, __ATOMIC_RELAXED);
    for (uint32_t cpu = 0; cpu < __atomic_load_n(&cache_cpus_, __ATOMIC_ACQUIRE); ++cpu)
        for (const FreeList& list : caches_[cpu].lists)
            stats.live_blocks -= __atomic_load_n(&list.take.count, __ATOMIC_RELAXED) +
                                 __atomic_load_n(&list.put.count, __ATOMIC_RELAXED);
    return stats;
}

void Heap::trim() {
    {
        CpuState state = enter_cpu();
        for (unsigned size_class = 0; size_class < kClassCount; ++size_class)
            if (FreeList* list = list_for(state, size_class)) {
                flush(size_class, list->take, 0);
                flush(size_class, list->put, 0);
            }
        leave_cpu(state);
    }
    for (SizeClass& cls : classes_) {
        for (;;) {
            Slab* empty = nullptr;
            {
                ksync::Guard guard(cls.lock);
                for (Slab* slab = cls.partial; slab; slab = slab->next) {
                    if (slab->in_use == 0) {
                        empty = slab;
                        break;
                    }
                }
                if (!empty) break;
                if (empty->prev)
                    empty->prev->next = empty->next;
                else
                    cls.partial = empty->next;
                if (empty->next) empty->next->prev = empty->prev;
                --cls.empty_slabs;
            }
            release_slab(empty);
        }
    }
}

}  // namespace mm
