// Leaving bootloader-reclaimable memory (see mm.hpp): the boot CPU's kernel
// stack, the APs parked on kernel stacks, and the release of the memory.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/boot/ap_handoff.hpp"
#include "kernel/boot/entry_state.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/mm/mm.hpp"

namespace mm {
namespace {

// As large as the stack the kernel asks the loader for: the rest of the
// boot, the in-kernel tests included, runs on it.
constexpr size_t kBootCpuStackBytes = boot::kBootStackSize;
// A parked AP only counts itself in and halts.
constexpr size_t kParkedApStackBytes = 16 * 1024;
// Bounded wait for the APs to report in: far more than an AP needs (the
// loader's own bound per AP is 1 s), in TSC ticks (about 1 s at 2 GHz).
constexpr uint64_t kReportInTicks = 2'000'000'000ULL;

KernelStack g_boot_cpu_stack;
void (*g_next)() = nullptr;
BootloaderHandoff g_handoff;
bool g_parked = false;

[[noreturn]] void run_next(void*) {
    // The loader's stack is not ours any more: kernel_main registered it for
    // overflow reports (arch::init_cpu); once released it is ordinary memory.
    arch::unregister_kernel_stack(boot::loader_stack().bottom);
    g_next();
    PANIC("mm: the boot continuation returned");
}

// Where each AP lands after boot_ap_launch (kernel/boot/ap_handoff.S): on
// its own kernel stack and the kernel's page tables. This CPU has no GS base,
// IDT or local data of the kernel's: it must call nothing that uses them
// (no log, no heap, no panic).
[[noreturn]] void parked_ap_entry(boot::ApLaunch* launch) {
    // The CR3 load kept global TLB entries (SDM Vol. 3A §4.10.4.1); drop
    // whatever the loader's tables may have left there.
    arch::flush_tlb_all();
    __atomic_store_n(&launch->reported, 1, __ATOMIC_RELEASE);
    // Interrupts stay off (the loader entered it with IF clear): HLT then
    // waits for NMI, SMI or INIT only (SDM Vol. 2A, HLT), and SMP bring-up
    // restarts this CPU with INIT-SIPI-SIPI. An NMI here would find no IDT
    // (INIT left IDTR at base 0, SDM Vol. 3A Table 11-1) and end in a triple
    // fault, as it would have in the loader's loop: nothing sends NMIs yet.
    arch::halt_forever();
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

lib::Expected<void> park_application_processors() {
    ASSERT(initialized() && !g_parked);
    g_parked = true;
    boot::ApCount count = boot::count_application_processors();
    g_handoff.aps_started_before = count.started_before;
    if (count.in_loader == 0) return {};

    // The records live in the heap: HHDM memory, mapped alike in the loader's
    // tables (which the APs still use when they read them) and the kernel's.
    // Kept for good: an AP that is late could still read its record.
    auto* launches = static_cast<boot::ApLaunch*>(kcalloc(count.in_loader, sizeof(boot::ApLaunch)));
    if (!launches) PANIC("mm: no memory to park {} APs", count.in_loader);
    for (size_t i = 0; i < count.in_loader; ++i) {
        auto stack = allocate_kernel_stack(kParkedApStackBytes, "a parked AP's stack");
        if (!stack) PANIC("mm: no kernel stack for a parked AP: {}", stack.error().message);
        launches[i].page_table_root = kernel_page_table_root();
        launches[i].stack_top = stack->top;
        launches[i].entry = parked_ap_entry;
    }
    boot::launch_application_processors(launches, count.in_loader);

    uint64_t start = arch::rdtsc();
    size_t reported = 0;
    for (;;) {
        reported = 0;
        for (size_t i = 0; i < count.in_loader; ++i)
            reported += __atomic_load_n(&launches[i].reported, __ATOMIC_ACQUIRE);
        if (reported == count.in_loader || arch::rdtsc() - start > kReportInTicks) break;
        arch::pause();
    }
    g_handoff.aps_parked = reported;
    g_handoff.aps_missing = count.in_loader - reported;
    for (size_t i = 0; i < count.in_loader; ++i)
        if (!__atomic_load_n(&launches[i].reported, __ATOMIC_ACQUIRE))
            klog::warn("mm: AP with APIC id {} did not leave the loader's parking loop", launches[i].lapic_id);
    if (reported != count.in_loader)
        return lib::Error::make(lib::Errno::kETIMEDOUT, "APs did not report in from the loader's parking loop")
            .with(count.in_loader - reported);
    return {};
}

void release_bootloader_memory() {
    ASSERT(initialized() && !g_handoff.released);
    if (!on_boot_cpu_stack() || (arch::read_cr3() & x86_64::paging::pte::kAddressMask) != kernel_page_table_root() ||
        !g_parked || g_handoff.aps_missing != 0) {
        klog::warn("mm: bootloader memory kept: still in use (boot stack switched: {}, APs parked: {}, missing: {})",
                   on_boot_cpu_stack(), g_parked, g_handoff.aps_missing);
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
    klog::info("mm: {} KiB bootloader memory released ({} regions); APs: {} parked on kernel stacks, {} left "
               "halted by the boot tests",
               g_handoff.released_bytes / 1024, g_handoff.released_regions, g_handoff.aps_parked,
               g_handoff.aps_started_before);
}

const BootloaderHandoff& bootloader_handoff() {
    return g_handoff;
}

}  // namespace mm
