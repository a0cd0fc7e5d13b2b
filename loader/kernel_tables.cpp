// Why the HHDM can be planned from the memory map of this moment although
// the map is final only at ExitBootServices: above 4 GiB the HHDM maps every
// range except RESERVED and BAD_MEMORY, and what changes between now and the
// exit are only allocations (ours: page tables, done here, the last thing
// before exiting), which turn free memory into loader memory. Both kinds are
// mapped, so the union of mapped ranges stays the same; no allocation turns
// memory into RESERVED. Memory below 4 GiB is mapped whole anyway.
#include "loader/kernel_tables.hpp"

#include "lib/utility.hpp"
#include "loader/core/memmap.hpp"
#include "loader/cpu.hpp"
#include "loader/paging.hpp"
#include "loader/uefi.hpp"

namespace loader {
namespace {

using lib::Error;
using lib::ErrorCode;
using paging::kPageSize;

// Table pages come from blocks of reclaimable pages, so that a big HHDM does
// not cost one AllocatePages call (and one map descriptor) per table.
struct TablePool {
    uint64_t next = 0;
    uint64_t end = 0;
};
constexpr uint64_t kPoolBlockPages = 64;

uint64_t allocate_table(void* context) {
    auto* pool = static_cast<TablePool*>(context);
    if (pool->next == pool->end) {
        auto block = uefi::allocate_pages(kPoolBlockPages, kEfiLoaderReclaimable, "out of memory for page tables",
                                          paging::k4GiB);
        if (!block) return 0;
        pool->next = *block;
        pool->end = *block + kPoolBlockPages * kPageSize;
    }
    uint64_t page = pool->next;
    pool->next += kPageSize;
    return page;  // zeroed by allocate_pages
}

uint64_t* access_table(void*, uint64_t physical) {
    return reinterpret_cast<uint64_t*>(physical);
}

// The memory map of this moment, converted to Limine types.
struct CurrentMap {
    paging::PhysicalRange* ranges;
    size_t count;
};

lib::Expected<CurrentMap> current_memory_map(uint64_t base_revision) {
    efi::BootServices* bs = uefi::boot_services();
    uint64_t size = 0, key = 0, descriptor_size = 0;
    uint32_t version = 0;
    bs->get_memory_map(&size, nullptr, &key, &descriptor_size, &version);
    if (descriptor_size < sizeof(EfiMemoryDescriptor))
        return Error::make(ErrorCode::kEIO, "the firmware's memory map has a bad descriptor size");
    uint64_t capacity = size + 16 * descriptor_size;
    uint64_t buffer = TRY(uefi::allocate_pages(lib::align_up(capacity, kPageSize) / kPageSize, kEfiLoaderData,
                                               "out of memory for a memory map copy"));
    size = capacity;
    if (efi::is_error(bs->get_memory_map(&size, reinterpret_cast<void*>(buffer), &key, &descriptor_size, &version)))
        return Error::make(ErrorCode::kEIO, "GetMemoryMap failed");
    uint64_t entries = size / descriptor_size + 8;
    auto* converted = static_cast<MemoryRange*>(reinterpret_cast<void*>(
        TRY(uefi::allocate_pages(lib::align_up(entries * sizeof(MemoryRange), kPageSize) / kPageSize, kEfiLoaderData,
                                 "out of memory for a memory map copy"))));
    size_t count = TRY(convert_memory_map(lib::Bytes(reinterpret_cast<const uint8_t*>(buffer), size), descriptor_size,
                                          {}, converted, entries, MemmapRules{base_revision}));
    static_assert(sizeof(MemoryRange) == sizeof(paging::PhysicalRange));
    return CurrentMap{reinterpret_cast<paging::PhysicalRange*>(converted), count};
}

lib::Expected<void> map_kernel(paging::PageTableBuilder& builder, const KernelTablesInput& input) {
    const LoadPlan& plan = *input.plan;
    // Page by page, so that two segments sharing a page get the union of
    // their permissions rather than a conflict; pages no segment covers stay
    // unmapped.
    for (uint64_t offset = 0; offset < plan.image_size; offset += kPageSize) {
        uint64_t page = plan.virtual_base + offset;
        bool covered = false;
        paging::MapFlags flags;
        for (size_t i = 0; i < plan.segment_count; ++i) {
            const LoadSegment& segment = plan.segments[i];
            if (page < segment.virtual_address || page - segment.virtual_address >= segment.memory_size) continue;
            covered = true;
            flags.writable |= (segment.flags & kSegmentWrite) != 0;
            flags.executable |= (segment.flags & kSegmentExecute) != 0;
        }
        if (covered) TRY(builder.map_small(page, input.kernel_physical + offset, kPageSize, flags));
    }
    return {};
}

lib::Expected<void> map_identity_page(paging::PageTableBuilder& builder, uint64_t page, paging::MapFlags flags) {
    if (builder.translate(page).has_value()) return {};  // already there (shared page)
    return builder.map_small(page, page, kPageSize, flags);
}

}  // namespace

lib::Expected<uint64_t> build_kernel_tables(const KernelTablesInput& input) {
    static TablePool pool;
    paging::PageTableMemory memory{&allocate_table, &access_table, &pool};
    auto builder = TRY(paging::PageTableBuilder::create(memory, input.levels, cpu::has_1gib_pages(), input.nx));

    TRY(map_kernel(builder, input));

    CurrentMap map = TRY(current_memory_map(input.base_revision));
    constexpr size_t kExtraRanges = 8;
    size_t capacity = map.count + kExtraRanges;
    auto* hhdm = static_cast<paging::HhdmRange*>(reinterpret_cast<void*>(
        TRY(uefi::allocate_pages(lib::align_up(capacity * sizeof(paging::HhdmRange), kPageSize) / kPageSize,
                                 kEfiLoaderData, "out of memory for the HHDM plan"))));
    size_t hhdm_count =
        TRY(paging::plan_hhdm(lib::Span<const paging::PhysicalRange>(map.ranges, map.count), input.framebuffer_base,
                              input.framebuffer_size, hhdm, capacity, input.base_revision));
    for (size_t i = 0; i < hhdm_count; ++i) {
        // Facts sheet §2: the HHDM is read/write/execute, supervisor.
        paging::MapFlags flags{true, true, hhdm[i].cache};
        TRY(builder.map(input.hhdm_offset + hhdm[i].base, hhdm[i].base, hhdm[i].length, flags));
    }

    // Base revision 0 promised an identity map from 0x1000 to 4 GiB and of
    // every memory-map region above (docs/limine-protocol.md §7): the same
    // ranges as its HHDM, at their own addresses, page 0 left out.
    if (input.base_revision == 0) {
        for (size_t i = 0; i < hhdm_count; ++i) {
            uint64_t base = hhdm[i].base < kPageSize ? kPageSize : hhdm[i].base;
            uint64_t end = hhdm[i].base + hhdm[i].length;
            if (end <= base) continue;
            TRY(builder.map(base, base, end - base, paging::MapFlags{true, true, hhdm[i].cache}));
        }
    }

    // Identity pages: the hand-off code (it runs across the CR3 switch) and
    // the SMP trampoline (APs turn paging on with the kernel's tables there).
    if (input.trampoline) TRY(map_identity_page(builder, input.trampoline, paging::MapFlags{true, true}));
    TRY(map_identity_page(builder, input.state_page, paging::MapFlags{true, false}));
    TRY(map_identity_page(builder, input.handoff_code, paging::MapFlags{false, true}));
    return builder.root();
}

}  // namespace loader
