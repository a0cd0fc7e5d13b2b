// In-kernel tests of the memory manager on the real CPU: the kernel's own
// page tables as the hardware sees them (arch::translate walks CR3), real
// map/unmap/protect, faults on protection violations, NX and stack guard
// pages (arch::expect_fault), and heap stress through kmalloc and new.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/exception_info.hpp"
#include "kernel/arch/x86_64/fault_expect.hpp"
#include "kernel/arch/x86_64/fault_triggers.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/debug/symbols.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/direct_map.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/test/ktest.hpp"
#include "lib/string_view.hpp"

extern "C" char __text_start[], __rodata_start[], __data_start[];

namespace {

constexpr uint64_t kTestArea = 0xfffffe8000000000ULL;  // PML4 slot 509: nothing else lives there
namespace pf = arch::page_fault_bits;

uint64_t hhdm() {
    return boot::info().hhdm_offset;
}
arch::Translation walk(uint64_t virt) {
    return arch::translate(virt, hhdm());
}

void write_byte(void* address) {
    *static_cast<volatile uint8_t*>(address) = 0x5a;
}
void call_address(void* address) {
    reinterpret_cast<void (*)()>(address)();
}

bool contains(const char* text, const char* part) {
    lib::StringView haystack(text), needle(part);
    for (size_t i = 0; i + needle.size() <= haystack.size(); ++i)
        if (lib::StringView(text + i, needle.size()) == needle) return true;
    return false;
}

}  // namespace

KTEST(mm, kernel_sections_are_w_xor_x_and_global) {
    auto text = walk(reinterpret_cast<uint64_t>(__text_start));
    KASSERT(text.present);
    KEXPECT(text.executable);
    KEXPECT(!text.writable);
    KEXPECT(text.global);
    auto rodata = walk(reinterpret_cast<uint64_t>(__rodata_start));
    KEXPECT(rodata.present && !rodata.writable && !rodata.executable && rodata.global);
    auto data = walk(reinterpret_cast<uint64_t>(__data_start));
    KEXPECT(data.present && data.writable && !data.executable && data.global);
    KEXPECT_EQ(text.physical, boot::info().kernel_physical_base +
                                  (reinterpret_cast<uint64_t>(__text_start) - boot::info().kernel_virtual_base));
}

KTEST(mm, hhdm_uses_large_pages_and_same_offset) {
    // The largest usable region: write-back, no-execute, and in 2 MiB or
    // larger pages where it holds a whole one.
    const auto& info = boot::info();
    const boot::MemoryRegion* largest = nullptr;
    for (size_t i = 0; i < info.memory_count; ++i)
        if (info.memory[i].type == boot::MemoryType::kUsable && (!largest || info.memory[i].length > largest->length))
            largest = &info.memory[i];
    KASSERT(largest != nullptr);
    auto first = walk(hhdm() + largest->base);
    KASSERT(first.present);
    KEXPECT_EQ(first.physical, largest->base);
    KEXPECT(first.writable && !first.executable);
    KEXPECT_EQ(first.pat_index, 0u);  // write-back
    constexpr uint64_t k2MiB = 2 * 1024 * 1024;
    uint64_t inner = mm::align_up(largest->base, k2MiB);
    KASSERT(inner + k2MiB <= largest->base + largest->length);  // every test machine has a region of 4 MiB
    auto mid = walk(hhdm() + inner + 0x1234);
    KASSERT(mid.present);
    KEXPECT_GE(mid.page_size, k2MiB);
    KEXPECT_EQ(mid.physical, inner + 0x1234);
}

namespace {

bool in_region(uint64_t physical, bool (*accept)(boot::MemoryType)) {
    const auto& info = boot::info();
    for (size_t i = 0; i < info.memory_count; ++i) {
        const auto& r = info.memory[i];
        if (accept(r.type) && physical >= mm::align_down(r.base, mm::kPageSize) &&
            physical < mm::align_up(r.base + r.length, mm::kPageSize))
            return true;
    }
    return false;
}

}  // namespace

KTEST(mm, hhdm_maps_memory_write_back_and_nothing_else_cacheable) {
    // docs: kernel/mm/direct_map.hpp. Walks every mapping of the HHDM up to
    // the end of the memory map: a page in RAM or ACPI memory is write-back
    // (or the framebuffer's write-combining); anything else the kernel
    // mapped itself, device registers uncached (map_mmio) or firmware data
    // write-back and read-only (map_firmware) - never a writable cached
    // mapping of memory the memory map does not call memory.
    const auto& info = boot::info();
    uint64_t top = 0;
    for (size_t i = 0; i < info.memory_count; ++i) top = lib::max(top, info.memory[i].base + info.memory[i].length);
    size_t mapped_ram = 0, device_pages = 0;
    for (uint64_t physical = 0; physical < top;) {
        uint64_t virt = hhdm() + physical;
        x86_64::paging::Walk w =
            x86_64::paging::walk(arch::read_cr3(), virt, arch::paging_levels(),
                                 [](uint64_t table) { return reinterpret_cast<uint64_t*>(table + hhdm()); });
        uint64_t size = w.present ? w.page_size : x86_64::paging::level_coverage(unsigned(w.missing_level));
        uint64_t step = size - (virt & (size - 1));
        if (w.present) {
            auto cache = mm::CacheType(x86_64::paging::cache_type_of(w.entry, w.level > 0));
            KEXPECT_EQ(w.physical, physical);
            if (in_region(physical, mm::in_direct_map)) {
                KEXPECT(cache == mm::CacheType::kWriteBack);
                ++mapped_ram;
            } else if (cache == mm::CacheType::kWriteBack) {
                KEXPECT(!w.writable);  // firmware data mapped for reading
            } else {
                KEXPECT(cache == mm::CacheType::kUncached || cache == mm::CacheType::kWriteCombining);
                ++device_pages;
            }
            KEXPECT(!w.executable);
        }
        physical += step;
    }
    KEXPECT_GT(mapped_ram, 0u);
    // Every region the direct map holds is mapped (its first and last page).
    for (size_t i = 0; i < info.memory_count; ++i) {
        const auto& region = info.memory[i];
        if (!mm::in_direct_map(region.type)) continue;
        const uint64_t ends[] = {mm::align_down(region.base, mm::kPageSize),
                                 mm::align_down(region.base + region.length - 1, mm::kPageSize)};
        for (uint64_t physical : ends) {
            auto t = walk(hhdm() + physical);
            KEXPECT(t.present && t.physical == physical && t.pat_index == 0u);
        }
    }
}

KTEST(mm, framebuffer_is_write_combining) {
    const auto& info = boot::info();
    if (!info.has_framebuffer) return;
    auto fb = walk(reinterpret_cast<uint64_t>(info.framebuffer.address));
    KASSERT(fb.present);
    KEXPECT_EQ(fb.pat_index, unsigned(mm::CacheType::kWriteCombining));
    KEXPECT_EQ(fb.physical, info.framebuffer.physical);
    KEXPECT(fb.writable && !fb.executable);
}

KTEST(mm, frames_single_and_aligned_runs) {
    auto stats = mm::frames().stats();
    KEXPECT_GT(stats.managed_bytes, 0u);
    KEXPECT_LE(stats.free_bytes, stats.managed_bytes);
    KEXPECT_GT(stats.reserved_bytes[size_t(boot::MemoryType::kKernelAndModules)], 0u);
    // One 8-byte record per 4 KiB frame: under 0.2 % of the memory managed,
    // give or take the rounding to whole pages.
    KEXPECT_LE(stats.metadata_bytes * 1000, 2 * (stats.managed_bytes + stats.metadata_bytes) + 1000 * mm::kPageSize);
    uint64_t free_before = mm::frames().free_frames();
    auto frame = mm::frames().allocate(mm::Zeroing::kYes);
    KASSERT(frame.has_value());
    auto* bytes = boot::phys_to_virt<uint8_t>(*frame);
    bool zero = true;
    for (uint64_t i = 0; i < mm::kPageSize; ++i) zero &= bytes[i] == 0;
    KEXPECT(zero);
    auto run = mm::frames().allocate_run(512, 2 * 1024 * 1024);
    KASSERT(run.has_value());
    KEXPECT_EQ(*run % (2 * 1024 * 1024), 0u);
    boot::phys_to_virt<uint8_t>(*run)[2 * 1024 * 1024 - 1] = 1;  // reachable through the HHDM
    mm::frames().free_run(*run, 512);
    mm::frames().free(*frame);
    KEXPECT_EQ(mm::frames().free_frames(), free_before);
}

// Every frame in use says who holds it: the page tables the CPU walks, the
// stack this test runs on, the heap's pages, a plain allocation.
KTEST(mm, frame_records_name_the_owner) {
    mm::FrameAllocator& frames = mm::frames();
    uint64_t root = arch::read_cr3() & x86_64::paging::pte::kAddressMask;
    KEXPECT(frames.owner(root) == mm::FrameOwner::kPageTable);
    KEXPECT_EQ(frames.references(root), 1u);
    uint64_t rsp;
    asm volatile("movq %%rsp, %0" : "=r"(rsp));
    arch::Translation stack = walk(rsp);
    KASSERT(stack.present);
    KEXPECT(frames.owner(stack.physical & ~(mm::kPageSize - 1)) == mm::FrameOwner::kKernelStack);
    void* block = mm::kmalloc(100);
    KASSERT(block != nullptr);
    uint64_t block_physical = reinterpret_cast<uint64_t>(block) - hhdm();
    KEXPECT(frames.owner(block_physical & ~(mm::kPageSize - 1)) == mm::FrameOwner::kHeap);
    mm::kfree(block);
    auto frame = frames.allocate();
    KASSERT(frame.has_value());
    KEXPECT(frames.owner(*frame) == mm::FrameOwner::kKernel);
    mm::FrameRecord* record = frames.record(*frame);
    KASSERT(record != nullptr);
    KEXPECT_EQ(record->references, 1u);
    frames.free(*frame);
    KEXPECT_EQ(record->references, 0u);
    KEXPECT(record->owner == mm::FrameOwner::kFree);
    // Memory the allocator does not manage has no record.
    KEXPECT(frames.record(boot::info().kernel_physical_base) == nullptr);
}

KTEST(mm, shared_frame_stays_until_the_last_holder_lets_go) {
    mm::FrameAllocator& frames = mm::frames();
    uint64_t free_before = frames.free_frames();
    auto frame = frames.allocate(mm::Zeroing::kYes, mm::FrameOwner::kUser);
    KASSERT(frame.has_value());
    frames.share(*frame);
    KEXPECT_EQ(frames.references(*frame), 2u);
    KEXPECT(!frames.release(*frame));
    KEXPECT(!frames.is_free(*frame));
    KEXPECT(frames.release(*frame));
    KEXPECT(frames.is_free(*frame));
    KEXPECT_EQ(frames.free_frames(), free_before);
}

KTEST(mm, map_write_unmap_real_page) {
    auto frame = mm::frames().allocate(mm::Zeroing::kYes);
    KASSERT(frame.has_value());
    uint64_t virt = kTestArea + 0x5000;
    KASSERT(mm::map(virt, *frame, mm::kPageSize, {.writable = true}).has_value());
    auto hw = walk(virt);
    KEXPECT(hw.present && hw.writable && !hw.executable && !hw.user);
    KEXPECT_EQ(hw.physical, *frame);
    *reinterpret_cast<volatile uint64_t*>(virt + 8) = 0x1122334455667788ULL;
    KEXPECT_EQ(*boot::phys_to_virt<uint64_t>(*frame + 8), 0x1122334455667788ULL);
    KASSERT(mm::unmap(virt, mm::kPageSize).has_value());
    KEXPECT(!walk(virt).present);
    KEXPECT(!mm::translate(virt).has_value());
    auto fault = arch::expect_fault(arch::vector::kPageFault, write_byte, reinterpret_cast<void*>(virt));
    KEXPECT(fault.faulted);
    KEXPECT_EQ(fault.cr2, virt);
    KEXPECT_EQ(fault.error_code & pf::kPresent, 0u);
    mm::frames().free(*frame);
}

KTEST(mm, write_to_read_only_page_faults) {
    auto frame = mm::frames().allocate(mm::Zeroing::kYes);
    KASSERT(frame.has_value());
    uint64_t virt = kTestArea + 0x200000;
    KASSERT(mm::map(virt, *frame, mm::kPageSize, {.writable = true}).has_value());
    write_byte(reinterpret_cast<void*>(virt));
    KASSERT(mm::protect(virt, mm::kPageSize, {.writable = false}).has_value());
    KEXPECT(!walk(virt).writable);  // and the TLB was flushed: the write below must fault
    auto fault = arch::expect_fault(arch::vector::kPageFault, write_byte, reinterpret_cast<void*>(virt));
    KEXPECT(fault.faulted);
    KEXPECT_EQ(fault.vector, arch::vector::kPageFault);
    KEXPECT_EQ(fault.cr2, virt);
    KEXPECT_EQ(fault.error_code & (pf::kPresent | pf::kWrite), pf::kPresent | pf::kWrite);
    KASSERT(mm::unmap(virt, mm::kPageSize).has_value());
    mm::frames().free(*frame);
}

KTEST(mm, executing_no_execute_page_faults) {
    if (!mm::paging_features().no_execute) return;
    auto frame = mm::frames().allocate(mm::Zeroing::kYes);
    KASSERT(frame.has_value());
    *boot::phys_to_virt<uint8_t>(*frame) = 0xc3;  // RET
    uint64_t virt = kTestArea + 0x400000;
    KASSERT(mm::map(virt, *frame, mm::kPageSize, {.executable = false}).has_value());
    auto fault = arch::expect_fault(arch::vector::kPageFault, call_address, reinterpret_cast<void*>(virt));
    KEXPECT(fault.faulted);
    KEXPECT_EQ(fault.cr2, virt);
    KEXPECT_EQ(fault.error_code & pf::kInstructionFetch, pf::kInstructionFetch);
    // Executable now: the same call returns.
    KASSERT(mm::protect(virt, mm::kPageSize, {.executable = true}).has_value());
    auto no_fault = arch::expect_fault(arch::vector::kPageFault, call_address, reinterpret_cast<void*>(virt));
    KEXPECT(!no_fault.faulted);
    KASSERT(mm::unmap(virt, mm::kPageSize).has_value());
    mm::frames().free(*frame);
}

KTEST(mm, kernel_stack_has_guard_page) {
    auto stack = mm::allocate_kernel_stack(16 * 1024);
    KASSERT(stack.has_value());
    KEXPECT_EQ(stack->top - stack->bottom, 16u * 1024);
    write_byte(reinterpret_cast<void*>(stack->bottom));
    write_byte(reinterpret_cast<void*>(stack->top - 1));
    uint64_t guard = stack->bottom - 8;
    auto fault = arch::expect_fault(arch::vector::kPageFault, write_byte, reinterpret_cast<void*>(guard));
    KEXPECT(fault.faulted);
    KEXPECT_EQ(fault.cr2, guard);
    char text[256];
    mm::describe_address(guard, text, sizeof text);
    KEXPECT(contains(text, "guard page"));
    KEXPECT(contains(text, "not mapped"));
    mm::free_kernel_stack(*stack);
    KEXPECT(!walk(stack->bottom).present);
}

// The IST stacks get guard pages once mm is up (kernel_main calls
// use_guarded_ist_stacks; a second call changes nothing).
KTEST(mm, ist_stacks_have_guard_pages) {
    mm::use_guarded_ist_stacks();
    const arch::CpuLocal& cpu = arch::bsp_cpu_local();
    const arch::IstSlot slots[] = {arch::IstSlot::kDoubleFault, arch::IstSlot::kNmi, arch::IstSlot::kMachineCheck};
    for (arch::IstSlot slot : slots) {
        arch::StackBounds stack = arch::ist_stack_bounds(cpu, slot);
        KEXPECT(!arch::uses_boot_ist_stack(cpu, slot));
        KEXPECT_EQ(uint64_t(cpu.tss.ist[uint8_t(slot) - 1]), stack.top);
        KEXPECT(walk(stack.top - 8).present);
        KEXPECT(!walk(stack.bottom - 8).present);  // the guard page
        KEXPECT(arch::overflowed_stack(stack.bottom + 8, 0) != nullptr);
    }
    // Still delivered on the (new) IST stack.
    arch::FaultRecord mc = arch::expect_fault(arch::vector::kMachineCheck,
                                              arch::fault_triggers::software_interrupt_machine_check, nullptr);
    KASSERT(mc.faulted);
    KEXPECT(arch::ist_stack_bounds(cpu, arch::IstSlot::kMachineCheck).contains(mc.handler_stack));
}

KTEST(mm, describe_address_names_areas) {
    char text[256];
    mm::describe_address(reinterpret_cast<uint64_t>(__text_start), text, sizeof text);
    KEXPECT(contains(text, "kernel text"));
    KEXPECT(contains(text, "RX"));
    mm::describe_address(hhdm() + 0x1000, text, sizeof text);
    KEXPECT(contains(text, "HHDM"));
    KEXPECT(contains(text, "WB"));
    mm::describe_address(kTestArea + 0x123000, text, sizeof text);
    KEXPECT(contains(text, "not mapped"));
    mm::describe_address(0x0000800000000000ULL, text, sizeof text);
    KEXPECT(contains(text, "non-canonical"));
}

KTEST(mm, heap_stress_mixed_sizes) {
    constexpr int kBlocks = 2000;
    static uint8_t* blocks[kBlocks];
    static size_t sizes[kBlocks];
    uint64_t live_before = mm::heap().stats().live_blocks;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    auto next = [&] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < kBlocks; ++i) {
            sizes[i] = next() % 8 == 0 ? 1 + next() % 20000 : 1 + next() % 512;
            blocks[i] = static_cast<uint8_t*>(mm::kmalloc(sizes[i]));
            KASSERT(blocks[i] != nullptr);
            KEXPECT_EQ(reinterpret_cast<uint64_t>(blocks[i]) % 16, 0u);
            __builtin_memset(blocks[i], uint8_t(i), sizes[i]);
        }
        bool intact = true;
        for (int i = 0; i < kBlocks; i += 2) {
            intact &= blocks[i][0] == uint8_t(i) && blocks[i][sizes[i] - 1] == uint8_t(i);
            mm::kfree(blocks[i]);
        }
        for (int i = 1; i < kBlocks; i += 2) {
            blocks[i] = static_cast<uint8_t*>(mm::krealloc(blocks[i], sizes[i] + 100));
            KASSERT(blocks[i] != nullptr);
            intact &= blocks[i][0] == uint8_t(i) && blocks[i][sizes[i] - 1] == uint8_t(i);
            mm::kfree(blocks[i]);
        }
        KEXPECT(intact);
    }
    KEXPECT_EQ(mm::heap().stats().live_blocks, live_before);
}

namespace {
struct alignas(64) CacheLine {
    uint64_t words[8];
};
}  // namespace

KTEST(mm, new_and_delete) {
    auto* value = new uint64_t(42);
    KEXPECT_EQ(*value, 42u);
    delete value;
    auto* array = new uint32_t[1000];
    for (int i = 0; i < 1000; ++i) array[i] = uint32_t(i);
    KEXPECT_EQ(array[999], 999u);
    delete[] array;
    auto* line = new CacheLine{};
    KEXPECT_EQ(reinterpret_cast<uint64_t>(line) % 64, 0u);
    delete line;
    void* zeroed = mm::kcalloc(10, 10);
    KASSERT(zeroed != nullptr);
    KEXPECT_EQ(static_cast<uint8_t*>(zeroed)[99], 0u);
    mm::kfree(zeroed);
}

KTEST(mm, cr3_holds_the_kernel_tables) {
    KEXPECT_EQ(arch::read_cr3() & x86_64::paging::pte::kAddressMask, mm::kernel_page_table_root());
}

// The kernel half's top level is made once at boot: every PML4 entry from
// 256 up points at a table, none carries the user bit, and mapping and
// unmapping a page in a slot nothing else uses changes none of them.
KTEST(mm, kernel_half_top_level_is_complete_and_fixed) {
    namespace pte = x86_64::paging::pte;
    const uint64_t* pml4 = boot::phys_to_virt<const uint64_t>(mm::kernel_page_table_root());
    constexpr uint64_t kFixedBits = ~mm::PageTableEntry::kCountMask;  // bits 52..61 count entries (ignored by the CPU)
    uint64_t before[256];
    for (unsigned i = 0; i < 256; ++i) {
        uint64_t entry = pml4[256 + i];
        KEXPECT(entry & pte::kPresent);
        KEXPECT_EQ(entry & pte::kUser, 0u);
        before[i] = entry & kFixedBits;
    }
    auto frame = mm::frames().allocate(mm::Zeroing::kYes);
    KASSERT(frame.has_value());
    uint64_t virt = kTestArea + 0x40000000;  // a gigabyte the other cases leave alone
    KASSERT(mm::map(virt, *frame, mm::kPageSize, {.writable = true}).has_value());
    KEXPECT(!walk(virt).user);
    KASSERT(mm::unmap(virt, mm::kPageSize).has_value());
    mm::frames().free(*frame);
    for (unsigned i = 0; i < 256; ++i) KEXPECT_EQ(pml4[256 + i] & kFixedBits, before[i]);
}

// --- Leaving the loader's memory (mm::continue_on_kernel_stack, park, release). ---

namespace {

bool in_bootloader_memory(uint64_t physical) {
    const auto& info = boot::info();
    for (size_t i = 0; i < info.memory_count; ++i) {
        const auto& region = info.memory[i];
        if (region.type == boot::MemoryType::kBootloaderReclaimable && physical >= region.base &&
            physical - region.base < region.length)
            return true;
    }
    return false;
}

// Through the kernel's tables; the all-ones value (in no region) if unmapped.
uint64_t physical_of(uint64_t virt) {
    auto mapping = mm::translate(virt);
    return mapping ? mapping->physical : ~0ULL;
}

uint64_t current_rsp() {
    uint64_t rsp;
    asm volatile("movq %%rsp, %0" : "=r"(rsp));
    return rsp;
}

struct [[gnu::packed]] DescriptorTableRegister {
    uint16_t limit;
    uint64_t base;
};

}  // namespace

KTEST(mm, boot_cpu_runs_on_a_registered_kernel_stack) {
    mm::KernelStack stack = mm::boot_cpu_stack();
    uint64_t rsp = current_rsp();
    KASSERT(stack.top != 0);
    KEXPECT(rsp >= stack.bottom && rsp < stack.top);
    // Registered for overflow reports: a fault in its guard page names it.
    const arch::KnownStack* known = arch::overflowed_stack(0, stack.bottom - 8);
    KASSERT(known != nullptr);
    KEXPECT_EQ(known->bottom, stack.bottom);
    KEXPECT_EQ(known->top, stack.top);
    KEXPECT(!walk(stack.bottom - 8).present);  // the guard page
    char text[256];
    mm::describe_address(rsp, text, sizeof text);
    KEXPECT(contains(text, "kernel stack"));
    KEXPECT(!in_bootloader_memory(physical_of(rsp)));
}

KTEST(mm, every_usable_byte_is_managed) {
    // Whatever the loader's HHDM mapped at entry (Limine 8.2.0 on 4 CPUs
    // leaves out memory above 4 GiB, kernel/mm/direct_map.hpp): all usable
    // memory ends up in the frame allocator, as frames or as their records,
    // and so does the bootloader memory once released.
    const auto& info = boot::info();
    auto stats = mm::frames().stats();
    KEXPECT_EQ(stats.managed_bytes + stats.metadata_bytes + stats.withheld_bytes,
               info.usable_bytes + mm::bootloader_handoff().released_bytes);
    KEXPECT_EQ(stats.reserved_bytes[size_t(boot::MemoryType::kUsable)], 0u);
    // And the highest usable page is reachable and free memory is writable there.
    uint64_t top = 0;
    for (size_t i = 0; i < info.memory_count; ++i)
        if (info.memory[i].type == boot::MemoryType::kUsable) top = info.memory[i].base + info.memory[i].length;
    KASSERT(top != 0);
    KEXPECT(mm::frames().is_managed(top - mm::kPageSize));
    auto t = walk(hhdm() + top - mm::kPageSize);
    KEXPECT(t.present && t.writable && t.physical == top - mm::kPageSize);
}

KTEST(mm, bootloader_memory_is_released_and_nothing_in_use_lies_in_it) {
    const auto& handoff = mm::bootloader_handoff();
    const auto& info = boot::info();
    KEXPECT_EQ(handoff.aps_in_loader, 0u);
    KASSERT(handoff.released);
    uint64_t reclaimable = 0;
    for (size_t i = 0; i < info.memory_count; ++i)
        if (info.memory[i].type == boot::MemoryType::kBootloaderReclaimable) reclaimable += info.memory[i].length;
    KEXPECT_EQ(handoff.released_bytes, reclaimable);
    KEXPECT_EQ(mm::frames().stats().reserved_bytes[size_t(boot::MemoryType::kBootloaderReclaimable)], 0u);
    for (size_t i = 0; i < info.memory_count; ++i)
        if (info.memory[i].type == boot::MemoryType::kBootloaderReclaimable) {
            // Page 0 is withheld (FrameAllocator::init): look at the next page.
            uint64_t base = info.memory[i].base;
            if (base == 0 && info.memory[i].length <= mm::kPageSize) continue;
            KEXPECT(mm::frames().is_managed(base == 0 ? mm::kPageSize : base));
        }

    // What the kernel still reads: its copies of the symbol tables (the
    // kernel file itself may lie in the released memory, as Limine puts it
    // there), BootInfo's pointers, the CPU's tables.
    debug::KeptSymbolTables kept = debug::kept_symbol_tables();
    KEXPECT(kept.symbols.size() > 0 && kept.strings.size() > 0);
    KEXPECT(!in_bootloader_memory(physical_of(uint64_t(kept.symbols.data()))));
    KEXPECT(!in_bootloader_memory(physical_of(uint64_t(kept.strings.data()))));
    for (size_t i = 0; i < info.module_count; ++i)
        KEXPECT(!in_bootloader_memory(physical_of(uint64_t(info.modules[i].address))));
    if (info.has_framebuffer) {
        KEXPECT(!in_bootloader_memory(info.framebuffer.physical));
        KEXPECT(!in_bootloader_memory(physical_of(uint64_t(info.framebuffer.address))));
    }
    const uint64_t firmware[] = {info.rsdp_physical, info.smbios_entry32_physical, info.smbios_entry64_physical,
                                 info.efi_system_table_physical};
    for (uint64_t physical : firmware)
        if (physical) KEXPECT(!in_bootloader_memory(physical));
    KEXPECT(!in_bootloader_memory(arch::read_cr3() & x86_64::paging::pte::kAddressMask));
    DescriptorTableRegister gdtr{}, idtr{};
    asm volatile("sgdt %0" : "=m"(gdtr));
    asm volatile("sidt %0" : "=m"(idtr));
    KEXPECT(!in_bootloader_memory(physical_of(gdtr.base)));
    KEXPECT(!in_bootloader_memory(physical_of(idtr.base)));

    // The freed frames are handed out: take single frames (chained through
    // their own first word) until one comes from a released region; small
    // blocks go first, and the released regions are small.
    uint64_t chain = 0, taken = 0;
    bool found = false;
    while (!found) {
        auto frame = mm::frames().allocate();
        if (!frame) break;
        *boot::phys_to_virt<uint64_t>(*frame) = chain;
        chain = *frame;
        ++taken;
        found = in_bootloader_memory(*frame);
    }
    KEXPECT(found);
    while (chain) {
        uint64_t next = *boot::phys_to_virt<uint64_t>(chain);
        mm::frames().free(chain);
        chain = next;
    }
    klog::info("mm test: a released frame came after {} allocations", taken);
}
