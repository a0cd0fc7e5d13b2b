// mm::init and the kernel's live page tables (see mm.hpp).
#include "kernel/mm/mm.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/mm/direct_map.hpp"
#include "lib/placement_new.hpp"

extern "C" char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[], __kernel_end[];

namespace mm {
namespace {

constexpr uint64_t kMiB = 1ULL << 20;
// Kernel stacks live in PML4 slot 510, away from the HHDM and the image.
constexpr uint64_t kStackAreaStart = 0xffffff0000000000ULL;
constexpr uint64_t kStackAreaEnd = 0xffffff8000000000ULL;

FrameAllocator g_frames;
Heap g_heap;
alignas(PageMapper) uint8_t g_mapper_storage[sizeof(PageMapper)];
PageMapper* g_mapper = nullptr;
ksync::Spinlock g_mapper_lock;
PagingFeatures g_features;
const boot::BootInfo* g_info = nullptr;
uint64_t g_next_stack = kStackAreaStart;
// Address ranges of freed stacks (guard page included), reused by the next
// stack of the same size: a thread that comes and goes then finds the page
// tables of its range still there, instead of every new stack taking fresh
// addresses and, every 2 MiB, a fresh page table that kernel-half tables
// never give back (a million threads' create/exit would otherwise pin
// about 130 MiB of tables). Recorded once the pages are unmapped and the
// TLBs flushed; a range that does not fit in the table is only addresses
// lost, not memory.
struct FreeStackRange {
    uint64_t base = 0;
    uint64_t size = 0;
};
constexpr size_t kMaxFreeStackRanges = 1024;
FreeStackRange g_free_stack_ranges[kMaxFreeStackRanges];
size_t g_free_stack_range_count = 0;
ksync::Spinlock g_free_stack_ranges_lock;  // inside the mapper lock when both are held

// The base of a freed range of exactly `size` bytes, or 0.
uint64_t reuse_stack_range(uint64_t size) {
    ksync::Guard guard(g_free_stack_ranges_lock);
    for (size_t i = g_free_stack_range_count; i-- > 0;) {
        if (g_free_stack_ranges[i].size != size) continue;
        uint64_t base = g_free_stack_ranges[i].base;
        g_free_stack_ranges[i] = g_free_stack_ranges[--g_free_stack_range_count];
        return base;
    }
    return 0;
}

void remember_stack_range(uint64_t base, uint64_t size) {
    ksync::Guard guard(g_free_stack_ranges_lock);
    if (g_free_stack_range_count < kMaxFreeStackRanges) g_free_stack_ranges[g_free_stack_range_count++] = {base, size};
}

void (*g_remote_tlb_flush)(const TlbBatch& batch) = nullptr;

// One change of the live page tables. While the mapper lock is held, the
// mapper's hooks collect what the change made stale: translations (a TLB
// batch) and emptied page tables. finish() then, without the lock, drops the
// translations on this CPU and on every other one (the shootdown), and only
// after that frees the tables: until then another CPU's paging-structure
// cache may still lead a walk into them (SDM Vol. 3A §4.10.3, §4.10.4).
// Callers free the frames they unmapped only after finish() returned.
class TableChange {
public:
    TlbBatch batch;

    void add_table(uint64_t table) {
        // Linked through each table's entry 0: a page-aligned address, bit 0
        // (present) clear, so a stale walk still finds nothing there.
        *PhysicalWindow(g_info->hhdm_offset).at<uint64_t>(table) = tables_;
        tables_ = table;
    }

    void finish() {
        if (!batch.empty()) {
            batch.apply([](uint64_t virt) { arch::invlpg(virt); }, [] { arch::flush_tlb_all(); });
            if (auto remote = __atomic_load_n(&g_remote_tlb_flush, __ATOMIC_ACQUIRE)) remote(batch);
        }
        while (tables_ != 0) {
            uint64_t table = tables_;
            tables_ = *PhysicalWindow(g_info->hhdm_offset).at<uint64_t>(table);
            g_frames.free(table);
        }
    }

private:
    uint64_t tables_ = 0;  // physical address of the first, 0 = none
};
TableChange* g_change = nullptr;  // the change in progress (mapper lock held)

void invalidate_page(uint64_t virt) {
    if (g_change)
        g_change->batch.add(virt);
    else
        arch::invlpg(virt);
}
void flush_all() {
    if (g_change)
        g_change->batch.set_full();
    else
        arch::flush_tlb_all();
}
void release_table(uint64_t table) {
    if (g_change)
        g_change->add_table(table);
    else
        g_frames.free(table);
}

// The mapper lock, with `change` collecting what the mapper makes stale.
class MapperSession {
public:
    explicit MapperSession(TableChange& change) : guard_(g_mapper_lock) { g_change = &change; }
    ~MapperSession() { g_change = nullptr; }  // before the lock goes
    MapperSession(const MapperSession&) = delete;
    MapperSession& operator=(const MapperSession&) = delete;

private:
    ksync::Guard<ksync::Spinlock> guard_;
};

PagingFeatures detect_features() {
    PagingFeatures features;
    features.no_execute = (arch::rdmsr(arch::msr::kEfer) & arch::efer::kNoExecuteEnable) != 0;
    features.huge_1g = arch::has(arch::feature::kPage1GiB);
    features.global = arch::has(arch::feature::kPageGlobal);
    return features;
}

template <typename T>
T must(lib::Expected<T> result, const char* what) {
    if (!result) PANIC("mm: {}: {}", what, result.error().message);
    return result.release_value();
}
void must(lib::Expected<void> result, const char* what) {
    if (!result) PANIC("mm: {}: {}", what, result.error().message);
}

// The kernel's HHDM (direct_map.hpp says what it holds and why), at the
// loader's offset so every pointer the kernel took from BootInfo stays valid.
void map_direct_map(PageMapper& mapper, const boot::BootInfo& info) {
    constexpr PageFlags kHhdmFlags{.writable = true, .executable = false, .global = true};
    PhysicalRange framebuffer;
    if (info.has_framebuffer) {
        const auto& fb = info.framebuffer;
        framebuffer = {align_down(fb.physical, kPageSize),
                       align_up(fb.physical + uint64_t(fb.pitch) * fb.height, kPageSize)};
    }
    // Each region gives at most two ranges (the framebuffer cut out of it).
    static PhysicalRange ranges[2 * boot::kMaxMemoryRegions];
    size_t count = direct_map_ranges(lib::Span<const boot::MemoryRegion>(info.memory, info.memory_count), framebuffer,
                                     ranges, 2 * boot::kMaxMemoryRegions);
    for (size_t i = 0; i < count; ++i)
        must(mapper.map_range(info.hhdm_offset + ranges[i].base, ranges[i].base, ranges[i].end - ranges[i].base,
                              kHhdmFlags),
             "map HHDM");
    if (info.has_framebuffer) {
        // PAT5 = WC as the loader programmed it; keeps the console's pointer valid.
        constexpr PageFlags kFramebufferFlags{
            .writable = true, .executable = false, .global = true, .cache = CacheType::kWriteCombining};
        uint64_t virt = align_down(reinterpret_cast<uint64_t>(info.framebuffer.address), kPageSize);
        must(mapper.map_range(virt, framebuffer.base, framebuffer.end - framebuffer.base, kFramebufferFlags),
             "map framebuffer");
    }
}

// The probe of direct_map.hpp over the live (the loader's) tables: a run of
// pages mapped at HHDM + physical, writable, to that physical address, or a
// run of pages that are not; a missing entry skips all that it would cover.
uint64_t loader_map_run_end(uint64_t physical, uint64_t end, bool& mapped, void* context) {
    uint64_t hhdm = *static_cast<const uint64_t*>(context);
    unsigned levels = arch::paging_levels();
    auto table_at = [hhdm](uint64_t table) { return reinterpret_cast<uint64_t*>(table + hhdm); };
    bool first = true;
    while (physical < end) {
        uint64_t virt = hhdm + physical;
        x86_64::paging::Walk walk = x86_64::paging::walk(arch::read_cr3(), virt, levels, table_at);
        bool here = walk.present && walk.writable && walk.physical == physical;
        if (first)
            mapped = here;
        else if (here != mapped)
            break;
        first = false;
        uint64_t size = walk.present ? walk.page_size : x86_64::paging::level_coverage(unsigned(walk.missing_level));
        uint64_t step = size - (virt & (size - 1));
        physical = end - physical <= step ? end : physical + step;
    }
    return physical;
}

// W^X for the image (SDM §4.6: NX needs EFER.NXE, which the loader set).
void map_kernel_image(PageMapper& mapper, const boot::BootInfo& info) {
    auto map_section = [&](const char* start, const char* end, PageFlags flags, const char* what) {
        uint64_t virt = align_down(reinterpret_cast<uint64_t>(start), kPageSize);
        uint64_t length = align_up(reinterpret_cast<uint64_t>(end), kPageSize) - virt;
        uint64_t physical = info.kernel_physical_base + (virt - info.kernel_virtual_base);
        must(mapper.map_range(virt, physical, length, flags, PageSize::k4KiB), what);
    };
    map_section(__text_start, __text_end, {.executable = true, .global = true}, "map kernel text");
    map_section(__rodata_start, __rodata_end, {.global = true}, "map kernel rodata");
    map_section(__data_start, __kernel_end, {.writable = true, .global = true}, "map kernel data");
}

uint64_t mib(uint64_t bytes) {
    return bytes / kMiB;
}

}  // namespace

void init(const boot::BootInfo& info) {
    ASSERT(!g_mapper);
    g_info = &info;
    // Until CR3 switches, the frame allocator and the mapper write through
    // the loader's HHDM: only the usable memory it really maps is used now.
    static boot::MemoryRegion early_map[2 * boot::kMaxMemoryRegions];
    static PhysicalRange later[64];
    uint64_t hhdm = info.hhdm_offset;
    EarlyMemoryMap early = split_by_loader_map(lib::Span<const boot::MemoryRegion>(info.memory, info.memory_count),
                                               LoaderMapProbe{&loader_map_run_end, &hhdm}, early_map,
                                               2 * boot::kMaxMemoryRegions, later, 64);
    must(g_frames.init(lib::Span<const boot::MemoryRegion>(early_map, early.region_count), PhysicalWindow(hhdm)),
         "frame allocator");

    g_features = detect_features();
    uint64_t root = must(PageMapper::create_root(g_frames), "page table root");
    g_mapper = new (g_mapper_storage) PageMapper(PhysicalWindow(hhdm), g_frames, root, g_features);
    uint64_t free_before_tables = g_frames.free_frames();
    // The kernel half's 256 top-level entries, once (1 MiB of PDPTs): every
    // address space copies them and so sees every later kernel mapping.
    must(g_mapper->populate_kernel_half(), "kernel-half page tables");
    map_direct_map(*g_mapper, info);
    map_kernel_image(*g_mapper, info);
    uint64_t table_frames = free_before_tables - g_frames.free_frames() + 1;

    // The switch: every address in use stays valid (same HHDM offset, same
    // kernel addresses; the boot stack is HHDM memory).
    arch::write_cr3(root);
    if (g_features.global) arch::write_cr4(arch::read_cr4() | arch::cr4::kPageGlobalEnable);
    arch::flush_tlb_all();  // the loader's global entries, if it made any
    g_mapper->set_tlb_hooks({&invalidate_page, &flush_all, &release_table});

    // The usable memory the loader's HHDM lacked, now in the kernel's; each
    // range keeps its frame records at its own start.
    for (size_t i = 0; i < early.later_count; ++i) {
        auto added = g_frames.add_region(later[i].base, later[i].end - later[i].base, boot::MemoryType::kReserved);
        if (!added) {
            klog::warn("mm: usable memory {:#x}-{:#x} left unused: {}", later[i].base, later[i].end,
                       added.error().message);
            early.later_bytes -= later[i].end - later[i].base;
        }
    }
    if (early.later_bytes != 0 || early.lost_bytes != 0)
        klog::warn(
            "mm: the loader's HHDM did not map {} MiB of usable memory (docs/limine-protocol.md §2 says it "
            "must); used only through the kernel's own tables{}",
            mib(early.later_bytes + early.lost_bytes),
            early.lost_bytes ? ", some of it not at all (too many pieces)" : "");

    g_heap.init(g_frames);
    // The registry of known kernel stacks grows from the heap (one stack per
    // thread is watched for overflows, however many threads there are).
    arch::set_known_stack_allocator(&kmalloc);
    // Page-fault reports say what this file knows about the address.
    arch::set_data_address_describer(describe_address);

    FrameStats stats = g_frames.stats();
    klog::info(
        "mm: {} MiB usable, {} KiB reserved for the kernel, {} KiB bootloader-reclaimable (not yet released), "
        "{} KiB frame metadata, {} page tables, pages: 1G={} NX={} global={}, heap ready",
        mib(stats.managed_bytes), stats.reserved_bytes[size_t(boot::MemoryType::kKernelAndModules)] / 1024,
        stats.reserved_bytes[size_t(boot::MemoryType::kBootloaderReclaimable)] / 1024, stats.metadata_bytes / 1024,
        table_frames, g_features.huge_1g, g_features.no_execute, g_features.global);
}

bool initialized() {
    return g_mapper != nullptr;
}
FrameAllocator& frames() {
    return g_frames;
}
Heap& heap() {
    return g_heap;
}
PagingFeatures paging_features() {
    return g_features;
}
uint64_t kernel_page_table_root() {
    return g_mapper ? g_mapper->root() : 0;
}

void set_remote_tlb_flush(void (*flush)(const TlbBatch& batch)) {
    __atomic_store_n(&g_remote_tlb_flush, flush, __ATOMIC_RELEASE);
}

lib::Expected<void> map(uint64_t virt, uint64_t physical, uint64_t length, PageFlags flags, PageSize largest) {
    TableChange change;
    lib::Expected<void> result;
    {
        MapperSession session(change);
        result = g_mapper->map_range(virt, physical, length, flags, largest);
    }
    change.finish();
    return result;
}

lib::Expected<void> unmap(uint64_t virt, uint64_t length) {
    TableChange change;
    lib::Expected<void> result;
    {
        MapperSession session(change);
        result = g_mapper->unmap_range(virt, length);
    }
    change.finish();
    return result;
}

lib::Expected<void> protect(uint64_t virt, uint64_t length, PageFlags flags) {
    TableChange change;
    lib::Expected<void> result;
    {
        MapperSession session(change);
        result = g_mapper->protect_range(virt, length, flags);
    }
    change.finish();
    return result;
}

lib::Expected<Mapping> translate(uint64_t virt) {
    ksync::Guard guard(g_mapper_lock);
    return g_mapper->translate(virt);
}

namespace {

// Unmaps [bottom, bottom + pages pages) of the stack area and frees their
// frames, a chunk at a time: the frames go back only once every CPU has
// dropped the translations (TableChange::finish).
void release_stack_pages(uint64_t bottom, uint64_t pages) {
    constexpr uint64_t kChunk = 16;
    for (uint64_t first = 0; first < pages; first += kChunk) {
        uint64_t frames[kChunk];
        uint64_t count = lib::min(kChunk, pages - first);
        TableChange change;
        {
            MapperSession session(change);
            for (uint64_t i = 0; i < count; ++i) {
                uint64_t virt = bottom + (first + i) * kPageSize;
                auto mapping = g_mapper->translate(virt);
                if (!mapping) PANIC("mm: {:#x} is not a mapped stack page", virt);
                frames[i] = mapping->physical;
            }
            must(g_mapper->unmap_range(bottom + first * kPageSize, count * kPageSize), "unmap stack pages");
        }
        change.finish();
        for (uint64_t i = 0; i < count; ++i) g_frames.free(frames[i]);
    }
}

}  // namespace

lib::Expected<KernelStack> allocate_kernel_stack(size_t bytes, const char* name) {
    uint64_t pages = align_up(bytes, kPageSize) >> kPageShift;
    if (pages == 0) return lib::Error::make(lib::ErrorCode::kEINVAL, "empty stack");
    KernelStack stack;
    lib::Expected<void> mapped;
    uint64_t mapped_pages = 0;
    TableChange change;
    {
        MapperSession session(change);
        uint64_t need = (pages + 1) << kPageShift;
        uint64_t base = reuse_stack_range(need);
        if (base == 0) {
            if (kStackAreaEnd - g_next_stack < need)
                return lib::Error::make(lib::ErrorCode::kENOMEM, "kernel stack area is full");
            base = g_next_stack;
            g_next_stack += need;
        }
        stack.bottom = base + kPageSize;  // the page below stays unmapped: the guard
        stack.top = base + need;
        for (; mapped_pages < pages; ++mapped_pages) {
            auto frame = g_frames.allocate(Zeroing::kNo, FrameOwner::kKernelStack);
            if (!frame) {
                mapped = frame.error();
                break;
            }
            mapped = g_mapper->map(stack.bottom + mapped_pages * kPageSize, *frame, PageSize::k4KiB,
                                   {.writable = true, .global = true});
            if (!mapped) {
                g_frames.free(*frame);
                break;
            }
        }
    }
    change.finish();
    if (!mapped) {
        release_stack_pages(stack.bottom, mapped_pages);
        return mapped.error();
    }
    if (auto registered = arch::register_kernel_stack(stack.bottom, stack.top, name); !registered)
        klog::warn("mm: {} at {:#x} is not watched for overflows: {}", name, stack.bottom, registered.error().message);
    return stack;
}

void free_kernel_stack(const KernelStack& stack) {
    arch::unregister_kernel_stack(stack.bottom);
    release_stack_pages(stack.bottom, (stack.top - stack.bottom) >> kPageShift);
    remember_stack_range(stack.bottom - kPageSize, stack.top - stack.bottom + kPageSize);
}

namespace {

const char* area_of(uint64_t virt, uint64_t& stack_bottom) {
    stack_bottom = 0;
    if (!PageMapper::is_canonical(virt)) return "non-canonical address";
    uint64_t text = reinterpret_cast<uint64_t>(__text_start);
    if (virt >= text && virt < reinterpret_cast<uint64_t>(__text_end)) return "kernel text";
    if (virt >= reinterpret_cast<uint64_t>(__rodata_start) && virt < reinterpret_cast<uint64_t>(__rodata_end))
        return "kernel rodata";
    if (virt >= reinterpret_cast<uint64_t>(__data_start) && virt < reinterpret_cast<uint64_t>(__kernel_end))
        return "kernel data/bss";
    if (virt >= kStackAreaStart && virt < kStackAreaEnd) {
        if (g_mapper && g_mapper->walk(virt).missing_level < 0) return "kernel stack";
        // An unmapped page whose upper neighbour is mapped: a guard page.
        uint64_t above = align_down(virt, kPageSize) + kPageSize;
        if (g_mapper && g_mapper->walk(above).missing_level < 0) {
            stack_bottom = above;
            return "guard page of a kernel stack";
        }
        return "kernel stack area";
    }
    if (g_info && virt >= g_info->hhdm_offset && virt - g_info->hhdm_offset < (1ULL << 46)) return "HHDM";
    if (virt < (1ULL << 47)) return "user half";
    return "kernel half";
}

}  // namespace

size_t describe_address(uint64_t virt, char* buffer, size_t size) {
    if (size == 0) return 0;
    uint64_t stack_bottom;
    const char* area = area_of(virt, stack_bottom);
    size_t used = lib::format(buffer, size, "{:#018x} ({}", virt, area);
    auto append = [&](auto... args) {
        if (used < size) used += lib::format(buffer + used, size - used, args...);
    };
    if (stack_bottom) append(" at {:#x}: stack overflow?", stack_bottom);
    if (g_info && lib::StringView(area) == lib::StringView("HHDM"))
        append(", physical {:#x}", virt - g_info->hhdm_offset);
    append(")");
    if (!g_mapper) {
        append(": memory manager not initialized");
        return used < size ? used : size - 1;
    }
    // Not under the mapper lock: a fault report must not deadlock on a lock
    // its own CPU may hold; the walk only reads.
    WalkResult walk = g_mapper->walk(virt);
    static const char* const kLevelNames[] = {"PT", "PD", "PDPT", "PML4"};
    if (walk.missing_level >= 0) {
        append(": not mapped (no {} entry)", kLevelNames[walk.missing_level]);
    } else {
        const Mapping& m = walk.mapping;
        static const char* const kSizeNames[] = {"4 KiB", "2 MiB", "1 GiB"};
        append(": mapped, {} page -> physical {:#x}, {}{}{}{}, {}", kSizeNames[unsigned(m.size)], m.physical,
               m.flags.writable ? "RW" : "R", m.flags.executable ? "X" : " NX", m.flags.user ? " user" : " kernel",
               m.flags.global ? " global" : "", cache_type_name(m.flags.cache));
    }
    return used < size ? used : size - 1;
}

void describe_address(uint64_t virt) {
    char text[256];
    describe_address(virt, text, sizeof text);
    klog::error("address {}", text);
}

}  // namespace mm
