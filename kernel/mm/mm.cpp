// mm::init and the kernel's live page tables (see mm.hpp).
#include "kernel/mm/mm.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "lib/placement_new.hpp"

extern "C" char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[], __kernel_end[];

namespace mm {
namespace {

constexpr uint64_t kGiB = 1ULL << 30;
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

void invalidate_page(uint64_t virt) {
    arch::invlpg(virt);
}
void flush_all() {
    arch::flush_tlb_all();
}

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

struct Range {
    uint64_t base, end;  // physical, page aligned
};

// What the loader's HHDM covered (docs/limine-protocol.md §2): 0..4 GiB, and every
// memory-map region above except RESERVED and BAD_MEMORY. Sorted, merged.
size_t hhdm_ranges(const boot::BootInfo& info, Range* out, size_t capacity) {
    size_t count = 0;
    out[count++] = {0, 4 * kGiB};
    for (size_t i = 0; i < info.memory_count && count < capacity; ++i) {
        const boot::MemoryRegion& region = info.memory[i];
        if (region.type == boot::MemoryType::kReserved || region.type == boot::MemoryType::kBadMemory) continue;
        uint64_t base = align_down(region.base, kPageSize), end = align_up(region.base + region.length, kPageSize);
        if (end <= 4 * kGiB) continue;
        out[count++] = {base < 4 * kGiB ? 4 * kGiB : base, end};
    }
    for (size_t i = 1; i < count; ++i)  // insertion sort: the map is nearly sorted already
        for (size_t j = i; j > 0 && out[j].base < out[j - 1].base; --j) lib::swap(out[j], out[j - 1]);
    size_t merged = 0;
    for (size_t i = 0; i < count; ++i) {
        if (merged > 0 && out[i].base <= out[merged - 1].end) {
            if (out[i].end > out[merged - 1].end) out[merged - 1].end = out[i].end;
        } else {
            out[merged++] = out[i];
        }
    }
    return merged;
}

void map_hhdm(PageMapper& mapper, const boot::BootInfo& info) {
    constexpr PageFlags kHhdmFlags{.writable = true, .executable = false, .global = true};
    uint64_t fb_start = 0, fb_end = 0;
    bool fb_in_hhdm = false;
    if (info.has_framebuffer) {
        const auto& fb = info.framebuffer;
        fb_start = align_down(fb.physical, kPageSize);
        fb_end = align_up(fb.physical + uint64_t(fb.pitch) * fb.height, kPageSize);
        fb_in_hhdm = reinterpret_cast<uint64_t>(fb.address) == info.hhdm_offset + fb.physical;
    }
    static Range ranges[boot::kMaxMemoryRegions + 1];
    size_t count = hhdm_ranges(info, ranges, boot::kMaxMemoryRegions + 1);
    for (size_t i = 0; i < count; ++i) {
        Range r = ranges[i];
        // The framebuffer gets its own write-combining mapping below.
        if (fb_in_hhdm && fb_start < r.end && r.base < fb_end) {
            if (r.base < fb_start)
                must(mapper.map_range(info.hhdm_offset + r.base, r.base, fb_start - r.base, kHhdmFlags), "map HHDM");
            if (fb_end < r.end)
                must(mapper.map_range(info.hhdm_offset + fb_end, fb_end, r.end - fb_end, kHhdmFlags), "map HHDM");
            continue;
        }
        must(mapper.map_range(info.hhdm_offset + r.base, r.base, r.end - r.base, kHhdmFlags), "map HHDM");
    }
    if (info.has_framebuffer) {
        // PAT5 = WC as the loader programmed it; keeps the console's pointer valid.
        constexpr PageFlags kFramebufferFlags{
            .writable = true, .executable = false, .global = true, .cache = CacheType::kWriteCombining};
        uint64_t virt = align_down(reinterpret_cast<uint64_t>(info.framebuffer.address), kPageSize);
        must(mapper.map_range(virt, fb_start, fb_end - fb_start, kFramebufferFlags), "map framebuffer");
    }
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
    must(g_frames.init(lib::Span<const boot::MemoryRegion>(info.memory, info.memory_count),
                       PhysicalWindow(info.hhdm_offset)),
         "frame allocator");

    g_features = detect_features();
    uint64_t root = must(PageMapper::create_root(g_frames), "page table root");
    g_mapper = new (g_mapper_storage) PageMapper(PhysicalWindow(info.hhdm_offset), g_frames, root, g_features);
    uint64_t free_before_tables = g_frames.free_frames();
    map_hhdm(*g_mapper, info);
    map_kernel_image(*g_mapper, info);
    uint64_t table_frames = free_before_tables - g_frames.free_frames() + 1;

    // The switch: every address in use stays valid (same HHDM offset, same
    // kernel addresses; the boot stack is HHDM memory).
    arch::write_cr3(root);
    if (g_features.global) arch::write_cr4(arch::read_cr4() | arch::cr4::kPageGlobalEnable);
    arch::flush_tlb_all();  // the loader's global entries, if it made any
    g_mapper->set_tlb_hooks({&invalidate_page, &flush_all});

    g_heap.init(g_frames);
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

lib::Expected<void> map(uint64_t virt, uint64_t physical, uint64_t length, PageFlags flags, PageSize largest) {
    ksync::Guard guard(g_mapper_lock);
    return g_mapper->map_range(virt, physical, length, flags, largest);
}

lib::Expected<void> unmap(uint64_t virt, uint64_t length) {
    ksync::Guard guard(g_mapper_lock);
    return g_mapper->unmap_range(virt, length);
}

lib::Expected<void> protect(uint64_t virt, uint64_t length, PageFlags flags) {
    ksync::Guard guard(g_mapper_lock);
    return g_mapper->protect_range(virt, length, flags);
}

lib::Expected<Mapping> translate(uint64_t virt) {
    ksync::Guard guard(g_mapper_lock);
    return g_mapper->translate(virt);
}

lib::Expected<KernelStack> allocate_kernel_stack(size_t bytes, const char* name) {
    uint64_t pages = align_up(bytes, kPageSize) >> kPageShift;
    if (pages == 0) return lib::Error::make(lib::ErrorCode::kInvalid, "empty stack");
    KernelStack stack;
    {
        ksync::Guard guard(g_mapper_lock);
        uint64_t need = (pages + 1) << kPageShift;
        if (kStackAreaEnd - g_next_stack < need)
            return lib::Error::make(lib::ErrorCode::kOutOfMemory, "kernel stack area is full");
        stack.bottom = g_next_stack + kPageSize;  // the page below stays unmapped: the guard
        stack.top = g_next_stack + need;
        g_next_stack += need;
        for (uint64_t virt = stack.bottom; virt < stack.top; virt += kPageSize) {
            auto frame = g_frames.allocate(Zeroing::kNo, FrameOwner::kKernelStack);
            lib::Expected<void> mapped =
                frame ? g_mapper->map(virt, *frame, PageSize::k4KiB, {.writable = true, .global = true})
                      : lib::Expected<void>(frame.error());
            if (!mapped) {
                if (frame) g_frames.free(*frame);
                for (uint64_t done = stack.bottom; done < virt; done += kPageSize) {
                    g_frames.free(must(g_mapper->translate(done), "stack page").physical);
                    (void)g_mapper->unmap(done);
                }
                return mapped.error();
            }
        }
    }
    if (auto registered = arch::register_kernel_stack(stack.bottom, stack.top, name); !registered)
        klog::warn("mm: {} at {:#x} is not watched for overflows: {}", name, stack.bottom, registered.error().message);
    return stack;
}

void free_kernel_stack(const KernelStack& stack) {
    arch::unregister_kernel_stack(stack.bottom);
    ksync::Guard guard(g_mapper_lock);
    for (uint64_t virt = stack.bottom; virt < stack.top; virt += kPageSize) {
        auto mapping = g_mapper->translate(virt);
        if (!mapping) PANIC("mm: free_kernel_stack: {:#x} is not a mapped stack page", virt);
        must(g_mapper->unmap(virt), "unmap stack page");
        g_frames.free(mapping->physical);
    }
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
