// kernel_main: the table of contents of the boot. Each step is one call into
// a subsystem; boot_from_limine() (kernel/boot/limine.cpp) has already set up
// the stack canary, the serial console, BootInfo, global constructors and the
// framebuffer console.
#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/boot/entry_state.hpp"
#include "kernel/boot/summary.hpp"
#include "kernel/console/log.hpp"
#include "kernel/console/log_prefix.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/debug/symbols.hpp"
#include "kernel/dev/ps2_keyboard.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/tty/tty.hpp"
#include "kernel/irq/irq.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/mm/mmio.hpp"
#include "kernel/proc/init.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/test/hooks.hpp"
#include "kernel/time/time.hpp"
#include "lib/cmdline.hpp"

namespace {
[[noreturn]] void kernel_main_continued();
}

extern "C" [[noreturn]] void kernel_main() {
    const boot::BootInfo& info = boot::info();
    lib::CommandLine cmdline(info.cmdline);

    if (auto level = cmdline.find("loglevel"); level.present) {
        if (auto parsed = klog::level_from_name(level.value)) klog::set_level(*parsed);
        else klog::warn("loglevel={}: {}", level.value, parsed.error().message);
    }

    klog::info("cxxkernel: booting");
    boot::print_memory_map();

    // The boot protocol tests judge what the loader left (its page tables,
    // GDT, responses), so they run before the kernel replaces any of it.
    // (Tests and test hooks exist in the checked kernel only.)
    ktest::run_early_tests(cmdline);

    // CPU: the kernel's own GDT and TSS, the IDT and exception handlers, the
    // 8259s masked; fault reports name code symbols.
    arch::init_cpu(arch::CpuSetup{info.hhdm_offset, boot::loader_stack().bottom, boot::loader_stack().top});
    arch::set_code_address_describer(debug::describe_code_address);
    ktest::run_fault_test(cmdline);  // faulttest=<what>

    // Memory: frame allocator, the kernel's own page tables, kernel heap;
    // then the boot CPU leaves the loader's stack for a kernel stack with a
    // guard page, and the boot goes on there.
    mm::init(info);
    // The local APIC: its xAPIC register page is device memory, mapped
    // uncached (no revision of the boot protocol promises it in the HHDM).
    volatile void* xapic_registers = nullptr;
    if (uint64_t physical = arch::local_apic_registers_physical()) {
        auto mapped = mm::map_mmio(physical, 4096);
        if (!mapped) PANIC("cpu: cannot map the local APIC at {:#x}: {}", physical, mapped.error().message);
        xapic_registers = *mapped;
    }
    arch::init_boot_local_apic(xapic_registers);
    mm::use_guarded_ist_stacks();  // the IST stacks move to mm stacks with guard pages
    mm::continue_on_kernel_stack(kernel_main_continued);
}

namespace {

[[noreturn]] void kernel_main_continued() {
    const boot::BootInfo& info = boot::info();
    lib::CommandLine cmdline(info.cmdline);

    // Firmware tables: validated views of the MADT, FADT, HPET and MCFG.
    acpi::init();
    acpi::print_summary();

    // Every CPU: the APs the MADT lists and the loader started leave its
    // parking loop for kernel stacks, load their own tables and local APICs
    // and idle; the others are parked in kernel code.
    size_t aps_in_loader = smp::start_application_processors();
    boot::print_summary(smp::cpu_count());

    // Bootloader memory: the symbol tables are copied out of the kernel file
    // (which a loader may keep in that memory), then everything the loader
    // left joins the frame allocator.
    if (auto kept = debug::keep_kernel_symbols(&mm::kmalloc); !kept)
        klog::warn("debug: backtraces will not be symbolized: {}", kept.error().message);
    mm::release_bootloader_memory(aps_in_loader);

    // Interrupts and time: I/O APICs from the MADT, the TSC and LAPIC timer
    // calibrated (HPET, ACPI PM timer or PIT), the keyboard on IRQ 1.
    if (auto routed = irq::init(); !routed) klog::warn("irq: no interrupt routing: {}", routed.error().message);
    ktime::init(cmdline);
    smp::start_timers();  // every CPU's TSC checked, every CPU ticking
    if (auto keyboard = dev::keyboard::init(); !keyboard)
        klog::info("keyboard: none: {} ({})", keyboard.error().message, lib::errno_name(keyboard.error().code));
    // Files: the root tmpfs with the initramfs modules unpacked into it,
    // devtmpfs on /dev.
    fs::init();
    // Terminals: ttyS0 (COM1), tty1 (framebuffer + keyboard), /dev/console, /dev/tty.
    tty::init();
    // From here on interrupt handlers may log: their lines wait in the log
    // ring for a drain with interrupts on (the idle loop below, or the next
    // line logged from ordinary code) instead of holding the CPU in polled
    // console output.
    klog::defer_output_with_interrupts_off();
    arch::sti();

    // Threads: this context becomes thread "main" on CPU 0, every CPU's idle
    // loop its idle thread; from here on the tick and the end of every
    // interrupt may switch threads (docs/scheduler.md).
    sched::init(smp::cpu_limit());
    smp::call_on_others(sched::start_this_cpu, nullptr, smp::Wait::kYes);
    // Deferred work: a worker thread on each CPU, for interrupt handlers
    // (the keyboard's echo) and the log's drain.
    sched::start_workers();

    // User space: the process layer's fault hooks, then the SYSCALL entry
    // on every CPU and the system-call table.
    proc::init();
    sys::init();

    // Scenario hooks and in-kernel tests replace the rest of the boot when
    // asked for: a deliberate failure (selftest=<what>) proves the harness
    // catches it; test=all or test=<suite>[,<suite>...] runs the tests. Both
    // end the run through QEMU's debug-exit device.
    ktest::run_late_tests(cmdline);
    if (cmdline.value_or("bench", "") == lib::StringView("smp")) smp::run_benchmarks();
    if (cmdline.value_or("bench", "") == lib::StringView("sched")) sched::run_benchmarks();

    proc::choose_init(cmdline);

    // For tools/measure_boot.py: the TSC at kernel entry and now.
    klog::print("timing: entry_tsc={} ready_tsc={}\n", boot::entry_state().tsc, arch::rdtsc());
    klog::print("kernel: ready\n");

#if KERNEL_CHECKED
    // Test hooks of the checked kernel (cmake/kernel.cmake), for the
    // scenarios that check acpi::reset() and acpi::power_off():
    // reset_when_ready reboots through the FADT reset register (QEMU's
    // -no-reboot then exits), poweroff_when_ready enters ACPI soft-off.
    if (cmdline.has("reset_when_ready")) acpi::reset();
    if (cmdline.has("poweroff_when_ready")) {
        auto off = acpi::power_off();
        klog::error("acpi: {}", off.error().message);
    }
#endif

    // PID 1 from init=<path> (a Limine module until the VFS): it runs
    // until it exits, and then the machine powers off.
    proc::run_init(cmdline);

    // The boot is done: thread "main" ends, and each CPU's idle thread
    // (which shows what interrupt handlers logged and halts between
    // interrupts) runs whenever no other thread does.
    sched::exit_current();
}

}  // namespace
