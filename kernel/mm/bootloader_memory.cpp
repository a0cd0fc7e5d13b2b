// Leaving bootloader-reclaimable memory (see mm.hpp): the boot CPU's kernel
// stack and the release of the memory.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/boot/entry_state.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/mm/mm.hpp"

namespace mm {
namespace {

// As large as the stack the kernel asks the loader for: the rest of the
// boot, the in-kernel tests included, runs on it.
constexpr size_t kBootCpuStackBytes = boot::kBootStackSize;
KernelStack g_boot_cpu_stack;
void (*g_next)() = nullptr;
BootloaderHandoff g_handoff;

[[noreturn]] void run_next(void*) {
    // The loader's stack is not ours any more: kernel_main registered it for
    // overflow reports (arch::init_cpu); once released it is ordinary memory.
    arch::unregister_kernel_stack(boot::loader_stack().bottom);
    g_next();
    PANIC("mm: the boot continuation returned");
}

bool on_boot_cpu_stack() {
    uint64_t rsp;
    asm volatile("movq %%rsp, %0" : "=r"(rsp));
    return rsp >= g_boot_cpu_stack.bottom && rsp < g_boot_cpu_stack.top;
}

}  // namespace

[[noreturn]] void continue_on_kernel_stack(void (*next)()) {
    ASSERT(initialized() && !g_next);
    auto stack = allocate_kernel_stack(kBootCpuStackBytes, "the boot CPU's kernel stack");
    if (!stack) PANIC("mm: no kernel stack for the boot CPU: {}", stack.error().message);
    g_boot_cpu_stack = *stack;
    g_next = next;
    arch::arch_call_on_stack(stack->top, run_next, nullptr);
    PANIC("mm: came back to the loader's stack");
}

KernelStack boot_cpu_stack() {
    return g_boot_cpu_stack;
}

void release_bootloader_memory(size_t aps_in_loader) {
    ASSERT(initialized() && !g_handoff.released);
    g_handoff.aps_in_loader = aps_in_loader;
    if (!on_boot_cpu_stack() || (arch::read_cr3() & x86_64::paging::pte::kAddressMask) != kernel_page_table_root() ||
        aps_in_loader != 0) {
        klog::warn("mm: bootloader memory kept: still in use (boot stack switched: {}, APs that may still use it: {})",
                   on_boot_cpu_stack(), aps_in_loader);
        return;
    }
    const boot::BootInfo& info = boot::info();
    // Adjacent regions (the map is sorted) become one zone.
    for (size_t i = 0; i < info.memory_count;) {
        if (info.memory[i].type != boot::MemoryType::kBootloaderReclaimable) {
            ++i;
            continue;
        }
        uint64_t base = info.memory[i].base, end = base + info.memory[i].length;
        for (++i; i < info.memory_count && info.memory[i].type == boot::MemoryType::kBootloaderReclaimable &&
                  info.memory[i].base == end;
             ++i)
            end += info.memory[i].length;
        // The protocol promises 4 KiB alignment (docs/limine-protocol.md §4, memory map); trim if not.
        base = align_up(base, kPageSize);
        end = align_down(end, kPageSize);
        if (end <= base) continue;
        // Frame records from the heap: one per frame, kept for good.
        auto* records = static_cast<FrameRecord*>(kmalloc(((end - base) >> kPageShift) * sizeof(FrameRecord)));
        auto added = records ? frames().add_region(base, end - base, boot::MemoryType::kBootloaderReclaimable, records)
                             : lib::Expected<void>(lib::Error::make(lib::ErrorCode::kENOMEM, "no heap"));
        if (!added) {
            kfree(records);
            klog::warn("mm: bootloader memory {:#x}-{:#x} not released: {}", base, end, added.error().message);
            continue;
        }
        g_handoff.released_bytes += end - base;
        ++g_handoff.released_regions;
    }
    g_handoff.released = true;
    klog::info("mm: {} KiB bootloader memory released ({} regions)", g_handoff.released_bytes / 1024,
               g_handoff.released_regions);
}

const BootloaderHandoff& bootloader_handoff() {
    return g_handoff;
}

}  // namespace mm
