// The panic path; see panic.hpp. Everything here runs with interrupts off and
// avoids anything that could need memory, locks or a working scheduler.
#include "kernel/debug/panic.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/io.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/arch/x86_64/qemu_exit.hpp"
#include "kernel/console/console.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/backtrace.hpp"
#include "lib/check.hpp"

namespace debug {
namespace {

bool g_test_mode = false;
StopOtherCpusHook g_stop_other_cpus = nullptr;
PanicNotifier g_panic_notifier = nullptr;
// 0 = no panic yet. Raised atomically by the first panicking CPU; anyone who
// finds it raised is a nested (or concurrent) panic.
uint32_t g_panic_depth = 0;
// APIC id of the CPU that owns the panic; stored right after it raised
// g_panic_depth (with interrupts off), so a later CPU waits only briefly.
constexpr uint32_t kNoCpu = ~0u;
uint32_t g_panicking_cpu = kNoCpu;
char g_message[detail::kPanicMessageSize];

// This CPU's APIC id from CPUID, which needs no per-CPU data and works
// before the APIC is set up.
uint32_t current_apic_id() {
    return x86_64::initial_apic_id();
}

// The last resort for a nested panic: polled COM1 output that depends on no
// other kernel code (16550: THR at +0, LSR at +5 with bit 5 = THR empty). The
// wait is bounded so an absent UART can not hang us.
void raw_serial_write(const char* text) {
    constexpr uint16_t kCom1 = 0x3f8;
    for (; *text; ++text) {
        for (int spin = 0; spin < 100000 && !(arch::inb(kCom1 + 5) & 0x20); ++spin) arch::pause();
        arch::outb(kCom1, uint8_t(*text));
    }
}

void raw_serial_write_decimal(uint32_t value) {
    char digits[11];
    size_t at = sizeof digits - 1;
    digits[at] = '\0';
    do {
        digits[--at] = char('0' + value % 10);
        value /= 10;
    } while (value != 0 && at > 0);
    raw_serial_write(digits + at);
}

[[noreturn]] void stop_this_cpu() {
    if (g_test_mode) arch::qemu_exit(arch::QemuExitCode::kFail);
    arch::halt_forever();
}

void print_registers(const arch::InterruptFrame& r) {
    klog::print("registers:\n");
    klog::print("  rax={:#018x} rbx={:#018x} rcx={:#018x} rdx={:#018x}\n", r.rax, r.rbx, r.rcx, r.rdx);
    klog::print("  rsi={:#018x} rdi={:#018x} rbp={:#018x} rsp={:#018x}\n", r.rsi, r.rdi, r.rbp, r.rsp);
    klog::print("  r8 ={:#018x} r9 ={:#018x} r10={:#018x} r11={:#018x}\n", r.r8, r.r9, r.r10, r.r11);
    klog::print("  r12={:#018x} r13={:#018x} r14={:#018x} r15={:#018x}\n", r.r12, r.r13, r.r14, r.r15);
    klog::print("  rip={:#018x} rflags={:#010x}\n", r.rip, r.rflags);
    klog::print("  cr0={:#018x} cr2={:#018x} cr3={:#018x} cr4={:#018x}\n", arch::read_cr0(), arch::read_cr2(),
                arch::read_cr3(), arch::read_cr4());
}

}  // namespace

// Source paths arrive absolute (CMake passes absolute paths); the root is
// this file's own path minus its repository-relative name.
const char* short_source_path(const char* path) {
    static constexpr lib::StringView kThisFile = "kernel/debug/panic.cpp";
    lib::StringView self(__FILE__);
    if (path == nullptr) return "?";
    if (!self.ends_with(kThisFile)) return path;
    lib::StringView root = self.substr(0, self.size() - kThisFile.size());
    return lib::StringView(path).starts_with(root) ? path + root.size() : path;
}

void set_test_mode(bool enabled) { g_test_mode = enabled; }
bool test_mode() { return g_test_mode; }
void set_stop_other_cpus_hook(StopOtherCpusHook hook) { g_stop_other_cpus = hook; }
void set_panic_notifier(PanicNotifier notifier) { g_panic_notifier = notifier; }
bool panic_in_progress() { return __atomic_load_n(&g_panic_depth, __ATOMIC_ACQUIRE) != 0; }

namespace detail {

char* begin_panic(const lib::SourceLocation& where) {
    arch::cli();
    uint32_t cpu = current_apic_id();
    if (__atomic_fetch_add(&g_panic_depth, 1, __ATOMIC_ACQ_REL) != 0) {
        // Another CPU is already reporting: stay out of its way (and do not
        // end the QEMU run under its half-printed report).
        uint32_t owner;
        while ((owner = __atomic_load_n(&g_panicking_cpu, __ATOMIC_ACQUIRE)) == kNoCpu) arch::pause();
        if (owner != cpu) arch::halt_forever();
        // Nested on this CPU: the first report may be half-written and the
        // consoles may be what failed. One short line on raw COM1, then stop.
        raw_serial_write("\npanic: nested panic at ");
        raw_serial_write(short_source_path(where.file));
        raw_serial_write(":");
        raw_serial_write_decimal(where.line);
        raw_serial_write(" (");
        raw_serial_write(where.function ? where.function : "?");
        raw_serial_write(")\n");
        stop_this_cpu();
    }
    __atomic_store_n(&g_panicking_cpu, cpu, __ATOMIC_RELEASE);
    if (g_stop_other_cpus != nullptr) g_stop_other_cpus();
    // From here on this CPU owns the consoles: a lock held by an interrupted
    // or stopped CPU must not keep the report from coming out.
    klog::enter_panic_mode();
    g_message[0] = '\0';
    return g_message;
}

void finish_panic(const lib::SourceLocation& where, const arch::InterruptFrame& registers, bool interrupted_context) {
    if (!console::serial_present() && !console::framebuffer_active()) {
        // Too early for the consoles (before console::init_serial): say the
        // essentials on raw COM1, which the firmware left programmed.
        raw_serial_write("\npanic: ");
        raw_serial_write(g_message);
        raw_serial_write("\n  at ");
        raw_serial_write(short_source_path(where.file));
        raw_serial_write(":");
        raw_serial_write_decimal(where.line);
        raw_serial_write("\n");
    }
    klog::print("\npanic: {}\n", g_message);
    klog::print("  at {}:{} ({})\n", short_source_path(where.file), where.line, where.function);
    // Which CPU: its index once it has per-CPU data (GS base set), and its APIC id.
    if (arch::rdmsr(arch::msr::kGsBase) != 0)
        klog::print("  on CPU {} (APIC id {})\n", arch::cpu_index(), current_apic_id());
    else
        klog::print("  on the CPU with APIC id {}\n", current_apic_id());
    print_registers(registers);
    if (interrupted_context) print_backtrace_from(registers.rip, registers.rbp, registers.rsp);
    else print_backtrace(registers.rbp, registers.rsp);
    if (g_panic_notifier != nullptr) g_panic_notifier();
    klog::print(g_test_mode ? "panic: test mode, exiting QEMU\n" : "panic: system halted\n");
    stop_this_cpu();
}

}  // namespace detail
}  // namespace debug

// lib/check.hpp's failure path in the kernel: a panic at the check.
[[noreturn]] void lib::check_failed(const char* condition, const char* file, uint32_t line) {
    debug::panic_at(lib::SourceLocation{file, "", line}, "check failed: {}", condition);
}
