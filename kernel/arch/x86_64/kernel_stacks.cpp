// The registry of known kernel stacks and the temporary guard-page switch;
// see kernel_stacks.hpp.
#include "kernel/arch/x86_64/kernel_stacks.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/sync/spinlock.hpp"

namespace arch {
namespace {

// Read by fault handlers without the lock (a handler must never wait for
// it): entries are written whole before their `top` is raised, a chunk is
// zeroed before the count that publishes it is raised, and no chunk is ever
// freed, so a reader sees only whole entries of live memory.
struct Chunk {
    KnownStack stacks[kKnownStacksPerChunk];
};
Chunk g_first_chunk;
Chunk* g_chunks[kMaxKnownStackChunks] = {&g_first_chunk};
size_t g_chunk_count = 1;  // written under the lock, read with acquire
void* (*g_allocate)(size_t) = nullptr;
ksync::Spinlock g_stacks_lock;

size_t chunk_count() { return __atomic_load_n(&g_chunk_count, __ATOMIC_ACQUIRE); }

bool take_free_slot(uint64_t bottom, uint64_t top, const char* name) {
    for (size_t c = 0; c < g_chunk_count; ++c) {
        for (KnownStack& slot : g_chunks[c]->stacks) {
            if (slot.top != 0) continue;
            slot.bottom = bottom;
            slot.name = name;
            __atomic_store_n(&slot.top, top, __ATOMIC_RELEASE);
            return true;
        }
    }
    return false;
}

}  // namespace

void set_known_stack_allocator(void* (*allocate)(size_t bytes)) { g_allocate = allocate; }

lib::Expected<void> register_kernel_stack(uint64_t bottom, uint64_t top, const char* name) {
    constexpr lib::Error kFull = lib::Error::make(lib::Errno::kENOMEM, "the table of known kernel stacks is full");
    for (;;) {
        {
            ksync::Guard guard(g_stacks_lock);
            if (take_free_slot(bottom, top, name)) return {};
            if (g_chunk_count == kMaxKnownStackChunks || !g_allocate) return kFull;
        }
        // A new chunk, allocated with no lock held (the heap may wait for
        // other CPUs); two CPUs growing at once both add theirs.
        auto* chunk = static_cast<Chunk*>(g_allocate(sizeof(Chunk)));
        if (!chunk) return lib::Error::make(lib::Errno::kENOMEM, "no memory for more known kernel stacks");
        for (KnownStack& slot : chunk->stacks) slot = KnownStack{};
        ksync::Guard guard(g_stacks_lock);
        if (g_chunk_count == kMaxKnownStackChunks) return kFull;  // the chunk is kept: rare, and never reached
        g_chunks[g_chunk_count] = chunk;
        __atomic_store_n(&g_chunk_count, g_chunk_count + 1, __ATOMIC_RELEASE);
    }
}

void unregister_kernel_stack(uint64_t bottom) {
    ksync::Guard guard(g_stacks_lock);
    for (size_t c = 0; c < g_chunk_count; ++c)
        for (KnownStack& slot : g_chunks[c]->stacks)
            if (slot.top != 0 && slot.bottom == bottom) __atomic_store_n(&slot.top, 0, __ATOMIC_RELEASE);
}

const KnownStack* overflowed_stack(uint64_t rsp, uint64_t cr2) {
    const KnownStack* by_rsp = nullptr;
    bool rsp_inside_a_stack = false;
    const size_t chunks = chunk_count();
    for (size_t c = 0; c < chunks; ++c) {
        for (const KnownStack& slot : g_chunks[c]->stacks) {
            uint64_t top = __atomic_load_n(&slot.top, __ATOMIC_ACQUIRE);
            if (top == 0) continue;
            OverflowEvidence evidence = overflow_evidence(slot, rsp, cr2);
            if (evidence == OverflowEvidence::kCr2InGuardPage) return &slot;
            if (evidence == OverflowEvidence::kRspAtBottom && by_rsp == nullptr)
                by_rsp = &slot;
            else if (rsp >= slot.bottom && rsp < top)
                rsp_inside_a_stack = true;
        }
    }
    return rsp_inside_a_stack ? nullptr : by_rsp;
}

// The live tables, read through the physical map (init.hpp).
lib::Expected<void> set_kernel_page_present(uint64_t page, bool present) {
    constexpr lib::Error kNotASmallPage =
        lib::Error::make(lib::ErrorCode::kEINVAL, "not a 4 KiB page of the kernel's page tables");
    uint64_t offset = physical_map_offset();
    if (offset == 0 || (page & (x86_64::paging::kPageSize - 1)) != 0) return kNotASmallPage;
    x86_64::paging::Walk walk = x86_64::paging::walk(read_cr3(), page, paging_levels(), [offset](uint64_t table) {
        return reinterpret_cast<uint64_t*>(table + offset);
    });
    // Only a 4 KiB entry, present or made not present by us: such an entry
    // keeps its frame address, so it can be made present again as it was.
    bool small_page = walk.present ? walk.level == 0 : walk.missing_level == 0;
    if (!small_page || (walk.entry & pte::kAddressMask) == 0) return kNotASmallPage;
    volatile uint64_t* entry = walk.entry_pointer;
    *entry = present ? (walk.entry | pte::kPresent) : (walk.entry & ~pte::kPresent);
    invlpg(page);
    return {};
}

}  // namespace arch
