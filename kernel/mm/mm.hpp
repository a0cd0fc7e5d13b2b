// The memory manager's public face: the frame allocator, the kernel's own
// page tables and the kernel heap, brought up by mm::init() from BootInfo.
//
//   mm::init(boot::info());                         // once, from kernel_main
//   auto frame = mm::frames().allocate(mm::Zeroing::kYes);
//   TRY(mm::map(virt, physical, length, {.writable = true, .cache = mm::CacheType::kUncached}));
//   void* p = mm::kmalloc(100);  mm::kfree(p);      // or new / delete
//   mm::describe_address(cr2);                      // from the #PF handler
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot/boot_info.hpp"
#include "kernel/mm/frame_allocator.hpp"
#include "kernel/mm/heap.hpp"
#include "kernel/mm/page_mapper.hpp"
#include "lib/expected.hpp"

namespace mm {

// Builds the frame allocator from the memory map (USABLE memory only), the
// kernel's page tables (HHDM at the loader's offset for all memory the loader
// mapped, large pages where possible; kernel text RX, rodata R+NX, data/bss
// RW+NX, global; framebuffer write-combining at the same address), switches
// CR3 to them, and starts the heap. Panics if any of it fails.
void init(const boot::BootInfo& info);
bool initialized();

FrameAllocator& frames();
Heap& heap();

// The live kernel page tables, under one lock; every change is flushed from
// this CPU's TLB (no shootdown to other CPUs yet: see the report).
lib::Expected<void> map(uint64_t virt, uint64_t physical, uint64_t length, PageFlags flags,
                        PageSize largest = PageSize::k1GiB);
lib::Expected<void> unmap(uint64_t virt, uint64_t length);
lib::Expected<void> protect(uint64_t virt, uint64_t length, PageFlags flags);
lib::Expected<Mapping> translate(uint64_t virt);
PagingFeatures paging_features();
// Physical address of the kernel's PML4, for other CPUs to load into CR3.
uint64_t kernel_page_table_root();

// Kernel stacks in their own area, each with an unmapped guard page below
// (and registered with arch::register_kernel_stack so overflows are named).
struct KernelStack {
    uint64_t bottom = 0;  // lowest usable address; the guard page is just below
    uint64_t top = 0;     // initial RSP
};
lib::Expected<KernelStack> allocate_kernel_stack(size_t bytes = 64 * 1024);
void free_kernel_stack(const KernelStack& stack);

// One line on every console about `virt`: which area it is in (HHDM,
// kernel section, kernel stack or its guard page, ...) and its mapping state
// (missing level, or page size, physical address, rights, cache type).
void describe_address(uint64_t virt);
// The same text into `buffer` (always NUL-terminated); returns its length.
size_t describe_address(uint64_t virt, char* buffer, size_t size);

// Hands bootloader-reclaimable memory to the frame allocator.
// PRECONDITION: nothing uses it any more — every CPU runs on kernel stacks
// and the kernel's page tables (the APs are parked by the loader in that
// memory: their code, stacks and smp_info), and no pointer into a Limine
// response is kept (BootInfo holds copies). mm::init() does NOT call this;
// the SMP bring-up calls it once every AP has left the loader's parking code.
void release_bootloader_memory();

// The C-style heap API (the kernel heap; nullptr on failure).
void* kmalloc(size_t size);
void* kmalloc_aligned(size_t size, size_t alignment);
void* kcalloc(size_t count, size_t size);
void* krealloc(void* pointer, size_t size);
void kfree(void* pointer);

}  // namespace mm
