// The system-call entry's C++ half and the table (syscall.hpp, entry.S).
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/console/log.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/time/time.hpp"

extern "C" void syscall_entry();

namespace sys {
namespace {

Entry g_table[uapi::kSyscallCount] = {};
uint64_t g_unknown = 0;

// Unknown calls are logged once per number (and at most 64 lines in all),
// naming the program: enough to see what a program misses, never a flood.
uint8_t g_unknown_logged[(uapi::kSyscallCount + 7) / 8] = {};
uint32_t g_unknown_lines = 0;
constexpr uint32_t kMaxUnknownLines = 64;

// Out of line and cold: its log line's formatting would otherwise make
// every call's dispatch set up a large stack frame.
[[gnu::noinline, gnu::cold]] int64_t unknown_call(uint64_t number) {
    __atomic_add_fetch(&g_unknown, 1, __ATOMIC_RELAXED);
    bool log = false;
    if (number < uapi::kSyscallCount) {
        uint8_t bit = uint8_t(1u << (number % 8));
        log = !(__atomic_fetch_or(&g_unknown_logged[number / 8], bit, __ATOMIC_RELAXED) & bit);
    } else {
        log = true;
    }
    if (log && __atomic_add_fetch(&g_unknown_lines, 1, __ATOMIC_RELAXED) <= kMaxUnknownLines) {
        proc::Process* process = proc::current_process();
        const char* name = uapi::syscall_name(number);
        klog::info("syscall: {}[{}] called {} ({}): not implemented, ENOSYS", process ? process->name : "?",
                   process ? process->pid : 0, name ? name : "an unknown number", number);
    }
    return -int64_t(lib::Errno::kENOSYS);
}

// SYSRET returns to RCX with RFLAGS from R11 (and must not return to a
// non-canonical RIP: Intel CPUs raise #GP in ring 0 then, on the user's
// stack); anything else goes through IRETQ.
// The conditions are OR-ed into one word so the common case costs one
// branch.
bool sysret_possible(const arch::InterruptFrame& frame) {
    uint64_t differs = (frame.rcx ^ frame.rip) | (frame.r11 ^ frame.rflags) |
                       (frame.rflags & (arch::rflags::kTrap | arch::rflags::kResume)) |
                       (frame.cs ^ arch::kUserCodeSelector) | (frame.ss ^ arch::kUserDataSelector);
    return differs == 0 && frame.rip < arch::kUserTop;
}

void init_cpu_callback(void*) {
    init_this_cpu();
}

}  // namespace

lib::Errno errno_of(const lib::Error& error) {
    return error.code;
}

void init_this_cpu() {
    // STAR[47:32]: SYSCALL's CS (SS is the next descriptor); STAR[63:48]:
    // the base SYSRET adds 8 (SS) and 16 (64-bit CS) to.
    uint64_t star = (uint64_t(arch::kSysretBaseSelector) << 48) | (uint64_t(arch::kKernelCodeSelector) << 32);
    arch::wrmsr(arch::msr::kStar, star);
    arch::wrmsr(arch::msr::kLstar, reinterpret_cast<uint64_t>(&syscall_entry));
    arch::wrmsr(arch::msr::kCstar, 0);
    // Cleared on entry: interrupts stay off until the frame is built; no
    // single-stepping, DF clear for the ABI, AC clear so SMAP guards user
    // pages; NT, RF, IOPL and ID as Linux clears them.
    arch::wrmsr(arch::msr::kSyscallFlagMask, arch::rflags::kTrap | arch::rflags::kInterruptEnable |
                                                 arch::rflags::kDirection | arch::rflags::kAlignmentCheck |
                                                 arch::rflags::kIoPrivilegeLevel | arch::rflags::kNestedTask |
                                                 arch::rflags::kResume | arch::rflags::kId);
    arch::wrmsr(arch::msr::kEfer, arch::rdmsr(arch::msr::kEfer) | arch::efer::kSyscallEnable);
}

void init() {
    add_process_calls(g_table);
    add_memory_calls(g_table);
    add_time_calls(g_table);
    add_file_calls(g_table);
    add_pipe_calls(g_table);
    add_lifecycle_calls(g_table);
    add_signal_calls(g_table);
    add_thread_calls(g_table);
    smp::call_on_all(init_cpu_callback, nullptr);
    size_t count = 0;
    for (Entry entry : g_table)
        if (entry) ++count;
    klog::info("syscall: SYSCALL entry on every CPU, {} system calls", count);
}

uint64_t unknown_calls() {
    return __atomic_load_n(&g_unknown, __ATOMIC_RELAXED);
}

}  // namespace sys

// From entry.S with interrupts off, on the task's kernel stack; returns
// with them off and says whether SYSRET may return. The return-to-user
// work (signals) is proc's return_to_user: inline, one word's test when
// there is none (docs/signals.md §7).
extern "C" bool syscall_dispatch(arch::InterruptFrame* frame) {
    arch::sti();
    uint64_t number = frame->error_code;
    sys::Entry entry = number < uapi::kSyscallCount ? sys::g_table[number] : nullptr;
    int64_t result = entry ? entry(frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9)
                           : sys::unknown_call(number);
    frame->rax = uint64_t(result);
    arch::cli();
    proc::return_to_user(*frame);
    return sys::sysret_possible(*frame);
}
