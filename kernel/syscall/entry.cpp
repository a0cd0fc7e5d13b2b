// The system-call entry's C++ half and the table (syscall.hpp, entry.S).
#include "kernel/abi/linux_mm.hpp"
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/arch/x86_64/interrupt_frame_asm.h"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/console/log.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/sched/thread.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/time/time.hpp"

extern "C" void syscall_entry();
// entry.S: the entry of a number without a handler (-ENOSYS).
extern "C" int64_t syscall_enosys(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

// The table entry.S indexes (after checking the number against
// SYSCALL_TABLE_SIZE); init() fills the slots no handler took with
// syscall_enosys, so the dispatch calls whatever it finds.
extern "C" sys::Entry syscall_table[uapi::kSyscallCount];
sys::Entry syscall_table[uapi::kSyscallCount] = {};
static_assert(SYSCALL_TABLE_SIZE == uapi::kSyscallCount);
static_assert(SYSCALL_FRAME_R11 == __builtin_offsetof(arch::InterruptFrame, r11));
static_assert(SYSCALL_FRAME_RCX == __builtin_offsetof(arch::InterruptFrame, rcx));
static_assert(SYSCALL_FRAME_RAX == __builtin_offsetof(arch::InterruptFrame, rax));
static_assert(SYSCALL_FRAME_RIP == __builtin_offsetof(arch::InterruptFrame, rip));
static_assert(SYSCALL_FRAME_CS == __builtin_offsetof(arch::InterruptFrame, cs));
static_assert(SYSCALL_FRAME_RFLAGS == __builtin_offsetof(arch::InterruptFrame, rflags));
static_assert(SYSCALL_FRAME_SS == __builtin_offsetof(arch::InterruptFrame, ss));
// Neither class is standard-layout (base classes, private members), but
// their layout is fixed at compile time, which is all entry.S needs.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winvalid-offsetof"
static_assert(SYSCALL_THREAD_OWNER == __builtin_offsetof(sched::Thread, owner));
static_assert(SYSCALL_TASK_RETURN_WORK == __builtin_offsetof(proc::Task, return_work));
#pragma clang diagnostic pop
static_assert(sizeof(proc::Task::return_work) == 4, "entry.S tests it with cmpl");
static_assert(SYSCALL_RESTART_BIAS == uint64_t(lib::Errno::kERESTART_RESTARTBLOCK) &&
              SYSCALL_RESTART_SPAN == uint64_t(lib::Errno::kERESTART_RESTARTBLOCK) - uint64_t(lib::Errno::kERESTARTSYS));
static_assert(SYSCALL_SYSRET_REFUSED_FLAGS == (arch::rflags::kTrap | arch::rflags::kResume));
static_assert(SYSCALL_USER_TOP == arch::kUserTop);
// The fast exit trusts the RIP SYSCALL saved: no mapping reaches the last
// page below 2^47, so no SYSCALL instruction ends at a non-canonical
// address (the reason Linux's TASK_SIZE stops a page short).
static_assert(uapi::kTaskSize <= arch::kUserTop);
static_assert(ARCH_USER_CODE_SELECTOR == arch::kUserCodeSelector && ARCH_USER_DATA_SELECTOR == arch::kUserDataSelector);

namespace sys {
namespace {

uint64_t g_unknown = 0;

// Unknown calls are logged once per number (and at most 64 lines in all),
// naming the program: enough to see what a program misses, never a flood.
uint8_t g_unknown_logged[(uapi::kSyscallCount + 7) / 8] = {};
uint32_t g_unknown_lines = 0;
constexpr uint32_t kMaxUnknownLines = 64;

int64_t unknown_call(uint64_t number) {
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
    // getcpu for the vDSO (node 0 << 12 | cpu), where RDTSCP exists
    // (CPUID.80000001H:EDX[27]); kernel/proc/vdso.cpp tells the vDSO.
    if (arch::cpuid(0x80000000).eax >= 0x80000001 && (arch::cpuid(0x80000001).edx & (1u << 27)))
        arch::wrmsr(arch::msr::kTscAux, arch::cpu_index());
}

void init() {
    add_process_calls(syscall_table);
    add_memory_calls(syscall_table);
    add_time_calls(syscall_table);
    add_file_calls(syscall_table);
    add_pipe_calls(syscall_table);
    add_lifecycle_calls(syscall_table);
    add_signal_calls(syscall_table);
    add_thread_calls(syscall_table);
    size_t count = 0;
    for (Entry& entry : syscall_table) {
        if (entry)
            ++count;
        else
            entry = &syscall_enosys;
    }
    smp::call_on_all(init_cpu_callback, nullptr);
    klog::info("syscall: SYSCALL entry on every CPU, {} system calls", count);
}

uint64_t unknown_calls() {
    return __atomic_load_n(&g_unknown, __ATOMIC_RELAXED);
}

}  // namespace sys

// From entry.S (interrupts on) for a number outside the table, or through
// syscall_enosys for one without a handler: -ENOSYS, and the log line.
extern "C" int64_t syscall_unknown(arch::InterruptFrame* frame) {
    return sys::unknown_call(frame->error_code);
}

namespace {

// The return-to-user work (signals): one word's test when there is none
// (docs/signals.md §7). A note that only says the registers were
// rewritten (exec, rt_sigreturn) asks for nothing but the checked exit,
// which entry.S takes after this anyway: it is cleared here (unless a
// sender noted signal work meanwhile) without deliver_signals' look.
[[gnu::always_inline]] inline void return_to_user(arch::InterruptFrame* frame) {
    auto* task = static_cast<proc::Task*>(sched::current()->owner);
    uint32_t work = __atomic_load_n(&task->return_work, __ATOMIC_RELAXED);
    if (work == proc::kReturnWorkRegisters && frame->rax + SYSCALL_RESTART_BIAS > SYSCALL_RESTART_SPAN &&
        __atomic_compare_exchange_n(&task->return_work, &work, 0, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return;
    if (__builtin_expect(proc::return_work_needed(*task, *frame), false)) proc::deliver_signals(*frame);
}

// A reschedule became pending during the call (a wake-up of a thread that
// should run before this one): the switch happens here, before user mode,
// as at an interrupt's exit (Linux's exit_to_user_mode_loop and
// need_resched); else the woken thread would wait for this task's next
// preemption point or the tick (docs/fs.md, "Pipes": a pipe's reader).
// Out of line, so that the usual exit pays one test for it.
[[gnu::noinline]] void switch_then_return_to_user(arch::InterruptFrame* frame) {
    if (arch::InterruptHandler hook = arch::trap_exit_hook()) hook(*frame);
    return_to_user(frame);
}

}  // namespace

// From entry.S with interrupts off, on the task's kernel stack, once the
// call's result is in frame->rax, when its inline no-work test found work
// (the same tests as below: a pending reschedule, the task's return-work
// note, a restart code); returns with them off, and entry.S takes its
// checked exit. A system call comes from a task's user mode, so there is
// a current thread with a task.
extern "C" void syscall_exit(arch::InterruptFrame* frame) {
    if (__builtin_expect(arch::reschedule_pending(), false)) return switch_then_return_to_user(frame);
    return_to_user(frame);
}
