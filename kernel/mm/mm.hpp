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
#include "kernel/mm/tlb_batch.hpp"
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

// The live kernel page tables, under one lock; what a change makes stale
// leaves every CPU's TLB before the call returns (see below).
lib::Expected<void> map(uint64_t virt, uint64_t physical, uint64_t length, PageFlags flags,
                        PageSize largest = PageSize::k1GiB);
lib::Expected<void> unmap(uint64_t virt, uint64_t length);
lib::Expected<void> protect(uint64_t virt, uint64_t length, PageFlags flags);
lib::Expected<Mapping> translate(uint64_t virt);

// TLB shootdown: map, unmap and protect drop the translations they made
// stale on this CPU, then hand them to `flush` (kernel/smp installs it once
// other CPUs run) to drop on every other CPU, waiting until all have; only
// then are emptied page tables freed and the call returns, so a caller may
// reuse what it unmapped. Call these with no spinlock held: the other CPUs
// must be able to answer (docs/smp.md §4).
void set_remote_tlb_flush(void (*flush)(const TlbBatch& batch));
PagingFeatures paging_features();
// Physical address of the kernel's PML4, for other CPUs to load into CR3.
uint64_t kernel_page_table_root();

// Kernel stacks in their own area, each with an unmapped guard page below
// (and registered with arch::register_kernel_stack so overflows are named).
struct KernelStack {
    uint64_t bottom = 0;  // lowest usable address; the guard page is just below
    uint64_t top = 0;     // initial RSP
};
// `name` is what overflow reports call it (a string that lives for good).
lib::Expected<KernelStack> allocate_kernel_stack(size_t bytes = 64 * 1024, const char* name = "kernel stack");
void free_kernel_stack(const KernelStack& stack);

// The boot CPU leaves the loader's stack (bootloader-reclaimable memory, no
// guard page): allocates a kernel stack for it and calls next() there, never
// to come back (the loader's stack is not used again). After mm::init().
[[noreturn]] void continue_on_kernel_stack(void (*next)());
// That stack (zeros before the switch).
KernelStack boot_cpu_stack();

// Moves this CPU's IST stacks (#DF, NMI, #MC) from the .bss stacks arch
// starts with to stacks from allocate_kernel_stack(), each with an unmapped
// guard page below. Does nothing for slots already moved. After init().
void use_guarded_ist_stacks();

// One line on every console about `virt`: which area it is in (HHDM,
// kernel section, kernel stack or its guard page, ...) and its mapping state
// (missing level, or page size, physical address, rights, cache type).
void describe_address(uint64_t virt);
// The same text into `buffer` (always NUL-terminated); returns its length.
size_t describe_address(uint64_t virt, char* buffer, size_t size);

// Bootloader-reclaimable memory holds the loader's page tables, GDT, stacks
// and responses, and the parking loop, stacks and smp_info of the APs. The
// kernel leaves it after continue_on_kernel_stack() and once every AP has
// left the loader's loop for kernel code on kernel stacks (SMP bring-up,
// kernel/smp/, sends them: the ones it runs and the ones it leaves out):
//
// release_bootloader_memory(aps_in_loader): the frame allocator gains every
// bootloader-reclaimable region (their frame records come from the heap, so
// even one-page regions count in full) and logs one line. Does nothing
// (with a warning) unless the boot CPU runs on its kernel stack and the
// kernel's page tables and `aps_in_loader` (APs that may still run on the
// loader's memory: ones that did not answer) is 0; BootInfo holds copies of
// everything the kernel reads from the loader (its kernel_file and module
// pointers are KERNEL_AND_MODULES memory, the framebuffer is its own).
void release_bootloader_memory(size_t aps_in_loader);

struct BootloaderHandoff {
    size_t aps_in_loader = 0;  // as given: while not 0, the memory stays unreleased
    bool released = false;
    uint64_t released_bytes = 0;
    size_t released_regions = 0;
};
const BootloaderHandoff& bootloader_handoff();

// The C-style heap API (the kernel heap; nullptr on failure).
void* kmalloc(size_t size);
void* kmalloc_aligned(size_t size, size_t alignment);
void* kcalloc(size_t count, size_t size);
void* krealloc(void* pointer, size_t size);
void kfree(void* pointer);

}  // namespace mm
